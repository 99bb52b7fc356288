//===- InstrumentObservers.cpp - nb-instrument-observers ------------------===//
//
// Makes the tensors calibration observes visible to whoever runs the
// function: they become extra results, so the CPU JIT (or any other
// executor) hands them back with the real outputs and no runtime callback
// mechanism is needed.
//
//===----------------------------------------------------------------------===//

#include "ObservedTensors.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

namespace mlir::nb {
#define GEN_PASS_DEF_INSTRUMENTOBSERVERS
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

namespace {
constexpr llvm::StringLiteral kObservedAttrName = "nb.observed";

struct InstrumentObserversPass
    : public impl::InstrumentObserversBase<InstrumentObserversPass> {
  using Base::Base;

  void instrument(func::FuncOp func) {
    auto returnOp =
        dyn_cast<func::ReturnOp>(func.getBody().front().getTerminator());
    if (!returnOp || !func.getBody().hasOneBlock()) {
      func.emitWarning("nb-instrument-observers: only single-block functions "
                       "ending in func.return are instrumented");
      return;
    }
    Builder b(&getContext());
    // Arguments are the caller's own inputs: tag them, returning them would
    // only copy them back (and pin their dynamic shapes in the result types).
    for (BlockArgument arg : func.getArguments())
      if (isFloatTensor(arg.getType()))
        func.setArgAttr(arg.getArgNumber(), kObservedAttrName,
                        getObservedArgName(func, arg.getArgNumber()));
    llvm::MapVector<StringAttr, OpResult> observed =
        collectObservedResults(func);

    unsigned first = func.getNumResults();
    SmallVector<Value> operands(returnOp.getOperands());
    SmallVector<unsigned> indices;
    SmallVector<Type> types;
    SmallVector<DictionaryAttr> attrs;
    for (auto [name, value] : observed) {
      // A value the function already returns is tagged where it is:
      // returning it twice would only copy it (and the JIT's buffers alias).
      auto returned = llvm::find(returnOp.getOperands(), value);
      if (returned != returnOp.getOperands().end()) {
        unsigned index = returned.getIndex();
        if (!func.getResultAttr(index, kObservedAttrName))
          func.setResultAttr(index, kObservedAttrName, name);
        continue;
      }
      indices.push_back(first);
      types.push_back(value.getType());
      attrs.push_back(
          b.getDictionaryAttr(b.getNamedAttr(kObservedAttrName, name)));
      operands.push_back(value);
    }
    if (failed(func.insertResults(indices, types, attrs))) {
      func.emitError("nb-instrument-observers: cannot add results");
      return signalPassFailure();
    }
    returnOp->setOperands(operands);
  }

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal())
        instrument(func);
  }
};
} // namespace
} // namespace mlir::nb
