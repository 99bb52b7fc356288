//===- SummaryCommand.cpp - nibble summary --------------------------------===//
//
// `nibble summary model.onnx|model.mlir`: ops by type, parameter count and
// bytes per precision of a model, as a table, stable lines or JSON.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "nibble/Analysis/ModelSummary.h"
#include "nibble/InitAllNibble.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using namespace nibble::driver;
using mlir::nb::ModelSummary;
using mlir::nb::SummaryFormat;

namespace {
struct SummaryOptions {
  cl::OptionCategory category{"summary options"};
  cl::opt<std::string> input{cl::Positional, cl::Required,
                             cl::desc("<model.onnx | model.mlir>"),
                             cl::cat(category)};
  cl::opt<SummaryFormat> format{
      "format", cl::desc("Output format"), cl::init(SummaryFormat::Table),
      cl::values(
          clEnumValN(SummaryFormat::Table, "table",
                     "aligned tables for a terminal (default)"),
          clEnumValN(SummaryFormat::Lines, "lines",
                     "one sorted fact per line, stable for scripts and tests"),
          clEnumValN(SummaryFormat::JSON, "json", "one JSON object")),
      cl::cat(category)};
  cl::opt<bool> json{"json", cl::desc("Same as --format=json"),
                     cl::init(false), cl::cat(category)};
  cl::opt<std::string> output{"o", cl::desc("Output file (default: stdout)"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::cat(category)};
  ModelInputOptions modelInput{category};
};
} // namespace

int nibble::driver::runSummaryCommand(int argc, char **argv) {
  static SummaryOptions options;
  parseCommandOptions(
      argc, argv,
      "Prints what a model holds: ops by nb op type, parameter count (elements "
      "of constants of rank >= 1) and bytes per precision.\n",
      options.category);

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(options.input, options.modelInput, context);
  if (!module)
    return 1;

  SummaryFormat format = options.json ? SummaryFormat::JSON : options.format;
  ModelSummary summary = ModelSummary::compute(*module);
  Error written = writeToOutput(options.output, [&](raw_ostream &os) {
    if (format == SummaryFormat::Table)
      os << "Model: " << options.input << "\n\n";
    summary.print(os, format);
    return Error::success();
  });
  if (written) {
    WithColor::error(errs(), "nibble summary")
        << "cannot write '" << options.output
        << "': " << toString(std::move(written)) << "\n";
    return 1;
  }
  return 0;
}
