//===- ConvertNN.cpp - Convolution, normalization, pooling, linear algebra ===//
//
// Version normalizations here: Softmax before 13 (flatten-to-2-D semantics,
// rewritten as Flatten -> Softmax -> Reshape unless the axis is the last
// one), ReduceMean before 18 (axes attribute -> constant operand) and
// BatchNormalization before 14 (training is asked for with extra outputs,
// not an attribute). Other bumps reachable from opset 10 only widen types
// (Conv/ConvTranspose/pools-22: bf16) or add attributes whose defaults keep
// the old meaning (MaxPool-10 dilations/ceil_mode, AveragePool-19
// dilations, Gemm-11 optional C).
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace nibble::onnx_import;
namespace nb = mlir::nb;

namespace {
std::optional<nb::AutoPad> getAutoPad(NodeContext &ctx) {
  std::string value = ctx.getString("auto_pad", "NOTSET");
  auto mode = nb::symbolizeAutoPad(llvm::StringRef(value).lower());
  if (!mode)
    ctx.reportBadEnum("auto_pad", value);
  return mode;
}

/// Attributes shared by Conv, ConvTranspose, ConvInteger and QLinearConv.
struct ConvAttrs {
  SmallVector<int64_t> strides, pads, dilations;
  int64_t group;
  nb::AutoPad autoPad;
};

std::optional<ConvAttrs> getConvAttrs(NodeContext &ctx) {
  ConvAttrs attrs{ctx.getIntsOr("strides"), ctx.getIntsOr("pads"),
                  ctx.getIntsOr("dilations"), ctx.getInt("group", 1),
                  nb::AutoPad::NotSet};
  auto autoPad = getAutoPad(ctx);
  if (!autoPad)
    return std::nullopt;
  attrs.autoPad = *autoPad;
  if (attrs.group < 1) {
    ctx.emitError() << "attribute 'group' must be positive, got "
                    << attrs.group;
    return std::nullopt;
  }
  return attrs;
}

LogicalResult convertConv(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 3)))
    return failure();
  auto attrs = getConvAttrs(ctx);
  if (!attrs)
    return failure();
  auto op = nb::ConvOp::create(ctx.getBuilder(), ctx.getLoc(),
                               ctx.getResultType(0), ctx.getInput(0),
                               ctx.getInput(1), ctx.getInput(2), attrs->strides,
                               attrs->pads, attrs->dilations, attrs->group,
                               attrs->autoPad);
  return ctx.setResults(op->getResults());
}

LogicalResult convertConvTranspose(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 3)))
    return failure();
  auto attrs = getConvAttrs(ctx);
  if (!attrs)
    return failure();
  SmallVector<int64_t> outputPadding = ctx.getIntsOr("output_padding");
  DenseI64ArrayAttr outputShape;
  if (auto shape = ctx.getInts("output_shape"))
    outputShape = ctx.getBuilder().getDenseI64ArrayAttr(*shape);
  auto op = nb::ConvTransposeOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0),
      ctx.getInput(1), ctx.getInput(2), attrs->strides, attrs->pads,
      attrs->dilations, attrs->group, attrs->autoPad, outputPadding,
      outputShape);
  return ctx.setResults(op->getResults());
}

/// ConvInteger: int32 convolution of 8-bit operands with zero points.
LogicalResult convertConvInteger(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 4)))
    return failure();
  auto attrs = getConvAttrs(ctx);
  if (!attrs)
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto op = nb::ConvIntegerOp::create(
      b, ctx.getLoc(), ctx.getResultType(0, b.getIntegerType(32)),
      ctx.getInput(0), ctx.getInput(1), ctx.getInput(2), ctx.getInput(3),
      attrs->strides, attrs->pads, attrs->dilations, attrs->group,
      attrs->autoPad);
  return ctx.setResults(op->getResults());
}

/// QLinearConv: the result has the output zero point's element type.
LogicalResult convertQLinearConv(NodeContext &ctx) {
  if (failed(ctx.checkInputs(8, 9)))
    return failure();
  auto attrs = getConvAttrs(ctx);
  if (!attrs)
    return failure();
  auto op = nb::QLinearConvOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.getResultType(0, ctx.getInputElementType(7)), ctx.getInput(0),
      ctx.getInput(1), ctx.getInput(2), ctx.getInput(3), ctx.getInput(4),
      ctx.getInput(5), ctx.getInput(6), ctx.getInput(7), ctx.getInput(8),
      attrs->strides, attrs->pads, attrs->dilations, attrs->group,
      attrs->autoPad);
  return ctx.setResults(op->getResults());
}

