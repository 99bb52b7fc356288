//===- QuantizeDynamic.cpp - nb-quantize-dynamic --------------------------===//
//
// Dynamic W8A8, in the form onnxruntime.quantization.quantize_dynamic
// produces, so that both run the same integer arithmetic:
//
//   %xq, %xs, %xz = nb.dynamic_quantize_linear %x        // u8, scale, zp
//   %acc = nb.matmul_integer %xq, %wq, %xz               // i32 (conv_integer)
//   %f   = nb.cast %acc                                  // i32 -> f32
//   %s   = nb.mul %xs, %ws                               // x_scale * w_scale
//   %y   = nb.mul %f, %s  [+ bias]
//
// The weight %wq is folded at compile time (int8, symmetric, so its zero
// point 0 is left out). Per-channel scales are shaped to broadcast along the
// output channel of the result ([N] for matmul/gemm, [M, 1, ..., 1] for
// conv). The multiplication order matches ONNX Runtime's graph, which makes
// the results agree bit for bit when the weights round alike.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Quantization/OpSelection.h"
#include "nibble/Quantization/WeightQuantization.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::nb {
#define GEN_PASS_DEF_QUANTIZEDYNAMIC
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::quantization;

namespace {

/// What every pattern of the pass shares.
struct DynamicQuantizationState {
  const OpSelection &selection;
  bool perTensorWeights;
  /// Ops a `strict` error was emitted for: they stay as they are and are
  /// not reported twice; the pass fails at the end.
  llvm::DenseSet<Operation *> rejected;
};

/// A float weight read at compile time.
struct ConstantWeight {
  SmallVector<float> values;
  SmallVector<int64_t> shape;
};

bool isF32Tensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getElementType().isF32();
}

/// The values of a constant f32 weight of static shape, or a reason why
/// `weight` is not one.
FailureOr<ConstantWeight> readConstantWeight(Value weight,
                                             std::string &reason) {
  auto type = dyn_cast<RankedTensorType>(weight.getType());
  if (!type || !type.getElementType().isF32()) {
    reason = "weight is not an f32 tensor";
    return failure();
  }
  if (!type.hasStaticShape()) {
    reason = "weight shape is not static";
    return failure();
  }
  FailureOr<SmallVector<float>> values = getConstantFloatValues(weight);
  if (failed(values)) {
    reason = "weight is not a constant";
    return failure();
  }
  return ConstantWeight{std::move(*values), llvm::to_vector(type.getShape())};
}

/// Row-major transpose of a 2-D weight.
ConstantWeight transpose2D(const ConstantWeight &weight) {
  int64_t rows = weight.shape[0], cols = weight.shape[1];
  ConstantWeight result{SmallVector<float>(weight.values.size()),
                        {cols, rows}};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      result.values[c * rows + r] = weight.values[r * cols + c];
  return result;
}

Value createConstant(PatternRewriter &rewriter, Location loc,
                     DenseElementsAttr value) {
  return nb::ConstantOp::create(rewriter, loc, value).getResult();
}

Value createF32Constant(PatternRewriter &rewriter, Location loc,
                        ArrayRef<int64_t> shape, ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, rewriter.getF32Type());
  return createConstant(rewriter, loc, DenseElementsAttr::get(type, values));
}

/// The quantized weight values as an i8 constant of `weight.shape`.
Value createInt8Weight(PatternRewriter &rewriter, Location loc,
                       const QuantizedWeight &weight) {
  SmallVector<int8_t> narrowed(weight.values.begin(), weight.values.end());
  auto type = RankedTensorType::get(weight.shape, rewriter.getI8Type());
  return createConstant(rewriter, loc,
                        DenseElementsAttr::get(type, ArrayRef(narrowed)));
}

/// `type` with element type `elementType`.
RankedTensorType withElementType(Type type, Type elementType) {
  return cast<RankedTensorType>(type).clone(elementType);
}

/// Base of the three patterns: selection, diagnostics and the shared IR.
template <typename OpTy>
struct DynamicQuantizationPattern : OpRewritePattern<OpTy> {
  DynamicQuantizationPattern(MLIRContext *context,
                             DynamicQuantizationState &state)
      : OpRewritePattern<OpTy>(context), state(state) {}

