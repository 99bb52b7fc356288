//===- InsertQDQ.cpp - nb-insert-qdq --------------------------------------===//
//
// Static quantization, stage 1: Q/DQ pairs around the ops a scheme
// quantizes, with parameters from calibrated ranges. One pattern per op
// kind (weighted, arithmetic, same-scale, concat); they share a QDQInserter
// that remembers each tensor's parameters, so a tensor read by several
// quantized ops gets one Q/DQ pair and same-scale ops can reuse their
// input's parameters. The walk visits producers before consumers, which is
// what that propagation needs.
//
//===----------------------------------------------------------------------===//
#include "InsertQDQUtils.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Quantization/OpSelection.h"
#include "nibble/Quantization/Passes.h"
#include "nibble/Quantization/WeightQuantization.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include <cmath>

namespace mlir::nb {
#define GEN_PASS_DEF_INSERTQDQ
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::quantization;

namespace {

struct InsertQDQOptions {
  Type activationStorage, weightStorage;
  bool perTensorWeights = false, symmetricActivations = false;
};

/// How one float operand of a quantized op is quantized.
struct OperandPlan {
  unsigned index;
  enum Kind { Activation, Weight, Bias } kind = Activation;
  /// Activations: their parameters. Weights: the channel axis (-1: tensor).
  ActivationParams params;
  int64_t axis = -1;
};

/// What the patterns share: options, overrides and every tensor's
/// parameters decided so far.
class QDQInserter {
public:
  QDQInserter(InsertQDQOptions options, OpSelection selection,
              llvm::StringMap<TensorOverride> overrides)
      : options(options), selection(std::move(selection)),
        overrides(std::move(overrides)) {}

  /// Whether a pattern may look at `op`: selected, not yet visited. Marks
  /// excluded ops so that reports can list them.
  bool shouldVisit(Operation *op) {
    if (!visited.insert(op).second)
      return false;
    if (selection.isSelected(op))
      return true;
    // An op that a precision plan gives to another pass is not excluded.
    if (!selection.isPlannedElsewhere(op))
      op->setAttr(kKeptFloatAttrName,
                  StringAttr::get(op->getContext(), "excluded"));
    return false;
  }

  /// Parameters of activation `value`, without building IR; failure with
  /// `why` when the tensor has no range.
  FailureOr<ActivationParams> resolve(Value value, std::string &why) {
    if (auto it = dequantized.find(value); it != dequantized.end())
      return it->second;
    if (auto it = quantized.find(value); it != quantized.end())
      return it->second.first;
    std::string name = getTensorName(value);
    const TensorOverride *override = findOverride(name);
    // Activations are quantized per tensor; an axis asked for one must not
    // be dropped without a word.
    if (override && override->axis) {
      why = "override of activation '" + name +
            "' asks for axis " + std::to_string(*override->axis) +
            ", but activations are quantized per tensor";
      return failure();
    }
    Type storage = override && override->storage ? override->storage
                                                 : options.activationStorage;
    bool symmetric = override && override->symmetric
                         ? *override->symmetric
                         : options.symmetricActivations;
    std::optional<std::pair<double, double>> range;
    if (override && override->range)
      range = override->range;
    else
      range = findRange(value);
    if (!range) {
      why = "no calibrated range for tensor '" +
            (name.empty() ? std::string("<unnamed>") : name) + "'";
      return failure();
    }
    return computeActivationParams(storage, range->first, range->second,
                                   symmetric);
  }

  /// The parameters a result of `op` gets: an override, else its own range.
  /// `sameAs` (a same-scale op's input parameters) replaces the range.
  FailureOr<ActivationParams>
  resolveResult(OpResult result, std::optional<ActivationParams> sameAs,
                std::string &why) {
    const TensorOverride *override = findOverride(getTensorName(result));
    if (sameAs && !override)
      return *sameAs;
    return resolve(result, why);
  }

  /// The dequantized form of operand `value` with `params`, built once per
  /// tensor; constants are quantized at compile time.
  Value dequantize(OpBuilder &builder, Value value,
                   const ActivationParams &params) {
    if (dequantized.count(value))
      return value;
    if (auto it = quantized.find(value); it != quantized.end())
      return it->second.second;
    Value result;
    FailureOr<SmallVector<float>> constant = getConstantFloatValues(value);
    if (succeeded(constant))
      result = quantizeConstant(builder, value, *constant, params);
    if (!result)
      result = buildActivationQDQ(builder, value, params);
    quantized[value] = {params, result};
    dequantized[result] = params;
    return result;
  }

