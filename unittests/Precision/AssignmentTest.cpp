//===- AssignmentTest.cpp - precision assignment on synthetic sensitivities
//===//
//
// The search on hand-made sensitivities whose best plan is known (found here
// by trying every plan), with a measurer that returns exactly what the
// estimates add up to unless a test wants the check to disagree.
//
//===----------------------------------------------------------------------===//
#include "nibble/Precision/Assignment.h"

#include "llvm/Support/Error.h"
#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace nibble::precision;

namespace {

Precision precisionNamed(llvm::StringRef name) {
  llvm::Expected<Precision> precision = Precision::parseName(name);
  if (!precision) {
    ADD_FAILURE() << llvm::toString(precision.takeError());
    return Precision();
  }
  return *precision;
}

double sqnrOfNoise(double noise) { return -10 * std::log10(noise); }

/// One candidate: name, bytes, the noise-to-signal ratio it causes alone.
struct SyntheticCandidate {
  const char *precision;
  int64_t bytes;
  double noise;
  double maxAbs = 0;
};

OpSensitivity makeOp(const std::string &node, int64_t fp32Bytes,
                     std::vector<SyntheticCandidate> candidates) {
  OpSensitivity op;
  op.op.node = node;
  op.op.opType = "MatMul";
  op.op.weightParams = fp32Bytes / 4;
  op.fp32Bytes = fp32Bytes;
  for (const SyntheticCandidate &candidate : candidates) {
    CandidateMeasure measure;
    measure.precision = precisionNamed(candidate.precision);
    measure.bytes = candidate.bytes;
    measure.error.sqnrDB = sqnrOfNoise(candidate.noise);
    measure.error.cosine = 1 / std::sqrt(1 + candidate.noise);
    measure.error.maxAbs = candidate.maxAbs;
    op.candidates.push_back(measure);
  }
  return op;
}

SensitivityResult makeResult(std::vector<OpSensitivity> ops) {
  SensitivityResult result;
  for (const OpSensitivity &op : ops)
    result.fp32Bytes += op.fp32Bytes;
  result.parameterCount = result.fp32Bytes / 4;
  result.ops = std::move(ops);
  return result;
}

/// Bytes and additive error of a plan (fp32 where the plan names nothing),
/// plus `extraNoise` to make the check miss what the estimate promised.
std::pair<int64_t, OutputError>
evaluate(const SensitivityResult &sensitivity,
         const std::map<std::string, Precision> &choice,
         double extraNoise = 0) {
  int64_t bytes = 0;
  double noise = extraNoise, maxAbs = 0;
  for (const OpSensitivity &op : sensitivity.ops) {
    auto it = choice.find(op.op.node);
    if (it == choice.end() || it->second.isFloat32()) {
      bytes += op.fp32Bytes;
      continue;
    }
    for (const CandidateMeasure &candidate : op.candidates) {
      if (candidate.precision != it->second)
        continue;
      bytes += candidate.bytes;
      noise += std::pow(10.0, -candidate.error.sqnrDB / 10);
      maxAbs += candidate.error.maxAbs;
    }
  }
  OutputError error;
  error.sqnrDB = noise > 0 ? -10 * std::log10(noise) : kExactSQNRDB;
  error.cosine = 1 / std::sqrt(1 + noise);
  error.maxAbs = maxAbs;
  return {bytes, error};
}

PlanMeasurer additiveMeasurer(const SensitivityResult &sensitivity,
                              int *calls = nullptr, double extraNoise = 0) {
  return [&sensitivity, calls, extraNoise](const PrecisionPlan &plan)
             -> llvm::Expected<std::pair<int64_t, OutputError>> {
    if (calls)
      ++*calls;
    std::map<std::string, Precision> choice;
    for (const PlanEntry &entry : plan.entries)
      choice[entry.node] = entry.precision;
    return evaluate(sensitivity, choice, extraNoise);
  };
}

/// Every plan (each op at each candidate, and fp32 when allowed).
std::vector<std::map<std::string, Precision>>
allPlans(const SensitivityResult &sensitivity, bool allowFP32) {
  std::vector<std::map<std::string, Precision>> plans(1);
  for (const OpSensitivity &op : sensitivity.ops) {
    std::vector<Precision> choices;
    for (const CandidateMeasure &candidate : op.candidates)
      choices.push_back(candidate.precision);
    if (allowFP32)
      choices.push_back(Precision());
    std::vector<std::map<std::string, Precision>> grown;
    for (const auto &plan : plans)
      for (const Precision &precision : choices) {
        auto next = plan;
        next[op.op.node] = precision;
        grown.push_back(std::move(next));
      }
    plans = std::move(grown);
  }
  return plans;
}

/// The fewest bytes of any plan meeting `target` (-1 when none does).
int64_t bruteForceSmallest(const SensitivityResult &sensitivity,
                           const AssignmentTarget &target, bool allowFP32) {
  int64_t best = -1;
  for (const auto &plan : allPlans(sensitivity, allowFP32)) {
    auto [bytes, error] = evaluate(sensitivity, plan);
    if (target.isMetBy(error) && (best < 0 || bytes < best))
      best = bytes;
  }
  return best;
}

/// The least noise of any plan within `budget` bytes.
double bruteForceLeastNoise(const SensitivityResult &sensitivity,
                            int64_t budget, bool allowFP32) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto &plan : allPlans(sensitivity, allowFP32)) {
    auto [bytes, error] = evaluate(sensitivity, plan);
    double noise = std::pow(10.0, -error.sqnrDB / 10);
    if (bytes <= budget && noise < best)
      best = noise;
  }
  return best;
}

