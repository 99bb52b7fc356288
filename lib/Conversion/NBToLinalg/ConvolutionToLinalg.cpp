//===- ConvolutionToLinalg.cpp - convolution nb ops to linalg -------------===//
//
// Conv, ConvTranspose, ConvInteger and QLinearConv (NC<spatial>, N-d).
//
// Float 2-D ungrouped convolutions become `linalg.conv_2d_nchw_fchw`. Every
// other form is one grouped convolution generic in the layout of
// `linalg.conv_2d_ngchw_gfchw` generalized to N-d: the input is expanded to
// N x G x C/G x spatial, the weight to G x F/G x C/G x kernel, the result
// N x G x F/G x out is collapsed back to N x F x out. Pads are an explicit
// tensor.pad (with the input zero point for integer convolutions, so that
// padded elements contribute 0 as in ONNX's reference, which subtracts the
// zero point before padding). Integer forms widen to i32 in the body and
// subtract zero points there (weight zero points per output channel index
// the weight's channel through g * F/G + f); QLinearConv adds its int32 bias
// and requantizes as QLinearMatMul does.
//
// ConvTranspose is a convolution of the stride-dilated input (zeros between
// elements, tensor.insert_slice with strides) padded by dilation * (k - 1)
// minus the pads (plus output_padding at the end) with the flipped,
// channel-swapped kernel.
//
// Half-precision (f16, bf16) convolutions accumulate in f32, add the bias
// in f32 and round to the half type once, as ONNX Runtime's f16 Conv does.
//
// Spatial dims must be static; the batch may be dynamic.
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

int64_t attrOr(ArrayRef<int64_t> values, size_t index, int64_t fallback) {
  return index < values.size() ? values[index] : fallback;
}

/// A grouped convolution's geometry once pads are resolved.
struct ConvGeometry {
  int64_t groups = 1;
  SmallVector<int64_t> strides, dilations, padBegin, padEnd, output;
};

/// Resolves strides, dilations and pads (auto_pad from static shapes) of a
/// forward convolution and its output sizes.
template <typename OpTy>
FailureOr<ConvGeometry> getForwardGeometry(PatternRewriter &rewriter, OpTy op,
                                           RankedTensorType inputType,
                                           RankedTensorType weightType) {
  int64_t rank = inputType.getRank();
  if (rank < 3 || weightType.getRank() != rank)
    return rewriter.notifyMatchFailure(op, "input and weight ranks");
  int64_t spatial = rank - 2;
  ConvGeometry geometry;
  geometry.groups = op.getGroup();
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = inputType.getDimSize(2 + i);
    int64_t kernel = weightType.getDimSize(2 + i);
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dim");
    int64_t stride = attrOr(op.getStrides(), i, 1);
    int64_t dilation = attrOr(op.getDilations(), i, 1);
    int64_t effective = (kernel - 1) * dilation + 1;
    int64_t begin = 0, end = 0;
    switch (op.getAutoPad()) {
    case AutoPad::NotSet:
      begin = attrOr(op.getPads(), i, 0);
      end = attrOr(op.getPads(), spatial + i, 0);
      break;
    case AutoPad::Valid:
      break;
    case AutoPad::SameUpper:
    case AutoPad::SameLower: {
      int64_t out = (in + stride - 1) / stride;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * stride + effective - in);
      begin = op.getAutoPad() == AutoPad::SameUpper ? total / 2
                                                    : total - total / 2;
      end = total - begin;
      break;
    }
    }
    int64_t span = in + begin + end - effective;
    if (span < 0 || stride < 1 || dilation < 1)
      return rewriter.notifyMatchFailure(op, "window larger than input");
    geometry.strides.push_back(stride);
    geometry.dilations.push_back(dilation);
    geometry.padBegin.push_back(begin);
    geometry.padEnd.push_back(end);
    geometry.output.push_back(span / stride + 1);
  }
  return geometry;
}

