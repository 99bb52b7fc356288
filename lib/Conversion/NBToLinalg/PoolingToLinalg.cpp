//===- PoolingToLinalg.cpp - pooling nb ops to linalg ---------------------===//
//
// MaxPool, AveragePool and GlobalAveragePool on NC<spatial> tensors.
//
// The input is padded explicitly (tensor.pad: -inf / the lowest integer for
// max, 0 for average) by the begin pads and by as much of the end as the last
// window reaches (ceil_mode can reach past the end pads). 1-D and 2-D pools
// are linalg's named pooling ops; other ranks a generic of the same form.
// AveragePool divides by a constant tensor of per-window element counts,
// computed here from the static shapes with ONNX Runtime's rules: with
// count_include_pad a window counts the pads but not what ceil_mode reaches
// past them; without, only input elements count. Output sizes follow ONNX
// Runtime as well (a ceil_mode window starting in the end padding is
// dropped). Spatial dims must be static; N and C may be dynamic.
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

/// Resolved window geometry of one spatial dim.
struct WindowDim {
  int64_t input, kernel, stride, dilation, padBegin, padEnd, output;
  int64_t effectiveKernel() const { return (kernel - 1) * dilation + 1; }
  /// Padding the last window needs past the input end.
  int64_t physicalPadEnd() const {
    return std::max<int64_t>(
        0, (output - 1) * stride + effectiveKernel() - input - padBegin);
  }
};

int64_t attrOr(ArrayRef<int64_t> values, size_t index, int64_t fallback) {
  return index < values.size() ? values[index] : fallback;
}

/// Resolves kernel, strides, dilations, pads (auto_pad included) and output
/// sizes; fails with a note on dynamic spatial dims or inconsistent attrs.
template <typename OpTy>
FailureOr<SmallVector<WindowDim>>
getWindow(PatternRewriter &rewriter, OpTy op, RankedTensorType inputType,
          RankedTensorType resultType) {
  int64_t spatial = inputType.getRank() - 2;
  ArrayRef<int64_t> kernel = op.getKernelShape();
  if (spatial < 1 || static_cast<int64_t>(kernel.size()) != spatial ||
      resultType.getRank() != inputType.getRank())
    return rewriter.notifyMatchFailure(op, "kernel rank mismatches input");
  SmallVector<WindowDim> dims;
  for (int64_t i = 0; i < spatial; ++i) {
    WindowDim dim;
    dim.input = inputType.getDimSize(2 + i);
    if (ShapedType::isDynamic(dim.input))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dim");
    dim.kernel = kernel[i];
    dim.stride = attrOr(op.getStrides(), i, 1);
    dim.dilation = attrOr(op.getDilations(), i, 1);
    if (dim.kernel < 1 || dim.stride < 1 || dim.dilation < 1)
      return rewriter.notifyMatchFailure(op, "non-positive window attribute");
    bool ceil = op.getCeilMode();
    switch (op.getAutoPad()) {
    case AutoPad::NotSet:
      dim.padBegin = attrOr(op.getPads(), i, 0);
      dim.padEnd = attrOr(op.getPads(), spatial + i, 0);
      break;
    case AutoPad::Valid:
      dim.padBegin = dim.padEnd = 0;
      break;
    case AutoPad::SameUpper:
    case AutoPad::SameLower: {
      int64_t output = (dim.input + dim.stride - 1) / dim.stride;
      int64_t total = std::max<int64_t>(
          0, (output - 1) * dim.stride + dim.effectiveKernel() - dim.input);
      int64_t small = total / 2;
      bool upper = op.getAutoPad() == AutoPad::SameUpper;
      dim.padBegin = upper ? small : total - small;
      dim.padEnd = total - dim.padBegin;
      ceil = false;
      break;
    }
    }
    int64_t span = dim.input + dim.padBegin + dim.padEnd - dim.effectiveKernel();
    if (span < 0)
      return rewriter.notifyMatchFailure(op, "window larger than input");
    dim.output = (ceil ? (span + dim.stride - 1) / dim.stride
                       : span / dim.stride) + 1;
    if (ceil && (dim.output - 1) * dim.stride >= dim.input + dim.padBegin)
      --dim.output;
    int64_t declared = resultType.getDimSize(2 + i);
    if (!ShapedType::isDynamic(declared) && declared != dim.output)
      return rewriter.notifyMatchFailure(op, "result size mismatches window");
    dims.push_back(dim);
  }
  return dims;
}

