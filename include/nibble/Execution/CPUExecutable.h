//===- CPUExecutable.h - run nb programs on the CPU through a JIT -*- C++ -*-=//
//
// Compiles a module's entry function (nb on tensors) with the
// nibble-cpu-codegen pipeline and runs it in-process with MLIR's
// ExecutionEngine. Dynamic dimensions are specialized: the function is
// recompiled for every distinct set of input shapes (and cached), so the
// generated code always sees static shapes. Small inputs that feed
// shape-like operands (Slice starts, Reshape shape, Resize scales, ...; see
// nibble/Dialect/NB/IR/NBShapeOperands.h) are specialized on by value the
// same way: they become constants and their values are part of the key.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_EXECUTION_CPUEXECUTABLE_H
#define NIBBLE_EXECUTION_CPUEXECUTABLE_H

#include "nibble/Support/HostArray.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace nibble {

struct CPUExecutionOptions {
  /// The entry function.
  std::string functionName = "main";
  /// nibble-cpu-codegen's target: x86-64-v3, x86-64-v4, native, generic.
  std::string target = "native";
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 2;
  /// nibble-cpu-codegen's requantization of quantized conv/matmul/gemm:
  /// float or fixed-point.
  std::string requantize = "float";
};

/// An input or output of the entry function. Negative extents are dynamic.
struct TensorSpec {
  std::string name;
  ElementType type;
  std::vector<int64_t> shape;
  /// Whether the rank is known (an unranked tensor has no shape).
  bool ranked = true;

  /// `float32[?x1x8x8]`.
  std::string describe() const;
};

class CPUExecutable {
public:
  /// Prepares `module`'s entry function for execution. The module is cloned
  /// (the caller keeps it); its context gets the dialects and translations
  /// codegen needs. Fails when the function is missing or its signature has
  /// types the JIT cannot bind.
  static llvm::Expected<std::unique_ptr<CPUExecutable>>
  create(mlir::ModuleOp module, const CPUExecutionOptions &options = {});
  ~CPUExecutable();

  llvm::ArrayRef<TensorSpec> getInputs() const;
  llvm::ArrayRef<TensorSpec> getOutputs() const;

  /// Orders `arrays` as the function's inputs: by name when every input has
  /// an array of its name, else by position. Arrays named after no input
  /// (labels kept beside the inputs in one .npz, say) are left out by name
  /// binding and listed in `unused` when given. Errors name the input and
  /// its expected type and shape.
  llvm::Expected<std::vector<const HostArray *>>
  bindInputs(llvm::ArrayRef<HostArray> arrays,
             std::vector<std::string> *unused = nullptr) const;

  /// Compiles for the shapes of `inputs` (ordered as getInputs()), and the
  /// values of those feeding shape-like operands, unless already compiled
  /// for them. Compilation diagnostics go to the module's
  /// context.
  llvm::Error compile(llvm::ArrayRef<const HostArray *> inputs);

  /// Runs on `inputs` (ordered as getInputs(), see bindInputs), compiling
  /// first if needed; returns the outputs as owned arrays.
  llvm::Expected<std::vector<HostArray>>
  run(llvm::ArrayRef<const HostArray *> inputs);

private:
  struct Impl;
  explicit CPUExecutable(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace nibble

#endif // NIBBLE_EXECUTION_CPUEXECUTABLE_H
