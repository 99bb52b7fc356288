//===- Commands.h - subcommands of the nibble driver ------------*- C++ -*-===//
//
// `nibble <command> [options]`: main picks the command by its first argument
// and hands it the rest. Each command lives in its own file and creates its
// `llvm::cl` options only when it runs (function-local statics), so
// `nibble <command> --help` lists that command's options and nothing else.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_TOOLS_NIBBLE_COMMANDS_H
#define NIBBLE_TOOLS_NIBBLE_COMMANDS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

namespace nibble::driver {

struct Command {
  llvm::StringLiteral name;
  llvm::StringLiteral summary;
  /// Parses the command's own options from `argv` (argv[0] names the command)
  /// and runs it; returns the process exit code.
  int (*run)(int argc, char **argv);
};

int runSummaryCommand(int argc, char **argv);
int runRunCommand(int argc, char **argv);
int runCompileCommand(int argc, char **argv);
int runCalibrateCommand(int argc, char **argv);
int runQuantizeCommand(int argc, char **argv);
/// `nibble quantize --auto`: the mixed-precision search (AutoQuantize.cpp).
int runAutoQuantizeCommand(int argc, char **argv);

/// Calibrates `module` in process on the sample files or folders `data`
/// with `method` (as `nibble calibrate --method` takes it) and writes the
/// table to `table`: what `nibble quantize --data` and `--auto` do when no
/// table is given. Warnings (skipped samples, ...) go to stderr as `tool`'s.
llvm::Error calibrateIntoTable(mlir::ModuleOp module,
                               llvm::ArrayRef<std::string> data,
                               llvm::StringRef method,
                               llvm::StringRef functionName,
                               llvm::StringRef modelPath,
                               llvm::StringRef table, llvm::StringRef tool);
int runReportCommand(int argc, char **argv);
/// Compiled only when the ONNX importer is built.
int runImportCommand(int argc, char **argv);

/// Parses a command's options: hides every option outside `category` (LLVM
/// registers many of its own), then parses. Exits on --help or bad usage.
void parseCommandOptions(int argc, char **argv, llvm::StringRef overview,
                         llvm::cl::OptionCategory &category);

/// Options of the ONNX importer, for commands that read models. Create one
/// (as a function-local static) before parsing the command line.
struct ModelInputOptions {
  explicit ModelInputOptions(llvm::cl::OptionCategory &category);

  llvm::cl::opt<bool> allowUnregisteredOps;
  llvm::cl::opt<std::string> functionName;
  llvm::cl::opt<std::string> externalDataDir;
  llvm::cl::opt<bool> foldConstants;
};

/// Prints the context's diagnostics to stderr while alive, locations in the
/// words of the model: `model.onnx: node 'conv1': error: ...` for ONNX node
/// locations, `file:line:col: error: ...` for MLIR text.
class DiagnosticPrinter {
public:
  explicit DiagnosticPrinter(mlir::MLIRContext &context);

private:
  mlir::ScopedDiagnosticHandler handler;
};

/// Loads a model: `.onnx` through the ONNX importer, anything else as MLIR
/// text or bytecode, and verifies it. Returns null after reporting the error
/// through the context's diagnostic handler.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(llvm::StringRef path,
                                            const ModelInputOptions &options,
                                            mlir::MLIRContext &context);

} // namespace nibble::driver

#endif // NIBBLE_TOOLS_NIBBLE_COMMANDS_H
