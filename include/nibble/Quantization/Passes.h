//===- Passes.h - quantization passes ---------------------------*- C++ -*-===//
#ifndef NIBBLE_QUANTIZATION_PASSES_H
#define NIBBLE_QUANTIZATION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include <memory>

namespace mlir::nb {

#define GEN_PASS_DECL
#include "nibble/Quantization/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nibble/Quantization/Passes.h.inc"

} // namespace mlir::nb

#endif // NIBBLE_QUANTIZATION_PASSES_H
