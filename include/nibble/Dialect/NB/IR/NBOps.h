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

#define GET_OP_CLASSES
#include "nibble/Dialect/NB/IR/NBOps.h.inc"

#endif // NIBBLE_DIALECT_NB_IR_NBOPS_H
