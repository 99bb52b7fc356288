//===- NBOpsVerifiers.cpp - verifiers of nb ops
//----------------------------===//
//
// Each verifier checks the ONNX constraints that the types and attributes can
// decide (ranks, attribute lengths, axis ranges, element types) and then that
// the declared result types are compatible with the inferred ones, which
// covers static shape agreement (matmul inner dims, conv output sizes, ...).
// Dynamic dims and unranked tensors are accepted wherever a check cannot
// decide. Shape and data-movement ops are in NBShapeOpsVerifiers.cpp and
// quantization ops in NBQuantVerifiers.cpp.
//
//===----------------------------------------------------------------------===//
#include "NBOpsUtils.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::detail;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

static LogicalResult verifyFloatUnary(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  if (failed(expectFloatOrQuant(op, input, "input")) ||
      failed(expectFloatOrQuant(op, output, "result")) ||
      failed(expectSameFloatTypes(op, {input, output})))
    return failure();
  return verifyInferredResultShapes(op);
}

/// Relu, Neg, Abs also take signed integers.
static LogicalResult verifyNumericUnary(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  if (!isFloatOrQuant(getElementType(input)) &&
      getElementType(input) != getElementType(output))
    return op->emitOpError("integer input and result element types must "
                           "agree");
  if (failed(expectSameFloatTypes(op, {input, output})))
    return failure();
  return verifyInferredResultShapes(op);
}

#define NB_VERIFY_WITH(Op, fn)                                                 \
  LogicalResult Op::verify() { return fn(getOperation()); }
NB_VERIFY_WITH(SigmoidOp, verifyFloatUnary)
NB_VERIFY_WITH(TanhOp, verifyFloatUnary)
NB_VERIFY_WITH(ErfOp, verifyFloatUnary)
NB_VERIFY_WITH(SqrtOp, verifyFloatUnary)
NB_VERIFY_WITH(SinOp, verifyFloatUnary)
NB_VERIFY_WITH(CosOp, verifyFloatUnary)
NB_VERIFY_WITH(ExpOp, verifyFloatUnary)
NB_VERIFY_WITH(LogOp, verifyFloatUnary)
NB_VERIFY_WITH(ReciprocalOp, verifyFloatUnary)
NB_VERIFY_WITH(HardSwishOp, verifyFloatUnary)
NB_VERIFY_WITH(LeakyReluOp, verifyFloatUnary)
NB_VERIFY_WITH(HardSigmoidOp, verifyFloatUnary)
NB_VERIFY_WITH(GeluOp, verifyFloatUnary)
NB_VERIFY_WITH(ReluOp, verifyNumericUnary)
NB_VERIFY_WITH(NegOp, verifyNumericUnary)
NB_VERIFY_WITH(AbsOp, verifyNumericUnary)
NB_VERIFY_WITH(CastOp, verifyInferredResultShapes)
#undef NB_VERIFY_WITH

LogicalResult TriluOp::verify() {
  if (auto rank = getRank(getInput()); rank && *rank < 2)
    return emitOpError("input must have rank >= 2, got ")
           << getInput().getType();
  if (getK() && (failed(expectI64(*this, getK(), "k")) ||
                 failed(expectRankAtMost1(*this, getK(), "k"))))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult ClipOp::verify() {
  for (Value bound : {getMin(), getMax()}) {
    if (!bound)
      continue;
    auto type = dyn_cast<RankedTensorType>(bound.getType());
    if (type && type.hasStaticShape() && type.getNumElements() != 1)
      return emitOpError("min and max must be scalars, got ")
             << bound.getType();
  }
  if (failed(expectSameFloatTypes(*this, {getInput(), getOutput()})))
    return failure();
  return verifyInferredResultShapes(*this);
}

static LogicalResult verifyBinary(Operation *op, bool sameOperandTypes) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  Value output = op->getResult(0);
  if (sameOperandTypes && failed(expectSameFloatTypes(op, {lhs, rhs, output})))
    return failure();
  return verifyInferredResultShapes(op);
}

