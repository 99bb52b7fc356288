//===- AnnotateRanges.cpp - nb-annotate-ranges ----------------------------===//
//
// Writes the intervals FloatRangeAnalysis proves as discardable attributes,
// so that nibble-opt shows them and quantization passes can read them
// without rerunning the solver.
//
//===----------------------------------------------------------------------===//

#include "nibble/Analysis/RangeAnalysis.h"
#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

#include "mlir/Analysis/DataFlow/ConstantPropagationAnalysis.h"
#include "mlir/Analysis/DataFlow/DeadCodeAnalysis.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::nb {
#define GEN_PASS_DEF_ANNOTATERANGES
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

namespace {
/// "ONNX node 'name'" for importer locations, else the op name.
std::string describeNode(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return ("ONNX node '" + name.getName().getValue() + "'").str();
  return ("'" + op->getName().getStringRef() + "'").str();
}

struct AnnotateRangesPass
    : public impl::AnnotateRangesBase<AnnotateRangesPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(verifyArgumentRangeAttrs(getOperation())))
      return signalPassFailure();
    DataFlowSolver solver;
    solver.load<dataflow::DeadCodeAnalysis>();
    solver.load<dataflow::SparseConstantPropagation>();
    solver.load<FloatRangeAnalysis>();
    if (failed(solver.initializeAndRun(getOperation())))
      return signalPassFailure();

    Builder b(&getContext());
    auto rangeAttr = [&](Value v) {
      FloatInterval r = getProvedRange(solver, v);
      return b.getDenseF64ArrayAttr({r.lo(), r.hi()});
    };
    getOperation().walk([&](Operation *op) {
      if (!isa<NBDialect>(op->getDialect()) || op->getNumResults() == 0)
        return;
      if (op->getNumResults() == 1) {
        op->setAttr(kRangeAttrName, rangeAttr(op->getResult(0)));
      } else {
        SmallVector<Attribute> ranges;
        for (Value result : op->getResults())
          ranges.push_back(rangeAttr(result));
        op->setAttr(kResultRangesAttrName, b.getArrayAttr(ranges));
      }
      std::optional<AccumulatorBound> bound =
          computeAccumulatorBound(op, solver);
      if (!bound)
        return;
      op->setAttr(kAccumulatorBoundAttrName,
                  b.getI64IntegerAttr(bound->magnitude));
      if (!bound->mayOverflowInt32())
        return;
      op->setAttr(kAccumulatorMayOverflowAttrName, b.getUnitAttr());
      op->emitWarning() << "int32 accumulator of " << describeNode(op)
                        << " may overflow: worst-case |accumulator| "
                        << bound->magnitude << " over " << bound->reductionSize
                        << " products exceeds 2147483647";
    });
  }
};
} // namespace
} // namespace mlir::nb
