//===- nibble-calib-stats.cpp - Test driver for NibbleCalibration ---------===//
//
// Test-only: feeds samples to one accumulator and prints the range it gives,
// so test/Calibration/compare-ort-calibrators.py can check it against ONNX
// Runtime's calibrators. Input: a file of samples, each a little-endian
// uint64 element count followed by that many float32 values.
//
//   nibble-calib-stats <method> <samples-file> [key=value...]
//   methods: minmax, moving-average (c=), percentile (percentile=,
//            symmetric=0|1, bins=), entropy (bins=, quantized-bins=),
//            mse (bins=, bits=)
// Prints "min max" and, for histogram methods, "bins N width W" of the
// final histogram.
//===----------------------------------------------------------------------===//

#include "nibble/Calibration/Histogram.h"
#include "nibble/Calibration/Statistics.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

using namespace nibble::calibration;

static bool forEachSample(const char *path,
                          const std::function<void(const std::vector<float> &)>
                              &fn) {
  FILE *f = std::fopen(path, "rb");
  if (!f) {
    std::fprintf(stderr, "error: cannot open '%s'\n", path);
    return false;
  }
  std::vector<float> sample;
  uint64_t count;
  while (std::fread(&count, sizeof(count), 1, f) == 1) {
    sample.resize(count);
    if (std::fread(sample.data(), sizeof(float), count, f) != count) {
      std::fprintf(stderr, "error: truncated sample in '%s'\n", path);
      std::fclose(f);
      return false;
    }
    fn(sample);
  }
  std::fclose(f);
  return true;
}

static void printRange(Range r) { std::printf("%.9g %.9g\n", r.min, r.max); }

static void printHistogram(const Histogram &h) {
  if (h.empty())
    return;
  std::printf("bins %zu width %.9g\n", h.counts.size(),
              double(h.edges[1]) - double(h.edges[0]));
}

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: nibble-calib-stats <method> <samples> [k=v...]\n");
    return 2;
  }
  std::string method = argv[1];
  const char *path = argv[2];
  std::map<std::string, double> opts;
  for (int i = 3; i < argc; ++i) {
    const char *eq = std::strchr(argv[i], '=');
    if (!eq) {
      std::fprintf(stderr, "error: expected key=value, got '%s'\n", argv[i]);
      return 2;
    }
    opts[std::string(argv[i], eq - argv[i])] = std::atof(eq + 1);
  }
  auto opt = [&](const char *key, double dflt) {
    auto it = opts.find(key);
    return it == opts.end() ? dflt : it->second;
  };
  int64_t bins = int64_t(opt("bins", 2048));

  if (method == "minmax") {
    MinMaxAccumulator acc;
    if (!forEachSample(path, [&](auto &s) { acc.observe(s.data(), s.size()); }))
      return 1;
    printRange(opt("symmetric", 0) ? makeSymmetric(acc.range()) : acc.range());
    return 0;
  }
  if (method == "moving-average") {
    MovingAverageMinMaxAccumulator acc(opt("c", 0.01));
    if (!forEachSample(path, [&](auto &s) { acc.observe(s.data(), s.size()); }))
      return 1;
    printRange(acc.range());
    return 0;
  }
  if (method == "percentile" && opt("symmetric", 1)) {
    AbsHistogramAccumulator acc(bins);
    if (!forEachSample(path, [&](auto &s) { acc.observe(s.data(), s.size()); }))
      return 1;
    printRange(percentileRange(acc.histogram(), opt("percentile", 99.999),
                               /*symmetric=*/true));
    printHistogram(acc.histogram());
    return 0;
  }
  if (method == "percentile" || method == "entropy" || method == "mse") {
    ValueHistogramAccumulator acc(bins);
    if (!forEachSample(path, [&](auto &s) { acc.observe(s.data(), s.size()); }))
      return 1;
    const Histogram &h = acc.histogram();
    if (method == "percentile")
      printRange(percentileRange(h, opt("percentile", 99.999), false));
    else if (method == "entropy")
      printRange(entropyRange(h, int64_t(opt("quantized-bins", 128))));
    else
      printRange(mseRange(h, int(opt("bits", 8))));
    printHistogram(h);
    return 0;
  }
  std::fprintf(stderr, "error: unknown method '%s'\n", method.c_str());
  return 2;
}