LogicalResult convertBatchNorm(NodeContext &ctx) {
  if (failed(ctx.checkInputs(5, 5)))
    return failure();
  // Before 14 a node in training mode is one that asks for the running or
  // saved statistics.
  bool trainingOutputs = ctx.getVersion() < 14 && ctx.getNumOutputs() > 1;
  if (trainingOutputs || ctx.getInt("training_mode", 0) != 0)
    return ctx.emitError() << "training mode is not supported (inference "
                              "only)",
           failure();
  float epsilon = ctx.getFloat("epsilon", 1e-5f);
  auto op = nb::BatchNormOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0),
      ctx.getInput(1), ctx.getInput(2), ctx.getInput(3), ctx.getInput(4),
      APFloat(epsilon));
  return ctx.setResults(op->getResults());
}

LogicalResult convertLayerNorm(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 3)))
    return failure();
  int64_t axis = ctx.getInt("axis", -1);
  float epsilon = ctx.getFloat("epsilon", 1e-5f);
  int64_t stashType = ctx.getInt("stash_type", 1);
  Type stashElementType = convertElementType(stashType, *ctx.getContext());
  if (!stashElementType || !isa<FloatType>(stashElementType))
    return ctx.emitError() << "attribute 'stash_type' must be a float type, "
                              "got "
                           << dataTypeName(stashType),
           failure();
  Type meanType, invStdDevType;
  if (ctx.hasOutput(1))
    meanType = ctx.getResultType(1, stashElementType);
  if (ctx.hasOutput(2))
    invStdDevType = ctx.getResultType(2, stashElementType);
  auto op = nb::LayerNormOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0), meanType,
      invStdDevType, ctx.getInput(0), ctx.getInput(1), ctx.getInput(2), axis,
      APFloat(epsilon), stashType);
  SmallVector<Value> results{op.getOutput(), op.getMean(), op.getInvStdDev()};
  return ctx.setResults(results);
}

LogicalResult convertSimplifiedLayerNorm(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 2)))
    return failure();
  int64_t axis = ctx.getInt("axis", -1);
  float epsilon = ctx.getFloat("epsilon", 1e-5f);
  (void)ctx.getInt("stash_type", 1); // Only checked: nb computes in f32.
  auto op = nb::SimplifiedLayerNormOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0),
      ctx.getInput(1), axis, APFloat(epsilon));
  return ctx.setResults(op->getResults());
}

std::optional<SmallVector<int64_t>> getKernelShape(NodeContext &ctx) {
  auto kernel = ctx.getInts("kernel_shape");
  if (!kernel && !ctx.hasFailed())
    ctx.emitError() << "attribute 'kernel_shape' is required";
  return kernel;
}

LogicalResult convertMaxPool(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  auto kernel = getKernelShape(ctx);
  auto autoPad = getAutoPad(ctx);
  if (!kernel || !autoPad)
    return failure();
  Type indicesType;
  if (ctx.hasOutput(1))
    indicesType = ctx.getResultType(1, ctx.getBuilder().getI64Type());
  auto op = nb::MaxPoolOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0), indicesType,
      ctx.getInput(0), *kernel, ctx.getIntsOr("strides"), ctx.getIntsOr("pads"),
      ctx.getIntsOr("dilations"), ctx.getInt("ceil_mode", 0) != 0,
      ctx.getInt("storage_order", 0), *autoPad);
  SmallVector<Value> results{op.getOutput(), op.getIndices()};
  return ctx.setResults(results);
}

LogicalResult convertAveragePool(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  auto kernel = getKernelShape(ctx);
  auto autoPad = getAutoPad(ctx);
  if (!kernel || !autoPad)
    return failure();
  auto op = nb::AveragePoolOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0),
      *kernel, ctx.getIntsOr("strides"), ctx.getIntsOr("pads"),
      ctx.getIntsOr("dilations"), ctx.getInt("ceil_mode", 0) != 0,
      ctx.getInt("count_include_pad", 0) != 0, *autoPad);
  return ctx.setResults(op->getResults());
}

LogicalResult convertGlobalAveragePool(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  auto op = nb::GlobalAveragePoolOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0));
  return ctx.setResults(op->getResults());
}

