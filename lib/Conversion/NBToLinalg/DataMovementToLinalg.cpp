//===- DataMovementToLinalg.cpp - data movement nb ops to linalg/tensor ---===//
//
// Transpose is `linalg.transpose`, Concat `tensor.concat`, Split and
// positive-step Slice `tensor.extract_slice`, constant-mode Pad with
// non-negative pads `tensor.pad`. What tensor ops cannot express (negative
// steps, Gather, the other Pad modes, Trilu) is a `linalg.generic` over the
// result whose body computes source indices and reads the source with
// `tensor.extract`, the form tiling and vectorization (as gathers) handle.
//
// Index-valued operands (starts, pads, split sizes, ...) must be constants,
// which the importer and canonicalization produce once shapes are bound.
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "../../Dialect/NB/IR/NBOpsUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

/// A `tensor.empty` of `type` whose dynamic dims are `sizes`' values.
Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamicSizes;
  for (auto [dim, size] : llvm::enumerate(sizes))
    if (type.isDynamicDim(dim))
      dynamicSizes.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamicSizes);
}

/// A `linalg.generic` with no inputs producing `type` (sized by `sizes`)
/// from `body`, which gets the loop indices.
Value buildIndexedGeneric(
    OpBuilder &b, Location loc, RankedTensorType type,
    ArrayRef<OpFoldResult> sizes,
    function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> body,
    ValueRange inputs = {}, ArrayRef<AffineMap> inputMaps = {}) {
  int64_t rank = type.getRank();
  Value init = createEmpty(b, loc, type, sizes);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, inputs, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        SmallVector<Value> indices;
        for (int64_t dim = 0; dim < rank; ++dim)
          indices.push_back(linalg::IndexOp::create(nested, nestedLoc, dim));
        SmallVector<Value> all(indices);
        llvm::append_range(all, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, body(nested, nestedLoc, all));
      });
  return generic.getResult(0);
}

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

/// The scalar of a rank-0 or one-element tensor.
Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> indices(type.getRank(), zero);
  return tensor::ExtractOp::create(b, loc, tensor, indices);
}

/// `tensor.extract_slice` of `source`, or a `tensor.empty` when the slice
/// has no elements: extract_slice rejects offsets at the end of a dim (and
/// every offset of an empty dim), which empty ONNX slices and splits have.
Value extractSliceOrEmpty(OpBuilder &b, Location loc, Value source,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes,
                          ArrayRef<OpFoldResult> strides) {
  if (llvm::any_of(sizes, [](OpFoldResult size) {
        return isConstantIntValue(size, 0);
      }))
    return tensor::EmptyOp::create(
        b, loc, sizes,
        cast<RankedTensorType>(source.getType()).getElementType());
  return tensor::ExtractSliceOp::create(b, loc, source, offsets, sizes,
                                        strides);
}

//===----------------------------------------------------------------------===//
// Transpose, Concat
//===----------------------------------------------------------------------===//

struct TransposeToLinalg : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    int64_t rank = inputType.getRank();
    // ONNX's default permutation reverses the dims.
    SmallVector<int64_t> perm(op.getPerm());
    if (perm.empty())
      perm = llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes;
    for (int64_t dim : perm)
      sizes.push_back(tensor::getMixedSize(rewriter, loc, adaptor.getInput(), dim));
    Value init = createEmpty(rewriter, loc, resultType, sizes);
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(op, adaptor.getInput(), init,
                                                     perm);
    return success();
  }
};

struct ConcatToTensor : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType =
        getSignlessResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    if (!llvm::all_of(adaptor.getInputs().getTypes(), llvm::IsaPred<RankedTensorType>))
      return rewriter.notifyMatchFailure(op, "input is unranked");
    int64_t rank = resultType->getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    // Inputs empty along the axis add nothing; tensor.concat would insert
    // them at the end of the result, an offset slices reject.
    SmallVector<Value> inputs;
    for (Value input : adaptor.getInputs())
      if (cast<RankedTensorType>(input.getType()).getDimSize(axis) != 0)
        inputs.push_back(input);
    Location loc = op.getLoc();
    if (inputs.empty()) {
      if (!resultType->hasStaticShape())
        return rewriter.notifyMatchFailure(op, "empty result of unknown shape");
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
          op, resultType->getShape(), resultType->getElementType());
      return success();
    }
    if (inputs.size() == 1) {
      Value input = inputs.front();
      if (input.getType() != *resultType)
        input = tensor::CastOp::create(rewriter, loc, *resultType, input);
      rewriter.replaceOp(op, input);
      return success();
    }
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(op, *resultType, axis,
                                                  inputs);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Slice, Split
