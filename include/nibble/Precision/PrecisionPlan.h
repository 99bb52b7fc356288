//===- PrecisionPlan.h - per-op precision plans ------------------*- C++ -*-===//
//
// A precision plan says, per ONNX node, which precision its op is quantized
// to (docs/precision-plan.md). It travels as a JSON file and lands on the IR
// as `nb.precision = "<name>"` (nb-apply-precision-plan), which every
// quantization pass reads through OpSelection: an op carrying the attribute
// is taken only by the pass that implements that precision.
//
// This library depends on LLVM Support alone, so the quantization passes,
// the pipelines and the driver can all read plans.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PRECISION_PRECISIONPLAN_H
#define NIBBLE_PRECISION_PRECISIONPLAN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nibble::precision {

enum class PrecisionKind {
  FP32,
  FP16,
  BF16,
  FP8E4M3,
  FP8E5M2,
  /// Static W8A8 (nb-insert-qdq with calibrated activation ranges).
  Int8,
  /// Dynamic W8A8 (nb-quantize-dynamic).
  Int8Dynamic,
  /// Weight-only, activations float (nb-quantize-weights).
  Int8Weight,
  Int4Weight,
};

/// One precision; `groupSize` only for the weight-only kinds (0: one scale
/// per output channel).
struct Precision {
  PrecisionKind kind = PrecisionKind::FP32;
  int64_t groupSize = 0;

  /// The plan's name of the kind: `fp32`, `int4-weight`, ...
  llvm::StringRef getKindName() const;
  /// The name that `nb.precision` carries and the passes compare: the kind
  /// name, with `-g<N>` for a grouped weight-only precision
  /// (`int4-weight-g32`).
  std::string getName() const;

  bool isWeightOnly() const {
    return kind == PrecisionKind::Int8Weight ||
           kind == PrecisionKind::Int4Weight;
  }
  /// Whether the op keeps a weight in the same representation as fp32 (no
  /// pass takes it).
  bool isFloat32() const { return kind == PrecisionKind::FP32; }
  /// Bits a weight element is stored in (scales not included).
  unsigned getWeightBits() const;

  /// Parses a plan's kind name and group size (`int4-weight`, 32); errors
  /// say what is accepted.
  static llvm::Expected<Precision> parse(llvm::StringRef kindName,
                                         int64_t groupSize = 0);
  /// Parses the attribute form (`int4-weight-g32`).
  static llvm::Expected<Precision> parseName(llvm::StringRef name);

  friend bool operator==(const Precision &a, const Precision &b) {
    return a.kind == b.kind && a.groupSize == b.groupSize;
  }
  friend bool operator!=(const Precision &a, const Precision &b) {
    return !(a == b);
  }
  friend bool operator<(const Precision &a, const Precision &b) {
    return a.kind != b.kind ? a.kind < b.kind : a.groupSize < b.groupSize;
  }
};

/// The accepted kind names, for messages.
constexpr llvm::StringLiteral kPrecisionKindNames =
    "fp32, fp16, bf16, fp8-e4m3, fp8-e5m2, int8, int8-dynamic, int8-weight, "
    "int4-weight";

/// The model-output error of one measured variant against fp32.
struct OutputError {
  double sqnrDB = 0;
  double cosine = 1;
  double maxAbs = 0;
};

struct PlanEntry {
  /// ONNX node name.
  std::string node;
  /// ONNX op type, when recorded; checked against the op when applied.
  std::string opType;
  Precision precision;
  /// Weight elements of the op (informative).
  std::optional<int64_t> weightParams;
  /// The measured effect of each candidate precision (by its name) on the
  /// model's outputs, the op alone quantized (informative).
  std::map<std::string, OutputError> sensitivity;
};

struct PrecisionPlan {
  static constexpr int64_t kVersion = 1;
  /// The model the plan was made for (informative).
  std::string model;
  /// Precision of the Conv, ConvTranspose, MatMul and Gemm ops no entry
  /// names.
  Precision defaultPrecision;
  /// In file order; one entry per node.
  std::vector<PlanEntry> entries;
  /// Whatever made the plan recorded about it (target, achieved error, ...);
  /// written back unchanged.
  llvm::json::Object summary;

  /// Parses the JSON text (`source` names it in errors). Contradictory
  /// entries (one node, two precisions) and unknown precisions are errors;
  /// an entry repeated with the same precision is accepted once.
  static llvm::Expected<PrecisionPlan> parse(llvm::StringRef text,
                                             llvm::StringRef source);
  static llvm::Expected<PrecisionPlan> load(llvm::StringRef path);

  llvm::json::Value toJSON() const;
  /// Writes the plan through a temporary file renamed into place.
  llvm::Error save(llvm::StringRef path) const;

  const PlanEntry *lookup(llvm::StringRef node) const;
};

} // namespace nibble::precision

#endif // NIBBLE_PRECISION_PRECISIONPLAN_H