  /// Q/DQ after a quantized op's result; every user reads the DQ.
  void quantizeResult(OpBuilder &builder, OpResult result,
                      const ActivationParams &params) {
    Value dq = buildActivationQDQ(builder, result, params);
    Operation *q = dq.getDefiningOp()->getOperand(0).getDefiningOp();
    result.replaceAllUsesExcept(dq, q);
    quantized[result] = {params, dq};
    dequantized[dq] = params;
  }

  /// A constant weight quantized with the weight type (per channel along
  /// `axis` unless per-tensor), returning its dequantized value and, for
  /// integer storage, the scales a bias needs.
  FailureOr<Value> quantizeWeight(OpBuilder &builder, Value weight,
                                  int64_t axis, SmallVector<float> &scales,
                                  std::string &why) {
    auto type = cast<RankedTensorType>(weight.getType());
    FailureOr<SmallVector<float>> values = getConstantFloatValues(weight);
    std::string name = getTensorName(weight);
    if (failed(values)) {
      why = "the values of weight '" + name + "' cannot be read";
      return failure();
    }
    const TensorOverride *override = findOverride(name);
    Type storage = override && override->storage ? override->storage
                                                 : options.weightStorage;
    if (options.perTensorWeights)
      axis = -1;
    if (override && override->axis)
      axis = *override->axis;
    if (axis < -1 || axis >= type.getRank()) {
      why = "override axis " + std::to_string(axis) + " of weight '" + name +
            "' is out of range for rank " + std::to_string(type.getRank());
      return failure();
    }
    Location loc = weight.getLoc();
    if (isa<FloatType>(storage))
      return buildFloat8Weight(builder, loc, *values, type.getShape(), axis,
                               storage, type.getElementType(), why);
    auto integer = cast<IntegerType>(storage);
    WeightQuantizationSpec spec;
    spec.bits = integer.getWidth();
    spec.isSigned = !integer.isUnsigned();
    // Signed weights are symmetric by default (ONNX Runtime's
    // WeightSymmetric), unsigned ones asymmetric.
    spec.symmetric = override && override->symmetric ? *override->symmetric
                                                     : spec.isSigned;
    spec.axis = axis;
    FailureOr<QuantizedWeight> q;
    if (override && override->range) {
      spec.axis = -1;
      auto [scale, zeroPoint] = computeScaleAndZeroPoint(
          override->range->first, override->range->second, spec);
      q = quantizeWeightWithParameters(*values, type.getShape(), spec, {scale},
                                       {zeroPoint}, why);
    } else {
      q = quantizeWeightRTN(*values, type.getShape(), spec, why);
    }
    if (failed(q))
      return failure();
    if (spec.symmetric)
      scales = q->scales;
    Type element = type.getElementType();
    Value result = buildDequantizedWeight(builder, loc, *q, element, element);
    if (!result)
      return failure();
    return result;
  }

  /// An int32 bias with scale s_in * s_w (per channel when the weight is),
  /// or null, with `why`, when it cannot be expressed.
  Value quantizeBias(OpBuilder &builder, Value bias, float inputScale,
                     ArrayRef<float> weightScales, std::string &why) {
    auto type = dyn_cast<RankedTensorType>(bias.getType());
    FailureOr<SmallVector<float>> values = getConstantFloatValues(bias);
    if (!type || type.getRank() != 1 || failed(values))
      return {};
    bool perChannel = weightScales.size() > 1;
    if (perChannel &&
        static_cast<int64_t>(weightScales.size()) != type.getDimSize(0))
      return {};
    SmallVector<float> scales;
    for (float s : weightScales)
      scales.push_back(inputScale * s);
    for (auto [i, b] : llvm::enumerate(*values)) {
      // int32 must hold every quotient, or the bias stays float.
      float q = b / scales[perChannel ? i : 0];
      if (!(std::fabs(q) < 2147483647.0f)) {
        why = "bias '" + getTensorName(bias) +
              "' does not fit int32 at scale s_in * s_w";
        return {};
      }
    }
    WeightQuantizationSpec spec;
    spec.bits = 32;
    spec.axis = perChannel ? 0 : -1;
    SmallVector<int32_t> zeroPoints(scales.size(), 0);
    FailureOr<QuantizedWeight> q = quantizeWeightWithParameters(
        *values, type.getShape(), spec, scales, zeroPoints, why);
    if (failed(q))
      return {};
    Type element = type.getElementType();
    return buildDequantizedWeight(builder, bias.getLoc(), *q, element, element);
  }

