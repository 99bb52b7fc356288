//===- PlanCurve.h - the size/error plot of the plans considered -*- C++
//-*-===//
//
// `nibble quantize --auto` writes an SVG beside its output: parameter size
// against output SQNR for every plan the search went through (the search's
// estimates as a path, the checked and uniform plans as measured points,
// the chosen one in red) and the target as a line where it is a size or an
// SQNR (docs/precision-plan.md, "Report"; an example in docs/images/).
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PRECISION_PLANCURVE_H
#define NIBBLE_PRECISION_PLANCURVE_H

#include "nibble/Precision/Assignment.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace nibble::precision {

/// Writes the plot as a standalone SVG document. `chosen` (may be null)
/// points into `plans`. SQNRs above 100 dB (equal outputs) are drawn at
/// 100. Text is XML-escaped.
void writePlanCurveSVG(llvm::raw_ostream &os,
                       llvm::ArrayRef<ConsideredPlan> plans,
                       const ConsideredPlan *chosen,
                       const AssignmentTarget &target, llvm::StringRef title);

} // namespace nibble::precision

#endif // NIBBLE_PRECISION_PLANCURVE_H
