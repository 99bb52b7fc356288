//===- NBShapeOperands.cpp - operands whose values are shape information --===//
#include "nibble/Dialect/NB/IR/NBShapeOperands.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::nb;

// Operands are compared by identity, not by value: one value may feed an op
// twice, once as data and once as shape.
static bool isAny(OpOperand &operand, OpOperand &candidate) {
  return &operand == &candidate;
}
static bool isAny(OpOperand &operand, MutableOperandRange candidates) {
  return llvm::any_of(candidates,
                      [&](OpOperand &candidate) { return &operand == &candidate; });
}
template <typename First, typename... Rest>
static bool isAny(OpOperand &operand, First &&first, Rest &&...rest) {
  return isAny(operand, std::forward<First>(first)) ||
         isAny(operand, std::forward<Rest>(rest)...);
}

bool mlir::nb::isShapeOperand(OpOperand &operand) {
  return llvm::TypeSwitch<Operation *, bool>(operand.getOwner())
      .Case([&](SliceOp op) {
        return isAny(operand, op.getStartsMutable(), op.getEndsMutable(),
                     op.getAxesMutable(), op.getStepsMutable());
      })
      .Case([&](SplitOp op) { return isAny(operand, op.getSplitMutable()); })
      .Case([&](ReduceMeanOp op) {
        return isAny(operand, op.getAxesMutable());
      })
      .Case([&](SqueezeOp op) { return isAny(operand, op.getAxesMutable()); })
      .Case([&](UnsqueezeOp op) {
        return isAny(operand, op.getAxesMutable());
      })
      .Case([&](PadOp op) {
        return isAny(operand, op.getPadsMutable(), op.getAxesMutable());
      })
      .Case([&](ReshapeOp op) { return isAny(operand, op.getShapeMutable()); })
      .Case([&](ExpandOp op) { return isAny(operand, op.getShapeMutable()); })
      .Case([&](ConstantOfShapeOp op) {
        return isAny(operand, op.getShapeMutable());
      })
      .Case([&](ResizeOp op) {
        return isAny(operand, op.getRoiMutable(), op.getScalesMutable(),
                     op.getSizesMutable());
      })
      .Default(false);
}
