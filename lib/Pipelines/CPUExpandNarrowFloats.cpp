//===- CPUExpandNarrowFloats.cpp - nb-cpu-expand-narrow-floats ------------===//
#include "nibble/Pipelines/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/APFloat.h"

#include <limits>

namespace mlir::nb {
#define GEN_PASS_DEF_CPUEXPANDNARROWFLOATS
#include "nibble/Pipelines/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

/// The float types LLVM cannot hold: narrower than 16 bits.
static FloatType getNarrowFloat(Type type) {
  auto floatType = dyn_cast<FloatType>(type);
  return floatType && floatType.getWidth() < 16 ? floatType : FloatType();
}

static Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), value);
}

static Value f32Constant(OpBuilder &b, Location loc, float value) {
  return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                        APFloat(value));
}

/// `value` as f32 (exact from f16/bf16, rounded from wider types).
static Value toF32(OpBuilder &b, Location loc, Value value) {
  Type f32 = b.getF32Type();
  unsigned width = cast<FloatType>(value.getType()).getWidth();
  if (width < 32)
    return arith::ExtFOp::create(b, loc, f32, value);
  if (width > 32)
    return arith::TruncFOp::create(b, loc, f32, value);
  return value;
}

/// `value` (f32) converted to `type` (f16, bf16, f32, f64); exact for the
/// values of narrow floats except out-of-range f8E8M0FNU values in f16.
static Value fromF32(OpBuilder &b, Location loc, Value value, Type type) {
  unsigned width = cast<FloatType>(type).getWidth();
  if (width < 32)
    return arith::TruncFOp::create(b, loc, type, value);
  if (width > 32)
    return arith::ExtFOp::create(b, loc, type, value);
  return value;
}

namespace {
/// extf from a narrow float: a table lookup by bit pattern.
struct ExpandNarrowExtF : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    FloatType source = getNarrowFloat(op.getIn().getType());
    if (!source)
      return rewriter.notifyMatchFailure(op, "not from a scalar narrow float");
    auto func = op->getParentOfType<FunctionOpInterface>();
    if (!func || func.isExternal())
      return rewriter.notifyMatchFailure(op, "not in a function body");

    unsigned width = source.getWidth();
    const llvm::fltSemantics &semantics = source.getFloatSemantics();
    SmallVector<float> values;
    for (uint64_t bits = 0; bits < (1u << width); ++bits) {
      APFloat value(semantics, APInt(width, bits));
      bool losesInfo;
      value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      values.push_back(value.convertToFloat());
    }
    Location loc = op.getLoc();
    // The table lives at the top of the function, outside any linalg body.
    Value table;
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&func.getFunctionBody().front());
      auto tableType =
          RankedTensorType::get({int64_t(values.size())}, rewriter.getF32Type());
      table = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(tableType, ArrayRef(values)));
    }
    Value bits = arith::BitcastOp::create(
        rewriter, loc, rewriter.getIntegerType(width), op.getIn());
    Value index = arith::IndexCastUIOp::create(rewriter, loc,
                                               rewriter.getIndexType(), bits);
    Value f32 = tensor::ExtractOp::create(rewriter, loc, table, index);
    rewriter.replaceOp(op, fromF32(rewriter, loc, f32, op.getType()));
    return success();
  }
};

