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
// Samples: every data file (.npz, .npy, .pb; a folder stands for the files
// in it, in name order) holds a batch of samples along axis 0 of each
// array bound to an input; each slice of extent 1 along axis 0 is one sample.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "nibble/Calibration/Histogram.h"
#include "nibble/Calibration/Statistics.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Execution/CPUExecutable.h"
#include "nibble/InitAllNibble.h"
#include "nibble/Support/ArrayIO.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>

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
      cl::desc("Calibration data: .npz/.npy/.pb files or folders of them; "
               "each array is a batch of samples along axis 0"),
      cl::value_desc("path"),
      cl::OneOrMore,
      cl::CommaSeparated,
      cl::cat(category)};
  cl::opt<std::string> method{
      "method",
      cl::desc("minmax, percentile=P (e.g. percentile=99.99), entropy, mse"),
      cl::init("minmax"), cl::cat(category)};
  cl::opt<bool> symmetric{"symmetric", cl::desc("Symmetric ranges [-m, m]"),
                          cl::init(false), cl::cat(category)};
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

/// One observed tensor's accumulator, chosen by the method.
struct Observer {
  std::string name;
  MinMaxAccumulator minMax;
  std::unique_ptr<AbsHistogramAccumulator> absHistogram;
  std::unique_ptr<ValueHistogramAccumulator> valueHistogram;
};
} // namespace

static int fail(const Twine &message) {
  WithColor::error(errs(), "nibble calibrate") << message << "\n";
  return 1;
}

/// The data files: files as given, folders expanded to their .npz, .npy and
/// .pb files in name order.
static Expected<std::vector<std::string>>
expandDataPaths(ArrayRef<std::string> paths) {
  std::vector<std::string> files;
  for (const std::string &path : paths) {
    if (!sys::fs::is_directory(path)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> inDir;
    std::error_code ec;
    for (sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec)) {
      StringRef ext = sys::path::extension(it->path());
      if (ext == ".npz" || ext == ".npy" || ext == ".pb")
        inDir.push_back(it->path());
    }
    if (ec)
      return createStringError("cannot read folder '" + path +
                               "': " + ec.message());
    if (inDir.empty())
      return createStringError("data folder '" + path +
                               "' has no .npz, .npy or .pb files");
    llvm::sort(inDir);
    llvm::append_range(files, inDir);
  }
  return files;
}

/// Slice `index` of `array` along axis 0, keeping the axis (extent 1).
static HostArray sliceSample(const HostArray &array, int64_t index) {
  std::vector<int64_t> shape = array.shape;
  shape[0] = 1;
  HostArray slice(array.name, array.type, shape);
  size_t bytes = slice.getNumBytes();
  std::memcpy(slice.data.data(), array.data.data() + index * bytes, bytes);
  return slice;
}

static bool allFinite(const HostArray &array) {
  if (array.type != ElementType::Float32)
    return true;
  const float *values = reinterpret_cast<const float *>(array.data.data());
  for (int64_t i = 0, e = array.getNumElements(); i < e; ++i)
    if (!std::isfinite(values[i]))
      return false;
  return true;
}

