//===- ElementwiseToLinalg.cpp - elementwise nb ops to linalg.generic -----===//
//
// Each elementwise op becomes one `linalg.generic` over the broadcast result
// whose body is the op's scalar semantics, below, one specialization of
// `ScalarSemantics` per op. Float formulas follow ONNX's reference
// definitions (e.g. HardSwish = x * max(0, min(1, x/6 + 1/2))).
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

bool isFloat(Type t) { return isa<FloatType>(t); }
bool isIntOrFloat(Type t) { return isa<FloatType, IntegerType>(t); }

/// Scalar semantics of an elementwise op: which element types it lowers for
/// (checked before any IR is built) and the scalar computation.
template <typename OpTy>
struct ScalarSemantics;

#define NB_FLOAT_UNARY(OpTy, MathOp)                                           \
  template <>                                                                  \
  struct ScalarSemantics<OpTy> {                                               \
    static bool supports(OpTy, Type t) { return isFloat(t); }                  \
    static Value build(OpTy, OpBuilder &b, Location loc, ValueRange args,      \
                       Type) {                                                 \
      return MathOp::create(b, loc, args[0]);                                  \
    }                                                                          \
  };
NB_FLOAT_UNARY(TanhOp, math::TanhOp)
NB_FLOAT_UNARY(ErfOp, math::ErfOp)
NB_FLOAT_UNARY(SqrtOp, math::SqrtOp)
NB_FLOAT_UNARY(SinOp, math::SinOp)
NB_FLOAT_UNARY(CosOp, math::CosOp)
NB_FLOAT_UNARY(ExpOp, math::ExpOp)
NB_FLOAT_UNARY(LogOp, math::LogOp)
#undef NB_FLOAT_UNARY

template <>
struct ScalarSemantics<AbsOp> {
  static bool supports(AbsOp, Type t) { return isIntOrFloat(t); }
  static Value build(AbsOp, OpBuilder &b, Location loc, ValueRange args,
                     Type t) {
    if (isFloat(t))
      return math::AbsFOp::create(b, loc, args[0]);
    if (t.isUnsignedInteger())
      return args[0];
    return math::AbsIOp::create(b, loc, args[0]);
  }
};

template <>
struct ScalarSemantics<NegOp> {
  static bool supports(NegOp, Type t) { return isIntOrFloat(t); }
  static Value build(NegOp, OpBuilder &b, Location loc, ValueRange args,
                     Type t) {
    if (isFloat(t))
      return arith::NegFOp::create(b, loc, args[0]);
    return arith::SubIOp::create(b, loc, createScalarConstant(b, loc, t, 0),
                                 args[0]);
  }
};

template <>
struct ScalarSemantics<ReluOp> {
  static bool supports(ReluOp, Type t) { return isIntOrFloat(t); }
  static Value build(ReluOp, OpBuilder &b, Location loc, ValueRange args,
                     Type t) {
    if (t.isUnsignedInteger())
      return args[0];
    Value zero = createScalarConstant(b, loc, t, 0);
    if (isFloat(t))
      return arith::MaximumFOp::create(b, loc, args[0], zero);
    return arith::MaxSIOp::create(b, loc, args[0], zero);
  }
};

template <>
struct ScalarSemantics<SigmoidOp> {
  static bool supports(SigmoidOp, Type t) { return isFloat(t); }
  static Value build(SigmoidOp, OpBuilder &b, Location loc, ValueRange args,
                     Type t) {
    // 1 / (1 + exp(-x)): exp overflows to +inf for very negative x, giving
    // exactly 0 as ONNX Runtime does.
    Value one = createScalarConstant(b, loc, t, 1);
    Value negated = arith::NegFOp::create(b, loc, args[0]);
    Value exp = math::ExpOp::create(b, loc, negated);
    Value denominator = arith::AddFOp::create(b, loc, one, exp);
    return arith::DivFOp::create(b, loc, one, denominator);
  }
};

template <>
struct ScalarSemantics<ReciprocalOp> {
  static bool supports(ReciprocalOp, Type t) { return isFloat(t); }
  static Value build(ReciprocalOp, OpBuilder &b, Location loc, ValueRange args,
                     Type t) {
    return arith::DivFOp::create(b, loc, createScalarConstant(b, loc, t, 1),
                                 args[0]);
  }
};

