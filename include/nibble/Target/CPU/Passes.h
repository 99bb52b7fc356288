//===- Passes.h - ahead-of-time CPU compilation passes ----------*- C++ -*-===//
#ifndef NIBBLE_TARGET_CPU_PASSES_H
#define NIBBLE_TARGET_CPU_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::nb {

#define GEN_PASS_DECL
#include "nibble/Target/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nibble/Target/CPU/Passes.h.inc"

} // namespace mlir::nb

#endif // NIBBLE_TARGET_CPU_PASSES_H
