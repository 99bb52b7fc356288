//===- Assignment.cpp - choosing a precision per op -----------------------===//
//
// A greedy search by error reduction per byte (the default: it keeps every
// intermediate plan on the size/error curve the report draws) or an exact
// multiple-choice knapsack over the estimates, then a final check on the
// real quantized model and a fix-up loop. The per-op errors only estimate
// the plan's error (ops interact), so the check, not the search, decides;
// the knapsack is there for when greedy's step-by-step upgrades overshoot
// (a cheap good-ratio upgrade followed by the one that was needed anyway).
//
//===----------------------------------------------------------------------===//
#include "nibble/Precision/Assignment.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace llvm;
using namespace nibble::precision;

bool AssignmentTarget::isMetBy(const OutputError &error) const {
  switch (kind) {
  case Kind::SQNR:
    return error.sqnrDB >= value;
  case Kind::Cosine:
    return error.cosine >= value;
  case Kind::MaxAbs:
    return error.maxAbs <= value;
  case Kind::SizeBytes:
    return true;
  }
  return false;
}

bool AssignmentTarget::isBetter(const OutputError &a,
                                const OutputError &b) const {
  switch (kind) {
  case Kind::Cosine:
    return a.cosine > b.cosine;
  case Kind::MaxAbs:
    return a.maxAbs < b.maxAbs;
  case Kind::SQNR:
  case Kind::SizeBytes:
    return a.sqnrDB > b.sqnrDB;
  }
  return false;
}

std::string AssignmentTarget::describe() const {
  switch (kind) {
  // %g keeps every digit the user gave (a cosine of 0.9999 is not 1.00).
  case Kind::SQNR:
    return formatv("output SQNR >= {0} dB", format("%g", value)).str();
  case Kind::Cosine:
    return formatv("output cosine >= {0}", format("%.10g", value)).str();
  case Kind::MaxAbs:
    return formatv("largest output error <= {0}", format("%g", value)).str();
  case Kind::SizeBytes:
    return formatv("parameters <= {0} bytes", int64_t(value)).str();
  }
  return "";
}

namespace {

/// One way to store one op.
struct Option {
  Precision precision;
  int64_t bytes;
  /// Noise-to-signal ratio of the outputs with this op alone quantized.
  double noise;
  double maxAbs;
};

struct OpOptions {
  std::string node;
  int64_t fp32Bytes;
  /// Sorted by bytes, then noise.
  std::vector<Option> options;
};

double noiseOf(double sqnrDB) { return std::pow(10.0, -sqnrDB / 10); }

class Search {
public:
  Search(std::vector<OpOptions> ops, int64_t fp32Bytes,
         const AssignmentTarget &target)
      : ops(std::move(ops)), fp32Bytes(fp32Bytes), target(target),
        current(this->ops.size(), 0) {}

  int64_t estimatedBytes() const {
    int64_t bytes = fp32Bytes;
    for (auto [op, index] : llvm::zip_equal(ops, current))
      bytes += op.options[index].bytes - op.fp32Bytes;
    return bytes;
  }

  OutputError estimatedError() const {
    double noise = 0, maxAbs = 0;
    for (auto [op, index] : llvm::zip_equal(ops, current)) {
      noise += op.options[index].noise;
      maxAbs += op.options[index].maxAbs;
    }
    OutputError error;
    error.sqnrDB = noise > 0 ? std::min(kExactSQNRDB, -10 * std::log10(noise))
                             : kExactSQNRDB;
    error.cosine = 1 / std::sqrt(1 + noise);
    error.maxAbs = maxAbs;
    return error;
  }

  /// What the search minimizes for an option: the largest output error
  /// for that target, the noise otherwise. Both add over ops.
  double cost(const Option &option) const {
    return target.kind == AssignmentTarget::Kind::MaxAbs ? option.maxAbs
                                                         : option.noise;
  }

