//===- ModelSummary.cpp - ops, parameters and bytes of a module -----------===//
#include "nibble/Analysis/ModelSummary.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;

/// The type whose bits a tensor stores: quantized types by storage type.
static Type getStoredElementType(Type elementType) {
  if (auto quantized = dyn_cast<quant::QuantizedType>(elementType))
    return quantized.getStorageType();
  return elementType;
}

static std::string getTypeName(Type type) {
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  return name;
}

ModelSummary ModelSummary::compute(Operation *root) {
  ModelSummary summary;
  root->walk([&](Operation *op) {
    if (op == root || op->hasTrait<OpTrait::IsTerminator>() ||
        isa<FunctionOpInterface>(op))
      return;
    StringRef name = op->getName().getStringRef();
    if (op->getDialect() && isa<NBDialect>(op->getDialect()))
      name.consume_front("nb.");
    ++summary.opCounts[name.str()];

    auto constant = dyn_cast<ConstantOp>(op);
    if (!constant)
      return;
    auto type = dyn_cast<RankedTensorType>(constant.getType());
    // Rank-0 constants are scalars of the graph (epsilons, axes), not weights.
    if (!type || type.getRank() == 0 || !type.hasStaticShape())
      return;
    Type stored = getStoredElementType(type.getElementType());
    int64_t elements = type.getNumElements();
    summary.parameterCount += elements;
    int64_t bits = stored.isIntOrFloat() ? stored.getIntOrFloatBitWidth() : 0;
    summary.bytesByElementType[getTypeName(type.getElementType())] +=
        (elements * bits + 7) / 8;
  });
  return summary;
}

void ModelSummary::print(llvm::raw_ostream &os) const {
  for (const auto &[name, count] : opCounts)
    os << "op " << name << " " << count << "\n";
  os << "params " << parameterCount << "\n";
  int64_t total = 0;
  for (const auto &[name, bytes] : bytesByElementType) {
    os << "bytes " << name << " " << bytes << "\n";
    total += bytes;
  }
  os << "bytes total " << total << "\n";
}
