//===- QuantizationReport.h - size and compute by precision -----*- C++ -*-===//
//
// What `nibble report` prints: how a module's parameters and multiply-
// accumulates split over precisions, what its scales and zero points cost,
// and which ops a quantization pass left in float (`nb.kept_float`).
// docs/quantization.md ("Report") defines every figure.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_ANALYSIS_QUANTIZATIONREPORT_H
#define NIBBLE_ANALYSIS_QUANTIZATIONREPORT_H

#include "mlir/IR/Operation.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir::nb {

/// Elements and bytes (sub-byte types packed) of a group of constants.
struct ElementFigures {
  int64_t count = 0;
  int64_t bytes = 0;
};

/// An op a quantization pass left in float, with the pass's reason.
struct KeptFloatOp {
  std::string node;
  std::string opType;
  std::string reason;
};

struct QuantizationReport {
  /// Parameters: elements of constants of rank >= 1 that are neither
  /// quantization parameters nor shape operands (Reshape's shape, Slice's
  /// starts, ...), keyed by the precision they are stored in (`f32`,
  /// `f16`, `i8`, `u8`, `i4`, `i32`, `f8E4M3FN`, ...).
  std::map<std::string, ElementFigures> parameters;
  /// Quantization parameters: constants read only as the scale or zero
  /// point of quantize/dequantize/integer ops, and the scales and (nonzero)
  /// zero points that `!quant` types of constants carry.
  ElementFigures scales;
  ElementFigures zeroPoints;
  /// Multiply-accumulates of Conv, ConvTranspose, MatMul, Gemm and their
  /// integer and QLinear forms, keyed by the precision they compute in:
  /// `int8` (quant-typed or integer operands), `f32`, `f16`, `bf16`;
  /// float ops reading dequantized operands are `f32 (i4 weights)`
  /// (weight-only) or `f32 (q/dq i8)` (q/dq form not yet fused). Dynamic
  /// dimensions count as 1, so the figures are per sample for a dynamic
  /// batch.
  std::map<std::string, int64_t> macs;
  /// Compute ops whose MACs could not be counted (unranked shapes).
  int64_t uncountedComputeOps = 0;
  /// Ops with `nb.kept_float`, in program order.
  std::vector<KeptFloatOp> keptFloat;

  static QuantizationReport compute(Operation *root);

  ElementFigures getParameterTotal() const;
  int64_t getMACTotal() const;
  /// Bits per parameter, scales and zero points included; 0 without
  /// parameters.
  double getBitsPerParameter() const;

  llvm::json::Object toJSON() const;
};

enum class ReportFormat { Table, JSON };

/// Prints `report` (of `name`) and, when given, the `baseline` it is
/// compared against (of `baselineName`), side by side.
void printQuantizationReport(llvm::raw_ostream &os, ReportFormat format,
                             llvm::StringRef name,
                             const QuantizationReport &report,
                             llvm::StringRef baselineName = {},
                             const QuantizationReport *baseline = nullptr);

} // namespace mlir::nb

#endif // NIBBLE_ANALYSIS_QUANTIZATIONREPORT_H
