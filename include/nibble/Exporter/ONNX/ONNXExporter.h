//===- ONNXExporter.h - the nb dialect to an ONNX ModelProto ----*- C++ -*-===//
//
// Writes one `func.func` of `nb` ops as an ONNX model in default-domain
// opset 21 (IR version 10), the inverse of the importer: each nb op becomes
// the node of its operator in that opset's form, nb.constant values become
// initializers (raw_data, or external data above a size threshold), graph
// input and output names come from the `nb.name` argument and result
// attributes, and node names from the ops' NameLocs.
//
// Quantization (docs/exporter.md):
// - stage 1, the q/dq form: quant-typed nb.quantize_linear and
//   nb.dequantize_linear become QuantizeLinear/DequantizeLinear on their
//   storage types, and `quant.scast` of a constant becomes an initializer of
//   the storage type (int4/uint4 packed two per byte, low nibble first, as
//   ONNX packs them), so the q/dq form exports as a standard QDQ model;
//   float8 Q/DQ pairs export as ONNX float8 Q/DQ.
// - stage 2 (quant-typed conv, matmul, ... after nb-fuse-quantized-ops) is
//   refused with an error telling to export before fusion; only ops that
//   move data without touching values (reshape, transpose, max_pool, ...)
//   with one quant type in and out export, on the storage type.
//
// Errors are emitted at the offending op's location (its ONNX node name)
// and no output is written: the file variant writes a temporary file and
// renames it into place only on success.
//
// This header keeps protobuf and ONNX out of its includes.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_EXPORTER_ONNX_ONNXEXPORTER_H
#define NIBBLE_EXPORTER_ONNX_ONNXEXPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>

namespace nibble {

/// The default-domain opset every export is written in, and its IR version.
inline constexpr int64_t kONNXExportOpset = 21;
inline constexpr int64_t kONNXExportIRVersion = 10;

struct ONNXExportOptions {
  /// The function to export. Empty: `main`, else the module's only function.
  std::string functionName;
  /// Initializers of at least this many bytes are written to an external
  /// data file instead of the model; negative: none (everything inline).
  int64_t externalDataThreshold = -1;
  /// The external data file to write (needed when a tensor crosses the
  /// threshold). exportToONNXFile defaults it to `<model path>.data`.
  std::string externalDataPath;
  /// The `location` recorded in the model for external data, relative to the
  /// model's folder. Empty: the file name of externalDataPath.
  std::string externalDataLocation;
  /// The model's graph name. Empty: the function's name.
  std::string graphName;
};

/// Serializes the exported model to `os`. Nothing is written to `os` unless
/// the whole export succeeds; errors go to the context's diagnostic handler.
/// External data (if any) is written to options.externalDataPath through a
/// temporary file renamed into place.
mlir::LogicalResult exportToONNX(mlir::ModuleOp module, llvm::raw_ostream &os,
                                 const ONNXExportOptions &options = {});

/// Writes the exported model to `path` through a temporary file renamed into
/// place on success, so a failed export leaves no file (and an existing file
/// at `path` untouched).
mlir::LogicalResult exportToONNXFile(mlir::ModuleOp module,
                                     llvm::StringRef path,
                                     const ONNXExportOptions &options = {});

/// Registers `--export-onnx` (and its options) with mlir-translate's
/// registry.
void registerONNXExportTranslation();

} // namespace nibble

#endif // NIBBLE_EXPORTER_ONNX_ONNXEXPORTER_H
