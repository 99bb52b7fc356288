//===- CPUExpandNarrowFloats.cpp - nb-cpu-expand-narrow-floats ------------===//
#include "nibble/Pipelines/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <cstring>
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

/// The bit fields of a narrow float format, for decoding by arithmetic.
struct NarrowFormat {
  unsigned width;
  unsigned mantissaBits;
  unsigned exponentBits;
  bool hasSign;
  /// Whether the all-zero exponent field holds zero and subnormals (IEEE
  /// style) rather than the smallest normal exponent (f8E8M0FNU).
  bool hasSubnormals;
  int bias;

  explicit NarrowFormat(const llvm::fltSemantics &semantics)
      : width(APFloat::semanticsSizeInBits(semantics)),
        mantissaBits(APFloat::semanticsPrecision(semantics) - 1),
        hasSign(APFloat::semanticsHasSignedRepr(semantics)),
        hasSubnormals(APFloat::semanticsHasZero(semantics)) {
    exponentBits = width - mantissaBits - (hasSign ? 1 : 0);
    int minExponent = APFloat::semanticsMinExponent(semantics);
    bias = hasSubnormals ? 1 - minExponent : -minExponent;
  }

  /// The f32 bit pattern the arithmetic decoding gives `code`; what
  /// ExpandNarrowExtF emits, computed on the host to find the codes it gets
  /// wrong (NaN and infinity encodings, f32 subnormals).
  uint32_t decode(uint32_t code) const {
    uint32_t sign = hasSign ? (code >> (width - 1)) & 1 : 0;
    uint32_t exponent = (code >> mantissaBits) & ((1u << exponentBits) - 1);
    uint32_t mantissa = code & ((1u << mantissaBits) - 1);
    uint32_t magnitude;
    if (hasSubnormals && exponent == 0) {
      float value = float(mantissa) * subnormalUnit();
      std::memcpy(&magnitude, &value, sizeof(value));
    } else {
      magnitude = ((exponent - bias + 127) << 23) |
                  (mantissa << (23 - mantissaBits));
    }
    return magnitude | (sign << 31);
  }

  /// The value of the last mantissa bit of a subnormal: 2^(1-bias-m).
  float subnormalUnit() const {
    return std::ldexp(1.0f, 1 - bias - int(mantissaBits));
  }
};

/// The codes of `semantics` whose value `format.decode` gets wrong, with
/// their f32 values: at most 8 for the formats MLIR has (f8E5M2's
/// infinities and NaNs).
static SmallVector<std::pair<uint32_t, float>>
findSpecialCodes(const llvm::fltSemantics &semantics,
                 const NarrowFormat &format) {
  SmallVector<std::pair<uint32_t, float>> special;
  for (uint32_t code = 0; code < (1u << format.width); ++code) {
    APFloat value(semantics, APInt(format.width, code));
    bool isNaN = value.isNaN();
    bool losesInfo;
    value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    float expected = value.convertToFloat();
    // APFloat converts f8E8M0FNU's NaN (0xFF) to infinity.
    if (isNaN && !std::isnan(expected))
      expected = std::numeric_limits<float>::quiet_NaN();
    uint32_t expectedBits;
    std::memcpy(&expectedBits, &expected, sizeof(expected));
    uint32_t decodedBits = format.decode(code);
    float decoded;
    std::memcpy(&decoded, &decodedBits, sizeof(decoded));
    bool same = std::isnan(expected) ? std::isnan(decoded)
                                     : decodedBits == expectedBits;
    if (!same)
      special.push_back({code, expected});
  }
  return special;
}

namespace {
/// extf from a narrow float, decoded by integer arithmetic: the exponent
/// field is rebiased into an f32 exponent and the mantissa shifted into
/// place; subnormals are mantissa * 2^(1-bias-m) in f32 (exact), and the
/// few codes this gets wrong (NaN and infinity encodings, f8E8M0FNU's
/// smallest value, an f32 subnormal) are selected by code. All of it is
/// elementwise and vectorizes. (It replaces a lookup in a table of every
/// bit pattern: a `tensor.extract` vectorizes to a gather, and the
/// vectorizer analyses its index by walking the index's operands
/// recursively without memoization, which is exponential in the depth of a
/// fused quantize -> dequantize body: over 5 minutes in the vectorizer for
/// PP-OCR's classifier in fp8.)
struct ExpandNarrowExtF : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    FloatType source = getNarrowFloat(op.getIn().getType());
    if (!source)
      return rewriter.notifyMatchFailure(op, "not from a scalar narrow float");
    const llvm::fltSemantics &semantics = source.getFloatSemantics();
    NarrowFormat format(semantics);
    Value f32 = decode(rewriter, op, format,
                       findSpecialCodes(semantics, format));
    rewriter.replaceOp(op, fromF32(rewriter, op.getLoc(), f32, op.getType()));
    return success();
  }

  static Value decode(PatternRewriter &b, arith::ExtFOp op,
                      const NarrowFormat &format,
                      ArrayRef<std::pair<uint32_t, float>> special) {
    Location loc = op.getLoc();
    Type i32 = b.getI32Type();
    Value code = arith::ExtUIOp::create(
        b, loc, i32,
        arith::BitcastOp::create(b, loc, b.getIntegerType(format.width),
                                 op.getIn()));
    Value exponent = arith::AndIOp::create(
        b, loc,
        arith::ShRUIOp::create(b, loc, code,
                               i32Constant(b, loc, format.mantissaBits)),
        i32Constant(b, loc, (1 << format.exponentBits) - 1));
    Value mantissa = arith::AndIOp::create(
        b, loc, code, i32Constant(b, loc, (1 << format.mantissaBits) - 1));
    Value magnitude = arith::OrIOp::create(
        b, loc,
        arith::ShLIOp::create(
            b, loc,
            arith::AddIOp::create(b, loc, exponent,
                                  i32Constant(b, loc, 127 - format.bias)),
            i32Constant(b, loc, 23)),
        arith::ShLIOp::create(b, loc, mantissa,
                              i32Constant(b, loc, 23 - format.mantissaBits)));
    if (format.hasSubnormals) {
      Value subnormal = arith::BitcastOp::create(
          b, loc, i32,
          arith::MulFOp::create(
              b, loc, arith::UIToFPOp::create(b, loc, b.getF32Type(), mantissa),
              f32Constant(b, loc, format.subnormalUnit())));
      Value isSubnormal = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, exponent, i32Constant(b, loc, 0));
      magnitude = arith::SelectOp::create(b, loc, isSubnormal, subnormal,
                                          magnitude);
    }
    Value bits = magnitude;
    if (format.hasSign)
      bits = arith::OrIOp::create(
          b, loc, bits,
          arith::ShLIOp::create(
              b, loc,
              arith::ShRUIOp::create(b, loc, code,
                                     i32Constant(b, loc, format.width - 1)),
              i32Constant(b, loc, 31)));
    Value value = arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
    for (auto [specialCode, specialValue] : special) {
      Value isCode = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           code, i32Constant(b, loc, specialCode));
      value = arith::SelectOp::create(b, loc, isCode,
                                      f32Constant(b, loc, specialValue), value);
    }
    return value;
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
