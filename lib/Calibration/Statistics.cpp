//===- Statistics.cpp - Streaming min/max accumulators --------------------===//

#include "nibble/Calibration/Statistics.h"

#include <algorithm>
#include <cmath>

using namespace nibble::calibration;

Range nibble::calibration::makeSymmetric(Range r) {
  float m = std::max(std::fabs(r.min), std::fabs(r.max));
  return {-m, m};
}

/// The NaN-ignoring min/max of one sample; false when it has no number.
static bool sampleMinMax(const float *data, size_t size, float &lo,
                         float &hi) {
  bool any = false;
  for (size_t i = 0; i < size; ++i) {
    float v = data[i];
    if (std::isnan(v))
      continue;
    if (!any) {
      lo = hi = v;
      any = true;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return any;
}

void MinMaxAccumulator::observe(const float *data, size_t size) {
  float lo = 0.0f, hi = 0.0f;
  if (!sampleMinMax(data, size, lo, hi))
    return;
  if (!seen) {
    current = {lo, hi};
    seen = true;
    return;
  }
  current.min = std::min(current.min, lo);
  current.max = std::max(current.max, hi);
}

void MovingAverageMinMaxAccumulator::observe(const float *data, size_t size) {
  float lo = 0.0f, hi = 0.0f;
  if (!sampleMinMax(data, size, lo, hi))
    return;
  if (!seen) {
    min = lo;
    max = hi;
    seen = true;
    return;
  }
  min += averagingConstant * (double(lo) - min);
  max += averagingConstant * (double(hi) - max);
}

bool PerChannelMinMaxAccumulator::observe(const float *data,
                                          const std::vector<int64_t> &shape) {
  int64_t rank = shape.size();
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    return false;
  for (int64_t d : shape)
    if (d < 0)
      return false;
  int64_t numChannels = shape[a];
  if (!channels.empty() && int64_t(channels.size()) != numChannels)
    return false;
  if (channels.empty()) {
    channels.assign(numChannels, Range());
    seen.assign(numChannels, false);
  }
  // Row-major: element (outer, c, inner) lives at (outer * C + c) * inner.
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < a; ++i)
    outer *= shape[i];
  for (int64_t i = a + 1; i < rank; ++i)
    inner *= shape[i];
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < numChannels; ++c) {
      float lo = 0.0f, hi = 0.0f;
      const float *slice = data + (o * numChannels + c) * inner;
      if (!sampleMinMax(slice, inner, lo, hi))
        continue;
      if (!seen[c]) {
        channels[c] = {lo, hi};
        seen[c] = true;
        continue;
      }
      channels[c].min = std::min(channels[c].min, lo);
      channels[c].max = std::max(channels[c].max, hi);
    }
  }
  return true;
}
