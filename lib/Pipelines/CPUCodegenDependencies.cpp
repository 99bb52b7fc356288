//===- CPUCodegenDependencies.cpp - what the CPU pipeline needs -----------===//
//
// Kept apart from the pipeline: InitAllDialects/InitAllExtensions are heavy
// includes, and the upstream interfaces the pipeline relies on (bufferization
// and to-LLVM interfaces of linalg, tensor, vector, ...) live there.
//
//===----------------------------------------------------------------------===//
#include "nibble/Pipelines/CPUCodegen.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

void nibble::registerCPUCodegenDependencies(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
}
