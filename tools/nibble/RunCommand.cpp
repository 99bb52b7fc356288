//===- RunCommand.cpp - nibble run ----------------------------------------===//
//
// `nibble run model.onnx --inputs in.npz [--outputs out.npz]
// [--requantize=float|fixed-point]`: imports the
// model, compiles it with nibble-cpu-codegen for the chosen CPU, runs it in
// process and writes the outputs. Output files are written whole or not at
// all (temporary file, then rename), and only after a successful run.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "nibble/Execution/CPUExecutable.h"
#include "nibble/InitAllNibble.h"
#include "nibble/Pipelines/CPUTarget.h"
#include "nibble/Support/ArrayIO.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <chrono>

using namespace llvm;
using namespace nibble::driver;

namespace {
struct RunOptions {
  cl::OptionCategory category{"run options"};
  cl::list<std::string> files{
      cl::Positional, cl::OneOrMore,
      cl::desc("<model.onnx | model.mlir> [input files...]"),
      cl::cat(category)};
  cl::list<std::string> inputs{
      "inputs",
      cl::desc("Inputs: .npz (by key), .npy, ONNX TensorProto .pb files or "
               "an ONNX test data set folder (input_<i>.pb); matched to the "
               "model's inputs by name, else by position"),
      cl::value_desc("path"), cl::CommaSeparated, cl::cat(category)};
  cl::opt<std::string> outputs{
      "outputs", cl::desc("Write the outputs here (.npz, or .npy for one "
                          "output)"),
      cl::value_desc("file"), cl::init(""), cl::cat(category)};
  cl::opt<std::string> target{
      "target",
      cl::desc("CPU to compile for: x86-64-v3 (AVX2), x86-64-v4 (AVX-512), "
               "native, generic"),
      cl::init("native"), cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimization level (0-3)"),
                             cl::init(2), cl::Prefix, cl::cat(category)};
  cl::opt<std::string> requantize{
      "requantize",
      cl::desc("Requantization of quantized conv/matmul/gemm: float (float "
               "scale, as ONNX's QLinear ops) or fixed-point (int32 "
               "multiplier and shift)"),
      cl::value_desc("float|fixed-point"), cl::init("float"),
      cl::cat(category)};
  cl::opt<bool> print{"print", cl::desc("Print the output values"),
                      cl::init(false), cl::cat(category)};
  ModelInputOptions modelInput{category};
};

class Stopwatch {
public:
  double elapsedMs() const {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - start)
        .count();
  }

private:
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
};
} // namespace

static int fail(const Twine &message) {
  WithColor::error(errs(), "nibble run") << message << "\n";
  return 1;
}

/// Up to `limit` values of `array` in C order, numpy style.
static void printValues(const nibble::HostArray &array, raw_ostream &os,
                        int64_t limit = 64) {
  int64_t count = array.getNumElements();
  os << "[";
  for (int64_t i = 0; i < std::min(count, limit); ++i) {
    if (i)
      os << ", ";
    double value = array.getAsDouble(i);
    if (nibble::isFloatingPoint(array.type))
      os << format("%.6g", value);
    else
      os << static_cast<int64_t>(value);
  }
  if (count > limit)
    os << ", ... (" << count << " values)";
  os << "]\n";
}

static void printSummary(const nibble::HostArray &array, raw_ostream &os) {
  os << "  output '" << array.name << "': " << array.describe();
  int64_t count = array.getNumElements();
  if (count == 0) {
    os << "\n";
    return;
  }
  double low = array.getAsDouble(0), high = low, sum = 0;
  for (int64_t i = 0; i < count; ++i) {
    double value = array.getAsDouble(i);
    low = std::min(low, value);
    high = std::max(high, value);
    sum += value;
  }
  os << format("  min %.6g  max %.6g  mean %.6g\n", low, high, sum / count);
}

static Error writeOutputs(StringRef path,
                          ArrayRef<nibble::HostArray> outputs) {
  if (sys::path::extension(path).equals_insensitive(".npy")) {
    if (outputs.size() != 1)
      return createStringError("the model has " + Twine(outputs.size()) +
                               " outputs; write them to a .npz file");
    return nibble::writeNpy(path, outputs.front());
  }
  return nibble::writeNpz(path, outputs);
}

int nibble::driver::runRunCommand(int argc, char **argv) {
  static RunOptions options;
  parseCommandOptions(argc, argv,
                      "Compiles a model for the CPU and runs it on the given "
                      "inputs.\n",
                      options.category);

  std::string modelPath = options.files.front();
  std::vector<std::string> inputPaths(options.files.begin() + 1,
                                      options.files.end());
  llvm::append_range(inputPaths, options.inputs);
  if (options.optLevel > 3)
    return fail("-O" + Twine(options.optLevel) + " is not in 0..3");
  if (Expected<CPUTarget> target = resolveCPUTarget(options.target); !target)
    return fail(toString(target.takeError()));
  if (options.requantize != "float" && options.requantize != "fixed-point")
    return fail("--requantize=" + options.requantize +
                ": expected float or fixed-point");

  // Inputs first: a typo in a path should not wait for a compile.
  Expected<std::vector<HostArray>> arrays = readArrays(inputPaths);
  if (!arrays)
    return fail(toString(arrays.takeError()));

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);

  Stopwatch importClock;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(modelPath, options.modelInput, context);
  if (!module)
    return 1;
  double importMs = importClock.elapsedMs();

  CPUExecutionOptions executionOptions;
  executionOptions.functionName = options.modelInput.functionName;
  executionOptions.target = options.target;
  executionOptions.optLevel = options.optLevel;
  executionOptions.requantize = options.requantize;
  Expected<std::unique_ptr<CPUExecutable>> executable =
      CPUExecutable::create(*module, executionOptions);
  if (!executable)
    return fail(toString(executable.takeError()));
  std::vector<std::string> unusedArrays;
  Expected<std::vector<const HostArray *>> bound =
      (*executable)->bindInputs(*arrays, &unusedArrays);
  if (!bound)
    return fail(toString(bound.takeError()));
  for (const std::string &name : unusedArrays)
    llvm::errs() << "nibble run: note: ignoring array '" << name
                 << "': the model has no input of that name\n";

  Stopwatch compileClock;
  if (Error error = (*executable)->compile(*bound))
    return fail(toString(std::move(error)));
  double compileMs = compileClock.elapsedMs();

  Stopwatch runClock;
  Expected<std::vector<HostArray>> outputs = (*executable)->run(*bound);
  if (!outputs)
    return fail(toString(outputs.takeError()));
  double runMs = runClock.elapsedMs();

  if (!options.outputs.empty())
    if (Error error = writeOutputs(options.outputs, *outputs))
      return fail("cannot write '" + options.outputs +
                  "': " + toString(std::move(error)));

  raw_ostream &os = outs();
  os << "model: " << modelPath << " (target " << options.target << ", -O"
     << options.optLevel << ")\n";
  for (auto [spec, array] : llvm::zip_equal((*executable)->getInputs(), *bound))
    os << "  input '" << spec.name << "': " << array->describe() << "\n";
  for (const HostArray &output : *outputs) {
    printSummary(output, os);
    if (options.print) {
      os << "    ";
      printValues(output, os);
    }
  }
  os << format("time: import %.1f ms, compile %.1f ms, run %.3f ms\n",
               importMs, compileMs, runMs);
  if (!options.outputs.empty())
    os << "outputs written to " << options.outputs << "\n";
  return 0;
}
