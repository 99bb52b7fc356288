//===- NBShapeOpsInference.cpp - shape inference of data-movement ops -----===//
//
// InferResultShapesOpInterface for concat, reshape, transpose, squeeze,
// slice, pad, resize, ... Constant shape/axes/pads operands are matched with
// m_Constant; without them only the rank (when known) is inferred.
//
//===----------------------------------------------------------------------===//
#include "NBOpsUtils.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::detail;

using Components = SmallVectorImpl<ShapedTypeComponents>;

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
    inferred.push_back(perm.empty()
                           ? unrankedComponents(elementType)
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
    if (!llvm::all_of(*shape,
                      [](int64_t d) { return !ShapedType::isDynamic(d); })) {
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
      dims[*normalized] =
          addDims(dims[*normalized], pads[i] + pads[i + axes.size()]);
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
      return static_cast<double>(
          (*ints.getValues<APInt>().begin()).getSExtValue());
    if (isa<FloatType>(attr.getElementType()))
      return (*attr.getValues<APFloat>().begin()).convertToDouble();
    return std::nullopt;
  };
  auto s = scalar(start), l = scalar(limit), d = scalar(delta);
  if (s && l && d && *d != 0)
    size =
        std::max<int64_t>(0, static_cast<int64_t>(std::ceil((*l - *s) / *d)));
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
