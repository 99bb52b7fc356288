//===- Passes.h - nb dialect passes -----------------------------*- C++ -*-===//
#ifndef NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_H
#define NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include <memory>

namespace mlir::nb {

#define GEN_PASS_DECL
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

} // namespace mlir::nb

#endif // NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_H
