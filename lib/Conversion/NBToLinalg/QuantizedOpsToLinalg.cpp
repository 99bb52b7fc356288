//===- QuantizedOpsToLinalg.cpp - quant-typed nb ops to integer linalg ----===//
//
// The quant-typed forms of nb ops (docs/quantization.md, stages 2 and 3):
// - data movement with one scale (Reshape, Transpose, Flatten, Squeeze,
//   Unsqueeze, Slice, Gather, Split, Concat, MaxPool) moves storage integers:
//   their generic patterns lower them once tensor types are converted to
//   storage, which is only right when every quant-typed value of the op has
//   the same per-tensor parameters, checked here before conversion;
// - quantize_linear / dequantize_linear lower as their ONNX forms
//   (QuantizationToLinalg.cpp);
// - everything else with quant types would silently compute on storage
//   integers as if they were values, so it is refused, naming the op.
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBQuantUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

quant::QuantizedType getQuantElementType(Value value) {
  return dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(value.getType()));
}

bool hasQuantTypes(Operation *op) {
  auto isQuant = [](Value value) {
    return static_cast<bool>(getQuantElementType(value));
  };
  return llvm::any_of(op->getOperands(), isQuant) ||
         llvm::any_of(op->getResults(), isQuant);
}

/// Same-scale ops move storage integers: their data operands and results
/// must all carry one per-tensor quant type.
LogicalResult checkSameScaleOp(Operation *op, ValueRange dataOperands) {
  SmallVector<Value> values(dataOperands);
  llvm::append_range(values, op->getResults());
  quant::QuantizedType first;
  for (Value value : values) {
    quant::QuantizedType type = getQuantElementType(value);
    if (!type)
      return op->emitOpError("mixes quant-typed and ")
             << value.getType()
             << " values; a same-scale op moves one quant type unchanged";
    if (!isa<quant::UniformQuantizedType>(type))
      return op->emitOpError("has the per-axis or blocked quant type ")
             << type
             << "; data movement lowers per-tensor quant types only";
    if (!first)
      first = type;
    else if (!quantTypesMatch(first, type))
      return op->emitOpError("moves data between different quant types ")
             << first << " and " << type
             << "; a requantization (quantize_linear of dequantize_linear) "
                "must sit between them";
  }
  return success();
}

/// Quantize/dequantize: only the quantized side may be quant-typed.
LogicalResult checkQDQ(Operation *op, Value quantizedSide) {
  for (Value value : llvm::concat<Value>(op->getOperands(), op->getResults()))
    if (value != quantizedSide && getQuantElementType(value))
      return op->emitOpError("has a quant-typed ")
             << (value == op->getResult(0) ? "result" : "operand")
             << " on its float or parameter side";
  return success();
}

LogicalResult checkQuantTypedOp(Operation *op) {
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case<QuantizeLinearOp>([](QuantizeLinearOp q) {
        return checkQDQ(q, q.getOutput());
      })
      .Case<DequantizeLinearOp>([](DequantizeLinearOp dq) {
        return checkQDQ(dq, dq.getInput());
      })
      .Case<ConcatOp>([](ConcatOp concat) {
        return checkSameScaleOp(concat, concat.getInputs());
      })
      .Case<ReshapeOp, TransposeOp, FlattenOp, SqueezeOp, UnsqueezeOp, SliceOp,
            GatherOp, SplitOp, MaxPoolOp>([](Operation *sameScale) {
        return checkSameScaleOp(sameScale, sameScale->getOperand(0));
      })
      .Default([](Operation *other) {
        return other->emitOpError(
            "has quant-typed operands or results but no integer lowering; "
            "keep it in q/dq form (dequantize_linear -> float op -> "
            "quantize_linear)");
      });
}

} // namespace

LogicalResult mlir::nb::checkQuantizedOpsLowerable(Operation *root) {
  bool failed = false;
  root->walk([&](Operation *op) {
    if (isa<NBDialect>(op->getDialect()) && hasQuantTypes(op))
      failed |= mlir::failed(checkQuantTypedOp(op));
  });
  return failure(failed);
}