  /// Whether a plan whose ops' costs sum to `cost` meets the (accuracy)
  /// target by the estimate, computed as estimatedError() computes it.
  bool costMeetsTarget(double cost) const {
    OutputError error;
    if (target.kind == AssignmentTarget::Kind::MaxAbs) {
      error.maxAbs = cost;
    } else {
      error.sqnrDB = cost > 0 ? std::min(kExactSQNRDB, -10 * std::log10(cost))
                              : kExactSQNRDB;
      error.cosine = 1 / std::sqrt(1 + cost);
    }
    return target.isMetBy(error);
  }

  /// Sets `current` to the plan of least estimated bytes whose estimated
  /// cost meets the accuracy target (no `budget`), or of least cost within
  /// `budget` bytes; ties go to the smaller plan. Dynamic programming over
  /// the bytes each op adds to its smallest option, on a grid of at most
  /// `gridCells` cells; added bytes round up to whole cells, so a budget is
  /// never exceeded. Returns false when no plan meets the target (`current`
  /// is then the least-cost plan). Ops are taken in reverse node-name order
  /// and the first plan found of a cost is kept, so the result does not
  /// depend on the ops' order and an exact tie between upgrading two ops
  /// goes to the first name, as in bestUpgrade.
  bool solveKnapsack(std::optional<int64_t> budget, int64_t gridCells) {
    int64_t maxAdded = 0;
    for (const OpOptions &op : ops)
      maxAdded += op.options.back().bytes - op.options.front().bytes;
    std::fill(current.begin(), current.end(), 0);
    int64_t limit = maxAdded;
    if (budget)
      limit = std::min(limit, *budget - estimatedBytes());
    int64_t cell = std::max<int64_t>(1, divideCeil(maxAdded, gridCells));
    size_t cells = size_t(limit / cell) + 1;
    auto cellsOf = [&](const OpOptions &op, size_t j) {
      return size_t(divideCeil(op.options[j].bytes - op.options.front().bytes,
                               cell));
    };
    const double unreachable = std::numeric_limits<double>::infinity();
    // least[c]: least cost of the ops so far adding exactly c cells;
    // picked[i][c]: the option op i takes in that plan.
    std::vector<double> least(cells, unreachable), next(cells);
    least[0] = 0;
    std::vector<size_t> order = nodeOrder();
    std::reverse(order.begin(), order.end());
    std::vector<std::vector<uint16_t>> picked(
        ops.size(), std::vector<uint16_t>(cells, 0));
    for (size_t i : order) {
      std::fill(next.begin(), next.end(), unreachable);
      for (size_t c = 0; c < cells; ++c) {
        if (least[c] == unreachable)
          continue;
        for (size_t j = 0; j < ops[i].options.size(); ++j) {
          size_t to = c + cellsOf(ops[i], j);
          double total = least[c] + cost(ops[i].options[j]);
          if (to < cells && total < next[to]) {
            next[to] = total;
            picked[i][to] = j;
          }
        }
      }
      std::swap(least, next);
    }
    std::optional<size_t> best;
    bool met = false;
    for (size_t c = 0; c < cells; ++c) {
      if (least[c] == unreachable)
        continue;
      if (!budget && costMeetsTarget(least[c])) {
        best = c;
        met = true;
        break;
      }
      if (!best || least[c] < least[*best])
        best = c;
    }
    for (size_t i : llvm::reverse(order)) {
      current[i] = picked[i][*best];
      *best -= cellsOf(ops[i], current[i]);
    }
    return budget || met;
  }