  /// Whether the pattern should look at `op` at all.
  bool isCandidate(OpTy op) const {
    return !state.rejected.contains(op) && !op->hasAttr(kKeptFloatAttrName) &&
           state.selection.isSelected(op);
  }

  /// Leaves `op` in float with `reason` (a remark and nb.kept_float), or,
  /// under `strict`, reports the error and makes the pass fail.
  LogicalResult keepFloat(PatternRewriter &rewriter, OpTy op,
                          const Twine &reason) const {
    std::string text = reason.str();
    LogicalResult kept = success();
    rewriter.modifyOpInPlace(op,
                             [&] { kept = state.selection.keepFloat(op, text); });
    if (failed(kept))
      state.rejected.insert(op);
    // Success tells the driver the op changed (it carries nb.kept_float).
    return kept;
  }

  /// Int8 symmetric RTN values of a weight whose output channel is `axis`.
  FailureOr<QuantizedWeight> quantize(const ConstantWeight &weight,
                                      int64_t axis,
                                      std::string &error) const {
    WeightQuantizationSpec spec;
    spec.bits = 8;
    spec.isSigned = true;
    spec.symmetric = true;
    spec.axis = state.perTensorWeights ? -1 : axis;
    return quantizeWeightRTN(weight.values, weight.shape, spec, error);
  }

  /// x_scale * w_scale, with w_scale shaped `scaleShape` for per-channel
  /// weights (one scalar otherwise).
  Value combinedScale(PatternRewriter &rewriter, Location loc, Value xScale,
                      const QuantizedWeight &weight,
                      ArrayRef<int64_t> perChannelShape,
                      float extraFactor = 1.0f) const {
    SmallVector<float> scales(weight.scales);
    // Folding Gemm's alpha into the weight scale costs one rounding, where
    // a separate multiplication at run time would cost one too.
    if (extraFactor != 1.0f)
      for (float &scale : scales)
        scale *= extraFactor;
    SmallVector<int64_t> shape;
    if (scales.size() != 1)
      shape.assign(perChannelShape.begin(), perChannelShape.end());
    Value wScale = createF32Constant(rewriter, loc, shape, scales);
    auto type = RankedTensorType::get(shape, rewriter.getF32Type());
    return nb::MulOp::create(rewriter, loc, type, xScale, wScale);
  }

  /// float(accumulator) * scale, in the result type of the float op.
  Value rescale(PatternRewriter &rewriter, Location loc, Value accumulator,
                Value scale, Type resultType) const {
    Value asFloat = nb::CastOp::create(
        rewriter, loc, withElementType(resultType, rewriter.getF32Type()),
        accumulator, rewriter.getBoolAttr(true));
    return nb::MulOp::create(rewriter, loc, resultType, asFloat, scale);
  }

  /// DynamicQuantizeLinear of `x`: (u8 data, f32 scale, u8 zero point).
  nb::DynamicQuantizeLinearOp quantizeActivation(PatternRewriter &rewriter,
                                                 Location loc, Value x) const {
    auto u8 = IntegerType::get(rewriter.getContext(), 8,
                               IntegerType::Unsigned);
    return nb::DynamicQuantizeLinearOp::create(
        rewriter, loc, withElementType(x.getType(), u8),
        RankedTensorType::get({}, rewriter.getF32Type()),
        RankedTensorType::get({}, u8), x);
  }

  DynamicQuantizationState &state;
};

/// MatMul with a constant 2-D weight [K, N]; channel axis 1.
struct QuantizeDynamicMatMul : DynamicQuantizationPattern<nb::MatMulOp> {
  using DynamicQuantizationPattern::DynamicQuantizationPattern;

  LogicalResult matchAndRewrite(nb::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isCandidate(op))
      return failure();
    if (!isF32Tensor(op.getLhs()) || !isF32Tensor(op.getOutput()))
      return keepFloat(rewriter, op, "activation is not an f32 tensor");
    std::string reason;
    FailureOr<ConstantWeight> weight = readConstantWeight(op.getRhs(), reason);
    if (failed(weight))
      return keepFloat(rewriter, op, reason);
    if (weight->shape.size() != 2)
      return keepFloat(rewriter, op, "weight is not 2-D");
    FailureOr<QuantizedWeight> quantized = quantize(*weight, 1, reason);
    if (failed(quantized))
      return keepFloat(rewriter, op, reason);

