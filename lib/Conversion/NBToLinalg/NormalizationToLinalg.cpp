//===- NormalizationToLinalg.cpp - normalizations and reductions ----------===//
//
// BatchNormalization, LayerNormalization, SimplifiedLayerNormalization,
// Softmax and ReduceMean. Reductions are `linalg.generic`s with reduction
// iterators writing a tensor of the kept dims; the normalized output is one
// elementwise generic reading the statistics through maps that drop the
// reduced dims. Formulas follow onnx.reference's evaluation order, e.g.
// LayerNorm = (x - mean) * (1 / sqrt(var + eps)) * scale + bias with the
// variance as the mean of squared differences. Reduced dims must be static
// (the element count is a constant); kept dims may be dynamic.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

using ReductionBody =
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)>;

/// The map from the loop dims to the kept (not reduced) dims.
AffineMap getKeptMap(ArrayRef<bool> reduced, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (auto [dim, isReduced] : llvm::enumerate(reduced))
    if (!isReduced)
      exprs.push_back(getAffineDimExpr(dim, ctx));
  return AffineMap::get(reduced.size(), 0, exprs, ctx);
}

/// An empty tensor of `shapeSource`'s kept dims.
Value createKeptEmpty(OpBuilder &b, Location loc, Value shapeSource,
                      ArrayRef<bool> reduced, Type elementType) {
  auto type = cast<RankedTensorType>(shapeSource.getType());
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamicSizes;
  for (auto [dim, isReduced] : llvm::enumerate(reduced)) {
    if (isReduced)
      continue;
    shape.push_back(type.getDimSize(dim));
    if (type.isDynamicDim(dim))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, shapeSource, dim));
  }
  return tensor::EmptyOp::create(b, loc, shape, elementType, dynamicSizes);
}

/// Reduces over the dims marked in `reduced`: `combine(args, acc)` folds the
/// inputs (read through `maps`) into an accumulator of `accType` that starts
/// at `initial`.
Value buildReduction(OpBuilder &b, Location loc, ValueRange inputs,
                     ArrayRef<AffineMap> maps, Value shapeSource,
                     ArrayRef<bool> reduced, Type accType, double initial,
                     ReductionBody combine) {
  Value empty = createKeptEmpty(b, loc, shapeSource, reduced, accType);
  Value init =
      linalg::FillOp::create(b, loc,
                             createScalarConstant(b, loc, accType, initial),
                             empty)
          .getResult(0);
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(getKeptMap(reduced, b.getContext()));
  SmallVector<utils::IteratorType> iterators;
  for (bool isReduced : reduced)
    iterators.push_back(isReduced ? utils::IteratorType::reduction
                                  : utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), inputs, init, allMaps, iterators,
             [&](OpBuilder &nb, Location nested, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nested,
                   combine(nb, nested, args.drop_back(), args.back()));
             })
      .getResult(0);
}

/// An elementwise generic over `shapeSource`'s full shape.
Value buildMap(OpBuilder &b, Location loc, ValueRange inputs,
               ArrayRef<AffineMap> maps, Value shapeSource, Type elementType,
               function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto type = cast<RankedTensorType>(shapeSource.getType());
  SmallVector<bool> none(type.getRank(), false);
  Value init = createKeptEmpty(b, loc, shapeSource, none, elementType);
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), inputs, init, allMaps, iterators,
             [&](OpBuilder &nb, Location nested, ValueRange args) {
               linalg::YieldOp::create(nb, nested,
                                       body(nb, nested, args.drop_back()));
             })
      .getResult(0);
}

/// The number of elements in the reduced dims, or failure if one is dynamic.
FailureOr<int64_t> getReducedCount(RankedTensorType type,
                                   ArrayRef<bool> reduced) {
  int64_t count = 1;
  for (auto [dim, isReduced] : llvm::enumerate(reduced)) {
    if (!isReduced)
      continue;
    if (type.isDynamicDim(dim))
      return failure();
    count *= type.getDimSize(dim);
  }
  return count;
}

