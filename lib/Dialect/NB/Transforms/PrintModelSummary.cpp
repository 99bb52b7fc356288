//===- PrintModelSummary.cpp - nb-print-model-summary ---------------------===//
#include "nibble/Analysis/ModelSummary.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::nb {
#define GEN_PASS_DEF_PRINTMODELSUMMARY
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

namespace {
struct PrintModelSummaryPass
    : public impl::PrintModelSummaryBase<PrintModelSummaryPass> {
  using Base::Base;

  void runOnOperation() override {
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> output =
        openOutputFile(outputFile, &error);
    if (!output) {
      getOperation()->emitError() << "cannot open summary output: " << error;
      return signalPassFailure();
    }
    ModelSummary::compute(getOperation()).print(output->os());
    output->keep();
    markAllAnalysesPreserved();
  }
};
} // namespace
} // namespace mlir::nb
