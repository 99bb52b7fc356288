//===- Histogram.cpp - Histogram collection and range methods -------------===//
//
// Mirrors onnxruntime/quantization/calibrate.py (HistogramCollector) closely
// enough that thresholds agree within a bin: the binning follows numpy's
// np.histogram (uniform fast path, right edge inclusive in the last bin;
// explicit-edges path by binary search), the merging follows
// collect_absolute_value / merge_histogram step by step.
//
//===----------------------------------------------------------------------===//

#include "nibble/Calibration/Histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace nibble::calibration;

int64_t Histogram::total() const {
  int64_t sum = 0;
  for (int64_t c : counts)
    sum += c;
  return sum;
}

namespace {
/// numpy's np.histogram(values, n, range=(lo, hi)): uniform bins, a
/// degenerate range widened by 0.5 on each side, values outside dropped.
void uniformHistogram(const std::vector<float> &values, int64_t n, float lo,
                      float hi, std::vector<int64_t> &counts,
                      std::vector<float> &edges) {
  if (lo == hi) {
    lo -= 0.5f;
    hi += 0.5f;
  }
  counts.assign(n, 0);
  edges.resize(n + 1);
  for (int64_t i = 0; i <= n; ++i)
    edges[i] = float(double(lo) + (double(hi) - double(lo)) * i / n);
  edges[n] = hi;
  double norm = double(n) / (double(hi) - double(lo));
  for (float v : values) {
    if (!(v >= lo && v <= hi))
      continue;
    int64_t idx = int64_t((double(v) - double(lo)) * norm);
    idx = std::min(idx, n - 1);
    // numpy corrects the rounding of the fast path against the edges.
    if (v < edges[idx])
      --idx;
    else if (idx != n - 1 && v >= edges[idx + 1])
      ++idx;
    ++counts[idx];
  }
}

/// numpy's np.histogram(values, bins=edges): bin i holds
/// edges[i] <= v < edges[i+1], the last bin also its right edge.
void edgesHistogram(const std::vector<float> &values,
                    const std::vector<float> &edges,
                    std::vector<int64_t> &counts) {
  int64_t n = edges.size() - 1;
  counts.assign(n, 0);
  for (float v : values) {
    if (!(v >= edges.front() && v <= edges.back()))
      continue;
    int64_t idx =
        std::upper_bound(edges.begin(), edges.end(), v) - edges.begin() - 1;
    ++counts[std::min(idx, n - 1)];
  }
}

/// The non-NaN elements of a sample and their min/max; false if none.
bool finiteValues(const float *data, size_t size, std::vector<float> &out,
                  float &lo, float &hi) {
  out.clear();
  out.reserve(size);
  for (size_t i = 0; i < size; ++i)
    if (!std::isnan(data[i]))
      out.push_back(data[i]);
  if (out.empty())
    return false;
  auto [mn, mx] = std::minmax_element(out.begin(), out.end());
  lo = *mn;
  hi = *mx;
  return true;
}

Range clampToObserved(Range r, const Histogram &hist) {
  if (r.min < hist.min)
    r.min = hist.min;
  if (r.max > hist.max)
    r.max = hist.max;
  return r;
}
} // namespace

void AbsHistogramAccumulator::observe(const float *data, size_t size) {
  std::vector<float> values;
  float lo = 0.0f, hi = 0.0f;
  if (!finiteValues(data, size, values, lo, hi))
    return;
  float absMin = std::numeric_limits<float>::infinity(), absMax = 0.0f;
  for (float &v : values) {
    v = std::fabs(v);
    absMin = std::min(absMin, v);
    absMax = std::max(absMax, v);
  }
  if (hist.empty()) {
    uniformHistogram(values, numBins, absMin, absMax, hist.counts, hist.edges);
    hist.min = lo;
    hist.max = hi;
    return;
  }
  // ORT widens by whole bins of the first width, as
  // np.arange(last + width, absMax + width, width) does (which may add one
  // bin past the one holding absMax).
  if (absMax > hist.edges.back()) {
    float width = hist.edges[1] - hist.edges[0];
    float start = hist.edges.back() + width;
    float stop = absMax + width;
    int64_t extra =
        int64_t(std::ceil((double(stop) - double(start)) / double(width)));
    // numpy fills a float32 arange as start + i * delta in float32, delta
    // being the rounded difference of its first two values.
    float delta = (start + width) - start;
    for (int64_t i = 0; i < extra; ++i)
      hist.edges.push_back(i == 0 ? start : start + float(i) * delta);
  }
  std::vector<int64_t> counts;
  edgesHistogram(values, hist.edges, counts);
  for (size_t i = 0; i < hist.counts.size(); ++i)
    counts[i] += hist.counts[i];
  hist.counts = std::move(counts);
  hist.min = std::min(hist.min, lo);
  hist.max = std::max(hist.max, hi);
}