/// The map of a parameter broadcast (numpy, right-aligned) against a tensor
/// of rank `rank`.
AffineMap getBroadcastMap(RankedTensorType parameter, RankedTensorType full,
                          MLIRContext *ctx) {
  int64_t rank = full.getRank();
  int64_t offset = rank - parameter.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t dim = 0; dim < parameter.getRank(); ++dim) {
    bool broadcast = parameter.getDimSize(dim) == 1 &&
                     full.getDimSize(dim + offset) != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(dim + offset, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value toType(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  if (type.getIntOrFloatBitWidth() > v.getType().getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, type, v);
  return arith::TruncFOp::create(b, loc, type, v);
}

Value addF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}

/// Reshapes a kept-dims statistic to `resultType` (the kept dims with the
/// reduced ones as 1s; ONNX keepdims).
Value expandToKeepDims(OpBuilder &b, Location loc, Value value,
                       RankedTensorType resultType, ArrayRef<bool> reduced) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == resultType.getRank())
    return value;
  // Each kept dim groups with the reduced dims after it; leading reduced
  // dims join the first group. A 0-d source has no groups.
  SmallVector<ReassociationIndices> reassociation;
  ReassociationIndices leading;
  for (auto [dim, isReduced] : llvm::enumerate(reduced)) {
    if (!isReduced) {
      ReassociationIndices group = leading;
      leading.clear();
      group.push_back(dim);
      reassociation.push_back(group);
    } else if (reassociation.empty()) {
      leading.push_back(dim);
    } else {
      reassociation.back().push_back(dim);
    }
  }
  return tensor::ExpandShapeOp::create(b, loc, resultType, value,
                                       reassociation);
}

