//===- QuantizeWeights.cpp - nb-quantize-weights --------------------------===//
//
// Weight-only quantization: the constant weight of a MatMul, Gemm or Conv
// becomes storage integers (i4 or i8) with a `!quant.uniform` type and an
// `nb.dequantize_linear` back to float in front of the op, which stays a
// float op. Scales are per output channel (`group-size=0`) or per group of
// `group-size` consecutive elements along the reduction axis:
//
//   MatMul  B [..., K, N]          groups along K (axis rank-2), channel N
//   Gemm    B [K, N] / [N, K]      groups along K: axis 0, or 1 with trans_b
//   Conv    W [M, C/g, k1, ...]    groups along the flattened C/g*k1*...:
//                                  stored as [M, C/g*k1*...], dequantized,
//                                  then nb.reshape back to W's shape
//
// Conv weights are grouped over their whole reduction (input channels and
// kernel window in C order, W.reshape(M, -1) as GPTQ and AWQ treat them)
// because the input-channel axis alone is often shorter than a group (the
// digits CNN's first conv has one input channel).
//
// A group size that does not divide the reduction axis is an error naming
// the node; with `pad-groups` the axis is padded with zeros to a multiple of
// the group size before quantizing (zeros never widen a group's range,
// which always includes 0), and an nb.slice drops the padding after the
// dequantize, so the last group of each row has fewer real elements.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Quantization/OpSelection.h"
#include "nibble/Quantization/WeightQuantization.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>

namespace mlir::nb {
#define GEN_PASS_DEF_QUANTIZEWEIGHTS
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::quantization;

namespace {

/// The pass options the patterns share, and whether any of them failed.
struct WeightScheme {
  unsigned bits;
  int64_t groupSize;
  bool symmetric;
  Type scaleType;
  bool padGroups;
  const OpSelection &selection;
  bool failed = false;
  /// Float weight constants that were replaced; erased after the walk when
  /// unused (the walk driver lets a pattern erase only the op it visits).
  llvm::SetVector<Operation *> replacedWeights;
};

/// Where a weight's output channels and reduction lie.
struct WeightAxes {
  int64_t channelAxis;
  int64_t reductionAxis;
  /// Conv: the reduction is every dim after the first, flattened for
  /// grouping.
  bool flattenReduction = false;
};

/// The subject of a diagnostic: `node 'name'` or the op name.
std::string describe(Operation *op) {
  StringRef name = getNodeName(op);
  if (!name.empty())
    return "node '" + name.str() + "'";
  return "'" + op->getName().getStringRef().str() + "'";
}

/// `value` rounded to the nearest f16, as a float.
float roundToHalf(float value) {
  APFloat half(value);
  bool losesInfo;
  half.convert(APFloat::IEEEhalf(), APFloat::rmNearestTiesToEven, &losesInfo);
  return half.convertToFloat();
}

/// Copies of `values` (shape `shape`) with `axis` padded with zeros to
/// `paddedSize` elements.
SmallVector<float> padAxis(ArrayRef<float> values, ArrayRef<int64_t> shape,
                           int64_t axis, int64_t paddedSize) {
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= shape[i];
  for (int64_t i = axis + 1, e = shape.size(); i < e; ++i)
    inner *= shape[i];
  int64_t size = shape[axis];
  SmallVector<float> padded(outer * paddedSize * inner, 0.0f);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < size; ++a)
      for (int64_t i = 0; i < inner; ++i)
        padded[(o * paddedSize + a) * inner + i] =
            values[(o * size + a) * inner + i];
  return padded;
}

/// A 1-D i64 constant: the shape, starts, ends and axes operands of the
/// reshape and slice that follow a padded or flattened weight.
Value createI64Vector(PatternRewriter &rewriter, Location loc,
                      ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    rewriter.getI64Type());
  return ConstantOp::create(rewriter, loc,
                            DenseIntElementsAttr::get(type, values));
}

