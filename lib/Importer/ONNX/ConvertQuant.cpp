//===- ConvertQuant.cpp - ONNX quantization ops ---------------------------===//
//
// Q/DQ keep their scales and zero points as operands, exactly as the model
// has them (per-tensor, per-axis, or blocked with opset 21's block_size);
// turning constant ones into `!quant.uniform` types is a separate pass
// (nb-lift-qdq-to-quant-types, `--lift-qdq`).
//
// Versions: 10 is per-tensor only (13 added `axis`, whose default keeps the
// old meaning), 19 added float8 and `saturate`, 21 blocks, int4/int16 and
// `output_dtype`; 23 brought QuantizeLinear's `precision` and
// DequantizeLinear's `output_dtype`, both spelled here as nb.casts around the
// nb op; 24/25/28 only admit new types (float8e8m0 scales, 2-bit and
// float6 storage). QLinearMatMul-21 admits float8 and 16-bit scales, which
// nb.qlinear_matmul's verifier judges.
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace nibble::onnx_import;
namespace nb = mlir::nb;

namespace {
/// The zero point of a per-tensor Q/DQ reshaped to its scale's shape. ONNX
/// tools accept a [1] zero point with a scalar scale (and the reverse); both
/// mean one parameter, and nb wants them shaped alike.
Value matchScaleShape(NodeContext &ctx, Value zeroPoint, Value scale) {
  if (!zeroPoint)
    return zeroPoint;
  auto zeroPointType = dyn_cast<RankedTensorType>(zeroPoint.getType());
  auto scaleType = dyn_cast<RankedTensorType>(scale.getType());
  if (!zeroPointType || !scaleType || !zeroPointType.hasStaticShape() ||
      !scaleType.hasStaticShape() || zeroPointType.getNumElements() != 1 ||
      scaleType.getNumElements() != 1 ||
      zeroPointType.getShape() == scaleType.getShape())
    return zeroPoint;
  auto type = RankedTensorType::get(scaleType.getShape(),
                                    zeroPointType.getElementType());
  return nb::ReshapeOp::create(ctx.getBuilder(), ctx.getLoc(), type, zeroPoint,
                               ctx.createI64Constant(scaleType.getShape()),
                               /*allowzero=*/false);
}

LogicalResult convertQuantizeLinear(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 3)))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  // The result type: the zero point's, else opset 21's output_dtype, else
  // uint8.
  Type elementType = ctx.getInputElementType(2);
  int64_t outputDtype = ctx.getInt("output_dtype", 0);
  if (outputDtype != 0) {
    Type requested = convertElementType(outputDtype, *ctx.getContext());
    if (!requested)
      return ctx.emitError() << "unsupported output_dtype "
                             << dataTypeName(outputDtype),
             failure();
    if (elementType && elementType != requested)
      return ctx.emitError() << "output_dtype " << dataTypeName(outputDtype)
                             << " differs from the zero point's type "
                             << elementType,
             failure();
    elementType = requested;
  }
  if (!elementType)
    elementType = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
  int64_t blockSize = ctx.getInt("block_size", 0);
  if (blockSize < 0)
    return ctx.emitError() << "'block_size' must be non-negative", failure();
  // QuantizeLinear-23's `precision`: the type x / y_scale is computed in;
  // both are converted to it first (float types only).
  Value input = ctx.getInput(0), scale = ctx.getInput(1);
  if (int64_t precision = ctx.getInt("precision", 0)) {
    Type precisionType = convertElementType(precision, *ctx.getContext());
    if (!precisionType || !isa<FloatType>(precisionType))
      return ctx.emitError() << "attribute 'precision' must be a float type, "
                                "got "
                             << dataTypeName(precision),
             failure();
    input = ctx.castTo(input, precisionType);
    scale = ctx.castTo(scale, precisionType);
  }
  auto op = nb::QuantizeLinearOp::create(
      b, ctx.getLoc(), ctx.getResultType(0, elementType), input, scale,
      matchScaleShape(ctx, ctx.getInput(2), scale), ctx.getInt("axis", 1),
      blockSize, ctx.getInt("saturate", 1) != 0);
  return ctx.setResults(op->getResults());
}