AssignmentOptions sqnrTarget(double db,
                             SearchKind search = SearchKind::Greedy) {
  AssignmentOptions options;
  options.target = {AssignmentTarget::Kind::SQNR, db};
  options.search = search;
  return options;
}

AssignmentResult assign(const SensitivityResult &sensitivity,
                        const AssignmentOptions &options,
                        double extraNoise = 0) {
  llvm::Expected<AssignmentResult> result = assignPrecisions(
      sensitivity, options, additiveMeasurer(sensitivity, nullptr, extraNoise));
  if (!result) {
    ADD_FAILURE() << llvm::toString(result.takeError());
    return AssignmentResult();
  }
  return std::move(*result);
}

/// Three ops of 800 fp32 bytes; `b` is the sensitive one: its int4 noise
/// alone (1e-2, 20 dB) misses a 35 dB target, the others' (1e-4) do not.
SensitivityResult threeOps() {
  std::vector<OpSensitivity> ops;
  for (const char *node : {"a", "b", "c"}) {
    bool sensitive = std::string(node) == "b";
    ops.push_back(makeOp(node, 800,
                         {{"int4-weight-g32", 120, sensitive ? 1e-2 : 1e-4},
                          {"int8", 220, sensitive ? 3e-5 : 1e-5},
                          {"fp16", 400, 1e-7}}));
  }
  return makeResult(std::move(ops));
}

std::string precisionOf(const AssignmentResult &result,
                        const std::string &node) {
  auto it = result.choice.find(node);
  return it == result.choice.end() ? "<none>" : it->second.getName();
}

TEST(AssignmentTest, GreedyMeetsTargetAtTheKnownSmallestSize) {
  SensitivityResult sensitivity = threeOps();
  AssignmentOptions options = sqnrTarget(35);
  AssignmentResult result = assign(sensitivity, options);
  EXPECT_TRUE(result.targetMet);
  EXPECT_GE(result.measured.sqnrDB, 35);
  // Only the sensitive op is upgraded, to its cheapest sufficient option.
  EXPECT_EQ(precisionOf(result, "a"), "int4-weight-g32");
  EXPECT_EQ(precisionOf(result, "b"), "int8");
  EXPECT_EQ(precisionOf(result, "c"), "int4-weight-g32");
  EXPECT_EQ(result.bytes, 120 + 220 + 120);
  EXPECT_EQ(result.bytes,
            bruteForceSmallest(sensitivity, options.target, true));
  // The plan written carries the measured sensitivities.
  ASSERT_EQ(result.plan.entries.size(), 3u);
  EXPECT_EQ(result.plan.entries[1].node, "b");
  EXPECT_EQ(result.plan.entries[1].sensitivity.size(), 3u);
}

