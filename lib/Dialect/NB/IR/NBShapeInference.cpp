//===- NBShapeInference.cpp - result shape inference for nb ops -----------===//
//
// InferResultShapesOpInterface for every nb op with ONNX shape semantics.
// Dynamic dims, unranked operands and non-constant shape operands leave the
// corresponding parts of the result open instead of failing.
//
//===----------------------------------------------------------------------===//
#include "NBOpsUtils.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::detail;

using Components = SmallVectorImpl<ShapedTypeComponents>;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The shape of `v` with element type `elementType` (open if null).
static ShapedTypeComponents sameShapeAs(Value v, Type elementType) {
  if (auto shape = shapeOf(v))
    return rankedComponents(*shape, elementType);
  return unrankedComponents(elementType);
}

static ShapedTypeComponents sameShapeAs(Value v) {
  return sameShapeAs(v, inferableElementType(getElementType(v)));
}

static int64_t attrOr(ArrayRef<int64_t> values, size_t i, int64_t fallback) {
  return i < values.size() ? values[i] : fallback;
}

/// Sliding-window ops (conv, conv_integer, qlinear_conv, pools): batch,
/// `channels`, then one output dim per spatial dim.
static ShapedTypeComponents
inferSlidingWindow(Value input, int64_t rank, int64_t channels,
                   ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                   ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                   AutoPad autoPad, bool ceilMode, Type elementType) {
  SmallVector<int64_t> dims(rank, kDynamic);
  if (rank < 2)
    return unrankedComponents(elementType);
  dims[1] = channels;
  auto inputShape = shapeOf(input);
  if (!inputShape)
    return rankedComponents(dims, elementType);
  dims[0] = (*inputShape)[0];
  int64_t spatial = rank - 2;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = (*inputShape)[2 + i];
    int64_t k = attrOr(kernel, i, kDynamic);
    int64_t stride = attrOr(strides, i, 1);
    int64_t dilation = attrOr(dilations, i, 1);
    if (ShapedType::isDynamic(in))
      continue;
    switch (autoPad) {
    case AutoPad::SameUpper:
    case AutoPad::SameLower:
      dims[2 + i] = stride > 0 ? (in + stride - 1) / stride : kDynamic;
      break;
    case AutoPad::Valid:
      dims[2 + i] =
          slidingWindowOutputSize(in, k, stride, dilation, 0, 0, ceilMode);
      break;
    case AutoPad::NotSet:
      dims[2 + i] =
          slidingWindowOutputSize(in, k, stride, dilation, attrOr(pads, i, 0),
                                  attrOr(pads, spatial + i, 0), ceilMode);
      break;
    }
  }
  return rankedComponents(dims, elementType);
}

/// Convolutions: the kernel and output channels come from the weight.
static ShapedTypeComponents
inferConvolution(Value input, Value weight, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                 AutoPad autoPad, Type elementType) {
  auto weightShape = shapeOf(weight);
  std::optional<int64_t> rank = getRank(input);
  if (!rank && weightShape)
    rank = weightShape->size();
  if (!rank)
    return unrankedComponents(elementType);
  SmallVector<int64_t> kernel;
  int64_t channels = kDynamic;
  if (weightShape && weightShape->size() >= 2) {
    channels = (*weightShape)[0];
    kernel.assign(weightShape->begin() + 2, weightShape->end());
  }
  return inferSlidingWindow(input, *rank, channels, kernel, strides, pads,
                            dilations, autoPad, /*ceilMode=*/false,
                            elementType);
}

/// The element type of a float convolution/matmul result when it follows
/// from the operands; quantized ones leave it to the declared result.
static Type floatResultElementType(Value lhs, Value rhs) {
  Type l = getElementType(lhs), r = getElementType(rhs);
  return (!isQuant(l) && !isQuant(r)) ? l : Type();
}