void ValueHistogramAccumulator::observe(const float *data, size_t size) {
  std::vector<float> values;
  float lo = 0.0f, hi = 0.0f;
  if (!finiteValues(data, size, values, lo, hi))
    return;
  float newT = std::max(std::fabs(lo), std::fabs(hi));
  if (hist.empty()) {
    uniformHistogram(values, numBins, -newT, newT, hist.counts, hist.edges);
    hist.min = lo;
    hist.max = hi;
    t = newT;
    return;
  }
  std::vector<int64_t> counts;
  std::vector<float> edges;
  int64_t oldBins = hist.counts.size();
  if (newT <= t) {
    // Same bins; the edges stay those of the first histogram.
    uniformHistogram(values, oldBins, -t, t, counts, edges);
    for (int64_t i = 0; i < oldBins; ++i)
      hist.counts[i] += counts[i];
  } else if (t == 0.0f) {
    uniformHistogram(values, oldBins, -newT, newT, counts, edges);
    for (int64_t i = 0; i < oldBins; ++i)
      counts[i] += hist.counts[i];
    hist.counts = std::move(counts);
    hist.edges = std::move(edges);
    t = newT;
  } else {
    // Grow by whole bins of the old stride on both sides so old bins map
    // onto new ones exactly (ORT's merge_histogram).
    float stride = 2.0f * t / float(oldBins);
    int64_t half = int64_t(std::floor((newT - t) / stride) + 1);
    int64_t newBins = oldBins + 2 * half;
    float grownT = float(half) * stride + t;
    uniformHistogram(values, newBins, -grownT, grownT, counts, edges);
    for (int64_t i = 0; i < oldBins; ++i)
      counts[half + i] += hist.counts[i];
    hist.counts = std::move(counts);
    hist.edges = std::move(edges);
    t = grownT;
  }
  hist.min = std::min(hist.min, lo);
  hist.max = std::max(hist.max, hi);
}

/// np.searchsorted(cdf, q): the first index whose cdf reaches q.
static size_t searchCdf(const std::vector<double> &cdf, double q) {
  return std::lower_bound(cdf.begin(), cdf.end(), q) - cdf.begin();
}

Range nibble::calibration::percentileRange(const Histogram &hist,
                                           double percentile,
                                           bool symmetric) {
  if (hist.empty())
    return {};
  double total = double(hist.total());
  std::vector<double> cdf(hist.counts.size());
  double acc = 0.0;
  for (size_t i = 0; i < cdf.size(); ++i) {
    acc += double(hist.counts[i]) / total;
    cdf[i] = acc;
  }
  Range r;
  if (symmetric) {
    float e = hist.edges[searchCdf(cdf, percentile / 100.0)];
    r = {-e, e};
  } else {
    double cut = (100.0 - percentile) / 200.0;
    r = {hist.edges[searchCdf(cdf, cut)],
         hist.edges[searchCdf(cdf, 1.0 - cut)]};
  }
  return clampToObserved(r, hist);
}

/// ORT's smooth_distribution, in float32 as numpy computes it: zeros become
/// eps, and the mass they take is spread off the non-zero bins. Returns
/// false when every bin is zero.
static bool smooth(const std::vector<int64_t> &p, std::vector<float> &out) {
  const double eps = 0.0001;
  int64_t zeros = std::count(p.begin(), p.end(), 0);
  int64_t nonzeros = p.size() - zeros;
  if (nonzeros == 0)
    return false;
  float eps1 = float(eps * double(zeros) / double(nonzeros));
  out.resize(p.size());
  for (size_t i = 0; i < p.size(); ++i)
    out[i] = p[i] == 0 ? float(eps) : float(p[i]) + (-eps1);
  return true;
}

