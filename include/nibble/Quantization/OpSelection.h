//===- OpSelection.h - which ops a quantization pass may touch --*- C++ -*-===//
//
// The exclusion options every quantization pass shares (`exclude-nodes`,
// `exclude-op-types`, `strict`), the ONNX names of nb ops that those options
// and reports use, and the way a pass records that it left an op in float.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_QUANTIZATION_OPSELECTION_H
#define NIBBLE_QUANTIZATION_OPSELECTION_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Regex.h"
#include <optional>
#include <string>

namespace mlir::nb::quantization {

/// The ONNX node name of `op` (its NameLoc, possibly inside a FusedLoc or
/// CallSiteLoc), or an empty StringRef.
llvm::StringRef getNodeName(Operation *op);

/// The ONNX op type of an nb op (`nb.conv` -> "Conv", `nb.matmul` ->
/// "MatMul", `nb.batch_norm` -> "BatchNormalization", ...); the op name
/// without the dialect prefix for ops that are not nb ops.
std::string getONNXOpType(Operation *op);

/// The attribute a pass sets on an op it leaves in float, with the reason:
/// `nb.kept_float = "<reason>"`. `nibble report` lists them.
constexpr llvm::StringLiteral kKeptFloatAttrName = "nb.kept_float";

/// The precision a plan chose for an op (`nb.precision = "int8"`, names in
/// nibble/Precision/PrecisionPlan.h), set by nb-apply-precision-plan.
constexpr llvm::StringLiteral kPrecisionAttrName = "nb.precision";
/// Set on the module by nb-apply-precision-plan: every scheme pass then
/// leaves alone the ops that carry no `nb.precision`, so the plan alone
/// decides what changes.
constexpr llvm::StringLiteral kPrecisionPlanAttrName = "nb.precision_plan";

/// The `nb.precision` names the weight-only pass implements for `bits` and
/// `groupSize` (`int4-weight`, `int4-weight-g32`).
std::string getWeightOnlyPrecisionName(unsigned bits, int64_t groupSize);

class OpSelection {
public:
  /// Parses the options; fails with `error` set on a malformed regex.
  /// `precisions` are the `nb.precision` names the calling pass implements
  /// (with its options): an op carrying `nb.precision` is selected only when
  /// its precision is one of them.
  static FailureOr<OpSelection>
  create(llvm::StringRef excludeNodesRegex,
         llvm::ArrayRef<std::string> excludeOpTypes, bool strict,
         std::string &error, llvm::ArrayRef<std::string> precisions = {});

  /// Whether the user's options allow quantizing `op` (node name does not
  /// match `exclude-nodes`, op type not in `exclude-op-types`; op types
  /// compare case-insensitively against the ONNX type) and the precision
  /// plan gives it to this pass: an op with `nb.precision` only when the
  /// pass implements that precision; an op without it not at all inside a
  /// module that carries `nb.precision_plan`.
  bool isSelected(Operation *op) const;

  /// Whether a precision plan, not the user's exclusions, keeps `op` from
  /// this pass: it carries another pass's `nb.precision`, or none inside a
  /// planned module. Such an op is not "excluded"; another pass (or none,
  /// for fp32) owns it.
  bool isPlannedElsewhere(Operation *op) const;

  /// A selected op the scheme cannot take: under `strict`, an error at the
  /// op naming the node (returns failure); otherwise a remark and
  /// `nb.kept_float = reason` on the op (returns success).
  LogicalResult keepFloat(Operation *op, llvm::StringRef reason) const;

  bool isStrict() const { return strict; }

private:
  std::optional<llvm::Regex> excludeNodes;
  llvm::StringSet<> excludeOpTypes; // lower-cased
  llvm::StringSet<> precisions;
  bool strict = false;
};

} // namespace mlir::nb::quantization

#endif // NIBBLE_QUANTIZATION_OPSELECTION_H
