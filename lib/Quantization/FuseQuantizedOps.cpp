//===- FuseQuantizedOps.cpp - nb-fuse-quantized-ops -----------------------===//
//
// Stage 2 of quantization (docs/quantization.md): chains of the lifted q/dq
// form become nb ops on `!quant.uniform` types, StableHLO style.
//
//   dq(x) -> conv/matmul/gemm(dq(w), dq(b)) -> q   ==>  op(x, w, b) : quant
//   dq(x) -> same-scale op -> q                    ==>  op(x) : quant
//
// Every pattern is rooted at the `nb.quantize_linear` that ends the chain, so
// the fused op takes over its result and its type. Only quant-typed Q/DQ ops
// take part: parameters that are not constants were never lifted to types
// and their chains stay in q/dq form, which runs as it is.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBQuantUtils.h"

#include <cmath>

namespace mlir::nb {
#define GEN_PASS_DEF_FUSEQUANTIZEDOPS
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace mlir::nb;

namespace {

quant::QuantizedType getQuantType(Value value) {
  return dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(value.getType()));
}

/// A per-tensor 8-bit quant type with f32 scales: what activations of an
/// integer conv/matmul/gemm must have.
quant::UniformQuantizedType getActivationType(Value value) {
  auto type = dyn_cast_if_present<quant::UniformQuantizedType>(
      getQuantType(value));
  if (!type || type.getStorageTypeIntegralWidth() != 8 ||
      !type.getExpressedType().isF32())
    return {};
  return type;
}

/// The dequantize_linear producing `value` from a quant-typed input.
DequantizeLinearOp getQuantDequantize(Value value) {
  auto dq = value.getDefiningOp<DequantizeLinearOp>();
  if (!dq || !getQuantType(dq.getInput()))
    return {};
  return dq;
}

/// The per-channel scales of a weight type (one value for per-tensor), or
/// nothing when it is not 8-bit per-tensor or per-axis along `channelDim`.
std::optional<SmallVector<double>> getWeightScales(quant::QuantizedType type,
                                                   int64_t channelDim) {
  if (!type || type.getStorageTypeIntegralWidth() != 8 ||
      !type.getExpressedType().isF32())
    return std::nullopt;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(type))
    return SmallVector<double>{perTensor.getScale()};
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type);
  if (!perAxis || perAxis.getQuantizedDimension() != channelDim)
    return std::nullopt;
  return SmallVector<double>(perAxis.getScales());
}

bool closeTo(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b));
}

/// Whether `type` is the int32 bias type of an integer contraction: zero
/// point 0, scale input_scale * weight_scale (per channel).
bool isBiasType(quant::QuantizedType type, double inputScale,
                ArrayRef<double> weightScales) {
  if (!type || type.getStorageTypeIntegralWidth() != 32 || !type.isSigned())
    return false;
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(type)) {
    scales.push_back(perTensor.getScale());
    zeroPoints.push_back(perTensor.getZeroPoint());
  } else if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    if (perAxis.getQuantizedDimension() != 0)
      return false;
    llvm::append_range(scales, perAxis.getScales());
    llvm::append_range(zeroPoints, perAxis.getZeroPoints());
  } else {
    return false;
  }
  if (scales.size() != weightScales.size() && scales.size() != 1)
    return false;
  for (auto [index, scale] : llvm::enumerate(scales)) {
    double expected =
        inputScale * weightScales[weightScales.size() == 1 ? 0 : index];
    if (zeroPoints[index] != 0 || !closeTo(scale, expected))
      return false;
  }
  return scales.size() == weightScales.size() || weightScales.size() == 1;
}

/// The weight's output-channel dim for each contraction, or nothing when the
/// op's form has no integer lowering.
std::optional<int64_t> getWeightChannelDim(Operation *op) {
  if (isa<ConvOp>(op))
    return 0;
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    auto rhs = dyn_cast<RankedTensorType>(matmul.getRhs().getType());
    if (!rhs || rhs.getRank() != 2)
      return std::nullopt;
    return 1;
  }
  auto gemm = cast<GemmOp>(op);
  if (gemm.getAlpha().convertToDouble() != 1.0 ||
      gemm.getBeta().convertToDouble() != 1.0 || gemm.getTransA())
    return std::nullopt;
  return gemm.getTransB() ? 0 : 1;
}