/// truncf to a narrow float: round to nearest even, then encode.
struct ExpandNarrowTruncF : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    FloatType target = getNarrowFloat(op.getType());
    if (!target)
      return rewriter.notifyMatchFailure(op, "not to a scalar narrow float");
    const llvm::fltSemantics &semantics = target.getFloatSemantics();
    if (!APFloat::semanticsHasSignedRepr(semantics) ||
        !APFloat::semanticsHasZero(semantics))
      return rewriter.notifyMatchFailure(op, "exponent-only formats (E8M0)");
    if (op.getRoundingmodeAttr())
      return rewriter.notifyMatchFailure(op, "explicit rounding mode");

    unsigned width = target.getWidth();
    int mantissa = APFloat::semanticsPrecision(semantics) - 1;
    int minExponent = APFloat::semanticsMinExponent(semantics);
    auto bitsOf = [&](const APFloat &value) {
      return int64_t(value.bitcastToAPInt().getZExtValue());
    };
    int64_t nanBits = APFloat::semanticsHasNaN(semantics)
                          ? bitsOf(APFloat::getNaN(semantics))
                          : -1;
    int64_t infBits = APFloat::semanticsHasInf(semantics)
                          ? bitsOf(APFloat::getInf(semantics))
                          : -1;
    APFloat largest = APFloat::getLargest(semantics);
    int64_t largestBits = bitsOf(largest);
    bool losesInfo;
    largest.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
    // FNUZ types spend negative zero's code on NaN.
    bool signedZero = bitsOf(APFloat::getZero(semantics, /*Negative=*/true)) !=
                      bitsOf(APFloat::getZero(semantics));

    Location loc = op.getLoc();
    PatternRewriter &b = rewriter;
    Type i32 = b.getI32Type();
    Value x = toF32(b, loc, op.getIn());
    Value bits = arith::BitcastOp::create(b, loc, i32, x);
    Value sign = arith::ShRUIOp::create(b, loc, bits, i32Constant(b, loc, 31));
    Value magnitude = math::AbsFOp::create(b, loc, x);
    Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);

    // The unbiased f32 exponent, at least the target's smallest normal one
    // (f32 zeros and subnormals read as -127).
    Value exponent = arith::SubIOp::create(
        b, loc,
        arith::AndIOp::create(
            b, loc, arith::ShRUIOp::create(b, loc, bits, i32Constant(b, loc, 23)),
            i32Constant(b, loc, 0xFF)),
        i32Constant(b, loc, 127));
    exponent = arith::MaxSIOp::create(b, loc, exponent,
                                      i32Constant(b, loc, minExponent));
    // Scale so that the target's last mantissa bit has weight 1: the
    // exponent is at most 128 (inf/NaN, replaced below), so the power of two
    // 2^-(exponent - mantissa) is a normal f32.
    Value shift = arith::SubIOp::create(b, loc, exponent,
                                        i32Constant(b, loc, mantissa));
    Value inverseScaleBits = arith::ShLIOp::create(
        b, loc,
        arith::SubIOp::create(b, loc, i32Constant(b, loc, 127), shift),
        i32Constant(b, loc, 23));
    Value inverseScale =
        arith::BitcastOp::create(b, loc, b.getF32Type(), inverseScaleBits);
    Value units = math::RoundEvenOp::create(
        b, loc, arith::MulFOp::create(b, loc, magnitude, inverseScale));
    // Overflow is decided on the rounded value (449 rounds to f8E4M3FN's
    // 448): units * 2^shift is exact. Infinite inputs stay infinite here.
    Value scaleBits = arith::ShLIOp::create(
        b, loc, arith::AddIOp::create(b, loc, shift, i32Constant(b, loc, 127)),
        i32Constant(b, loc, 23));
    Value rounded = arith::MulFOp::create(
        b, loc, units,
        arith::BitcastOp::create(b, loc, b.getF32Type(), scaleBits));
    // (An infinite input may scale to NaN when 2^-shift underflows to 0.)
    Value isInf = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::OEQ, magnitude,
        f32Constant(b, loc, std::numeric_limits<float>::infinity()));
    Value tooLarge = arith::OrIOp::create(
        b, loc, isInf,
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, rounded,
                              f32Constant(b, loc, largest.convertToFloat())));
    // Poison for infinite and NaN inputs; the selects below never pick it.
    Value count = arith::FPToUIOp::create(b, loc, i32, units);

    // Rounding may carry into the next binade: 2^(m+1) units of 2^shift
    // are 2^m units of the next exponent.
    Value carry = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, count,
                                        i32Constant(b, loc, 2 << mantissa));
    count = arith::SelectOp::create(
        b, loc, carry,
        arith::ShRUIOp::create(b, loc, count, i32Constant(b, loc, 1)), count);
    exponent = arith::SelectOp::create(
        b, loc, carry,
        arith::AddIOp::create(b, loc, exponent, i32Constant(b, loc, 1)),
        exponent);
    Value hidden = i32Constant(b, loc, 1 << mantissa);
    Value normal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                         count, hidden);
    Value exponentField = arith::SelectOp::create(
        b, loc, normal,
        arith::AddIOp::create(b, loc, exponent,
                              i32Constant(b, loc, 1 - minExponent)),
        i32Constant(b, loc, 0));
    Value mantissaField = arith::SelectOp::create(
        b, loc, normal, arith::SubIOp::create(b, loc, count, hidden), count);
    Value magnitudeBits = arith::OrIOp::create(
        b, loc,
        arith::ShLIOp::create(b, loc, exponentField,
                              i32Constant(b, loc, mantissa)),
        mantissaField);

    Value signBit = arith::ShLIOp::create(b, loc, sign,
                                          i32Constant(b, loc, width - 1));
    Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         magnitudeBits, i32Constant(b, loc, 0));
    Value result = arith::OrIOp::create(b, loc, signBit, magnitudeBits);
    if (!signedZero)
      result = arith::SelectOp::create(b, loc, isZero, magnitudeBits, result);
    // Past the largest finite value: infinity, else NaN, else saturate.
    Value overflow =
        infBits >= 0
            ? arith::OrIOp::create(b, loc, signBit, i32Constant(b, loc, infBits))
        : nanBits >= 0
            ? i32Constant(b, loc, nanBits)
            : arith::OrIOp::create(b, loc, signBit,
                                   i32Constant(b, loc, largestBits))
                  .getResult();
    result = arith::SelectOp::create(b, loc, tooLarge, overflow, result);
    // Formats without NaN (f4E2M1FN) take NaN to the zero of the opposite
    // sign, which is what ONNX's reference implementation does.
    Value nanResult =
        nanBits >= 0
            ? i32Constant(b, loc, nanBits)
            : arith::XOrIOp::create(b, loc, signBit,
                                    i32Constant(b, loc, int64_t(1) << (width - 1)))
                  .getResult();
    result = arith::SelectOp::create(b, loc, isNaN, nanResult, result);
    Value narrowBits =
        arith::TruncIOp::create(b, loc, b.getIntegerType(width), result);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, target, narrowBits);
    return success();
  }
};

struct CPUExpandNarrowFloatsPass
    : public nb::impl::CPUExpandNarrowFloatsBase<CPUExpandNarrowFloatsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandNarrowExtF, ExpandNarrowTruncF>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
