//===- NBQuantUtils.h - ONNX Q/DQ parameters as quant types -----*- C++ -*-===//
//
// The mapping between ONNX QuantizeLinear/DequantizeLinear parameters
// (scale, zero point, axis, block_size) and upstream quant element types,
// shared by the Q/DQ verifiers and `nb-lift-qdq-to-quant-types`.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_DIALECT_NB_IR_NBQUANTUTILS_H
#define NIBBLE_DIALECT_NB_IR_NBQUANTUTILS_H

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include <string>

namespace mlir::nb {

/// The quant element type that ONNX Q/DQ parameters describe:
/// `!quant.uniform<storage:expressed, s:z>` for a one-element scale,
/// per-axis `!quant.uniform<storage:expressed:axis, {...}>` for a 1-D scale,
/// and sub-channel `!quant.uniform<storage:expressed:{axis:block}, {...}>`
/// for `blockSize > 0`. The storage range is the full integer range, as ONNX
/// saturates to it. `zeroPoint` may be null (zero). Returns a null type and
/// sets `reason` when upstream quant types cannot express the parameters
/// (float8 storage, non-positive scales, partial blocks, ...).
quant::QuantizedType
getQuantTypeForQDQ(Type storageType, DenseElementsAttr scale,
                   DenseElementsAttr zeroPoint, int64_t axis, int64_t blockSize,
                   ShapedType dataType, std::string &reason);

/// Whether two quant element types describe the same quantization, comparing
/// scales with a relative tolerance (printed scales round-trip through
/// decimal text).
bool quantTypesMatch(quant::QuantizedType a, quant::QuantizedType b);

/// Whether `quantType`'s storage type is the integer type `storage` (same
/// width and signedness).
bool storageTypeMatches(quant::QuantizedType quantType, Type storage);

} // namespace mlir::nb

#endif // NIBBLE_DIALECT_NB_IR_NBQUANTUTILS_H