TEST(AssignmentTest, CosineAndMaxAbsTargets) {
  SensitivityResult sensitivity = threeOps();
  AssignmentOptions cosine;
  // 1/sqrt(1 + 5e-4): every int4 (1.02e-2) misses, b at int8 meets.
  cosine.target = {AssignmentTarget::Kind::Cosine, 1 / std::sqrt(1 + 5e-4)};
  AssignmentResult result = assign(sensitivity, cosine);
  EXPECT_TRUE(result.targetMet);
  EXPECT_EQ(result.bytes, bruteForceSmallest(sensitivity, cosine.target, true));

  std::vector<OpSensitivity> ops;
  ops.push_back(makeOp("p", 400, {{"int8", 100, 1e-4, 0.5}}));
  ops.push_back(makeOp("q", 400, {{"int8", 100, 1e-4, 0.05}}));
  SensitivityResult bounded = makeResult(std::move(ops));
  AssignmentOptions maxAbs;
  maxAbs.target = {AssignmentTarget::Kind::MaxAbs, 0.1};
  result = assign(bounded, maxAbs);
  EXPECT_TRUE(result.targetMet);
  EXPECT_EQ(precisionOf(result, "p"), "fp32");
  EXPECT_EQ(precisionOf(result, "q"), "int8");
}

TEST(AssignmentTest, TiesGoToTheFirstNodeNameWhateverTheOpOrder) {
  // Two identical ops; the target needs exactly one of them upgraded.
  auto make = [](bool reversed) {
    std::vector<OpSensitivity> ops;
    for (const char *node : {"y_op", "x_op"})
      ops.push_back(makeOp(
          node, 400, {{"int4-weight-g32", 60, 1e-2}, {"int8", 110, 1e-4}}));
    if (reversed)
      std::swap(ops[0], ops[1]);
    return makeResult(std::move(ops));
  };
  for (SearchKind search : {SearchKind::Greedy, SearchKind::Knapsack}) {
    for (bool reversed : {false, true}) {
      SensitivityResult sensitivity = make(reversed);
      // Both int4: 2e-2 (17 dB); one upgraded: 1.01e-2 (19.96 dB).
      AssignmentResult first = assign(sensitivity, sqnrTarget(19.5, search));
      AssignmentResult second = assign(sensitivity, sqnrTarget(19.5, search));
      EXPECT_TRUE(first.targetMet);
      EXPECT_EQ(precisionOf(first, "x_op"), "int8");
      EXPECT_EQ(precisionOf(first, "y_op"), "int4-weight-g32");
      EXPECT_EQ(first.choice, second.choice);
    }
  }
}

TEST(AssignmentTest, SizeBudget) {
  SensitivityResult sensitivity = threeOps();
  AssignmentOptions options;
  // Room for one upgrade to int8 (+100 bytes) but not for fp16 (+280).
  options.target = {AssignmentTarget::Kind::SizeBytes, 120 * 3 + 150};
  AssignmentResult result = assign(sensitivity, options);
  EXPECT_LE(result.bytes, 510);
  EXPECT_EQ(precisionOf(result, "b"), "int8");
  EXPECT_EQ(precisionOf(result, "a"), "int4-weight-g32");
  double noise = std::pow(10.0, -result.measured.sqnrDB / 10);
  EXPECT_NEAR(noise, bruteForceLeastNoise(sensitivity, 510, true), 1e-12);

  options.target.value = 359;
  llvm::Expected<AssignmentResult> refused =
      assignPrecisions(sensitivity, options, additiveMeasurer(sensitivity));
  ASSERT_FALSE(bool(refused));
  EXPECT_NE(llvm::toString(refused.takeError())
                .find("size budget of 359 bytes is below the smallest plan, "
                      "360 bytes"),
            std::string::npos);
}