//===----------------------------------------------------------------------===//

/// ONNX Slice on one axis of static size `dim`, after its clamping rules.
struct AxisSlice {
  int64_t start = 0, size = 0, step = 1;
};

AxisSlice clampSlice(int64_t start, int64_t end, int64_t step, int64_t dim) {
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  AxisSlice slice;
  slice.step = step;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    slice.size = std::max<int64_t>(0, (end - start + step - 1) / step);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    slice.size = std::max<int64_t>(0, (start - end - step - 1) / -step);
  }
  slice.start = start;
  return slice;
}

/// A positive-stride `tensor.extract_slice` reads the elements; axes with a
/// negative step are then reversed by a generic reading index size - 1 - i.
struct SliceToTensor : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getData(), inputType,
                              resultType)))
      return failure();
    int64_t rank = inputType.getRank();
    SmallVector<int64_t> starts, ends, axes, steps;
    if (!nb::detail::getConstantInts(op.getStarts(), starts) ||
        !nb::detail::getConstantInts(op.getEnds(), ends) ||
        (op.getAxes() && !nb::detail::getConstantInts(op.getAxes(), axes)) ||
        (op.getSteps() && !nb::detail::getConstantInts(op.getSteps(), steps)))
      return rewriter.notifyMatchFailure(op, "operands are not constant");
    if (!op.getAxes())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
    if (!op.getSteps())
      steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
      return rewriter.notifyMatchFailure(op, "operand lengths differ");

    Location loc = op.getLoc();
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, adaptor.getData());
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    SmallVector<int64_t> reversed;
    for (auto [start, end, axis, step] :
         llvm::zip_equal(starts, ends, axes, steps)) {
      if (axis < 0)
        axis += rank;
      int64_t dim = inputType.getDimSize(axis);
      if (ShapedType::isDynamic(dim))
        return rewriter.notifyMatchFailure(op, "sliced dim is dynamic");
      AxisSlice slice = clampSlice(start, end, step, dim);
      int64_t stride = std::abs(step);
      // A negative step reads the same elements as a positive one from the
      // last element it visits; the order is fixed below.
      int64_t first = step > 0 || slice.size == 0
                          ? slice.start
                          : slice.start - (slice.size - 1) * stride;
      offsets[axis] = rewriter.getIndexAttr(first);
      sizes[axis] = rewriter.getIndexAttr(slice.size);
      strides[axis] = rewriter.getIndexAttr(stride);
      if (step < 0 && slice.size > 1)
        reversed.push_back(axis);
    }
    Value result = extractSliceOrEmpty(rewriter, loc, adaptor.getData(),
                                       offsets, sizes, strides);
    if (!reversed.empty()) {
      // Reads element size - 1 - i on reversed axes. An index computation
      // in the body rather than a `size - 1 - d` indexing map, which tiling
      // cannot shrink with the tile.
      auto type = cast<RankedTensorType>(result.getType());
      Value source = result;
      result = buildIndexedGeneric(
          rewriter, loc, type, tensor::getMixedSizes(rewriter, loc, source),
          [&](OpBuilder &b, Location nested, ArrayRef<Value> loop) {
            SmallVector<Value> position(loop);
            for (int64_t dim : reversed) {
              Value last = arith::ConstantIndexOp::create(
                  b, nested, getConstantIntValue(sizes[dim]).value() - 1);
              position[dim] = arith::SubIOp::create(b, nested, last, loop[dim]);
            }
            return tensor::ExtractOp::create(b, nested, source, position)
                .getResult();
          });
    }
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitToTensor : OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!inputType)
      return rewriter.notifyMatchFailure(op, "input is unranked");
    int64_t rank = inputType.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    int64_t parts = op.getNumResults();
    SmallVector<int64_t> splitSizes;
    if (op.getSplit()) {
      if (!nb::detail::getConstantInts(op.getSplit(), splitSizes))
        return rewriter.notifyMatchFailure(op, "split is not constant");
    } else {
      // ONNX num_outputs: ceil(dim / n) per part, the last one smaller.
      int64_t dim = inputType.getDimSize(axis);
      if (ShapedType::isDynamic(dim))
        return rewriter.notifyMatchFailure(op, "split axis is dynamic");
      int64_t chunk = (dim + parts - 1) / parts;
      for (int64_t i = 0; i < parts; ++i)
        splitSizes.push_back(
            std::clamp<int64_t>(dim - i * chunk, 0, chunk));
    }
    if (static_cast<int64_t>(splitSizes.size()) != parts)
      return rewriter.notifyMatchFailure(op, "split sizes and results differ");

    Location loc = op.getLoc();
    SmallVector<Value> results;
    int64_t offset = 0;
    for (auto [index, size] : llvm::enumerate(splitSizes)) {
      FailureOr<RankedTensorType> resultType =
          getSignlessResultType(rewriter, op, index);
      if (failed(resultType))
        return failure();
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(rewriter, loc, adaptor.getInput());
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      offsets[axis] = rewriter.getIndexAttr(offset);
      sizes[axis] = rewriter.getIndexAttr(size);
      Value slice = extractSliceOrEmpty(rewriter, loc, adaptor.getInput(),
                                        offsets, sizes, strides);
      if (slice.getType() != *resultType)
        slice = tensor::CastOp::create(rewriter, loc, *resultType, slice);
      results.push_back(slice);
      offset += size;
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

/// out[o..., i..., p...] = data[o..., wrap(indices[i...]), p...], with a
/// negative index counting from the end of the axis.
struct GatherToGeneric : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType dataType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getData(), dataType,
                              resultType)))
      return failure();
    auto indicesType = dyn_cast<RankedTensorType>(adaptor.getIndices().getType());
    if (!indicesType)
      return rewriter.notifyMatchFailure(op, "indices are unranked");
    int64_t rank = dataType.getRank();
    int64_t indicesRank = indicesType.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    int64_t resultRank = resultType.getRank();
    if (resultRank != rank - 1 + indicesRank)
      return rewriter.notifyMatchFailure(op, "unexpected result rank");

    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<OpFoldResult> sizes;
    for (int64_t dim = 0; dim < axis; ++dim)
      sizes.push_back(tensor::getMixedSize(rewriter, loc, adaptor.getData(), dim));
    for (int64_t dim = 0; dim < indicesRank; ++dim)
      sizes.push_back(
          tensor::getMixedSize(rewriter, loc, adaptor.getIndices(), dim));
    for (int64_t dim = axis + 1; dim < rank; ++dim)
      sizes.push_back(tensor::getMixedSize(rewriter, loc, adaptor.getData(), dim));
    Value axisSize = getValueOrCreateConstantIndexOp(
        rewriter, loc, tensor::getMixedSize(rewriter, loc, adaptor.getData(), axis));

    SmallVector<AffineExpr> indexExprs;
    for (int64_t dim = 0; dim < indicesRank; ++dim)
      indexExprs.push_back(getAffineDimExpr(axis + dim, ctx));
    AffineMap indicesMap = AffineMap::get(resultRank, 0, indexExprs, ctx);
    Value data = adaptor.getData();
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, sizes,
        [&](OpBuilder &b, Location nested, ArrayRef<Value> args) {
          ArrayRef<Value> loop = args.take_front(resultRank);
          Value index = arith::IndexCastOp::create(b, nested, b.getIndexType(),
                                                   args.back());
          Value zero = arith::ConstantIndexOp::create(b, nested, 0);
          Value negative = arith::CmpIOp::create(
              b, nested, arith::CmpIPredicate::slt, index, zero);
          Value wrapped = arith::AddIOp::create(b, nested, index, axisSize);
          index = arith::SelectOp::create(b, nested, negative, wrapped, index);
          SmallVector<Value> position(loop.take_front(axis));
          position.push_back(index);
          llvm::append_range(position, loop.drop_front(axis + indicesRank));
          return tensor::ExtractOp::create(b, nested, data, position)
              .getResult();
        },
        adaptor.getIndices(), indicesMap);
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

