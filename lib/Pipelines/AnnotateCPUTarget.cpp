//===- AnnotateCPUTarget.cpp - nb-annotate-cpu-target ---------------------===//
//
// Records the target on the module rather than passing it beside the module:
// the IR then says what it was tiled for, and the JIT compiles it for the
// same CPU without a second source of truth.
//
//===----------------------------------------------------------------------===//
#include "nibble/Pipelines/CPUTarget.h"
#include "nibble/Pipelines/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/TargetParser/Host.h"

namespace mlir::nb {
#define GEN_PASS_DEF_ANNOTATECPUTARGET
#include "nibble/Pipelines/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

namespace {
struct AnnotateCPUTargetPass
    : public nb::impl::AnnotateCPUTargetBase<AnnotateCPUTargetPass> {
  using AnnotateCPUTargetBase::AnnotateCPUTargetBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::Expected<nibble::CPUTarget> resolved =
        nibble::resolveCPUTarget(target);
    if (!resolved) {
      module.emitError() << llvm::toString(resolved.takeError());
      return signalPassFailure();
    }
    Builder builder(module.getContext());
    module->setAttr("llvm.target_triple",
                    builder.getStringAttr(llvm::sys::getProcessTriple()));
    module->setAttr(nibble::kTargetAttrName,
                    builder.getStringAttr(resolved->name));
    module->setAttr(nibble::kTargetCPUAttrName,
                    builder.getStringAttr(resolved->cpu));
    module->setAttr(nibble::kTargetFeaturesAttrName,
                    builder.getStringAttr(resolved->features));
    module->setAttr(nibble::kVectorBitsAttrName,
                    builder.getI64IntegerAttr(resolved->vectorBits));
  }
};
} // namespace
