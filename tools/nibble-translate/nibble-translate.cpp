//===- nibble-translate.cpp - ONNX to MLIR, plus upstream translations ----===//
//
// `nibble-translate --import-onnx model.onnx -o model.mlir` (or
// `--emit-bytecode`) and `nibble-translate --export-onnx model.mlir -o
// model.onnx`. Output goes through ToolOutputFile, which deletes the
// file unless the translation succeeded, so a failed run leaves no partial
// output. The nb passes are registered so the importer can run
// nb-infer-shapes (and nb-lift-qdq-to-quant-types for --lift-qdq).
//
//===----------------------------------------------------------------------===//
#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "nibble/Exporter/ONNX/ONNXExporter.h"
#include "nibble/Importer/ONNX/ONNXImporter.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  mlir::nb::registerNBPasses();
  nibble::registerONNXImportTranslation();
  nibble::registerONNXExportTranslation();
  return mlir::asMainReturnCode(mlir::mlirTranslateMain(
      argc, argv, "Nibble translation tool: ONNX to and from the nb dialect"));
}
