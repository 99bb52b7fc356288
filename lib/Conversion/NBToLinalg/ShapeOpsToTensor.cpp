//===- ShapeOpsToTensor.cpp - shape nb ops to tensor/linalg ---------------===//
//
// Reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze) become
// `tensor.collapse_shape`/`tensor.expand_shape` when the new shape only
// merges or splits neighbouring dims, which later passes fold into their
// producers and consumers; any other reshape is a `tensor.reshape` with an
// explicit shape. Expand is a broadcasting `linalg.generic`, ConstantOfShape a
// `linalg.fill`, Range a `linalg.generic` over `linalg.index`, Shape a
// constant or `tensor.dim`s.
//
// Result types are trusted for static dims (the verifiers checked them
// against the inferred ones); dynamic result dims are computed from the
// operands with ONNX's rules.
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "../../Dialect/NB/IR/NBOpsUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

/// `a * b` on index sizes, folded when both are static.
OpFoldResult mulSizes(OpBuilder &b, Location loc, OpFoldResult lhs,
                      OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l * *r);
  if (l == 1)
    return rhs;
  if (r == 1)
    return lhs;
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, lhs),
                               getValueOrCreateConstantIndexOp(b, loc, rhs))
      .getResult();
}

/// The product of `value`'s dims in [begin, end).
OpFoldResult productOfDims(OpBuilder &b, Location loc, Value value,
                           int64_t begin, int64_t end) {
  OpFoldResult product = b.getIndexAttr(1);
  for (int64_t dim = begin; dim < end; ++dim)
    product = mulSizes(b, loc, product, tensor::getMixedSize(b, loc, value, dim));
  return product;
}

/// Static dims of `type` override the computed `sizes`: the verifier checked
/// them, and static sizes let the reshape be a collapse or expand.
void preferStaticSizes(OpBuilder &b, RankedTensorType type,
                       SmallVectorImpl<OpFoldResult> &sizes) {
  for (auto [dim, size] : llvm::enumerate(sizes))
    if (!type.isDynamicDim(dim))
      size = b.getIndexAttr(type.getDimSize(dim));
}

/// Reshapes `input` to `resultType` whose dims are `sizes`: a collapse or an
/// expand when one fits, `tensor.reshape` otherwise.
Value reshapeTo(OpBuilder &b, Location loc, Value input,
                RankedTensorType resultType, ArrayRef<OpFoldResult> sizes) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType == resultType)
    return input;
  ArrayRef<int64_t> from = inputType.getShape(), to = resultType.getShape();
  if (from.size() > to.size()) {
    if (auto groups = getReassociationIndicesForCollapse(from, to)) {
      Value collapsed = tensor::CollapseShapeOp::create(b, loc, input, *groups);
      if (collapsed.getType() != resultType)
        collapsed = tensor::CastOp::create(b, loc, resultType, collapsed);
      return collapsed;
    }
  } else if (from.size() < to.size()) {
    if (auto groups = getReassociationIndicesForCollapse(to, from))
      return tensor::ExpandShapeOp::create(b, loc, resultType, input, *groups,
                                           sizes);
  }
  SmallVector<Value> dims = getValueOrCreateConstantIndexOp(b, loc, sizes);
  Value shape = tensor::FromElementsOp::create(b, loc, dims);
  return tensor::ReshapeOp::create(b, loc, resultType, input, shape);
}

/// A scalar from a rank-0 or one-element tensor.
Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> indices(type.getRank(), zero);
  return tensor::ExtractOp::create(b, loc, tensor, indices);
}

/// Element `i` of a 1-D integer tensor as an index.
Value extractIndex(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  Value position = arith::ConstantIndexOp::create(b, loc, i);
  Value element = tensor::ExtractOp::create(b, loc, tensor, position);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
}

