//===- ONNXTranslation.cpp - `--import-onnx` for mlir-translate drivers ---===//
#include "nibble/Importer/ONNX/ONNXImporter.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
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
  // mlir-translate's main has no bytecode output of its own (mlir-opt's
  // --emit-bytecode); the import translation writes it itself.
  llvm::cl::opt<bool> emitBytecode{
      "emit-bytecode",
      llvm::cl::desc("Write the imported module as MLIR bytecode"),
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
  static TranslateRegistration registration(
      "import-onnx", "Import an ONNX model (opsets 10-28) into the nb dialect",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::raw_ostream &output, MLIRContext *context) -> LogicalResult {
        const llvm::MemoryBuffer *buffer =
            sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID());
        StringRef source = buffer->getBufferIdentifier();
        // The importer loads the dialects it creates ops of.
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
        OwningOpRef<ModuleOp> module =
            importONNXBuffer(buffer->getBuffer(), source, *context, options);
        if (!module)
          return failure();
        if (flags.emitBytecode)
          return writeBytecodeToFile(*module, output);
        // Default flags pick up -mlir-print-debuginfo and friends.
        module->print(output, OpPrintingFlags());
        return success();
      });
}
