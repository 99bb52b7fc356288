//===- QuantizedOpsToLinalg.cpp - quant-typed nb ops to integer linalg ----===//
//
// The quant-typed forms of nb ops (docs/quantization.md, stages 2 and 3):
// - data movement with one scale (Reshape, Transpose, Flatten, Squeeze,
//   Unsqueeze, Slice, Gather, Split, Concat, MaxPool) moves storage integers:
//   their generic patterns lower them once tensor types are converted to
//   storage, which is only right when every quant-typed value of the op has
//   the same per-tensor parameters, checked here before conversion;
// - quantize_linear / dequantize_linear lower as their ONNX forms
//   (QuantizationToLinalg.cpp);
// - Conv, MatMul and Gemm on quant types are integer arithmetic: zero points
//   subtracted, int32 accumulation (plus the int32 bias, whose scale is
//   input_scale * weight_scale), then requantization into the result's
//   scale, by float multiplier (bit-exact with ONNX QLinearConv and
//   QLinearMatMul) or by int32 multiplier and shift (`requantize=fixed-point`);
// - everything else with quant types would silently compute on storage
//   integers as if they were values, so it is refused, naming the op.
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/IR/TypeUtilities.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBQuantUtils.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

quant::QuantizedType getQuantElementType(Value value) {
  return dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(value.getType()));
}

bool hasQuantTypes(Operation *op) {
  auto isQuant = [](Value value) {
    return static_cast<bool>(getQuantElementType(value));
  };
  return llvm::any_of(op->getOperands(), isQuant) ||
         llvm::any_of(op->getResults(), isQuant);
}

/// Same-scale ops move storage integers: their data operands and results
/// must all carry one per-tensor quant type.
LogicalResult checkSameScaleOp(Operation *op, ValueRange dataOperands) {
  SmallVector<Value> values(dataOperands);
  llvm::append_range(values, op->getResults());
  quant::QuantizedType first;
  for (Value value : values) {
    quant::QuantizedType type = getQuantElementType(value);
    if (!type)
      return op->emitOpError("mixes quant-typed and ")
             << value.getType()
             << " values; a same-scale op moves one quant type unchanged";
    if (!isa<quant::UniformQuantizedType>(type))
      return op->emitOpError("has the per-axis or blocked quant type ")
             << type
             << "; data movement lowers per-tensor quant types only";
    if (!first)
      first = type;
    else if (!quantTypesMatch(first, type))
      return op->emitOpError("moves data between different quant types ")
             << first << " and " << type
             << "; a requantization (quantize_linear of dequantize_linear) "
                "must sit between them";
  }
  return success();
}

/// Quantize/dequantize: only the quantized side may be quant-typed.
LogicalResult checkQDQ(Operation *op, Value quantizedSide) {
  for (Value value : llvm::concat<Value>(op->getOperands(), op->getResults()))
    if (value != quantizedSide && getQuantElementType(value))
      return op->emitOpError("has a quant-typed ")
             << (value == op->getResult(0) ? "result" : "operand")
             << " on its float or parameter side";
  return success();
}

/// The parameters of a quant-typed Conv, MatMul or Gemm, read from its
/// types: per-tensor 8-bit input and result, 8-bit weight per tensor or per
/// output channel, optional int32 bias with scale input_scale *
/// weight_scale and zero point 0, all with f32 scales.
struct QuantizedContraction {
  quant::UniformQuantizedType input, output;
  SmallVector<double> weightScales;
  SmallVector<int64_t> weightZeroPoints;
  int64_t weightChannelDim = 0;
};