/// Common checks: ranked input and result; the result type is signless, as
/// the converted input is.
LogicalResult getShapedTypes(PatternRewriter &rewriter, Operation *op,
                             Value input, RankedTensorType &inputType,
                             RankedTensorType &resultType) {
  inputType = dyn_cast<RankedTensorType>(input.getType());
  if (!inputType)
    return rewriter.notifyMatchFailure(op, "input is unranked");
  FailureOr<RankedTensorType> result = getSignlessResultType(rewriter, op);
  if (failed(result))
    return failure();
  resultType = *result;
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

struct ReshapeToTensor : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    SmallVector<int64_t> target;
    SmallVector<OpFoldResult> sizes;
    if (nb::detail::getConstantInts(op.getShape(), target)) {
      if (static_cast<int64_t>(target.size()) != resultType.getRank())
        return rewriter.notifyMatchFailure(op, "shape length != result rank");
      int64_t inferred = -1;
      for (auto [i, dim] : llvm::enumerate(target)) {
        if (dim == 0 && !op.getAllowzero()) {
          if (static_cast<int64_t>(i) >= inputType.getRank())
            return rewriter.notifyMatchFailure(op, "0 copies a missing dim");
          sizes.push_back(tensor::getMixedSize(rewriter, loc, input, i));
        } else if (dim == -1) {
          inferred = i;
          sizes.push_back(rewriter.getIndexAttr(1));
        } else {
          sizes.push_back(rewriter.getIndexAttr(dim));
        }
      }
      if (inferred >= 0 && resultType.isDynamicDim(inferred)) {
        // numel(input) / product of the other target dims.
        OpFoldResult known = rewriter.getIndexAttr(1);
        for (OpFoldResult size : sizes)
          known = mulSizes(rewriter, loc, known, size);
        OpFoldResult total =
            productOfDims(rewriter, loc, input, 0, inputType.getRank());
        sizes[inferred] =
            arith::DivUIOp::create(
                rewriter, loc,
                getValueOrCreateConstantIndexOp(rewriter, loc, total),
                getValueOrCreateConstantIndexOp(rewriter, loc, known))
                .getResult();
      }
    } else if (resultType.hasStaticShape()) {
      for (int64_t dim : resultType.getShape())
        sizes.push_back(rewriter.getIndexAttr(dim));
    } else {
      FailureOr<SmallVector<OpFoldResult>> runtime =
          computeRuntimeSizes(rewriter, op, adaptor, inputType, resultType);
      if (failed(runtime))
        return failure();
      sizes = std::move(*runtime);
    }
    preferStaticSizes(rewriter, resultType, sizes);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, input, resultType, sizes));
    return success();
  }

  /// ONNX's rules evaluated on a shape known only at run time: 0 copies the
  /// input dim (unless allowzero), -1 takes what is left.
  static FailureOr<SmallVector<OpFoldResult>>
  computeRuntimeSizes(PatternRewriter &rewriter, ReshapeOp op,
                      OpAdaptor adaptor, RankedTensorType inputType,
                      RankedTensorType resultType) {
    auto shapeType = dyn_cast<RankedTensorType>(adaptor.getShape().getType());
    if (!shapeType || shapeType.isDynamicDim(0))
      return rewriter.notifyMatchFailure(op, "shape length is unknown");
    Location loc = op.getLoc();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value minusOne = arith::ConstantIndexOp::create(rewriter, loc, -1);
    SmallVector<Value> dims;
    Value known = one;
    for (int64_t i = 0; i < resultType.getRank(); ++i) {
      Value dim = extractIndex(rewriter, loc, adaptor.getShape(), i);
      if (!op.getAllowzero() && i < inputType.getRank()) {
        Value isZero = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, dim, zero);
        Value copied = tensor::DimOp::create(rewriter, loc, adaptor.getInput(), i);
        dim = arith::SelectOp::create(rewriter, loc, isZero, copied, dim);
      }
      Value isInferred = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq, dim, minusOne);
      Value factor = arith::SelectOp::create(rewriter, loc, isInferred, one, dim);
      known = arith::MulIOp::create(rewriter, loc, known, factor);
      dims.push_back(dim);
    }
    Value total = getValueOrCreateConstantIndexOp(
        rewriter, loc,
        productOfDims(rewriter, loc, adaptor.getInput(), 0, inputType.getRank()));
    Value rest = arith::DivUIOp::create(rewriter, loc, total, known);
    SmallVector<OpFoldResult> sizes;
    for (Value dim : dims) {
      Value isInferred = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq, dim, minusOne);
      sizes.push_back(
          arith::SelectOp::create(rewriter, loc, isInferred, rest, dim)
              .getResult());
    }
    return sizes;
  }
};

//===----------------------------------------------------------------------===//
// Flatten, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

struct FlattenToTensor : OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    int64_t rank = inputType.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes = {
        productOfDims(rewriter, loc, adaptor.getInput(), 0, axis),
        productOfDims(rewriter, loc, adaptor.getInput(), axis, rank)};
    preferStaticSizes(rewriter, resultType, sizes);
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, adaptor.getInput(), resultType, sizes));
    return success();
  }
};

