//===- CPUCodegen.h - the nibble-cpu-codegen pipeline -----------*- C++ -*-===//
//
// nb on tensors to the LLVM dialect for one CPU target:
//
//   nb-annotate-cpu-target, canonicalize, nb-infer-shapes,
//   convert-nb-to-linalg, nb-cpu-fuse-elementwise,
//   nb-cpu-expand-narrow-floats, nb-cpu-tile-and-vectorize,
//   eliminate-empty-tensors, one-shot-bufferize (function boundaries,
//   identity layouts), buffer-deallocation-pipeline,
//   convert-linalg-to-loops (what did not vectorize), then vector, scf,
//   math, memref, arith and func to LLVM.
//
// Functions returning tensors return freshly allocated memrefs that the
// caller owns (the deallocation pipeline clones anything it cannot prove
// owned, constants and arguments included), so a JIT can free() them.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PIPELINES_CPUCODEGEN_H
#define NIBBLE_PIPELINES_CPUCODEGEN_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace nibble {

struct CPUCodegenOptions : public mlir::PassPipelineOptions<CPUCodegenOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("CPU to compile for: x86-64-v3 (AVX2), x86-64-v4 "
                     "(AVX-512), native (this machine's CPU), generic"),
      llvm::cl::init("native")};
  Option<std::string> requantize{
      *this, "requantize",
      llvm::cl::desc("Requantization of quantized conv/matmul/gemm "
                     "(convert-nb-to-linalg): float | fixed-point"),
      llvm::cl::init("float")};
};

/// Appends the `nibble-cpu-codegen` pipeline to `pm` (a ModuleOp manager).
void buildCPUCodegenPipeline(mlir::OpPassManager &pm,
                             const CPUCodegenOptions &options);

/// Adds what running the pipeline on a context needs beyond the dialects of
/// its input: the dialects it lowers through, their bufferization and
/// to-LLVM interfaces, and the LLVM IR translations a JIT needs.
void registerCPUCodegenDependencies(mlir::DialectRegistry &registry);

/// Registers the codegen passes and the `nibble-cpu-codegen` pipeline.
void registerNibblePipelines();

} // namespace nibble

#endif // NIBBLE_PIPELINES_CPUCODEGEN_H