/// The source index of output index `out` on an axis of `size` elements
/// padded by `begin` before it, in `mode` (not Constant). Reflect and Wrap
/// repeat as numpy.pad does when the padding exceeds the axis.
Value padSourceIndex(OpBuilder &b, Location loc, PadMode mode, Value out,
                     Value size, int64_t begin) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value shifted = arith::SubIOp::create(
      b, loc, out, arith::ConstantIndexOp::create(b, loc, begin));
  auto positiveMod = [&](Value v, Value m) -> Value {
    Value rem = arith::RemSIOp::create(b, loc, v, m);
    Value adjusted = arith::AddIOp::create(b, loc, rem, m);
    return arith::RemSIOp::create(b, loc, adjusted, m);
  };
  Value last = arith::SubIOp::create(b, loc, size, one);
  switch (mode) {
  case PadMode::Edge: {
    Value low = arith::MaxSIOp::create(b, loc, shifted, zero);
    return arith::MinSIOp::create(b, loc, low, last);
  }
  case PadMode::Wrap:
    return positiveMod(shifted, size);
  case PadMode::Reflect: {
    // Period 2 * (size - 1); a one-element axis always reads element 0.
    Value period = arith::AddIOp::create(b, loc, last, last);
    Value safePeriod = arith::MaxSIOp::create(b, loc, period, one);
    Value m = positiveMod(shifted, safePeriod);
    Value mirrored = arith::SubIOp::create(b, loc, safePeriod, m);
    Value inFirstHalf =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, m, size);
    Value index = arith::SelectOp::create(b, loc, inFirstHalf, m, mirrored);
    return arith::MinSIOp::create(b, loc, index, last);
  }
  case PadMode::Constant:
    break;
  }
  return shifted;
}