/// Numpy matmul: 1-D operands are promoted and the promoted dims dropped.
static ShapedTypeComponents inferMatMul(Value lhs, Value rhs,
                                        Type elementType) {
  auto lhsShape = shapeOf(lhs), rhsShape = shapeOf(rhs);
  if (!lhsShape || !rhsShape || lhsShape->empty() || rhsShape->empty())
    return unrankedComponents(elementType);
  SmallVector<int64_t> l(*lhsShape), r(*rhsShape);
  bool lhsVector = l.size() == 1, rhsVector = r.size() == 1;
  if (lhsVector)
    l.insert(l.begin(), 1);
  if (rhsVector)
    r.push_back(1);
  auto batch =
      broadcastShapes(ArrayRef(l).drop_back(2), ArrayRef(r).drop_back(2));
  if (!batch)
    return unrankedComponents(elementType);
  SmallVector<int64_t> dims(*batch);
  if (!lhsVector)
    dims.push_back(l[l.size() - 2]);
  if (!rhsVector)
    dims.push_back(r.back());
  return rankedComponents(dims, elementType);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

#define NB_SAME_SHAPE_INFERENCE(Op)                                            \
  void Op::inferResultShapes(Components &inferred) {                           \
    inferred.push_back(sameShapeAs(getInput()));                               \
  }
NB_SAME_SHAPE_INFERENCE(ReluOp)
NB_SAME_SHAPE_INFERENCE(SigmoidOp)
NB_SAME_SHAPE_INFERENCE(TanhOp)
NB_SAME_SHAPE_INFERENCE(ErfOp)
NB_SAME_SHAPE_INFERENCE(SqrtOp)
NB_SAME_SHAPE_INFERENCE(NegOp)
NB_SAME_SHAPE_INFERENCE(SinOp)
NB_SAME_SHAPE_INFERENCE(CosOp)
NB_SAME_SHAPE_INFERENCE(ExpOp)
NB_SAME_SHAPE_INFERENCE(LogOp)
NB_SAME_SHAPE_INFERENCE(AbsOp)
NB_SAME_SHAPE_INFERENCE(ReciprocalOp)
NB_SAME_SHAPE_INFERENCE(HardSwishOp)
NB_SAME_SHAPE_INFERENCE(LeakyReluOp)
NB_SAME_SHAPE_INFERENCE(HardSigmoidOp)
NB_SAME_SHAPE_INFERENCE(GeluOp)
NB_SAME_SHAPE_INFERENCE(ClipOp)
NB_SAME_SHAPE_INFERENCE(SoftmaxOp)
NB_SAME_SHAPE_INFERENCE(BatchNormOp)
NB_SAME_SHAPE_INFERENCE(SimplifiedLayerNormOp)
NB_SAME_SHAPE_INFERENCE(TriluOp)
#undef NB_SAME_SHAPE_INFERENCE

void CastOp::inferResultShapes(Components &inferred) {
  inferred.push_back(sameShapeAs(getInput(), Type()));
}

static ShapedTypeComponents inferBroadcast(ValueRange operands,
                                           Type elementType) {
  SmallVector<int64_t> dims;
  for (Value operand : operands) {
    auto shape = shapeOf(operand);
    if (!shape)
      return unrankedComponents(elementType);
    auto broadcast = broadcastShapes(dims, *shape);
    if (!broadcast)
      return unrankedComponents(elementType);
    dims = std::move(*broadcast);
  }
  return rankedComponents(dims, elementType);
}

#define NB_BROADCAST_INFERENCE(Op)                                             \
  void Op::inferResultShapes(Components &inferred) {                           \
    inferred.push_back(                                                        \
        inferBroadcast({getLhs(), getRhs()},                                   \
                       inferableElementType(getElementType(getLhs()))));       \
  }
NB_BROADCAST_INFERENCE(AddOp)
NB_BROADCAST_INFERENCE(SubOp)
NB_BROADCAST_INFERENCE(MulOp)
NB_BROADCAST_INFERENCE(DivOp)
NB_BROADCAST_INFERENCE(PowOp)
#undef NB_BROADCAST_INFERENCE

void EqualOp::inferResultShapes(Components &inferred) {
  inferred.push_back(
      inferBroadcast({getLhs(), getRhs()}, IntegerType::get(getContext(), 1)));
}

void WhereOp::inferResultShapes(Components &inferred) {
  inferred.push_back(
      inferBroadcast({getCondition(), getX(), getY()},
                     inferableElementType(getElementType(getX()))));
}

//===----------------------------------------------------------------------===//
// Convolution, normalization, pooling
//===----------------------------------------------------------------------===//

void ConvOp::inferResultShapes(Components &inferred) {
  inferred.push_back(inferConvolution(
      getInput(), getWeight(), getStrides(), getPads(), getDilations(),
      getAutoPad(), floatResultElementType(getInput(), getWeight())));
}

void ConvIntegerOp::inferResultShapes(Components &inferred) {
  inferred.push_back(inferConvolution(getInput(), getWeight(), getStrides(),
                                      getPads(), getDilations(), getAutoPad(),
                                      IntegerType::get(getContext(), 32)));
}

void QLinearConvOp::inferResultShapes(Components &inferred) {
  inferred.push_back(inferConvolution(getInput(), getWeight(), getStrides(),
                                      getPads(), getDilations(), getAutoPad(),
                                      getElementType(getOutputZeroPoint())));
}

void ConvTransposeOp::inferResultShapes(Components &inferred) {
  Type elementType = floatResultElementType(getInput(), getWeight());
  auto weightShape = shapeOf(getWeight());
  std::optional<int64_t> rank = getRank(getInput());
  if (!rank && weightShape)
    rank = weightShape->size();
  if (!rank || *rank < 2) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  SmallVector<int64_t> dims(*rank, kDynamic);
  if (weightShape && weightShape->size() >= 2 &&
      !ShapedType::isDynamic((*weightShape)[1]))
    dims[1] = (*weightShape)[1] * getGroup();
  auto inputShape = shapeOf(getInput());
  if (inputShape)
    dims[0] = (*inputShape)[0];
  int64_t spatial = *rank - 2;
  std::optional<ArrayRef<int64_t>> outputShape = getOutputShape();
  for (int64_t i = 0; i < spatial; ++i) {
    if (outputShape) {
      // ONNX output_shape lists the spatial dims (some exporters include N
      // and C as well).
      size_t offset = outputShape->size() == static_cast<size_t>(*rank) ? 2 : 0;
      dims[2 + i] = attrOr(*outputShape, offset + i, kDynamic);
      continue;
    }
    if (!inputShape || !weightShape || weightShape->size() != *rank)
      continue;
    int64_t in = (*inputShape)[2 + i], k = (*weightShape)[2 + i];
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(k))
      continue;
    int64_t stride = attrOr(getStrides(), i, 1);
    if (getAutoPad() == AutoPad::SameUpper ||
        getAutoPad() == AutoPad::SameLower) {
      dims[2 + i] = in * stride;
      continue;
    }
    int64_t padBegin = 0, padEnd = 0;
    if (getAutoPad() == AutoPad::NotSet) {
      padBegin = attrOr(getPads(), i, 0);
      padEnd = attrOr(getPads(), spatial + i, 0);
    }
    int64_t dilation = attrOr(getDilations(), i, 1);
    dims[2 + i] = stride * (in - 1) + attrOr(getOutputPadding(), i, 0) +
                  (k - 1) * dilation + 1 - padBegin - padEnd;
  }
  inferred.push_back(rankedComponents(dims, elementType));
}

