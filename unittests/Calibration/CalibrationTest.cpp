//===- CalibrationTest.cpp - Calibration statistics vs numpy references ---===//
//
// The samples come from the closed formula of gen_reference.py; the expected
// figures in ReferenceData.inc come from its numpy references (ONNX Runtime's
// HistogramCollector for the histogram methods). Histogram thresholds must
// agree within one bin, min/max figures to float precision.
//
//===----------------------------------------------------------------------===//

#include "nibble/Calibration/Histogram.h"
#include "nibble/Calibration/Statistics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <string>

using namespace nibble::calibration;

namespace {
struct Reference {
  const char *name;
  double min, max, bins, width;
};

const Reference references[] = {
#define REFERENCE(name, lo, hi, bins, width) {#name, lo, hi, bins, width},
#include "ReferenceData.inc"
#undef REFERENCE
};

const Reference &reference(const std::string &name) {
  for (const Reference &r : references)
    if (name == r.name)
      return r;
  ADD_FAILURE() << "no reference " << name;
  return references[0];
}

constexpr int numSamples = 6;
constexpr int sampleSize = 4096;

/// gen_reference.py's sample(s).
std::vector<float> sample(int s) {
  std::vector<float> v(sampleSize);
  for (int i = 0; i < sampleSize; ++i) {
    double x = std::sin(0.7 * i + 1.3 * s) * (1.0 + 0.25 * s) + 0.3;
    if (i % 97 == 0)
      x += (4.0 + 0.5 * s) * std::cos(0.11 * i);
    v[i] = float(x);
  }
  return v;
}

template <typename Acc>
void feed(Acc &acc) {
  for (int s = 0; s < numSamples; ++s) {
    std::vector<float> v = sample(s);
    acc.observe(v.data(), v.size());
  }
}

void expectRange(Range got, const Reference &r, double tol) {
  EXPECT_NEAR(got.min, r.min, tol) << r.name;
  EXPECT_NEAR(got.max, r.max, tol) << r.name;
}

void expectHistogramRange(Range got, const Histogram &h, const Reference &r) {
  EXPECT_EQ(double(h.counts.size()), r.bins) << r.name;
  double width = double(h.edges[1]) - double(h.edges[0]);
  EXPECT_NEAR(width, r.width, 1e-6) << r.name;
  expectRange(got, r, r.width);
}

TEST(CalibrationStatistics, MinMax) {
  MinMaxAccumulator acc;
  EXPECT_TRUE(acc.empty());
  feed(acc);
  expectRange(acc.range(), reference("MinMax"), 1e-6);
  Range sym = makeSymmetric(acc.range());
  EXPECT_FLOAT_EQ(sym.max, -sym.min);
  EXPECT_FLOAT_EQ(sym.max, std::max(std::fabs(acc.range().min),
                                    std::fabs(acc.range().max)));
}

TEST(CalibrationStatistics, MinMaxIgnoresNaN) {
  MinMaxAccumulator acc;
  float nan = std::numeric_limits<float>::quiet_NaN();
  float onlyNaN[] = {nan, nan};
  acc.observe(onlyNaN, 2);
  EXPECT_TRUE(acc.empty());
  float data[] = {nan, -1.5f, 2.0f, nan};
  acc.observe(data, 4);
  EXPECT_FLOAT_EQ(acc.range().min, -1.5f);
  EXPECT_FLOAT_EQ(acc.range().max, 2.0f);
}

TEST(CalibrationStatistics, MovingAverage) {
  MovingAverageMinMaxAccumulator acc(0.01);
  feed(acc);
  expectRange(acc.range(), reference("MovingAverage"), 1e-5);
}

TEST(CalibrationStatistics, PerChannel) {
  // Samples viewed as (4, 8, 128), channels along axis 1 (the reference
  // stacks samples first, hence its axis 2).
  PerChannelMinMaxAccumulator acc(1);
  for (int s = 0; s < numSamples; ++s) {
    std::vector<float> v = sample(s);
    ASSERT_TRUE(acc.observe(v.data(), {4, 8, 128}));
  }
  ASSERT_EQ(acc.ranges().size(), 8u);
  for (int c = 0; c < 8; ++c)
    expectRange(acc.ranges()[c], reference("Channel" + std::to_string(c)), 1e-6);
}

TEST(CalibrationStatistics, PerChannelRejectsMismatch) {
  PerChannelMinMaxAccumulator acc(-1);
  std::vector<float> v(12, 1.0f);
  EXPECT_TRUE(acc.observe(v.data(), {3, 4}));
  EXPECT_FALSE(acc.observe(v.data(), {4, 3}));
  EXPECT_FALSE(acc.observe(v.data(), {}));
  EXPECT_EQ(acc.ranges().size(), 4u);
}

TEST(CalibrationStatistics, PercentileSymmetric) {
  AbsHistogramAccumulator acc(2048);
  feed(acc);
  expectHistogramRange(percentileRange(acc.histogram(), 99.99, true),
                       acc.histogram(), reference("PercentileSymmetric"));
}

TEST(CalibrationStatistics, PercentileAsymmetric) {
  ValueHistogramAccumulator acc(2048);
  feed(acc);
  expectHistogramRange(percentileRange(acc.histogram(), 99.9, false),
                       acc.histogram(), reference("PercentileAsymmetric"));
}

TEST(CalibrationStatistics, Entropy) {
  ValueHistogramAccumulator acc(2048);
  feed(acc);
  expectHistogramRange(entropyRange(acc.histogram(), 128), acc.histogram(),
                       reference("Entropy"));
}

TEST(CalibrationStatistics, Mse) {
  ValueHistogramAccumulator acc(2048);
  feed(acc);
  expectHistogramRange(mseRange(acc.histogram(), 8), acc.histogram(),
                       reference("Mse"));
}

TEST(CalibrationStatistics, HistogramMergeKeepsCounts) {
  ValueHistogramAccumulator value(64);
  AbsHistogramAccumulator abs(64);
  float small[] = {-1.0f, 0.5f, 1.0f};
  float large[] = {-3.0f, 2.5f};
  value.observe(small, 3);
  value.observe(large, 2);
  abs.observe(small, 3);
  abs.observe(large, 2);
  EXPECT_EQ(value.histogram().total(), 5);
  // The old width is kept and t grows to a whole number of old bins.
  EXPECT_NEAR(value.histogram().edges[1] - value.histogram().edges[0],
              2.0 / 64, 1e-6);
  EXPECT_GE(value.threshold(), 3.0f);
  EXPECT_FLOAT_EQ(value.histogram().min, -3.0f);
  EXPECT_FLOAT_EQ(value.histogram().max, 2.5f);
  // |x| histograms start at the first sample's min|x| (0.5); nothing of the
  // second lies below it.
  EXPECT_EQ(abs.histogram().total(), 5);
  EXPECT_GE(abs.histogram().edges.back(), 3.0f);
}

TEST(CalibrationStatistics, EmptyHistogramGivesEmptyRange) {
  Histogram h;
  Range r = entropyRange(h);
  EXPECT_EQ(r.min, 0.0f);
  EXPECT_EQ(r.max, 0.0f);
  r = percentileRange(h, 99.9, true);
  EXPECT_EQ(r.max, 0.0f);
  r = mseRange(h);
  EXPECT_EQ(r.max, 0.0f);
}
} // namespace
