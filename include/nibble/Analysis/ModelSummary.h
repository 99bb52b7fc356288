//===- ModelSummary.h - what a model holds ----------------------*- C++ -*-===//
//
// Ops by type, parameter count and bytes per precision of a module: the
// figures `nibble summary` prints and that quantization reports compare.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_ANALYSIS_MODELSUMMARY_H
#define NIBBLE_ANALYSIS_MODELSUMMARY_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <map>
#include <string>

namespace mlir::nb {

struct ModelSummary {
  /// Op name (without the dialect prefix for `nb` ops) to count.
  std::map<std::string, int64_t> opCounts;
  /// Elements held in constants of rank >= 1 (weights, biases, tables).
  int64_t parameterCount = 0;
  /// Bytes of those constants by element type name (`f32`, `i8`, `i4`, ...).
  /// Sub-byte types count packed (two i4 per byte).
  std::map<std::string, int64_t> bytesByElementType;

  /// Walks `root` (a module or function) and fills a summary.
  static ModelSummary compute(Operation *root);

  /// Stable plain-text form, one fact per line (`op conv 2`, `params 1234`,
  /// `bytes f32 4936`), sorted, so tests and scripts can compare it.
  void print(llvm::raw_ostream &os) const;
};

} // namespace mlir::nb

#endif // NIBBLE_ANALYSIS_MODELSUMMARY_H