void LayerNormOp::inferResultShapes(Components &inferred) {
  inferred.push_back(sameShapeAs(getInput()));
  if (getNumResults() == 1)
    return;
  // Mean and InvStdDev keep the leading dims and reduce the rest to 1.
  ShapedTypeComponents stats = unrankedComponents();
  if (auto shape = shapeOf(getInput())) {
    SmallVector<int64_t> dims(*shape);
    if (auto axis = normalizeAxis(getAxis(), dims.size()))
      for (int64_t i = *axis, e = dims.size(); i < e; ++i)
        dims[i] = 1;
    stats = rankedComponents(dims);
  }
  for (unsigned i = 1, e = getNumResults(); i < e; ++i)
    inferred.push_back(stats);
}

void MaxPoolOp::inferResultShapes(Components &inferred) {
  std::optional<int64_t> rank = getRank(getInput());
  ShapedTypeComponents output =
      unrankedComponents(inferableElementType(getElementType(getInput())));
  if (rank) {
    int64_t channels = (*shapeOf(getInput()))[1];
    output = inferSlidingWindow(
        getInput(), *rank, channels, getKernelShape(), getStrides(), getPads(),
        getDilations(), getAutoPad(), getCeilMode(), output.getElementType());
  }
  inferred.push_back(output);
  if (getNumResults() == 2) {
    ShapedTypeComponents indices = output;
    Type i64 = IntegerType::get(getContext(), 64);
    inferred.push_back(indices.hasRank()
                           ? rankedComponents(indices.getDims(), i64)
                           : unrankedComponents(i64));
  }
}

void AveragePoolOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  std::optional<int64_t> rank = getRank(getInput());
  if (!rank) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  int64_t channels = (*shapeOf(getInput()))[1];
  inferred.push_back(inferSlidingWindow(
      getInput(), *rank, channels, getKernelShape(), getStrides(), getPads(),
      getDilations(), getAutoPad(), getCeilMode(), elementType));
}

void GlobalAveragePoolOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  if (!shape) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  SmallVector<int64_t> dims(*shape);
  for (size_t i = 2; i < dims.size(); ++i)
    dims[i] = 1;
  inferred.push_back(rankedComponents(dims, elementType));
}

void ReduceMeanOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  SmallVector<int64_t> axes;
  bool constantAxes = !getAxes() || getConstantInts(getAxes(), axes);
  if (!shape || !constantAxes) {
    // Without constant axes the rank is known only with keepdims.
    inferred.push_back(shape && getKeepdims()
                           ? dynamicComponents(shape->size(), elementType)
                           : unrankedComponents(elementType));
    return;
  }
  int64_t rank = shape->size();
  SmallVector<bool> reduced(rank, axes.empty() && !getNoopWithEmptyAxes());
  for (int64_t axis : axes)
    if (auto normalized = normalizeAxis(axis, rank))
      reduced[*normalized] = true;
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      dims.push_back((*shape)[i]);
    else if (getKeepdims())
      dims.push_back(1);
  }
  inferred.push_back(rankedComponents(dims, elementType));
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

void MatMulOp::inferResultShapes(Components &inferred) {
  inferred.push_back(inferMatMul(getLhs(), getRhs(),
                                 floatResultElementType(getLhs(), getRhs())));
}

void MatMulIntegerOp::inferResultShapes(Components &inferred) {
  inferred.push_back(
      inferMatMul(getLhs(), getRhs(), IntegerType::get(getContext(), 32)));
}

void QLinearMatMulOp::inferResultShapes(Components &inferred) {
  inferred.push_back(
      inferMatMul(getLhs(), getRhs(), getElementType(getOutputZeroPoint())));
}

void GemmOp::inferResultShapes(Components &inferred) {
  Type elementType = floatResultElementType(getA(), getB());
  auto a = shapeOf(getA()), b = shapeOf(getB());
  SmallVector<int64_t> dims(2, kDynamic);
  if (a && a->size() == 2)
    dims[0] = (*a)[getTransA() ? 1 : 0];
  if (b && b->size() == 2)
    dims[1] = (*b)[getTransB() ? 0 : 1];
  inferred.push_back(rankedComponents(dims, elementType));
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

void QuantizeLinearOp::inferResultShapes(Components &inferred) {
  // The element type is the zero point's integer type or a quant type over
  // it; the verifier checks which.
  inferred.push_back(sameShapeAs(getInput(), Type()));
}

void DequantizeLinearOp::inferResultShapes(Components &inferred) {
  inferred.push_back(sameShapeAs(getInput(), getElementType(getScale())));
}

void DynamicQuantizeLinearOp::inferResultShapes(Components &inferred) {
  MLIRContext *ctx = getContext();
  Type u8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  inferred.push_back(sameShapeAs(getInput(), u8));
  inferred.push_back(rankedComponents({}, Float32Type::get(ctx)));
  inferred.push_back(rankedComponents({}, u8));
}