  /// An op the scheme cannot take: a note (or an error under `strict`).
  LogicalResult keepFloat(Operation *op, StringRef why) {
    if (failed(selection.keepFloat(op, why)))
      failedStrict = true;
    return failure();
  }

  bool hasFailed() const { return failedStrict; }

  /// Float constants replaced by quantized ones; erased when left unused.
  llvm::SetVector<Operation *> replacedConstants;

private:
  const TensorOverride *findOverride(StringRef name) const {
    if (name.empty())
      return nullptr;
    auto it = overrides.find(name);
    return it == overrides.end() ? nullptr : &it->second;
  }

  /// The calibrated range of an op result, `nb.range` of an argument, or the
  /// values of a constant.
  std::optional<std::pair<double, double>> findRange(Value value) {
    auto toPair = [](Attribute attr)
        -> std::optional<std::pair<double, double>> {
      auto range = dyn_cast_if_present<DenseF64ArrayAttr>(attr);
      if (!range || range.size() != 2 || !(range[0] <= range[1]))
        return std::nullopt;
      return std::pair{range[0], range[1]};
    };
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      return func ? toPair(func.getArgAttr(arg.getArgNumber(), "nb.range"))
                  : std::nullopt;
    }
    FailureOr<SmallVector<float>> constant = getConstantFloatValues(value);
    if (succeeded(constant)) {
      if (constant->empty())
        return std::pair{0.0, 0.0};
      auto [lo, hi] = std::minmax_element(constant->begin(), constant->end());
      if (!std::isfinite(*lo) || !std::isfinite(*hi))
        return std::nullopt;
      return std::pair<double, double>{*lo, *hi};
    }
    auto result = cast<OpResult>(value);
    Operation *op = result.getOwner();
    if (op->getNumResults() == 1)
      return toPair(op->getAttr("nb.calibrated_range"));
    auto ranges = op->getAttrOfType<ArrayAttr>("nb.calibrated_result_ranges");
    if (!ranges || ranges.size() != op->getNumResults())
      return std::nullopt;
    return toPair(ranges[result.getResultNumber()]);
  }

  /// A constant read as an activation, quantized at compile time with
  /// `params` (per tensor); null when its values cannot be read.
  Value quantizeConstant(OpBuilder &builder, Value value,
                         ArrayRef<float> values,
                         const ActivationParams &params) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointAfterValue(value);
    auto type = cast<RankedTensorType>(value.getType());
    Type element = type.getElementType();
    std::string error;
    if (isa<FloatType>(params.storage)) {
      FailureOr<Value> result =
          buildFloat8Weight(builder, value.getLoc(), values, type.getShape(),
                            -1, params.storage, element, error);
      return succeeded(result) ? *result : Value();
    }
    auto integer = cast<IntegerType>(params.storage);
    WeightQuantizationSpec spec;
    spec.bits = integer.getWidth();
    spec.isSigned = !integer.isUnsigned();
    spec.symmetric = false; // saturate to the full storage range, as Q does
    FailureOr<QuantizedWeight> q = quantizeWeightWithParameters(
        values, type.getShape(), spec, {params.scale}, {params.zeroPoint},
        error);
    if (failed(q))
      return {};
    return buildDequantizedWeight(builder, value.getLoc(), *q, element,
                                  element);
  }

  InsertQDQOptions options;
  OpSelection selection;
  llvm::StringMap<TensorOverride> overrides;
  DenseSet<Operation *> visited;
  /// Original value -> (parameters, its dequantized value).
  DenseMap<Value, std::pair<ActivationParams, Value>> quantized;
  /// Dequantized values this pass made -> their parameters.
  DenseMap<Value, ActivationParams> dequantized;
  bool failedStrict = false;
};

bool isFloatTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && isa<FloatType>(type.getElementType()) &&
         !isa<quant::QuantizedType>(type.getElementType());
}

bool isConstant(Value v) { return matchPattern(v, m_Constant()); }

