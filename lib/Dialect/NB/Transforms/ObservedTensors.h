//===- ObservedTensors.h - names of calibration-observed tensors -*- C++ -*-=//
//
// The naming rule nb-instrument-observers, nb-import-calibration-table and
// nb-reconcile-ranges share (docs/calibration-table.md), so a table written
// from one names the same values the others annotate. Names are ONNX tensor
// names, as ONNX Runtime's and other calibrators key their tables: graph
// inputs by their `nb.name`, op results by the importer's `nb.output_names`.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_DIALECT_NB_TRANSFORMS_OBSERVEDTENSORS_H
#define NIBBLE_LIB_DIALECT_NB_TRANSFORMS_OBSERVEDTENSORS_H

#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Importer/ONNX/ONNXImporter.h"

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
  if (auto name =
          func.getArgAttrOfType<StringAttr>(index, nibble::kONNXNameAttr))
    return name;
  return StringAttr::get(func.getContext(), "arg" + Twine(index));
}

/// The ONNX tensor name of `result`: entry i of its op's `nb.output_names`,
/// or null when the op has none or the entry is empty or not a string.
inline StringAttr getTensorName(OpResult result) {
  auto names = result.getOwner()->getAttrOfType<ArrayAttr>(
      nibble::kONNXOutputNamesAttr);
  if (!names || names.size() != result.getOwner()->getNumResults())
    return {};
  auto name = dyn_cast<StringAttr>(names[result.getResultNumber()]);
  return name && !name.getValue().empty() ? name : StringAttr();
}

/// Name -> float tensor result that has an ONNX tensor name (constants
/// excluded: their values are known), in program order. Tensor names are
/// unique in an ONNX graph; should a transformation have duplicated one,
/// the later value wins.
inline llvm::MapVector<StringAttr, OpResult>
collectObservedResults(func::FuncOp func) {
  llvm::MapVector<StringAttr, OpResult> observed;
  func.walk([&](Operation *op) {
    if (op->hasTrait<OpTrait::ConstantLike>())
      return;
    for (OpResult result : op->getResults()) {
      StringAttr name = getTensorName(result);
      if (!name || !isFloatTensor(result.getType()))
        continue;
      observed.erase(name);
      observed[name] = result;
    }
  });
  return observed;
}

/// The pre-tensor-name rule, kept so tables keyed by ONNX node names still
/// import: name -> float result of an nb op (not nb.constant) with a
/// NameLoc, the node name for a single result, `<node>:<i>` for result i of
/// several. A later op of the same name replaces an earlier one (the
/// importer's expansion of one node ends in the op producing the node's
/// output).
inline llvm::MapVector<StringAttr, OpResult>
collectNodeNamedResults(func::FuncOp func) {
  llvm::MapVector<StringAttr, OpResult> named;
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
      named.erase(name);
      if (isFloatTensor(op->getResult(i).getType()))
        named[name] = op->getResult(i);
    }
  });
  return named;
}

/// How diagnostics name a result: `'<tensor>'` when it has a tensor name,
/// else result #i of the op (with its ONNX node name when it has one).
inline std::string describeResult(OpResult result) {
  if (StringAttr name = getTensorName(result))
    return ("'" + name.getValue() + "'").str();
  Operation *op = result.getOwner();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "result #" << result.getResultNumber() << " of ";
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    os << "ONNX node '" << loc.getName().getValue() << "'";
  else
    os << "'" << op->getName() << "'";
  return text;
}

} // namespace mlir::nb

#endif // NIBBLE_LIB_DIALECT_NB_TRANSFORMS_OBSERVEDTENSORS_H
