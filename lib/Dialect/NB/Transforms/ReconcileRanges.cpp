//===- ReconcileRanges.cpp - nb-reconcile-ranges --------------------------===//
//
// Where the two sources of ranges meet. A calibrated range is what the
// samples showed; a proved range is what the program's semantics allow for
// any input in the declared input ranges. Values outside the proved range
// cannot occur, so the part of a calibrated range that lies there only
// wastes quantization levels (or, as with a Relu output measured below 0,
// reveals a bug in the data or the calibrator): the quantizer gets the
// intersection, and the user a warning naming the tensor.
//
//===----------------------------------------------------------------------===//

#include "ObservedTensors.h"
#include "nibble/Analysis/RangeAnalysis.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

#include "mlir/Analysis/DataFlow/ConstantPropagationAnalysis.h"
#include "mlir/Analysis/DataFlow/DeadCodeAnalysis.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/Format.h"

namespace mlir::nb {
#define GEN_PASS_DEF_RECONCILERANGES
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

namespace {
constexpr llvm::StringLiteral kCalibratedRangeAttrName = "nb.calibrated_range";
constexpr llvm::StringLiteral kCalibratedResultRangesAttrName =
    "nb.calibrated_result_ranges";
constexpr llvm::StringLiteral kCalibratedChannelRangesAttrName =
    "nb.calibrated_channel_ranges";
constexpr llvm::StringLiteral kCalibratedResultChannelRangesAttrName =
    "nb.calibrated_result_channel_ranges";

/// `[lo, hi]` with enough digits to tell float32 values apart.
std::string formatInterval(const FloatInterval &r) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[" << llvm::format("%.9g", r.lo()) << ", "
     << llvm::format("%.9g", r.hi()) << "]";
  return text;
}

/// A calibrated range attribute: array<f64: lo, hi> with lo <= hi.
FailureOr<FloatInterval> parseCalibratedRange(Operation *op, Attribute attr,
                                              StringRef attrName) {
  auto array = dyn_cast<DenseF64ArrayAttr>(attr);
  if (!array || array.size() != 2 || std::isnan(array[0]) ||
      std::isnan(array[1]) || array[0] > array[1]) {
    op->emitError() << "'" << attrName
                    << "' must hold array<f64: lo, hi> with lo <= hi, got "
                    << attr;
    return failure();
  }
  return FloatInterval(array[0], array[1]);
}

/// Clips every channel of a `{axis, min, max}` channel-ranges attribute to
/// `proved` (a disjoint channel takes `proved`), warning once per tensor.
FailureOr<Attribute> reconcileChannels(OpResult result, Attribute attr,
                                       StringRef attrName,
                                       const FloatInterval &proved) {
  Operation *op = result.getOwner();
  auto dict = dyn_cast<DictionaryAttr>(attr);
  auto mins = dict ? dict.getAs<DenseF64ArrayAttr>("min") : nullptr;
  auto maxs = dict ? dict.getAs<DenseF64ArrayAttr>("max") : nullptr;
  if (!mins || !maxs || mins.size() != maxs.size() ||
      !llvm::all_of(llvm::zip(mins.asArrayRef(), maxs.asArrayRef()),
                    [](auto pair) {
                      return std::get<0>(pair) <= std::get<1>(pair);
                    })) {
    op->emitError() << "'" << attrName
                    << "' must hold {axis, min = array<f64>, max = array<f64>} "
                       "with as many min as max values, each min <= max, got "
                    << attr;
    return failure();
  }
  SmallVector<double> newMins, newMaxs;
  unsigned changed = 0;
  for (auto [lo, hi] : llvm::zip(mins.asArrayRef(), maxs.asArrayRef())) {
    double newLo = std::max(lo, proved.lo()), newHi = std::min(hi, proved.hi());
    if (newLo > newHi) {
      newLo = proved.lo();
      newHi = proved.hi();
    }
    changed += newLo != lo || newHi != hi;
    newMins.push_back(newLo);
    newMaxs.push_back(newHi);
  }
  if (!changed)
    return attr;
  op->emitWarning() << "calibrated per-channel ranges of "
                    << describeResult(result) << " leave the proved range "
                    << formatInterval(proved) << " in " << changed << " of "
                    << mins.size() << " channels; clipped to it";
  Builder b(op->getContext());
  NamedAttrList entries(dict);
  entries.set("min", b.getDenseF64ArrayAttr(newMins));
  entries.set("max", b.getDenseF64ArrayAttr(newMaxs));
  return Attribute(entries.getDictionary(op->getContext()));
}

struct ReconcileRangesPass
    : public impl::ReconcileRangesBase<ReconcileRangesPass> {
  using Base::Base;

  /// The intersection of `calibrated` with the range proved for `result`,
  /// warning where they differ.
  FloatInterval reconcile(OpResult result, const FloatInterval &calibrated,
                          const DataFlowSolver &solver) {
    FloatInterval proved = getProvedRange(solver, result);
    double lo = std::max(calibrated.lo(), proved.lo());
    double hi = std::min(calibrated.hi(), proved.hi());
    if (lo == calibrated.lo() && hi == calibrated.hi())
      return calibrated;
    InFlightDiagnostic diag =
        result.getOwner()->emitWarning()
        << "calibrated range " << formatInterval(calibrated) << " of "
        << describeResult(result);
    if (lo > hi) {
      diag << " lies outside the proved range " << formatInterval(proved)
           << "; using the proved range";
      return proved;
    }
    FloatInterval reconciled(lo, hi);
    diag << " leaves the proved range " << formatInterval(proved)
         << "; using " << formatInterval(reconciled);
    return reconciled;
  }

  LogicalResult reconcileOp(Operation *op, const DataFlowSolver &solver) {
    Builder b(op->getContext());
    auto toAttr = [&](const FloatInterval &r) {
      return b.getDenseF64ArrayAttr({r.lo(), r.hi()});
    };
    if (Attribute attr = op->getAttr(kCalibratedRangeAttrName)) {
      if (op->getNumResults() != 1)
        return op->emitError()
               << "'" << kCalibratedRangeAttrName << "' is for single-result "
               << "ops; use '" << kCalibratedResultRangesAttrName << "'";
      FailureOr<FloatInterval> calibrated =
          parseCalibratedRange(op, attr, kCalibratedRangeAttrName);
      if (failed(calibrated))
        return failure();
      op->setAttr(kCalibratedRangeAttrName,
                  toAttr(reconcile(op->getResult(0), *calibrated, solver)));
    }
    Attribute attr = op->getAttr(kCalibratedResultRangesAttrName);
    if (!attr)
      return success();
    auto ranges = dyn_cast<ArrayAttr>(attr);
    if (!ranges || ranges.size() != op->getNumResults())
      return op->emitError()
             << "'" << kCalibratedResultRangesAttrName << "' must hold one "
             << "entry (array<f64: lo, hi> or unit) per result, got " << attr;
    SmallVector<Attribute> reconciled(ranges.begin(), ranges.end());
    for (auto [result, entry] : llvm::zip(op->getResults(), reconciled)) {
      if (isa<UnitAttr>(entry))
        continue;
      FailureOr<FloatInterval> calibrated =
          parseCalibratedRange(op, entry, kCalibratedResultRangesAttrName);
      if (failed(calibrated))
        return failure();
      entry = toAttr(reconcile(cast<OpResult>(result), *calibrated, solver));
    }
    op->setAttr(kCalibratedResultRangesAttrName, b.getArrayAttr(reconciled));
    return success();
  }

  /// The per-channel counterpart of the two attributes above.
  LogicalResult reconcileOpChannels(Operation *op,
                                    const DataFlowSolver &solver) {
    if (Attribute attr = op->getAttr(kCalibratedChannelRangesAttrName)) {
      if (op->getNumResults() != 1)
        return op->emitError()
               << "'" << kCalibratedChannelRangesAttrName
               << "' is for single-result ops; use '"
               << kCalibratedResultChannelRangesAttrName << "'";
      OpResult result = op->getResult(0);
      FailureOr<Attribute> reconciled =
          reconcileChannels(result, attr, kCalibratedChannelRangesAttrName,
                            getProvedRange(solver, result));
      if (failed(reconciled))
        return failure();
      op->setAttr(kCalibratedChannelRangesAttrName, *reconciled);
    }
    Attribute attr = op->getAttr(kCalibratedResultChannelRangesAttrName);
    if (!attr)
      return success();
    auto all = dyn_cast<ArrayAttr>(attr);
    if (!all || all.size() != op->getNumResults())
      return op->emitError()
             << "'" << kCalibratedResultChannelRangesAttrName
             << "' must hold one entry (dictionary or unit) per result, got "
             << attr;
    SmallVector<Attribute> reconciled(all.begin(), all.end());
    for (auto [result, entry] : llvm::zip(op->getResults(), reconciled)) {
      if (isa<UnitAttr>(entry))
        continue;
      FailureOr<Attribute> clipped = reconcileChannels(
          cast<OpResult>(result), entry,
          kCalibratedResultChannelRangesAttrName,
          getProvedRange(solver, result));
      if (failed(clipped))
        return failure();
      entry = *clipped;
    }
    op->setAttr(kCalibratedResultChannelRangesAttrName,
                ArrayAttr::get(op->getContext(), reconciled));
    return success();
  }

  void runOnOperation() override {
    if (failed(verifyArgumentRangeAttrs(getOperation())))
      return signalPassFailure();
    DataFlowSolver solver;
    solver.load<dataflow::DeadCodeAnalysis>();
    solver.load<dataflow::SparseConstantPropagation>();
    solver.load<FloatRangeAnalysis>();
    if (failed(solver.initializeAndRun(getOperation())))
      return signalPassFailure();
    WalkResult result = getOperation().walk([&](Operation *op) {
      return failed(reconcileOp(op, solver)) ||
                     failed(reconcileOpChannels(op, solver))
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
} // namespace mlir::nb
