//===- ConvertElementwise.cpp - Elementwise ONNX ops ----------------------===//
//
// Unary and broadcasting binary ops, activations with attributes, Clip,
// Cast and Where. Their ONNX forms are stable across opsets 11-21 apart from
// Cast's `saturate` (19) and Gelu joining the default domain (20).
//
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace nibble::onnx_import;

namespace {
template <typename OpTy>
LogicalResult convertUnary(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  auto op = OpTy::create(ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0),
                         ctx.getInput(0));
  return ctx.setResults(op->getResults());
}

template <typename OpTy>
LogicalResult convertBinary(NodeContext &ctx) {
  if (failed(ctx.checkInputs(2, 2)))
    return failure();
  Type elementType;
  if constexpr (std::is_same_v<OpTy, mlir::nb::EqualOp>)
    elementType = ctx.getBuilder().getI1Type();
  auto op = OpTy::create(ctx.getBuilder(), ctx.getLoc(),
                         ctx.getResultType(0, elementType), ctx.getInput(0),
                         ctx.getInput(1));
  return ctx.setResults(op->getResults());
}

LogicalResult convertLeakyRelu(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  float alpha = ctx.getFloat("alpha", 0.01f);
  auto op = mlir::nb::LeakyReluOp::create(ctx.getBuilder(), ctx.getLoc(),
                                          ctx.getResultType(0),
                                          ctx.getInput(0), APFloat(alpha));
  return ctx.setResults(op->getResults());
}

LogicalResult convertHardSigmoid(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  float alpha = ctx.getFloat("alpha", 0.2f), beta = ctx.getFloat("beta", 0.5f);
  auto op = mlir::nb::HardSigmoidOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.getResultType(0), ctx.getInput(0),
      APFloat(alpha), APFloat(beta));
  return ctx.setResults(op->getResults());
}

LogicalResult convertGelu(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  std::string approximate = ctx.getString("approximate", "none");
  auto mode = mlir::nb::symbolizeGeluApproximation(approximate);
  if (!mode) {
    ctx.reportBadEnum("approximate", approximate);
    return failure();
  }
  auto op = mlir::nb::GeluOp::create(ctx.getBuilder(), ctx.getLoc(),
                                     ctx.getResultType(0), ctx.getInput(0),
                                     *mode);
  return ctx.setResults(op->getResults());
}

LogicalResult convertClip(NodeContext &ctx) {
  // Opset 11 made min and max optional inputs; older attribute forms are
  // below the supported range.
  if (failed(ctx.checkInputs(1, 3)))
    return failure();
  auto op = mlir::nb::ClipOp::create(ctx.getBuilder(), ctx.getLoc(),
                                     ctx.getResultType(0), ctx.getInput(0),
                                     ctx.getInput(1), ctx.getInput(2));
  return ctx.setResults(op->getResults());
}

LogicalResult convertCast(NodeContext &ctx) {
  if (failed(ctx.checkInputs(1, 1)))
    return failure();
  if (!ctx.hasAttr("to"))
    return ctx.emitError() << "attribute 'to' is required", failure();
  int64_t to = ctx.getInt("to", 0);
  Type elementType = convertElementType(to, *ctx.getContext());
  if (!elementType)
    return ctx.emitError() << "cannot cast to " << dataTypeName(to),
           failure();
  // `saturate` (opset 19) only matters for float8 targets; before 19 casts
  // to float8 did not exist, so the default (true) is right for them too.
  bool saturate = ctx.getInt("saturate", 1) != 0;
  auto op = mlir::nb::CastOp::create(ctx.getBuilder(), ctx.getLoc(),
                                     ctx.getResultType(0, elementType),
                                     ctx.getInput(0), saturate);
  return ctx.setResults(op->getResults());
}

LogicalResult convertWhere(NodeContext &ctx) {
  if (failed(ctx.checkInputs(3, 3)))
    return failure();
  auto op = mlir::nb::WhereOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.getResultType(0, ctx.getInputElementType(1)), ctx.getInput(0),
      ctx.getInput(1), ctx.getInput(2));
  return ctx.setResults(op->getResults());
}
} // namespace

void nibble::onnx_import::addElementwiseConverters(ConverterTable &table) {
  using namespace mlir::nb;
  table.add("", "Relu", convertUnary<ReluOp>);
  table.add("", "Sigmoid", convertUnary<SigmoidOp>);
  table.add("", "Tanh", convertUnary<TanhOp>);
  table.add("", "Erf", convertUnary<ErfOp>);
  table.add("", "Sqrt", convertUnary<SqrtOp>);
  table.add("", "Neg", convertUnary<NegOp>);
  table.add("", "Sin", convertUnary<SinOp>);
  table.add("", "Cos", convertUnary<CosOp>);
  table.add("", "Exp", convertUnary<ExpOp>);
  table.add("", "Log", convertUnary<LogOp>);
  table.add("", "Abs", convertUnary<AbsOp>);
  table.add("", "Reciprocal", convertUnary<ReciprocalOp>);
  table.add("", "HardSwish", convertUnary<HardSwishOp>);
  table.add("", "LeakyRelu", convertLeakyRelu);
  table.add("", "HardSigmoid", convertHardSigmoid);
  table.add("", "Gelu", convertGelu);
  // Gelu was ORT's contrib op before opset 20.
  table.add("com.microsoft", "Gelu", convertGelu);
  table.add("", "Clip", convertClip);
  table.add("", "Cast", convertCast);
  table.add("", "Add", convertBinary<AddOp>);
  table.add("", "Sub", convertBinary<SubOp>);
  table.add("", "Mul", convertBinary<MulOp>);
  table.add("", "Div", convertBinary<DivOp>);
  table.add("", "Pow", convertBinary<PowOp>);
  table.add("", "Equal", convertBinary<EqualOp>);
  table.add("", "Where", convertWhere);
}