/// `input` padded per `window` with `padValue`.
Value padInput(OpBuilder &b, Location loc, Value input,
               ArrayRef<WindowDim> window, Value padValue) {
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  bool any = false;
  for (const WindowDim &dim : window) {
    low.push_back(b.getIndexAttr(dim.padBegin));
    high.push_back(b.getIndexAttr(dim.physicalPadEnd()));
    any |= dim.padBegin != 0 || dim.physicalPadEnd() != 0;
  }
  if (!any)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [i, dim] : llvm::enumerate(window))
    shape[2 + i] = dim.input + dim.padBegin + dim.physicalPadEnd();
  return tensor::PadOp::create(b, loc, type.clone(shape), input, low, high,
                               padValue)
      .getResult();
}

/// Max pooling compares unsigned integers as unsigned (the tensors are
/// signless by now, so the kind carries the signedness).
enum class PoolKind { Max, MaxUnsigned, Sum };

/// Max or sum pooling of the padded `input` into a filled `init`.
Value buildPool(OpBuilder &b, Location loc, PoolKind kind, Value input,
                Value init, ArrayRef<WindowDim> window) {
  auto initType = cast<RankedTensorType>(init.getType());
  Type element = initType.getElementType();
  SmallVector<int64_t> kernel, strides, dilations;
  for (const WindowDim &dim : window) {
    kernel.push_back(dim.kernel);
    strides.push_back(dim.stride);
    dilations.push_back(dim.dilation);
  }
  Value windowTensor = tensor::EmptyOp::create(b, loc, kernel, element);
  bool isFloat = isa<FloatType>(element);
  SmallVector<Value> ins{input, windowTensor};
  if (isFloat && window.size() <= 2) {
    auto stridesAttr = b.getI64TensorAttr(strides);
    auto dilationsAttr = b.getI64TensorAttr(dilations);
    SmallVector<Type> types{initType};
    if (window.size() == 2)
      return kind == PoolKind::Max
                 ? linalg::PoolingNchwMaxOp::create(b, loc, types, ins, init,
                                                    stridesAttr, dilationsAttr)
                       .getResult(0)
                 : linalg::PoolingNchwSumOp::create(b, loc, types, ins, init,
                                                    stridesAttr, dilationsAttr)
                       .getResult(0);
    return kind == PoolKind::Max
               ? linalg::PoolingNcwMaxOp::create(b, loc, types, ins, init,
                                                 stridesAttr, dilationsAttr)
                     .getResult(0)
               : linalg::PoolingNcwSumOp::create(b, loc, types, ins, init,
                                                 stridesAttr, dilationsAttr)
                     .getResult(0);
  }
  // (n, c, o..., k...) with the input at o * stride + k * dilation.
  MLIRContext *ctx = b.getContext();
  int64_t spatial = window.size();
  unsigned numDims = 2 + 2 * spatial;
  SmallVector<AffineExpr> inputExprs{getAffineDimExpr(0, ctx),
                                     getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> windowExprs, outputExprs(inputExprs);
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = getAffineDimExpr(2 + i, ctx);
    AffineExpr k = getAffineDimExpr(2 + spatial + i, ctx);
    inputExprs.push_back(o * window[i].stride + k * window[i].dilation);
    windowExprs.push_back(k);
    outputExprs.push_back(o);
  }
  SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, inputExprs, ctx),
                              AffineMap::get(numDims, 0, windowExprs, ctx),
                              AffineMap::get(numDims, 0, outputExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(2 + spatial,
                                             utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, initType, ins, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value x = args[0], acc = args[2], result;
               if (kind == PoolKind::Sum)
                 result = isFloat ? arith::AddFOp::create(nb, l, x, acc)
                                        .getResult()
                                  : arith::AddIOp::create(nb, l, x, acc)
                                        .getResult();
               else if (kind == PoolKind::MaxUnsigned)
                 result = arith::MaxUIOp::create(nb, l, x, acc).getResult();
               else
                 result = isFloat ? arith::MaximumFOp::create(nb, l, x, acc)
                                        .getResult()
                                  : arith::MaxSIOp::create(nb, l, x, acc)
                                        .getResult();
               linalg::YieldOp::create(nb, l, result);
             })
      .getResult(0);
}

