//===- CompileCommand.cpp - nibble compile --------------------------------===//
//
// `nibble compile model.onnx --target cpu [--cpu x86-64-v3] [--input-shape
// name=1x1x8x8 ...] [--requantize=float|fixed-point] -o out/`: compiles a model ahead of time into a directory
// the Nibble runtime loads (model.so, weights.bin, model.h; see
// docs/runtime.md). The directory is written whole or not at all.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "nibble/InitAllNibble.h"
#include "nibble/Pipelines/CPUTarget.h"
#include "nibble/Target/CPU/CPUCompiler.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using namespace nibble::driver;

namespace {
struct CompileOptions {
  cl::OptionCategory category{"compile options"};
  cl::opt<std::string> model{cl::Positional, cl::Required,
                             cl::desc("<model.onnx | model.mlir>"),
                             cl::cat(category)};
  cl::opt<std::string> output{"o", cl::Required,
                              cl::desc("Directory to write the compiled "
                                       "model to (replaced if it holds one)"),
                              cl::value_desc("dir"), cl::cat(category)};
  cl::opt<std::string> target{"target",
                              cl::desc("What to compile for: cpu"),
                              cl::init("cpu"), cl::cat(category)};
  cl::opt<std::string> cpu{
      "cpu",
      cl::desc("CPU to compile for: x86-64-v3 (AVX2), x86-64-v4 (AVX-512), "
               "native (this machine), generic"),
      cl::init("native"), cl::cat(category)};
  cl::list<std::string> inputShapes{
      "input-shape",
      cl::desc("Static shape for an input with dynamic dimensions, "
               "name=1x1x8x8 (repeatable)"),
      cl::value_desc("name=shape"), cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimization level (0-3)"),
                             cl::init(2), cl::Prefix, cl::cat(category)};
  cl::opt<std::string> requantize{
      "requantize",
      cl::desc("Requantization of quantized conv/matmul/gemm: float (float "
               "scale, as ONNX's QLinear ops) or fixed-point (int32 "
               "multiplier and shift)"),
      cl::value_desc("float|fixed-point"), cl::init("float"),
      cl::cat(category)};
  cl::opt<int64_t> weightsThreshold{
      "weights-threshold",
      cl::desc("Constants of at least this many bytes go to weights.bin"),
      cl::value_desc("bytes"), cl::init(1024), cl::cat(category)};
  ModelInputOptions modelInput{category};
};
} // namespace

static int fail(const Twine &message) {
  WithColor::error(errs(), "nibble compile") << message << "\n";
  return 1;
}

/// `name=1x1x8x8` (`name=scalar` for rank 0); the name is everything before
/// the last '='.
static Expected<nibble::InputShapeBinding> parseInputShape(StringRef text) {
  auto [name, shapeText] = text.rsplit('=');
  if (name.empty() || shapeText.empty() || !text.contains('='))
    return createStringError("--input-shape '" + text +
                             "': expected name=<d0>x<d1>..., e.g. "
                             "input=1x1x8x8");
  std::vector<int64_t> shape;
  if (shapeText != "scalar") {
    SmallVector<StringRef> extents;
    shapeText.split(extents, 'x');
    for (StringRef extent : extents) {
      int64_t value;
      if (extent.getAsInteger(10, value) || value < 0)
        return createStringError("--input-shape '" + text + "': '" + extent +
                                 "' is not a dimension size");
      shape.push_back(value);
    }
  }
  return nibble::InputShapeBinding{name.str(), std::move(shape)};
}

int nibble::driver::runCompileCommand(int argc, char **argv) {
  static CompileOptions options;
  parseCommandOptions(argc, argv,
                      "Compiles a model ahead of time into a directory the "
                      "Nibble runtime loads (model.so, weights.bin, "
                      "model.h).\n",
                      options.category);

  if (options.target != "cpu")
    return fail("--target " + options.target +
                " is not supported; the targets are: cpu");
  if (options.optLevel > 3)
    return fail("-O" + Twine(options.optLevel) + " is not in 0..3");
  if (Expected<CPUTarget> target = resolveCPUTarget(options.cpu); !target)
    return fail(toString(target.takeError()));
  if (options.requantize != "float" && options.requantize != "fixed-point")
    return fail("--requantize=" + options.requantize +
                ": expected float or fixed-point");

  CPUCompileOptions compileOptions;
  compileOptions.functionName = options.modelInput.functionName;
  compileOptions.target = options.cpu;
  compileOptions.optLevel = options.optLevel;
  compileOptions.requantize = options.requantize;
  compileOptions.weightsThreshold = options.weightsThreshold;
  compileOptions.sourceName = options.model;
  for (const std::string &text : options.inputShapes) {
    Expected<InputShapeBinding> binding = parseInputShape(text);
    if (!binding)
      return fail(toString(binding.takeError()));
    compileOptions.inputShapes.push_back(std::move(*binding));
  }

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(options.model, options.modelInput, context);
  if (!module)
    return 1;

  if (Error error = compileForCPU(*module, options.output, compileOptions))
    return fail(toString(std::move(error)));
  outs() << "compiled " << options.model << " for " << options.cpu << " into "
         << options.output << "/ (model.so, weights.bin, model.h)\n";
  return 0;
}