struct SqueezeToTensor : OpConversionPattern<SqueezeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    int64_t rank = inputType.getRank();
    llvm::SmallBitVector squeezed(rank);
    if (op.getAxes()) {
      SmallVector<int64_t> axes;
      if (!nb::detail::getConstantInts(op.getAxes(), axes))
        return rewriter.notifyMatchFailure(op, "axes are not constant");
      for (int64_t axis : axes)
        squeezed.set(axis < 0 ? axis + rank : axis);
    } else {
      // Without axes every 1 goes; a dynamic dim is taken to be kept.
      for (int64_t dim = 0; dim < rank; ++dim)
        if (inputType.getDimSize(dim) == 1)
          squeezed.set(dim);
    }
    if (rank - static_cast<int64_t>(squeezed.count()) != resultType.getRank())
      return rewriter.notifyMatchFailure(op, "result rank does not match");
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes;
    for (int64_t dim = 0; dim < rank; ++dim)
      if (!squeezed.test(dim))
        sizes.push_back(tensor::getMixedSize(rewriter, loc, adaptor.getInput(), dim));
    preferStaticSizes(rewriter, resultType, sizes);
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, adaptor.getInput(), resultType, sizes));
    return success();
  }
};

struct UnsqueezeToTensor : OpConversionPattern<UnsqueezeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnsqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    SmallVector<int64_t> axes;
    if (!nb::detail::getConstantInts(op.getAxes(), axes))
      return rewriter.notifyMatchFailure(op, "axes are not constant");
    int64_t rank = resultType.getRank();
    if (rank != inputType.getRank() + static_cast<int64_t>(axes.size()))
      return rewriter.notifyMatchFailure(op, "result rank does not match");
    llvm::SmallBitVector inserted(rank);
    for (int64_t axis : axes)
      inserted.set(axis < 0 ? axis + rank : axis);
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes;
    int64_t inputDim = 0;
    for (int64_t dim = 0; dim < rank; ++dim)
      sizes.push_back(inserted.test(dim)
                          ? rewriter.getIndexAttr(1)
                          : tensor::getMixedSize(rewriter, loc, adaptor.getInput(),
                                                 inputDim++));
    preferStaticSizes(rewriter, resultType, sizes);
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, adaptor.getInput(), resultType, sizes));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Expand
//===----------------------------------------------------------------------===//

/// A broadcasting copy of the input into the result. A dynamic result dim is
/// max(input dim, shape[i]), which is ONNX's broadcast of the two when one
/// of them is 1.
struct ExpandToGeneric : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    int64_t rank = resultType.getRank();
    int64_t offset = rank - inputType.getRank();
    if (offset < 0)
      return rewriter.notifyMatchFailure(op, "input rank exceeds result's");
    auto shapeType =
        dyn_cast<RankedTensorType>(adaptor.getShape().getType());
    if (!resultType.hasStaticShape() &&
        (!shapeType || shapeType.getDimSize(0) != rank))
      return rewriter.notifyMatchFailure(op, "shape length is unknown");

    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<Value> dynamicSizes;
    for (int64_t dim = 0; dim < rank; ++dim) {
      if (!resultType.isDynamicDim(dim))
        continue;
      Value size = extractIndex(rewriter, loc, adaptor.getShape(), dim);
      if (dim >= offset) {
        Value inputSize =
            tensor::DimOp::create(rewriter, loc, adaptor.getInput(), dim - offset);
        size = arith::MaxSIOp::create(rewriter, loc, size, inputSize);
      }
      dynamicSizes.push_back(size);
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         resultType.getElementType(),
                                         dynamicSizes);
    SmallVector<AffineExpr> exprs;
    for (int64_t dim = 0; dim < inputType.getRank(); ++dim) {
      bool broadcast = inputType.getDimSize(dim) == 1 &&
                       resultType.getDimSize(dim + offset) != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(dim + offset, ctx));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, adaptor.getInput(), init, maps, iterators,
        [](OpBuilder &b, Location nested, ValueRange args) {
          linalg::YieldOp::create(b, nested, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Shape, ConstantOfShape, Range
//===----------------------------------------------------------------------===//

struct ShapeToTensor : OpConversionPattern<ShapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    int64_t rank = inputType.getRank();
    auto clampToRank = [&](int64_t v) {
      return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
    };
    int64_t start = clampToRank(static_cast<int64_t>(op.getStart()));
    int64_t end =
        clampToRank(op.getEnd() ? static_cast<int64_t>(*op.getEnd()) : rank);
    end = std::max(start, end);
    ArrayRef<int64_t> dims = inputType.getShape().slice(start, end - start);
    if (resultType.getDimSize(0) != static_cast<int64_t>(dims.size()) ||
        !resultType.getElementType().isInteger(64))
      return rewriter.notifyMatchFailure(op, "unexpected result type");
    Location loc = op.getLoc();
    if (!ShapedType::isDynamicShape(dims)) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, DenseIntElementsAttr::get(resultType, dims));
      return success();
    }
    SmallVector<Value> elements;
    for (int64_t dim = start; dim < end; ++dim) {
      Value size = getValueOrCreateConstantIndexOp(
          rewriter, loc, tensor::getMixedSize(rewriter, loc, adaptor.getInput(), dim));
      elements.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(), size));
    }
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, resultType,
                                                        elements);
    return success();
  }
};