TEST(AssignmentTest, PinsAreNeverChanged) {
  SensitivityResult sensitivity = threeOps();
  AssignmentOptions options = sqnrTarget(35);
  // b pinned to int4: the target is then out of reach (b alone is 20 dB);
  // the other ops are upgraded as far as they help, b stays.
  options.pinned["b"] = precisionNamed("int4-weight-g32");
  AssignmentResult result = assign(sensitivity, options);
  EXPECT_FALSE(result.targetMet);
  EXPECT_EQ(precisionOf(result, "b"), "int4-weight-g32");

  // a pinned to fp32 is kept float even though int4 would do.
  options.pinned.clear();
  options.pinned["a"] = Precision();
  result = assign(sensitivity, options);
  EXPECT_TRUE(result.targetMet);
  EXPECT_EQ(precisionOf(result, "a"), "fp32");
  EXPECT_EQ(precisionOf(result, "b"), "int8");

  // A pin on a precision the op was not measured at cannot be honored.
  options.pinned["a"] = precisionNamed("fp8-e4m3");
  llvm::Expected<AssignmentResult> refused =
      assignPrecisions(sensitivity, options, additiveMeasurer(sensitivity));
  ASSERT_FALSE(bool(refused));
  EXPECT_NE(llvm::toString(refused.takeError()).find("does not quantize it"),
            std::string::npos);
}

TEST(AssignmentTest, UnreachableTargetGivesTheBestMeasuredPlan) {
  SensitivityResult sensitivity = threeOps();
  AssignmentOptions options = sqnrTarget(80);
  options.allowFP32 = false;
  AssignmentResult result = assign(sensitivity, options);
  EXPECT_FALSE(result.targetMet);
  // Every op at fp16 is the most accurate plan: 3e-7, 65.2 dB.
  EXPECT_NEAR(result.measured.sqnrDB, sqnrOfNoise(3e-7), 1e-9);
  for (const char *node : {"a", "b", "c"})
    EXPECT_EQ(precisionOf(result, node), "fp16");
}

TEST(AssignmentTest, FixUpUpgradesTheWorstOpWhenTheCheckMisses) {
  SensitivityResult sensitivity = threeOps();
  // The real model adds 1e-4 of noise the estimates do not know about:
  // the estimated plan (2.3e-4, 36.4 dB) measures 3.3e-4 (34.8 dB), so the
  // fix-up must upgrade the op with the largest error (a or c, 1e-4: a).
  AssignmentResult result = assign(sensitivity, sqnrTarget(35), 1e-4);
  EXPECT_TRUE(result.targetMet);
  EXPECT_GE(result.measured.sqnrDB, 35);
  EXPECT_EQ(precisionOf(result, "a"), "int8");
  EXPECT_EQ(precisionOf(result, "b"), "int8");
  EXPECT_EQ(precisionOf(result, "c"), "int4-weight-g32");
  bool sawFixUp = false;
  for (const ConsideredPlan &plan : result.considered)
    sawFixUp |= plan.label == "fix-up";
  EXPECT_TRUE(sawFixUp);
}

/// Greedy takes the best ratio first (a: -0.4 for 10 bytes) and then still
/// needs b (-0.5 for 15 bytes): 25 bytes where b alone (15) meets the
/// target. The knapsack finds b alone.
SensitivityResult greedyOvershoots() {
  std::vector<OpSensitivity> ops;
  ops.push_back(makeOp("a", 110, {{"int4-weight-g32", 100, 0.4}}));
  ops.push_back(makeOp("b", 115, {{"int4-weight-g32", 100, 0.5}}));
  ops.push_back(makeOp("c", 112, {{"int4-weight-g32", 100, 0.1}}));
  return makeResult(std::move(ops));
}

