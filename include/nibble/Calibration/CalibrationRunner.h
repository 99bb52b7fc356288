//===- CalibrationRunner.h - Calibrate a module on samples -------*- C++ -*-===//
//
// The calibration loop shared by `nibble calibrate` and `nibble quantize
// --data`: nb-instrument-observers makes every observed tensor an extra
// result, the CPU JIT compiles the module (once per input shape), the
// samples stream through it one at a time, and the statistics accumulators
// (Statistics.h, Histogram.h) turn what was observed into one range per
// tensor, written as a calibration table (docs/calibration-table.md).
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_CALIBRATION_CALIBRATIONRUNNER_H
#define NIBBLE_CALIBRATION_CALIBRATIONRUNNER_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace nibble::calibration {

enum class CalibrationMethod { MinMax, Percentile, Entropy, MSE };

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// The percentile of CalibrationMethod::Percentile, in (0, 100].
  double percentile = 0;
  /// The method as the table records it ("minmax", "percentile=99.99", ...).
  std::string methodName = "minmax";
  /// Symmetric ranges [-m, m].
  bool symmetric = false;
  /// Also record min/max per index along this axis (negative counts from
  /// the end of each tensor's rank).
  std::optional<int64_t> perChannelAxis;
  /// Use at most this many samples (0: all).
  int64_t maxSamples = 0;
  /// The function the samples run through.
  std::string functionName = "main";
  /// The model's name as the table records it.
  std::string modelName;
};

/// Parses a method: `minmax`, `percentile=P` (0 < P <= 100), `entropy` or
/// `mse`, into `options` (method, percentile, methodName).
llvm::Error parseCalibrationMethod(llvm::StringRef text,
                                   CalibrationOptions &options);

/// Where the samples come from: data files (already expanded, see
/// expandSampleSources in nibble/Support/SampleReader.h), each array a batch
/// along axis 0; or, when `generate` is non-zero, that many seeded uniform
/// samples within each input's range (`inputRanges` entries "name=lo:hi",
/// else the argument's nb.range, else [0, 1]).
struct CalibrationSamples {
  std::vector<std::string> sources;
  int64_t generate = 0;
  uint64_t seed = 0;
  std::vector<std::string> inputRanges;
};

struct CalibrationProgress {
  /// Samples visited so far (NaN/Inf samples, skipped, included).
  int64_t done = 0;
  int64_t total = 0;
  /// Samples per second after the first (which pays for the JIT compile);
  /// 0 before the second.
  double samplesPerSecond = 0;
};

struct CalibrationResult {
  /// The table: version, model, method, symmetric, samples, tensors.
  llvm::json::Object table;
  int64_t samples = 0;
  int64_t skipped = 0;
  size_t numTensors = 0;
  double seconds = 0;
  /// Time of the first sample, with the JIT compile.
  double firstSampleSeconds = 0;
};

/// Calibrates `module` (which is not modified: the observers go into a
/// copy) on `samples`. `progress` is called after every sample; `warn` with
/// what the caller should show as warnings (skipped samples, tensors without
/// per-channel ranges). Every source is opened and bound to the inputs
/// before anything runs, so a bad file fails at once. Errors name the
/// source and sample.
llvm::Expected<CalibrationResult> runCalibration(
    mlir::ModuleOp module, const CalibrationSamples &samples,
    const CalibrationOptions &options,
    llvm::function_ref<void(const CalibrationProgress &)> progress = nullptr,
    llvm::function_ref<void(const llvm::Twine &)> warn = nullptr);

/// Writes `table` to `path` through a temporary file beside it, so a failed
/// write leaves any previous file untouched.
llvm::Error writeCalibrationTable(llvm::StringRef path,
                                  const llvm::json::Value &table);

} // namespace nibble::calibration

#endif // NIBBLE_CALIBRATION_CALIBRATIONRUNNER_H