LogicalResult convertDequantizeLinear(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 3)))
    return failure();
  int64_t blockSize = ctx.getInt("block_size", 0);
  if (blockSize < 0)
    return ctx.emitError() << "'block_size' must be non-negative", failure();
  OpBuilder &b = ctx.getBuilder();
  Value scale = ctx.getInput(1);
  Type scaleType = ctx.getInputElementType(1);
  int64_t axis = ctx.getInt("axis", 1);
  Value zeroPoint = matchScaleShape(ctx, ctx.getInput(2), scale);
  // DequantizeLinear-23's `output_dtype`, when it differs from the scale's
  // type: ONNX multiplies in float32 and rounds once to the output type, so
  // the scale is widened to f32 (exactly), dequantized in f32 and cast.
  Type outputType = scaleType;
  if (int64_t outputDtype = ctx.getInt("output_dtype", 0)) {
    outputType = convertElementType(outputDtype, *ctx.getContext());
    if (!outputType || !isa<FloatType>(outputType))
      return ctx.emitError() << "attribute 'output_dtype' must be a float "
                                "type, got "
                             << dataTypeName(outputDtype),
             failure();
  }
  if (outputType == scaleType) {
    auto op = nb::DequantizeLinearOp::create(
        b, ctx.getLoc(), ctx.getResultType(0, scaleType), ctx.getInput(0),
        scale, zeroPoint, axis, blockSize);
    return ctx.setResults(op->getResults());
  }
  Value wide = nb::DequantizeLinearOp::create(
      b, ctx.getLoc(), UnrankedTensorType::get(b.getF32Type()), ctx.getInput(0),
      ctx.castTo(scale, b.getF32Type()), zeroPoint, axis, blockSize);
  auto op = nb::CastOp::create(b, ctx.getLoc(),
                               ctx.getResultType(0, outputType), wide,
                               /*saturate=*/true);
  return ctx.setResults(op->getResults());
}

LogicalResult convertDynamicQuantizeLinear(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  Type u8 = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
  auto op = nb::DynamicQuantizeLinearOp::create(
      b, ctx.getLoc(), ctx.getResultType(0, u8),
      ctx.getResultType(1, b.getF32Type()), ctx.getResultType(2, u8),
      ctx.getInput(0));
  return ctx.setResults(op->getResults());
}

LogicalResult convertMatMulInteger(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 4)))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto op = nb::MatMulIntegerOp::create(
      b, ctx.getLoc(), ctx.getResultType(0, b.getIntegerType(32)),
      ctx.getInput(0), ctx.getInput(1), ctx.getInput(2), ctx.getInput(3));
  return ctx.setResults(op->getResults());
}

LogicalResult convertQLinearMatMul(NodeContext &ctx) {
  if (failed(ctx.checkInputs(8, 8)))
    return failure();
  auto op = nb::QLinearMatMulOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.getResultType(0, ctx.getInputElementType(7)), ctx.getInput(0),
      ctx.getInput(1), ctx.getInput(2), ctx.getInput(3), ctx.getInput(4),
      ctx.getInput(5), ctx.getInput(6), ctx.getInput(7));
  return ctx.setResults(op->getResults());
}
} // namespace

void nibble::onnx_import::addQuantConverters(ConverterTable &table) {
  table.add("", "QuantizeLinear", {10, 13, 19, 21, 23, 24, 25, 28},
            convertQuantizeLinear);
  table.add("", "DequantizeLinear", {10, 13, 19, 21, 23, 24, 25, 28},
            convertDequantizeLinear);
  table.add("", "DynamicQuantizeLinear", {11}, convertDynamicQuantizeLinear);
  table.add("", "MatMulInteger", {10}, convertMatMulInteger);
  table.add("", "QLinearMatMul", {10, 21}, convertQLinearMatMul);
}
