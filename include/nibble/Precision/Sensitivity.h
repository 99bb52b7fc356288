//===- Sensitivity.h - per-op sensitivity to each precision -----*- C++ -*-===//
//
// How much each quantizable op (Conv, ConvTranspose, MatMul, Gemm with a
// constant weight, named by its ONNX node) hurts the model's outputs at each
// candidate precision, and what it weighs there (docs/precision-plan.md,
// "Sensitivity"):
//
// - exact: a one-entry plan (that op at that precision, the rest fp32) goes
//   through nb-quantize-mixed on a clone of the module, is compiled with the
//   CPU JIT and run on the samples; its outputs are compared with fp32's.
// - proxy: no model run; the weight's quantization SQNR for the precision,
//   combined with the activation rounding noise the calibrated range implies
//   for precisions that quantize activations (ProxySensitivity.h).
//
// Weight bytes come from the QuantizationReport accounting `nibble report`
// uses, on the module quantized with the one-entry plan (compile time only).
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PRECISION_SENSITIVITY_H
#define NIBBLE_PRECISION_SENSITIVITY_H

#include "nibble/Execution/CPUExecutable.h"
#include "nibble/Precision/PrecisionPlan.h"
#include "nibble/Precision/ProxySensitivity.h"
#include "nibble/Support/HostArray.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nibble::precision {

/// A Conv/ConvTranspose/MatMul/Gemm of the entry function with a constant
/// weight and an ONNX node name (a plan names ops by node).
struct QuantizableOp {
  std::string node;
  std::string opType;
  /// Elements of the weight operand.
  int64_t weightParams = 0;
};

/// The quantizable ops of `functionName`, in program order.
std::vector<QuantizableOp> findQuantizableOps(mlir::ModuleOp module,
                                              llvm::StringRef functionName);

/// Parameter bytes of a module as `nibble report` and `nibble quantize`
/// count them: parameters (sub-byte packed), scales and zero points.
int64_t getParameterBytes(mlir::ModuleOp module);
/// Parameter elements, as `nibble report` counts them.
int64_t getParameterCount(mlir::ModuleOp module);

/// A clone of `module` quantized by nb-quantize-mixed with `plan` (written
/// to a temporary file) and calibration `table` (may be empty). Errors from
/// the passes go to the module's context diagnostics as well.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
quantizeWithPlan(mlir::ModuleOp module, const PrecisionPlan &plan,
                 llvm::StringRef table);

/// Reads up to `count` samples (after skipping `skip`) from data sources
/// (.npz/.npy/.pb files or folders; see expandSampleSources), each as the
/// entry function's inputs in order, bound by name or position as
/// `nibble run` binds them.
llvm::Expected<std::vector<std::vector<HostArray>>>
readSamples(mlir::ModuleOp module, llvm::StringRef functionName,
            llvm::ArrayRef<std::string> sources, int64_t skip, int64_t count);

/// The model's fp32 outputs on a fixed set of samples, and the error of
/// other versions of the model against them. All outputs of all samples are
/// compared as one vector: SQNR = 10 log10(sum ref^2 / sum (x - ref)^2)
/// (kExactSQNRDB when equal), cosine of the two vectors, largest absolute
/// difference.
class OutputEvaluator {
public:
  static llvm::Expected<OutputEvaluator>
  create(mlir::ModuleOp fp32Module, std::vector<std::vector<HostArray>> samples,
         const CPUExecutionOptions &options);

  /// Compiles `module` and measures its outputs against the reference.
  llvm::Expected<OutputError> measure(mlir::ModuleOp module) const;
  int64_t getNumSamples() const { return samples.size(); }

private:
  OutputEvaluator() = default;
  /// Every float output element of every sample, in order.
  llvm::Expected<std::vector<double>> runAll(mlir::ModuleOp module) const;

  std::vector<std::vector<HostArray>> samples;
  CPUExecutionOptions options;
  std::vector<double> reference;
};

enum class SensitivityMode { Exact, Proxy };

struct SensitivityOptions {
  /// Precisions tried on every op (fp32 is the reference and needs no
  /// measurement: it is added by the assignment when asked for).
  std::vector<Precision> candidates;
  /// Pinned ops (by node): measured at this precision only.
  std::map<std::string, Precision> pinned;
  /// Calibration table for int8/fp8 (and the proxy's activation ranges).
  std::string table;
  SensitivityMode mode = SensitivityMode::Exact;
  std::string functionName = "main";
};

/// One (op, precision) measurement.
struct CandidateMeasure {
  Precision precision;
  /// The op's parameter bytes at this precision (its fp32 bytes plus what
  /// the one-entry plan changes in the module's total).
  int64_t bytes = 0;
  /// Effect on the outputs (exact) or its estimate (proxy: max abs is not
  /// estimated and left 0).
  OutputError error;
};

struct OpSensitivity {
  QuantizableOp op;
  /// The op's parameter bytes in fp32.
  int64_t fp32Bytes = 0;
  /// Candidates that quantize the op (those that leave it unchanged, e.g.
  /// weight-only on ConvTranspose, are dropped), in the options' order.
  std::vector<CandidateMeasure> candidates;
};

struct SensitivityResult {
  /// Parameter bytes of the fp32 module.
  int64_t fp32Bytes = 0;
  int64_t parameterCount = 0;
  std::vector<OpSensitivity> ops;
};

/// Measures every quantizable op at every candidate. `evaluator` is needed
/// for the exact mode only.
llvm::Expected<SensitivityResult>
analyzeSensitivity(mlir::ModuleOp module, const SensitivityOptions &options,
                   const OutputEvaluator *evaluator);

} // namespace nibble::precision

#endif // NIBBLE_PRECISION_SENSITIVITY_H