TEST(AssignmentTest, KnapsackBeatsGreedyWhereGreedyOvershoots) {
  SensitivityResult sensitivity = greedyOvershoots();
  // Total noise at most 0.51.
  double target = sqnrOfNoise(0.51);
  AssignmentResult greedy = assign(sensitivity, sqnrTarget(target));
  AssignmentResult knapsack =
      assign(sensitivity, sqnrTarget(target, SearchKind::Knapsack));
  EXPECT_TRUE(greedy.targetMet);
  EXPECT_TRUE(knapsack.targetMet);
  EXPECT_EQ(greedy.bytes, 325);
  EXPECT_EQ(knapsack.bytes, 315);
  EXPECT_EQ(knapsack.bytes,
            bruteForceSmallest(sensitivity, sqnrTarget(target).target, true));
  EXPECT_EQ(precisionOf(knapsack, "b"), "fp32");
  EXPECT_EQ(knapsack.considered[1].label, "knapsack");
}

TEST(AssignmentTest, KnapsackIsExactOnRandomInstances) {
  // Fixed seed: the instances are the same on every run.
  std::mt19937 generator(2026);
  std::uniform_int_distribution<int> bytes(1, 60);
  std::uniform_real_distribution<double> logNoise(-6, -1);
  for (int instance = 0; instance < 40; ++instance) {
    std::vector<OpSensitivity> ops;
    for (int i = 0; i < 5; ++i) {
      int64_t int4 = bytes(generator), int8 = int4 + bytes(generator),
              fp16 = int8 + bytes(generator), fp32 = fp16 + bytes(generator);
      ops.push_back(makeOp(
          "op" + std::to_string(i), fp32,
          {{"int4-weight-g32", int4, std::pow(10.0, logNoise(generator))},
           {"int8", int8, std::pow(10.0, logNoise(generator))},
           {"fp16", fp16, 1e-7}}));
    }
    SensitivityResult sensitivity = makeResult(std::move(ops));
    for (double db : {15.0, 25.0, 35.0}) {
      AssignmentOptions options = sqnrTarget(db, SearchKind::Knapsack);
      AssignmentResult knapsack = assign(sensitivity, options);
      AssignmentResult greedy = assign(sensitivity, sqnrTarget(db));
      int64_t best = bruteForceSmallest(sensitivity, options.target, true);
      ASSERT_GE(best, 0) << "fp32 everywhere always meets the target";
      EXPECT_TRUE(knapsack.targetMet);
      EXPECT_EQ(knapsack.bytes, best)
          << "instance " << instance << ", " << db << " dB";
      EXPECT_GE(greedy.bytes, best);
    }
    int64_t budget = sensitivity.fp32Bytes / 2;
    AssignmentOptions options;
    options.target = {AssignmentTarget::Kind::SizeBytes, double(budget)};
    options.search = SearchKind::Knapsack;
    llvm::Expected<AssignmentResult> result =
        assignPrecisions(sensitivity, options, additiveMeasurer(sensitivity));
    if (!result) {
      // Only when even the smallest plan does not fit.
      llvm::consumeError(result.takeError());
      continue;
    }
    EXPECT_LE(result->bytes, budget);
    EXPECT_NEAR(std::pow(10.0, -result->measured.sqnrDB / 10),
                bruteForceLeastNoise(sensitivity, budget, true),
                1e-12 + 1e-9 * bruteForceLeastNoise(sensitivity, budget, true));
  }
}

TEST(AssignmentTest, KnapsackOnACoarseGridStaysWithinTheBudget) {
  SensitivityResult sensitivity = threeOps();
  AssignmentOptions options;
  options.target = {AssignmentTarget::Kind::SizeBytes, 510};
  options.search = SearchKind::Knapsack;
  // Cells of ceil(3 * 680 / 7) = 292 bytes: every upgrade rounds up to a
  // cell, so none fits in the 150 bytes left and the plan loses accuracy,
  // but it never exceeds the budget.
  options.knapsackGridCells = 7;
  AssignmentResult result = assign(sensitivity, options);
  EXPECT_EQ(result.bytes, 360);
  options.knapsackGridCells = 0;
  llvm::Expected<AssignmentResult> refused =
      assignPrecisions(sensitivity, options, additiveMeasurer(sensitivity));
  ASSERT_FALSE(bool(refused));
  llvm::consumeError(refused.takeError());
}

} // namespace
