//===- IntegerLoweringUtils.h - integer and requantization helpers -*- C++ -*-===//
//
// Internal to lib/Conversion/NBToLinalg: the scalar arithmetic shared by the
// lowerings of integer and quantized ops (MatMulInteger, QLinearMatMul,
// ConvInteger, QLinearConv, QuantizeLinear, ...).
//
// Signedness: linalg bodies compute on signless integers (arith rejects
// `ui8`), so the pass converts tensor types to signless ones and these
// helpers take the signedness from the nb op's original types.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_CONVERSION_NBTOLINALG_INTEGERLOWERINGUTILS_H
#define NIBBLE_LIB_CONVERSION_NBTOLINALG_INTEGERLOWERINGUTILS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
class ConversionPatternRewriter;
namespace nb {
class ConvOp;
} // namespace nb
} // namespace mlir

namespace mlir::nb::lowering {

/// The integer type that holds the values of `type`: for a `!quant` element
/// type (or a tensor of one) its storage type in ONNX's convention (signed
/// storage is signless, unsigned storage `ui<N>`), so that `ui8` and
/// `!quant.uniform<u8:...>` read the same; other types are returned
/// unchanged. Patterns take signedness from what this returns for the nb
/// op's original types.
Type getStorageType(Type type);

/// `type` with a signless integer element type in place of a signed or
/// unsigned one, or of a `!quant` type (its storage width); other types are
/// returned unchanged.
Type getSignlessType(Type type);

/// `value` (an operand of `op`) as a ranked tensor with a signless element
/// type. Values whose producer was already converted are signless; constants
/// are rebuilt signless; anything else is a match failure (it means the
/// signless type conversion of the pass did not run).
FailureOr<Value> getSignlessTensor(PatternRewriter &rewriter, Operation *op,
                                   Value value);

/// Converts the signless scalar `value`, whose original (nb-level) type is
/// `sourceType` (which carries the signedness; a `!quant` type stands for its
/// storage type), to the signless or float
/// type `targetType`: sign or zero extension, truncation, int<->float,
/// float extension/truncation.
Value convertScalar(OpBuilder &b, Location loc, Value value, Type sourceType,
                    Type targetType);

/// The representable range of an ONNX integer storage type (signless means
/// signed, as in ONNX's int8/int16/int32/int4).
std::pair<int64_t, int64_t> getIntegerRange(IntegerType type);

/// Rounds the float `value` half to even and saturates it to `storageType`'s
/// range; returns a signless integer of its width. Values whose width needs
/// it are clamped in f64 so that the bounds are exact.
Value roundAndSaturate(OpBuilder &b, Location loc, Value value,
                       IntegerType storageType);

/// The indexing map, over `numDims` loop dims, of a quantization parameter
/// that is either one value (rank 0, or all dims 1) or a 1-D tensor indexed
/// by loop dim `vectorDim`. Fails on other shapes or on a vector whose static
/// size differs from `vectorSize`.
FailureOr<AffineMap> getParameterMap(Type parameterType, unsigned numDims,
                                     std::optional<unsigned> vectorDim,
                                     int64_t vectorSize);

/// Whether any operand or result of `op` has a `!quant` element type.
bool hasQuantElementTypes(Operation *op);

/// The int32 accumulator of a quantized nb.conv (ConvolutionToLinalg.cpp):
/// the integer convolution of signless `input` and `weight` with their zero
/// points subtracted (null: zero; the weight's may be per output channel),
/// plus the int32 `bias` per output channel when given.
FailureOr<Value> buildQuantizedConvAccumulator(
    ConversionPatternRewriter &rewriter, ConvOp op, Value input, Value weight,
    Value inputZeroPoint, Value weightZeroPoint, Value bias);

/// The int32 accumulator of a quantized matmul (ContractionToLinalg.cpp):
/// numpy matmul of signless `lhs` and `rhs` with zero points subtracted
/// (scalars, per lhs row or per rhs column). `original*` carry signedness.
FailureOr<Value> buildQuantizedMatmulAccumulator(
    ConversionPatternRewriter &rewriter, Operation *op, Value lhs, Value rhs,
    Value lhsZeroPoint, Value rhsZeroPoint, Value originalLhs,
    Value originalRhs, RankedTensorType accType);

} // namespace mlir::nb::lowering

#endif // NIBBLE_LIB_CONVERSION_NBTOLINALG_INTEGERLOWERINGUTILS_H
