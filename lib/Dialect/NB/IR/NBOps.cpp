//===- NBOps.cpp - nb op definitions and shared helpers -------------------===//
//
// The generated op definitions plus the helpers of NBOpsUtils.h. Verifiers
// are in NBOpsVerifiers.cpp, shape inference in NBShapeInference.cpp and
// folders/canonicalizations in NBOpsFolders.cpp.
//
//===----------------------------------------------------------------------===//
#include "nibble/Dialect/NB/IR/NBOps.h"

#include "NBOpsUtils.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::nb;

#include "nibble/Dialect/NB/IR/NBInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "nibble/Dialect/NB/IR/NBOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers (NBOpsUtils.h)
//===----------------------------------------------------------------------===//

namespace mlir::nb::detail {

Type getElementType(Value v) { return getElementTypeOrSelf(v.getType()); }

bool isQuant(Type elementType) {
  return isa<quant::QuantizedType>(elementType);
}

bool isFloatOrQuant(Type elementType) {
  return isa<FloatType>(elementType) || isQuant(elementType);
}

bool isIntOfWidth(Type elementType, unsigned width) {
  auto intType = dyn_cast<IntegerType>(elementType);
  return intType && intType.getWidth() == width;
}

Type inferableElementType(Type elementType) {
  return isQuant(elementType) ? Type() : elementType;
}

std::optional<int64_t> getRank(Value v) {
  if (auto ranked = dyn_cast<RankedTensorType>(v.getType()))
    return ranked.getRank();
  return std::nullopt;
}

std::optional<ArrayRef<int64_t>> shapeOf(Value v) {
  if (auto ranked = dyn_cast<RankedTensorType>(v.getType()))
    return ranked.getShape();
  return std::nullopt;
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

DenseElementsAttr getConstantElements(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return {};
  return attr;
}

bool getConstantInts(Value v, SmallVectorImpl<int64_t> &values) {
  auto attr = dyn_cast_if_present<DenseIntElementsAttr>(getConstantElements(v));
  if (!attr || attr.getNumElements() > kMaxFoldElements)
    return false;
  values.clear();
  for (const APInt &value : attr.getValues<APInt>())
    values.push_back(attr.getElementType().isUnsignedInteger()
                         ? static_cast<int64_t>(value.getZExtValue())
                         : value.getSExtValue());
  return true;
}

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                    ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1) {
      result[i] = db;
    } else if (db == 1) {
      result[i] = da;
    } else if (ShapedType::isDynamic(da)) {
      // `?` against a static d > 1 must be d (or 1, which broadcasts to d).
      result[i] = db;
    } else if (ShapedType::isDynamic(db) || da == db) {
      result[i] = da;
    } else {
      return std::nullopt;
    }
  }
  return result;
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return kDynamic;
    result *= d;
  }
  return result;
}

int64_t addDims(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return kDynamic;
  return a + b;
}

std::optional<int64_t> staticLength(Value v) {
  auto shape = shapeOf(v);
  if (!shape || shape->size() != 1 || ShapedType::isDynamic((*shape)[0]))
    return std::nullopt;
  return (*shape)[0];
}

ShapedTypeComponents unrankedComponents(Type elementType) {
  return ShapedTypeComponents(elementType);
}

ShapedTypeComponents rankedComponents(ArrayRef<int64_t> dims,
                                      Type elementType) {
  return ShapedTypeComponents(dims, elementType);
}

ShapedTypeComponents dynamicComponents(int64_t rank, Type elementType) {
  SmallVector<int64_t> dims(rank, kDynamic);
  return ShapedTypeComponents(dims, elementType);
}

int64_t slidingWindowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                                int64_t dilation, int64_t padBegin,
                                int64_t padEnd, bool ceilMode) {
  if (ShapedType::isDynamic(input) || ShapedType::isDynamic(kernel) ||
      stride <= 0)
    return kDynamic;
  int64_t effectiveKernel = (kernel - 1) * dilation + 1;
  int64_t span = input + padBegin + padEnd - effectiveKernel;
  if (span < 0)
    return kDynamic;
  if (!ceilMode)
    return span / stride + 1;
  int64_t size = (span + stride - 1) / stride + 1;
  // ONNX Runtime and PyTorch drop a last window that starts in the end
  // padding; older ONNX shape inference does not. Where the two rules
  // disagree the size is left dynamic rather than guessed.
  if ((size - 1) * stride >= input + padBegin)
    return kDynamic;
  return size;
}

std::pair<int64_t, int64_t> samePadding(int64_t input, int64_t kernel,
                                        int64_t stride, int64_t dilation,
                                        bool upper) {
  int64_t output = (input + stride - 1) / stride;
  int64_t effectiveKernel = (kernel - 1) * dilation + 1;
  int64_t total =
      std::max<int64_t>(0, (output - 1) * stride + effectiveKernel - input);
  int64_t small = total / 2, large = total - small;
  return upper ? std::make_pair(small, large) : std::make_pair(large, small);
}

