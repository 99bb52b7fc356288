//===- NBOps.h - nb dialect ops ---------------------------------*- C++ -*-===//
#ifndef NIBBLE_DIALECT_NB_IR_NBOPS_H
#define NIBBLE_DIALECT_NB_IR_NBOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/IR/NBInterfaces.h.inc"

#define GET_OP_CLASSES
#include "nibble/Dialect/NB/IR/NBOps.h.inc"

namespace mlir::nb {
/// Meets a declared result type with an inferred one: the most refined tensor
/// type compatible with both (static dims win over dynamic ones, a ranked
/// type over an unranked one), or a null type if they conflict. A null
/// inferred element type keeps the declared element type.
Type refineType(Type declared, const ShapedTypeComponents &inferred);
} // namespace mlir::nb

#endif // NIBBLE_DIALECT_NB_IR_NBOPS_H