static Error observe(Observer &observer, const HostArray &tensor) {
  if (tensor.type != ElementType::Float32)
    return createStringError("observed tensor '" + observer.name + "' is " +
                             tensor.describe() +
                             "; only float32 tensors are calibrated");
  const float *values = reinterpret_cast<const float *>(tensor.data.data());
  size_t size = tensor.getNumElements();
  observer.minMax.observe(values, size);
  if (observer.absHistogram)
    observer.absHistogram->observe(values, size);
  if (observer.valueHistogram)
    observer.valueHistogram->observe(values, size);
  return Error::success();
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

  Expected<std::vector<std::string>> dataFiles = expandDataPaths(options.data);
  if (!dataFiles)
    return fail(toString(dataFiles.takeError()));

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(options.model, options.modelInput, context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  pm.addPass(mlir::nb::createInstrumentObservers());
  if (mlir::failed(pm.run(*module)))
    return 1;
  auto func =
      module->lookupSymbol<mlir::func::FuncOp>(options.modelInput.functionName);
  if (!func)
    return fail("the model has no function '" +
                options.modelInput.functionName + "'");

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
  Expected<std::unique_ptr<CPUExecutable>> executable =
      CPUExecutable::create(*module, executionOptions);
  if (!executable)
    return fail(toString(executable.takeError()));

  bool showProgress = !options.quiet && sys::Process::StandardErrIsDisplayed();
  auto start = std::chrono::steady_clock::now();
  auto elapsedSeconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  int64_t used = 0, skipped = 0;
  double firstSeconds = 0;
  unsigned limit = options.samples;
  for (const std::string &file : *dataFiles) {
    if (limit && used >= limit)
      break;
    Expected<std::vector<HostArray>> arrays = readArrays({file});
    if (!arrays)
      return fail(toString(arrays.takeError()));
    Expected<std::vector<const HostArray *>> bound =
        (*executable)->bindInputs(*arrays);
    if (!bound)
      return fail("'" + file + "': " + toString(bound.takeError()));
    int64_t batch = -1;
    for (auto [spec, array] :
         llvm::zip_equal((*executable)->getInputs(), *bound)) {
      if (array->shape.empty())
        return fail("'" + file + "': array for input '" + spec.name +
                    "' is a scalar; samples lie along axis 0");
      if (batch >= 0 && array->shape[0] != batch)
        return fail("'" + file + "': input '" + spec.name + "' has " +
                    Twine(array->shape[0]) +
                    " samples along axis 0, another "
                    "input " +
                    Twine(batch));
      batch = array->shape[0];
    }
    // A file per model without inputs is one run.
    if (batch < 0)
      batch = 1;
    int64_t totalHint = limit ? limit : -1;
    for (int64_t s = 0; s < batch && !(limit && used >= limit); ++s) {
      std::vector<HostArray> sample;
      sample.reserve(bound->size());
      for (const HostArray *array : *bound)
        sample.push_back(sliceSample(*array, s));
      if (!llvm::all_of(sample, allFinite)) {
        ++skipped;
        continue;
      }
      std::vector<const HostArray *> inputs;
      for (const HostArray &array : sample)
        inputs.push_back(&array);
      Expected<std::vector<HostArray>> outputs = (*executable)->run(inputs);
      if (!outputs)
        return fail("'" + file + "' sample " + Twine(s) + ": " +
                    toString(outputs.takeError()));
      for (auto &[index, observer] : inputObservers)
        if (Error error = observe(observer, sample[index]))
          return fail(toString(std::move(error)));
      for (auto &[index, observer] : observers)
        if (Error error = observe(observer, (*outputs)[index]))
          return fail(toString(std::move(error)));
      // The first sample pays for the JIT compile; rates count the rest.
      if (++used == 1)
        firstSeconds = elapsedSeconds();
      if (showProgress) {
        double rate =
            (used - 1) / std::max(elapsedSeconds() - firstSeconds, 1e-9);
        errs() << format("\r%lld samples, %.1f samples/s", (long long)used,
                         rate);
        if (totalHint > 0)
          errs() << format(", %.0f s left",
                           (totalHint - used) / std::max(rate, 1e-9));
        errs() << "   ";
      }
    }
  }
  double seconds = elapsedSeconds();
  if (showProgress)
    errs() << "\n";
  if (skipped)
    WithColor::warning(errs(), "nibble calibrate")
        << "skipped " << skipped << " sample(s) containing NaN or Inf inputs\n";
  if (used == 0)
    return fail("no samples to calibrate with");

  json::Object tensors;
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
    tensors[observer.name] =
        json::Object{{"min", double(range.min)}, {"max", double(range.max)}};
  }
  json::Value table =
      json::Object{{"version", 1},
                   {"model", sys::path::filename(options.model).str()},
                   {"method", options.method},
                   {"symmetric", bool(options.symmetric)},
                   {"samples", used},
                   {"tensors", std::move(tensors)}};
  if (Error error = writeTableAtomically(options.output, table))
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
