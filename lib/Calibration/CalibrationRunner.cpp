//===- CalibrationRunner.cpp - Calibrate a module on samples --------------===//
//
// See CalibrationRunner.h. Samples: every data source (.npz, .npy, .pb, ONNX
// test data set folder) holds a batch of samples along axis 0 of each array
// bound to an input; each slice of extent 1 along axis 0 is one sample.
// Sources are read sample by sample (nibble/Support/SampleReader.h), so
// memory does not grow with their size.
//
//===----------------------------------------------------------------------===//
#include "nibble/Calibration/CalibrationRunner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "nibble/Calibration/Histogram.h"
#include "nibble/Calibration/Statistics.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Execution/CPUExecutable.h"
#include "nibble/Support/SampleReader.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <memory>

using namespace llvm;
using namespace nibble;
using namespace nibble::calibration;

namespace {
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
} // namespace

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

Error nibble::calibration::parseCalibrationMethod(StringRef text,
                                                  CalibrationOptions &options) {
  StringRef rest = text;
  double percentile = 0;
  if (text == "minmax") {
    options.method = CalibrationMethod::MinMax;
  } else if (text == "entropy") {
    options.method = CalibrationMethod::Entropy;
  } else if (text == "mse") {
    options.method = CalibrationMethod::MSE;
  } else if (rest.consume_front("percentile=") &&
             !rest.getAsDouble(percentile) && percentile > 0 &&
             percentile <= 100) {
    options.method = CalibrationMethod::Percentile;
    options.percentile = percentile;
  } else {
    return createStringError("unknown --method '" + text +
                             "' (minmax, percentile=P with 0 < P <= 100, "
                             "entropy, mse)");
  }
  options.methodName = text.str();
  return Error::success();
}

/// The range of one observed tensor by the chosen method.
static Range computeRange(const Observer &observer,
                          const CalibrationOptions &options) {
  Range range = observer.minMax.range();
  switch (options.method) {
  case CalibrationMethod::MinMax:
    break;
  case CalibrationMethod::Percentile:
    range = percentileRange(observer.absHistogram
                                ? observer.absHistogram->histogram()
                                : observer.valueHistogram->histogram(),
                            options.percentile, options.symmetric);
    break;
  case CalibrationMethod::Entropy:
    range = entropyRange(observer.valueHistogram->histogram());
    break;
  case CalibrationMethod::MSE:
    range = mseRange(observer.valueHistogram->histogram());
    break;
  }
  return options.symmetric ? makeSymmetric(range) : range;
}

