//===- ConvertShape.cpp - Shape, data-movement and constant ONNX ops ------===//
//
// Version normalizations here, all towards the newest form (values that were
// attributes become constant operands):
//   Squeeze/Unsqueeze < 13: `axes` attribute; Split < 13: `split` attribute;
//   Split 18: `num_outputs` (checked against the node's outputs);
//   Pad-2: `pads` and `value` attributes; Pad-19 added the 'wrap' mode;
//   Resize-10: (X, scales) only, with Upsample's asymmetric coordinates and
//   floor rounding; Resize 11/13: empty `roi`/`scales` tensors for "absent";
//   Range-27: `stash_type`, the precision float16/bfloat16 ranges compute in.
// The other bumps (Flatten, Reshape, Shape, Squeeze, Transpose, Unsqueeze,
// Identity, Constant, ConstantOfShape at 19-25) only admit new element types.
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace nibble::onnx_import;
namespace nb = mlir::nb;

namespace {
template <typename OpTy>
LogicalResult convertPlain(NodeContext &ctx, unsigned numInputs) {
  if (failed(ctx.checkInputs(numInputs, numInputs)))
    return failure();
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < numInputs; ++i)
    inputs.push_back(ctx.getInput(i));
  auto op = OpTy::create(ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0),
                         inputs[0], inputs[1]);
  return ctx.setResults(op->getResults());
}

LogicalResult convertConcat(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, ~0u)))
    return failure();
  if (!ctx.hasAttr("axis"))
    return ctx.emitError() << "attribute 'axis' is required", failure();
  int64_t axis = ctx.getInt("axis", 0);
  SmallVector<Value> inputs;
  for (unsigned i = 0, e = ctx.getNumInputs(); i < e; ++i) {
    if (!ctx.hasInput(i))
      return ctx.emitError() << "input #" << i << " is required", failure();
    inputs.push_back(ctx.getInput(i));
  }
  auto op = nb::ConcatOp::create(ctx.getBuilder(), ctx.getLoc(),
                                 ctx.getResultType(0), inputs, axis);
  return ctx.setResults(op->getResults());
}

LogicalResult convertFlatten(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  auto op = nb::FlattenOp::create(ctx.getBuilder(), ctx.getLoc(),
                                  ctx.getResultType(0), ctx.getInput(0),
                                  ctx.getInt("axis", 1));
  return ctx.setResults(op->getResults());
}

LogicalResult convertReshape(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 2)))
    return failure();
  auto op = nb::ReshapeOp::create(ctx.getBuilder(), ctx.getLoc(),
                                  ctx.getResultType(0), ctx.getInput(0),
                                  ctx.getInput(1),
                                  ctx.getInt("allowzero", 0) != 0);
  return ctx.setResults(op->getResults());
}

LogicalResult convertTranspose(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  SmallVector<int64_t> perm;
  if (auto given = ctx.getInts("perm")) {
    perm = *given;
  } else if (auto rank = ctx.getInputRank(0)) {
    // The default reverses the dimensions.
    for (int64_t i = *rank - 1; i >= 0; --i)
      perm.push_back(i);
  } else {
    return ctx.emitError()
               << "without 'perm', the rank of the input must be known",
           failure();
  }
  auto op = nb::TransposeOp::create(ctx.getBuilder(), ctx.getLoc(),
                                    ctx.getResultType(0), ctx.getInput(0),
                                    perm);
  return ctx.setResults(op->getResults());
}

/// Axes of Squeeze/Unsqueeze: an attribute before version 13, an input since.
FailureOr<Value> getAxesOperand(NodeContext &ctx, bool required) {
  if (ctx.getVersion() < 13) {
    if (failed(ctx.checkInputs(1, 1)))
      return failure();
    if (auto axes = ctx.getInts("axes"))
      return ctx.createI64Constant(*axes);
    if (required) {
      if (!ctx.hasFailed())
        ctx.emitError() << "attribute 'axes' is required";
      return failure();
    }
    return Value();
  }
  if (failed(ctx.checkInputs(required ? 2 : 1, 2)))
    return failure();
  return ctx.getInput(1);
}