/// `input` padded with `padValue` (a scalar) by the geometry's pads.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> begin, ArrayRef<int64_t> end,
                 Value padValue) {
  if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(end, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  SmallVector<int64_t> shape(type.getShape());
  for (auto [i, pair] : llvm::enumerate(llvm::zip(begin, end))) {
    auto [lo, hi] = pair;
    low.push_back(b.getIndexAttr(lo));
    high.push_back(b.getIndexAttr(hi));
    shape[2 + i] += lo + hi;
  }
  return tensor::PadOp::create(b, loc, type.clone(shape), input, low, high,
                               padValue)
      .getResult();
}

/// Splits dim `dim` of `value` into (`outer`, size / `outer`).
Value splitDim(OpBuilder &b, Location loc, Value value, int64_t dim,
               int64_t outer) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t next = shape.size();
    if (d == dim) {
      shape.push_back(outer);
      shape.push_back(type.getDimSize(d) / outer);
      reassociation.push_back({next, next + 1});
    } else {
      shape.push_back(type.getDimSize(d));
      reassociation.push_back({next});
    }
  }
  SmallVector<OpFoldResult> outputShape;
  for (int64_t d = 0, e = shape.size(); d < e; ++d) {
    if (ShapedType::isDynamic(shape[d])) {
      // Only the batch (dim 0) is ever dynamic here.
      outputShape.push_back(
          tensor::DimOp::create(b, loc, value, 0).getResult());
    } else {
      outputShape.push_back(b.getIndexAttr(shape[d]));
    }
  }
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value,
                                       reassociation, outputShape);
}

/// Extra scalar semantics of an integer convolution's body.
struct IntegerConv {
  Type inputType, weightType; // nb-level element types (signedness)
  Value inputZeroPoint, weightZeroPoint;
};

/// The grouped N-d convolution generic: `input` is N x C x padded spatial,
/// `weight` F x C/G x kernel; returns N x F x output of `accType`.
FailureOr<Value> buildGroupedConv(PatternRewriter &rewriter, Operation *op,
                                  Value input, Value weight,
                                  const ConvGeometry &geometry, Type accType,
                                  const IntegerConv *integer) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rewriter.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t spatial = inputType.getRank() - 2;
  int64_t groups = geometry.groups;
  int64_t channels = inputType.getDimSize(1);
  int64_t filters = weightType.getDimSize(0);
  if (groups < 1 || ShapedType::isDynamic(channels) ||
      ShapedType::isDynamic(filters) || channels % groups ||
      filters % groups || weightType.getDimSize(1) != channels / groups)
    return rewriter.notifyMatchFailure(op, "channels do not split in groups");
  int64_t filtersPerGroup = filters / groups;
  Value groupedInput = splitDim(rewriter, loc, input, 1, groups);
  Value groupedWeight = splitDim(rewriter, loc, weight, 0, groups);

  // Loops: n, g, f, o..., c, k...
  unsigned numDims = 3 + 2 * spatial + 1;
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
  AffineExpr n = dim(0), g = dim(1), f = dim(2), c = dim(3 + spatial);
  SmallVector<AffineExpr> inputExprs{n, g, c}, weightExprs{g, f, c},
      outputExprs{n, g, f};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = dim(3 + i), k = dim(4 + spatial + i);
    inputExprs.push_back(o * geometry.strides[i] + k * geometry.dilations[i]);
    weightExprs.push_back(k);
    outputExprs.push_back(o);
  }
  SmallVector<Value> inputs{groupedInput, groupedWeight};
  SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, inputExprs, ctx),
                              AffineMap::get(numDims, 0, weightExprs, ctx)};
  if (integer) {
    for (auto [zeroPoint, perChannel] :
         {std::make_pair(integer->inputZeroPoint, false),
          std::make_pair(integer->weightZeroPoint, true)}) {
      if (!zeroPoint)
        continue;
      auto type = cast<RankedTensorType>(zeroPoint.getType());
      AffineMap map;
      if (type.hasStaticShape() && type.getNumElements() == 1)
        map = AffineMap::get(numDims, 0,
                             SmallVector<AffineExpr>(type.getRank(),
                                                     getAffineConstantExpr(0, ctx)),
                             ctx);
      else if (perChannel && type.getRank() == 1 &&
               type.getDimSize(0) == filters)
        map = AffineMap::get(numDims, 0, g * filtersPerGroup + f, ctx);
      else
        return rewriter.notifyMatchFailure(
            op, "zero points must be scalars (or per output channel for the "
                "weight)");
      inputs.push_back(zeroPoint);
      maps.push_back(map);
    }
  }
  maps.push_back(AffineMap::get(numDims, 0, outputExprs, ctx));

  SmallVector<int64_t> groupedShape{inputType.getDimSize(0), groups,
                                    filtersPerGroup};
  llvm::append_range(groupedShape, geometry.output);
  SmallVector<Value> dynamicSizes;
  if (ShapedType::isDynamic(groupedShape[0]))
    dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, input, 0));
  Value empty = tensor::EmptyOp::create(rewriter, loc, groupedShape, accType,
                                        dynamicSizes);
  Value init = linalg::FillOp::create(
                   rewriter, loc, createScalarConstant(rewriter, loc, accType, 0),
                   empty)
                   .getResult(0);
  SmallVector<utils::IteratorType> iterators(3 + spatial,
                                             utils::IteratorType::parallel);
  iterators.append(1 + spatial, utils::IteratorType::reduction);
  bool isFloat = isa<FloatType>(accType);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, init.getType(), inputs, init, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value x = args[0], w = args[1], acc = args.back();
        Value product;
        if (isFloat) {
          product = arith::MulFOp::create(b, l, convertScalar(b, l, x, x.getType(), accType),
                                          convertScalar(b, l, w, w.getType(), accType));
          linalg::YieldOp::create(b, l,
                                  arith::AddFOp::create(b, l, acc, product)
                                      .getResult());
          return;
        }
        x = convertScalar(b, l, x, integer->inputType, accType);
        w = convertScalar(b, l, w, integer->weightType, accType);
        unsigned next = 2;
        if (integer->inputZeroPoint)
          x = arith::SubIOp::create(
              b, l, x,
              convertScalar(b, l, args[next++], integer->inputType, accType));
        if (integer->weightZeroPoint)
          w = arith::SubIOp::create(
              b, l, w,
              convertScalar(b, l, args[next++], integer->weightType, accType));
        product = arith::MulIOp::create(b, l, x, w);
        linalg::YieldOp::create(
            b, l, arith::AddIOp::create(b, l, acc, product).getResult());
      });
  // N x G x F/G x out -> N x F x out.
  SmallVector<ReassociationIndices> collapse{{0}, {1, 2}};
  for (int64_t i = 0; i < spatial; ++i)
    collapse.push_back({3 + i});
  return tensor::CollapseShapeOp::create(rewriter, loc, generic.getResult(0),
                                         collapse)
      .getResult();
}

