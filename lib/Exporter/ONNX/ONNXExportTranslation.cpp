//===- ONNXExportTranslation.cpp - `--export-onnx` for mlir-translate -----===//
#include "nibble/Exporter/ONNX/ONNXExporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;

namespace {
/// Command-line spellings of ONNXExportOptions.
struct ExportFlags {
  llvm::cl::OptionCategory category{"ONNX export options (--export-onnx)"};
  llvm::cl::opt<std::string> functionName{
      "export-function",
      llvm::cl::desc("Function to export (default: main, else the only one)"),
      llvm::cl::init(""), llvm::cl::cat(category)};
  llvm::cl::opt<int64_t> externalDataThreshold{
      "external-data-threshold",
      llvm::cl::desc("Store initializers of at least this many bytes as "
                     "external data (default: -1, none)"),
      llvm::cl::init(-1), llvm::cl::cat(category)};
  llvm::cl::opt<std::string> externalDataFile{
      "external-data-file",
      llvm::cl::desc("External data file to write (default: the output file "
                     "name with '.data' appended)"),
      llvm::cl::init(""), llvm::cl::cat(category)};
  llvm::cl::opt<std::string> externalDataLocation{
      "external-data-location",
      llvm::cl::desc("External data location recorded in the model, relative "
                     "to its folder (default: the data file's name)"),
      llvm::cl::init(""), llvm::cl::cat(category)};
};

/// mlir-translate's `-o` value, which names the default external data file.
std::string getOutputFilename() {
  auto &options = llvm::cl::getRegisteredOptions();
  auto it = options.find("o");
  if (it == options.end())
    return "";
  auto *output = static_cast<llvm::cl::opt<std::string> *>(it->second);
  return output->getValue();
}
} // namespace

void nibble::registerONNXExportTranslation() {
  static ExportFlags flags;
  static TranslateFromMLIRRegistration registration(
      "export-onnx",
      "Export a function of nb ops as an ONNX model (opset 21)",
      [](Operation *op, llvm::raw_ostream &output) -> LogicalResult {
        auto module = dyn_cast<ModuleOp>(op);
        if (!module)
          return op->emitError("expected a module");
        ONNXExportOptions options;
        options.functionName = flags.functionName;
        options.externalDataThreshold = flags.externalDataThreshold;
        options.externalDataPath = flags.externalDataFile;
        options.externalDataLocation = flags.externalDataLocation;
        if (options.externalDataThreshold >= 0 &&
            options.externalDataPath.empty()) {
          std::string outputFile = getOutputFilename();
          if (!outputFile.empty() && outputFile != "-")
            options.externalDataPath = outputFile + ".data";
        }
        return exportToONNX(module, output, options);
      },
      [](DialectRegistry &registry) {
        registry.insert<nb::NBDialect, func::FuncDialect,
                        tensor::TensorDialect, quant::QuantDialect>();
      });
}
