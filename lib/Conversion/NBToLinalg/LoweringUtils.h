//===- LoweringUtils.h - shared helpers of the nb-to-linalg lowering ------===//
//
// Internal to lib/Conversion/NBToLinalg.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_CONVERSION_NBTOLINALG_LOWERINGUTILS_H
#define NIBBLE_LIB_CONVERSION_NBTOLINALG_LOWERINGUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::nb::lowering {

/// Computes the scalar result of an elementwise op from its scalar operands
/// (already extracted from the tensors, in operand order).
using ScalarBodyBuilder =
    function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A `tensor.empty` of `type`, taking dynamic sizes from `shapeSources`:
/// the first operand whose aligned (right-justified) dim is dynamic too.
/// Fails when no source carries one of the dynamic dims.
FailureOr<Value> createEmptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                        ValueRange shapeSources);

/// `linalg.generic` computing `body` elementwise over `operands` broadcast to
/// `resultType` with numpy's rules. A static 1-sized dim broadcasts; a
/// dynamic dim is assumed to match the result (ONNX graphs from exporters
/// never rely on a run-time 1 to broadcast). Fails, with a match-failure
/// note, when an operand is unranked.
FailureOr<Value> buildBroadcastElementwise(PatternRewriter &rewriter,
                                           Operation *op,
                                           RankedTensorType resultType,
                                           ValueRange operands,
                                           ScalarBodyBuilder body);

/// A scalar constant of `type` (float or integer) equal to `value`; integer
/// constants are signless (arith's), whatever the signedness of `type`.
Value createScalarConstant(OpBuilder &b, Location loc, Type type,
                           double value);

/// The ranked result type of `op`'s result `index`, or a match failure that
/// names the op when it is unranked.
FailureOr<RankedTensorType> getRankedResultType(PatternRewriter &rewriter,
                                                Operation *op,
                                                unsigned index = 0);

/// getRankedResultType with a signless element type in place of a signed or
/// unsigned integer: the type a conversion pattern's replacement has (the
/// pass makes tensors signless; see IntegerLoweringUtils.h).
FailureOr<RankedTensorType> getSignlessResultType(PatternRewriter &rewriter,
                                                  Operation *op,
                                                  unsigned index = 0);

/// The element type a contraction (Conv, ConvTranspose, MatMul, Gemm) of
/// `element` operands accumulates in: f32 for floats narrower than 32 bits
/// (f16, bf16), so that the result is rounded to the narrow type once, at
/// the end, as ONNX Runtime's and cuBLAS's default half-precision kernels
/// do; `element` itself otherwise.
Type getAccumulatorType(Type element);

} // namespace mlir::nb::lowering

#endif // NIBBLE_LIB_CONVERSION_NBTOLINALG_LOWERINGUTILS_H
