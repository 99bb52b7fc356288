//===- RangeAnalysisUtils.h - Internals of FloatRangeAnalysis ---*- C++ -*-===//
//
// Interval helpers shared by the transfer functions in RangeAnalysis.cpp and
// the linear-op rules in LinearRanges.cpp. Not part of the public API.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_LIB_ANALYSIS_RANGEANALYSISUTILS_H
#define NIBBLE_LIB_ANALYSIS_RANGEANALYSISUTILS_H

#include "nibble/Analysis/RangeAnalysis.h"

namespace mlir::nb::range_detail {

/// a * b where a zero factor gives 0 even against an infinite bound.
double mulBound(double a, double b);
FloatInterval mul(const FloatInterval &a, const FloatInterval &b);
FloatInterval add(const FloatInterval &a, const FloatInterval &b);
FloatInterval neg(const FloatInterval &a);
/// Unbounded when `b` contains 0.
FloatInterval div(const FloatInterval &a, const FloatInterval &b);

/// Widens a finite `r` by the rounding error of `terms` floating-point
/// operations of the result's element type on values of magnitude up to
/// `magnitude` (and |r|). Integer results are returned unchanged.
FloatInterval widenForRounding(const FloatInterval &r, double magnitude,
                               int64_t terms, Type resultType);

/// Element values of an nb.constant (dense or dense_resource), as doubles.
std::optional<SmallVector<double>> getConstantValues(Value value);

/// Result intervals of matmul/gemm/conv, batch_norm, layer_norm and the
/// integer matmul/conv ops; std::nullopt for other ops.
std::optional<SmallVector<FloatInterval>>
linearOpRanges(Operation *op, llvm::function_ref<FloatInterval(unsigned)> in);

} // namespace mlir::nb::range_detail

#endif // NIBBLE_LIB_ANALYSIS_RANGEANALYSISUTILS_H
