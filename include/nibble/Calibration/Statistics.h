//===- Statistics.h - Streaming activation statistics -----------*- C++ -*-===//
//
// Streaming accumulators that turn observed activations into quantization
// ranges. Each accumulator observes one sample's tensor at a time; its memory
// is bounded by the statistic it keeps, never by the number of samples. The
// interface is plain C++ (no MLIR types) so an observer pass, the CPU JIT or
// a test can feed it alike. Histogram statistics live in Histogram.h.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_CALIBRATION_STATISTICS_H
#define NIBBLE_CALIBRATION_STATISTICS_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nibble::calibration {

/// A closed quantization range [min, max].
struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

/// [-m, m] with m = max(|min|, |max|): the symmetric range covering `r`.
Range makeSymmetric(Range r);

/// Running global min/max over every observed element. NaNs are ignored
/// (numpy's nanmin/nanmax, as ONNX Runtime's MinMaxCalibrater reduces).
class MinMaxAccumulator {
public:
  void observe(const float *data, size_t size);
  /// True until a sample with at least one non-NaN element was observed.
  bool empty() const { return !seen; }
  Range range() const { return current; }

private:
  Range current;
  bool seen = false;
};

/// Moving-average min/max: each sample's min/max is folded into the running
/// value as `old + c * (new - old)` (ONNX Runtime's MinMaxCalibrater with
/// moving_average=True merging successive collections; TensorRT / PyTorch's
/// MovingAverageMinMaxObserver). The first sample initialises the average.
class MovingAverageMinMaxAccumulator {
public:
  explicit MovingAverageMinMaxAccumulator(double averagingConstant = 0.01)
      : averagingConstant(averagingConstant) {}
  void observe(const float *data, size_t size);
  bool empty() const { return !seen; }
  Range range() const { return {float(min), float(max)}; }
  double getAveragingConstant() const { return averagingConstant; }

private:
  double averagingConstant;
  double min = 0.0, max = 0.0;
  bool seen = false;
};

/// Min/max per slice along `axis` of a tensor of shape `shape` (row-major),
/// e.g. axis 1 of NCHW activations for per-channel quantization. Every
/// observed tensor must have the same extent along `axis`; observe() returns
/// false (and changes nothing) when it does not or the axis is out of range.
class PerChannelMinMaxAccumulator {
public:
  explicit PerChannelMinMaxAccumulator(int64_t axis) : axis(axis) {}
  bool observe(const float *data, const std::vector<int64_t> &shape);
  /// One range per channel; empty until the first successful observe().
  const std::vector<Range> &ranges() const { return channels; }

private:
  int64_t axis;
  std::vector<Range> channels;
  std::vector<bool> seen;
};

} // namespace nibble::calibration

#endif // NIBBLE_CALIBRATION_STATISTICS_H
