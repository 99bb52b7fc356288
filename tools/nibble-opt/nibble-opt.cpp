//===- nibble-opt.cpp - mlir-opt with Nibble's dialects and passes --------===//
//
// Nibble's passes and pipelines plus every upstream dialect and pass, so a
// compiler engineer can mix them in one command line as with mlir-opt.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "nibble/InitAllNibble.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  nibble::registerNibblePasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  nibble::registerNibbleDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Nibble optimizer: nb dialect passes plus upstream MLIR\n",
      registry));
}