LogicalResult convertUnsqueeze(NodeContext &ctx) {
  auto axes = getAxesOperand(ctx, /*required=*/true);
  if (failed(axes))
    return failure();
  auto op = nb::UnsqueezeOp::create(ctx.getBuilder(), ctx.getLoc(),
                                    ctx.getResultType(0), ctx.getInput(0),
                                    *axes);
  return ctx.setResults(op->getResults());
}

LogicalResult convertSqueeze(NodeContext &ctx) {
  auto axes = getAxesOperand(ctx, /*required=*/false);
  if (failed(axes))
    return failure();
  auto op = nb::SqueezeOp::create(ctx.getBuilder(), ctx.getLoc(),
                                  ctx.getResultType(0), ctx.getInput(0),
                                  *axes);
  return ctx.setResults(op->getResults());
}

LogicalResult convertShape(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  IntegerAttr end;
  if (ctx.hasAttr("end"))
    end = b.getI64IntegerAttr(ctx.getInt("end", 0));
  auto op = nb::ShapeOp::create(
      b, ctx.getLoc(), ctx.getResultType(0, b.getI64Type()), ctx.getInput(0),
      b.getI64IntegerAttr(ctx.getInt("start", 0)), end);
  return ctx.setResults(op->getResults());
}

LogicalResult convertGather(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 2)))
    return failure();
  auto op = nb::GatherOp::create(ctx.getBuilder(), ctx.getLoc(),
                                 ctx.getResultType(0), ctx.getInput(0),
                                 ctx.getInput(1), ctx.getInt("axis", 0));
  return ctx.setResults(op->getResults());
}

LogicalResult convertSlice(NodeContext &ctx) {
  // Slice-10 moved starts/ends/axes/steps to inputs; 11+ only widened types
  // (and allowed negative axes).
  if (failed(ctx.checkInputs(3, 5)))
    return failure();
  auto op = nb::SliceOp::create(ctx.getBuilder(), ctx.getLoc(),
                                ctx.getResultType(0), ctx.getInput(0),
                                ctx.getInput(1), ctx.getInput(2),
                                ctx.getInput(3), ctx.getInput(4));
  return ctx.setResults(op->getResults());
}

LogicalResult convertSplit(NodeContext &ctx) {
  Value split;
  if (ctx.getVersion() < 13) {
    if (failed(ctx.checkInputs(1, 1)))
      return failure();
    if (auto sizes = ctx.getInts("split"))
      split = ctx.createI64Constant(*sizes);
  } else {
    if (failed(ctx.checkInputs(1, 2)))
      return failure();
    split = ctx.getInput(1);
  }
  unsigned numOutputs = ctx.getNumOutputs();
  if (ctx.getVersion() >= 18 && ctx.hasAttr("num_outputs")) {
    int64_t declared = ctx.getInt("num_outputs", 0);
    if (split)
      return ctx.emitError()
                 << "'num_outputs' and the 'split' input are exclusive",
             failure();
    if (declared != int64_t(numOutputs))
      return ctx.emitError() << "'num_outputs' is " << declared
                             << " but the node has " << numOutputs
                             << " outputs",
             failure();
  }
  if (numOutputs == 0)
    return ctx.emitError() << "expects at least one output", failure();
  SmallVector<Type> types;
  for (unsigned i = 0; i < numOutputs; ++i)
    types.push_back(ctx.getResultType(i));
  auto op = nb::SplitOp::create(ctx.getBuilder(), ctx.getLoc(), types,
                                ctx.getInput(0), split, ctx.getInt("axis", 0));
  return ctx.setResults(op->getResults());
}

