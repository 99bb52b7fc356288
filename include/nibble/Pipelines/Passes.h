//===- Passes.h - CPU codegen passes ----------------------------*- C++ -*-===//
#ifndef NIBBLE_PIPELINES_PASSES_H
#define NIBBLE_PIPELINES_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::nb {

#define GEN_PASS_DECL
#include "nibble/Pipelines/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nibble/Pipelines/Passes.h.inc"

} // namespace mlir::nb

#endif // NIBBLE_PIPELINES_PASSES_H
