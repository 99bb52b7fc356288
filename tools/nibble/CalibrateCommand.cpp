//===- CalibrateCommand.cpp - nibble calibrate ----------------------------===//
//
// `nibble calibrate model.onnx --data DIR|FILE... --method M -o table.json`:
// imports the model, runs nb-instrument-observers so that every observed
// tensor is an extra result, compiles through the CPU JIT (once per input
// shape) and streams the calibration samples through it one at a time,
// feeding each observed tensor to a statistics accumulator. The table is
// written whole or not at all (temporary file, then rename); its schema is
// in docs/calibration-table.md.
//
// Samples: every data source (.npz, .npy, .pb, ONNX test data set folder; a
// folder of them stands for its contents in natural name order) holds a
// batch of samples along axis 0 of each array bound to an input; each slice
// of extent 1 along axis 0 is one sample. Sources are read sample by sample
// (nibble/Support/SampleReader.h), so memory does not grow with their size.
// `--generate N` makes N seeded uniform samples instead.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "nibble/Calibration/Histogram.h"
#include "nibble/Calibration/Statistics.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Execution/CPUExecutable.h"
#include "nibble/InitAllNibble.h"
#include "nibble/Support/SampleReader.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
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

enum class Method { MinMax, Percentile, Entropy, MSE };

/// One observed tensor's accumulators, chosen by the method.
struct Observer {
  std::string name;
  MinMaxAccumulator minMax;
  std::unique_ptr<AbsHistogramAccumulator> absHistogram;
  std::unique_ptr<ValueHistogramAccumulator> valueHistogram;
  std::optional<PerChannelMinMaxAccumulator> perChannel;
  /// The per-channel axis made non-negative for this tensor's rank.
  int64_t channelAxis = 0;
  /// Set when the tensor cannot have per-channel ranges (rank too low for
  /// the axis, or a channel count that changed between samples).
  bool perChannelRefused = false;
};

/// Where a source's samples go: the array index in the SampleReader for each
/// model input, and how many samples the source holds.
struct SourceBinding {
  std::vector<unsigned> arrayOfInput;
  int64_t numSamples = 0;
};

/// Draws progress on stderr: a bar, samples done, rate and time left,
/// redrawn at most ten times a second.
class ProgressBar {
public:
  ProgressBar(bool enabled, int64_t total) : enabled(enabled), total(total) {}
  void update(int64_t done, double rate, bool force = false) {
    if (!enabled)
      return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - lastDraw < std::chrono::milliseconds(100))
      return;
    lastDraw = now;
    constexpr int kWidth = 24;
    int filled = total > 0 ? int(kWidth * done / total) : 0;
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    errs() << "\r[" << bar << "] "
           << format("%lld/%lld samples", (long long)done, (long long)total);
    // The first sample pays for the JIT compile; no rate before the second.
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
  int64_t total;
  std::chrono::steady_clock::time_point lastDraw;
};
} // namespace

static int fail(const Twine &message) {
  WithColor::error(errs(), "nibble calibrate") << message << "\n";
  return 1;
}

static bool allFinite(const HostArray &array) {
  auto finite = [](const auto *values, int64_t size) {
    for (int64_t i = 0; i < size; ++i)
      if (!std::isfinite(values[i]))
        return false;
    return true;
  };
  if (array.type == ElementType::Float32)
    return finite(reinterpret_cast<const float *>(array.data.data()),
                  array.getNumElements());
  if (array.type == ElementType::Float64)
    return finite(reinterpret_cast<const double *>(array.data.data()),
                  array.getNumElements());
  return true;
}