bool isUnrankedFloatTensor(Value v) {
  auto type = dyn_cast<UnrankedTensorType>(v.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// Whether `op` computes on float tensors of which some have unknown rank
/// (e.g. a Reshape to a shape computed at run time feeds it): the integer
/// lowerings need ranks, so such an op is kept float, with a note.
bool hasUnrankedFloatTensors(Operation *op) {
  auto isFloat = [](Value v) {
    return isFloatTensor(v) || isUnrankedFloatTensor(v);
  };
  return llvm::all_of(op->getOperands(), isFloat) &&
         llvm::all_of(op->getResults(), isFloat) &&
         (llvm::any_of(op->getOperands(), isUnrankedFloatTensor) ||
          llvm::any_of(op->getResults(), isUnrankedFloatTensor));
}

/// Base of the patterns: holds the shared inserter.
template <typename OpTy>
struct QDQPattern : OpRewritePattern<OpTy> {
  QDQPattern(MLIRContext *ctx, QDQInserter &inserter)
      : OpRewritePattern<OpTy>(ctx), inserter(inserter) {}
  QDQInserter &inserter;
};

/// Conv, ConvTranspose, MatMul and Gemm: activations and the result from
/// their ranges, a constant weight quantized per channel, a constant bias
/// as int32 with scale s_in * s_w.
template <typename OpTy>
struct QuantizeWeightedOp : QDQPattern<OpTy> {
  using QDQPattern<OpTy>::QDQPattern;

  /// The weight operand and its output-channel axis.
  static std::pair<unsigned, int64_t> weightOf(OpTy op) {
    if constexpr (std::is_same_v<OpTy, ConvTransposeOp>)
      return {1, 1};
    if constexpr (std::is_same_v<OpTy, GemmOp>)
      return {1, op.getTransB() ? 0 : 1};
    if constexpr (std::is_same_v<OpTy, MatMulOp>)
      return {1, cast<ShapedType>(op.getRhs().getType()).getRank() - 1};
    return {1, 0};
  }

  static bool biasAllowed(OpTy op) {
    if constexpr (std::is_same_v<OpTy, GemmOp>)
      return op.getAlpha().convertToDouble() == 1.0 &&
             op.getBeta().convertToDouble() == 1.0;
    return !std::is_same_v<OpTy, MatMulOp>;
  }

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    QDQInserter &inserter = this->inserter;
    if (hasUnrankedFloatTensors(op) && inserter.shouldVisit(op))
      return inserter.keepFloat(op, "an operand or the result has unknown "
                                    "rank (shape inference could not rank it)");
    if (!llvm::all_of(op->getOperands(), isFloatTensor) ||
        !isFloatTensor(op->getResult(0)) || !inserter.shouldVisit(op))
      return failure();
    auto [weightIndex, axis] = weightOf(op);
    bool constantWeight = isConstant(op->getOperand(weightIndex));
    SmallVector<OperandPlan> plans;
    std::string why;
    for (unsigned i = 0, e = op->getNumOperands(); i < e; ++i) {
      OperandPlan plan{i};
      if (i == weightIndex && constantWeight) {
        plan.kind = OperandPlan::Weight;
        plan.axis = axis;
      } else if (i == 2) {
        plan.kind = OperandPlan::Bias;
      } else {
        FailureOr<ActivationParams> params =
            inserter.resolve(op->getOperand(i), why);
        if (failed(params))
          return inserter.keepFloat(op, why);
        plan.params = *params;
      }
      plans.push_back(plan);
    }
    FailureOr<ActivationParams> resultParams =
        inserter.resolveResult(op->getResult(0), std::nullopt, why);
    if (failed(resultParams))
      return inserter.keepFloat(op, why);

    // Weight first (its scales decide the bias's), then activations.
    SmallVector<float> weightScales;
    for (OperandPlan &plan : plans) {
      if (plan.kind != OperandPlan::Weight)
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<Value> weight = inserter.quantizeWeight(
          rewriter, op->getOperand(plan.index), plan.axis, weightScales, why);
      if (failed(weight))
        return inserter.keepFloat(op, why);
      inserter.replacedConstants.insert(
            op->getOperand(plan.index).getDefiningOp());
      rewriter.modifyOpInPlace(op, [&] { op->setOperand(plan.index, *weight); });
    }
    for (OperandPlan &plan : plans) {
      if (plan.kind != OperandPlan::Activation)
        continue;
      Value dq = inserter.dequantize(rewriter, op->getOperand(plan.index),
                                     plan.params);
      rewriter.modifyOpInPlace(op, [&] { op->setOperand(plan.index, dq); });
    }
    // An int32 bias needs integer input and weight scales; otherwise (float8,
    // a non-constant bias, Gemm with alpha or beta) it stays float.
    ActivationParams input = plans[0].params;
    for (OperandPlan &plan : plans) {
      if (plan.kind != OperandPlan::Bias || weightScales.empty() ||
          !isa<IntegerType>(input.storage) || !biasAllowed(op))
        continue;
      rewriter.setInsertionPoint(op);
      std::string biasWhy;
      Value bias = inserter.quantizeBias(rewriter, op->getOperand(plan.index),
                                         input.scale, weightScales, biasWhy);
      if (bias)
        inserter.replacedConstants.insert(
            op->getOperand(plan.index).getDefiningOp());
      if (bias)
        rewriter.modifyOpInPlace(op, [&] { op->setOperand(plan.index, bias); });
      else if (!biasWhy.empty())
        op->emitRemark() << biasWhy << "; it stays float";
    }
    inserter.quantizeResult(rewriter, op->getResult(0), *resultParams);
    return success();
  }
};

/// Add, Mul, AveragePool, GlobalAveragePool: every float operand and the
/// result quantized with their own ranges.
template <typename OpTy>
struct QuantizeArithmeticOp : QDQPattern<OpTy> {
  using QDQPattern<OpTy>::QDQPattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    QDQInserter &inserter = this->inserter;
    if (op->getNumResults() != 1 ||
        !llvm::all_of(op->getOperands(), isFloatTensor) ||
        !isFloatTensor(op->getResult(0)) || !inserter.shouldVisit(op))
      return failure();
    std::string why;
    SmallVector<ActivationParams> params;
    for (Value operand : op->getOperands()) {
      FailureOr<ActivationParams> p = inserter.resolve(operand, why);
      if (failed(p))
        return inserter.keepFloat(op, why);
      params.push_back(*p);
    }
    FailureOr<ActivationParams> resultParams =
        inserter.resolveResult(op->getResult(0), std::nullopt, why);
    if (failed(resultParams))
      return inserter.keepFloat(op, why);
    for (auto [i, p] : llvm::enumerate(params)) {
      Value dq = inserter.dequantize(rewriter, op->getOperand(i), p);
      rewriter.modifyOpInPlace(op, [&] { op->setOperand(i, dq); });
    }
    inserter.quantizeResult(rewriter, op->getResult(0), *resultParams);
    return success();
  }
};