/// Replaces operand `weightIndex` of `op` by its weight-only quantized
/// form. `axes` says where the weight's channels and reduction are; when the
/// op's weight has no such layout it is a failure and `axesError` the reason
/// the op stays float.
LogicalResult
quantizeWeightOperand(Operation *op, unsigned weightIndex,
                      FailureOr<WeightAxes> axes, StringRef axesError,
                      WeightScheme &scheme, PatternRewriter &rewriter) {
  if (!scheme.selection.isSelected(op) || op->hasAttr(kKeptFloatAttrName))
    return failure();
  Value weight = op->getOperand(weightIndex);
  // Weights that arrive quantized (a QDQ model) keep their parameters.
  if (weight.getDefiningOp<DequantizeLinearOp>())
    return failure();

  auto keepFloat = [&](const Twine &reason) -> LogicalResult {
    rewriter.startOpModification(op);
    if (failed(scheme.selection.keepFloat(op, reason.str())))
      scheme.failed = true;
    rewriter.finalizeOpModification(op);
    return success();
  };

  auto weightType = dyn_cast<RankedTensorType>(weight.getType());
  if (!weightType || !isa<FloatType>(weightType.getElementType()))
    return failure();
  FailureOr<SmallVector<float>> values = getConstantFloatValues(weight);
  if (failed(values))
    return keepFloat("its weight is not a constant");
  if (failed(axes))
    return keepFloat(axesError);

  // Conv weights are grouped over their flattened reduction: [M, R].
  SmallVector<int64_t> shape(weightType.getShape());
  int64_t channelAxis = axes->channelAxis;
  int64_t reductionAxis = axes->reductionAxis;
  bool flatten = axes->flattenReduction && scheme.groupSize > 0;
  if (flatten) {
    int64_t reduction = 1;
    for (int64_t d : ArrayRef<int64_t>(shape).drop_front())
      reduction *= d;
    shape = {shape.front(), reduction};
    channelAxis = 0;
    reductionAxis = 1;
  }

  // Groups that do not tile the reduction axis: refuse, or pad with zeros.
  int64_t reductionSize = shape[reductionAxis];
  SmallVector<int64_t> storedShape = shape;
  SmallVector<float> storedValues = std::move(*values);
  if (scheme.groupSize > 0 && reductionSize % scheme.groupSize != 0) {
    if (!scheme.padGroups) {
      op->emitError() << describe(op) << ": group-size " << scheme.groupSize
                      << " does not divide the reduction axis of its weight ("
                      << reductionSize
                      << " elements); choose a divisor or pass pad-groups=true";
      scheme.failed = true;
      return failure();
    }
    storedShape[reductionAxis] =
        llvm::divideCeil(reductionSize, scheme.groupSize) * scheme.groupSize;
    storedValues = padAxis(storedValues, shape, reductionAxis,
                           storedShape[reductionAxis]);
  }

  WeightQuantizationSpec spec;
  spec.bits = scheme.bits;
  spec.isSigned = true;
  spec.symmetric = scheme.symmetric;
  spec.axis = scheme.groupSize > 0 ? reductionAxis : channelAxis;
  spec.blockSize = scheme.groupSize;
  std::string error;
  FailureOr<QuantizedWeight> quantized =
      quantizeWeightRTN(storedValues, storedShape, spec, error);
  if (failed(quantized))
    return keepFloat(error);

  // f16 scales: the values are chosen with the scales the program will use,
  // so dequantization reproduces exactly what was rounded. A scale below
  // f16's smallest normal (a group of weights all under ~4e-4 at int4)
  // becomes that normal: the group is then quantized with a coarser step
  // than its range needs, an absolute error of at most 3e-5 per weight,
  // rather than to a zero or imprecise subnormal scale. (Real models have
  // such groups: 5 of PP-OCRv4 rec's convs at g128.) Only a scale too large
  // for f16 keeps the op float.
  if (scheme.scaleType.isF16()) {
    const float smallestNormal =
        APFloat::getSmallestNormalized(APFloat::IEEEhalf()).convertToFloat();
    SmallVector<float> halfScales;
    for (float scale : quantized->scales) {
      float half = std::max(roundToHalf(scale), smallestNormal);
      if (!std::isfinite(half))
        return keepFloat(llvm::formatv(
            "weight scale {0:e} is beyond the range of f16", scale));
      halfScales.push_back(half);
    }
    quantized = quantizeWeightWithParameters(
        storedValues, storedShape, spec, halfScales, quantized->zeroPoints,
        error);
    if (failed(quantized))
      return keepFloat(error);
  }

  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  Value dequantized = buildDequantizedWeight(
      rewriter, loc, *quantized, scheme.scaleType,
      weightType.getElementType());
  if (!dequantized) {
    scheme.failed = true;
    return failure();
  }
  Type elementType = weightType.getElementType();
  if (storedShape != shape) {
    SmallVector<int64_t> zeros(1, 0);
    dequantized = SliceOp::create(
        rewriter, loc, RankedTensorType::get(shape, elementType), dequantized,
        createI64Vector(rewriter, loc, zeros),
        createI64Vector(rewriter, loc, {reductionSize}),
        createI64Vector(rewriter, loc, {reductionAxis}), Value());
  }
  if (flatten)
    dequantized = ReshapeOp::create(
        rewriter, loc, weightType, dequantized,
        createI64Vector(rewriter, loc, weightType.getShape()));

  if (Operation *oldWeight = weight.getDefiningOp())
    scheme.replacedWeights.insert(oldWeight);
  rewriter.modifyOpInPlace(
      op, [&] { op->setOperand(weightIndex, dequantized); });
  return success();
}