    Location loc = op.getLoc();
    Type resultType = op.getOutput().getType();
    auto x = quantizeActivation(rewriter, loc, op.getLhs());
    Value wq = createInt8Weight(rewriter, loc, *quantized);
    Value accumulator = nb::MatMulIntegerOp::create(
        rewriter, loc, withElementType(resultType, rewriter.getI32Type()),
        x.getOutput(), wq, x.getZeroPoint(), /*rhs_zero_point=*/Value());
    Value scale = combinedScale(rewriter, loc, x.getScale(), *quantized,
                                {weight->shape[1]});
    rewriter.replaceOp(op, rescale(rewriter, loc, accumulator, scale,
                                   resultType));
    return success();
  }
};

/// Gemm with a constant B: alpha * op(A) op(B) + beta * C. op(B) is formed
/// at compile time, op(A) by a transpose of the float activation (exact,
/// and DynamicQuantizeLinear does not depend on the layout).
struct QuantizeDynamicGemm : DynamicQuantizationPattern<nb::GemmOp> {
  using DynamicQuantizationPattern::DynamicQuantizationPattern;

  LogicalResult matchAndRewrite(nb::GemmOp op,
                                PatternRewriter &rewriter) const override {
    if (!isCandidate(op))
      return failure();
    if (!isF32Tensor(op.getA()) || !isF32Tensor(op.getOutput()))
      return keepFloat(rewriter, op, "activation is not an f32 tensor");
    if (op.getC() && !isF32Tensor(op.getC()))
      return keepFloat(rewriter, op, "C is not an f32 tensor");
    std::string reason;
    FailureOr<ConstantWeight> weight = readConstantWeight(op.getB(), reason);
    if (failed(weight))
      return keepFloat(rewriter, op, reason);
    if (weight->shape.size() != 2)
      return keepFloat(rewriter, op, "weight is not 2-D");
    ConstantWeight kByN = op.getTransB() ? transpose2D(*weight) : *weight;
    FailureOr<QuantizedWeight> quantized = quantize(kByN, 1, reason);
    if (failed(quantized))
      return keepFloat(rewriter, op, reason);

    Location loc = op.getLoc();
    Type resultType = op.getOutput().getType();
    Value a = op.getA();
    if (op.getTransA()) {
      auto aType = cast<RankedTensorType>(a.getType());
      auto transposedType = RankedTensorType::get(
          {aType.getDimSize(1), aType.getDimSize(0)}, aType.getElementType());
      a = nb::TransposeOp::create(rewriter, loc, transposedType, a,
                                  rewriter.getDenseI64ArrayAttr({1, 0}));
    }
    auto x = quantizeActivation(rewriter, loc, a);
    Value wq = createInt8Weight(rewriter, loc, *quantized);
    Value accumulator = nb::MatMulIntegerOp::create(
        rewriter, loc, withElementType(resultType, rewriter.getI32Type()),
        x.getOutput(), wq, x.getZeroPoint(), /*rhs_zero_point=*/Value());
    Value scale =
        combinedScale(rewriter, loc, x.getScale(), *quantized,
                      {kByN.shape[1]}, op.getAlpha().convertToFloat());
    Value result = rescale(rewriter, loc, accumulator, scale, resultType);
    if (Value c = op.getC())
      result = nb::AddOp::create(rewriter, loc, resultType, result,
                                 scaledBias(rewriter, loc, c, op.getBeta()));
    rewriter.replaceOp(op, result);
    return success();
  }

  /// beta * C, folded when C is a constant.
  static Value scaledBias(PatternRewriter &rewriter, Location loc, Value c,
                          APFloat betaValue) {
    float beta = betaValue.convertToFloat();
    if (beta == 1.0f)
      return c;
    auto type = cast<RankedTensorType>(c.getType());
    FailureOr<SmallVector<float>> values = getConstantFloatValues(c);
    if (succeeded(values) && type.hasStaticShape()) {
      for (float &value : *values)
        value *= beta;
      return createF32Constant(rewriter, loc, type.getShape(), *values);
    }
    Value betaConstant = createF32Constant(rewriter, loc, {}, {beta});
    return nb::MulOp::create(rewriter, loc, type, c, betaConstant);
  }
};

