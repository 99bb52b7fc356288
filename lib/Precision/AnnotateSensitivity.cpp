//===- AnnotateSensitivity.cpp - nb-annotate-sensitivity ------------------===//
//
// Writes the proxy sensitivity (ProxySensitivity.h) of every quantizable op
// onto the op, so that the analysis can be looked at, tested and consumed
// in IR without the driver. The pass is declared with the quantization
// passes (nibble/Quantization/Passes.td) but lives here, beside the proxy
// it exposes: the proxy reads weights through the quantization library,
// which must not depend back on this one.
//
//===----------------------------------------------------------------------===//
#include "nibble/Precision/ProxySensitivity.h"
#include "nibble/Quantization/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::nb {
#define GEN_PASS_DEF_ANNOTATESENSITIVITY
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace nibble::precision;

namespace {

struct AnnotateSensitivityPass
    : nb::impl::AnnotateSensitivityBase<AnnotateSensitivityPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<std::string> names(candidates.begin(), candidates.end());
    if (names.empty())
      names = {"int4-weight-g32", "int8", "fp16"};
    SmallVector<Precision> precisions;
    for (const std::string &name : names) {
      llvm::Expected<Precision> precision = Precision::parseName(name);
      if (!precision) {
        func.emitError() << "nb-annotate-sensitivity: candidate '" << name
                         << "': " << llvm::toString(precision.takeError());
        return signalPassFailure();
      }
      precisions.push_back(*precision);
    }

    Builder builder(&getContext());
    func.walk([&](Operation *op) {
      if (!isQuantizableOp(op))
        return;
      SmallVector<NamedAttribute> estimates;
      for (const Precision &precision : precisions) {
        llvm::Expected<OutputError> error = estimateProxyError(op, precision);
        if (!error) {
          // Not an error of the program: the op is simply not one the
          // proxy can estimate, and a plan keeps it float.
          op->emitWarning() << "no sensitivity estimated: "
                            << llvm::toString(error.takeError());
          return;
        }
        estimates.push_back(builder.getNamedAttr(
            precision.getName(), builder.getF64FloatAttr(error->sqnrDB)));
      }
      op->setAttr("nb.sensitivity", builder.getDictionaryAttr(estimates));
    });
  }
};

} // namespace