/// Adds a per-output-channel `bias` (dim 1).
Value addChannelBias(OpBuilder &b, Location loc, Value value, Value bias) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  bool isFloat = isa<FloatType>(type.getElementType());
  return linalg::GenericOp::create(
             b, loc, type, bias, value,
             ArrayRef<AffineMap>{
                 AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx),
                 identity},
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value sum = isFloat ? arith::AddFOp::create(nb, l, args[1],
                                                           args[0])
                                         .getResult()
                                   : arith::AddIOp::create(nb, l, args[1],
                                                           args[0])
                                         .getResult();
               linalg::YieldOp::create(nb, l, sum);
             })
      .getResult(0);
}

/// A float convolution's accumulator `acc` plus its per-output-channel
/// `bias` (when given), rounded to `resultElement`: one elementwise generic,
/// so that a half-precision convolution's f32 accumulator is rounded once,
/// after the bias.
Value finishFloatConv(OpBuilder &b, Location loc, Value acc, Value bias,
                      Type resultElement) {
  Type accElement = getElementTypeOrSelf(acc);
  if (accElement == resultElement)
    return bias ? addChannelBias(b, loc, acc, bias) : acc;
  auto accType = cast<RankedTensorType>(acc.getType());
  int64_t rank = accType.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<Value> inputs{acc};
  SmallVector<AffineMap> maps{identity};
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx));
  }
  maps.push_back(identity);
  SmallVector<Value> dynamicSizes;
  for (int64_t dim = 0; dim < rank; ++dim)
    if (accType.isDynamicDim(dim))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, acc, dim));
  Value init = tensor::EmptyOp::create(b, loc, accType.getShape(),
                                       resultElement, dynamicSizes);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), inputs, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value value = args[0];
               if (bias)
                 value = arith::AddFOp::create(
                     nb, l, value,
                     convertScalar(nb, l, args[1], resultElement, accElement));
               linalg::YieldOp::create(
                   nb, l,
                   convertScalar(nb, l, value, accElement, resultElement));
             })
      .getResult(0);
}

Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

