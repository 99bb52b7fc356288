//===- ResizeToLinalg.cpp - nb.resize to linalg.generic -------------------===//
//
// Resize is one `linalg.generic` over the output. Per resized axis, the body
// maps the output coordinate to the input one with the op's
// coordinate_transformation_mode and turns it into taps (input index,
// weight): one for nearest, two for linear, four for cubic, with indices
// clamped to the axis (ONNX's reference pads with edge values). The result is
// the sum over the product of the axes' taps of weight * input element, read
// with `tensor.extract`; axes that are not resized read the output index.
//
// Coordinates and weights are computed in f64, as onnx.reference does (ONNX
// Runtime uses f32; the two disagree on exact ties of nearest rounding, e.g.
// (1 + 0.5) / 0.6f - 0.5 is 2 in f32 but 1.9999999 in f64); sums are in the
// element type (f32 for narrower floats). Scales and sizes
// must be constants and resized axes static; tf_crop_and_resize and
// antialiased downsampling are not lowered.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "../../Dialect/NB/IR/NBOpsUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

/// What the body needs to know about one axis.
struct AxisResize {
  bool identity = true;
  int64_t inSize = 0, outSize = 0;
  double scale = 1.0;
};

/// One interpolation tap on one axis: an input index and, except for
/// nearest, its weight.
struct Tap {
  Value index;
  Value weight;
};

