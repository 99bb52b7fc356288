//===- ObservedTensors.h - names of calibration-observed tensors -*- C++ -*-=//
//
// The naming rule nb-instrument-observers and nb-import-calibration-table
// share (docs/calibration-table.md), so a table written from one names the
// same values the other annotates.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_DIALECT_NB_TRANSFORMS_OBSERVEDTENSORS_H
#define NIBBLE_LIB_DIALECT_NB_TRANSFORMS_OBSERVEDTENSORS_H

#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::nb {

inline bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<TensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

/// The name of float argument `index`: its `nb.name` (the importer's graph
/// input name), else `arg<index>`.
inline StringAttr getObservedArgName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, "nb.name"))
    return name;
  return StringAttr::get(func.getContext(), "arg" + Twine(index));
}

/// Name -> float result of a named nb op (not nb.constant), in first-seen
/// order: the op's NameLoc name for a single result, `<name>:<i>` for
/// result i of several. A later op of the same name replaces an earlier one
/// (the importer's expansion of one node ends in the op producing the
/// node's output).
inline llvm::MapVector<StringAttr, OpResult>
collectObservedResults(func::FuncOp func) {
  llvm::MapVector<StringAttr, OpResult> observed;
  func.walk([&](Operation *op) {
    if (!isa<NBDialect>(op->getDialect()) || isa<ConstantOp>(op))
      return;
    auto loc = dyn_cast<NameLoc>(op->getLoc());
    if (!loc)
      return;
    for (unsigned i = 0, e = op->getNumResults(); i < e; ++i) {
      StringAttr name =
          e == 1 ? loc.getName()
                 : StringAttr::get(op->getContext(),
                                   loc.getName().getValue() + ":" + Twine(i));
      observed.erase(name);
      if (isFloatTensor(op->getResult(i).getType()))
        observed[name] = op->getResult(i);
    }
  });
  return observed;
}

} // namespace mlir::nb

#endif // NIBBLE_LIB_DIALECT_NB_TRANSFORMS_OBSERVEDTENSORS_H