struct ConvToLinalg : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto weightType = dyn_cast<RankedTensorType>(adaptor.getWeight().getType());
    if (failed(resultType) || !inputType || !weightType)
      return rewriter.notifyMatchFailure(op, "unranked");
    Type element = resultType->getElementType();
    if (!isa<FloatType>(element) || inputType.getElementType() != element ||
        weightType.getElementType() != element)
      return rewriter.notifyMatchFailure(op, "needs float operands of one type");
    FailureOr<ConvGeometry> geometry =
        getForwardGeometry(rewriter, op, inputType, weightType);
    if (failed(geometry))
      return failure();
    Location loc = op.getLoc();
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(),
                              geometry->padBegin, geometry->padEnd,
                              createScalarConstant(rewriter, loc, element, 0));
    Type accElement = getAccumulatorType(element);
    Value result;
    if (geometry->groups == 1 && inputType.getRank() == 4) {
      SmallVector<int64_t> shape{inputType.getDimSize(0),
                                 weightType.getDimSize(0)};
      llvm::append_range(shape, geometry->output);
      SmallVector<Value> dynamicSizes;
      if (inputType.isDynamicDim(0))
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, adaptor.getInput(), 0));
      Value empty = tensor::EmptyOp::create(rewriter, loc, shape, accElement,
                                            dynamicSizes);
      Value init = linalg::FillOp::create(
                       rewriter, loc,
                       createScalarConstant(rewriter, loc, accElement, 0), empty)
                       .getResult(0);
      SmallVector<Value> ins{padded, adaptor.getWeight()};
      SmallVector<Type> types{init.getType()};
      result = linalg::Conv2DNchwFchwOp::create(
                   rewriter, loc, types, ins, init,
                   rewriter.getI64TensorAttr(geometry->strides),
                   rewriter.getI64TensorAttr(geometry->dilations))
                   .getResult(0);
    } else {
      FailureOr<Value> conv =
          buildGroupedConv(rewriter, op, padded, adaptor.getWeight(),
                           *geometry, accElement, /*integer=*/nullptr);
      if (failed(conv))
        return failure();
      result = *conv;
    }
    result =
        finishFloatConv(rewriter, loc, result, adaptor.getBias(), element);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, *resultType));
    return success();
  }
};

/// The padding value of an integer convolution: its input zero point (a
/// single element) or 0.
Value getIntegerPadValue(OpBuilder &b, Location loc, Value zeroPoint,
                         Type element) {
  if (!zeroPoint)
    return createScalarConstant(b, loc, element, 0);
  auto type = cast<RankedTensorType>(zeroPoint.getType());
  SmallVector<Value> indices(type.getRank(),
                             arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, zeroPoint, indices);
}

bool isEightBit(Value value) {
  auto type = dyn_cast<IntegerType>(getElementTypeOrSelf(value));
  return type && type.getWidth() == 8;
}

bool isSingleElement(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && type.getNumElements() == 1;
}

/// The int32 convolution shared by ConvInteger and QLinearConv.
template <typename OpTy>
FailureOr<Value> buildIntegerConv(ConversionPatternRewriter &rewriter, OpTy op,
                                  Value input, Value weight,
                                  Value inputZeroPoint,
                                  Value weightZeroPoint) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  FailureOr<ConvGeometry> geometry =
      getForwardGeometry(rewriter, op, inputType, weightType);
  if (failed(geometry))
    return failure();
  if (inputZeroPoint && !isSingleElement(inputZeroPoint))
    return rewriter.notifyMatchFailure(op, "input zero point must be a scalar");
  Location loc = op.getLoc();
  Value padded = padSpatial(
      rewriter, loc, input, geometry->padBegin, geometry->padEnd,
      getIntegerPadValue(rewriter, loc, inputZeroPoint,
                         inputType.getElementType()));
  IntegerConv integer{getElementTypeOrSelf(op.getInput()),
                      getElementTypeOrSelf(op.getWeight()), inputZeroPoint,
                      weightZeroPoint};
  return buildGroupedConv(rewriter, op, padded, weight, *geometry,
                          rewriter.getI32Type(), &integer);
}

