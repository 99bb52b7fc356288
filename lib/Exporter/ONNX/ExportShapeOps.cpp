//===- ExportShapeOps.cpp - nb shape and data-movement ops to ONNX --------===//
//
// The inverse of the importer's ConvertShape.cpp, in opset 21's form: axes,
// pads, split sizes and Resize's roi/scales/sizes are inputs; Split without
// sizes states `num_outputs` (required since opset 18); Resize's absent
// inputs are "" (opset 13 and later).
//
//===----------------------------------------------------------------------===//
#include "ONNXExporterImpl.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace nibble::onnx_export;
namespace nb = mlir::nb;

namespace {
LogicalResult exportSlice(GraphExporter &ex, nb::SliceOp op) {
  return ex.createNode(op, "Slice")
      .addInput(op.getData())
      .addInput(op.getStarts())
      .addInput(op.getEnds())
      .addInput(op.getAxes())
      .addInput(op.getSteps())
      .addOutput(op.getOutput())
      .finish();
}

LogicalResult exportSplit(GraphExporter &ex, nb::SplitOp op) {
  NodeBuilder node = createPlainNode(ex, op, "Split");
  if (int64_t(op.getAxis()) != 0)
    node.setInt("axis", int64_t(op.getAxis()));
  if (!op.getSplit())
    node.setInt("num_outputs", op.getNumResults());
  return node.finish();
}

LogicalResult exportPad(GraphExporter &ex, nb::PadOp op) {
  NodeBuilder node = ex.createNode(op, "Pad");
  node.addInput(op.getInput())
      .addInput(op.getPads())
      .addInput(op.getConstantValue())
      .addInput(op.getAxes())
      .addOutput(op.getOutput());
  if (op.getMode() != nb::PadMode::Constant)
    node.setString("mode", nb::stringifyPadMode(op.getMode()));
  return node.finish();
}

LogicalResult exportResize(GraphExporter &ex, nb::ResizeOp op) {
  NodeBuilder node = ex.createNode(op, "Resize");
  node.addInput(op.getInput())
      .addInput(op.getRoi())
      .addInput(op.getScales())
      .addInput(op.getSizes())
      .addOutput(op.getOutput());
  if (op.getMode() != nb::ResizeMode::Nearest)
    node.setString("mode", nb::stringifyResizeMode(op.getMode()));
  if (op.getCoordinateTransformationMode() !=
      nb::CoordinateTransformationMode::HalfPixel)
    node.setString("coordinate_transformation_mode",
                   nb::stringifyCoordinateTransformationMode(
                       op.getCoordinateTransformationMode()));
  if (op.getNearestMode() != nb::NearestMode::RoundPreferFloor)
    node.setString("nearest_mode",
                   nb::stringifyNearestMode(op.getNearestMode()));
  if (op.getCubicCoeffA().convertToFloat() != -0.75f)
    node.setFloat("cubic_coeff_a", op.getCubicCoeffA().convertToFloat());
  if (op.getExcludeOutside())
    node.setInt("exclude_outside", 1);
  if (op.getExtrapolationValue().convertToFloat() != 0.0f)
    node.setFloat("extrapolation_value",
                  op.getExtrapolationValue().convertToFloat());
  if (op.getAntialias())
    node.setInt("antialias", 1);
  if (auto axes = op.getAxes())
    node.setInts("axes", *axes);
  if (op.getKeepAspectRatioPolicy() != nb::KeepAspectRatioPolicy::Stretch)
    node.setString("keep_aspect_ratio_policy",
                   nb::stringifyKeepAspectRatioPolicy(
                       op.getKeepAspectRatioPolicy()));
  return node.finish();
}

LogicalResult exportShape(GraphExporter &ex, nb::ShapeOp op) {
  NodeBuilder node = createPlainNode(ex, op, "Shape");
  if (int64_t(op.getStart()) != 0)
    node.setInt("start", int64_t(op.getStart()));
  if (auto end = op.getEnd())
    node.setInt("end", int64_t(*end));
  return node.finish();
}
} // namespace

FailureOr<bool> nibble::onnx_export::exportShapeOp(GraphExporter &ex,
                                                   Operation *op) {
  auto plain = [&](StringRef opType) {
    return createPlainNode(ex, op, opType).finish();
  };
  auto handled = [](LogicalResult result) -> FailureOr<bool> {
    if (failed(result))
      return failure();
    return true;
  };
  return llvm::TypeSwitch<Operation *, FailureOr<bool>>(op)
      .Case<nb::ConcatOp>([&](nb::ConcatOp concat) {
        return handled(createPlainNode(ex, op, "Concat")
                           .setInt("axis", int64_t(concat.getAxis()))
                           .finish());
      })
      .Case<nb::FlattenOp>([&](nb::FlattenOp flatten) {
        NodeBuilder node = createPlainNode(ex, op, "Flatten");
        if (int64_t(flatten.getAxis()) != 1)
          node.setInt("axis", int64_t(flatten.getAxis()));
        return handled(node.finish());
      })
      .Case<nb::ReshapeOp>([&](nb::ReshapeOp reshape) {
        NodeBuilder node = createPlainNode(ex, op, "Reshape");
        if (reshape.getAllowzero())
          node.setInt("allowzero", 1);
        return handled(node.finish());
      })
      .Case<nb::TransposeOp>([&](nb::TransposeOp transpose) {
        return handled(createPlainNode(ex, op, "Transpose")
                           .setInts("perm", transpose.getPerm())
                           .finish());
      })
      .Case<nb::UnsqueezeOp>([&](auto) { return handled(plain("Unsqueeze")); })
      .Case<nb::SqueezeOp>([&](auto) { return handled(plain("Squeeze")); })
      .Case<nb::ExpandOp>([&](auto) { return handled(plain("Expand")); })
      .Case<nb::ShapeOp>([&](auto shape) {
        return handled(exportShape(ex, shape));
      })
      .Case<nb::GatherOp>([&](nb::GatherOp gather) {
        NodeBuilder node = createPlainNode(ex, op, "Gather");
        if (int64_t(gather.getAxis()) != 0)
          node.setInt("axis", int64_t(gather.getAxis()));
        return handled(node.finish());
      })
      .Case<nb::SliceOp>([&](auto slice) {
        return handled(exportSlice(ex, slice));
      })
      .Case<nb::SplitOp>([&](auto split) {
        return handled(exportSplit(ex, split));
      })
      .Case<nb::PadOp>([&](auto pad) { return handled(exportPad(ex, pad)); })
      .Case<nb::ResizeOp>([&](auto resize) {
        return handled(exportResize(ex, resize));
      })
      .Case<nb::RangeOp>([&](auto) { return handled(plain("Range")); })
      .Case<nb::ConstantOfShapeOp>([&](nb::ConstantOfShapeOp cos) {
        return handled(createPlainNode(ex, op, "ConstantOfShape")
                           .setTensor("value", cos.getValue())
                           .finish());
      })
      .Case<nb::TriluOp>([&](nb::TriluOp trilu) {
        NodeBuilder node = ex.createNode(op, "Trilu");
        node.addInput(trilu.getInput())
            .addInput(trilu.getK())
            .addOutput(trilu.getOutput());
        if (!trilu.getUpper())
          node.setInt("upper", 0);
        return handled(node.finish());
      })
      .Default([](Operation *) -> FailureOr<bool> { return false; });
}