LogicalResult convertPad(NodeContext &ctx) {
  std::string modeName = ctx.getString("mode", "constant");
  auto mode = nb::symbolizePadMode(modeName);
  if (!mode || (*mode == nb::PadMode::Wrap && ctx.getVersion() < 19)) {
    ctx.reportBadEnum("mode", modeName);
    return failure();
  }
  Value pads, constantValue, axes;
  if (ctx.getVersion() < 11) {
    // Pad-2: pads and the (float) padding value are attributes.
    if (failed(ctx.checkInputs(1, 1)))
      return failure();
    auto padsAttr = ctx.getInts("pads");
    if (!padsAttr) {
      if (!ctx.hasFailed())
        ctx.emitError() << "attribute 'pads' is required";
      return failure();
    }
    pads = ctx.createI64Constant(*padsAttr);
    if (*mode == nb::PadMode::Constant) {
      constantValue = ctx.createFloatScalar(ctx.getInputElementType(0),
                                            ctx.getFloat("value", 0.0f),
                                            "attribute 'value'");
      if (!constantValue)
        return failure();
    }
  } else {
    // Pad-11 made pads and constant_value inputs; 18 added axes.
    if (failed(ctx.checkInputs(2, ctx.getVersion() >= 18 ? 4 : 3)))
      return failure();
    pads = ctx.getInput(1);
    constantValue = ctx.getInput(2);
    axes = ctx.getInput(3);
  }
  OpBuilder &b = ctx.getBuilder();
  auto op = nb::PadOp::create(b, ctx.getLoc(), ctx.getResultType(0),
                              ctx.getInput(0), pads, constantValue, axes,
                              nb::PadModeAttr::get(b.getContext(), *mode));
  return ctx.setResults(op->getResults());
}

/// Resize-10: (X, scales) and a mode; Upsample's semantics, which Resize-11
/// spells with asymmetric coordinates and, for nearest, floor rounding (as
/// onnx's 10 -> 11 version adapter does).
LogicalResult convertResize10(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 2)))
    return failure();
  std::string modeName = ctx.getString("mode", "nearest");
  auto mode = nb::symbolizeResizeMode(modeName);
  if (!mode || *mode == nb::ResizeMode::Cubic) {
    ctx.reportBadEnum("mode", modeName);
    return failure();
  }
  MLIRContext *mlirCtx = ctx.getContext();
  OpBuilder &b = ctx.getBuilder();
  auto op = nb::ResizeOp::create(
      b, ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0), Value(),
      ctx.getInput(1), Value(), nb::ResizeModeAttr::get(mlirCtx, *mode),
      nb::CoordinateTransformationModeAttr::get(
          mlirCtx, nb::CoordinateTransformationMode::Asymmetric),
      nb::NearestModeAttr::get(mlirCtx, nb::NearestMode::Floor),
      b.getF32FloatAttr(-0.75f), b.getBoolAttr(false), b.getF32FloatAttr(0.0f),
      b.getBoolAttr(false), DenseI64ArrayAttr(),
      nb::KeepAspectRatioPolicyAttr::get(mlirCtx,
                                         nb::KeepAspectRatioPolicy::Stretch));
  return ctx.setResults(op->getResults());
}

LogicalResult convertResize(NodeContext &ctx) {
  if (ctx.getVersion() < 11)
    return convertResize10(ctx);
  if (failed(ctx.checkInputs(1, 4)))
    return failure();
  MLIRContext *mlirCtx = ctx.getContext();
  OpBuilder &b = ctx.getBuilder();
  auto symbolize = [&](StringRef name, StringRef def, auto symbolizeFn)
      -> decltype(symbolizeFn(StringRef())) {
    std::string value = ctx.getString(name, def);
    auto result = symbolizeFn(value);
    if (!result)
      ctx.reportBadEnum(name, value);
    return result;
  };
  auto mode = symbolize("mode", "nearest", [](StringRef s) {
    return nb::symbolizeResizeMode(s);
  });
  auto coordinateMode =
      symbolize("coordinate_transformation_mode", "half_pixel",
                [](StringRef s) {
                  return nb::symbolizeCoordinateTransformationMode(s);
                });
  auto nearestMode = symbolize("nearest_mode", "round_prefer_floor",
                               [](StringRef s) {
                                 return nb::symbolizeNearestMode(s);
                               });
  auto policy = symbolize("keep_aspect_ratio_policy", "stretch",
                          [](StringRef s) {
                            return nb::symbolizeKeepAspectRatioPolicy(s);
                          });
  if (!mode || !coordinateMode || !nearestMode || !policy)
    return failure();
  DenseI64ArrayAttr axes;
  if (auto given = ctx.getInts("axes"))
    axes = b.getDenseI64ArrayAttr(*given);
  // Opsets 11 and 13 pass empty tensors for absent roi and scales.
  Value scales = ctx.getNonEmptyInput(2), sizes = ctx.getNonEmptyInput(3);
  if (!scales && !sizes)
    return ctx.emitError() << "needs either 'scales' or 'sizes'", failure();
  auto op = nb::ResizeOp::create(
      b, ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0),
      ctx.getNonEmptyInput(1), scales, sizes,
      nb::ResizeModeAttr::get(mlirCtx, *mode),
      nb::CoordinateTransformationModeAttr::get(mlirCtx, *coordinateMode),
      nb::NearestModeAttr::get(mlirCtx, *nearestMode),
      b.getF32FloatAttr(ctx.getFloat("cubic_coeff_a", -0.75f)),
      b.getBoolAttr(ctx.getInt("exclude_outside", 0) != 0),
      b.getF32FloatAttr(ctx.getFloat("extrapolation_value", 0.0f)),
      b.getBoolAttr(ctx.getInt("antialias", 0) != 0), axes,
      nb::KeepAspectRatioPolicyAttr::get(mlirCtx, *policy));
  return ctx.setResults(op->getResults());
}