FailureOr<SmallVector<Value>> getSignlessOperands(PatternRewriter &rewriter,
                                                  Operation *op,
                                                  ValueRange operands) {
  SmallVector<Value> result;
  for (Value operand : operands) {
    FailureOr<Value> signless = getSignlessTensor(rewriter, op, operand);
    if (failed(signless))
      return failure();
    result.push_back(*signless);
  }
  return result;
}

struct ConvIntegerToLinalg : OpConversionPattern<ConvIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    if (failed(resultType) || !isEightBit(op.getInput()) ||
        !isEightBit(op.getWeight()) ||
        !resultType->getElementType().isInteger(32))
      return rewriter.notifyMatchFailure(
          op, "needs 8-bit integer operands and an i32 result");
    FailureOr<SmallVector<Value>> operands =
        getSignlessOperands(rewriter, op, adaptor.getOperands());
    if (failed(operands))
      return failure();
    Value inputZero = adaptor.getInputZeroPoint() ? (*operands)[2] : Value();
    Value weightZero = adaptor.getWeightZeroPoint()
                           ? (*operands)[inputZero ? 3 : 2]
                           : Value();
    FailureOr<Value> result =
        buildIntegerConv(rewriter, op, (*operands)[0], (*operands)[1],
                         inputZero, weightZero);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), *result, *resultType));
    return success();
  }
};

/// Integer convolution, int32 bias, then requantization:
/// saturate(round_half_even(acc * (x_scale * w_scale / y_scale)) + y_zp)
/// with per-output-channel weight scales.
struct QLinearConvToLinalg : OpConversionPattern<QLinearConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QLinearConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    auto outputType =
        dyn_cast<IntegerType>(getElementTypeOrSelf(op.getOutput()));
    if (failed(resultType) || !isEightBit(op.getInput()) ||
        !isEightBit(op.getWeight()) || !outputType ||
        outputType.getWidth() != 8)
      return rewriter.notifyMatchFailure(
          op, "needs 8-bit integer operands and result");
    for (Value scale : {op.getInputScale(), op.getWeightScale(),
                        op.getOutputScale()})
      if (!getElementTypeOrSelf(scale).isF32())
        return rewriter.notifyMatchFailure(op, "needs f32 scales");
    FailureOr<SmallVector<Value>> operands =
        getSignlessOperands(rewriter, op, adaptor.getOperands());
    if (failed(operands))
      return failure();
    ArrayRef<Value> v = *operands;
    // input, x_scale, x_zp, weight, w_scale, w_zp, y_scale, y_zp, [bias]
    FailureOr<Value> acc =
        buildIntegerConv(rewriter, op, v[0], v[3], v[2], v[5]);
    if (failed(acc))
      return failure();
    Location loc = op.getLoc();
    if (v.size() > 8)
      *acc = addChannelBias(rewriter, loc, *acc, v[8]);
    auto accType = cast<RankedTensorType>(acc->getType());
    int64_t rank = accType.getRank();
    int64_t filters = accType.getDimSize(1);
    SmallVector<Value> inputs{*acc};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
    for (auto [value, perChannel] :
         {std::make_pair(v[1], false), std::make_pair(v[4], true),
          std::make_pair(v[6], false), std::make_pair(v[7], false)}) {
      FailureOr<AffineMap> map = getParameterMap(
          value.getType(), rank,
          perChannel ? std::optional<unsigned>(1) : std::nullopt, filters);
      if (failed(map))
        return rewriter.notifyMatchFailure(
            op, "scales and zero points must be scalars (weight scale: or "
                "per output channel)");
      inputs.push_back(value);
      maps.push_back(*map);
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    auto signlessResult = cast<RankedTensorType>(getSignlessType(accType.clone(
        IntegerType::get(getContext(), 8))));
    SmallVector<Value> dynamicSizes;
    if (accType.isDynamicDim(0))
      dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, *acc, 0));
    Value init = tensor::EmptyOp::create(rewriter, loc, signlessResult.getShape(),
                                         signlessResult.getElementType(),
                                         dynamicSizes);
    Type zeroPointType = getElementTypeOrSelf(op.getOutputZeroPoint());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, signlessResult, inputs, init, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Type f64 = b.getF64Type();
              Value multiplier = arith::DivFOp::create(
                  b, l, arith::MulFOp::create(b, l, args[1], args[2]),
                  args[3]);
              Value scaled = arith::MulFOp::create(
                  b, l, arith::SIToFPOp::create(b, l, f64, args[0]),
                  arith::ExtFOp::create(b, l, f64, multiplier));
              Value shifted = arith::AddFOp::create(
                  b, l, scaled, convertScalar(b, l, args[4], zeroPointType, f64));
              linalg::YieldOp::create(
                  b, l, roundAndSaturate(b, l, shifted, outputType));
            })
            .getResult(0);
    rewriter.replaceOp(
        op, castTo(rewriter, loc, result, getSignlessType(*resultType)));
    return success();
  }
};

