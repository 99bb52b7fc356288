//===- CastAndClipToLinalg.cpp - nb.cast and nb.clip to linalg.generic ----===//
//
// Both are elementwise generics over signless tensors (the pass makes tensor
// types signless; the signedness comes from the nb op's own types).
//
// Cast follows ONNX: float -> int truncates toward zero (through i64 and
// then wrapping to narrower types, as numpy's astype and ONNX Runtime do on
// x86), anything -> bool is `x != 0` (NaN is true), bool -> number is 0/1,
// int -> int sign- or zero-extends by the source's signedness or wraps,
// float -> float rounds to nearest even; into float8 types `saturate`
// clamps to the largest finite value first (NaN stays NaN), otherwise
// overflow gives what the type has (inf, or NaN for the FN/FNUZ types).
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

bool isCastableType(Type t) { return isa<FloatType, IntegerType>(t); }

/// Converts the signless scalar `value` of nb-level type `from` to the
/// signless form of nb-level type `to` with ONNX Cast semantics.
Value castScalar(OpBuilder &b, Location loc, Value value, Type from, Type to,
                 bool saturate) {
  Type target = getSignlessType(to);
  if (getSignlessType(from) == target)
    return value;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);

  // Anything to bool: x != 0.
  if (to.isInteger(1)) {
    if (fromFloat)
      return arith::CmpFOp::create(
          b, loc, arith::CmpFPredicate::UNE, value,
          createScalarConstant(b, loc, value.getType(), 0));
    return arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, value,
        createScalarConstant(b, loc, value.getType(), 0));
  }
  // Bool to a number: 0 or 1.
  if (from.isInteger(1)) {
    if (toFloat)
      return arith::UIToFPOp::create(b, loc, target, value);
    return arith::ExtUIOp::create(b, loc, target, value);
  }
  // Float to int: truncation toward zero through 64 bits, then wrapping.
  if (fromFloat && !toFloat) {
    Type i64 = b.getI64Type();
    Value wide = to.isUnsignedInteger(64)
                     ? arith::FPToUIOp::create(b, loc, i64, value).getResult()
                     : arith::FPToSIOp::create(b, loc, i64, value).getResult();
    if (target == i64)
      return wide;
    return arith::TruncIOp::create(b, loc, target, wide);
  }
  if (fromFloat && toFloat) {
    if (saturate && toFloat.getWidth() == 8) {
      // Clamp to the target's largest finite value; NaN passes through.
      double largest =
          APFloat::getLargest(toFloat.getFloatSemantics()).convertToDouble();
      Value high = createScalarConstant(b, loc, fromFloat, largest);
      Value low = createScalarConstant(b, loc, fromFloat, -largest);
      value = arith::MinimumFOp::create(
          b, loc, arith::MaximumFOp::create(b, loc, value, low), high);
    }
    // f16 <-> bf16 have the same width: go through f32.
    if (fromFloat.getWidth() == toFloat.getWidth()) {
      value = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
      return arith::TruncFOp::create(b, loc, toFloat, value);
    }
  }
  // int <-> int, int -> float, float widening/narrowing.
  return convertScalar(b, loc, value, from, target);
}

/// Conversion patterns: the adaptor's operands are the signless values that
/// replaced `ui8`/`si8` ones (function arguments, converted producers).
struct CastToGeneric : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Type from = getElementTypeOrSelf(op.getInput());
    Type to = resultType->getElementType();
    if (!isCastableType(from) || !isCastableType(to))
      return rewriter.notifyMatchFailure(op, "unsupported element types");
    FailureOr<Value> input = getSignlessTensor(rewriter, op, adaptor.getInput());
    if (failed(input))
      return failure();
    bool saturate = op.getSaturate();
    FailureOr<Value> result = buildBroadcastElementwise(
        rewriter, op, cast<RankedTensorType>(getSignlessType(*resultType)),
        *input, [&](OpBuilder &b, Location loc, ValueRange args) {
          return castScalar(b, loc, args[0], from, to, saturate);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// min(max(x, lo), hi) with the bounds that are present: when lo > hi every
/// element becomes hi, as ONNX specifies.
struct ClipToGeneric : OpConversionPattern<ClipOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ClipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Type elementType = resultType->getElementType();
    if (!isCastableType(elementType))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    bool isFloat = isa<FloatType>(elementType);
    bool isUnsigned = elementType.isUnsignedInteger();
    SmallVector<Value> operands;
    for (Value v : {adaptor.getInput(), adaptor.getMin(), adaptor.getMax()}) {
      if (!v)
        continue;
      FailureOr<Value> signless = getSignlessTensor(rewriter, op, v);
      if (failed(signless))
        return failure();
      operands.push_back(*signless);
    }
    bool hasMin = static_cast<bool>(op.getMin());
    bool hasMax = static_cast<bool>(op.getMax());
    FailureOr<Value> result = buildBroadcastElementwise(
        rewriter, op, cast<RankedTensorType>(getSignlessType(*resultType)),
        operands, [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = args[0];
          if (hasMin) {
            Value lo = args[1];
            x = isFloat      ? arith::MaximumFOp::create(b, loc, x, lo).getResult()
                : isUnsigned ? arith::MaxUIOp::create(b, loc, x, lo).getResult()
                             : arith::MaxSIOp::create(b, loc, x, lo).getResult();
          }
          if (hasMax) {
            Value hi = args[hasMin ? 2 : 1];
            x = isFloat      ? arith::MinimumFOp::create(b, loc, x, hi).getResult()
                : isUnsigned ? arith::MinUIOp::create(b, loc, x, hi).getResult()
                             : arith::MinSIOp::create(b, loc, x, hi).getResult();
          }
          return x;
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void mlir::nb::populateCastAndClipToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CastToGeneric, ClipToGeneric>(patterns.getContext());
}
