//===- ImportCalibrationTable.cpp - nb-import-calibration-table -----------===//
//
// Brings the ranges `nibble calibrate` measured back into the IR, next to
// the statically proved `nb.range`s, where quantization passes read them.
//
//===----------------------------------------------------------------------===//

#include "ObservedTensors.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

namespace mlir::nb {
#define GEN_PASS_DEF_IMPORTCALIBRATIONTABLE
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

namespace {
constexpr llvm::StringLiteral kCalibratedRangeAttrName = "nb.calibrated_range";
constexpr llvm::StringLiteral kCalibratedResultRangesAttrName =
    "nb.calibrated_result_ranges";
constexpr llvm::StringLiteral kRangeAttrName = "nb.range";

/// Parses the table's `tensors` into name -> [min, max]; errors say what is
/// wrong where.
FailureOr<llvm::StringMap<std::pair<double, double>>>
parseTable(StringRef text, std::string &error) {
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json) {
    error = "not JSON: " + llvm::toString(json.takeError());
    return failure();
  }
  const llvm::json::Object *root = json->getAsObject();
  if (!root) {
    error = "the table is not a JSON object";
    return failure();
  }
  std::optional<int64_t> version = root->getInteger("version");
  if (!version || *version != 1) {
    error = "expected \"version\": 1";
    return failure();
  }
  const llvm::json::Object *tensors = root->getObject("tensors");
  if (!tensors) {
    error = "no \"tensors\" object";
    return failure();
  }
  llvm::StringMap<std::pair<double, double>> ranges;
  for (const auto &[key, value] : *tensors) {
    const llvm::json::Object *entry = value.getAsObject();
    std::optional<double> lo = entry ? entry->getNumber("min") : std::nullopt;
    std::optional<double> hi = entry ? entry->getNumber("max") : std::nullopt;
    if (!lo || !hi || !(*lo <= *hi)) {
      error = "tensor '" + key.str() +
              "': expected {\"min\": number, \"max\": number} with "
              "min <= max";
      return failure();
    }
    ranges[key.str()] = {*lo, *hi};
  }
  return ranges;
}

/// `nb.calibrated_range` on a single-result op, entry i of
/// `nb.calibrated_result_ranges` (unit elsewhere) on a multi-result one.
void setCalibratedRange(OpResult result, Attribute range) {
  Operation *op = result.getOwner();
  if (op->getNumResults() == 1) {
    op->setAttr(kCalibratedRangeAttrName, range);
    return;
  }
  Builder b(op->getContext());
  SmallVector<Attribute> all(op->getNumResults(), b.getUnitAttr());
  if (auto old = op->getAttrOfType<ArrayAttr>(kCalibratedResultRangesAttrName))
    if (old.size() == all.size())
      all.assign(old.begin(), old.end());
  all[result.getResultNumber()] = range;
  op->setAttr(kCalibratedResultRangesAttrName, b.getArrayAttr(all));
}

struct ImportCalibrationTablePass
    : public impl::ImportCalibrationTableBase<ImportCalibrationTablePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto buffer = llvm::MemoryBuffer::getFile(tablePath);
    if (!buffer) {
      emitError(module.getLoc())
          << "cannot read calibration table '" << tablePath
          << "': " << buffer.getError().message();
      return signalPassFailure();
    }
    std::string error;
    auto ranges = parseTable((*buffer)->getBuffer(), error);
    if (failed(ranges)) {
      emitError(module.getLoc())
          << "malformed calibration table '" << tablePath << "': " << error;
      return signalPassFailure();
    }

    Builder b(&getContext());
    auto rangeAttr = [&](StringRef name) -> Attribute {
      auto it = ranges->find(name);
      if (it == ranges->end())
        return {};
      return b.getDenseF64ArrayAttr({it->second.first, it->second.second});
    };
    llvm::StringSet<> used;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      for (BlockArgument arg : func.getArguments()) {
        if (!isFloatTensor(arg.getType()))
          continue;
        StringAttr name = getObservedArgName(func, arg.getArgNumber());
        if (Attribute range = rangeAttr(name)) {
          func.setArgAttr(arg.getArgNumber(), kRangeAttrName, range);
          used.insert(name);
        }
      }
      // Tensor names first. Node names are the fallback for tables written
      // before tables were keyed by tensor name; a key that is a tensor name
      // never falls back, and no result gets two ranges.
      llvm::DenseSet<Value> assigned;
      llvm::MapVector<StringAttr, OpResult> tensors =
          collectObservedResults(func);
      for (auto [name, result] : tensors) {
        if (Attribute range = rangeAttr(name)) {
          used.insert(name);
          assigned.insert(result);
          setCalibratedRange(result, range);
        }
      }
      for (auto [name, result] : collectNodeNamedResults(func)) {
        Attribute range = rangeAttr(name);
        if (!range || tensors.count(name))
          continue;
        used.insert(name);
        if (assigned.insert(result).second)
          setCalibratedRange(result, range);
      }
    }

    SmallVector<StringRef> missing;
    for (const auto &entry : *ranges)
      if (!used.contains(entry.getKey()))
        missing.push_back(entry.getKey());
    if (!missing.empty()) {
      llvm::sort(missing);
      emitWarning(module.getLoc())
          << "calibration table '" << tablePath << "' names " << missing.size()
          << " tensor(s) the model lacks: " << llvm::join(missing, ", ");
    }
  }
};
} // namespace
} // namespace mlir::nb
