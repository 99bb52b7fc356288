//===- CPUCompiler.h - compile nb models into deployable bundles -*- C++ -*-===//
//
// Ahead-of-time compilation for the CPU: a module whose entry function is nb
// on tensors becomes a directory the Nibble runtime (nibble-c/runtime.h)
// loads without MLIR or LLVM:
//
//   model.so     the code, linked by the system C compiler (`cc -shared`)
//   weights.bin  the large constants, copied into model.so's globals at load
//   model.h      the entry points and each input's/output's name, dtype and
//                shape as C constants
//
// Steps: bind static input shapes, infer the rest, record the signature
// (nibble.signature), nibble-cpu-codegen, nb-externalize-weights,
// nb-emit-model-entry-points, translate to LLVM IR, optimize, emit a PIC
// object for the target CPU, link. The directory appears whole or not at
// all: everything is written into a temporary directory beside it, which
// is renamed into place at the end.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_TARGET_CPU_CPUCOMPILER_H
#define NIBBLE_TARGET_CPU_CPUCOMPILER_H

#include "nibble/Target/CPU/ModelSignature.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace nibble {

struct CPUCompileOptions {
  /// The entry function.
  std::string functionName = "main";
  /// nibble-cpu-codegen's target: x86-64-v3, x86-64-v4, native, generic.
  std::string target = "native";
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 2;
  /// nibble-cpu-codegen's requantization of quantized conv/matmul/gemm:
  /// float or fixed-point.
  std::string requantize = "float";
  /// Constants of at least this many bytes go to weights.bin.
  int64_t weightsThreshold = 1024;
  /// Static shapes for inputs with dynamic dimensions.
  std::vector<InputShapeBinding> inputShapes;
  /// The C compiler driver that links model.so; empty means $NIBBLE_CC, else
  /// $CC, else `cc` on PATH.
  std::string linker;
  /// Shown in model.h's comment (the model file's name).
  std::string sourceName;
};

/// Compiles `module` (which is modified: specialized and lowered) into the
/// directory `outputDir`, replacing a previous compiled model there. Errors
/// located in the IR go to the module's context as diagnostics (with the
/// ONNX node's name); the returned error summarizes.
llvm::Error compileForCPU(mlir::ModuleOp module, llvm::StringRef outputDir,
                          const CPUCompileOptions &options);

/// Registers nb-externalize-weights and nb-emit-model-entry-points.
void registerTargetCPUPasses();

} // namespace nibble

#endif // NIBBLE_TARGET_CPU_CPUCOMPILER_H