FailureOr<QuantizedContraction> analyzeContraction(Operation *op,
                                                   std::string &reason) {
  QuantizedContraction result;
  auto fail = [&](StringRef why) {
    reason = why.str();
    return failure();
  };
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getAlpha().convertToDouble() != 1.0 ||
        gemm.getBeta().convertToDouble() != 1.0 || gemm.getTransA())
      return fail("a quantized gemm needs alpha = beta = 1 and no trans_a");
    result.weightChannelDim = gemm.getTransB() ? 0 : 1;
  } else if (isa<MatMulOp>(op)) {
    auto rhs = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
    if (!rhs || rhs.getRank() != 2)
      return fail("a quantized matmul needs a 2-D weight");
    result.weightChannelDim = 1;
  }
  auto isActivation = [](quant::QuantizedType type) {
    auto uniform = dyn_cast_if_present<quant::UniformQuantizedType>(type);
    return uniform && uniform.getStorageTypeIntegralWidth() == 8 &&
           uniform.getExpressedType().isF32();
  };
  quant::QuantizedType input = getQuantElementType(op->getOperand(0));
  quant::QuantizedType output = getQuantElementType(op->getResult(0));
  if (!isActivation(input) || !isActivation(output))
    return fail("input and result must be per-tensor 8-bit quant types with "
                "f32 scales");
  result.input = cast<quant::UniformQuantizedType>(input);
  result.output = cast<quant::UniformQuantizedType>(output);
  quant::QuantizedType weight = getQuantElementType(op->getOperand(1));
  if (!weight || weight.getStorageTypeIntegralWidth() != 8 ||
      !weight.getExpressedType().isF32())
    return fail("weight must be an 8-bit quant type with f32 scales");
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(weight)) {
    result.weightScales.push_back(perTensor.getScale());
    result.weightZeroPoints.push_back(perTensor.getZeroPoint());
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(weight)) {
    if (perAxis.getQuantizedDimension() != result.weightChannelDim)
      return fail("per-axis weight scales must follow the output channels");
    llvm::append_range(result.weightScales, perAxis.getScales());
    llvm::append_range(result.weightZeroPoints, perAxis.getZeroPoints());
  } else {
    return fail("weight must be per-tensor or per output channel");
  }
  if (op->getNumOperands() > 2) {
    quant::QuantizedType bias = getQuantElementType(op->getOperand(2));
    if (!bias || bias.getStorageTypeIntegralWidth() != 32 || !bias.isSigned())
      return fail("bias must be an int32 quant type");
    SmallVector<double> scales;
    SmallVector<int64_t> zeroPoints;
    if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(bias)) {
      scales.push_back(perTensor.getScale());
      zeroPoints.push_back(perTensor.getZeroPoint());
    } else if (auto perAxis =
                   dyn_cast<quant::UniformQuantizedPerAxisType>(bias)) {
      llvm::append_range(scales, perAxis.getScales());
      llvm::append_range(zeroPoints, perAxis.getZeroPoints());
    }
    auto biasType = dyn_cast<RankedTensorType>(op->getOperand(2).getType());
    if (scales.empty() || !biasType || biasType.getRank() != 1)
      return fail("bias must be a 1-D per-tensor or per-axis quant tensor");
    size_t channels = std::max(scales.size(), result.weightScales.size());
    for (size_t c = 0; c < channels; ++c) {
      double expected = result.input.getScale() *
                        result.weightScales[result.weightScales.size() == 1
                                                ? 0
                                                : c];
      double scale = scales[scales.size() == 1 ? 0 : c];
      if (zeroPoints[zeroPoints.size() == 1 ? 0 : c] != 0 ||
          std::fabs(scale - expected) > 1e-6 * expected)
        return fail("bias scale must be input_scale * weight_scale with zero "
                    "point 0");
    }
  }
  return result;
}

LogicalResult checkQuantTypedOp(Operation *op) {
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case<QuantizeLinearOp>([](QuantizeLinearOp q) {
        return checkQDQ(q, q.getOutput());
      })
      .Case<DequantizeLinearOp>([](DequantizeLinearOp dq) {
        return checkQDQ(dq, dq.getInput());
      })
      .Case<ConcatOp>([](ConcatOp concat) {
        return checkSameScaleOp(concat, concat.getInputs());
      })
      .Case<ReshapeOp, TransposeOp, FlattenOp, SqueezeOp, UnsqueezeOp, SliceOp,
            GatherOp, SplitOp, MaxPoolOp>([](Operation *sameScale) {
        return checkSameScaleOp(sameScale, sameScale->getOperand(0));
      })
      .Case<ConvOp, MatMulOp, GemmOp>([](Operation *contraction) -> LogicalResult {
        std::string reason;
        if (failed(analyzeContraction(contraction, reason)))
          return contraction->emitOpError("has no integer lowering: ")
                 << reason;
        return success();
      })
      .Default([](Operation *other) {
        return other->emitOpError(
            "has quant-typed operands or results but no integer lowering; "
            "keep it in q/dq form (dequantize_linear -> float op -> "
            "quantize_linear)");
      });
}