LogicalResult convertRange(NodeContext &ctx) {
  if (failed(ctx.checkInputs(3, 3)))
    return failure();
  Value start = ctx.getInput(0), limit = ctx.getInput(1),
        delta = ctx.getInput(2);
  Type elementType = ctx.getInputElementType(0);
  // Range-27: float16/bfloat16 ranges are computed in `stash_type` (float by
  // default) and rounded back once, which nb spells as casts around an
  // nb.range in that type. Other element types ignore the attribute.
  bool lowPrecision = elementType.isF16() || elementType.isBF16();
  if (ctx.getVersion() < 27 || !lowPrecision) {
    auto op = nb::RangeOp::create(ctx.getBuilder(), ctx.getLoc(),
                                  ctx.getResultType(0), start, limit, delta);
    return ctx.setResults(op->getResults());
  }
  int64_t stashType = ctx.getInt("stash_type", 1);
  Type stash = convertElementType(stashType, *ctx.getContext());
  if (!stash || !(stash.isF32() || stash.isF64()))
    return ctx.emitError() << "attribute 'stash_type' must be FLOAT or "
                              "DOUBLE, got "
                           << dataTypeName(stashType),
           failure();
  // Separate statements: the casts appear in operand order.
  start = ctx.castTo(start, stash);
  limit = ctx.castTo(limit, stash);
  delta = ctx.castTo(delta, stash);
  Value range =
      nb::RangeOp::create(ctx.getBuilder(), ctx.getLoc(),
                          UnrankedTensorType::get(stash), start, limit, delta);
  auto op = nb::CastOp::create(ctx.getBuilder(), ctx.getLoc(),
                               ctx.getResultType(0), range, /*saturate=*/true);
  return ctx.setResults(op->getResults());
}

LogicalResult convertIdentity(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  return ctx.setResults(ctx.getInput(0));
}

LogicalResult convertConstantOfShape(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  ElementsAttr value;
  if (ctx.hasAttr("value")) {
    auto given = ctx.getTensor("value");
    if (!given)
      return failure();
    if (given->getNumElements() != 1)
      return ctx.emitError() << "attribute 'value' must hold one element",
             failure();
    value = *given;
  } else {
    value = DenseElementsAttr::get(RankedTensorType::get({1}, b.getF32Type()),
                                   0.0f);
  }
  auto op = nb::ConstantOfShapeOp::create(
      b, ctx.getLoc(), ctx.getResultType(0, value.getElementType()),
      ctx.getInput(0), value);
  return ctx.setResults(op->getResults());
}

LogicalResult convertTrilu(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 2)))
    return failure();
  auto op = nb::TriluOp::create(ctx.getBuilder(), ctx.getLoc(),
                                ctx.getResultType(0), ctx.getInput(0),
                                ctx.getInput(1), ctx.getInt("upper", 1) != 0);
  return ctx.setResults(op->getResults());
}