/// Binds a source's arrays to the model's inputs by name or position (as
/// `nibble run` does), checking each array's per-sample shape and type.
static Expected<SourceBinding> bindSource(CPUExecutable &executable,
                                          const SampleReader &reader) {
  StringRef path = reader.getPath();
  ArrayRef<HostArray> arrays = reader.getArrays();
  // What one sample of each array looks like.
  std::vector<HostArray> sampleHeaders(arrays.begin(), arrays.end());
  for (HostArray &header : sampleHeaders)
    if (!header.shape.empty())
      header.shape[0] = 1;
  Expected<std::vector<const HostArray *>> bound =
      executable.bindInputs(sampleHeaders);
  if (!bound) {
    // Report the arrays as the file holds them, which is what the user
    // sees, unless the whole batch happens to fit.
    Expected<std::vector<const HostArray *>> whole =
        executable.bindInputs(arrays);
    if (!whole) {
      consumeError(bound.takeError());
      return createStringError("'" + path + "': " + toString(whole.takeError()));
    }
    consumeError(whole.takeError());
    return createStringError("'" + path + "': " + toString(bound.takeError()));
  }
  SourceBinding binding;
  binding.numSamples = -1;
  for (auto [spec, array] : llvm::zip_equal(executable.getInputs(), *bound)) {
    unsigned index = array - sampleHeaders.data();
    const HostArray &header = arrays[index];
    if (header.shape.empty())
      return createStringError("'" + path + "': array for input '" +
                               spec.name +
                               "' is a scalar; samples lie along axis 0");
    if (binding.numSamples >= 0 && header.shape[0] != binding.numSamples)
      return createStringError("'" + path + "': input '" + spec.name +
                               "' has " + Twine(header.shape[0]) +
                               " samples along axis 0, another input " +
                               Twine(binding.numSamples));
    binding.numSamples = header.shape[0];
    binding.arrayOfInput.push_back(index);
  }
  // A source for a model without inputs is one run.
  if (binding.numSamples < 0)
    binding.numSamples = 1;
  return binding;
}

/// The generated-value range of every input: --input-range, else the
/// argument's nb.range, else [0, 1].
static Expected<std::vector<std::pair<double, double>>>
getGeneratedRanges(ArrayRef<TensorSpec> inputs,
                   ArrayRef<std::optional<std::pair<double, double>>> declared,
                   ArrayRef<std::string> options) {
  std::vector<std::pair<double, double>> ranges;
  for (auto [spec, range] : llvm::zip_equal(inputs, declared))
    ranges.push_back(range.value_or(std::make_pair(0.0, 1.0)));
  for (StringRef option : options) {
    auto [name, bounds] = option.rsplit('=');
    auto [loText, hiText] = bounds.split(':');
    double lo, hi;
    if (bounds.empty() || loText.trim().getAsDouble(lo) ||
        hiText.trim().getAsDouble(hi) || !(lo <= hi))
      return createStringError("--input-range '" + option +
                               "': expected name=lo:hi with lo <= hi");
    const TensorSpec *it = llvm::find_if(
        inputs, [&](const TensorSpec &spec) { return spec.name == name; });
    if (it == inputs.end()) {
      SmallVector<std::string> names;
      for (const TensorSpec &spec : inputs)
        names.push_back("'" + spec.name + "'");
      return createStringError("--input-range names '" + name +
                               "', which is not an input of the model (" +
                               join(names, ", ") + ")");
    }
    ranges[it - inputs.begin()] = {lo, hi};
  }
  return ranges;
}

static void observe(Observer &observer, const HostArray &tensor,
                    bool perChannel, int64_t perChannelAxis) {
  const float *values = reinterpret_cast<const float *>(tensor.data.data());
  size_t size = tensor.getNumElements();
  observer.minMax.observe(values, size);
  if (observer.absHistogram)
    observer.absHistogram->observe(values, size);
  if (observer.valueHistogram)
    observer.valueHistogram->observe(values, size);
  if (!perChannel || observer.perChannelRefused)
    return;
  if (!observer.perChannel) {
    int64_t rank = tensor.shape.size();
    observer.channelAxis =
        perChannelAxis < 0 ? perChannelAxis + rank : perChannelAxis;
    observer.perChannel.emplace(observer.channelAxis);
  }
  if (!observer.perChannel->observe(values, tensor.shape))
    observer.perChannelRefused = true;
}

static Error writeTableAtomically(StringRef path, const json::Value &table) {
  SmallString<256> temp;
  int fd;
  if (std::error_code ec =
          sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp))
    return createStringError("cannot create a file next to '" + path +
                             "': " + ec.message());
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << formatv("{0:2}", table) << "\n";
    os.flush();
    if (os.has_error()) {
      os.clear_error();
      sys::fs::remove(temp);
      return createStringError("cannot write '" + path + "'");
    }
  }
  if (std::error_code ec = sys::fs::rename(temp, path)) {
    sys::fs::remove(temp);
    return createStringError("cannot write '" + path + "': " + ec.message());
  }
  return Error::success();
}

