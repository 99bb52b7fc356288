//===- ONNXImporter.h - ONNX protobuf to the nb dialect ---------*- C++ -*-===//
//
// Reads an ONNX model (opsets 10 through 28) into a module holding one
// `func.func` (named after the graph, `main` by default) of `nb` ops. Node
// names become `NameLoc`s, so every later diagnostic names the ONNX node.
// Each argument and result carries its ONNX graph input or output name in a
// `nb.name` string attribute (kONNXNameAttr), which `nibble run` and
// `nibble compile` use to name inputs and outputs; each op producing a node
// output carries the output's tensor name in `nb.output_names`
// (kONNXOutputNamesAttr), which calibration tables are keyed by.
//
// This header keeps protobuf and ONNX out of its includes: embedders link
// NibbleONNXImporter and see only MLIR types.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_IMPORTER_ONNX_ONNXIMPORTER_H
#define NIBBLE_IMPORTER_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace nibble {

/// The argument and result attribute holding the ONNX graph input and output
/// names.
inline constexpr llvm::StringLiteral kONNXNameAttr = "nb.name";

/// The discardable op attribute holding the ONNX tensor names of an op's
/// results: an array of strings, one per result, "" where a result is no
/// node output of its own (see docs/dialect.md, "Names").
inline constexpr llvm::StringLiteral kONNXOutputNamesAttr = "nb.output_names";

struct ONNXImportOptions {
  /// Keep nodes of unknown op types as `nb.opaque` instead of failing.
  bool allowUnregisteredOps = false;
  /// Name of the function the graph becomes.
  std::string functionName = "main";
  /// Folder that external-data locations are relative to, and confined to.
  /// Empty: the folder of the model file.
  std::string externalDataDir;
  /// Fold constant subgraphs (Shape -> Gather -> Concat chains and the like)
  /// while importing.
  bool foldConstants = true;
  /// Turn QuantizeLinear/DequantizeLinear with constant scales and zero
  /// points into `!quant.uniform` types (the nb-lift-qdq-to-quant-types
  /// pass; an error when the build does not register it).
  bool liftQDQ = false;
};

/// Imports the model at `path`. Errors are reported through the context's
/// diagnostic handler, located at the file or at the offending node, and
/// yield a null module.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXFile(llvm::StringRef path, mlir::MLIRContext &context,
               const ONNXImportOptions &options = {});

/// Imports a serialized ModelProto held in memory. `sourceName` names it in
/// diagnostics; external data is looked up under `options.externalDataDir`.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXBuffer(llvm::StringRef bytes, llvm::StringRef sourceName,
                 mlir::MLIRContext &context,
                 const ONNXImportOptions &options = {});

/// Registers `--import-onnx` (and its options) with mlir-translate's registry.
void registerONNXImportTranslation();

} // namespace nibble

#endif // NIBBLE_IMPORTER_ONNX_ONNXIMPORTER_H