struct BatchNormToLinalg : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    Type element = resultType->getElementType();
    if (!inputType || inputType.getRank() < 2 || !isa<FloatType>(element))
      return rewriter.notifyMatchFailure(op, "needs a float input of rank >= 2");
    for (Value parameter : {adaptor.getScale(), adaptor.getBias(),
                            adaptor.getMean(), adaptor.getVariance()}) {
      auto type = dyn_cast<RankedTensorType>(parameter.getType());
      if (!type || type.getRank() != 1 || type.getElementType() != element)
        return rewriter.notifyMatchFailure(
            op, "needs 1-D parameters of the input's element type");
    }
    MLIRContext *ctx = getContext();
    int64_t rank = inputType.getRank();
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx);
    double epsilon = op.getEpsilon().convertToDouble();
    Location loc = op.getLoc();
    Value result = buildMap(
        rewriter, loc,
        {adaptor.getInput(), adaptor.getScale(), adaptor.getBias(),
         adaptor.getMean(), adaptor.getVariance()},
        {rewriter.getMultiDimIdentityMap(rank), channel, channel, channel,
         channel},
        adaptor.getInput(), element,
        [&](OpBuilder &b, Location l, ValueRange args) {
          // (x - mean) / sqrt(var + eps) * scale + bias
          Value centered = arith::SubFOp::create(b, l, args[0], args[3]);
          Value stddev = math::SqrtOp::create(
              b, l,
              addF(b, l, args[4], createScalarConstant(b, l, element, epsilon)));
          Value normalized = arith::DivFOp::create(b, l, centered, stddev);
          return addF(b, l, arith::MulFOp::create(b, l, normalized, args[1]),
                      args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The normalized dims [axis, rank) of a layer normalization, or failure.
FailureOr<SmallVector<bool>> getTrailingReduced(RankedTensorType type,
                                                int64_t axis) {
  int64_t rank = type.getRank();
  if (axis < -rank || axis >= rank)
    return failure();
  axis = (axis + rank) % rank;
  SmallVector<bool> reduced(rank, false);
  for (int64_t dim = axis; dim < rank; ++dim)
    reduced[dim] = true;
  return reduced;
}

/// What LayerNormalization and SimplifiedLayerNormalization share: a ranked
/// float input normalized over its dims from `axis` on, all of them static.
struct TrailingNormalization {
  RankedTensorType resultType;
  Value input;
  RankedTensorType inputType;
  SmallVector<bool> reduced;
  int64_t count;
};

FailureOr<TrailingNormalization>
matchTrailingNormalization(PatternRewriter &rewriter, Operation *op,
                           Value input, int64_t axis) {
  FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
  if (failed(resultType))
    return failure();
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  if (!inputType || !isa<FloatType>(resultType->getElementType()))
    return rewriter.notifyMatchFailure(op, "needs a ranked float input");
  FailureOr<SmallVector<bool>> reduced = getTrailingReduced(inputType, axis);
  if (failed(reduced))
    return rewriter.notifyMatchFailure(op, "axis out of range");
  FailureOr<int64_t> count = getReducedCount(inputType, *reduced);
  if (failed(count))
    return rewriter.notifyMatchFailure(op, "normalized dims are dynamic");
  return TrailingNormalization{*resultType, input, inputType, *reduced,
                               *count};
}

struct LayerNormToLinalg : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<TrailingNormalization> norm = matchTrailingNormalization(
        rewriter, op, adaptor.getInput(), op.getAxis());
    if (failed(norm))
      return failure();
    Value input = norm->input;
    RankedTensorType inputType = norm->inputType;
    Type element = norm->resultType.getElementType();
    const SmallVector<bool> &reduced = norm->reduced;
    int64_t count = norm->count;
    // stash_type 1: statistics in f32 whatever the input type.
    Type statType =
        op.getStashType() == 1 && cast<FloatType>(element).getWidth() < 32
            ? rewriter.getF32Type()
            : element;
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t rank = inputType.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap kept = getKeptMap(reduced, ctx);
    double n = static_cast<double>(count);
    Value sum = buildReduction(
        rewriter, loc, input, identity, input, reduced, statType, 0.0,
        [&](OpBuilder &b, Location l, ValueRange args, Value acc) {
          return addF(b, l, toType(b, l, args[0], statType), acc);
        });
    AffineMap keptIdentity = rewriter.getMultiDimIdentityMap(kept.getNumResults());
    Value mean = buildMap(
        rewriter, loc, sum, keptIdentity, sum, statType,
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::DivFOp::create(
              b, l, args[0], createScalarConstant(b, l, statType, n));
        });
    Value squares = buildReduction(
        rewriter, loc, {input, mean}, {identity, kept}, input, reduced,
        statType, 0.0,
        [&](OpBuilder &b, Location l, ValueRange args, Value acc) {
          Value diff = arith::SubFOp::create(
              b, l, toType(b, l, args[0], statType), args[1]);
          return addF(b, l, arith::MulFOp::create(b, l, diff, diff), acc);
        });
    double epsilon = op.getEpsilon().convertToDouble();
    Value invStdDev = buildMap(
        rewriter, loc, squares, keptIdentity, squares, statType,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value variance = arith::DivFOp::create(
              b, l, args[0], createScalarConstant(b, l, statType, n));
          Value stddev = math::SqrtOp::create(
              b, l,
              addF(b, l, variance, createScalarConstant(b, l, statType, epsilon)));
          return arith::DivFOp::create(
              b, l, createScalarConstant(b, l, statType, 1.0), stddev);
        });
    SmallVector<Value> inputs{input, mean, invStdDev, adaptor.getScale()};
    SmallVector<AffineMap> maps{identity, kept, kept};
    if (adaptor.getBias())
      inputs.push_back(adaptor.getBias());
    for (Value parameter : ArrayRef<Value>(inputs).drop_front(3)) {
      auto type = dyn_cast<RankedTensorType>(parameter.getType());
      if (!type || type.getRank() > rank)
        return rewriter.notifyMatchFailure(op, "scale/bias do not broadcast");
      maps.push_back(getBroadcastMap(type, inputType, ctx));
    }
    bool hasBias = static_cast<bool>(adaptor.getBias());
    Value output = buildMap(
        rewriter, loc, inputs, maps, input, element,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value diff = arith::SubFOp::create(
              b, l, toType(b, l, args[0], statType), args[1]);
          Value normalized = toType(
              b, l, arith::MulFOp::create(b, l, diff, args[2]), element);
          Value scaled = arith::MulFOp::create(b, l, normalized, args[3]);
          return hasBias ? addF(b, l, scaled, args[4]) : scaled;
        });
    SmallVector<Value> results{output};
    for (auto [statistic, result] :
         {std::make_pair(mean, op.getMean()),
          std::make_pair(invStdDev, op.getInvStdDev())}) {
      if (!result)
        continue;
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || type.getRank() != rank || type.getElementType() != statType)
        return rewriter.notifyMatchFailure(
            op, "mean/inv_std_dev results must be ranked, of the input's "
                "rank and of the stash type");
      results.push_back(
          expandToKeepDims(rewriter, loc, statistic, type, reduced));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct SimplifiedLayerNormToLinalg
    : OpConversionPattern<SimplifiedLayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SimplifiedLayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<TrailingNormalization> norm = matchTrailingNormalization(
        rewriter, op, adaptor.getInput(), op.getAxis());
    if (failed(norm))
      return failure();
    Value input = norm->input;
    RankedTensorType inputType = norm->inputType;
    Type element = norm->resultType.getElementType();
    const SmallVector<bool> &reduced = norm->reduced;
    int64_t count = norm->count;
    auto scaleType = dyn_cast<RankedTensorType>(adaptor.getScale().getType());
    if (!scaleType || scaleType.getRank() > inputType.getRank())
      return rewriter.notifyMatchFailure(op, "scale does not broadcast");
    // Statistics in f32 at least, as ONNX Runtime accumulates.
    Type statType = cast<FloatType>(element).getWidth() < 32
                        ? rewriter.getF32Type()
                        : element;
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t rank = inputType.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap kept = getKeptMap(reduced, ctx);
    Value sumOfSquares = buildReduction(
        rewriter, loc, input, identity, input, reduced, statType, 0.0,
        [&](OpBuilder &b, Location l, ValueRange args, Value acc) {
          Value x = toType(b, l, args[0], statType);
          return addF(b, l, arith::MulFOp::create(b, l, x, x), acc);
        });
    double n = static_cast<double>(count);
    double epsilon = op.getEpsilon().convertToDouble();
    Value output = buildMap(
        rewriter, loc, {input, sumOfSquares, adaptor.getScale()},
        {identity, kept, getBroadcastMap(scaleType, inputType, ctx)}, input,
        element, [&](OpBuilder &b, Location l, ValueRange args) {
          // x / sqrt(mean(x^2) + eps) * scale
          Value meanSquare = arith::DivFOp::create(
              b, l, args[1], createScalarConstant(b, l, statType, n));
          Value rms = math::SqrtOp::create(
              b, l,
              addF(b, l, meanSquare,
                   createScalarConstant(b, l, statType, epsilon)));
          Value normalized = toType(
              b, l,
              arith::DivFOp::create(b, l, toType(b, l, args[0], statType), rms),
              element);
          return arith::MulFOp::create(b, l, normalized, args[2]);
        });
    rewriter.replaceOp(op, output);
    return success();
  }
};