/// KL(p || q) of the normalised distributions (ORT's `entropy`).
static double klDivergence(const std::vector<float> &p,
                           const std::vector<float> &q) {
  double sumP = 0.0, sumQ = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    sumP += p[i];
    sumQ += q[i];
  }
  double kl = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    double pi = p[i] / sumP, qi = q[i] / sumQ;
    if (pi == 0.0)
      continue;
    if (!(pi > 0.0 && qi > 0.0))
      return std::numeric_limits<double>::infinity();
    kl += pi * std::log(pi / qi);
  }
  return kl;
}

Range nibble::calibration::entropyRange(const Histogram &hist,
                                        int64_t numQuantizedBins) {
  if (hist.empty() || numQuantizedBins <= 0)
    return {};
  const std::vector<int64_t> &h = hist.counts;
  int64_t numBins = h.size();
  int64_t zeroBin = numBins / 2;
  int64_t halfQuantized = numQuantizedBins / 2;
  // Too few bins for a single candidate window: the whole observed range.
  if (halfQuantized > zeroBin)
    return {hist.min, hist.max};

  // Prefix sums make the outlier counts O(1) per candidate.
  std::vector<int64_t> prefix(numBins + 1, 0);
  for (int64_t i = 0; i < numBins; ++i)
    prefix[i + 1] = prefix[i] + h[i];

  double bestKl = std::numeric_limits<double>::infinity();
  Range best{hist.edges[zeroBin - halfQuantized],
             hist.edges[std::min(zeroBin + halfQuantized + 1, numBins)]};
  bool haveBest = false;
  std::vector<int64_t> p, q;
  std::vector<float> ps, qs;
  for (int64_t i = halfQuantized; i <= zeroBin; ++i) {
    int64_t start = zeroBin - i;
    int64_t end = std::min(zeroBin + i + 1, numBins);
    int64_t size = end - start;
    p.assign(h.begin() + start, h.begin() + end);
    p.front() += prefix[start];
    p.back() += prefix[numBins] - prefix[end];

    // Merge the window (without outliers) into numQuantizedBins bins, the
    // remainder into the last, then spread each merged bin evenly (with
    // integer truncation, as ORT's int64 q) over the bins non-zero in p.
    int64_t merged = size / numQuantizedBins;
    q.assign(size, 0);
    for (int64_t b = 0; b < numQuantizedBins; ++b) {
      int64_t s = b * merged, e = s + merged;
      int64_t sum = 0, norm = 0;
      for (int64_t k = s; k < e; ++k) {
        sum += h[start + k];
        norm += p[k] != 0;
      }
      if (b == numQuantizedBins - 1)
        for (int64_t k = numQuantizedBins * merged; k < size; ++k)
          sum += h[start + k];
      if (norm != 0)
        for (int64_t k = s; k < e; ++k)
          q[k] = int64_t(double(sum) / double(norm));
    }
    double kl = std::numeric_limits<double>::infinity();
    if (smooth(p, ps) && smooth(q, qs))
      kl = klDivergence(ps, qs);
    // np.argmin keeps the first minimum.
    if (!haveBest || kl < bestKl) {
      bestKl = kl;
      best = {hist.edges[start], hist.edges[end]};
      haveBest = true;
    }
  }
  return clampToObserved(best, hist);
}

Range nibble::calibration::mseRange(const Histogram &hist, int numBits) {
  if (hist.empty() || numBits < 2 || numBits > 16)
    return {};
  double qmax = double((int64_t(1) << (numBits - 1)) - 1);
  size_t n = hist.counts.size();
  std::vector<double> mids(n);
  for (size_t i = 0; i < n; ++i)
    mids[i] = 0.5 * (double(hist.edges[i]) + double(hist.edges[i + 1]));

  double bestErr = std::numeric_limits<double>::infinity();
  float bestT = std::max(std::fabs(hist.min), std::fabs(hist.max));
  for (size_t k = 1; k <= n; ++k) {
    double t = hist.edges[k];
    if (!(t > 0.0))
      continue;
    double scale = t / qmax;
    double err = 0.0;
    for (size_t i = 0; i < n && err < bestErr; ++i) {
      if (hist.counts[i] == 0)
        continue;
      // Round half to even, as np.round.
      double qv = std::clamp(std::nearbyint(mids[i] / scale), -qmax, qmax);
      double d = mids[i] - qv * scale;
      err += double(hist.counts[i]) * d * d;
    }
    if (err < bestErr) {
      bestErr = err;
      bestT = float(t);
    }
  }
  return clampToObserved({-bestT, bestT}, hist);
}