struct ResizeToGeneric : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!inputType)
      return rewriter.notifyMatchFailure(op, "input is unranked");
    FailureOr<RankedTensorType> resultType =
        getSignlessResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Type elementType = inputType.getElementType();
    ResizeMode mode = op.getMode();
    if (mode != ResizeMode::Nearest && !isa<FloatType>(elementType))
      return rewriter.notifyMatchFailure(op, "interpolates a non-float type");
    if (mode == ResizeMode::Nearest && !isa<FloatType>(elementType) &&
        !elementType.isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    if (op.getCoordinateTransformationMode() ==
        CoordinateTransformationMode::TfCropAndResize)
      return rewriter.notifyMatchFailure(op, "tf_crop_and_resize");

    FailureOr<SmallVector<AxisResize>> axes = getAxes(op, rewriter, inputType,
                                                      *resultType);
    if (failed(axes))
      return failure();
    if (op.getAntialias() && mode != ResizeMode::Nearest &&
        llvm::any_of(*axes, [](const AxisResize &a) {
          return !a.identity && a.scale < 1.0;
        }))
      return rewriter.notifyMatchFailure(op, "antialiased downsampling");

    Location loc = op.getLoc();
    int64_t rank = inputType.getRank();
    SmallVector<Value> dynamicSizes;
    for (int64_t dim = 0; dim < rank; ++dim)
      if (resultType->isDynamicDim(dim))
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, adaptor.getInput(), dim));
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType->getShape(),
                                         resultType->getElementType(),
                                         dynamicSizes);
    // Sums in f32 for narrower floats.
    Type computeType = rewriter.getF32Type();
    if (elementType.isF64())
      computeType = elementType;
    Value input = adaptor.getInput();
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, *resultType, ValueRange{}, init,
        rewriter.getMultiDimIdentityMap(rank), iterators,
        [&](OpBuilder &b, Location nested, ValueRange) {
          SmallVector<SmallVector<Tap>> taps;
          for (int64_t dim = 0; dim < rank; ++dim) {
            Value out = linalg::IndexOp::create(b, nested, dim);
            const AxisResize &axis = (*axes)[dim];
            if (axis.identity)
              taps.push_back({Tap{out, Value()}});
            else
              taps.push_back(buildTaps(b, nested, op, axis, out, computeType));
          }
          linalg::YieldOp::create(
              b, nested,
              combineTaps(b, nested, input, taps, elementType, computeType));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

  /// Scale and sizes per input dim, from constant scales or sizes.
  static FailureOr<SmallVector<AxisResize>>
  getAxes(ResizeOp op, PatternRewriter &rewriter, RankedTensorType inputType,
          RankedTensorType resultType) {
    int64_t rank = inputType.getRank();
    SmallVector<int64_t> axisList;
    if (std::optional<ArrayRef<int64_t>> listed = op.getAxes()) {
      for (int64_t axis : *listed)
        axisList.push_back(axis < 0 ? axis + rank : axis);
    } else {
      axisList = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    }
    SmallVector<double> scales;
    SmallVector<int64_t> sizes;
    auto isEmpty = [](Value v) {
      auto type = dyn_cast<RankedTensorType>(v.getType());
      return type && type.hasStaticShape() && type.getNumElements() == 0;
    };
    if (op.getScales() && !isEmpty(op.getScales())) {
      auto attr = dyn_cast_if_present<DenseFPElementsAttr>(
          nb::detail::getConstantElements(op.getScales()));
      if (!attr)
        return rewriter.notifyMatchFailure(op, "scales are not constant");
      for (const APFloat &v : attr.getValues<APFloat>())
        scales.push_back(v.convertToDouble());
    } else if (op.getSizes() && !isEmpty(op.getSizes())) {
      if (!nb::detail::getConstantInts(op.getSizes(), sizes))
        return rewriter.notifyMatchFailure(op, "sizes are not constant");
    } else {
      return rewriter.notifyMatchFailure(op, "needs scales or sizes");
    }
    if (scales.size() + sizes.size() != axisList.size())
      return rewriter.notifyMatchFailure(op, "scales/sizes and axes differ");

    SmallVector<AxisResize> axes(rank);
    // keep_aspect_ratio_policy scales every axis by one factor.
    std::optional<double> commonScale;
    if (!sizes.empty() &&
        op.getKeepAspectRatioPolicy() != KeepAspectRatioPolicy::Stretch) {
      for (auto [i, axis] : llvm::enumerate(axisList)) {
        int64_t in = inputType.getDimSize(axis);
        if (ShapedType::isDynamic(in))
          return rewriter.notifyMatchFailure(op, "resized dim is dynamic");
        double s = static_cast<double>(sizes[i]) / in;
        if (!commonScale)
          commonScale = s;
        else if (op.getKeepAspectRatioPolicy() ==
                 KeepAspectRatioPolicy::NotLarger)
          commonScale = std::min(*commonScale, s);
        else
          commonScale = std::max(*commonScale, s);
      }
    }
    for (auto [i, axis] : llvm::enumerate(axisList)) {
      AxisResize &a = axes[axis];
      a.inSize = inputType.getDimSize(axis);
      a.outSize = resultType.getDimSize(axis);
      if (!scales.empty())
        a.scale = scales[i];
      else if (commonScale)
        a.scale = *commonScale;
      else if (!ShapedType::isDynamic(a.inSize))
        a.scale = static_cast<double>(sizes[i]) / a.inSize;
      bool sameSize = a.inSize == a.outSize;
      a.identity = sameSize && a.scale == 1.0;
      if (a.identity)
        continue;
      if (ShapedType::isDynamic(a.inSize) || ShapedType::isDynamic(a.outSize))
        return rewriter.notifyMatchFailure(op, "resized dim is dynamic");
      if (a.scale <= 0.0)
        return rewriter.notifyMatchFailure(op, "scale is not positive");
    }
    return axes;
  }

  /// The input coordinate, in f64, of output index `out` on `axis`.
  static Value buildSourceCoordinate(OpBuilder &b, Location loc, ResizeOp op,
                                     const AxisResize &axis, Value out) {
    Type f64 = b.getF64Type();
    auto constant = [&](double v) -> Value {
      return arith::ConstantOp::create(b, loc, f64, b.getF64FloatAttr(v));
    };
    Value x = arith::SIToFPOp::create(
        b, loc, f64, arith::IndexCastOp::create(b, loc, b.getI64Type(), out));
    // The reference's output length is scale * input length, which differs
    // from the integer output size when the scale does not divide evenly.
    double outLength = axis.scale * static_cast<double>(axis.inSize);
    auto halfPixel = [&]() -> Value {
      Value shifted = arith::AddFOp::create(b, loc, x, constant(0.5));
      Value scaled = arith::DivFOp::create(b, loc, shifted, constant(axis.scale));
      return arith::SubFOp::create(b, loc, scaled, constant(0.5));
    };
    switch (op.getCoordinateTransformationMode()) {
    case CoordinateTransformationMode::HalfPixel:
      return halfPixel();
    case CoordinateTransformationMode::PytorchHalfPixel:
      return axis.outSize > 1 ? halfPixel() : constant(0.0);
    case CoordinateTransformationMode::AlignCorners: {
      if (outLength == 1.0)
        return constant(0.0);
      Value stretched = arith::MulFOp::create(
          b, loc, x, constant(static_cast<double>(axis.inSize - 1)));
      return arith::DivFOp::create(b, loc, stretched,
                                   constant(outLength - 1.0));
    }
    case CoordinateTransformationMode::Asymmetric:
      return arith::DivFOp::create(b, loc, x, constant(axis.scale));
    case CoordinateTransformationMode::HalfPixelSymmetric: {
      double adjustment = static_cast<double>(axis.outSize) / outLength;
      double center = static_cast<double>(axis.inSize) / 2.0;
      double offset = center * (1.0 - adjustment);
      // (offset + (x + 0.5) / scale) - 0.5, in the reference's order.
      Value shifted = arith::AddFOp::create(b, loc, x, constant(0.5));
      Value scaled = arith::DivFOp::create(b, loc, shifted, constant(axis.scale));
      Value moved = arith::AddFOp::create(b, loc, constant(offset), scaled);
      return arith::SubFOp::create(b, loc, moved, constant(0.5));
    }
    case CoordinateTransformationMode::TfCropAndResize:
      break;
    }
    return x;
  }

  /// `i` (i64) clamped to [0, size) as an index.
  static Value clampIndex(OpBuilder &b, Location loc, Value i, int64_t size) {
    Value zero = arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0);
    Value last = arith::ConstantIntOp::create(b, loc, b.getI64Type(), size - 1);
    Value clamped = arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, i, zero), last);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), clamped);
  }

  static SmallVector<Tap> buildTaps(OpBuilder &b, Location loc, ResizeOp op,
                                    const AxisResize &axis, Value out,
                                    Type computeType) {
    Type f64 = b.getF64Type();
    Type i64 = b.getI64Type();
    auto constant = [&](double v) -> Value {
      return arith::ConstantOp::create(b, loc, f64, b.getF64FloatAttr(v));
    };
    Value x = buildSourceCoordinate(b, loc, op, axis, out);
    if (op.getMode() == ResizeMode::Nearest) {
      Value rounded;
      switch (op.getNearestMode()) {
      case NearestMode::RoundPreferFloor: // x.5 goes down: ceil(x - 0.5)
        rounded = math::CeilOp::create(
            b, loc, arith::SubFOp::create(b, loc, x, constant(0.5)));
        break;
      case NearestMode::RoundPreferCeil: // x.5 goes up: floor(x + 0.5)
        rounded = math::FloorOp::create(
            b, loc, arith::AddFOp::create(b, loc, x, constant(0.5)));
        break;
      case NearestMode::Floor:
        rounded = math::FloorOp::create(b, loc, x);
        break;
      case NearestMode::Ceil:
        rounded = math::CeilOp::create(b, loc, x);
        break;
      }
      Value i = arith::FPToSIOp::create(b, loc, i64, rounded);
      return {Tap{clampIndex(b, loc, i, axis.inSize), Value()}};
    }

    Value floor = math::FloorOp::create(b, loc, x);
    Value t = arith::SubFOp::create(b, loc, x, floor);
    Value base = arith::FPToSIOp::create(b, loc, i64, floor);
    auto index = [&](int64_t offset) {
      Value i = arith::AddIOp::create(
          b, loc, base, arith::ConstantIntOp::create(b, loc, i64, offset));
      return std::pair{i, clampIndex(b, loc, i, axis.inSize)};
    };
    SmallVector<std::pair<int64_t, Value>> weights; // (offset, f64 weight)
    if (op.getMode() == ResizeMode::Linear) {
      weights = {{0, arith::SubFOp::create(b, loc, constant(1.0), t)},
                 {1, t}};
    } else {
      // Keys' cubic convolution with coefficient A.
      double a = op.getCubicCoeffA().convertToFloat();
      auto nearKernel = [&](Value d) -> Value { // |d| <= 1
        // ((A + 2) d - (A + 3)) d^2 + 1
        Value inner = arith::SubFOp::create(
            b, loc, arith::MulFOp::create(b, loc, constant(a + 2.0), d),
            constant(a + 3.0));
        Value d2 = arith::MulFOp::create(b, loc, d, d);
        return arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, inner, d2), constant(1.0));
      };
      auto farKernel = [&](Value d) -> Value { // 1 < |d| < 2
        // ((A d - 5A) d + 8A) d - 4A
        Value v = arith::SubFOp::create(
            b, loc, arith::MulFOp::create(b, loc, constant(a), d),
            constant(5.0 * a));
        v = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, v, d),
                                  constant(8.0 * a));
        return arith::SubFOp::create(
            b, loc, arith::MulFOp::create(b, loc, v, d), constant(4.0 * a));
      };
      Value one = constant(1.0);
      Value oneMinusT = arith::SubFOp::create(b, loc, one, t);
      weights = {
          {-1, farKernel(arith::AddFOp::create(b, loc, t, one))},
          {0, nearKernel(t)},
          {1, nearKernel(oneMinusT)},
          {2, farKernel(arith::AddFOp::create(b, loc, oneMinusT, one))}};
    }

    SmallVector<Tap> taps;
    Value total;
    for (auto [offset, weight] : weights) {
      auto [raw, clamped] = index(offset);
      if (op.getMode() == ResizeMode::Cubic && op.getExcludeOutside()) {
        // Taps outside the axis get weight 0; the rest are renormalized.
        Value inside = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ult, raw,
            arith::ConstantIntOp::create(b, loc, i64, axis.inSize));
        weight = arith::SelectOp::create(b, loc, inside, weight, constant(0.0));
        total = total ? arith::AddFOp::create(b, loc, total, weight).getResult()
                      : weight;
      }
      taps.push_back(Tap{clamped, weight});
    }
    for (Tap &tap : taps) {
      if (total)
        tap.weight = arith::DivFOp::create(b, loc, tap.weight, total);
      if (computeType != f64)
        tap.weight = arith::TruncFOp::create(b, loc, computeType, tap.weight);
    }
    return taps;
  }

  /// Sum over every combination of one tap per axis of the product of the
  /// weights times the element there.
  static Value combineTaps(OpBuilder &b, Location loc, Value input,
                           ArrayRef<SmallVector<Tap>> taps, Type elementType,
                           Type computeType) {
    SmallVector<size_t> choice(taps.size(), 0);
    Value sum;
    while (true) {
      SmallVector<Value> position;
      Value weight;
      for (auto [axis, c] : llvm::enumerate(choice)) {
        const Tap &tap = taps[axis][c];
        position.push_back(tap.index);
        if (tap.weight)
          weight = weight ? arith::MulFOp::create(b, loc, weight, tap.weight)
                                .getResult()
                          : tap.weight;
      }
      Value element = tensor::ExtractOp::create(b, loc, input, position);
      if (!weight)
        return element; // nearest: one tap per axis
      if (element.getType() != computeType)
        element = arith::ExtFOp::create(b, loc, computeType, element);
      Value term = arith::MulFOp::create(b, loc, weight, element);
      sum = sum ? arith::AddFOp::create(b, loc, sum, term).getResult() : term;
      // Next combination, odometer-style.
      size_t axis = 0;
      for (; axis < choice.size(); ++axis) {
        if (++choice[axis] < taps[axis].size())
          break;
        choice[axis] = 0;
      }
      if (axis == choice.size())
        break;
    }
    if (sum.getType() != elementType)
      sum = arith::TruncFOp::create(b, loc, elementType, sum);
    return sum;
  }
};

} // namespace

void mlir::nb::populateResizeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeToGeneric>(patterns.getContext());
}