/// A constant tensor of `values` (one: a rank-0 tensor) of signless
/// `element`, wrapping each value to the element's width.
Value createParameterConstant(OpBuilder &b, Location loc, Type element,
                              ArrayRef<int64_t> values) {
  auto type = values.size() == 1
                  ? RankedTensorType::get({}, element)
                  : RankedTensorType::get({int64_t(values.size())}, element);
  SmallVector<APInt> ints;
  for (int64_t value : values)
    ints.push_back(APInt(element.getIntOrFloatBitWidth(), value,
                         /*isSigned=*/true, /*implicitTrunc=*/true));
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, ints));
}

Value createParameterConstant(OpBuilder &b, Location loc,
                              ArrayRef<double> values) {
  Type f64 = b.getF64Type();
  auto type = values.size() == 1
                  ? RankedTensorType::get({}, f64)
                  : RankedTensorType::get({int64_t(values.size())}, f64);
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

/// The weight zero points as a constant (per channel or one), or null when
/// all are 0 (nothing to subtract).
Value createWeightZeroPoint(OpBuilder &b, Location loc,
                            const QuantizedContraction &q) {
  if (llvm::all_of(q.weightZeroPoints, [](int64_t z) { return z == 0; }))
    return Value();
  return createParameterConstant(b, loc, b.getI8Type(), q.weightZeroPoints);
}

Value createInputZeroPoint(OpBuilder &b, Location loc,
                           const QuantizedContraction &q) {
  if (q.input.getZeroPoint() == 0)
    return Value();
  return createParameterConstant(b, loc, b.getI8Type(),
                                 {q.input.getZeroPoint()});
}

/// The requantization multiplier of channel `c` as ONNX QLinearConv and
/// QLinearMatMul form it: (x_scale * w_scale) / y_scale in f32.
float getMultiplier(const QuantizedContraction &q, size_t c) {
  float product = static_cast<float>(q.input.getScale()) *
                  static_cast<float>(q.weightScales[c]);
  return product / static_cast<float>(q.output.getScale());
}

/// Requantizes the int32 accumulator `acc` (output channels along
/// `channelDim`) into the result's storage.
///
/// Float: saturate(round_half_even(double(acc) * double(m) + y_zp)), m the
/// f32 multiplier above: the ONNX reference's arithmetic, bit for bit.
///
/// Fixed point (gemmlowp style): m = M0 * 2^-n with M0 an int32 in
/// [2^30, 2^31) and n in [1, 62]; the exact 64-bit product acc * M0 is
/// shifted right by n rounding half to even (not gemmlowp's half away from
/// zero, so that ties agree with the float path), then y_zp is added and the
/// sum saturated. Only M0's 31 bits of precision separate it from the float
/// path: results differ from it by at most 1.
FailureOr<Value> buildRequantization(ConversionPatternRewriter &rewriter,
                                     Operation *op, Value acc,
                                     unsigned channelDim,
                                     const QuantizedContraction &q,
                                     RequantizeMode mode) {
  Location loc = op->getLoc();
  auto accType = cast<RankedTensorType>(acc.getType());
  int64_t rank = accType.getRank();
  auto storage = cast<IntegerType>(getStorageType(q.output));
  auto resultType = accType.clone(
      IntegerType::get(rewriter.getContext(), storage.getWidth()));
  size_t channels = q.weightScales.size();
  MLIRContext *ctx = rewriter.getContext();
  AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
  AffineMap channelMap =
      channels == 1 ? AffineMap::get(rank, 0, {}, ctx)
                    : AffineMap::get(rank, 0, getAffineDimExpr(channelDim, ctx),
                                     ctx);
  SmallVector<Value> inputs{acc};
  SmallVector<AffineMap> maps{identity};
  SmallVector<double> multipliers;
  SmallVector<int64_t> fixedMultipliers, shifts;
  for (size_t c = 0; c < channels; ++c) {
    double multiplier = getMultiplier(q, c);
    multipliers.push_back(multiplier);
    int exponent = 0;
    double fraction = std::frexp(multiplier, &exponent);
    int64_t fixed = std::llround(std::ldexp(fraction, 31));
    if (fixed == (int64_t(1) << 31)) {
      fixed >>= 1;
      ++exponent;
    }
    int64_t shift = 31 - exponent;
    if (mode == RequantizeMode::FixedPoint && (shift < 1 || shift > 62))
      return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
        diag << "requantization multiplier " << multiplier
             << " is outside the fixed-point range [2^-31, 2^30)";
      });
    fixedMultipliers.push_back(fixed);
    shifts.push_back(shift);
  }
  if (mode == RequantizeMode::Float) {
    inputs.push_back(createParameterConstant(rewriter, loc, multipliers));
    maps.push_back(channelMap);
  } else {
    Type i64 = rewriter.getI64Type();
    inputs.push_back(createParameterConstant(rewriter, loc, i64,
                                             fixedMultipliers));
    inputs.push_back(createParameterConstant(rewriter, loc, i64, shifts));
    maps.append(2, channelMap);
  }
  maps.push_back(identity);
  FailureOr<Value> init = createEmptyTensor(rewriter, loc, resultType, acc);
  if (failed(init))
    return rewriter.notifyMatchFailure(op, "a dynamic dim has no source");
  int64_t zeroPoint = q.output.getZeroPoint();
  auto [qmin, qmax] = getIntegerRange(storage);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             rewriter, loc, resultType, inputs, *init, maps, iterators,
             [&](OpBuilder &b, Location l, ValueRange args) {
               if (mode == RequantizeMode::Float) {
                 Type f64 = b.getF64Type();
                 Value scaled = arith::MulFOp::create(
                     b, l, arith::SIToFPOp::create(b, l, f64, args[0]),
                     args[1]);
                 Value shifted = arith::AddFOp::create(
                     b, l, scaled,
                     createScalarConstant(b, l, f64, double(zeroPoint)));
                 linalg::YieldOp::create(
                     b, l, roundAndSaturate(b, l, shifted, storage));
                 return;
               }
               Type i64 = b.getI64Type();
               auto constant = [&](int64_t v) -> Value {
                 return arith::ConstantIntOp::create(b, l, i64, v);
               };
               Value product = arith::MulIOp::create(
                   b, l, arith::ExtSIOp::create(b, l, i64, args[0]), args[1]);
               Value shift = args[2];
               Value quotient = arith::ShRSIOp::create(b, l, product, shift);
               Value remainder = arith::SubIOp::create(
                   b, l, product, arith::ShLIOp::create(b, l, quotient, shift));
               Value half = arith::ShLIOp::create(
                   b, l, constant(1),
                   arith::SubIOp::create(b, l, shift, constant(1)));
               Value above = arith::CmpIOp::create(
                   b, l, arith::CmpIPredicate::sgt, remainder, half);
               Value tie = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                 remainder, half);
               Value odd = arith::TruncIOp::create(b, l, b.getI1Type(),
                                                   quotient);
               Value roundUp = arith::OrIOp::create(
                   b, l, above, arith::AndIOp::create(b, l, tie, odd));
               Value rounded = arith::AddIOp::create(
                   b, l, quotient,
                   arith::ExtUIOp::create(b, l, i64, roundUp));
               Value shifted =
                   arith::AddIOp::create(b, l, rounded, constant(zeroPoint));
               Value clamped = arith::MinSIOp::create(
                   b, l, arith::MaxSIOp::create(b, l, shifted, constant(qmin)),
                   constant(qmax));
               linalg::YieldOp::create(
                   b, l,
                   arith::TruncIOp::create(
                       b, l, b.getIntegerType(storage.getWidth()), clamped)
                       .getResult());
             })
      .getResult(0);
}