LogicalResult convertSoftmax(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  bool flattening = ctx.getVersion() < 13;
  int64_t axis = ctx.getInt("axis", flattening ? 1 : -1);
  OpBuilder &b = ctx.getBuilder();
  Value input = ctx.getInput(0);
  std::optional<int64_t> rank = ctx.getInputRank(0);
  if (rank && (axis < -*rank || axis >= *rank))
    return ctx.emitError() << "axis " << axis << " is out of range for rank "
                           << *rank,
           failure();
  bool lastAxis = axis == -1 || (rank && axis == *rank - 1);
  if (!flattening || lastAxis) {
    auto op = nb::SoftmaxOp::create(b, ctx.getLoc(), ctx.getResultType(0),
                                    input, axis);
    return ctx.setResults(op->getResults());
  }
  // Softmax < 13: softmax over the input flattened to 2-D at `axis`.
  Type elementType = ctx.getInputElementType(0);
  auto unranked = UnrankedTensorType::get(elementType);
  Value flat = nb::FlattenOp::create(b, ctx.getLoc(), unranked, input, axis);
  Value softmax = nb::SoftmaxOp::create(b, ctx.getLoc(), unranked, flat, -1);
  Value shape = nb::ShapeOp::create(
      b, ctx.getLoc(), UnrankedTensorType::get(b.getI64Type()), input, 0,
      IntegerAttr());
  auto reshape = nb::ReshapeOp::create(b, ctx.getLoc(), ctx.getResultType(0),
                                       softmax, shape, false);
  return ctx.setResults(reshape->getResults());
}

LogicalResult convertReduceMean(NodeContext &ctx) {
  Value axes;
  bool noopWithEmptyAxes = false;
  if (ctx.getVersion() < 18) {
    if (failed(ctx.checkInputs(1, 1)))
      return failure();
    if (auto axesAttr = ctx.getInts("axes"))
      axes = ctx.createI64Constant(*axesAttr);
  } else {
    if (failed(ctx.checkInputs(1, 2)))
      return failure();
    axes = ctx.getInput(1);
    noopWithEmptyAxes = ctx.getInt("noop_with_empty_axes", 0) != 0;
  }
  bool keepdims = ctx.getInt("keepdims", 1) != 0;
  auto op = nb::ReduceMeanOp::create(ctx.getBuilder(), ctx.getLoc(),
                                     ctx.getResultType(0), ctx.getInput(0),
                                     axes, keepdims, noopWithEmptyAxes);
  return ctx.setResults(op->getResults());
}

LogicalResult convertMatMul(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 2)))
    return failure();
  auto op = nb::MatMulOp::create(ctx.getBuilder(), ctx.getLoc(),
                                 ctx.getResultType(0), ctx.getInput(0),
                                 ctx.getInput(1));
  return ctx.setResults(op->getResults());
}

LogicalResult convertGemm(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 3)))
    return failure();
  float alpha = ctx.getFloat("alpha", 1.0f), beta = ctx.getFloat("beta", 1.0f);
  bool transA = ctx.getInt("transA", 0) != 0;
  bool transB = ctx.getInt("transB", 0) != 0;
  auto op = nb::GemmOp::create(ctx.getBuilder(), ctx.getLoc(),
                               ctx.getResultType(0), ctx.getInput(0),
                               ctx.getInput(1), ctx.getInput(2), APFloat(alpha),
                               APFloat(beta), transA, transB);
  return ctx.setResults(op->getResults());
}
} // namespace

void nibble::onnx_import::addNNConverters(ConverterTable &table) {
  table.add("", "Conv", {1, 11, 22}, convertConv);
  table.add("", "ConvTranspose", {1, 11, 22}, convertConvTranspose);
  table.add("", "ConvInteger", {10}, convertConvInteger);
  table.add("", "QLinearConv", {10}, convertQLinearConv);
  table.add("", "BatchNormalization", {1, 6, 7, 9, 14, 15}, convertBatchNorm);
  table.add("", "LayerNormalization", {17}, convertLayerNorm);
  // ORT's contrib op, registered in the ONNX domain and in com.microsoft.
  table.add("", "SimplifiedLayerNormalization", {1},
            convertSimplifiedLayerNorm);
  table.add("com.microsoft", "SimplifiedLayerNormalization", {1},
            convertSimplifiedLayerNorm);
  table.add("", "MaxPool", {1, 8, 10, 11, 12, 22}, convertMaxPool);
  table.add("", "AveragePool", {1, 7, 10, 11, 19, 22}, convertAveragePool);
  table.add("", "GlobalAveragePool", {1, 22}, convertGlobalAveragePool);
  table.add("", "Softmax", {1, 11, 13}, convertSoftmax);
  table.add("", "ReduceMean", {1, 11, 13, 18}, convertReduceMean);
  table.add("", "MatMul", {1, 9, 13}, convertMatMul);
  table.add("", "Gemm", {1, 6, 7, 9, 11, 13}, convertGemm);
}