/// q(conv/matmul/gemm(dq(x), dq(w)[, dq(b)])) -> op(x, w[, b]) with the
/// quantize's type: integer product with zero points, int32 accumulation,
/// requantization into the result's scale (convert-nb-to-linalg).
///
/// The activation's dequantize may have other users (a residual Add reading
/// the same tensor, say): the fused op reads the quant value the dequantize
/// reads, so both see the same storage integers, and the dequantize stays
/// for the others. The float result of the op itself must have no other
/// user, or the float product would have to be kept as well.
template <typename OpTy>
struct FuseQuantizedContraction : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeLinearOp quantize,
                                PatternRewriter &rewriter) const override {
    auto op = quantize.getInput().template getDefiningOp<OpTy>();
    if (!op || !op->hasOneUse())
      return failure();
    quant::UniformQuantizedType resultType =
        getActivationType(quantize.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(
          quantize, "result is not a per-tensor 8-bit f32 quant type");
    std::optional<int64_t> channelDim = getWeightChannelDim(op);
    if (!channelDim)
      return rewriter.notifyMatchFailure(op, "form has no integer lowering");
    OperandRange operands = op->getOperands();
    DequantizeLinearOp input = getQuantDequantize(operands[0]);
    DequantizeLinearOp weight = getQuantDequantize(operands[1]);
    if (!input || !weight)
      return rewriter.notifyMatchFailure(
          op, "operands are not dequantized quant-typed values");
    quant::UniformQuantizedType inputType = getActivationType(input.getInput());
    std::optional<SmallVector<double>> weightScales =
        getWeightScales(getQuantType(weight.getInput()), *channelDim);
    if (!inputType || !weightScales)
      return rewriter.notifyMatchFailure(
          op, "input must be per-tensor and weight per-tensor or per output "
              "channel, 8-bit with f32 scales");
    DequantizeLinearOp bias;
    if (operands.size() > 2) {
      bias = getQuantDequantize(operands[2]);
      if (!bias || !isBiasType(getQuantType(bias.getInput()),
                               inputType.getScale(), *weightScales))
        return rewriter.notifyMatchFailure(
            op, "bias is not int32 with scale input_scale * weight_scale and "
                "zero point 0");
    }
    SmallVector<Value> newOperands{input.getInput(), weight.getInput()};
    if (bias)
      newOperands.push_back(bias.getInput());
    IRMapping mapping;
    mapping.map(op->getOperands(), newOperands);
    Operation *fused = rewriter.clone(*op, mapping);
    fused->getResult(0).setType(quantize.getOutput().getType());
    rewriter.replaceOp(quantize, fused->getResults());
    return success();
  }
};

/// Ops that move values without changing them: on quant types they move
/// storage integers, and their result has their input's parameters.
bool isSameScaleOp(Operation *op) {
  if (auto maxPool = dyn_cast<MaxPoolOp>(op))
    return !maxPool.getIndices();
  return isa<ReshapeOp, TransposeOp, FlattenOp, SqueezeOp, UnsqueezeOp,
             SliceOp, GatherOp, ConcatOp>(op);
}

/// q(same-scale op(dq(x)...)) -> op(x...) with x's per-tensor quant type.
/// Where the quantize's parameters differ from the input's, the op moves
/// the input's type and a requantization (dq -> q) follows it; a Concat
/// instead requantizes each input that differs into the result's type.
struct FuseSameScaleOp : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeLinearOp quantize,
                                PatternRewriter &rewriter) const override {
    Operation *op = quantize.getInput().getDefiningOp();
    if (!op || !isSameScaleOp(op) || !op->hasOneUse())
      return failure();
    auto resultType = dyn_cast_if_present<quant::UniformQuantizedType>(
        getQuantType(quantize.getOutput()));
    if (!resultType)
      return rewriter.notifyMatchFailure(quantize,
                                         "result is not per-tensor quant");
    unsigned numData = isa<ConcatOp>(op) ? op->getNumOperands() : 1;
    SmallVector<DequantizeLinearOp> inputs;
    for (Value operand : op->getOperands().take_front(numData)) {
      DequantizeLinearOp dq = getQuantDequantize(operand);
      if (!dq || !isa<quant::UniformQuantizedType>(getQuantType(dq.getInput())))
        return rewriter.notifyMatchFailure(
            op, "data is not a dequantized per-tensor quant value");
      if (getQuantType(dq.getInput()).getStorageType() !=
              resultType.getStorageType() ||
          getQuantType(dq.getInput()).isSigned() != resultType.isSigned())
        return rewriter.notifyMatchFailure(op, "storage types differ");
      inputs.push_back(dq);
    }
    auto matches = [&](DequantizeLinearOp dq) {
      return quantTypesMatch(getQuantType(dq.getInput()), resultType);
    };
    Location loc = quantize.getLoc();
    IRMapping mapping;
    // The element type the cloned op moves: the result's for a Concat (its
    // inputs are requantized to it), else the input's.
    Type movedElement = resultType;
    bool conflict = false;
    if (isa<ConcatOp>(op)) {
      for (DequantizeLinearOp dq : inputs) {
        Value value = dq.getInput();
        if (!matches(dq))
          value = QuantizeLinearOp::create(
              rewriter, loc, cast<TensorType>(dq.getType()).clone(resultType),
              dq.getOutput(), quantize.getScale(), quantize.getZeroPoint(),
              quantize.getAxis(), quantize.getBlockSize(),
              quantize.getSaturate());
        mapping.map(dq.getOutput(), value);
      }
    } else {
      DequantizeLinearOp dq = inputs.front();
      mapping.map(dq.getOutput(), dq.getInput());
      conflict = !matches(dq);
      if (conflict)
        movedElement = getQuantType(dq.getInput());
    }
    Operation *moved = rewriter.clone(*op, mapping);
    auto floatType = cast<TensorType>(op->getResult(0).getType());
    moved->getResult(0).setType(floatType.clone(movedElement));
    if (!conflict) {
      rewriter.replaceOp(quantize, moved->getResults());
      return success();
    }
    DequantizeLinearOp dq = inputs.front();
    Value dequantized = DequantizeLinearOp::create(
        rewriter, loc, floatType, moved->getResult(0), dq.getScale(),
        dq.getZeroPoint(), dq.getAxis(), dq.getBlockSize());
    rewriter.modifyOpInPlace(
        quantize, [&] { quantize.getInputMutable().assign(dequantized); });
    rewriter.eraseOp(op);
    return success();
  }
};

struct FuseQuantizedOpsPass
    : public nb::impl::FuseQuantizedOpsBase<FuseQuantizedOpsPass> {
  using FuseQuantizedOpsBase::FuseQuantizedOpsBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseQuantizedContraction<ConvOp>,
                 FuseQuantizedContraction<MatMulOp>,
                 FuseQuantizedContraction<GemmOp>, FuseSameScaleOp>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
