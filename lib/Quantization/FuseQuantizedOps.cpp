//===- FuseQuantizedOps.cpp - nb-fuse-quantized-ops ----------------------------------------===//
//
// PLACEHOLDER: being written; fails loudly until then.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

namespace mlir::nb {
#define GEN_PASS_DEF_FUSEQUANTIZEDOPS
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

namespace {
struct FuseQuantizedOpsPass : public nb::impl::FuseQuantizedOpsBase<FuseQuantizedOpsPass> {
  using FuseQuantizedOpsBase::FuseQuantizedOpsBase;
  void runOnOperation() override {
    getOperation()->emitError("nb-fuse-quantized-ops is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