/// max(0, min(1, alpha * x + beta)), shared by HardSigmoid and HardSwish.
Value buildHardSigmoid(OpBuilder &b, Location loc, Value x, Type t,
                       double alpha, double beta) {
  Value scaled = arith::MulFOp::create(
      b, loc, x, createScalarConstant(b, loc, t, alpha));
  Value shifted = arith::AddFOp::create(
      b, loc, scaled, createScalarConstant(b, loc, t, beta));
  Value upper = arith::MinimumFOp::create(
      b, loc, shifted, createScalarConstant(b, loc, t, 1));
  return arith::MaximumFOp::create(b, loc, upper,
                                   createScalarConstant(b, loc, t, 0));
}

template <>
struct ScalarSemantics<HardSigmoidOp> {
  static bool supports(HardSigmoidOp, Type t) { return isFloat(t); }
  static Value build(HardSigmoidOp op, OpBuilder &b, Location loc,
                     ValueRange args, Type t) {
    return buildHardSigmoid(b, loc, args[0], t, op.getAlpha().convertToDouble(),
                            op.getBeta().convertToDouble());
  }
};

template <>
struct ScalarSemantics<HardSwishOp> {
  static bool supports(HardSwishOp, Type t) { return isFloat(t); }
  static Value build(HardSwishOp, OpBuilder &b, Location loc, ValueRange args,
                     Type t) {
    Value gate = buildHardSigmoid(b, loc, args[0], t, 1.0 / 6.0, 0.5);
    return arith::MulFOp::create(b, loc, args[0], gate);
  }
};

template <>
struct ScalarSemantics<LeakyReluOp> {
  static bool supports(LeakyReluOp, Type t) { return isFloat(t); }
  static Value build(LeakyReluOp op, OpBuilder &b, Location loc,
                     ValueRange args, Type t) {
    Value zero = createScalarConstant(b, loc, t, 0);
    Value scaled = arith::MulFOp::create(
        b, loc, args[0],
        createScalarConstant(b, loc, t, op.getAlpha().convertToDouble()));
    Value negative = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                           args[0], zero);
    return arith::SelectOp::create(b, loc, negative, scaled, args[0]);
  }
};

template <>
struct ScalarSemantics<GeluOp> {
  static bool supports(GeluOp, Type t) { return isFloat(t); }
  static Value build(GeluOp op, OpBuilder &b, Location loc, ValueRange args,
                     Type t) {
    Value x = args[0];
    Value half = createScalarConstant(b, loc, t, 0.5);
    Value one = createScalarConstant(b, loc, t, 1);
    Value inner;
    if (op.getApproximate() == GeluApproximation::Tanh) {
      // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
      Value cube = arith::MulFOp::create(
          b, loc, x, arith::MulFOp::create(b, loc, x, x));
      Value poly = arith::AddFOp::create(
          b, loc, x,
          arith::MulFOp::create(b, loc, cube,
                                createScalarConstant(b, loc, t, 0.044715)));
      inner = math::TanhOp::create(
          b, loc,
          arith::MulFOp::create(
              b, loc, poly,
              createScalarConstant(b, loc, t, 0.7978845608028654)));
    } else {
      // erf(x / sqrt(2))
      inner = math::ErfOp::create(
          b, loc,
          arith::MulFOp::create(
              b, loc, x, createScalarConstant(b, loc, t, 0.7071067811865476)));
    }
    Value gate = arith::AddFOp::create(b, loc, one, inner);
    return arith::MulFOp::create(b, loc,
                                 arith::MulFOp::create(b, loc, half, x), gate);
  }
};

#define NB_ARITH_BINARY(OpTy, FloatOp, SignedOp, UnsignedOp)                   \
  template <>                                                                  \
  struct ScalarSemantics<OpTy> {                                               \
    static bool supports(OpTy, Type t) { return isIntOrFloat(t); }             \
    static Value build(OpTy, OpBuilder &b, Location loc, ValueRange args,      \
                       Type t) {                                               \
      if (isFloat(t))                                                          \
        return FloatOp::create(b, loc, args[0], args[1]);                      \
      if (t.isUnsignedInteger())                                               \
        return UnsignedOp::create(b, loc, args[0], args[1]);                   \
      return SignedOp::create(b, loc, args[0], args[1]);                       \
    }                                                                          \
  };
