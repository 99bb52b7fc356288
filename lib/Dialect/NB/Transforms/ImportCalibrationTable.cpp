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

constexpr llvm::StringLiteral kCalibratedChannelRangesAttrName =
    "nb.calibrated_channel_ranges";
constexpr llvm::StringLiteral kCalibratedResultChannelRangesAttrName =
    "nb.calibrated_result_channel_ranges";

/// One table entry: the tensor's range and, when the table has a
/// `per_channel` key, the range of each index along `axis`.
struct TableEntry {
  double lo, hi;
  struct PerChannel {
    int64_t axis;
    SmallVector<double> mins, maxs;
  };
  std::optional<PerChannel> perChannel;
};

/// Reads the numbers of a JSON array; nullopt if it is no array of numbers.
std::optional<SmallVector<double>>
getNumbers(const llvm::json::Object &object, StringRef key) {
  const llvm::json::Array *array = object.getArray(key);
  if (!array)
    return std::nullopt;
  SmallVector<double> numbers;
  for (const llvm::json::Value &value : *array) {
    std::optional<double> number = value.getAsNumber();
    if (!number)
      return std::nullopt;
    numbers.push_back(*number);
  }
  return numbers;
}

/// Parses a `per_channel` object: a non-negative `axis` and as many `min`
/// as `max` numbers (at least one), each min <= max.
FailureOr<TableEntry::PerChannel>
parsePerChannel(const llvm::json::Object &object, std::string &error) {
  std::optional<int64_t> axis = object.getInteger("axis");
  std::optional<SmallVector<double>> mins = getNumbers(object, "min");
  std::optional<SmallVector<double>> maxs = getNumbers(object, "max");
  if (!axis || *axis < 0 || !mins || !maxs || mins->empty() ||
      mins->size() != maxs->size()) {
    error = "expected \"per_channel\": {\"axis\": integer >= 0, \"min\": "
            "[numbers], \"max\": [as many numbers]}";
    return failure();
  }
  for (auto [i, lo, hi] : llvm::enumerate(*mins, *maxs))
    if (!(lo <= hi)) {
      error = "per_channel channel " + std::to_string(i) +
              ": min > max (or NaN)";
      return failure();
    }
  return TableEntry::PerChannel{*axis, std::move(*mins), std::move(*maxs)};
}

/// Parses the table's `tensors` into name -> entry; errors say what is
/// wrong where.
FailureOr<llvm::StringMap<TableEntry>> parseTable(StringRef text,
                                                  std::string &error) {
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
  llvm::StringMap<TableEntry> entries;
  for (const auto &[key, value] : *tensors) {
    const llvm::json::Object *object = value.getAsObject();
    std::optional<double> lo = object ? object->getNumber("min") : std::nullopt;
    std::optional<double> hi = object ? object->getNumber("max") : std::nullopt;
    if (!lo || !hi || !(*lo <= *hi)) {
      error = "tensor '" + key.str() +
              "': expected {\"min\": number, \"max\": number} with "
              "min <= max";
      return failure();
    }
    TableEntry entry{*lo, *hi, std::nullopt};
    if (const llvm::json::Value *perChannel = object->get("per_channel")) {
      const llvm::json::Object *perChannelObject = perChannel->getAsObject();
      std::string perChannelError = "expected an object";
      FailureOr<TableEntry::PerChannel> parsed = failure();
      if (perChannelObject)
        parsed = parsePerChannel(*perChannelObject, perChannelError);
      if (failed(parsed)) {
        error = "tensor '" + key.str() + "': " + perChannelError;
        return failure();
      }
      entry.perChannel = std::move(*parsed);
    }
    entries[key.str()] = std::move(entry);
  }
  return entries;
}

/// `single` on a single-result op; entry i of `perResult` (unit elsewhere)
/// on a multi-result one.
void setResultAttr(OpResult result, StringRef single, StringRef perResult,
                   Attribute value) {
  Operation *op = result.getOwner();
  if (op->getNumResults() == 1) {
    op->setAttr(single, value);
    return;
  }
  Builder b(op->getContext());
  SmallVector<Attribute> all(op->getNumResults(), b.getUnitAttr());
  if (auto old = op->getAttrOfType<ArrayAttr>(perResult))
    if (old.size() == all.size())
      all.assign(old.begin(), old.end());
  all[result.getResultNumber()] = value;
  op->setAttr(perResult, b.getArrayAttr(all));
}