/// Data movement and MaxPool: the data operand (operand 0) from its range,
/// the result with the same parameters (values are only moved or selected).
template <typename OpTy>
struct QuantizeSameScaleOp : QDQPattern<OpTy> {
  using QDQPattern<OpTy>::QDQPattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    QDQInserter &inserter = this->inserter;
    if (op->getNumResults() != 1 || !isFloatTensor(op->getOperand(0)) ||
        !isFloatTensor(op->getResult(0)) || !inserter.shouldVisit(op))
      return failure();
    std::string why;
    FailureOr<ActivationParams> params =
        inserter.resolve(op->getOperand(0), why);
    if (failed(params))
      return inserter.keepFloat(op, why);
    FailureOr<ActivationParams> resultParams =
        inserter.resolveResult(op->getResult(0), *params, why);
    if (failed(resultParams))
      return inserter.keepFloat(op, why);
    Value dq = inserter.dequantize(rewriter, op->getOperand(0), *params);
    rewriter.modifyOpInPlace(op, [&] { op->setOperand(0, dq); });
    inserter.quantizeResult(rewriter, op->getResult(0), *resultParams);
    return success();
  }
};

/// Concat: inputs from their ranges; the result shares their parameters
/// when they all agree, else takes its own range.
struct QuantizeConcat : QDQPattern<ConcatOp> {
  using QDQPattern::QDQPattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (!llvm::all_of(op->getOperands(), isFloatTensor) ||
        !isFloatTensor(op.getResult()) || !inserter.shouldVisit(op))
      return failure();
    std::string why;
    SmallVector<ActivationParams> params;
    for (Value operand : op.getInputs()) {
      FailureOr<ActivationParams> p = inserter.resolve(operand, why);
      if (failed(p))
        return inserter.keepFloat(op, why);
      params.push_back(*p);
    }
    std::optional<ActivationParams> shared;
    if (llvm::all_equal(params))
      shared = params.front();
    FailureOr<ActivationParams> resultParams =
        inserter.resolveResult(op->getResult(0), shared, why);
    if (failed(resultParams))
      return inserter.keepFloat(op, why);
    for (auto [i, p] : llvm::enumerate(params)) {
      Value dq = inserter.dequantize(rewriter, op->getOperand(i), p);
      rewriter.modifyOpInPlace(op, [&] { op->setOperand(i, dq); });
    }
    inserter.quantizeResult(rewriter, op->getResult(0), *resultParams);
    return success();
  }
};