LogicalResult verifyInferredResultShapes(Operation *op) {
  auto inferOp = dyn_cast<InferResultShapesOpInterface>(op);
  if (!inferOp)
    return success();
  SmallVector<ShapedTypeComponents> inferred;
  inferOp.inferResultShapes(inferred);
  for (auto [index, result] : llvm::enumerate(op->getResults())) {
    if (index >= inferred.size())
      break;
    if (!refineType(result.getType(), inferred[index])) {
      Type expected = inferred[index].hasRank()
                          ? Type(RankedTensorType::get(
                                inferred[index].getDims(),
                                inferred[index].getElementType()
                                    ? inferred[index].getElementType()
                                    : getElementTypeOrSelf(result.getType())))
                          : Type(UnrankedTensorType::get(
                                inferred[index].getElementType()
                                    ? inferred[index].getElementType()
                                    : getElementTypeOrSelf(result.getType())));
      return op->emitOpError("result #")
             << index << " type " << result.getType()
             << " is incompatible with the inferred type " << expected;
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Verifier helpers
//===----------------------------------------------------------------------===//

LogicalResult expectFloatOrQuant(Operation *op, Value v, StringRef name) {
  if (!isFloatOrQuant(getElementType(v)))
    return op->emitOpError() << name << " must have a float or quantized "
                             << "element type, got " << v.getType();
  return success();
}

LogicalResult expectInt8(Operation *op, Value v, StringRef name) {
  if (!isIntOfWidth(getElementType(v), 8))
    return op->emitOpError() << name << " must have an 8-bit integer element "
                             << "type, got " << v.getType();
  return success();
}

LogicalResult expectIndexLike(Operation *op, Value v, StringRef name) {
  Type t = getElementType(v);
  if (!isIntOfWidth(t, 64) && !isIntOfWidth(t, 32))
    return op->emitOpError()
           << name << " must be a tensor of i32 or i64, got " << v.getType();
  return success();
}

LogicalResult expectI64(Operation *op, Value v, StringRef name) {
  if (!isIntOfWidth(getElementType(v), 64))
    return op->emitOpError()
           << name << " must be a tensor of i64, got " << v.getType();
  return success();
}

/// A 0-D or 1-D operand (shape, axes, pads, ...).
LogicalResult expectRankAtMost1(Operation *op, Value v, StringRef name) {
  if (auto rank = getRank(v); rank && *rank > 1)
    return op->emitOpError()
           << name << " must be 0-D or 1-D, got " << v.getType();
  return success();
}

LogicalResult expectRank(Operation *op, Value v, int64_t rank, StringRef name) {
  if (auto actual = getRank(v); actual && *actual != rank)
    return op->emitOpError()
           << name << " must have rank " << rank << ", got " << v.getType();
  return success();
}

LogicalResult expectAxis(Operation *op, int64_t axis, Value v, StringRef name) {
  if (auto rank = getRank(v); rank && !normalizeAxis(axis, *rank))
    return op->emitOpError() << name << " " << axis << " is out of range for "
                             << "rank " << *rank;
  return success();
}

/// Element types of non-quantized float operands and results agree (quant
/// types carry per-value parameters and may legitimately differ).
LogicalResult expectSameFloatTypes(Operation *op, ValueRange values) {
  Type first;
  for (Value v : values) {
    Type t = getElementType(v);
    if (isQuant(t))
      continue;
    if (first && t != first)
      return op->emitOpError("element types must agree unless quantized, got ")
             << first << " and " << t;
    first = t;
  }
  return success();
}

} // namespace mlir::nb::detail

Type mlir::nb::refineType(Type declared, const ShapedTypeComponents &inferred) {
  auto declaredTensor = dyn_cast<TensorType>(declared);
  if (!declaredTensor)
    return declared;
  Type elementType = declaredTensor.getElementType();
  if (Type inferredElement = inferred.getElementType()) {
    if (inferredElement != elementType)
      return {};
  }
  if (!inferred.hasRank())
    return declared;
  ArrayRef<int64_t> inferredDims = inferred.getDims();
  auto declaredRanked = dyn_cast<RankedTensorType>(declared);
  if (!declaredRanked)
    return RankedTensorType::get(inferredDims, elementType);
  if (declaredRanked.getRank() != static_cast<int64_t>(inferredDims.size()))
    return {};
  SmallVector<int64_t> dims;
  for (auto [d, i] : llvm::zip(declaredRanked.getShape(), inferredDims)) {
    if (!ShapedType::isDynamic(d) && !ShapedType::isDynamic(i) && d != i)
      return {};
    dims.push_back(ShapedType::isDynamic(d) ? i : d);
  }
  return RankedTensorType::get(dims, elementType, declaredRanked.getEncoding());
}
