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

/// How `ModelSummary::print` lays out the figures.
enum class SummaryFormat {
  /// One fact per line (`op conv 2`, `params 1234`, `bytes f32 4936`),
  /// sorted: the stable form tests and scripts compare.
  Lines,
  /// Aligned tables with thousands separators, for a terminal.
  Table,
  /// One JSON object: {"ops": {...}, "params": N, "bytes": {...},
  /// "bytes_total": N}.
  JSON,
};

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

  /// Sum of `bytesByElementType`.
  int64_t getTotalBytes() const;
  /// Number of ops counted in `opCounts`.
  int64_t getTotalOps() const;

  /// Prints the summary in `format`. The default stays the line form, which
  /// the `nb-print-model-summary` pass and lit tests rely on.
  void print(llvm::raw_ostream &os,
             SummaryFormat format = SummaryFormat::Lines) const;
};

} // namespace mlir::nb

#endif // NIBBLE_ANALYSIS_MODELSUMMARY_H
