//===- CalibrateCommand.cpp - nibble calibrate ----------------------------===//
//
// `nibble calibrate model.onnx --data DIR|FILE... --method M -o table.json`:
// imports the model and calibrates it (nibble/Calibration/CalibrationRunner.h:
// observers, the CPU JIT, samples streamed one at a time), drawing progress
// on stderr. The table is written whole or not at all (temporary file, then
// rename); its schema is in docs/calibration-table.md.
//
// Samples: every data source (.npz, .npy, .pb, ONNX test data set folder; a
// folder of them stands for its contents in natural name order) holds a
// batch of samples along axis 0 of each array bound to an input.
// `--generate N` makes N seeded uniform samples instead.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "nibble/Calibration/CalibrationRunner.h"
#include "nibble/InitAllNibble.h"
#include "nibble/Support/SampleReader.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <random>

using namespace llvm;
using namespace nibble;
using namespace nibble::driver;
using namespace nibble::calibration;

namespace {
struct CalibrateOptions {
  cl::OptionCategory category{"calibrate options"};
  cl::opt<std::string> model{cl::Positional, cl::Required,
                             cl::desc("<model.onnx | model.mlir>"),
                             cl::cat(category)};
  cl::list<std::string> data{
      "data",
      cl::desc("Calibration data: .npz/.npy/.pb files, ONNX test data set "
               "folders, or folders of them; each array is a batch of "
               "samples along axis 0"),
      cl::value_desc("path"), cl::ZeroOrMore, cl::CommaSeparated,
      cl::cat(category)};
  cl::opt<unsigned> generate{
      "generate",
      cl::desc("Calibrate on N seeded uniform random samples instead of "
               "--data (smoke tests)"),
      cl::value_desc("N"), cl::init(0), cl::cat(category)};
  cl::opt<uint64_t> seed{"seed",
                         cl::desc("Seed for --generate (default: drawn and "
                                  "printed)"),
                         cl::cat(category)};
  cl::list<std::string> inputRanges{
      "input-range",
      cl::desc("Range of an input's generated values (default: the "
               "argument's nb.range, else [0, 1])"),
      cl::value_desc("name=lo:hi"), cl::ZeroOrMore, cl::cat(category)};
  cl::opt<std::string> method{
      "method",
      cl::desc("minmax, percentile=P (e.g. percentile=99.99), entropy, mse"),
      cl::init("minmax"), cl::cat(category)};
  cl::opt<bool> symmetric{"symmetric", cl::desc("Symmetric ranges [-m, m]"),
                          cl::init(false), cl::cat(category)};
  cl::opt<std::string> perChannel{
      "per-channel",
      cl::desc("Also record min/max per index along AXIS (default 1, the "
               "channel axis of NCHW; negative counts from the end)"),
      cl::value_desc("AXIS"), cl::ValueOptional, cl::cat(category)};
  cl::opt<unsigned> samples{"samples",
                            cl::desc("Use at most N samples (0: all)"),
                            cl::init(0), cl::cat(category)};
  cl::opt<bool> quiet{"quiet", cl::desc("No progress display"), cl::init(false),
                      cl::cat(category)};
  cl::opt<std::string> output{"o", cl::desc("The calibration table (JSON)"),
                              cl::value_desc("file"), cl::Required,
                              cl::cat(category)};
  ModelInputOptions modelInput{category};
};

/// Draws progress on stderr: a bar, samples done, rate and time left,
/// redrawn at most ten times a second.
class ProgressBar {
public:
  explicit ProgressBar(bool enabled) : enabled(enabled) {}
  void update(const CalibrationProgress &progress, bool force = false) {
    if (!enabled)
      return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - lastDraw < std::chrono::milliseconds(100))
      return;
    lastDraw = now;
    constexpr int kWidth = 24;
    int64_t done = progress.done, total = progress.total;
    int filled = total > 0 ? int(kWidth * done / total) : 0;
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    errs() << "\r[" << bar << "] "
           << format("%lld/%lld samples", (long long)done, (long long)total);
    // The first sample pays for the JIT compile; no rate before the second.
    double rate = progress.samplesPerSecond;
    if (rate > 0)
      errs() << format(", %.1f samples/s, %.1f s left", rate,
                       (total - done) / rate);
    errs() << "   ";
  }
  void finish() {
    if (enabled)
      errs() << "\n";
  }

private:
  bool enabled;
  std::chrono::steady_clock::time_point lastDraw;
};
} // namespace

