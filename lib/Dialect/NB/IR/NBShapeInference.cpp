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

static int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return kDynamic;
    result *= d;
  }
  return result;
}

static int64_t addDims(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return kDynamic;
  return a + b;
}

static int64_t attrOr(ArrayRef<int64_t> values, size_t i, int64_t fallback) {
  return i < values.size() ? values[i] : fallback;
}

/// The number of elements of a static 1-D operand (e.g. a shape operand whose
/// values are unknown but whose length fixes the result rank).
static std::optional<int64_t> staticLength(Value v) {
  auto shape = shapeOf(v);
  if (!shape || shape->size() != 1 || ShapedType::isDynamic((*shape)[0]))
    return std::nullopt;
  return (*shape)[0];
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
      dims[2 + i] = slidingWindowOutputSize(in, k, stride, dilation,
                                            attrOr(pads, i, 0),
                                            attrOr(pads, spatial + i, 0),
                                            ceilMode);
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
  auto batch = broadcastShapes(ArrayRef(l).drop_back(2),
                               ArrayRef(r).drop_back(2));
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
    inferred.push_back(inferBroadcast(                                         \
        {getLhs(), getRhs()}, inferableElementType(getElementType(getLhs()))));\
  }
NB_BROADCAST_INFERENCE(AddOp)
NB_BROADCAST_INFERENCE(SubOp)
NB_BROADCAST_INFERENCE(MulOp)
NB_BROADCAST_INFERENCE(DivOp)
NB_BROADCAST_INFERENCE(PowOp)
#undef NB_BROADCAST_INFERENCE

void EqualOp::inferResultShapes(Components &inferred) {
  inferred.push_back(inferBroadcast({getLhs(), getRhs()},
                                    IntegerType::get(getContext(), 1)));
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
  inferred.push_back(inferConvolution(
      getInput(), getWeight(), getStrides(), getPads(), getDilations(),
      getAutoPad(), getElementType(getOutputZeroPoint())));
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
  ShapedTypeComponents output = unrankedComponents(
      inferableElementType(getElementType(getInput())));
  if (rank) {
    int64_t channels = (*shapeOf(getInput()))[1];
    output = inferSlidingWindow(getInput(), *rank, channels, getKernelShape(),
                                getStrides(), getPads(), getDilations(),
                                getAutoPad(), getCeilMode(),
                                output.getElementType());
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
  inferred.push_back(
      inferMatMul(getLhs(), getRhs(), floatResultElementType(getLhs(), getRhs())));
}

void MatMulIntegerOp::inferResultShapes(Components &inferred) {
  inferred.push_back(
      inferMatMul(getLhs(), getRhs(), IntegerType::get(getContext(), 32)));
}

void QLinearMatMulOp::inferResultShapes(Components &inferred) {
  inferred.push_back(inferMatMul(getLhs(), getRhs(),
                                 getElementType(getOutputZeroPoint())));
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
// Shape and data movement
//===----------------------------------------------------------------------===//

void ConcatOp::inferResultShapes(Components &inferred) {
  Type elementType =
      getInputs().empty()
          ? Type()
          : inferableElementType(getElementType(getInputs().front()));
  std::optional<int64_t> rank;
  for (Value input : getInputs())
    if ((rank = getRank(input)))
      break;
  std::optional<int64_t> axis =
      rank ? normalizeAxis(getAxis(), *rank) : std::nullopt;
  if (!rank || !axis) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  SmallVector<int64_t> dims(*rank, kDynamic);
  dims[*axis] = 0;
  for (Value input : getInputs()) {
    auto shape = shapeOf(input);
    if (!shape) {
      dims[*axis] = kDynamic;
      continue;
    }
    for (int64_t i = 0; i < *rank; ++i) {
      if (i == *axis)
        dims[i] = addDims(dims[i], (*shape)[i]);
      else if (ShapedType::isDynamic(dims[i]))
        dims[i] = (*shape)[i];
    }
  }
  inferred.push_back(rankedComponents(dims, elementType));
}

void FlattenOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  int64_t axis = getAxis();
  if (shape && axis < 0)
    axis += shape->size();
  if (!shape || axis < 0 || axis > static_cast<int64_t>(shape->size())) {
    inferred.push_back(dynamicComponents(2, elementType));
    return;
  }
  inferred.push_back(rankedComponents(
      {product(shape->take_front(axis)), product(shape->drop_front(axis))},
      elementType));
}

void ReshapeOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  SmallVector<int64_t> target;
  if (!getConstantInts(getShape(), target)) {
    std::optional<int64_t> length = staticLength(getShape());
    inferred.push_back(length ? dynamicComponents(*length, elementType)
                              : unrankedComponents(elementType));
    return;
  }
  auto inputShape = shapeOf(getInput());
  SmallVector<int64_t> dims;
  std::optional<size_t> inferredIndex;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == 0 && !getAllowzero()) {
      dims.push_back(inputShape && i < inputShape->size() ? (*inputShape)[i]
                                                          : kDynamic);
    } else if (d == -1) {
      inferredIndex = i;
      dims.push_back(kDynamic);
    } else {
      dims.push_back(d < 0 ? kDynamic : d);
    }
  }
  if (inferredIndex && inputShape) {
    int64_t total = product(*inputShape);
    int64_t known = 1;
    for (auto [i, d] : llvm::enumerate(dims))
      if (i != *inferredIndex)
        known = ShapedType::isDynamic(d) || ShapedType::isDynamic(known)
                    ? kDynamic
                    : known * d;
    if (!ShapedType::isDynamic(total) && !ShapedType::isDynamic(known) &&
        known > 0 && total % known == 0)
      dims[*inferredIndex] = total / known;
  }
  inferred.push_back(rankedComponents(dims, elementType));
}

void TransposeOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  ArrayRef<int64_t> perm = getPerm();
  auto shape = shapeOf(getInput());
  if (!shape) {
    inferred.push_back(perm.empty() ? unrankedComponents(elementType)
                                    : dynamicComponents(perm.size(), elementType));
    return;
  }
  SmallVector<int64_t> dims;
  if (perm.empty()) {
    // ONNX's default permutation reverses the dims.
    dims.assign(shape->rbegin(), shape->rend());
  } else {
    for (int64_t p : perm)
      dims.push_back(p >= 0 && p < static_cast<int64_t>(shape->size())
                         ? (*shape)[p]
                         : kDynamic);
  }
  inferred.push_back(rankedComponents(dims, elementType));
}

void UnsqueezeOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  SmallVector<int64_t> axes;
  if (!shape || !getConstantInts(getAxes(), axes)) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  int64_t rank = shape->size() + axes.size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : axes)
    if (auto normalized = normalizeAxis(axis, rank))
      inserted[*normalized] = true;
  SmallVector<int64_t> dims;
  const int64_t *next = shape->begin();
  for (int64_t i = 0; i < rank; ++i)
    dims.push_back(inserted[i] ? 1
                               : (next != shape->end() ? *next++ : kDynamic));
  inferred.push_back(rankedComponents(dims, elementType));
}

void SqueezeOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  SmallVector<int64_t> axes;
  if (!shape || (getAxes() && !getConstantInts(getAxes(), axes))) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  int64_t rank = shape->size();
  SmallVector<bool> removed(rank, false);
  if (!getAxes()) {
    // Without axes every dim of size 1 goes; a dynamic dim might be one.
    if (!llvm::all_of(*shape, [](int64_t d) { return !ShapedType::isDynamic(d); })) {
      inferred.push_back(unrankedComponents(elementType));
      return;
    }
    for (int64_t i = 0; i < rank; ++i)
      removed[i] = (*shape)[i] == 1;
  }
  for (int64_t axis : axes)
    if (auto normalized = normalizeAxis(axis, rank))
      removed[*normalized] = true;
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i)
    if (!removed[i])
      dims.push_back((*shape)[i]);
  inferred.push_back(rankedComponents(dims, elementType));
}

void ExpandOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  SmallVector<int64_t> target;
  if (!shape) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  if (!getConstantInts(getShape(), target)) {
    std::optional<int64_t> length = staticLength(getShape());
    inferred.push_back(
        length ? dynamicComponents(std::max<int64_t>(*length, shape->size()),
                                   elementType)
               : unrankedComponents(elementType));
    return;
  }
  auto broadcast = broadcastShapes(*shape, target);
  inferred.push_back(broadcast ? rankedComponents(*broadcast, elementType)
                               : unrankedComponents(elementType));
}