struct ConvTransposeToLinalg : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    auto weightType = dyn_cast<RankedTensorType>(weight.getType());
    if (failed(resultType) || !inputType || !weightType ||
        inputType.getRank() < 3 || weightType.getRank() != inputType.getRank())
      return rewriter.notifyMatchFailure(op, "unranked or rank mismatch");
    auto element = dyn_cast<FloatType>(resultType->getElementType());
    if (!element || inputType.getElementType() != element ||
        weightType.getElementType() != element ||
        !weightType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs float operands, static weight");
    if (op.getAutoPad() == AutoPad::Valid)
      return rewriter.notifyMatchFailure(op, "auto_pad VALID");
    int64_t rank = inputType.getRank(), spatial = rank - 2;
    int64_t groups = op.getGroup();
    int64_t channels = weightType.getDimSize(0);
    int64_t filtersPerGroup = weightType.getDimSize(1);
    if (groups < 1 || channels % groups ||
        inputType.getDimSize(1) != channels)
      return rewriter.notifyMatchFailure(op, "channels do not split in groups");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    ConvGeometry geometry;
    geometry.groups = groups;
    SmallVector<int64_t> dilatedShape(inputType.getShape());
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0)),
        sizes, strides(rank, rewriter.getIndexAttr(1));
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(inputType.isDynamicDim(d)
                          ? OpFoldResult(tensor::DimOp::create(rewriter, loc,
                                                               input, d)
                                             .getResult())
                          : rewriter.getIndexAttr(inputType.getDimSize(d)));
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = inputType.getDimSize(2 + i);
      if (ShapedType::isDynamic(in))
        return rewriter.notifyMatchFailure(op, "dynamic spatial dim");
      int64_t kernel = weightType.getDimSize(2 + i);
      int64_t stride = attrOr(op.getStrides(), i, 1);
      int64_t dilation = attrOr(op.getDilations(), i, 1);
      int64_t reach = dilation * (kernel - 1);
      int64_t outputPadding = attrOr(op.getOutputPadding(), i, 0);
      int64_t padBegin = attrOr(op.getPads(), i, 0);
      int64_t padEnd = attrOr(op.getPads(), spatial + i, 0);
      if (op.getOutputShape() || op.getAutoPad() != AutoPad::NotSet) {
        // ONNX: the pads that give output_shape (in * stride for SAME_*),
        // the odd one at the end except for SAME_LOWER. A negative total
        // grows the output at the end.
        int64_t output = op.getOutputShape()
                             ? (*op.getOutputShape())[i]
                             : in * stride;
        int64_t total =
            stride * (in - 1) + outputPadding + reach + 1 - output;
        int64_t half = total / 2;
        bool lower = op.getAutoPad() == AutoPad::SameLower;
        padBegin = lower ? total - half : half;
        padEnd = lower ? half : total - half;
      }
      int64_t begin = reach - padBegin;
      int64_t end = reach - padEnd + outputPadding;
      if (begin < 0 || end < 0)
        return rewriter.notifyMatchFailure(
            op, "pads larger than dilation * (kernel - 1)");
      dilatedShape[2 + i] = (in - 1) * stride + 1;
      strides[2 + i] = rewriter.getIndexAttr(stride);
      geometry.strides.push_back(1);
      geometry.dilations.push_back(dilation);
      geometry.padBegin.push_back(begin);
      geometry.padEnd.push_back(end);
      geometry.output.push_back(dilatedShape[2 + i] + begin + end - reach);
    }
    // Zeros between the input elements.
    Value zero = createScalarConstant(rewriter, loc, element, 0);
    SmallVector<Value> dynamicSizes;
    if (inputType.isDynamicDim(0))
      dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, input, 0));
    Value zeros = linalg::FillOp::create(
                      rewriter, loc, zero,
                      tensor::EmptyOp::create(rewriter, loc, dilatedShape,
                                              element, dynamicSizes)
                          .getResult())
                      .getResult(0);
    Value dilated = tensor::InsertSliceOp::create(rewriter, loc, input, zeros,
                                                  offsets, sizes, strides);
    Value padded = padSpatial(rewriter, loc, dilated, geometry.padBegin,
                              geometry.padEnd, zero);
    // W (C x F/G x k) -> W' (F x C/G x k) flipped: W'[g*F/G + f, c, k] =
    // W[g*C/G + c, f, K-1-k], built in the grouped layout and collapsed.
    int64_t channelsPerGroup = channels / groups;
    Value groupedWeight = splitDim(rewriter, loc, weight, 0, groups);
    SmallVector<int64_t> flippedShape{groups, filtersPerGroup,
                                      channelsPerGroup};
    SmallVector<AffineExpr> readExprs{getAffineDimExpr(0, ctx),
                                      getAffineDimExpr(2, ctx),
                                      getAffineDimExpr(1, ctx)};
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t kernel = weightType.getDimSize(2 + i);
      flippedShape.push_back(kernel);
      readExprs.push_back(kernel - 1 - getAffineDimExpr(3 + i, ctx));
    }
    Value flippedEmpty =
        tensor::EmptyOp::create(rewriter, loc, flippedShape, element);
    SmallVector<utils::IteratorType> parallel(3 + spatial,
                                              utils::IteratorType::parallel);
    Value flipped =
        linalg::GenericOp::create(
            rewriter, loc, flippedEmpty.getType(), groupedWeight, flippedEmpty,
            ArrayRef<AffineMap>{
                AffineMap::get(3 + spatial, 0, readExprs, ctx),
                rewriter.getMultiDimIdentityMap(3 + spatial)},
            parallel,
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(b, l, args[0]);
            })
            .getResult(0);
    SmallVector<ReassociationIndices> merge{{0, 1}};
    for (int64_t d = 2; d < 3 + spatial; ++d)
      merge.push_back({d});
    Value convWeight =
        tensor::CollapseShapeOp::create(rewriter, loc, flipped, merge);
    FailureOr<Value> result =
        buildGroupedConv(rewriter, op, padded, convWeight, geometry,
                         getAccumulatorType(element), /*integer=*/nullptr);
    if (failed(result))
      return failure();
    Value output =
        finishFloatConv(rewriter, loc, *result, adaptor.getBias(), element);
    rewriter.replaceOp(op, castTo(rewriter, loc, output, *resultType));
    return success();
  }
};

} // namespace

FailureOr<Value> lowering::buildQuantizedConvAccumulator(
    ConversionPatternRewriter &rewriter, ConvOp op, Value input, Value weight,
    Value inputZeroPoint, Value weightZeroPoint, Value bias) {
  FailureOr<Value> acc = buildIntegerConv(rewriter, op, input, weight,
                                          inputZeroPoint, weightZeroPoint);
  if (failed(acc) || !bias)
    return acc;
  return addChannelBias(rewriter, op.getLoc(), *acc, bias);
}

void mlir::nb::populateConvolutionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConvToLinalg, ConvTransposeToLinalg, ConvIntegerToLinalg,
               QLinearConvToLinalg>(patterns.getContext());
}
