//===- ModelInput.cpp - reading models for the nibble driver --------------===//
#include "Commands.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#ifdef NIBBLE_HAVE_ONNX_IMPORTER
#include "nibble/Importer/ONNX/ONNXImporter.h"
#endif

using namespace llvm;
using namespace nibble::driver;

namespace cl = llvm::cl;

ModelInputOptions::ModelInputOptions(cl::OptionCategory &category)
    : allowUnregisteredOps(
          "allow-unregistered-ops",
          cl::desc("Keep ONNX nodes of unknown op types as nb.opaque instead "
                   "of failing"),
          cl::init(false), cl::cat(category)),
      functionName("function-name",
                   cl::desc("Name of the function the ONNX graph becomes"),
                   cl::value_desc("name"), cl::init("main"), cl::cat(category)),
      externalDataDir(
          "external-data-dir",
          cl::desc("Folder ONNX external data is read from (default: the "
                   "model's folder)"),
          cl::value_desc("dir"), cl::init(""), cl::cat(category)),
      foldConstants("fold-constants",
                    cl::desc("Fold constant subgraphs while importing ONNX"),
                    cl::init(true), cl::cat(category)) {}

/// Writes `loc` the way a user reads it; nothing for unknown locations.
static void printLocation(mlir::Location loc, raw_ostream &os) {
  if (auto nameLoc = dyn_cast<mlir::NameLoc>(loc)) {
    // The importer's locations: the ONNX node name around the model file.
    printLocation(nameLoc.getChildLoc(), os);
    os << "node '" << nameLoc.getName().getValue() << "': ";
    return;
  }
  if (auto fileLoc = dyn_cast<mlir::FileLineColLoc>(loc)) {
    os << fileLoc.getFilename().getValue();
    // Line 0 means "the whole file" (binary formats have no lines).
    if (fileLoc.getLine() != 0)
      os << ":" << fileLoc.getLine() << ":" << fileLoc.getColumn();
    os << ": ";
    return;
  }
  if (auto fusedLoc = dyn_cast<mlir::FusedLoc>(loc)) {
    if (!fusedLoc.getLocations().empty())
      return printLocation(fusedLoc.getLocations().front(), os);
  }
  if (auto callSite = dyn_cast<mlir::CallSiteLoc>(loc))
    return printLocation(callSite.getCallee(), os);
  if (isa<mlir::UnknownLoc>(loc))
    return;
  os << loc << ": ";
}

static void printDiagnostic(mlir::Diagnostic &diagnostic, raw_ostream &os) {
  printLocation(diagnostic.getLocation(), os);
  switch (diagnostic.getSeverity()) {
  case mlir::DiagnosticSeverity::Error:
    WithColor(os, HighlightColor::Error) << "error: ";
    break;
  case mlir::DiagnosticSeverity::Warning:
    WithColor(os, HighlightColor::Warning) << "warning: ";
    break;
  case mlir::DiagnosticSeverity::Note:
    WithColor(os, HighlightColor::Note) << "note: ";
    break;
  case mlir::DiagnosticSeverity::Remark:
    WithColor(os, HighlightColor::Remark) << "remark: ";
    break;
  }
  os << diagnostic << "\n";
  for (mlir::Diagnostic &note : diagnostic.getNotes())
    printDiagnostic(note, os);
}

DiagnosticPrinter::DiagnosticPrinter(mlir::MLIRContext &context)
    : handler(&context, [](mlir::Diagnostic &diagnostic) {
        printDiagnostic(diagnostic, errs());
        return success();
      }) {}

static bool isONNXPath(StringRef path) {
  return sys::path::extension(path).equals_insensitive(".onnx");
}

static mlir::OwningOpRef<mlir::ModuleOp>
loadONNX(StringRef path, const ModelInputOptions &options,
         mlir::MLIRContext &context) {
#ifdef NIBBLE_HAVE_ONNX_IMPORTER
  nibble::ONNXImportOptions importOptions;
  importOptions.allowUnregisteredOps = options.allowUnregisteredOps;
  importOptions.functionName = options.functionName;
  importOptions.externalDataDir = options.externalDataDir;
  importOptions.foldConstants = options.foldConstants;
  return nibble::importONNXFile(path, context, importOptions);
#else
  (void)options;
  mlir::emitError(mlir::UnknownLoc::get(&context))
      << "cannot read '" << path
      << "': this nibble was built without the ONNX importer; pass an MLIR "
         "file instead";
  return nullptr;
#endif
}

static mlir::OwningOpRef<mlir::ModuleOp> loadMLIR(StringRef path,
                                                  mlir::MLIRContext &context) {
  std::string error;
  std::unique_ptr<MemoryBuffer> buffer = mlir::openInputFile(path, &error);
  if (!buffer) {
    mlir::emitError(mlir::UnknownLoc::get(&context)) << error;
    return nullptr;
  }
  auto sourceMgr = std::make_shared<SourceMgr>();
  sourceMgr->AddNewSourceBuffer(std::move(buffer), SMLoc());
  // A handler scoped to the parse, so syntax errors show the offending line.
  mlir::SourceMgrDiagnosticHandler handler(*sourceMgr, &context);
  mlir::ParserConfig config(&context);
  return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, config);
}

mlir::OwningOpRef<mlir::ModuleOp>
nibble::driver::loadModel(StringRef path, const ModelInputOptions &options,
                          mlir::MLIRContext &context) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      isONNXPath(path) ? loadONNX(path, options, context)
                       : loadMLIR(path, context);
  if (!module)
    return nullptr;
  // The parser verifies MLIR input; the importer's output is checked here so
  // that no command works on invalid IR.
  if (failed(mlir::verify(*module)))
    return nullptr;
  return module;
}
