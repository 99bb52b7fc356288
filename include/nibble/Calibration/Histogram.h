//===- Histogram.h - Histogram statistics and range methods -----*- C++ -*-===//
//
// Histogram collection as ONNX Runtime's HistogramCollector does it
// (onnxruntime/quantization/calibrate.py), and the range methods computed
// from those histograms: percentile, entropy (KL divergence) and MSE-optimal
// clipping. The algorithms mirror ORT's so that thresholds agree within one
// histogram bin; docs/calibration-statistics.md states each objective.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_CALIBRATION_HISTOGRAM_H
#define NIBBLE_CALIBRATION_HISTOGRAM_H

#include "nibble/Calibration/Statistics.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nibble::calibration {

/// A histogram: `counts.size()` bins delimited by `edges` (one more than the
/// bins), plus the exact min/max of everything observed.
struct Histogram {
  std::vector<int64_t> counts;
  std::vector<float> edges;
  float min = 0.0f;
  float max = 0.0f;

  bool empty() const { return counts.empty(); }
  int64_t total() const;
};

/// ORT's HistogramCollector.collect_absolute_value (percentile, symmetric):
/// a histogram of |x|. The first sample fixes `numBins` bins over
/// [min|x|, max|x|]; a later sample whose max|x| lies past the last edge
/// appends bins of the same width; values below the first edge are dropped,
/// as in ORT.
class AbsHistogramAccumulator {
public:
  explicit AbsHistogramAccumulator(int64_t numBins = 2048) : numBins(numBins) {}
  void observe(const float *data, size_t size);
  const Histogram &histogram() const { return hist; }

private:
  int64_t numBins;
  Histogram hist;
};

/// ORT's HistogramCollector.collect_value (entropy, distribution, and
/// percentile when asymmetric): a histogram of x over [-t, t] with
/// t = max|x| so far. When a sample raises t, the histogram grows by whole
/// bins of the old width on both sides and the old counts are merged into
/// the middle (merge_histogram).
class ValueHistogramAccumulator {
public:
  explicit ValueHistogramAccumulator(int64_t numBins = 2048)
      : numBins(numBins) {}
  void observe(const float *data, size_t size);
  const Histogram &histogram() const { return hist; }
  float threshold() const { return t; }

private:
  int64_t numBins;
  Histogram hist;
  float t = 0.0f;
};

/// ORT's compute_percentile. With `symmetric` the histogram is of |x| and
/// the result is [-e, e]; otherwise (100 - percentile) / 2 percent is cut
/// from each side. Either end is clamped to the observed min/max.
Range percentileRange(const Histogram &hist, double percentile,
                      bool symmetric);

/// ORT's get_entropy_threshold (TensorRT's KL calibration): the symmetric
/// window around the zero bin of a value histogram that minimises
/// KL(P || Q), P the window with outliers folded into its end bins, Q P
/// merged into `numQuantizedBins` bins and expanded back over P's non-zero
/// bins; both smoothed with eps 1e-4. Clamped to the observed min/max.
Range entropyRange(const Histogram &hist, int64_t numQuantizedBins = 128);

/// MSE-optimal clipping threshold over a value histogram (symmetric, as
/// TensorFlow's HistogramMseSymmetric): among thresholds T at each bin edge
/// right of zero, minimise sum_i count_i * (mid_i - dq(q(mid_i)))^2 with
/// q(x) = clamp(round(x / s), -qmax, qmax), s = T / qmax, qmax = 127 for
/// int8. Clamped to the observed min/max.
Range mseRange(const Histogram &hist, int numBits = 8);

} // namespace nibble::calibration

#endif // NIBBLE_CALIBRATION_HISTOGRAM_H
