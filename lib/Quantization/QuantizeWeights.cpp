//===- QuantizeWeights.cpp - nb-quantize-weights ----------------------------------------===//
//
// PLACEHOLDER: being written; fails loudly until then.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

namespace mlir::nb {
#define GEN_PASS_DEF_QUANTIZEWEIGHTS
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

namespace {
struct QuantizeWeightsPass : public nb::impl::QuantizeWeightsBase<QuantizeWeightsPass> {
  using QuantizeWeightsBase::QuantizeWeightsBase;
  void runOnOperation() override {
    getOperation()->emitError("nb-quantize-weights is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
