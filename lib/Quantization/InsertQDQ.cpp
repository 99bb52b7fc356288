//===- InsertQDQ.cpp - nb-insert-qdq ----------------------------------------===//
//
// PLACEHOLDER: being written; fails loudly until then.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

namespace mlir::nb {
#define GEN_PASS_DEF_INSERTQDQ
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

namespace {
struct InsertQDQPass : public nb::impl::InsertQDQBase<InsertQDQPass> {
  using InsertQDQBase::InsertQDQBase;
  void runOnOperation() override {
    getOperation()->emitError("nb-insert-qdq is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
