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

class OpSelection {
public:
  /// Parses the options; fails with `error` set on a malformed regex.
  static FailureOr<OpSelection>
  create(llvm::StringRef excludeNodesRegex,
         llvm::ArrayRef<std::string> excludeOpTypes, bool strict,
         std::string &error);

  /// Whether the user's options allow quantizing `op` (node name does not
  /// match `exclude-nodes`, op type not in `exclude-op-types`; op types
  /// compare case-insensitively against the ONNX type).
  bool isSelected(Operation *op) const;

  /// A selected op the scheme cannot take: under `strict`, an error at the
  /// op naming the node (returns failure); otherwise a remark and
  /// `nb.kept_float = reason` on the op (returns success).
  LogicalResult keepFloat(Operation *op, llvm::StringRef reason) const;

  bool isStrict() const { return strict; }

private:
  std::optional<llvm::Regex> excludeNodes;
  llvm::StringSet<> excludeOpTypes; // lower-cased
  bool strict = false;
};

} // namespace mlir::nb::quantization

#endif // NIBBLE_QUANTIZATION_OPSELECTION_H
