//===- Assignment.h - choosing a precision per op ---------------*- C++ -*-===//
//
// Given each op's sensitivity and size at each candidate precision, choose
// one precision per op (docs/precision-plan.md, "Assignment"):
//
// - an accuracy target (SQNR, cosine or largest output error): start from
//   every op's smallest candidate and, while the estimated error misses the
//   target, upgrade the op that buys the most error reduction per byte;
//   then check the plan on the real quantized model (held-out samples) and,
//   while the check misses, upgrade the op that hurts most (fix-up);
// - a size budget: the same upgrades, as long as the plan fits.
//
// Or, with SearchKind::Knapsack, the plan the estimates say is best: the
// smallest estimated size meeting the target (the smallest estimated error
// within a budget), found exactly by dynamic programming over ops and
// candidates on a byte grid; the same check and fix-up follow.
//
// Errors of ops add as noise powers: the estimated noise-to-signal ratio of
// a plan is the sum of its ops' 10^(-SQNR/10), and its largest output error
// the sum of theirs. Ties go to the node name that sorts first, so the same
// inputs give the same plan.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PRECISION_ASSIGNMENT_H
#define NIBBLE_PRECISION_ASSIGNMENT_H

#include "nibble/Precision/PrecisionPlan.h"
#include "nibble/Precision/Sensitivity.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nibble::precision {

struct AssignmentTarget {
  enum class Kind { SQNR, Cosine, MaxAbs, SizeBytes };
  Kind kind = Kind::SQNR;
  double value = 0;

  bool isAccuracy() const { return kind != Kind::SizeBytes; }
  /// Whether `error` meets an accuracy target.
  bool isMetBy(const OutputError &error) const;
  /// Whether `a` is closer to an accuracy target than `b`.
  bool isBetter(const OutputError &a, const OutputError &b) const;
  /// `SQNR >= 30 dB`, `size <= 12345 bytes`, ...
  std::string describe() const;
};

/// One plan the search went through.
struct ConsideredPlan {
  /// `start`, `greedy`, `check`, `fix-up`, `uniform int8`, ...
  std::string label;
  /// Precision per node.
  std::map<std::string, Precision> choice;
  int64_t estimatedBytes = 0;
  OutputError estimated;
  /// Set when the plan was compiled and run.
  std::optional<int64_t> measuredBytes;
  std::optional<OutputError> measured;
};

enum class SearchKind { Greedy, Knapsack };

struct AssignmentOptions {
  AssignmentTarget target;
  SearchKind search = SearchKind::Greedy;
  /// Knapsack: the byte grid has at most this many cells; a cell is
  /// ceil(largest possible added bytes / cells) bytes, so the search is
  /// exact while the model's added bytes fit (cell = 1 byte).
  int64_t knapsackGridCells = 1 << 18;
  /// Whether fp32 is a candidate (an op may stay float).
  bool allowFP32 = true;
  /// Pinned precisions by node; they are never changed.
  std::map<std::string, Precision> pinned;
  /// Upper bound on final-check/fix-up rounds.
  int maxFixUps = 64;
};

/// Quantizes the model with a plan and measures it on held-out samples:
/// the parameter bytes and the output error.
using PlanMeasurer = std::function<llvm::Expected<std::pair<int64_t, OutputError>>(
    const PrecisionPlan &)>;

struct AssignmentResult {
  /// The chosen plan: the target met at the smallest size found, or when
  /// no plan met it, the best measured one.
  PrecisionPlan plan;
  std::map<std::string, Precision> choice;
  int64_t bytes = 0;
  OutputError measured;
  bool targetMet = false;
  std::vector<ConsideredPlan> considered;
};

/// Builds a plan (entries in the sensitivity's op order, default fp32) with
/// each op's weight parameters and measured sensitivity recorded.
PrecisionPlan makePlan(const SensitivityResult &sensitivity,
                       const std::map<std::string, Precision> &choice);

/// Runs the search. Errors: a size budget below the smallest plan, a pin
/// on a node that cannot take its precision.
llvm::Expected<AssignmentResult>
assignPrecisions(const SensitivityResult &sensitivity,
                 const AssignmentOptions &options, const PlanMeasurer &measure);

} // namespace nibble::precision

#endif // NIBBLE_PRECISION_ASSIGNMENT_H