/// exp(x - max) / sum(exp(x - max)) along one axis.
struct SoftmaxToLinalg : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (!inputType || inputType.getRank() == 0 ||
        !isa<FloatType>(inputType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a ranked float input");
    int64_t rank = inputType.getRank();
    int64_t axis = op.getAxis();
    if (axis < -rank || axis >= rank)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    axis = (axis + rank) % rank;
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    Type element = inputType.getElementType();
    Location loc = op.getLoc();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap kept = getKeptMap(reduced, getContext());
    double lowest = -std::numeric_limits<double>::infinity();
    Value max = buildReduction(
        rewriter, loc, input, identity, input, reduced, element, lowest,
        [](OpBuilder &b, Location l, ValueRange args, Value acc) {
          return arith::MaximumFOp::create(b, l, args[0], acc).getResult();
        });
    Value exp = buildMap(rewriter, loc, {input, max}, {identity, kept}, input,
                         element,
                         [](OpBuilder &b, Location l, ValueRange args) {
                           return math::ExpOp::create(
                                      b, l,
                                      arith::SubFOp::create(b, l, args[0],
                                                            args[1]))
                               .getResult();
                         });
    Value sum = buildReduction(
        rewriter, loc, exp, identity, input, reduced, element, 0.0,
        [](OpBuilder &b, Location l, ValueRange args, Value acc) {
          return addF(b, l, args[0], acc);
        });
    Value output = buildMap(rewriter, loc, {exp, sum}, {identity, kept}, input,
                            element,
                            [](OpBuilder &b, Location l, ValueRange args) {
                              return arith::DivFOp::create(b, l, args[0],
                                                           args[1])
                                  .getResult();
                            });
    rewriter.replaceOp(op, output);
    return success();
  }
};

