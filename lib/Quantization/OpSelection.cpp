//===- OpSelection.cpp - which ops a quantization pass may touch ----------===//
#include "nibble/Quantization/OpSelection.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Precision/PrecisionPlan.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::nb::quantization;

/// The first NameLoc inside `loc` (the importer's node name), looking
/// through fused and call-site locations that rewrites wrap it in.
static StringRef findName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().strref();
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      if (StringRef name = findName(inner); !name.empty())
        return name;
    return {};
  }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return findName(callSite.getCallee());
  return {};
}

StringRef mlir::nb::quantization::getNodeName(Operation *op) {
  return findName(op->getLoc());
}

std::string mlir::nb::quantization::getONNXOpType(Operation *op) {
  if (auto opaque = dyn_cast<nb::OpaqueOp>(op))
    return opaque.getOpType().str();
  StringRef dialect = op->getName().getDialectNamespace();
  StringRef mnemonic = op->getName().stripDialect();
  if (dialect != "nb")
    return mnemonic.str();
  // ONNX spellings that snake_case -> CamelCase does not reproduce.
  StringRef special = llvm::StringSwitch<StringRef>(mnemonic)
                          .Case("batch_norm", "BatchNormalization")
                          .Case("layer_norm", "LayerNormalization")
                          .Case("simplified_layer_norm",
                                "SimplifiedLayerNormalization")
                          .Case("matmul", "MatMul")
                          .Case("matmul_integer", "MatMulInteger")
                          .Case("qlinear_matmul", "QLinearMatMul")
                          .Case("qlinear_conv", "QLinearConv")
                          .Default("");
  if (!special.empty())
    return special.str();
  return llvm::convertToCamelFromSnakeCase(mnemonic, /*capitalizeFirst=*/true);
}

std::string mlir::nb::quantization::getWeightOnlyPrecisionName(
    unsigned bits, int64_t groupSize) {
  using nibble::precision::Precision;
  using nibble::precision::PrecisionKind;
  Precision precision{bits == 4 ? PrecisionKind::Int4Weight
                                : PrecisionKind::Int8Weight,
                      groupSize > 0 ? groupSize : 0};
  return precision.getName();
}

FailureOr<OpSelection>
OpSelection::create(StringRef excludeNodesRegex,
                    ArrayRef<std::string> excludeOpTypes, bool strict,
                    std::string &error, ArrayRef<std::string> precisions) {
  OpSelection selection;
  selection.strict = strict;
  for (const std::string &precision : precisions)
    selection.precisions.insert(precision);
  if (!excludeNodesRegex.empty()) {
    // Anchored: `conv1` excludes the node conv1, not conv10.
    llvm::Regex regex(("^(" + excludeNodesRegex + ")$").str());
    std::string regexError;
    if (!regex.isValid(regexError)) {
      error = ("invalid exclude-nodes regex '" + excludeNodesRegex +
               "': " + regexError)
                  .str();
      return failure();
    }
    selection.excludeNodes = std::move(regex);
  }
  for (const std::string &type : excludeOpTypes)
    selection.excludeOpTypes.insert(StringRef(type).trim().lower());
  return selection;
}

/// Whether `op` sits in a module that a precision plan was applied to.
static bool isInPlannedModule(Operation *op) {
  for (auto module = op->getParentOfType<ModuleOp>(); module;
       module = module->getParentOfType<ModuleOp>())
    if (module->hasAttr(kPrecisionPlanAttrName))
      return true;
  return false;
}

bool OpSelection::isPlannedElsewhere(Operation *op) const {
  if (auto precision = op->getAttrOfType<StringAttr>(kPrecisionAttrName))
    return !precisions.contains(precision.getValue());
  return isInPlannedModule(op);
}

bool OpSelection::isSelected(Operation *op) const {
  if (auto precision = op->getAttrOfType<StringAttr>(kPrecisionAttrName)) {
    if (!precisions.contains(precision.getValue()))
      return false;
  } else if (isInPlannedModule(op)) {
    return false;
  }
  if (!excludeOpTypes.empty() &&
      excludeOpTypes.contains(StringRef(getONNXOpType(op)).lower()))
    return false;
  if (excludeNodes) {
    StringRef name = getNodeName(op);
    if (!name.empty() && excludeNodes->match(name))
      return false;
  }
  return true;
}

LogicalResult OpSelection::keepFloat(Operation *op, StringRef reason) const {
  StringRef name = getNodeName(op);
  std::string subject =
      name.empty() ? "'" + op->getName().getStringRef().str() + "'"
                   : "node '" + name.str() + "'";
  if (strict)
    return op->emitError() << subject << " cannot be quantized: " << reason;
  op->emitRemark() << subject << " stays float: " << reason;
  op->setAttr(kKeptFloatAttrName, StringAttr::get(op->getContext(), reason));
  return success();
}
