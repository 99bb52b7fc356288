//===- SpecializeShapeOperands.h - bind shape inputs as constants -*- C++ -*-===//
//
// Internal to lib/Execution. Graph inputs that feed shape-like operands
// (Slice starts, Reshape shape, Resize scales, ... see
// nibble/Dialect/NB/IR/NBShapeOperands.h) decide shapes and the structure of
// the code the lowering builds, so the JIT compiles one variant per value of
// them, the way it compiles one per input shape.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_EXECUTION_SPECIALIZESHAPEOPERANDS_H
#define NIBBLE_LIB_EXECUTION_SPECIALIZESHAPEOPERANDS_H

#include "nibble/Support/HostArray.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace nibble {

/// Inputs with more elements are data, not shape information: the JIT does
/// not specialize on them (their shape-like uses then fail to lower).
constexpr int64_t kMaxShapeOperandElements = 64;

/// The arguments of `func` that feed at least one shape-like operand and
/// have an element type the JIT specializes on: 8- to 64-bit integers of any
/// signedness, and f16/bf16/f32/f64 (Resize scales and roi).
llvm::SmallVector<unsigned> getShapeOperandArguments(mlir::func::FuncOp func);

/// Whether the JIT specializes on `array` when it binds a shape-operand
/// argument: at most kMaxShapeOperandElements elements.
bool canSpecializeOn(const HostArray &array);

/// The part of the compile-cache key that the values of the specialized
/// arguments among `arguments` (indices into `inputs`) contribute.
std::string getShapeOperandKey(llvm::ArrayRef<unsigned> arguments,
                               llvm::ArrayRef<const HostArray *> inputs);

/// Replaces the shape-like uses of each argument in `arguments` that
/// canSpecializeOn its input by an `nb.constant` of the input's values,
/// placed at the top of the entry block. Other uses keep reading the
/// argument, so the function's signature (the call ABI) is unchanged. The
/// argument types must already be specialized to the inputs' shapes.
void specializeShapeOperands(mlir::func::FuncOp func,
                             llvm::ArrayRef<unsigned> arguments,
                             llvm::ArrayRef<const HostArray *> inputs);

} // namespace nibble

#endif // NIBBLE_LIB_EXECUTION_SPECIALIZESHAPEOPERANDS_H