static int fail(const Twine &message) {
  WithColor::error(errs(), "nibble calibrate") << message << "\n";
  return 1;
}

int nibble::driver::runCalibrateCommand(int argc, char **argv) {
  static CalibrateOptions options;
  parseCommandOptions(argc, argv,
                      "Runs calibration samples through a model and writes "
                      "the observed tensors' ranges as a JSON table.\n",
                      options.category);

  CalibrationOptions calibration;
  if (Error error = parseCalibrationMethod(options.method, calibration))
    return fail(toString(std::move(error)));
  calibration.symmetric = options.symmetric;
  calibration.maxSamples = options.samples;
  calibration.functionName = options.modelInput.functionName;
  calibration.modelName = sys::path::filename(options.model).str();
  if (options.perChannel.getNumOccurrences() > 0) {
    int64_t axis = 1;
    if (!options.perChannel.empty() &&
        StringRef(options.perChannel).getAsInteger(10, axis))
      return fail("--per-channel='" + options.perChannel +
                  "': expected an integer axis");
    calibration.perChannelAxis = axis;
  }

  CalibrationSamples samples;
  bool generated = options.generate.getNumOccurrences() > 0;
  if (generated == !options.data.empty())
    return fail("give either --data or --generate N");
  if (generated && options.generate == 0)
    return fail("--generate needs at least one sample");
  if (!generated && (options.seed.getNumOccurrences() ||
                     !options.inputRanges.empty()))
    return fail("--seed and --input-range apply to --generate only");
  if (!generated) {
    Expected<std::vector<std::string>> expanded =
        expandSampleSources(options.data);
    if (!expanded)
      return fail(toString(expanded.takeError()));
    samples.sources = std::move(*expanded);
  }

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(options.model, options.modelInput, context);
  if (!module)
    return 1;

  if (generated) {
    samples.generate = options.generate;
    samples.inputRanges = options.inputRanges;
    samples.seed = options.seed.getNumOccurrences()
                       ? uint64_t(options.seed)
                       : (uint64_t(std::random_device{}()) << 32) ^
                             std::random_device{}();
    outs() << "generating " << samples.generate << " samples with seed "
           << samples.seed << "\n";
    outs().flush();
  }

  ProgressBar progressBar(!options.quiet &&
                          sys::Process::StandardErrIsDisplayed());
  CalibrationProgress last;
  // Warnings wait for the progress bar to finish its line.
  std::vector<std::string> warnings;
  Expected<CalibrationResult> result = runCalibration(
      *module, samples, calibration,
      [&](const CalibrationProgress &progress) {
        last = progress;
        progressBar.update(progress);
      },
      [&](const Twine &message) { warnings.push_back(message.str()); });
  if (last.done > 0) {
    progressBar.update(last, /*force=*/true);
    progressBar.finish();
  }
  for (const std::string &warning : warnings)
    WithColor::warning(errs(), "nibble calibrate") << warning << "\n";
  if (!result)
    return fail(toString(result.takeError()));

  if (Error error = writeCalibrationTable(
          options.output, json::Value(std::move(result->table))))
    return fail(toString(std::move(error)));
  outs() << format("calibrated %lld samples in %.2f s (first sample, with "
                   "the JIT compile, %.3f s; then %.1f samples/s), "
                   "%zu tensors -> ",
                   (long long)result->samples, result->seconds,
                   result->firstSampleSeconds,
                   (result->samples - 1) /
                       std::max(result->seconds - result->firstSampleSeconds,
                                1e-9),
                   result->numTensors)
         << options.output << "\n";
  return 0;
}
