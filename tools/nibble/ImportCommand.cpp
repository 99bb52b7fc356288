//===- ImportCommand.cpp - nibble import ----------------------------------===//
//
// `nibble import model.onnx -o model.mlir`: the ONNX model as nb dialect IR.
// The output is written to a temporary file that is renamed into place only
// once complete, so a failed import leaves no partial file behind.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "nibble/InitAllNibble.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using namespace nibble::driver;

namespace {
struct ImportOptions {
  cl::OptionCategory category{"import options"};
  cl::opt<std::string> input{cl::Positional, cl::Required,
                             cl::desc("<model.onnx>"), cl::cat(category)};
  cl::opt<std::string> output{"o", cl::desc("Output file (default: stdout)"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::cat(category)};
  cl::opt<bool> emitBytecode{"emit-bytecode",
                             cl::desc("Write MLIR bytecode instead of text"),
                             cl::init(false), cl::cat(category)};
  cl::opt<bool> debugInfo{"mlir-print-debuginfo",
                          cl::desc("Print locations (ONNX node names) in the "
                                   "text output"),
                          cl::init(false), cl::cat(category)};
  ModelInputOptions modelInput{category};
};
} // namespace

int nibble::driver::runImportCommand(int argc, char **argv) {
  static ImportOptions options;
  parseCommandOptions(argc, argv,
                      "Imports an ONNX model into the nb dialect and writes "
                      "it as MLIR.\n",
                      options.category);

  if (!StringRef(options.input).ends_with_insensitive(".onnx")) {
    WithColor::error(errs(), "nibble import")
        << "'" << options.input << "' is not an ONNX file (*.onnx)\n";
    return 1;
  }

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(options.input, options.modelInput, context);
  if (!module)
    return 1;

  Error written = writeToOutput(options.output, [&](raw_ostream &os) -> Error {
    if (options.emitBytecode) {
      if (failed(mlir::writeBytecodeToFile(*module, os)))
        return createStringError("cannot serialize the module as bytecode");
      return Error::success();
    }
    mlir::OpPrintingFlags flags;
    if (options.debugInfo)
      flags.enableDebugInfo();
    module->print(os, flags);
    return Error::success();
  });
  if (written) {
    WithColor::error(errs(), "nibble import")
        << "cannot write '" << options.output
        << "': " << toString(std::move(written)) << "\n";
    return 1;
  }
  return 0;
}