  /// The upgrade with the largest cost reduction per added byte that keeps
  /// the plan within `budget` bytes; ties to the first node name, then the
  /// smaller option.
  std::optional<std::pair<size_t, size_t>> bestUpgrade(int64_t budget) const {
    std::optional<std::pair<size_t, size_t>> best;
    double bestRatio = 0;
    int64_t total = estimatedBytes();
    for (size_t i : nodeOrder()) {
      const Option &now = ops[i].options[current[i]];
      for (size_t j = 0, e = ops[i].options.size(); j < e; ++j) {
        const Option &next = ops[i].options[j];
        double gain = cost(now) - cost(next);
        int64_t added = next.bytes - now.bytes;
        if (j == current[i] || gain <= 0 || added < 0 ||
            total + added > budget)
          continue;
        double ratio = gain / std::max<double>(added, 1e-9);
        if (!best || ratio > bestRatio) {
          best = {i, j};
          bestRatio = ratio;
        }
      }
    }
    return best;
  }

  /// The op whose current option costs most and that has a cheaper-in-
  /// error option, with its smallest such option.
  std::optional<std::pair<size_t, size_t>> mostSensitiveUpgrade() const {
    std::optional<std::pair<size_t, size_t>> best;
    double bestCost = -1;
    for (size_t i : nodeOrder()) {
      const Option &now = ops[i].options[current[i]];
      if (cost(now) <= bestCost)
        continue;
      for (size_t j = 0, e = ops[i].options.size(); j < e; ++j) {
        if (cost(ops[i].options[j]) < cost(now)) {
          // Options are sorted by bytes: the first is the smallest.
          best = {i, j};
          bestCost = cost(now);
          break;
        }
      }
    }
    return best;
  }

  std::map<std::string, Precision> choice() const {
    std::map<std::string, Precision> result;
    for (auto [op, index] : llvm::zip_equal(ops, current))
      result[op.node] = op.options[index].precision;
    return result;
  }