NB_ARITH_BINARY(AddOp, arith::AddFOp, arith::AddIOp, arith::AddIOp)
NB_ARITH_BINARY(SubOp, arith::SubFOp, arith::SubIOp, arith::SubIOp)
NB_ARITH_BINARY(MulOp, arith::MulFOp, arith::MulIOp, arith::MulIOp)
// Integer division truncates toward zero, as ONNX Runtime's kernels do.
NB_ARITH_BINARY(DivOp, arith::DivFOp, arith::DivSIOp, arith::DivUIOp)
#undef NB_ARITH_BINARY

/// Integer bases are raised in f64 and converted back toward zero, as
/// onnx.reference's `np.power(a, b).astype(a.dtype)` does for float
/// exponents; integer results are exact below 2^53.
template <>
struct ScalarSemantics<PowOp> {
  static bool supports(PowOp op, Type t) {
    return isIntOrFloat(t) && !t.isInteger(1) &&
           isIntOrFloat(getElementTypeOrSelf(op.getRhs()));
  }
  static Value build(PowOp op, OpBuilder &b, Location loc, ValueRange args,
                     Type t) {
    Type computeType = isFloat(t) ? t : b.getF64Type();
    Value base = convertScalar(b, loc, args[0], t, computeType);
    Value exponent = convertScalar(b, loc, args[1],
                                   getElementTypeOrSelf(op.getRhs()),
                                   computeType);
    Value power = math::PowFOp::create(b, loc, base, exponent);
    return convertScalar(b, loc, power, computeType, getSignlessType(t));
  }
};

template <>
struct ScalarSemantics<EqualOp> {
  static bool supports(EqualOp op, Type) {
    return isIntOrFloat(getElementTypeOrSelf(op.getLhs()));
  }
  static Value build(EqualOp, OpBuilder &b, Location loc, ValueRange args,
                     Type) {
    if (isFloat(args[0].getType()))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, args[0],
                                   args[1]);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, args[0],
                                 args[1]);
  }
};

template <>
struct ScalarSemantics<WhereOp> {
  static bool supports(WhereOp, Type t) { return isIntOrFloat(t); }
  static Value build(WhereOp, OpBuilder &b, Location loc, ValueRange args,
                     Type) {
    return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
  }
};

/// Rewrites an elementwise op into a broadcasting `linalg.generic` over the
/// converted (signless) operands; `ScalarSemantics` gets the nb-level
/// element type, which carries the signedness.
template <typename OpTy>
struct ElementwiseToGeneric : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpTy>::OpAdaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType =
        getRankedResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Type elementType = resultType->getElementType();
    if (!ScalarSemantics<OpTy>::supports(op, elementType))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    FailureOr<Value> result = buildBroadcastElementwise(
        rewriter, op, cast<RankedTensorType>(getSignlessType(*resultType)),
        adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return ScalarSemantics<OpTy>::build(op, b, loc, args, elementType);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void mlir::nb::populateElementwiseToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<
      ElementwiseToGeneric<AbsOp>, ElementwiseToGeneric<AddOp>,
      ElementwiseToGeneric<CosOp>, ElementwiseToGeneric<DivOp>,
      ElementwiseToGeneric<EqualOp>, ElementwiseToGeneric<ErfOp>,
      ElementwiseToGeneric<ExpOp>, ElementwiseToGeneric<GeluOp>,
      ElementwiseToGeneric<HardSigmoidOp>, ElementwiseToGeneric<HardSwishOp>,
      ElementwiseToGeneric<LeakyReluOp>, ElementwiseToGeneric<LogOp>,
      ElementwiseToGeneric<MulOp>, ElementwiseToGeneric<NegOp>,
      ElementwiseToGeneric<PowOp>, ElementwiseToGeneric<ReciprocalOp>,
      ElementwiseToGeneric<ReluOp>, ElementwiseToGeneric<SigmoidOp>,
      ElementwiseToGeneric<SinOp>, ElementwiseToGeneric<SqrtOp>,
      ElementwiseToGeneric<SubOp>, ElementwiseToGeneric<TanhOp>,
      ElementwiseToGeneric<WhereOp>>(patterns.getContext());
}