/// `acc` plus the int32 `bias` broadcast along `dim` (a one-element bias to
/// every element).
Value addBias(OpBuilder &b, Location loc, Value acc, Value bias, unsigned dim) {
  auto type = cast<RankedTensorType>(acc.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  auto biasType = cast<RankedTensorType>(bias.getType());
  AffineMap biasMap =
      biasType.getDimSize(0) == 1 && type.getDimSize(dim) != 1
          ? AffineMap::get(rank, 0, getAffineConstantExpr(0, ctx), ctx)
          : AffineMap::get(rank, 0, getAffineDimExpr(dim, ctx), ctx);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, type, bias, acc,
             ArrayRef<AffineMap>{biasMap, b.getMultiDimIdentityMap(rank)},
             iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l, arith::AddIOp::create(nb, l, args[1], args[0])
                              .getResult());
             })
      .getResult(0);
}

/// Base of the quantized contraction patterns: matches only quant-typed
/// forms (the float patterns refuse them) and reads their parameters.
template <typename OpTy>
struct QuantizedContractionPattern : OpConversionPattern<OpTy> {
  QuantizedContractionPattern(MLIRContext *context, RequantizeMode mode)
      : OpConversionPattern<OpTy>(context, /*benefit=*/2), mode(mode) {}

  FailureOr<QuantizedContraction>
  analyze(OpTy op, ConversionPatternRewriter &rewriter) const {
    if (!hasQuantElementTypes(op))
      return rewriter.notifyMatchFailure(op, "not quant-typed");
    std::string reason;
    FailureOr<QuantizedContraction> q = analyzeContraction(op, reason);
    if (failed(q))
      return rewriter.notifyMatchFailure(op, reason);
    return q;
  }

