//===- ConvertShape.cpp - Shape, data-movement and constant ONNX ops ------===//
//
// Opset normalizations here, all towards the newest form (values that were
// attributes become constant operands):
//   Squeeze/Unsqueeze < 13: `axes` attribute; Split < 13: `split` attribute;
//   Split 18: `num_outputs` (checked against the node's outputs);
//   Resize 11/13: empty `roi`/`scales` tensors meaning "absent".
//
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

/// Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input since.
FailureOr<Value> getAxesOperand(NodeContext &ctx, bool required) {
  if (ctx.getOpset() < 13) {
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
  // Opset 10 moved starts/ends/axes/steps to inputs; 11+ only widened types.
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
  if (ctx.getOpset() < 13) {
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
  if (ctx.getOpset() >= 18 && ctx.hasAttr("num_outputs")) {
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
  // Opset 11 made pads and constant_value inputs; 18 added axes.
  if (failed(ctx.checkInputs(2, ctx.getOpset() >= 18 ? 4 : 3)))
    return failure();
  std::string modeName = ctx.getString("mode", "constant");
  auto mode = nb::symbolizePadMode(modeName);
  if (!mode) {
    ctx.reportBadEnum("mode", modeName);
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  auto op = nb::PadOp::create(
      b, ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0), ctx.getInput(1),
      ctx.getInput(2), ctx.getInput(3),
      nb::PadModeAttr::get(b.getContext(), *mode));
  return ctx.setResults(op->getResults());
}

LogicalResult convertResize(NodeContext &ctx) {
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
  auto op = nb::RangeOp::create(ctx.getBuilder(), ctx.getLoc(),
                                ctx.getResultType(0), ctx.getInput(0),
                                ctx.getInput(1), ctx.getInput(2));
  return ctx.setResults(op->getResults());
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
  table.add("", "Concat", convertConcat);
  table.add("", "Flatten", convertFlatten);
  table.add("", "Reshape", convertReshape);
  table.add("", "Transpose", convertTranspose);
  table.add("", "Unsqueeze", convertUnsqueeze);
  table.add("", "Squeeze", convertSqueeze);
  table.add("", "Expand", [](NodeContext &ctx) {
    return convertPlain<nb::ExpandOp>(ctx, 2);
  });
  table.add("", "Shape", convertShape);
  table.add("", "Gather", convertGather);
  table.add("", "Slice", convertSlice);
  table.add("", "Split", convertSplit);
  table.add("", "Pad", convertPad);
  table.add("", "Resize", convertResize);
  table.add("", "Range", convertRange);
  table.add("", "ConstantOfShape", convertConstantOfShape);
  table.add("", "Trilu", convertTrilu);
  table.add("", "Constant", convertConstant);
}