  std::vector<OpOptions> ops;
  int64_t fp32Bytes;
  const AssignmentTarget &target;
  std::vector<size_t> current;

private:
  std::vector<size_t> nodeOrder() const {
    std::vector<size_t> order(ops.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    llvm::stable_sort(order, [&](size_t a, size_t b) {
      return ops[a].node < ops[b].node;
    });
    return order;
  }
};

} // namespace

PrecisionPlan
nibble::precision::makePlan(const SensitivityResult &sensitivity,
                            const std::map<std::string, Precision> &choice) {
  PrecisionPlan plan;
  for (const OpSensitivity &op : sensitivity.ops) {
    auto chosen = choice.find(op.op.node);
    if (chosen == choice.end())
      continue;
    PlanEntry entry;
    entry.node = op.op.node;
    entry.opType = op.op.opType;
    entry.precision = chosen->second;
    entry.weightParams = op.op.weightParams;
    for (const CandidateMeasure &candidate : op.candidates)
      entry.sensitivity[candidate.precision.getName()] = candidate.error;
    plan.entries.push_back(std::move(entry));
  }
  return plan;
}

Expected<AssignmentResult>
nibble::precision::assignPrecisions(const SensitivityResult &sensitivity,
                                    const AssignmentOptions &options,
                                    const PlanMeasurer &measure) {
  std::vector<OpOptions> ops;
  for (const OpSensitivity &op : sensitivity.ops) {
    OpOptions entry{op.op.node, op.fp32Bytes, {}};
    Option fp32{Precision(), op.fp32Bytes, 0, 0};
    auto pin = options.pinned.find(op.op.node);
    if (pin != options.pinned.end()) {
      if (pin->second.isFloat32()) {
        entry.options.push_back(fp32);
      } else {
        for (const CandidateMeasure &candidate : op.candidates)
          if (candidate.precision == pin->second)
            entry.options.push_back({candidate.precision, candidate.bytes,
                                     noiseOf(candidate.error.sqnrDB),
                                     candidate.error.maxAbs});
        if (entry.options.empty())
          return createStringError("--pin gives node '" + op.op.node + "' (" +
                                   op.op.opType + ") " +
                                   pin->second.getName() +
                                   ", which does not quantize it");
      }
    } else {
      for (const CandidateMeasure &candidate : op.candidates)
        entry.options.push_back({candidate.precision, candidate.bytes,
                                 noiseOf(candidate.error.sqnrDB),
                                 candidate.error.maxAbs});
      if (options.allowFP32 || entry.options.empty())
        entry.options.push_back(fp32);
    }
    llvm::stable_sort(entry.options, [](const Option &a, const Option &b) {
      if (a.bytes != b.bytes)
        return a.bytes < b.bytes;
      if (a.noise != b.noise)
        return a.noise < b.noise;
      return a.precision < b.precision;
    });
    ops.push_back(std::move(entry));
  }

  const AssignmentTarget &target = options.target;
  Search search(std::move(ops), sensitivity.fp32Bytes, target);
  AssignmentResult result;
  auto record = [&](StringRef label) {
    ConsideredPlan plan;
    plan.label = label.str();
    plan.choice = search.choice();
    plan.estimatedBytes = search.estimatedBytes();
    plan.estimated = search.estimatedError();
    result.considered.push_back(std::move(plan));
  };
  auto check = [&](StringRef label) -> Error {
    record(label);
    ConsideredPlan &plan = result.considered.back();
    Expected<std::pair<int64_t, OutputError>> measured =
        measure(makePlan(sensitivity, plan.choice));
    if (!measured)
      return measured.takeError();
    plan.measuredBytes = measured->first;
    plan.measured = measured->second;
    return Error::success();
  };

  record("start");
  bool knapsack = options.search == SearchKind::Knapsack;
  if (knapsack && options.knapsackGridCells <= 0)
    return createStringError("the knapsack grid needs at least one cell");
  if (!target.isAccuracy()) {
    int64_t budget = int64_t(target.value);
    if (search.estimatedBytes() > budget)
      return createStringError(formatv(
          "the size budget of {0} bytes is below the smallest plan, {1} bytes "
          "(every op at its smallest candidate{2})",
          budget, search.estimatedBytes(),
          options.pinned.empty() ? "" : ", pins as given"));
    if (knapsack) {
      search.solveKnapsack(budget, options.knapsackGridCells);
      record("knapsack");
    } else {
      while (auto upgrade = search.bestUpgrade(budget)) {
        search.current[upgrade->first] = upgrade->second;
        record("greedy");
      }
    }
    if (Error error = check("check"))
      return std::move(error);
  } else {
    int64_t unbounded = std::numeric_limits<int64_t>::max() / 2;
    if (knapsack) {
      search.solveKnapsack(std::nullopt, options.knapsackGridCells);
      record("knapsack");
    }
    while (!target.isMetBy(search.estimatedError())) {
      auto upgrade = search.bestUpgrade(unbounded);
      if (!upgrade)
        break;
      search.current[upgrade->first] = upgrade->second;
      record("greedy");
    }
    if (Error error = check("check"))
      return std::move(error);
    for (int round = 0; round < options.maxFixUps &&
                        !target.isMetBy(*result.considered.back().measured);
         ++round) {
      auto upgrade = search.mostSensitiveUpgrade();
      if (!upgrade)
        break;
      search.current[upgrade->first] = upgrade->second;
      if (Error error = check("fix-up"))
        return std::move(error);
    }
  }

  // The last checked plan when it meets the target (the search only grows
  // plans), else the best checked one.
  const ConsideredPlan *chosen = nullptr;
  for (const ConsideredPlan &plan : result.considered) {
    if (!plan.measured)
      continue;
    if (target.isMetBy(*plan.measured)) {
      if (!chosen || !target.isMetBy(*chosen->measured) ||
          *plan.measuredBytes < *chosen->measuredBytes)
        chosen = &plan;
    } else if (!chosen || (!target.isMetBy(*chosen->measured) &&
                           target.isBetter(*plan.measured, *chosen->measured))) {
      chosen = &plan;
    }
  }
  result.choice = chosen->choice;
  result.bytes = *chosen->measuredBytes;
  result.measured = *chosen->measured;
  result.targetMet = target.isMetBy(result.measured);
  result.plan = makePlan(sensitivity, result.choice);
  return std::move(result);
}
