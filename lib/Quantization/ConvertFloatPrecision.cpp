//===- ConvertFloatPrecision.cpp - nb-convert-float-precision ----------------------------------------===//
//
// PLACEHOLDER: being written; fails loudly until then.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

namespace mlir::nb {
#define GEN_PASS_DEF_CONVERTFLOATPRECISION
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

namespace {
struct ConvertFloatPrecisionPass : public nb::impl::ConvertFloatPrecisionBase<ConvertFloatPrecisionPass> {
  using ConvertFloatPrecisionBase::ConvertFloatPrecisionBase;
  void runOnOperation() override {
    getOperation()->emitError("nb-convert-float-precision is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