/// Conv with a constant weight [M, C/group, k...]; channel axis 0. Scales
/// and bias are shaped [M, 1, ..., 1] to broadcast over the spatial dims.
struct QuantizeDynamicConv : DynamicQuantizationPattern<nb::ConvOp> {
  using DynamicQuantizationPattern::DynamicQuantizationPattern;

  LogicalResult matchAndRewrite(nb::ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!isCandidate(op))
      return failure();
    if (!isF32Tensor(op.getInput()) || !isF32Tensor(op.getOutput()))
      return keepFloat(rewriter, op, "activation is not an f32 tensor");
    if (op.getBias() && !isF32Tensor(op.getBias()))
      return keepFloat(rewriter, op, "bias is not an f32 tensor");
    std::string reason;
    FailureOr<ConstantWeight> weight =
        readConstantWeight(op.getWeight(), reason);
    if (failed(weight))
      return keepFloat(rewriter, op, reason);
    if (weight->shape.size() < 3)
      return keepFloat(rewriter, op, "weight has fewer than 3 dimensions");
    FailureOr<QuantizedWeight> quantized = quantize(*weight, 0, reason);
    if (failed(quantized))
      return keepFloat(rewriter, op, reason);

    Location loc = op.getLoc();
    Type resultType = op.getOutput().getType();
    auto x = quantizeActivation(rewriter, loc, op.getInput());
    Value wq = createInt8Weight(rewriter, loc, *quantized);
    Value accumulator = nb::ConvIntegerOp::create(
        rewriter, loc, withElementType(resultType, rewriter.getI32Type()),
        x.getOutput(), wq, x.getZeroPoint(), /*weight_zero_point=*/Value(),
        op.getStridesAttr(), op.getPadsAttr(), op.getDilationsAttr(),
        op.getGroupAttr(), op.getAutoPadAttr());
    SmallVector<int64_t> channelShape(weight->shape.size() - 1, 1);
    channelShape[0] = weight->shape[0];
    Value scale = combinedScale(rewriter, loc, x.getScale(), *quantized,
                                channelShape);
    Value result = rescale(rewriter, loc, accumulator, scale, resultType);
    if (Value bias = op.getBias())
      result = nb::AddOp::create(rewriter, loc, resultType, result,
                                 reshapeBias(rewriter, loc, bias,
                                             channelShape));
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The [M] bias as [M, 1, ..., 1]: a new constant when it is one, else a
  /// reshape.
  static Value reshapeBias(PatternRewriter &rewriter, Location loc,
                           Value bias, ArrayRef<int64_t> channelShape) {
    auto type = RankedTensorType::get(channelShape, rewriter.getF32Type());
    FailureOr<SmallVector<float>> values = getConstantFloatValues(bias);
    if (succeeded(values) &&
        static_cast<int64_t>(values->size()) == channelShape[0])
      return createF32Constant(rewriter, loc, channelShape, *values);
    auto shapeType = RankedTensorType::get(
        {static_cast<int64_t>(channelShape.size())}, rewriter.getI64Type());
    Value shape = createConstant(
        rewriter, loc, DenseElementsAttr::get(shapeType, channelShape));
    return nb::ReshapeOp::create(rewriter, loc, type, bias, shape,
                                 rewriter.getBoolAttr(false));
  }
};

struct QuantizeDynamicPass
    : public nb::impl::QuantizeDynamicBase<QuantizeDynamicPass> {
  using QuantizeDynamicBase::QuantizeDynamicBase;

  void runOnOperation() override {
    std::string error;
    FailureOr<OpSelection> selection = OpSelection::create(
        excludeNodes, excludeOpTypes, strict, error, {"int8-dynamic"});
    if (failed(selection)) {
      getOperation()->emitError("nb-quantize-dynamic: ") << error;
      return signalPassFailure();
    }
    DynamicQuantizationState state{*selection, perTensorWeights};
    RewritePatternSet patterns(&getContext());
    patterns.add<QuantizeDynamicMatMul, QuantizeDynamicGemm,
                 QuantizeDynamicConv>(&getContext(), state);
    // Only the matched ops change: no folding or constant hoisting of the
    // rest of the program.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)) ||
        !state.rejected.empty())
      return signalPassFailure();
  }
};

} // namespace
