//===- Passes.h - Nibble conversion passes ----------------------*- C++ -*-===//
#ifndef NIBBLE_CONVERSION_PASSES_H
#define NIBBLE_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::nb {

#define GEN_PASS_DECL
#include "nibble/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nibble/Conversion/Passes.h.inc"

} // namespace mlir::nb

#endif // NIBBLE_CONVERSION_PASSES_H