struct InsertQDQPass : nb::impl::InsertQDQBase<InsertQDQPass> {
  using InsertQDQBase::InsertQDQBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    InsertQDQOptions options;
    options.activationStorage = parseStorageType(ctx, activationType);
    options.weightStorage = parseStorageType(ctx, weightType);
    options.perTensorWeights = perTensorWeights;
    options.symmetricActivations = symmetricActivations;
    if (!options.activationStorage) {
      module.emitError("activation-type must be u8, i8, f8e4m3 or f8e5m2, "
                       "got '")
          << activationType << "'";
      return signalPassFailure();
    }
    if (!options.weightStorage) {
      module.emitError("weight-type must be i8, u8, f8e4m3 or f8e5m2, got '")
          << weightType << "'";
      return signalPassFailure();
    }
    std::string error;
    // The plan's name for what this run makes: 8-bit integer activations are
    // static W8A8, float8 ones fp8 of that format.
    std::string precision = activationType == "f8e4m3"   ? "fp8-e4m3"
                            : activationType == "f8e5m2" ? "fp8-e5m2"
                                                         : "int8";
    FailureOr<OpSelection> selection = OpSelection::create(
        excludeNodes, excludeOpTypes, strict, error, {precision});
    if (failed(selection)) {
      module.emitError(error);
      return signalPassFailure();
    }
    llvm::StringMap<TensorOverride> overrides;
    if (!overridesPath.empty()) {
      FailureOr<llvm::StringMap<TensorOverride>> parsed =
          parseOverrides(ctx, overridesPath, error);
      if (failed(parsed)) {
        module.emitError("overrides: ") << error;
        return signalPassFailure();
      }
      llvm::StringSet<> names = collectTensorNames(module);
      for (const auto &entry : *parsed) {
        if (!names.contains(entry.getKey())) {
          module.emitError("overrides: tensor '")
              << entry.getKey() << "' does not exist in the module";
          return signalPassFailure();
        }
      }
      overrides = std::move(*parsed);
    }

    QDQInserter inserter(options, std::move(*selection), std::move(overrides));
    RewritePatternSet patterns(ctx);
    patterns.add<QuantizeWeightedOp<ConvOp>, QuantizeWeightedOp<ConvTransposeOp>,
                 QuantizeWeightedOp<MatMulOp>, QuantizeWeightedOp<GemmOp>>(
        ctx, inserter);
    if (quantizeAllOps) {
      patterns.add<QuantizeArithmeticOp<AddOp>, QuantizeArithmeticOp<MulOp>,
                   QuantizeArithmeticOp<AveragePoolOp>,
                   QuantizeArithmeticOp<GlobalAveragePoolOp>>(ctx, inserter);
      patterns.add<QuantizeSameScaleOp<ReshapeOp>,
                   QuantizeSameScaleOp<TransposeOp>,
                   QuantizeSameScaleOp<FlattenOp>,
                   QuantizeSameScaleOp<SqueezeOp>,
                   QuantizeSameScaleOp<UnsqueezeOp>,
                   QuantizeSameScaleOp<MaxPoolOp>, QuantizeSameScaleOp<SliceOp>,
                   QuantizeSameScaleOp<GatherOp>, QuantizeConcat>(ctx,
                                                                  inserter);
    }
    // One visit per op, producers first: a same-scale op finds its input's
    // parameters already decided.
    walkAndApplyPatterns(module, std::move(patterns));
    for (Operation *constant : inserter.replacedConstants)
      if (constant->use_empty())
        constant->erase();
    if (inserter.hasFailed())
      signalPassFailure();
  }
};

} // namespace
