//===- ConvertElementwise.cpp - Elementwise ONNX ops ----------------------===//
//
// Unary and broadcasting binary ops, activations with attributes, Clip,
// Cast and Where. Versions reachable from opset 10 differ only in the types
// they admit (bf16 from 13 or 22, small integers for arithmetic from 14),
// except for:
//   Clip-6:  min/max are float attributes; 11 made them optional inputs.
//   Cast-19: `saturate` (float8 targets); Cast-21/23/25/28 only add types.
//   Cast-24: `round_mode` and float8e8m0, whose rounding nb.cast cannot
//            express: casts to float8e8m0 are refused.
//   Equal-19: strings, which nb has no element type for.
//   Gelu:    default domain only from opset 20.
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "nibble/Dialect/NB/IR/NBOps.h"

#include <limits>

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
  Value min, max;
  if (ctx.getVersion() < 11) {
    // Clip-6: float attributes defaulting to the float range, which become
    // rank-0 operands of the input's (float) element type.
    if (failed(ctx.checkInputs(1, 1)))
      return failure();
    Type elementType = ctx.getInputElementType(0);
    float lowest = std::numeric_limits<float>::lowest();
    float highest = std::numeric_limits<float>::max();
    min = ctx.createFloatScalar(elementType, ctx.getFloat("min", lowest),
                                "attribute 'min'");
    max = ctx.createFloatScalar(elementType, ctx.getFloat("max", highest),
                                "attribute 'max'");
    if (!min || !max)
      return failure();
  } else {
    if (failed(ctx.checkInputs(1, 3)))
      return failure();
    min = ctx.getInput(1);
    max = ctx.getInput(2);
  }
  auto op =
      mlir::nb::ClipOp::create(ctx.getBuilder(), ctx.getLoc(),
                               ctx.getResultType(0), ctx.getInput(0), min, max);
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
  // Cast-24's `round_mode` (default "up": away from zero) decides how
  // values round to float8e8m0; nb.cast rounds to nearest even, so it cannot
  // state that cast.
  if (isa<Float8E8M0FNUType>(elementType))
    return ctx.emitError() << "casts to FLOAT8E8M0 are not supported: "
                              "nb.cast has no rounding mode for 'round_mode' "
                              "(\""
                           << ctx.getString("round_mode", "up") << "\")",
           failure();
  // `saturate` (Cast-19) only matters for float8 targets; before 19 casts
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
  // Each op's since_versions (see ConverterTable::add).
  table.add("", "Relu", {1, 6, 13, 14}, convertUnary<ReluOp>);
  table.add("", "Sigmoid", {1, 6, 13}, convertUnary<SigmoidOp>);
  table.add("", "Tanh", {1, 6, 13}, convertUnary<TanhOp>);
  table.add("", "Erf", {9, 13}, convertUnary<ErfOp>);
  table.add("", "Sqrt", {1, 6, 13}, convertUnary<SqrtOp>);
  table.add("", "Neg", {1, 6, 13}, convertUnary<NegOp>);
  table.add("", "Sin", {7, 22}, convertUnary<SinOp>);
  table.add("", "Cos", {7, 22}, convertUnary<CosOp>);
  table.add("", "Exp", {1, 6, 13}, convertUnary<ExpOp>);
  table.add("", "Log", {1, 6, 13}, convertUnary<LogOp>);
  table.add("", "Abs", {1, 6, 13}, convertUnary<AbsOp>);
  table.add("", "Reciprocal", {1, 6, 13}, convertUnary<ReciprocalOp>);
  table.add("", "HardSwish", {14, 22}, convertUnary<HardSwishOp>);
  table.add("", "LeakyRelu", {1, 6, 16}, convertLeakyRelu);
  table.add("", "HardSigmoid", {1, 6, 22}, convertHardSigmoid);
  table.add("", "Gelu", {20}, convertGelu);
  // Gelu was ORT's contrib op before opset 20.
  table.add("com.microsoft", "Gelu", {1}, convertGelu);
  table.add("", "Clip", {1, 6, 11, 12, 13}, convertClip);
  table.add("", "Cast", {1, 6, 9, 13, 19, 21, 23, 24, 25, 28}, convertCast);
  table.add("", "Add", {1, 6, 7, 13, 14}, convertBinary<AddOp>);
  table.add("", "Sub", {1, 6, 7, 13, 14}, convertBinary<SubOp>);
  table.add("", "Mul", {1, 6, 7, 13, 14}, convertBinary<MulOp>);
  table.add("", "Div", {1, 6, 7, 13, 14}, convertBinary<DivOp>);
  table.add("", "Pow", {1, 7, 12, 13, 15}, convertBinary<PowOp>);
  table.add("", "Equal", {1, 7, 11, 13, 19}, convertBinary<EqualOp>);
  table.add("", "Where", {9, 16}, convertWhere);
}
