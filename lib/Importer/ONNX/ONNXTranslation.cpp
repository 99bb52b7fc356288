//===- ONNXTranslation.cpp - `--import-onnx` for mlir-translate drivers ---===//
#include "nibble/Importer/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {
/// Command-line spellings of ONNXImportOptions.
struct ImportFlags {
  llvm::cl::OptionCategory category{"ONNX import options (--import-onnx)"};
  llvm::cl::opt<bool> allowUnregisteredOps{
      "allow-unregistered-ops",
      llvm::cl::desc("Keep ONNX nodes of unknown op types as nb.opaque"),
      llvm::cl::init(false), llvm::cl::cat(category)};
  llvm::cl::opt<std::string> functionName{
      "onnx-function-name",
      llvm::cl::desc("Name of the function the ONNX graph becomes"),
      llvm::cl::init("main"), llvm::cl::cat(category)};
  llvm::cl::opt<std::string> externalDataDir{
      "onnx-external-data-dir",
      llvm::cl::desc("Folder external-data locations are relative to and "
                     "confined to (default: the model's folder)"),
      llvm::cl::init(""), llvm::cl::cat(category)};
  llvm::cl::opt<bool> noFoldConstants{
      "no-fold-constants",
      llvm::cl::desc("Keep constant subgraphs (Shape -> Gather -> Concat ...) "
                     "unfolded"),
      llvm::cl::init(false), llvm::cl::cat(category)};
  llvm::cl::opt<bool> liftQDQ{
      "lift-qdq",
      llvm::cl::desc("Turn Q/DQ with constant scales and zero points into "
                     "!quant.uniform types (nb-lift-qdq-to-quant-types)"),
      llvm::cl::init(false), llvm::cl::cat(category)};
};
} // namespace

void nibble::registerONNXImportTranslation() {
  static ImportFlags flags;
  static TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model (opsets 11-21) into the nb dialect",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        StringRef source = buffer->getBufferIdentifier();
        ONNXImportOptions options;
        options.allowUnregisteredOps = flags.allowUnregisteredOps;
        options.functionName = flags.functionName;
        options.foldConstants = !flags.noFoldConstants;
        options.liftQDQ = flags.liftQDQ;
        options.externalDataDir = flags.externalDataDir;
        if (options.externalDataDir.empty() && source != "<stdin>") {
          options.externalDataDir = llvm::sys::path::parent_path(source).str();
          if (options.externalDataDir.empty())
            options.externalDataDir = ".";
        }
        return importONNXBuffer(buffer->getBuffer(), source, *context, options);
      },
      [](DialectRegistry &registry) {
        registry.insert<nb::NBDialect, func::FuncDialect, quant::QuantDialect,
                        tensor::TensorDialect>();
      });
}
