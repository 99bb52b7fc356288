//===- ApplyPrecisionPlan.cpp - nb-apply-precision-plan --------------------===//
//
// Turns a precision plan (docs/precision-plan.md) into `nb.precision`
// attributes. The scheme passes then read them through OpSelection, so a
// mixed-precision program is the ordinary scheme passes run one after the
// other, each on its own ops (nb-quantize-mixed).
//
// This is an annotation, not a rewrite: one walk collects the ops of each
// ONNX node, and the plan's entries are checked against it as a whole so
// that every bad entry is reported, not only the first.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Precision/PrecisionPlan.h"
#include "nibble/Quantization/OpSelection.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::nb {
#define GEN_PASS_DEF_APPLYPRECISIONPLAN
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::quantization;
using nibble::precision::Precision;
using nibble::precision::PrecisionKind;
using nibble::precision::PrecisionPlan;

namespace {

/// The ops the weight-only and dynamic schemes can take.
bool isWeightedContraction(Operation *op) {
  return isa<ConvOp, MatMulOp, GemmOp>(op);
}

/// The ops a plan's `default` applies to.
bool isQuantizableOp(Operation *op) {
  return isa<ConvOp, ConvTransposeOp, MatMulOp, GemmOp>(op);
}

/// Whether some op of a node can take `precision`: weight-only and dynamic
/// quantization exist for weighted contractions only; the static, float8
/// and half schemes also take the ops between them.
bool canTake(ArrayRef<Operation *> ops, const Precision &precision) {
  if (!precision.isWeightOnly() &&
      precision.kind != PrecisionKind::Int8Dynamic)
    return true;
  return llvm::any_of(ops, isWeightedContraction);
}

struct ApplyPrecisionPlanPass
    : public nb::impl::ApplyPrecisionPlanBase<ApplyPrecisionPlanPass> {
  using ApplyPrecisionPlanBase::ApplyPrecisionPlanBase;

  void runOnOperation() override;

  /// An op the plan keeps in fp32 is listed by `nibble report` with the
  /// other ops left in float, with the plan as the reason.
  static void markFloat32(Operation *op, const Precision &precision) {
    if (precision.isFloat32() && isQuantizableOp(op) &&
        !op->hasAttr(kKeptFloatAttrName))
      op->setAttr(kKeptFloatAttrName,
                  StringAttr::get(op->getContext(), "precision plan: fp32"));
  }

  /// Sets `nb.precision` on `op` unless it carries another one already.
  LogicalResult setPrecision(Operation *op, StringRef node,
                             const Precision &precision) {
    StringAttr name =
        StringAttr::get(op->getContext(), precision.getName());
    if (auto existing = op->getAttrOfType<StringAttr>(kPrecisionAttrName)) {
      if (existing == name)
        return success();
      return op->emitError() << "node '" << node << "' already has "
                             << kPrecisionAttrName << " = \""
                             << existing.getValue() << "\"; the plan says \""
                             << name.getValue() << "\"";
    }
    op->setAttr(kPrecisionAttrName, name);
    markFloat32(op, precision);
    return success();
  }
};

void ApplyPrecisionPlanPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (planPath.empty()) {
    module.emitError("nb-apply-precision-plan: give the plan file "
                     "(plan=FILE)");
    return signalPassFailure();
  }
  llvm::Expected<PrecisionPlan> plan = PrecisionPlan::load(planPath);
  if (!plan) {
    module.emitError("nb-apply-precision-plan: ")
        << llvm::toString(plan.takeError());
    return signalPassFailure();
  }

  // The ops of each ONNX node, in program order.
  llvm::MapVector<StringRef, SmallVector<Operation *, 2>> opsByNode;
  module.walk([&](Operation *op) {
    if (op->getDialect() && isa<NBDialect>(op->getDialect()))
      if (StringRef node = getNodeName(op); !node.empty())
        opsByNode[node].push_back(op);
  });

  bool failed = false;
  for (const nibble::precision::PlanEntry &entry : plan->entries) {
    auto it = opsByNode.find(entry.node);
    if (it == opsByNode.end()) {
      module.emitError() << "precision plan '" << planPath << "': node '"
                         << entry.node << "' is not in the module";
      failed = true;
      continue;
    }
    ArrayRef<Operation *> ops = it->second;
    if (!entry.opType.empty() &&
        llvm::none_of(ops, [&](Operation *op) {
          return StringRef(getONNXOpType(op)).equals_insensitive(
              entry.opType);
        })) {
      ops.front()->emitError()
          << "precision plan '" << planPath << "': node '" << entry.node
          << "' is a " << getONNXOpType(ops.front()) << ", the plan says "
          << entry.opType << " (a plan for another model?)";
      failed = true;
      continue;
    }
    if (!canTake(ops, entry.precision)) {
      ops.front()->emitError()
          << "precision plan '" << planPath << "': node '" << entry.node
          << "' (" << getONNXOpType(ops.front()) << ") cannot take "
          << entry.precision.getName()
          << ": it applies to Conv, MatMul and Gemm with constant weights";
      failed = true;
      continue;
    }
    for (Operation *op : ops)
      failed |= ::mlir::failed(setPrecision(op, entry.node, entry.precision));
  }
  if (failed)
    return signalPassFailure();

  // The default covers the quantizable ops no entry named, so that a plan
  // listing some ops still says what happens to all of them.
  StringAttr defaultName =
      StringAttr::get(&getContext(), plan->defaultPrecision.getName());
  module.walk([&](Operation *op) {
    if (isQuantizableOp(op) && !op->hasAttr(kPrecisionAttrName)) {
      op->setAttr(kPrecisionAttrName, defaultName);
      markFloat32(op, plan->defaultPrecision);
    }
  });
  module->setAttr(kPrecisionPlanAttrName,
                  StringAttr::get(&getContext(), plan->model.empty()
                                                     ? StringRef(planPath)
                                                     : StringRef(plan->model)));
}

} // namespace