Expected<CalibrationResult> nibble::calibration::runCalibration(
    mlir::ModuleOp original, const CalibrationSamples &samples,
    const CalibrationOptions &options,
    function_ref<void(const CalibrationProgress &)> progress,
    function_ref<void(const Twine &)> warn) {
  bool generated = samples.generate > 0;
  bool perChannel = options.perChannelAxis.has_value();
  int64_t perChannelAxis = options.perChannelAxis.value_or(1);
  mlir::OwningOpRef<mlir::ModuleOp> module(original.clone());
  auto func = module->lookupSymbol<mlir::func::FuncOp>(options.functionName);
  if (!func)
    return createStringError("the model has no function '" +
                             options.functionName + "'");
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
  mlir::PassManager pm(module->getContext());
  pm.addPass(mlir::nb::createInstrumentObservers());
  if (mlir::failed(pm.run(*module)))
    return createStringError("cannot instrument the model with observers");
  func = module->lookupSymbol<mlir::func::FuncOp>(options.functionName);

  // Argument index -> observer for the tagged inputs, result index ->
  // observer for the results nb-instrument-observers added.
  std::vector<std::pair<unsigned, Observer>> inputObservers, observers;
  auto makeObserver = [&](mlir::StringAttr name) {
    Observer observer;
    observer.name = name.str();
    if (options.method == CalibrationMethod::Percentile && options.symmetric)
      observer.absHistogram = std::make_unique<AbsHistogramAccumulator>();
    else if (options.method != CalibrationMethod::MinMax)
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
  mlir::StringAttr observedName =
      mlir::StringAttr::get(module->getContext(), "nb.observed");
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    func.removeArgAttr(i, observedName);
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    func.removeResultAttr(i, observedName);

  CPUExecutionOptions executionOptions;
  executionOptions.functionName = options.functionName;
  Expected<std::unique_ptr<CPUExecutable>> executableOrError =
      CPUExecutable::create(*module, executionOptions);
  if (!executableOrError)
    return executableOrError.takeError();
  CPUExecutable &executable = **executableOrError;
  ArrayRef<TensorSpec> inputs = executable.getInputs();

  // Every source is opened and bound before anything runs, so a bad file
  // fails at once, and the total is known for progress. Readers hold
  // headers only (TensorProtos aside) and are closed again.
  int64_t total = 0;
  std::vector<SourceBinding> bindings;
  if (!generated) {
    for (const std::string &source : samples.sources) {
      Expected<std::unique_ptr<SampleReader>> reader =
          SampleReader::open(source);
      if (!reader)
        return reader.takeError();
      Expected<SourceBinding> binding = bindSource(executable, **reader);
      if (!binding)
        return binding.takeError();
      total += binding->numSamples;
      bindings.push_back(std::move(*binding));
    }
  }

  std::vector<std::pair<double, double>> generatedRanges;
  std::optional<RandomArrayGenerator> generator;
  if (generated) {
    Expected<std::vector<std::pair<double, double>>> ranges =
        getGeneratedRanges(inputs, declaredRanges, samples.inputRanges);
    if (!ranges)
      return ranges.takeError();
    generatedRanges = std::move(*ranges);
    for (const TensorSpec &spec : inputs)
      if (!spec.ranked)
        return createStringError("input '" + spec.name +
                                 "' is unranked; --generate needs a shape");
    generator.emplace(samples.seed);
    total = samples.generate;
  }
  if (options.maxSamples > 0)
    total = std::min<int64_t>(total, options.maxSamples);

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

  auto runSample = [&](const Twine &where) -> Error {
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
  auto report = [&] {
    if (!progress)
      return;
    double rate =
        used > 1 ? (used - 1) / std::max(elapsedSeconds() - firstSeconds, 1e-9)
                 : 0.0;
    progress(CalibrationProgress{visited, total, rate});
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
          return std::move(error);
      if (Error error = runSample("generated sample " + Twine(s)))
        return std::move(error);
      report();
    }
  }
  for (auto [source, binding] : llvm::zip(samples.sources, bindings)) {
    if (visited >= total)
      break;
    Expected<std::unique_ptr<SampleReader>> reader = SampleReader::open(source);
    if (!reader)
      return reader.takeError();
    for (int64_t s = 0; s < binding.numSamples && visited < total; ++s) {
      for (auto [array, index] : llvm::zip_equal(sample, binding.arrayOfInput))
        if (Error error = (*reader)->readNextSample(index, array))
          return std::move(error);
      if (Error error = runSample("'" + source + "' sample " + Twine(s)))
        return std::move(error);
      report();
    }
  }
  double seconds = elapsedSeconds();
  if (skipped && warn)
    warn("skipped " + Twine(skipped) +
         " sample(s) containing NaN or Inf inputs");
  if (used == 0)
    return createStringError("no samples to calibrate with");

  json::Object tensors;
  SmallVector<std::string> withoutPerChannel;
  for (auto &entry : observers)
    inputObservers.push_back(std::move(entry));
  for (auto &[index, observer] : inputObservers) {
    if (observer.minMax.empty())
      continue;
    Range range = computeRange(observer, options);
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
  if (!withoutPerChannel.empty() && warn)
    warn("no per-channel ranges along axis " + Twine(perChannelAxis) +
         " for " + Twine(withoutPerChannel.size()) +
         " tensor(s) (rank too low, or the channel count changed between "
         "samples): " +
         join(withoutPerChannel, ", "));

  CalibrationResult result;
  result.samples = used;
  result.skipped = skipped;
  result.numTensors = inputObservers.size();
  result.seconds = seconds;
  result.firstSampleSeconds = firstSeconds;
  result.table = json::Object{{"version", 1},
                              {"model", options.modelName},
                              {"method", options.methodName},
                              {"symmetric", options.symmetric},
                              {"samples", used},
                              {"tensors", std::move(tensors)}};
  return std::move(result);
}

Error nibble::calibration::writeCalibrationTable(StringRef path,
                                                 const json::Value &table) {
  // writeToOutput writes a temporary file beside `path` and renames it, so
  // readers never see half a table and a failed write leaves nothing.
  return writeToOutput(path, [&](raw_ostream &os) -> Error {
    os << formatv("{0:2}", table) << "\n";
    return Error::success();
  });
}
