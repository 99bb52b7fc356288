//===- ConvertQuant.cpp - ONNX quantization ops ---------------------------===//
//
// Q/DQ keep their scales and zero points as operands, exactly as the model
// has them (per-tensor, per-axis, or blocked with opset 21's block_size);
// turning constant ones into `!quant.uniform` types is a separate pass
// (nb-lift-qdq-to-quant-types, `--lift-qdq`).
//
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace nibble::onnx_import;
namespace nb = mlir::nb;

namespace {
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
  auto op = nb::QuantizeLinearOp::create(
      b, ctx.getLoc(), ctx.getResultType(0, elementType), ctx.getInput(0),
      ctx.getInput(1), ctx.getInput(2), ctx.getInt("axis", 1), blockSize,
      ctx.getInt("saturate", 1) != 0);
  return ctx.setResults(op->getResults());
}

LogicalResult convertDequantizeLinear(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 3)))
    return failure();
  int64_t blockSize = ctx.getInt("block_size", 0);
  if (blockSize < 0)
    return ctx.emitError() << "'block_size' must be non-negative", failure();
  auto op = nb::DequantizeLinearOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.getResultType(0, ctx.getInputElementType(1)), ctx.getInput(0),
      ctx.getInput(1), ctx.getInput(2), ctx.getInt("axis", 1), blockSize);
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
  table.add("", "QuantizeLinear", convertQuantizeLinear);
  table.add("", "DequantizeLinear", convertDequantizeLinear);
  table.add("", "DynamicQuantizeLinear", convertDynamicQuantizeLinear);
  table.add("", "MatMulInteger", convertMatMulInteger);
  table.add("", "QLinearMatMul", convertQLinearMatMul);
}
