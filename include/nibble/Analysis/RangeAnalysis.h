//===- RangeAnalysis.h - Static value ranges of nb tensors ------*- C++ -*-===//
//
// A sparse forward dataflow analysis that bounds every element of a tensor
// value by one closed interval [lo, hi] of doubles (-inf/+inf allowed). The
// interval says nothing about NaN: a NaN element is never excluded. Sources
// are constants, function arguments (their `nb.range` attribute, else the
// storage range of an integer element type, else unbounded) and the
// semantics of the nb ops; an op the analysis does not know is unbounded.
//
// Integer matmul/conv ops (nb.matmul_integer, nb.conv_integer,
// nb.qlinear_matmul, nb.qlinear_conv) additionally get a worst-case bound on
// their int32 accumulators, see computeAccumulatorBound.
//
// See docs/range-analysis.md.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_ANALYSIS_RANGEANALYSIS_H
#define NIBBLE_ANALYSIS_RANGEANALYSIS_H

#include "mlir/Analysis/DataFlow/SparseAnalysis.h"

#include <optional>

namespace mlir::nb {

/// Discardable attribute names written by nb-annotate-ranges and read from
/// function arguments.
inline constexpr llvm::StringLiteral kRangeAttrName = "nb.range";
inline constexpr llvm::StringLiteral kResultRangesAttrName =
    "nb.result_ranges";
inline constexpr llvm::StringLiteral kAccumulatorBoundAttrName =
    "nb.accumulator_bound";
inline constexpr llvm::StringLiteral kAccumulatorMayOverflowAttrName =
    "nb.accumulator_may_overflow";

/// A closed interval of doubles bounding every non-NaN element of a tensor.
/// Default-constructed it is the uninitialized (bottom) state.
class FloatInterval {
public:
  FloatInterval() = default;
  FloatInterval(double lo, double hi) : bounds(std::make_pair(lo, hi)) {}

  static FloatInterval unbounded();
  static FloatInterval point(double v) { return {v, v}; }
  /// The values an integer element type can hold; unbounded otherwise.
  static FloatInterval ofType(Type type);

  bool isUninitialized() const { return !bounds.has_value(); }
  bool isFinite() const;
  double lo() const { return bounds->first; }
  double hi() const { return bounds->second; }

  /// The smallest interval containing both.
  static FloatInterval join(const FloatInterval &a, const FloatInterval &b);
  /// Hull with one more value.
  FloatInterval including(double v) const;

  bool operator==(const FloatInterval &other) const {
    return bounds == other.bounds;
  }
  void print(raw_ostream &os) const;

private:
  std::optional<std::pair<double, double>> bounds;
};

class FloatRangeLattice : public dataflow::Lattice<FloatInterval> {
public:
  using Lattice::Lattice;
};

/// Computes a FloatInterval for every value of the ops it visits. Load it
/// into a DataFlowSolver together with DeadCodeAnalysis and
/// SparseConstantPropagation (which liveness needs).
class FloatRangeAnalysis
    : public dataflow::SparseForwardDataFlowAnalysis<FloatRangeLattice> {
public:
  using SparseForwardDataFlowAnalysis::SparseForwardDataFlowAnalysis;

  LogicalResult visitOperation(Operation *op,
                               ArrayRef<const FloatRangeLattice *> operands,
                               ArrayRef<FloatRangeLattice *> results) override;

  void setToEntryState(FloatRangeLattice *lattice) override;
};

/// The interval the solver proved for `value`; unbounded when none.
FloatInterval getProvedRange(const DataFlowSolver &solver, Value value);

/// Worst-case magnitude of an integer matmul/conv accumulator.
struct AccumulatorBound {
  /// Interval of the exact (unwrapped) accumulator including any bias.
  FloatInterval accumulator;
  /// max(|lo|, |hi|) of `accumulator`, saturated to INT64_MAX.
  int64_t magnitude;
  /// Number of products summed per output element.
  int64_t reductionSize;
  bool mayOverflowInt32() const { return magnitude > 2147483647; }
};

/// For nb.matmul_integer, nb.conv_integer, nb.qlinear_matmul and
/// nb.qlinear_conv with a static reduction size, the accumulator bound from
/// the proved operand ranges minus zero points (per output channel when the
/// weight is constant); std::nullopt for other ops or dynamic shapes.
std::optional<AccumulatorBound>
computeAccumulatorBound(Operation *op, const DataFlowSolver &solver);

/// Validates a `nb.range` function argument attribute: a DenseF64ArrayAttr
/// [lo, hi] with lo <= hi (not NaN). Returns the interval or an error
/// message.
FailureOr<FloatInterval> parseRangeAttr(Attribute attr, std::string &error);

/// Checks every `nb.range` function argument attribute under `root` with
/// parseRangeAttr, emitting an error at the function for the first
/// malformed one: passes seeding the analysis from them reject bad ones up
/// front, since the analysis would read them as unbounded.
LogicalResult verifyArgumentRangeAttrs(Operation *root);

} // namespace mlir::nb

#endif // NIBBLE_ANALYSIS_RANGEANALYSIS_H