struct ReduceMeanToLinalg : OpConversionPattern<ReduceMeanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceMeanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Value input = adaptor.getInput();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    Type element = resultType->getElementType();
    if (!inputType || !isa<FloatType>(element))
      return rewriter.notifyMatchFailure(op, "needs a ranked float input");
    int64_t rank = inputType.getRank();
    SmallVector<int64_t> axes;
    if (Value axesValue = op.getAxes()) {
      DenseIntElementsAttr axesAttr;
      if (!matchPattern(axesValue, m_Constant(&axesAttr)))
        return rewriter.notifyMatchFailure(op, "axes are not a constant");
      for (const APInt &axis : axesAttr.getValues<APInt>())
        axes.push_back(axis.getSExtValue());
    }
    if (axes.empty() && op.getNoopWithEmptyAxes()) {
      Value result = input;
      if (result.getType() != *resultType)
        result = tensor::CastOp::create(rewriter, op.getLoc(), *resultType,
                                        result);
      rewriter.replaceOp(op, result);
      return success();
    }
    SmallVector<bool> reduced(rank, axes.empty());
    for (int64_t axis : axes) {
      if (axis < -rank || axis >= rank)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      reduced[(axis + rank) % rank] = true;
    }
    FailureOr<int64_t> count = getReducedCount(inputType, reduced);
    if (failed(count))
      return rewriter.notifyMatchFailure(op, "reduced dims are dynamic");
    Location loc = op.getLoc();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Value sum = buildReduction(
        rewriter, loc, input, identity, input, reduced, element, 0.0,
        [](OpBuilder &b, Location l, ValueRange args, Value acc) {
          return addF(b, l, args[0], acc);
        });
    auto sumType = cast<RankedTensorType>(sum.getType());
    double n = static_cast<double>(*count);
    Value mean = buildMap(
        rewriter, loc, sum, rewriter.getMultiDimIdentityMap(sumType.getRank()),
        sum, element, [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::DivFOp::create(b, l, args[0],
                                       createScalarConstant(b, l, element, n))
              .getResult();
        });
    if (op.getKeepdims()) {
      if (resultType->getRank() != rank)
        return rewriter.notifyMatchFailure(op, "keepdims result rank");
      mean = expandToKeepDims(rewriter, loc, mean, *resultType, reduced);
    }
    if (mean.getType() != *resultType)
      mean = tensor::CastOp::create(rewriter, loc, *resultType, mean);
    rewriter.replaceOp(op, mean);
    return success();
  }
};

} // namespace

void mlir::nb::populateNormalizationToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<BatchNormToLinalg, LayerNormToLinalg,
               SimplifiedLayerNormToLinalg, SoftmaxToLinalg,
               ReduceMeanToLinalg>(patterns.getContext());
}