/// `{axis = A : i64, max = array<f64: ...>, min = array<f64: ...>}` after
/// checking the channels against `type` where its extent is static.
FailureOr<DictionaryAttr>
getChannelRangesAttr(const TableEntry::PerChannel &perChannel, Type type,
                     StringRef name, function_ref<InFlightDiagnostic()> emit) {
  if (auto ranked = dyn_cast<RankedTensorType>(type)) {
    if (perChannel.axis >= ranked.getRank())
      return emit() << "calibration table: per-channel axis "
                    << perChannel.axis << " of tensor '" << name
                    << "' is past its rank " << ranked.getRank(),
             failure();
    int64_t extent = ranked.getDimSize(perChannel.axis);
    if (!ShapedType::isDynamic(extent) &&
        extent != int64_t(perChannel.mins.size()))
      return emit() << "calibration table: tensor '" << name << "' has "
                    << perChannel.mins.size() << " per-channel ranges along "
                    << "axis " << perChannel.axis << ", its extent there is "
                    << extent,
             failure();
  }
  Builder b(type.getContext());
  return b.getDictionaryAttr(
      {b.getNamedAttr("axis", b.getI64IntegerAttr(perChannel.axis)),
       b.getNamedAttr("max", b.getDenseF64ArrayAttr(perChannel.maxs)),
       b.getNamedAttr("min", b.getDenseF64ArrayAttr(perChannel.mins))});
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
    llvm::StringSet<> used;
    bool failedChannels = false;
    // Writes the entry named `name`, if any, through the two setters.
    auto apply = [&](StringRef name, Type type,
                     function_ref<InFlightDiagnostic()> emit,
                     function_ref<void(Attribute)> setRange,
                     function_ref<void(Attribute)> setChannels) {
      auto it = ranges->find(name);
      if (it == ranges->end())
        return false;
      const TableEntry &entry = it->second;
      setRange(b.getDenseF64ArrayAttr({entry.lo, entry.hi}));
      if (entry.perChannel) {
        FailureOr<DictionaryAttr> channels =
            getChannelRangesAttr(*entry.perChannel, type, name, emit);
        if (failed(channels))
          failedChannels = true;
        else
          setChannels(*channels);
      }
      return true;
    };
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      for (BlockArgument arg : func.getArguments()) {
        if (!isFloatTensor(arg.getType()))
          continue;
        unsigned index = arg.getArgNumber();
        StringAttr name = getObservedArgName(func, index);
        if (apply(
                name, arg.getType(), [&] { return func.emitError(); },
                [&](Attribute a) { func.setArgAttr(index, kRangeAttrName, a); },
                [&](Attribute a) {
                  func.setArgAttr(index, kCalibratedChannelRangesAttrName, a);
                }))
          used.insert(name);
      }
      // Tensor names first. Node names are the fallback for tables written
      // before tables were keyed by tensor name; a key that is a tensor name
      // never falls back, and no result gets two ranges.
      llvm::DenseSet<Value> assigned;
      llvm::MapVector<StringAttr, OpResult> tensors =
          collectObservedResults(func);
      auto applyToResult = [&](StringRef name, OpResult result) {
        return apply(
            name, result.getType(),
            [&] { return result.getOwner()->emitError(); },
            [&](Attribute a) {
              setResultAttr(result, kCalibratedRangeAttrName,
                            kCalibratedResultRangesAttrName, a);
            },
            [&](Attribute a) {
              setResultAttr(result, kCalibratedChannelRangesAttrName,
                            kCalibratedResultChannelRangesAttrName, a);
            });
      };
      for (auto [name, result] : tensors) {
        if (applyToResult(name, result)) {
          used.insert(name);
          assigned.insert(result);
        }
      }
      for (auto [name, result] : collectNodeNamedResults(func)) {
        if (!ranges->count(name) || tensors.count(name))
          continue;
        used.insert(name);
        if (assigned.insert(result).second)
          applyToResult(name, result);
      }
    }
    if (failedChannels)
      return signalPassFailure();

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
