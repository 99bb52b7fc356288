//===- CPUApproximateMath.cpp - nb-cpu-approximate-math -------------------===//
#include "nibble/Pipelines/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::nb {
#define GEN_PASS_DEF_CPUAPPROXIMATEMATH
#include "nibble/Pipelines/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

namespace {
struct CPUApproximateMathPass
    : public nb::impl::CPUApproximateMathBase<CPUApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The upstream patterns match f32 (scalar or vector) operands only.
    populatePolynomialApproximateTanhPattern(patterns);
    populatePolynomialApproximateErfPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
