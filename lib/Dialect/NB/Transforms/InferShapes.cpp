//===- InferShapes.cpp - nb-infer-shapes ----------------------------------===//
//
// Refines result types to the shapes nb ops infer
// (InferResultShapesOpInterface). Types only ever get more precise (the meet of
// declared and inferred), so every nb user stays valid; other users see the old
// type via tensor.cast.
//
//===----------------------------------------------------------------------===//
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"

namespace mlir::nb {
#define GEN_PASS_DEF_INFERSHAPES
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

namespace {

/// Gives `result` its refined type; users that are neither nb ops nor
/// func.return keep the old type through a tensor.cast.
void refineResult(OpResult result, Type refined) {
  Type old = result.getType();
  SmallVector<OpOperand *> foreignUses;
  for (OpOperand &use : result.getUses()) {
    Operation *user = use.getOwner();
    if (!isa_and_present<NBDialect>(user->getDialect()) &&
        !isa<func::ReturnOp>(user))
      foreignUses.push_back(&use);
  }
  result.setType(refined);
  if (foreignUses.empty())
    return;
  OpBuilder builder(result.getContext());
  builder.setInsertionPointAfter(result.getOwner());
  Value cast = tensor::CastOp::create(builder, result.getLoc(), old, result);
  for (OpOperand *use : foreignUses)
    use->set(cast);
}

/// Refines the function's result types to the types of its returned values,
/// unless it is called in the module (call sites would disagree), in which
/// case the returned values are cast back to the declared types.
void refineFunctionResults(func::FuncOp func, bool hasUses) {
  SmallVector<func::ReturnOp> returns;
  func.walk([&](func::ReturnOp op) { returns.push_back(op); });
  if (returns.empty())
    return;
  SmallVector<Type> results(func.getResultTypes());
  for (auto [index, declared] : llvm::enumerate(results)) {
    Type returned = returns.front().getOperand(index).getType();
    bool agree = llvm::all_of(returns, [&](func::ReturnOp op) {
      return op.getOperand(index).getType() == returned;
    });
    if (returned == declared)
      continue;
    if (agree && !hasUses) {
      results[index] = returned;
      continue;
    }
    for (func::ReturnOp op : returns) {
      Value operand = op.getOperand(index);
      if (operand.getType() == declared)
        continue;
      OpBuilder builder(op);
      op.setOperand(index, tensor::CastOp::create(builder, op.getLoc(),
                                                  declared, operand));
    }
  }
  func.setType(
      FunctionType::get(func.getContext(), func.getArgumentTypes(), results));
}

struct InferShapesPass : impl::InferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (func::FuncOp func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      WalkResult walk = func.walk<WalkOrder::PreOrder>([](Operation *op) {
        auto inferOp = dyn_cast<InferResultShapesOpInterface>(op);
        if (!inferOp)
          return WalkResult::advance();
        // Refined operands can expose contradictions the declared types hid
        // (e.g. matmul inner dims); the verifier reports them.
        if (failed(verify(op, /*verifyRecursively=*/false)))
          return WalkResult::interrupt();
        SmallVector<ShapedTypeComponents> inferred;
        inferOp.inferResultShapes(inferred);
        for (auto [result, components] :
             llvm::zip(op->getResults(), inferred)) {
          Type refined = refineType(result.getType(), components);
          if (!refined) {
            op->emitOpError("result type ")
                << result.getType() << " contradicts its inferred shape";
            return WalkResult::interrupt();
          }
          if (refined != result.getType())
            refineResult(result, refined);
        }
        return WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return signalPassFailure();
      bool hasUses = !SymbolTable::symbolKnownUseEmpty(func, module);
      refineFunctionResults(func, hasUses);
    }
  }
};

} // namespace
} // namespace mlir::nb