LogicalResult AddOp::verify() { return verifyBinary(*this, true); }
LogicalResult SubOp::verify() { return verifyBinary(*this, true); }
LogicalResult MulOp::verify() { return verifyBinary(*this, true); }
LogicalResult DivOp::verify() { return verifyBinary(*this, true); }
// ONNX Pow's exponent may have another type than its base.
LogicalResult PowOp::verify() {
  if (failed(expectSameFloatTypes(*this, {getLhs(), getOutput()})))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult EqualOp::verify() {
  if (!getElementType(getOutput()).isInteger(1))
    return emitOpError("result must be a tensor of i1, got ")
           << getOutput().getType();
  if (getElementType(getLhs()) != getElementType(getRhs()))
    return emitOpError("operand element types must agree, got ")
           << getElementType(getLhs()) << " and " << getElementType(getRhs());
  return verifyInferredResultShapes(*this);
}

LogicalResult WhereOp::verify() {
  if (!getElementType(getCondition()).isInteger(1))
    return emitOpError("condition must be a tensor of i1, got ")
           << getCondition().getType();
  if (failed(expectSameFloatTypes(*this, {getX(), getY(), getOutput()})))
    return failure();
  return verifyInferredResultShapes(*this);
}

//===----------------------------------------------------------------------===//
// Convolution, normalization, pooling
//===----------------------------------------------------------------------===//

/// Window attributes shared by convs and pools: one stride and dilation per
/// spatial dim (or none for the defaults), begin and end pads per spatial
/// dim, all in range.
static LogicalResult verifyWindowAttributes(Operation *op,
                                            std::optional<int64_t> rank,
                                            ArrayRef<int64_t> strides,
                                            ArrayRef<int64_t> pads,
                                            ArrayRef<int64_t> dilations) {
  if (llvm::any_of(strides, [](int64_t s) { return s <= 0; }))
    return op->emitOpError("strides must be positive");
  if (llvm::any_of(dilations, [](int64_t d) { return d <= 0; }))
    return op->emitOpError("dilations must be positive");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("pads must be non-negative");
  if (!rank)
    return success();
  if (*rank < 3)
    return op->emitOpError("input must have rank >= 3 (N, C, spatial...), "
                           "got rank ")
           << *rank;
  int64_t spatial = *rank - 2;
  auto checkLength = [&](ArrayRef<int64_t> values, int64_t expected,
                         StringRef name) -> LogicalResult {
    if (!values.empty() && static_cast<int64_t>(values.size()) != expected)
      return op->emitOpError()
             << name << " must have " << expected << " values for " << spatial
             << " spatial dims, got " << values.size();
    return success();
  };
  if (failed(checkLength(strides, spatial, "strides")) ||
      failed(checkLength(dilations, spatial, "dilations")) ||
      failed(checkLength(pads, 2 * spatial, "pads")))
    return failure();
  return success();
}

/// Conv-family operand checks: weight rank = input rank, group divides the
/// channels, input channels = weight channels * group.
static LogicalResult verifyConvOperands(Operation *op, Value input,
                                        Value weight, Value bias, int64_t group,
                                        ArrayRef<int64_t> strides,
                                        ArrayRef<int64_t> pads,
                                        ArrayRef<int64_t> dilations,
                                        bool transposed) {
  if (group < 1)
    return op->emitOpError("group must be positive, got ") << group;
  std::optional<int64_t> rank = getRank(input);
  if (!rank)
    rank = getRank(weight);
  if (failed(verifyWindowAttributes(op, rank, strides, pads, dilations)))
    return failure();
  auto inputShape = shapeOf(input), weightShape = shapeOf(weight);
  if (inputShape && weightShape && inputShape->size() != weightShape->size())
    return op->emitOpError("weight rank ")
           << weightShape->size() << " must equal input rank "
           << inputShape->size();
  if (weightShape && weightShape->size() < 3)
    return op->emitOpError("weight must have rank >= 3, got ")
           << weight.getType();
  int64_t inputChannels = inputShape ? (*inputShape)[1] : ShapedType::kDynamic;
  int64_t outputChannels = ShapedType::kDynamic;
  if (weightShape) {
    int64_t w0 = (*weightShape)[0], w1 = (*weightShape)[1];
    // Conv weights are (C_out, C_in / group, k...); ConvTranspose weights are
    // (C_in, C_out / group, k...).
    int64_t weightInput = transposed ? w0 : w1;
    outputChannels = transposed ? ShapedType::kDynamic : w0;
    if (transposed && !ShapedType::isDynamic(w1))
      outputChannels = w1 * group;
    if (!transposed && !ShapedType::isDynamic(w0) && w0 % group != 0)
      return op->emitOpError("group ")
             << group << " must divide the output channels " << w0;
    if (!ShapedType::isDynamic(inputChannels) &&
        !ShapedType::isDynamic(weightInput)) {
      int64_t expected = transposed ? weightInput : weightInput * group;
      if (inputChannels != expected)
        return op->emitOpError("input channels ")
               << inputChannels << " do not match the weight ("
               << (transposed ? "" : "channels * group = ") << expected << ")";
    }
  }
  if (!ShapedType::isDynamic(inputChannels) && inputChannels % group != 0)
    return op->emitOpError("group ")
           << group << " must divide the input channels " << inputChannels;
  if (bias) {
    auto biasShape = shapeOf(bias);
    if (biasShape && biasShape->size() != 1)
      return op->emitOpError("bias must be 1-D, got ") << bias.getType();
    if (biasShape && !ShapedType::isDynamic((*biasShape)[0]) &&
        !ShapedType::isDynamic(outputChannels) &&
        (*biasShape)[0] != outputChannels)
      return op->emitOpError("bias size ")
             << (*biasShape)[0] << " must equal the output channels "
             << outputChannels;
  }
  return success();
}

LogicalResult ConvOp::verify() {
  if (failed(expectFloatOrQuant(*this, getInput(), "input")) ||
      failed(expectFloatOrQuant(*this, getWeight(), "weight")) ||
      failed(verifyConvOperands(*this, getInput(), getWeight(), getBias(),
                                getGroup(), getStrides(), getPads(),
                                getDilations(), /*transposed=*/false)))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult ConvTransposeOp::verify() {
  if (failed(expectFloatOrQuant(*this, getInput(), "input")) ||
      failed(expectFloatOrQuant(*this, getWeight(), "weight")) ||
      failed(verifyConvOperands(*this, getInput(), getWeight(), getBias(),
                                getGroup(), getStrides(), getPads(),
                                getDilations(), /*transposed=*/true)))
    return failure();
  if (auto rank = getRank(getInput())) {
    int64_t spatial = *rank - 2;
    if (!getOutputPadding().empty() &&
        static_cast<int64_t>(getOutputPadding().size()) != spatial)
      return emitOpError("output_padding must have ")
             << spatial << " values, got " << getOutputPadding().size();
    if (auto outputShape = getOutputShape();
        outputShape && static_cast<int64_t>(outputShape->size()) != spatial &&
        static_cast<int64_t>(outputShape->size()) != *rank)
      return emitOpError("output_shape must have ")
             << spatial << " values, got " << outputShape->size();
  }
  return verifyInferredResultShapes(*this);
}

LogicalResult ConvIntegerOp::verify() {
  if (failed(expectInt8(*this, getInput(), "input")) ||
      failed(expectInt8(*this, getWeight(), "weight")) ||
      (getInputZeroPoint() &&
       failed(expectInt8(*this, getInputZeroPoint(), "input_zero_point"))) ||
      (getWeightZeroPoint() &&
       failed(expectInt8(*this, getWeightZeroPoint(), "weight_zero_point"))))
    return failure();
  if (!getElementType(getOutput()).isInteger(32))
    return emitOpError("result must be a tensor of i32, got ")
           << getOutput().getType();
  if (failed(verifyConvOperands(*this, getInput(), getWeight(), Value(),
                                getGroup(), getStrides(), getPads(),
                                getDilations(), /*transposed=*/false)))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult QLinearConvOp::verify() {
  if (failed(expectInt8(*this, getInput(), "input")) ||
      failed(expectInt8(*this, getWeight(), "weight")) ||
      failed(expectInt8(*this, getOutput(), "result")))
    return failure();
  if (getElementType(getOutputZeroPoint()) != getElementType(getOutput()))
    return emitOpError("result element type must match output_zero_point");
  if (getBias() && !getElementType(getBias()).isInteger(32))
    return emitOpError("bias must be a tensor of i32, got ")
           << getBias().getType();
  if (failed(verifyConvOperands(*this, getInput(), getWeight(), getBias(),
                                getGroup(), getStrides(), getPads(),
                                getDilations(), /*transposed=*/false)))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult BatchNormOp::verify() {
  if (failed(expectFloatOrQuant(*this, getInput(), "input")))
    return failure();
  auto rank = getRank(getInput());
  if (rank && *rank < 2)
    return emitOpError("input must have rank >= 2, got ")
           << getInput().getType();
  int64_t channels = rank ? (*shapeOf(getInput()))[1] : ShapedType::kDynamic;
  for (Value param : {getScale(), getBias(), getMean(), getVariance()}) {
    auto shape = shapeOf(param);
    if (!shape)
      continue;
    if (shape->size() != 1)
      return emitOpError("scale, bias, mean and variance must be 1-D, got ")
             << param.getType();
    if (!ShapedType::isDynamic(channels) &&
        !ShapedType::isDynamic((*shape)[0]) && (*shape)[0] != channels)
      return emitOpError("parameter size ")
             << (*shape)[0] << " must equal the channels " << channels;
  }
  return verifyInferredResultShapes(*this);
}

LogicalResult LayerNormOp::verify() {
  if (failed(expectFloatOrQuant(*this, getInput(), "input")) ||
      failed(expectAxis(*this, getAxis(), getInput())))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult SimplifiedLayerNormOp::verify() {
  if (failed(expectFloatOrQuant(*this, getInput(), "input")) ||
      failed(expectAxis(*this, getAxis(), getInput())))
    return failure();
  return verifyInferredResultShapes(*this);
}

static LogicalResult verifyPool(Operation *op, Value input,
                                ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations,
                                bool allowInt8 = false) {
  if (llvm::any_of(kernel, [](int64_t k) { return k <= 0; }))
    return op->emitOpError("kernel_shape must be positive");
  std::optional<int64_t> rank = getRank(input);
  if (failed(verifyWindowAttributes(op, rank, strides, pads, dilations)))
    return failure();
  if (rank && static_cast<int64_t>(kernel.size()) != *rank - 2)
    return op->emitOpError("kernel_shape must have ")
           << *rank - 2 << " values, got " << kernel.size();
  // MaxPool-12 also takes int8/uint8: a max needs no arithmetic.
  bool isInt8 = allowInt8 && isIntOfWidth(getElementType(input), 8);
  if (!isInt8 && failed(expectFloatOrQuant(op, input, "input")))
    return failure();
  return verifyInferredResultShapes(op);
}

LogicalResult MaxPoolOp::verify() {
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError("storage_order must be 0 or 1");
  return verifyPool(*this, getInput(), getKernelShape(), getStrides(),
                    getPads(), getDilations(), /*allowInt8=*/true);
}

LogicalResult AveragePoolOp::verify() {
  return verifyPool(*this, getInput(), getKernelShape(), getStrides(),
                    getPads(), getDilations());
}

LogicalResult GlobalAveragePoolOp::verify() {
  if (auto rank = getRank(getInput()); rank && *rank < 3)
    return emitOpError("input must have rank >= 3, got ")
           << getInput().getType();
  if (failed(expectFloatOrQuant(*this, getInput(), "input")))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult SoftmaxOp::verify() {
  if (failed(expectFloatOrQuant(*this, getInput(), "input")) ||
      failed(expectAxis(*this, getAxis(), getInput())))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult ReduceMeanOp::verify() {
  if (getAxes() && (failed(expectI64(*this, getAxes(), "axes")) ||
                    failed(expectRankAtMost1(*this, getAxes(), "axes"))))
    return failure();
  SmallVector<int64_t> axes;
  if (getAxes() && getConstantInts(getAxes(), axes))
    for (int64_t axis : axes)
      if (failed(expectAxis(*this, axis, getInput())))
        return failure();
  return verifyInferredResultShapes(*this);
}
