//===- ReportCommand.cpp - nibble report ----------------------------------===//
//
// `nibble report model.onnx|model.mlir [--baseline float.onnx] [--format
// table|json]`: parameters and bytes by precision, bits per parameter with
// scales and zero points, compute (MACs) by precision and the ops left in
// float (lib/Analysis/QuantizationReport.cpp), beside a baseline's when
// given.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "nibble/Analysis/QuantizationReport.h"
#include "nibble/InitAllNibble.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/WithColor.h"

#include <optional>

using namespace llvm;
using namespace nibble::driver;
using mlir::nb::QuantizationReport;
using mlir::nb::ReportFormat;

namespace {
struct ReportOptions {
  cl::OptionCategory category{"report options"};
  cl::opt<std::string> model{cl::Positional, cl::Required,
                             cl::desc("<model.onnx | model.mlir>"),
                             cl::cat(category)};
  cl::opt<std::string> baseline{
      "baseline", cl::desc("The model to compare with (e.g. the float one)"),
      cl::value_desc("model"), cl::cat(category)};
  cl::opt<ReportFormat> format{
      "format", cl::desc("Output format"), cl::init(ReportFormat::Table),
      cl::values(clEnumValN(ReportFormat::Table, "table",
                            "aligned tables for a terminal (default)"),
                 clEnumValN(ReportFormat::JSON, "json", "one JSON object")),
      cl::cat(category)};
  cl::opt<std::string> output{"o", cl::desc("Output file (default: stdout)"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::cat(category)};
  ModelInputOptions modelInput{category};
};
} // namespace

/// Loads `path` into its own module and computes its report; nullopt after
/// the loader reported why.
static std::optional<QuantizationReport>
reportOf(StringRef path, const ModelInputOptions &options,
         mlir::MLIRContext &context) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(path, options, context);
  if (!module)
    return std::nullopt;
  return QuantizationReport::compute(*module);
}

int nibble::driver::runReportCommand(int argc, char **argv) {
  static ReportOptions options;
  parseCommandOptions(
      argc, argv,
      "Reports a model's parameters and compute by precision (bits per "
      "parameter with scales and zero points, MACs per precision, ops kept "
      "in float), beside a baseline's when given.\n",
      options.category);

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  std::optional<QuantizationReport> report =
      reportOf(options.model, options.modelInput, context);
  if (!report)
    return 1;
  std::optional<QuantizationReport> baseline;
  if (!options.baseline.empty()) {
    baseline = reportOf(options.baseline, options.modelInput, context);
    if (!baseline)
      return 1;
  }

  Error written = writeToOutput(options.output, [&](raw_ostream &os) {
    mlir::nb::printQuantizationReport(os, options.format, options.model,
                                      *report, options.baseline,
                                      baseline ? &*baseline : nullptr);
    return Error::success();
  });
  if (written) {
    WithColor::error(errs(), "nibble report")
        << "cannot write '" << options.output
        << "': " << toString(std::move(written)) << "\n";
    return 1;
  }
  return 0;
}