/// A filled result-shaped init (N and C dynamic sizes from `input`).
FailureOr<Value> createFilledInit(PatternRewriter &rewriter, Operation *op,
                                  RankedTensorType resultType,
                                  ArrayRef<WindowDim> window, Value input,
                                  Value fill) {
  SmallVector<int64_t> shape(resultType.getShape());
  for (auto [i, dim] : llvm::enumerate(window))
    shape[2 + i] = dim.output;
  SmallVector<Value> dynamicSizes;
  for (int64_t d : {0, 1})
    if (ShapedType::isDynamic(shape[d]))
      dynamicSizes.push_back(tensor::DimOp::create(rewriter, op->getLoc(), input, d));
  Value empty = tensor::EmptyOp::create(rewriter, op->getLoc(), shape,
                                        resultType.getElementType(),
                                        dynamicSizes);
  return linalg::FillOp::create(rewriter, op->getLoc(), fill, empty)
      .getResult(0);
}

Value castToResult(PatternRewriter &rewriter, Location loc, Value value,
                   Type resultType) {
  if (value.getType() == resultType)
    return value;
  return tensor::CastOp::create(rewriter, loc, resultType, value);
}

struct MaxPoolToLinalg : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getIndices())
      return op.emitOpError(
          "argmax indices (MaxPool's second output) are not supported by the "
          "linalg lowering");
    FailureOr<RankedTensorType> resultType =
        getSignlessResultType(rewriter, op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (failed(resultType) || !inputType)
      return rewriter.notifyMatchFailure(op, "unranked");
    Type element = inputType.getElementType();
    if (!isa<FloatType>(element) && !element.isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    // A quant-typed input (a same-scale MaxPool) compares its storage.
    bool isUnsigned = getStorageType(getElementTypeOrSelf(op.getInput()))
                          .isUnsignedInteger();
    FailureOr<SmallVector<WindowDim>> window =
        getWindow(rewriter, op, inputType, *resultType);
    if (failed(window))
      return failure();
    Location loc = op.getLoc();
    Value lowest;
    if (auto floatType = dyn_cast<FloatType>(element))
      lowest = arith::ConstantOp::create(
          rewriter, loc, element,
          rewriter.getFloatAttr(element,
                                APFloat::getInf(floatType.getFloatSemantics(),
                                                /*Negative=*/true)));
    else
      lowest = arith::ConstantOp::create(
          rewriter, loc, element,
          rewriter.getIntegerAttr(
              element,
              isUnsigned
                  ? APInt::getMinValue(element.getIntOrFloatBitWidth())
                  : APInt::getSignedMinValue(element.getIntOrFloatBitWidth())));
    Value padded = padInput(rewriter, loc, adaptor.getInput(), *window, lowest);
    FailureOr<Value> init = createFilledInit(rewriter, op, *resultType, *window,
                                             adaptor.getInput(), lowest);
    if (failed(init))
      return failure();
    Value result = buildPool(rewriter, loc,
                             isUnsigned ? PoolKind::MaxUnsigned : PoolKind::Max,
                             padded, *init,
                             *window);
    rewriter.replaceOp(op, castToResult(rewriter, loc, result, *resultType));
    return success();
  }
};

/// Per-output-position element counts of the windows, as a dense constant
/// of the spatial output shape.
DenseElementsAttr getWindowCounts(ArrayRef<WindowDim> window,
                                  bool countIncludePad, FloatType type) {
  SmallVector<SmallVector<int64_t>> perDim;
  SmallVector<int64_t> shape;
  for (const WindowDim &dim : window) {
    int64_t lower = countIncludePad ? -dim.padBegin : 0;
    int64_t upper = countIncludePad ? dim.input + dim.padEnd : dim.input;
    SmallVector<int64_t> counts;
    for (int64_t o = 0; o < dim.output; ++o) {
      int64_t count = 0;
      for (int64_t k = 0; k < dim.kernel; ++k) {
        int64_t position = o * dim.stride - dim.padBegin + k * dim.dilation;
        count += position >= lower && position < upper;
      }
      counts.push_back(count);
    }
    perDim.push_back(counts);
    shape.push_back(dim.output);
  }
  SmallVector<APFloat> values;
  int64_t total = 1;
  for (int64_t size : shape)
    total *= size;
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t remaining = flat, product = 1;
    for (int64_t i = shape.size() - 1; i >= 0; --i) {
      product *= perDim[i][remaining % shape[i]];
      remaining /= shape[i];
    }
    APFloat value(static_cast<double>(product));
    bool losesInfo;
    value.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    values.push_back(value);
  }
  return DenseElementsAttr::get(RankedTensorType::get(shape, type), values);
}

