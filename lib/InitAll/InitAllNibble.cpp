//===- InitAllNibble.cpp --------------------------------------------------===//
#include "nibble/InitAllNibble.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "nibble/Conversion/Passes.h"
#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Pipelines/CPUCodegen.h"
#include "nibble/Pipelines/QuantizationPipelines.h"
#include "nibble/Quantization/Passes.h"
#include "nibble/Target/CPU/CPUCompiler.h"

void nibble::registerNibbleDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::nb::NBDialect, mlir::func::FuncDialect,
                  mlir::quant::QuantDialect, mlir::arith::ArithDialect,
                  mlir::tensor::TensorDialect>();
}

void nibble::registerNibblePasses() {
  mlir::nb::registerNBPasses();
  mlir::nb::registerNibbleConversionPasses();
  mlir::nb::registerNibbleQuantizationPasses();
  nibble::registerNibblePipelines();
  nibble::registerQuantizationPipelines();
  nibble::registerTargetCPUPasses();
}