int nibble::driver::runCalibrateCommand(int argc, char **argv) {
  static CalibrateOptions options;
  parseCommandOptions(argc, argv,
                      "Runs calibration samples through a model and writes "
                      "the observed tensors' ranges as a JSON table.\n",
                      options.category);

  Method method;
  double percentile = 0;
  StringRef methodText = options.method;
  if (methodText == "minmax") {
    method = Method::MinMax;
  } else if (methodText == "entropy") {
    method = Method::Entropy;
  } else if (methodText == "mse") {
    method = Method::MSE;
  } else if (methodText.consume_front("percentile=") &&
             !methodText.getAsDouble(percentile) && percentile > 0 &&
             percentile <= 100) {
    method = Method::Percentile;
  } else {
    return fail("unknown --method '" + options.method +
                "' (minmax, percentile=P with 0 < P <= 100, entropy, mse)");
  }
  bool perChannel = options.perChannel.getNumOccurrences() > 0;
  int64_t perChannelAxis = 1;
  if (perChannel && !options.perChannel.empty() &&
      StringRef(options.perChannel).getAsInteger(10, perChannelAxis))
    return fail("--per-channel='" + options.perChannel +
                "': expected an integer axis");

  bool generated = options.generate.getNumOccurrences() > 0;
  if (generated == !options.data.empty())
    return fail("give either --data or --generate N");
  if (generated && options.generate == 0)
    return fail("--generate needs at least one sample");
  if (!generated && (options.seed.getNumOccurrences() ||
                     !options.inputRanges.empty()))
    return fail("--seed and --input-range apply to --generate only");
  std::vector<std::string> sources;
  if (!generated) {
    Expected<std::vector<std::string>> expanded =
        expandSampleSources(options.data);
    if (!expanded)
      return fail(toString(expanded.takeError()));
    sources = std::move(*expanded);
  }

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(options.model, options.modelInput, context);
  if (!module)
    return 1;
  auto func =
      module->lookupSymbol<mlir::func::FuncOp>(options.modelInput.functionName);
  if (!func)
    return fail("the model has no function '" +
                options.modelInput.functionName + "'");
  // Declared input ranges (nb.range, from an imported table or the user)
  // bound generated samples.
  std::vector<std::optional<std::pair<double, double>>> declaredRanges;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    auto range = func.getArgAttrOfType<mlir::DenseF64ArrayAttr>(i, "nb.range");
    if (range && range.size() == 2)
      declaredRanges.emplace_back(std::make_pair(range[0], range[1]));
    else
      declaredRanges.emplace_back();
  }
  mlir::PassManager pm(&context);
  pm.addPass(mlir::nb::createInstrumentObservers());
  if (mlir::failed(pm.run(*module)))
    return 1;
  func =
      module->lookupSymbol<mlir::func::FuncOp>(options.modelInput.functionName);

  // Argument index -> observer for the tagged inputs, result index ->
  // observer for the results nb-instrument-observers added.
  std::vector<std::pair<unsigned, Observer>> inputObservers, observers;
  auto makeObserver = [&](mlir::StringAttr name) {
    Observer observer;
    observer.name = name.str();
    if (method == Method::Percentile && options.symmetric)
      observer.absHistogram = std::make_unique<AbsHistogramAccumulator>();
    else if (method != Method::MinMax)
      observer.valueHistogram = std::make_unique<ValueHistogramAccumulator>();
    return observer;
  };
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (auto name = func.getArgAttrOfType<mlir::StringAttr>(i, "nb.observed"))
      inputObservers.emplace_back(i, makeObserver(name));
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i) {
    auto name = func.getResultAttrOfType<mlir::StringAttr>(i, "nb.observed");
    if (name)
      observers.emplace_back(i, makeObserver(name));
  }

  // The tags have been read; LLVM translation would warn about them.
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    func.removeArgAttr(i, "nb.observed");
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    func.removeResultAttr(i, mlir::StringAttr::get(&context, "nb.observed"));

  CPUExecutionOptions executionOptions;
  executionOptions.functionName = options.modelInput.functionName;
  Expected<std::unique_ptr<CPUExecutable>> executableOrError =
      CPUExecutable::create(*module, executionOptions);
  if (!executableOrError)
    return fail(toString(executableOrError.takeError()));
  CPUExecutable &executable = **executableOrError;
  ArrayRef<TensorSpec> inputs = executable.getInputs();

  // Every source is opened and bound before anything runs, so a bad file
  // fails at once, and the total is known for the progress bar. Readers
  // hold headers only (TensorProtos aside) and are closed again.
  int64_t total = 0;
  std::vector<SourceBinding> bindings;
  for (const std::string &source : sources) {
    Expected<std::unique_ptr<SampleReader>> reader = SampleReader::open(source);
    if (!reader)
      return fail(toString(reader.takeError()));
    Expected<SourceBinding> binding = bindSource(executable, **reader);
    if (!binding)
      return fail(toString(binding.takeError()));
    total += binding->numSamples;
    bindings.push_back(std::move(*binding));
  }

  std::vector<std::pair<double, double>> generatedRanges;
  std::optional<RandomArrayGenerator> generator;
  if (generated) {
    Expected<std::vector<std::pair<double, double>>> ranges =
        getGeneratedRanges(inputs, declaredRanges, options.inputRanges);
    if (!ranges)
      return fail(toString(ranges.takeError()));
    generatedRanges = std::move(*ranges);
    for (const TensorSpec &spec : inputs)
      if (!spec.ranked)
        return fail("input '" + spec.name +
                    "' is unranked; --generate needs a shape");
    uint64_t seed = options.seed.getNumOccurrences()
                        ? uint64_t(options.seed)
                        : (uint64_t(std::random_device{}()) << 32) ^
                              std::random_device{}();
    generator.emplace(seed);
    total = options.generate;
    outs() << "generating " << total << " samples with seed " << seed << "\n";
  }
  if (options.samples)
    total = std::min<int64_t>(total, options.samples);

  ProgressBar progress(!options.quiet && sys::Process::StandardErrIsDisplayed(),
                       total);
  auto start = std::chrono::steady_clock::now();
  auto elapsedSeconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  int64_t used = 0, skipped = 0, visited = 0;
  double firstSeconds = 0;
  // One sample's inputs, reused from sample to sample.
  std::vector<HostArray> sample(inputs.size());
  std::vector<const HostArray *> sampleInputs;
  for (HostArray &array : sample)
    sampleInputs.push_back(&array);

  auto runSample = [&](StringRef where) -> Error {
    ++visited;
    if (!llvm::all_of(sample, allFinite)) {
      ++skipped;
      return Error::success();
    }
    Expected<std::vector<HostArray>> outputs = executable.run(sampleInputs);
    if (!outputs)
      return createStringError(where + ": " + toString(outputs.takeError()));
    auto feed = [&](Observer &observer, const HostArray &tensor) -> Error {
      if (tensor.type != ElementType::Float32)
        return createStringError("observed tensor '" + observer.name +
                                 "' is " + tensor.describe() +
                                 "; only float32 tensors are calibrated");
      observe(observer, tensor, perChannel, perChannelAxis);
      return Error::success();
    };
    for (auto &[index, observer] : inputObservers)
      if (Error error = feed(observer, sample[index]))
        return error;
    for (auto &[index, observer] : observers)
      if (Error error = feed(observer, (*outputs)[index]))
        return error;
    // The first sample pays for the JIT compile; rates count the rest.
    if (++used == 1)
      firstSeconds = elapsedSeconds();
    return Error::success();
  };
  auto rate = [&] {
    return used > 1
               ? (used - 1) / std::max(elapsedSeconds() - firstSeconds, 1e-9)
               : 0.0;
  };

  if (generated) {
    for (auto [array, spec] : llvm::zip_equal(sample, inputs)) {
      std::vector<int64_t> shape = spec.shape;
      // Dynamic extents (a batch dimension, typically) are 1.
      for (int64_t &extent : shape)
        extent = std::max<int64_t>(extent, 1);
      array = HostArray(spec.name, spec.type, shape);
    }
    for (int64_t s = 0; s < total; ++s) {
      for (auto [array, range] : llvm::zip_equal(sample, generatedRanges))
        if (Error error = generator->fill(array, range.first, range.second))
          return fail(toString(std::move(error)));
      if (Error error = runSample("generated sample " + std::to_string(s)))
        return fail(toString(std::move(error)));
      progress.update(visited, rate());
    }
  }
  for (auto [source, binding] : llvm::zip_equal(sources, bindings)) {
    if (visited >= total)
      break;
    Expected<std::unique_ptr<SampleReader>> reader = SampleReader::open(source);
    if (!reader)
      return fail(toString(reader.takeError()));
    for (int64_t s = 0; s < binding.numSamples && visited < total; ++s) {
      for (auto [array, index] : llvm::zip_equal(sample, binding.arrayOfInput))
        if (Error error = (*reader)->readNextSample(index, array))
          return fail(toString(std::move(error)));
      if (Error error = runSample("'" + source + "' sample " + Twine(s).str()))
        return fail(toString(std::move(error)));
      progress.update(visited, rate());
    }
  }
  progress.update(visited, rate(), /*force=*/true);
  progress.finish();
  double seconds = elapsedSeconds();
  if (skipped)
    WithColor::warning(errs(), "nibble calibrate")
        << "skipped " << skipped << " sample(s) containing NaN or Inf inputs\n";
  if (used == 0)
    return fail("no samples to calibrate with");

  json::Object tensors;
  SmallVector<std::string> withoutPerChannel;
  for (auto &entry : observers)
    inputObservers.push_back(std::move(entry));
  for (auto &[index, observer] : inputObservers) {
    if (observer.minMax.empty())
      continue;
    Range range = observer.minMax.range();
    switch (method) {
    case Method::MinMax:
      break;
    case Method::Percentile:
      range = percentileRange(observer.absHistogram
                                  ? observer.absHistogram->histogram()
                                  : observer.valueHistogram->histogram(),
                              percentile, options.symmetric);
      break;
    case Method::Entropy:
      range = entropyRange(observer.valueHistogram->histogram());
      break;
    case Method::MSE:
      range = mseRange(observer.valueHistogram->histogram());
      break;
    }
    if (options.symmetric)
      range = makeSymmetric(range);
    json::Object entry{{"min", double(range.min)}, {"max", double(range.max)}};
    if (perChannel && (observer.perChannelRefused || !observer.perChannel)) {
      withoutPerChannel.push_back(observer.name);
    } else if (perChannel) {
      json::Array mins, maxs;
      for (Range channel : observer.perChannel->ranges()) {
        if (options.symmetric)
          channel = makeSymmetric(channel);
        mins.push_back(double(channel.min));
        maxs.push_back(double(channel.max));
      }
      entry["per_channel"] = json::Object{{"axis", observer.channelAxis},
                                          {"min", std::move(mins)},
                                          {"max", std::move(maxs)}};
    }
    tensors[observer.name] = std::move(entry);
  }
  if (!withoutPerChannel.empty())
    WithColor::warning(errs(), "nibble calibrate")
        << "no per-channel ranges along axis " << perChannelAxis << " for "
        << withoutPerChannel.size()
        << " tensor(s) (rank too low, or the channel count changed between "
           "samples): "
        << join(withoutPerChannel, ", ") << "\n";
  json::Object tableObject{{"version", 1},
                           {"model", sys::path::filename(options.model).str()},
                           {"method", options.method},
                           {"symmetric", bool(options.symmetric)},
                           {"samples", used},
                           {"tensors", std::move(tensors)}};
  if (Error error = writeTableAtomically(options.output,
                                         json::Value(std::move(tableObject))))
    return fail(toString(std::move(error)));
  outs() << format("calibrated %lld samples in %.2f s (first sample, with "
                   "the JIT compile, %.3f s; then %.1f samples/s), "
                   "%zu tensors -> ",
                   (long long)used, seconds, firstSeconds,
                   (used - 1) / std::max(seconds - firstSeconds, 1e-9),
                   inputObservers.size())
         << options.output << "\n";
  return 0;
}