LogicalResult convertConstant(NodeContext &ctx) {
  if (failed(ctx.checkInputs(0, 0)))
    return failure();
  const auto &node = ctx.getNode();
  if (node.attribute_size() != 1)
    return ctx.emitError() << "expects exactly one value attribute, got "
                           << node.attribute_size(),
           failure();
  OpBuilder &b = ctx.getBuilder();
  StringRef name = node.attribute(0).name();
  ElementsAttr value;
  if (name == "value") {
    auto tensor = ctx.getTensor("value");
    if (!tensor)
      return failure();
    value = *tensor;
  } else if (name == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   ctx.getFloat(name, 0));
  } else if (name == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   ctx.getInt(name, 0));
  } else if (name == "value_ints") {
    auto ints = ctx.getIntsOr(name);
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(ints.size())}, b.getI64Type()),
        ArrayRef<int64_t>(ints));
  } else if (name == "value_floats") {
    const auto &attr = node.attribute(0);
    if (attr.type() != onnx::AttributeProto::FLOATS)
      return ctx.emitError() << "attribute 'value_floats' must be FLOATS",
             failure();
    SmallVector<float> floats(attr.floats().begin(), attr.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(floats.size())}, b.getF32Type()),
        ArrayRef<float>(floats));
  } else if (name == "sparse_value") {
    const auto &attr = node.attribute(0);
    if (attr.type() != onnx::AttributeProto::SPARSE_TENSOR)
      return ctx.emitError()
                 << "attribute 'sparse_value' must be SPARSE_TENSOR",
             failure();
    onnx::SparseTensorProto sparse = attr.sparse_tensor();
    ExternalDataPolicy noExternalData;
    auto dense = convertSparseTensor(sparse, ctx.getLoc(), noExternalData);
    if (failed(dense))
      return failure();
    value = *dense;
  } else if (name == "value_string" || name == "value_strings") {
    return ctx.emitError() << "string constants are not supported", failure();
  } else {
    return ctx.emitError() << "unknown attribute '" << name << "'", failure();
  }
  if (ctx.hasFailed())
    return failure();
  return ctx.setResults(ctx.createConstant(value));
}
} // namespace

void nibble::onnx_import::addShapeConverters(ConverterTable &table) {
  table.add("", "Concat", {1, 4, 11, 13}, convertConcat);
  table.add("", "Flatten", {1, 9, 11, 13, 21, 23, 24, 25}, convertFlatten);
  table.add("", "Reshape", {1, 5, 13, 14, 19, 21, 23, 24, 25}, convertReshape);
  table.add("", "Transpose", {1, 13, 21, 23, 24, 25}, convertTranspose);
  table.add("", "Unsqueeze", {1, 11, 13, 21, 23, 24, 25}, convertUnsqueeze);
  table.add("", "Squeeze", {1, 11, 13, 21, 23, 24, 25}, convertSqueeze);
  table.add("", "Expand", {8, 13}, [](NodeContext &ctx) {
    return convertPlain<nb::ExpandOp>(ctx, 2);
  });
  table.add("", "Shape", {1, 13, 15, 19, 21, 23, 24, 25}, convertShape);
  table.add("", "Gather", {1, 11, 13}, convertGather);
  table.add("", "Slice", {1, 10, 11, 13}, convertSlice);
  table.add("", "Split", {1, 2, 11, 13, 18}, convertSplit);
  table.add("", "Pad", {1, 2, 11, 13, 18, 19, 21, 23, 24, 25}, convertPad);
  table.add("", "Resize", {10, 11, 13, 18, 19}, convertResize);
  table.add("", "Range", {11, 27}, convertRange);
  table.add("", "ConstantOfShape", {9, 20, 21, 23, 24, 25},
            convertConstantOfShape);
  table.add("", "Trilu", {14}, convertTrilu);
  table.add("", "Constant", {1, 9, 11, 12, 13, 19, 21, 23, 24, 25},
            convertConstant);
  // Identity-14/16 admit sequences and optionals, which fail as types.
  table.add("", "Identity", {1, 13, 14, 16, 19, 21, 23, 24, 25},
            convertIdentity);
}