/// MatMul's right operand [..., K, N]: channels along N, reduction along K.
struct QuantizeMatMulWeight : OpRewritePattern<MatMulOp> {
  QuantizeMatMulWeight(MLIRContext *context, WeightScheme &scheme)
      : OpRewritePattern(context), scheme(scheme) {}
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getRhs().getType());
    FailureOr<WeightAxes> axes = failure();
    if (type && type.getRank() >= 2)
      axes = WeightAxes{type.getRank() - 1, type.getRank() - 2};
    return quantizeWeightOperand(
        op, 1, axes, "its right operand is not a matrix (rank < 2)", scheme,
        rewriter);
  }
  WeightScheme &scheme;
};

/// Gemm's B: [K, N], or [N, K] with trans_b.
struct QuantizeGemmWeight : OpRewritePattern<GemmOp> {
  QuantizeGemmWeight(MLIRContext *context, WeightScheme &scheme)
      : OpRewritePattern(context), scheme(scheme) {}
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getB().getType());
    FailureOr<WeightAxes> axes = failure();
    if (type && type.getRank() == 2)
      axes = op.getTransB() ? WeightAxes{0, 1} : WeightAxes{1, 0};
    return quantizeWeightOperand(op, 1, axes, "its B operand is not 2-D",
                                 scheme, rewriter);
  }
  WeightScheme &scheme;
};

/// Conv's W [M, C/group, k1, ...]: channels along M, the reduction over
/// everything else (grouped flattened).
struct QuantizeConvWeight : OpRewritePattern<ConvOp> {
  QuantizeConvWeight(MLIRContext *context, WeightScheme &scheme)
      : OpRewritePattern(context), scheme(scheme) {}
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getWeight().getType());
    FailureOr<WeightAxes> axes = failure();
    if (type && type.getRank() >= 3)
      axes = WeightAxes{0, 1, /*flattenReduction=*/true};
    return quantizeWeightOperand(op, 1, axes,
                                 "its weight has rank < 3", scheme, rewriter);
  }
  WeightScheme &scheme;
};

struct QuantizeWeightsPass
    : public nb::impl::QuantizeWeightsBase<QuantizeWeightsPass> {
  using QuantizeWeightsBase::QuantizeWeightsBase;
  void runOnOperation() override;
};

} // namespace

void QuantizeWeightsPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  if (bits != 4 && bits != 8) {
    module.emitError() << "nb-quantize-weights: bits must be 4 or 8, got "
                       << static_cast<unsigned>(bits);
    return signalPassFailure();
  }
  if (groupSize < 0) {
    module.emitError() << "nb-quantize-weights: group-size must be >= 0, got "
                       << static_cast<int64_t>(groupSize);
    return signalPassFailure();
  }
  Type scaleElementType;
  if (scaleType == "f32")
    scaleElementType = Float32Type::get(context);
  else if (scaleType == "f16")
    scaleElementType = Float16Type::get(context);
  else {
    module.emitError() << "nb-quantize-weights: scale-type must be f32 or "
                          "f16, got '"
                       << scaleType << "'";
    return signalPassFailure();
  }
  std::string error;
  FailureOr<OpSelection> selection =
      OpSelection::create(excludeNodes, excludeOpTypes, strict, error,
                          {getWeightOnlyPrecisionName(bits, groupSize)});
  if (failed(selection)) {
    module.emitError() << "nb-quantize-weights: " << error;
    return signalPassFailure();
  }

  WeightScheme scheme{bits,     groupSize, symmetric, scaleElementType,
                      padGroups, *selection};
  RewritePatternSet patterns(context);
  patterns.add<QuantizeMatMulWeight, QuantizeGemmWeight, QuantizeConvWeight>(
      context, scheme);
  // One visit per op: a pattern leaves a note or an error at most once.
  walkAndApplyPatterns(module, std::move(patterns));
  for (Operation *weight : scheme.replacedWeights)
    if (weight->use_empty())
      weight->erase();
  if (scheme.failed)
    signalPassFailure();
}