  FailureOr<SmallVector<Value>>
  getStorage(OpTy op, ValueRange operands,
             ConversionPatternRewriter &rewriter) const {
    SmallVector<Value> result;
    for (Value operand : operands) {
      FailureOr<Value> signless = getSignlessTensor(rewriter, op, operand);
      if (failed(signless))
        return failure();
      result.push_back(*signless);
    }
    return result;
  }

  RequantizeMode mode;
};

struct QuantizedConvToLinalg : QuantizedContractionPattern<ConvOp> {
  using QuantizedContractionPattern::QuantizedContractionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<QuantizedContraction> q = analyze(op, rewriter);
    if (failed(q))
      return failure();
    FailureOr<SmallVector<Value>> v =
        getStorage(op, adaptor.getOperands(), rewriter);
    if (failed(v))
      return failure();
    Location loc = op.getLoc();
    FailureOr<Value> acc = buildQuantizedConvAccumulator(
        rewriter, op, (*v)[0], (*v)[1], createInputZeroPoint(rewriter, loc, *q),
        createWeightZeroPoint(rewriter, loc, *q),
        v->size() > 2 ? (*v)[2] : Value());
    if (failed(acc))
      return failure();
    FailureOr<Value> result =
        buildRequantization(rewriter, op, *acc, /*channelDim=*/1, *q, mode);
    if (failed(result))
      return failure();
    FailureOr<RankedTensorType> resultType =
        getSignlessResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Value value = *result;
    if (value.getType() != *resultType)
      value = tensor::CastOp::create(rewriter, loc, *resultType, value);
    rewriter.replaceOp(op, value);
    return success();
  }
};

/// MatMul (2-D weight, per column) and Gemm (bias along columns).
template <typename OpTy>
struct QuantizedMatmulToLinalg : QuantizedContractionPattern<OpTy> {
  using QuantizedContractionPattern<OpTy>::QuantizedContractionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<QuantizedContraction> q = this->analyze(op, rewriter);
    if (failed(q))
      return failure();
    FailureOr<SmallVector<Value>> v =
        this->getStorage(op, adaptor.getOperands(), rewriter);
    if (failed(v))
      return failure();
    FailureOr<RankedTensorType> resultType =
        getSignlessResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Location loc = op.getLoc();
    Value weight = (*v)[1];
    if (q->weightChannelDim == 0) {
      // Gemm's trans_b: the weight is N x K; the product reads K x N.
      auto type = cast<RankedTensorType>(weight.getType());
      Value init = tensor::EmptyOp::create(
          rewriter, loc, {type.getDimSize(1), type.getDimSize(0)},
          type.getElementType());
      weight = linalg::TransposeOp::create(rewriter, loc, weight, init,
                                           ArrayRef<int64_t>{1, 0})
                   .getResult()[0];
    }
    auto accType = resultType->clone(rewriter.getI32Type());
    FailureOr<Value> acc = buildQuantizedMatmulAccumulator(
        rewriter, op, (*v)[0], weight, createInputZeroPoint(rewriter, loc, *q),
        createWeightZeroPoint(rewriter, loc, *q), op->getOperand(0),
        op->getOperand(1), accType);
    if (failed(acc))
      return failure();
    unsigned channelDim = accType.getRank() - 1;
    if (v->size() > 2)
      *acc = addBias(rewriter, loc, *acc, (*v)[2], channelDim);
    FailureOr<Value> result =
        buildRequantization(rewriter, op, *acc, channelDim, *q, this->mode);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void mlir::nb::populateQuantizedOpsToLinalgPatterns(
    RewritePatternSet &patterns, RequantizeMode requantize) {
  patterns.add<QuantizedConvToLinalg, QuantizedMatmulToLinalg<MatMulOp>,
               QuantizedMatmulToLinalg<GemmOp>>(patterns.getContext(),
                                                requantize);
}

LogicalResult mlir::nb::checkQuantizedOpsLowerable(Operation *root) {
  bool failed = false;
  root->walk([&](Operation *op) {
    if (isa<NBDialect>(op->getDialect()) && hasQuantTypes(op))
      failed |= mlir::failed(checkQuantTypedOp(op));
  });
  return failure(failed);
}
