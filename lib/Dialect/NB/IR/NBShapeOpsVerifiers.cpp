//===- NBShapeOpsVerifiers.cpp - verifiers of linear algebra and shape ops ===//
//
// Matmul-family and data-movement ops. As in NBOpsVerifiers.cpp, each
// verifier checks what its types and attributes decide and then compares the
// declared result types with the inferred ones.
//
//===----------------------------------------------------------------------===//
#include "NBOpsUtils.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::detail;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

/// Numpy matmul: rank >= 1 operands whose contraction dims agree.
static LogicalResult verifyMatMulShapes(Operation *op, Value lhs, Value rhs) {
  auto l = shapeOf(lhs), r = shapeOf(rhs);
  if ((l && l->empty()) || (r && r->empty()))
    return op->emitOpError("operands must have rank >= 1");
  if (!l || !r)
    return success();
  int64_t k1 = l->back();
  int64_t k2 = r->size() == 1 ? r->front() : (*r)[r->size() - 2];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return op->emitOpError("contraction dims differ: ") << k1 << " vs " << k2;
  if (l->size() > 2 && r->size() > 2 &&
      !broadcastShapes(l->drop_back(2), r->drop_back(2)))
    return op->emitOpError("batch dims are not broadcastable");
  return success();
}

LogicalResult MatMulOp::verify() {
  if (failed(expectFloatOrQuant(*this, getLhs(), "lhs")) ||
      failed(expectFloatOrQuant(*this, getRhs(), "rhs")) ||
      failed(verifyMatMulShapes(*this, getLhs(), getRhs())))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult MatMulIntegerOp::verify() {
  if (failed(expectInt8(*this, getLhs(), "lhs")) ||
      failed(expectInt8(*this, getRhs(), "rhs")) ||
      (getLhsZeroPoint() &&
       failed(expectInt8(*this, getLhsZeroPoint(), "lhs_zero_point"))) ||
      (getRhsZeroPoint() &&
       failed(expectInt8(*this, getRhsZeroPoint(), "rhs_zero_point"))))
    return failure();
  if (getLhsZeroPoint() &&
      getElementType(getLhsZeroPoint()) != getElementType(getLhs()))
    return emitOpError("lhs_zero_point element type must match lhs");
  if (getRhsZeroPoint() &&
      getElementType(getRhsZeroPoint()) != getElementType(getRhs()))
    return emitOpError("rhs_zero_point element type must match rhs");
  if (!getElementType(getOutput()).isInteger(32))
    return emitOpError("result must be a tensor of i32, got ")
           << getOutput().getType();
  if (failed(verifyMatMulShapes(*this, getLhs(), getRhs())))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult QLinearMatMulOp::verify() {
  if (failed(expectInt8(*this, getLhs(), "lhs")) ||
      failed(expectInt8(*this, getRhs(), "rhs")) ||
      failed(expectInt8(*this, getOutput(), "result")))
    return failure();
  if (getElementType(getLhsZeroPoint()) != getElementType(getLhs()) ||
      getElementType(getRhsZeroPoint()) != getElementType(getRhs()) ||
      getElementType(getOutputZeroPoint()) != getElementType(getOutput()))
    return emitOpError("zero point element types must match their tensors");
  if (failed(verifyMatMulShapes(*this, getLhs(), getRhs())))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult GemmOp::verify() {
  if (failed(expectFloatOrQuant(*this, getA(), "A")) ||
      failed(expectFloatOrQuant(*this, getB(), "B")) ||
      failed(expectRank(*this, getA(), 2, "A")) ||
      failed(expectRank(*this, getB(), 2, "B")))
    return failure();
  auto a = shapeOf(getA()), b = shapeOf(getB());
  if (a && b) {
    int64_t k1 = (*a)[getTransA() ? 0 : 1], k2 = (*b)[getTransB() ? 1 : 0];
    if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
      return emitOpError("contraction dims differ: ") << k1 << " vs " << k2;
  }
  if (getC()) {
    auto c = shapeOf(getC());
    if (c && c->size() > 2)
      return emitOpError("C must have rank <= 2, got ") << getC().getType();
    auto out = shapeOf(getOutput());
    if (c && out && !broadcastShapes(*c, *out))
      return emitOpError("C ")
             << getC().getType() << " is not broadcastable to the result";
  }
  return verifyInferredResultShapes(*this);
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  std::optional<int64_t> rank;
  for (Value input : getInputs()) {
    std::optional<int64_t> r = getRank(input);
    if (!r)
      continue;
    if (rank && *r != *rank)
      return emitOpError("inputs must have the same rank, got ")
             << *rank << " and " << *r;
    rank = r;
  }
  if (!rank)
    return verifyInferredResultShapes(*this);
  std::optional<int64_t> axis = normalizeAxis(getAxis(), *rank);
  if (!axis)
    return emitOpError("axis ") << static_cast<int64_t>(getAxis())
                                << " is out of range for rank " << *rank;
  SmallVector<int64_t> dims(*rank, ShapedType::kDynamic);
  for (Value input : getInputs()) {
    auto shape = shapeOf(input);
    if (!shape)
      continue;
    for (int64_t i = 0; i < *rank; ++i) {
      if (i == *axis || ShapedType::isDynamic((*shape)[i]))
        continue;
      if (!ShapedType::isDynamic(dims[i]) && dims[i] != (*shape)[i])
        return emitOpError("inputs differ in non-axis dim ")
               << i << ": " << dims[i] << " vs " << (*shape)[i];
      dims[i] = (*shape)[i];
    }
  }
  if (failed(expectSameFloatTypes(*this, getInputs())))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult FlattenOp::verify() {
  // ONNX Flatten's axis is in [-rank, rank] (rank gives a 1 x N result).
  int64_t axis = getAxis();
  if (auto rank = getRank(getInput()); rank && (axis < -*rank || axis > *rank))
    return emitOpError("axis ")
           << axis << " is out of range for rank " << *rank;
  if (failed(expectRank(*this, getOutput(), 2, "result")))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult ReshapeOp::verify() {
  if (failed(expectI64(*this, getShape(), "shape")) ||
      failed(expectRank(*this, getShape(), 1, "shape")))
    return failure();
  SmallVector<int64_t> target;
  if (getConstantInts(getShape(), target)) {
    if (llvm::count(target, -1) > 1)
      return emitOpError("shape may contain at most one -1");
    if (llvm::any_of(target, [](int64_t d) { return d < -1; }))
      return emitOpError("shape dims must be >= -1");
    if (getAllowzero() && llvm::is_contained(target, 0) &&
        llvm::is_contained(target, -1))
      return emitOpError("shape with allowzero may not contain both 0 and -1");
  }
  auto in = dyn_cast<RankedTensorType>(getInput().getType());
  auto out = dyn_cast<RankedTensorType>(getOutput().getType());
  if (in && out && in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("input has ")
           << in.getNumElements() << " elements but the result has "
           << out.getNumElements();
  return verifyInferredResultShapes(*this);
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> perm = getPerm();
  llvm::SmallBitVector seen(perm.size());
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen.test(p))
      return emitOpError("perm must be a permutation of [0, ")
             << perm.size() << ")";
    seen.set(p);
  }
  if (auto rank = getRank(getInput());
      rank && !perm.empty() && *rank != static_cast<int64_t>(perm.size()))
    return emitOpError("perm has ")
           << perm.size() << " entries for an input of rank " << *rank;
  return verifyInferredResultShapes(*this);
}

/// Constant axes are unique and in range for `rank`.
static LogicalResult verifyConstantAxes(Operation *op, Value axesValue,
                                        std::optional<int64_t> rank) {
  SmallVector<int64_t> axes;
  if (!axesValue || !rank || !getConstantInts(axesValue, axes))
    return success();
  llvm::SmallBitVector seen(*rank);
  for (int64_t axis : axes) {
    std::optional<int64_t> normalized = normalizeAxis(axis, *rank);
    if (!normalized)
      return op->emitOpError("axis ")
             << axis << " is out of range for rank " << *rank;
    if (seen.test(*normalized))
      return op->emitOpError("axis ") << axis << " is repeated";
    seen.set(*normalized);
  }
  return success();
}

LogicalResult UnsqueezeOp::verify() {
  if (failed(expectI64(*this, getAxes(), "axes")) ||
      failed(expectRankAtMost1(*this, getAxes(), "axes")))
    return failure();
  SmallVector<int64_t> axes;
  std::optional<int64_t> rank = getRank(getInput());
  if (rank && getConstantInts(getAxes(), axes))
    *rank += axes.size();
  if (failed(verifyConstantAxes(*this, getAxes(), rank)))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult SqueezeOp::verify() {
  if (getAxes() && (failed(expectI64(*this, getAxes(), "axes")) ||
                    failed(expectRankAtMost1(*this, getAxes(), "axes"))))
    return failure();
  if (failed(verifyConstantAxes(*this, getAxes(), getRank(getInput()))))
    return failure();
  SmallVector<int64_t> axes;
  auto shape = shapeOf(getInput());
  if (shape && getAxes() && getConstantInts(getAxes(), axes))
    for (int64_t axis : axes) {
      int64_t dim = (*shape)[*normalizeAxis(axis, shape->size())];
      if (!ShapedType::isDynamic(dim) && dim != 1)
        return emitOpError("cannot squeeze axis ")
               << axis << " of size " << dim;
    }
  return verifyInferredResultShapes(*this);
}

LogicalResult ExpandOp::verify() {
  if (failed(expectI64(*this, getShape(), "shape")) ||
      failed(expectRank(*this, getShape(), 1, "shape")))
    return failure();
  SmallVector<int64_t> target;
  auto shape = shapeOf(getInput());
  if (shape && getConstantInts(getShape(), target) &&
      !broadcastShapes(*shape, target))
    return emitOpError("input ")
           << getInput().getType() << " is not broadcastable to the shape";
  return verifyInferredResultShapes(*this);
}

LogicalResult ShapeOp::verify() {
  if (failed(expectI64(*this, getOutput(), "result")) ||
      failed(expectRank(*this, getOutput(), 1, "result")))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult GatherOp::verify() {
  if (failed(expectIndexLike(*this, getIndices(), "indices")) ||
      failed(expectAxis(*this, getAxis(), getData())))
    return failure();
  if (auto rank = getRank(getData()); rank && *rank == 0)
    return emitOpError("data must have rank >= 1");
  return verifyInferredResultShapes(*this);
}

LogicalResult SliceOp::verify() {
  for (auto [value, name] : {std::pair{getStarts(), "starts"},
                             {getEnds(), "ends"},
                             {getAxes(), "axes"},
                             {getSteps(), "steps"}}) {
    if (value && (failed(expectIndexLike(*this, value, name)) ||
                  failed(expectRank(*this, value, 1, name))))
      return failure();
  }
  SmallVector<int64_t> steps;
  if (getSteps() && getConstantInts(getSteps(), steps) &&
      llvm::is_contained(steps, 0))
    return emitOpError("steps must be non-zero");
  if (failed(verifyConstantAxes(*this, getAxes(), getRank(getData()))))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult SplitOp::verify() {
  if (getNumResults() == 0)
    return emitOpError("needs at least one result");
  if (failed(expectAxis(*this, getAxis(), getInput())))
    return failure();
  if (getSplit()) {
    if (failed(expectI64(*this, getSplit(), "split")) ||
        failed(expectRank(*this, getSplit(), 1, "split")))
      return failure();
    SmallVector<int64_t> sizes;
    if (getConstantInts(getSplit(), sizes)) {
      if (sizes.size() != getNumResults())
        return emitOpError("split has ") << sizes.size() << " sizes for "
                                         << getNumResults() << " results";
      if (llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
        return emitOpError("split sizes must be non-negative");
      auto shape = shapeOf(getInput());
      int64_t total = 0;
      for (int64_t s : sizes)
        total += s;
      if (shape) {
        int64_t dim = (*shape)[*normalizeAxis(getAxis(), shape->size())];
        if (!ShapedType::isDynamic(dim) && dim != total)
          return emitOpError("split sizes sum to ")
                 << total << " but the axis has size " << dim;
      }
    }
  }
  return verifyInferredResultShapes(*this);
}

LogicalResult PadOp::verify() {
  if (failed(expectI64(*this, getPads(), "pads")) ||
      failed(expectRank(*this, getPads(), 1, "pads")))
    return failure();
  if (getAxes() && (failed(expectIndexLike(*this, getAxes(), "axes")) ||
                    failed(expectRank(*this, getAxes(), 1, "axes"))))
    return failure();
  if (getConstantValue()) {
    auto type = dyn_cast<RankedTensorType>(getConstantValue().getType());
    if (type && type.hasStaticShape() && type.getNumElements() != 1)
      return emitOpError("constant_value must be a scalar");
  }
  std::optional<int64_t> rank = getRank(getInput());
  if (failed(verifyConstantAxes(*this, getAxes(), rank)))
    return failure();
  SmallVector<int64_t> pads, axes;
  if (getConstantInts(getPads(), pads)) {
    std::optional<int64_t> count = rank;
    if (getAxes())
      count = getConstantInts(getAxes(), axes) ? std::optional(axes.size())
                                               : std::nullopt;
    if (count && static_cast<int64_t>(pads.size()) != 2 * *count)
      return emitOpError("pads must have ")
             << 2 * *count << " values (begin and end per axis), got "
             << pads.size();
  }
  return verifyInferredResultShapes(*this);
}

LogicalResult ResizeOp::verify() {
  if (getScales() && getSizes())
    return emitOpError("takes scales or sizes, not both");
  if (getScales() && !isa<FloatType>(getElementType(getScales())))
    return emitOpError("scales must be a float tensor");
  if (getSizes() && failed(expectI64(*this, getSizes(), "sizes")))
    return failure();
  std::optional<int64_t> rank = getRank(getInput());
  if (auto axes = getAxes(); axes && rank)
    for (int64_t axis : *axes)
      if (!normalizeAxis(axis, *rank))
        return emitOpError("axis ")
               << axis << " is out of range for rank " << *rank;
  if (rank) {
    int64_t expected = getAxes() ? getAxes()->size() : *rank;
    for (Value v : {getScales(), getSizes()}) {
      auto shape = v ? shapeOf(v) : std::nullopt;
      if (shape && shape->size() == 1 && !ShapedType::isDynamic((*shape)[0]) &&
          (*shape)[0] != expected)
        return emitOpError("scales/sizes must have ")
               << expected << " values, got " << (*shape)[0];
    }
  }
  return verifyInferredResultShapes(*this);
}

LogicalResult RangeOp::verify() {
  for (Value v : {getStart(), getLimit(), getDelta()}) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (type && type.hasStaticShape() && type.getNumElements() != 1)
      return emitOpError("start, limit and delta must be scalars, got ")
             << v.getType();
    if (getElementType(v) != getElementType(getOutput()))
      return emitOpError("start, limit, delta and result must have the same "
                         "element type");
  }
  if (failed(expectRank(*this, getOutput(), 1, "result")))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult ConstantOfShapeOp::verify() {
  if (failed(expectI64(*this, getShape(), "shape")) ||
      failed(expectRank(*this, getShape(), 1, "shape")))
    return failure();
  if (getValue().getNumElements() != 1)
    return emitOpError("value must have exactly one element");
  SmallVector<int64_t> dims;
  if (getConstantInts(getShape(), dims) &&
      llvm::any_of(dims, [](int64_t d) { return d < 0; }))
    return emitOpError("shape dims must be non-negative");
  return verifyInferredResultShapes(*this);
}