struct AveragePoolToLinalg : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (failed(resultType) || !inputType)
      return rewriter.notifyMatchFailure(op, "unranked");
    auto element = dyn_cast<FloatType>(inputType.getElementType());
    if (!element)
      return rewriter.notifyMatchFailure(op, "needs a float input");
    FailureOr<SmallVector<WindowDim>> window =
        getWindow(rewriter, op, inputType, *resultType);
    if (failed(window))
      return failure();
    Location loc = op.getLoc();
    Value zero = createScalarConstant(rewriter, loc, element, 0.0);
    Value padded = padInput(rewriter, loc, adaptor.getInput(), *window, zero);
    FailureOr<Value> init = createFilledInit(rewriter, op, *resultType,
                                             *window, adaptor.getInput(), zero);
    if (failed(init))
      return failure();
    Value sum = buildPool(rewriter, loc, PoolKind::Sum, padded, *init, *window);
    Value counts = arith::ConstantOp::create(
        rewriter, loc,
        getWindowCounts(*window, op.getCountIncludePad(), element));
    int64_t rank = inputType.getRank();
    MLIRContext *ctx = getContext();
    SmallVector<AffineExpr> spatialExprs;
    for (int64_t d = 2; d < rank; ++d)
      spatialExprs.push_back(getAffineDimExpr(d, ctx));
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value average =
        linalg::GenericOp::create(
            rewriter, loc, sum.getType(), counts, sum,
            ArrayRef<AffineMap>{AffineMap::get(rank, 0, spatialExprs, ctx),
                                identity},
            iterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  arith::DivFOp::create(b, l, args[1], args[0]).getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, castToResult(rewriter, loc, average, *resultType));
    return success();
  }
};

/// Mean over all spatial dims, to N x C x 1 x ... x 1.
struct GlobalAveragePoolToLinalg : OpConversionPattern<GlobalAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    Value input = adaptor.getInput();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (failed(resultType) || !inputType || inputType.getRank() < 3 ||
        resultType->getRank() != inputType.getRank())
      return rewriter.notifyMatchFailure(op, "needs ranked N x C x ... tensors");
    auto element = dyn_cast<FloatType>(inputType.getElementType());
    if (!element)
      return rewriter.notifyMatchFailure(op, "needs a float input");
    int64_t rank = inputType.getRank();
    int64_t count = 1;
    for (int64_t d = 2; d < rank; ++d) {
      if (inputType.isDynamicDim(d))
        return rewriter.notifyMatchFailure(op, "dynamic spatial dim");
      count *= inputType.getDimSize(d);
    }
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    SmallVector<Value> dynamicSizes;
    for (int64_t d : {0, 1})
      if (inputType.isDynamicDim(d))
        dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, input, d));
    Value empty = tensor::EmptyOp::create(
        rewriter, loc, {inputType.getDimSize(0), inputType.getDimSize(1)},
        element, dynamicSizes);
    Value init = linalg::FillOp::create(
                     rewriter, loc,
                     createScalarConstant(rewriter, loc, element, 0.0), empty)
                     .getResult(0);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    iterators[0] = iterators[1] = utils::IteratorType::parallel;
    AffineMap batchChannel = AffineMap::get(
        rank, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
    Value sum = linalg::GenericOp::create(
                    rewriter, loc, init.getType(), input, init,
                    ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank),
                                        batchChannel},
                    iterators,
                    [](OpBuilder &b, Location l, ValueRange args) {
                      linalg::YieldOp::create(
                          b, l,
                          arith::AddFOp::create(b, l, args[0], args[1])
                              .getResult());
                    })
                    .getResult(0);
    AffineMap identity2 = rewriter.getMultiDimIdentityMap(2);
    Value mean =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), sum, empty,
            ArrayRef<AffineMap>{identity2, identity2},
            SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  arith::DivFOp::create(
                      b, l, args[0],
                      createScalarConstant(b, l, element,
                                           static_cast<double>(count)))
                      .getResult());
            })
            .getResult(0);
    ReassociationIndices trailing;
    for (int64_t d = 1; d < rank; ++d)
      trailing.push_back(d);
    SmallVector<int64_t> shape(rank, 1);
    shape[0] = inputType.getDimSize(0);
    shape[1] = inputType.getDimSize(1);
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, inputType.clone(shape), mean,
        ArrayRef<ReassociationIndices>{{0}, trailing});
    rewriter.replaceOp(op, castToResult(rewriter, loc, expanded, *resultType));
    return success();
  }
};

} // namespace

void mlir::nb::populatePoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolToLinalg, AveragePoolToLinalg,
               GlobalAveragePoolToLinalg>(patterns.getContext());
}