struct ConstantOfShapeToFill : OpConversionPattern<ConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOfShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType =
        getSignlessResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    Type elementType = resultType->getElementType();
    // arith constants are signless: an unsigned value is reinterpreted.
    if (value && getSignlessType(value.getElementType()) == elementType)
      value = value.bitcast(elementType);
    if (!value || value.getElementType() != elementType ||
        !isa<FloatType, IntegerType>(elementType))
      return rewriter.notifyMatchFailure(op, "unsupported value");
    auto shapeType =
        dyn_cast<RankedTensorType>(adaptor.getShape().getType());
    if (!resultType->hasStaticShape() &&
        (!shapeType || shapeType.getDimSize(0) != resultType->getRank()))
      return rewriter.notifyMatchFailure(op, "shape length is unknown");
    Location loc = op.getLoc();
    SmallVector<Value> dynamicSizes;
    for (int64_t dim = 0; dim < resultType->getRank(); ++dim)
      if (resultType->isDynamicDim(dim))
        dynamicSizes.push_back(extractIndex(rewriter, loc, adaptor.getShape(), dim));
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType->getShape(),
                                         elementType, dynamicSizes);
    auto scalar = cast<TypedAttr>(*value.getValues<Attribute>().begin());
    Value fillValue = arith::ConstantOp::create(rewriter, loc, scalar);
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, fillValue, init);
    return success();
  }
};

/// Range: element i is start + i * delta, over
/// max(ceil((limit - start) / delta), 0) elements.
struct RangeToGeneric : OpConversionPattern<RangeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Type elementType = resultType->getElementType();
    bool isFloat = isa<FloatType>(elementType);
    // ONNX Range is on float and signed integer types only.
    if (!isFloat && !elementType.isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    for (Value v : adaptor.getOperands())
      if (!isa<RankedTensorType>(v.getType()))
        return rewriter.notifyMatchFailure(op, "operand is unranked");

    Location loc = op.getLoc();
    Value start = extractScalar(rewriter, loc, adaptor.getStart());
    Value limit = extractScalar(rewriter, loc, adaptor.getLimit());
    Value delta = extractScalar(rewriter, loc, adaptor.getDelta());
    SmallVector<Value> dynamicSizes;
    if (resultType->isDynamicDim(0)) {
      Value count;
      if (isFloat) {
        Value span = arith::SubFOp::create(rewriter, loc, limit, start);
        Value steps = math::CeilOp::create(
            rewriter, loc, arith::DivFOp::create(rewriter, loc, span, delta));
        count = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(),
                                        steps);
      } else {
        Value span = arith::SubIOp::create(rewriter, loc, limit, start);
        count = arith::CeilDivSIOp::create(rewriter, loc, span, delta);
      }
      Value size = arith::IndexCastOp::create(rewriter, loc,
                                              rewriter.getIndexType(), count);
      Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      dynamicSizes.push_back(arith::MaxSIOp::create(rewriter, loc, size, zero));
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType->getShape(),
                                         elementType, dynamicSizes);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(1)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, *resultType, ValueRange{}, init, maps,
        utils::IteratorType::parallel,
        [&](OpBuilder &b, Location nested, ValueRange) {
          Value index = linalg::IndexOp::create(b, nested, 0);
          Value i = arith::IndexCastOp::create(b, nested, b.getI64Type(), index);
          Value element;
          if (isFloat) {
            Value x = arith::SIToFPOp::create(b, nested, elementType, i);
            element = arith::AddFOp::create(
                b, nested, start, arith::MulFOp::create(b, nested, x, delta));
          } else {
            Value x = i;
            if (elementType != x.getType())
              x = arith::TruncIOp::create(b, nested, elementType, x);
            element = arith::AddIOp::create(
                b, nested, start, arith::MulIOp::create(b, nested, x, delta));
          }
          linalg::YieldOp::create(b, nested, element);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::nb::populateShapeOpsToTensorPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantOfShapeToFill, ExpandToGeneric, FlattenToTensor,
               RangeToGeneric, ReshapeToTensor, ShapeToTensor, SqueezeToTensor,
               UnsqueezeToTensor>(patterns.getContext());
}
