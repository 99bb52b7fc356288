//===- QuantizeDynamic.cpp - nb-quantize-dynamic ----------------------------------------===//
//
// PLACEHOLDER: being written; fails loudly until then.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

namespace mlir::nb {
#define GEN_PASS_DEF_QUANTIZEDYNAMIC
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

namespace {
struct QuantizeDynamicPass : public nb::impl::QuantizeDynamicBase<QuantizeDynamicPass> {
  using QuantizeDynamicBase::QuantizeDynamicBase;
  void runOnOperation() override {
    getOperation()->emitError("nb-quantize-dynamic is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
