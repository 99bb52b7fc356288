//===- ProxySensitivity.h - sensitivity estimated without a run -*- C++ -*-===//
//
// The proxy sensitivity of one op at one precision: the weight's rounding
// noise for that precision plus, for precisions that quantize activations,
// the rounding noise the calibrated ranges imply, as an output SQNR
// (docs/precision-plan.md, "Sensitivity"). It needs only the IR, so it is
// both a library function (nibble quantize --auto --sensitivity proxy) and
// the pass nb-annotate-sensitivity; this library does not link the JIT.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PRECISION_PROXYSENSITIVITY_H
#define NIBBLE_PRECISION_PROXYSENSITIVITY_H

#include "nibble/Precision/PrecisionPlan.h"

#include "mlir/IR/Operation.h"
#include "llvm/Support/Error.h"

namespace nibble::precision {

/// SQNR reported for outputs equal to the reference (no noise at all); a
/// finite value keeps plans and tables printable as JSON.
constexpr double kExactSQNRDB = 300.0;

/// Whether `op` is a Conv, ConvTranspose, MatMul or Gemm with a constant
/// weight (operand 1): the ops a precision is chosen for.
bool isQuantizableOp(mlir::Operation *op);

/// The proxy's estimate for one op and precision without running the model
/// (the op's operands and result should carry the calibration table's
/// nb.calibrated_range / nb.range; see docs/precision-plan.md for the
/// formula). Max abs is not estimated (0). Errors: a weight that is not a
/// constant of static shape and rank >= 2.
llvm::Expected<OutputError> estimateProxyError(mlir::Operation *op,
                                               const Precision &precision);

} // namespace nibble::precision

#endif // NIBBLE_PRECISION_PROXYSENSITIVITY_H