struct PadToTensor : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    Type elementType = inputType.getElementType();
    if (!isa<FloatType>(elementType) && !elementType.isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t rank = inputType.getRank();
    SmallVector<int64_t> pads, axes;
    if (!nb::detail::getConstantInts(op.getPads(), pads))
      return rewriter.notifyMatchFailure(op, "pads are not constant");
    if (op.getAxes()) {
      if (!nb::detail::getConstantInts(op.getAxes(), axes))
        return rewriter.notifyMatchFailure(op, "axes are not constant");
    } else {
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    }
    int64_t count = axes.size();
    if (static_cast<int64_t>(pads.size()) != 2 * count)
      return rewriter.notifyMatchFailure(op, "pads and axes differ");
    SmallVector<int64_t> begins(rank, 0), ends(rank, 0);
    for (auto [i, axis] : llvm::enumerate(axes)) {
      int64_t dim = axis < 0 ? axis + rank : axis;
      begins[dim] = pads[i];
      ends[dim] = pads[i + count];
    }

    Location loc = op.getLoc();
    PadMode mode = op.getMode();
    Value padValue;
    if (mode == PadMode::Constant) {
      padValue = adaptor.getConstantValue()
                     ? extractScalar(rewriter, loc, adaptor.getConstantValue())
                     : createScalarConstant(rewriter, loc, elementType, 0);
      if (padValue.getType() != elementType)
        return rewriter.notifyMatchFailure(op, "constant_value type differs");
    }
    // Negative pads crop; the padding then applies to what is left, as in
    // ONNX Runtime (wrap and reflect repeat the cropped tensor).
    Value input = adaptor.getInput();
    if (llvm::any_of(begins, [](int64_t p) { return p < 0; }) ||
        llvm::any_of(ends, [](int64_t p) { return p < 0; })) {
      SmallVector<OpFoldResult> offsets, sizes;
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      for (int64_t dim = 0; dim < rank; ++dim) {
        int64_t cropBegin = std::max<int64_t>(0, -begins[dim]);
        int64_t cropEnd = std::max<int64_t>(0, -ends[dim]);
        offsets.push_back(rewriter.getIndexAttr(cropBegin));
        OpFoldResult size = tensor::getMixedSize(rewriter, loc, input, dim);
        if (auto s = getConstantIntValue(size))
          size = rewriter.getIndexAttr(*s - cropBegin - cropEnd);
        else
          size = arith::SubIOp::create(
                     rewriter, loc, cast<Value>(size),
                     arith::ConstantIndexOp::create(rewriter, loc,
                                                    cropBegin + cropEnd))
                     .getResult();
        sizes.push_back(size);
        begins[dim] = std::max<int64_t>(0, begins[dim]);
        ends[dim] = std::max<int64_t>(0, ends[dim]);
      }
      input = tensor::ExtractSliceOp::create(rewriter, loc, input, offsets,
                                             sizes, strides);
    }

    if (mode == PadMode::Constant) {
      SmallVector<OpFoldResult> low, high;
      for (int64_t dim = 0; dim < rank; ++dim) {
        low.push_back(rewriter.getIndexAttr(begins[dim]));
        high.push_back(rewriter.getIndexAttr(ends[dim]));
      }
      Value padded = tensor::PadOp::create(rewriter, loc, Type(), input, low,
                                           high, padValue);
      if (padded.getType() != resultType)
        padded = tensor::CastOp::create(rewriter, loc, resultType, padded);
      rewriter.replaceOp(op, padded);
      return success();
    }

    // Edge, reflect and wrap read the input at computed indices.
    SmallVector<Value> inputSizes;
    SmallVector<OpFoldResult> sizes;
    for (int64_t dim = 0; dim < rank; ++dim) {
      OpFoldResult size = tensor::getMixedSize(rewriter, loc, input, dim);
      inputSizes.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, size));
      if (auto s = getConstantIntValue(size))
        sizes.push_back(rewriter.getIndexAttr(*s + begins[dim] + ends[dim]));
      else
        sizes.push_back(
            arith::AddIOp::create(rewriter, loc, inputSizes.back(),
                                  arith::ConstantIndexOp::create(
                                      rewriter, loc, begins[dim] + ends[dim]))
                .getResult());
    }
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, sizes,
        [&](OpBuilder &b, Location nested, ArrayRef<Value> loop) {
          SmallVector<Value> position;
          for (int64_t dim = 0; dim < rank; ++dim)
            position.push_back(padSourceIndex(b, nested, mode, loop[dim],
                                              inputSizes[dim], begins[dim]));
          return tensor::ExtractOp::create(b, nested, input, position)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Trilu
//===----------------------------------------------------------------------===//

/// Keeps element (i, j) of the last two dims when j - i >= k (upper) or
/// j - i <= k (lower), zero elsewhere.
struct TriluToGeneric : OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType inputType, resultType;
    if (failed(getShapedTypes(rewriter, op, adaptor.getInput(), inputType,
                              resultType)))
      return failure();
    Type elementType = inputType.getElementType();
    if (!isa<FloatType>(elementType) && !elementType.isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t rank = inputType.getRank();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "input rank is below 2");
    Location loc = op.getLoc();
    Value k;
    SmallVector<int64_t> constantK;
    if (!op.getK()) {
      k = arith::ConstantIndexOp::create(rewriter, loc, 0);
    } else if (nb::detail::getConstantInts(op.getK(), constantK) &&
               constantK.size() == 1) {
      k = arith::ConstantIndexOp::create(rewriter, loc, constantK.front());
    } else {
      if (!isa<RankedTensorType>(adaptor.getK().getType()))
        return rewriter.notifyMatchFailure(op, "k is unranked");
      k = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(),
          extractScalar(rewriter, loc, adaptor.getK()));
    }
    bool upper = op.getUpper();
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType,
        tensor::getMixedSizes(rewriter, loc, adaptor.getInput()),
        [&](OpBuilder &b, Location nested, ArrayRef<Value> args) {
          Value diagonal = arith::SubIOp::create(b, nested, args[rank - 1],
                                                 args[rank - 2]);
          Value keep = arith::CmpIOp::create(
              b, nested,
              upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
              diagonal, k);
          Value zero = createScalarConstant(b, nested, elementType, 0);
          return arith::SelectOp::create(b, nested, keep, args[rank], zero)
              .getResult();
        },
        adaptor.getInput(), rewriter.getMultiDimIdentityMap(rank));
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::nb::populateDataMovementToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConcatToTensor, GatherToGeneric, PadToTensor, SliceToTensor,
               SplitToTensor, TransposeToLinalg, TriluToGeneric>(
      patterns.getContext());
  populateResizeToLinalgPatterns(patterns);
}