/// The [start, end) range of dims that nb.shape returns for a given rank.
static std::pair<int64_t, int64_t> shapeRange(ShapeOp op, int64_t rank) {
  auto clamp = [rank](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clamp(op.getStart());
  int64_t end = op.getEnd() ? clamp(*op.getEnd()) : rank;
  return {start, std::max(start, end)};
}

void ShapeOp::inferResultShapes(Components &inferred) {
  Type i64 = IntegerType::get(getContext(), 64);
  std::optional<int64_t> rank = getRank(getInput());
  if (!rank) {
    inferred.push_back(dynamicComponents(1, i64));
    return;
  }
  auto [start, end] = shapeRange(*this, *rank);
  inferred.push_back(rankedComponents({end - start}, i64));
}

void GatherOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getData()));
  auto data = shapeOf(getData());
  auto indices = shapeOf(getIndices());
  std::optional<int64_t> axis =
      data ? normalizeAxis(getAxis(), data->size()) : std::nullopt;
  if (!data || !indices || !axis) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  SmallVector<int64_t> dims(data->take_front(*axis));
  llvm::append_range(dims, *indices);
  llvm::append_range(dims, data->drop_front(*axis + 1));
  inferred.push_back(rankedComponents(dims, elementType));
}

void SliceOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getData()));
  auto shape = shapeOf(getData());
  if (!shape) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  int64_t rank = shape->size();
  SmallVector<int64_t> starts, ends, axes, steps;
  bool constant = getConstantInts(getStarts(), starts) &&
                  getConstantInts(getEnds(), ends) &&
                  (!getAxes() || getConstantInts(getAxes(), axes)) &&
                  (!getSteps() || getConstantInts(getSteps(), steps)) &&
                  starts.size() == ends.size();
  if (!constant) {
    inferred.push_back(dynamicComponents(rank, elementType));
    return;
  }
  if (!getAxes())
    for (int64_t i = 0, e = starts.size(); i < e; ++i)
      axes.push_back(i);
  SmallVector<int64_t> dims(*shape);
  for (size_t i = 0; i < starts.size() && i < axes.size(); ++i) {
    std::optional<int64_t> axis = normalizeAxis(axes[i], rank);
    int64_t step = i < steps.size() ? steps[i] : 1;
    if (!axis || step == 0)
      continue;
    int64_t dim = (*shape)[*axis];
    if (ShapedType::isDynamic(dim)) {
      dims[*axis] = kDynamic;
      continue;
    }
    auto normalize = [dim](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v = v < -dim ? -dim - 1 : v + dim; // keep INT64_MIN from wrapping
      return std::clamp(v, lo, hi);
    };
    int64_t start, end;
    if (step > 0) {
      start = normalize(starts[i], 0, dim);
      end = normalize(ends[i], 0, dim);
    } else {
      start = normalize(starts[i], 0, dim - 1);
      end = normalize(ends[i], -1, dim - 1);
    }
    int64_t size = step > 0 ? (end - start + step - 1) / step
                            : (start - end + (-step) - 1) / (-step);
    dims[*axis] = std::max<int64_t>(0, size);
  }
  inferred.push_back(rankedComponents(dims, elementType));
}

void SplitOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  unsigned numResults = getNumResults();
  std::optional<int64_t> axis =
      shape ? normalizeAxis(getAxis(), shape->size()) : std::nullopt;
  if (!shape || !axis) {
    inferred.append(numResults, unrankedComponents(elementType));
    return;
  }
  SmallVector<int64_t> sizes;
  int64_t dim = (*shape)[*axis];
  if (getSplit()) {
    if (!getConstantInts(getSplit(), sizes) || sizes.size() != numResults)
      sizes.assign(numResults, kDynamic);
  } else if (!ShapedType::isDynamic(dim) && numResults > 0) {
    int64_t chunk = (dim + numResults - 1) / numResults;
    for (unsigned i = 0; i < numResults; ++i)
      sizes.push_back(std::max<int64_t>(
          0, std::min<int64_t>(chunk, dim - chunk * static_cast<int64_t>(i))));
  } else {
    sizes.assign(numResults, kDynamic);
  }
  for (int64_t size : sizes) {
    SmallVector<int64_t> dims(*shape);
    dims[*axis] = size;
    inferred.push_back(rankedComponents(dims, elementType));
  }
}

void PadOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  if (!shape) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  int64_t rank = shape->size();
  SmallVector<int64_t> pads, axes;
  if (!getConstantInts(getPads(), pads) ||
      (getAxes() && !getConstantInts(getAxes(), axes))) {
    inferred.push_back(dynamicComponents(rank, elementType));
    return;
  }
  if (!getAxes())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  SmallVector<int64_t> dims(*shape);
  if (pads.size() != 2 * axes.size()) {
    inferred.push_back(dynamicComponents(rank, elementType));
    return;
  }
  for (auto [i, axis] : llvm::enumerate(axes))
    if (auto normalized = normalizeAxis(axis, rank))
      dims[*normalized] = addDims(
          dims[*normalized], pads[i] + pads[i + axes.size()]);
  inferred.push_back(rankedComponents(dims, elementType));
}

void ResizeOp::inferResultShapes(Components &inferred) {
  Type elementType = inferableElementType(getElementType(getInput()));
  auto shape = shapeOf(getInput());
  if (!shape) {
    inferred.push_back(unrankedComponents(elementType));
    return;
  }
  int64_t rank = shape->size();
  SmallVector<int64_t> axes;
  if (auto attr = getAxes()) {
    for (int64_t axis : *attr)
      if (auto normalized = normalizeAxis(axis, rank))
        axes.push_back(*normalized);
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  SmallVector<int64_t> dims(rank, kDynamic);
  // Dims not listed in `axes` keep their size.
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i))
      dims[i] = (*shape)[i];
  SmallVector<int64_t> sizes;
  DenseElementsAttr scales = getConstantElements(getScales());
  if (getSizes() && getConstantInts(getSizes(), sizes) &&
      sizes.size() == axes.size() &&
      getKeepAspectRatioPolicy() == KeepAspectRatioPolicy::Stretch) {
    for (auto [i, axis] : llvm::enumerate(axes))
      dims[axis] = sizes[i];
  } else if (scales && isa<FloatType>(scales.getElementType()) &&
             scales.getNumElements() == static_cast<int64_t>(axes.size()) &&
             getCoordinateTransformationMode() !=
                 CoordinateTransformationMode::TfCropAndResize) {
    for (auto [i, scale] : llvm::enumerate(scales.getValues<APFloat>())) {
      int64_t in = (*shape)[axes[i]];
      if (!ShapedType::isDynamic(in))
        dims[axes[i]] = static_cast<int64_t>(
            std::floor(static_cast<double>(in) * scale.convertToDouble()));
    }
  }
  inferred.push_back(rankedComponents(dims, elementType));
}

void RangeOp::inferResultShapes(Components &inferred) {
  Type elementType = getElementType(getStart());
  DenseElementsAttr start = getConstantElements(getStart());
  DenseElementsAttr limit = getConstantElements(getLimit());
  DenseElementsAttr delta = getConstantElements(getDelta());
  int64_t size = kDynamic;
  auto scalar = [](DenseElementsAttr attr) -> std::optional<double> {
    if (!attr || attr.getNumElements() != 1)
      return std::nullopt;
    if (auto ints = dyn_cast<DenseIntElementsAttr>(attr))
      return static_cast<double>((*ints.getValues<APInt>().begin()).getSExtValue());
    if (isa<FloatType>(attr.getElementType()))
      return (*attr.getValues<APFloat>().begin()).convertToDouble();
    return std::nullopt;
  };
  auto s = scalar(start), l = scalar(limit), d = scalar(delta);
  if (s && l && d && *d != 0)
    size = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((*l - *s) / *d)));
  inferred.push_back(rankedComponents({size}, elementType));
}

void ConstantOfShapeOp::inferResultShapes(Components &inferred) {
  Type elementType = getValue().getElementType();
  SmallVector<int64_t> dims;
  if (getConstantInts(getShape(), dims)) {
    inferred.push_back(rankedComponents(dims, elementType));
    return;
  }
  std::optional<int64_t> length = staticLength(getShape());
  inferred.push_back(length ? dynamicComponents(*length, elementType)
                            : unrankedComponents(elementType));
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
