//===- CPUFuseElementwise.cpp - nb-cpu-fuse-elementwise -------------------===//
#include "nibble/Pipelines/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::nb {
#define GEN_PASS_DEF_CPUFUSEELEMENTWISE
#include "nibble/Pipelines/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

/// Whether `op`'s payload reads the value of one of its init operands.
static bool readsInit(linalg::LinalgOp op) {
  return llvm::any_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
    return op.payloadUsesValueFromOperand(&init);
  });
}

/// Whether every iteration of the consumer reads a different element of the
/// fused operand, and every consumer loop is parallel. Only then does an
/// element of the fused op's iteration space correspond to exactly one
/// producer iteration.
static bool visitsEachProducerElementOnce(linalg::LinalgOp consumer,
                                          OpOperand *fusedOperand) {
  return consumer.getNumReductionLoops() == 0 &&
         consumer.getMatchingIndexingMap(fusedOperand).isPermutation();
}

/// Fuses single-use producers, except an init-reading producer into a
/// consumer that visits a producer element more than once (see the pass
/// description).
static bool shouldFuse(OpOperand *fusedOperand) {
  Operation *producer = fusedOperand->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto producerOp = dyn_cast<linalg::LinalgOp>(producer);
  auto consumerOp = dyn_cast<linalg::LinalgOp>(fusedOperand->getOwner());
  // Fusion keeps an init-reading producer's init as an output of the fused
  // op, indexed through the consumer's map. Where that map broadcasts (or
  // the consumer reduces), the fused op reads back its own write and applies
  // the update once per visit.
  if (producerOp && consumerOp && readsInit(producerOp) &&
      !visitsEachProducerElementOnce(consumerOp, fusedOperand))
    return false;
  return true;
}

namespace {
struct CPUFuseElementwisePass
    : public nb::impl::CPUFuseElementwiseBase<CPUFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, shouldFuse);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, shouldFuse);
    linalg::populateConstantFoldLinalgOperations(patterns, shouldFuse);
    // The cleanups fusion relies on to expose further fusions.
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
