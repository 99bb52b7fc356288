//===- CPUTarget.h - CPUs Nibble compiles for -------------------*- C++ -*-===//
//
// A target name (`x86-64-v3`, `x86-64-v4`, `generic`, `native`) resolved to
// what LLVM needs (CPU name, feature string) and what tiling needs (vector
// register width). The codegen pipeline records it on the module; the JIT
// reads it back from there.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PIPELINES_CPUTARGET_H
#define NIBBLE_PIPELINES_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace nibble {

struct CPUTarget {
  /// The name the user gave (`x86-64-v3`, ...).
  std::string name;
  /// LLVM's CPU name (`x86-64-v3`, or the host's for `native`).
  std::string cpu;
  /// LLVM's feature string (`+avx2,...`), empty when `cpu` implies them.
  std::string features;
  /// Width of the widest vector register, in bits.
  unsigned vectorBits = 128;
};

/// Module attributes written by `nb-annotate-cpu-target`.
inline constexpr llvm::StringLiteral kTargetAttrName = "nibble.target";
inline constexpr llvm::StringLiteral kTargetCPUAttrName = "nibble.target_cpu";
inline constexpr llvm::StringLiteral kTargetFeaturesAttrName =
    "nibble.target_features";
inline constexpr llvm::StringLiteral kVectorBitsAttrName =
    "nibble.vector_bits";

/// The target names `resolveCPUTarget` accepts, for help texts.
inline constexpr llvm::StringLiteral kCPUTargetNames =
    "x86-64-v3 | x86-64-v4 | native | generic";

/// Resolves a target name; an error names the accepted ones.
llvm::Expected<CPUTarget> resolveCPUTarget(llvm::StringRef name);

/// Fails when the CPU this process runs on lacks features `target` needs
/// (running AVX-512 code on an AVX2 machine dies of SIGILL instead).
llvm::Error checkHostCanRun(const CPUTarget &target);

/// The target recorded on `module`, if `nb-annotate-cpu-target` ran on it.
std::optional<CPUTarget> getModuleCPUTarget(mlir::ModuleOp module);

} // namespace nibble

#endif // NIBBLE_PIPELINES_CPUTARGET_H
