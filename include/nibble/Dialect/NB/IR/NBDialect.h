//===- NBDialect.h - nb dialect ---------------------------------*- C++ -*-===//
#ifndef NIBBLE_DIALECT_NB_IR_NBDIALECT_H
#define NIBBLE_DIALECT_NB_IR_NBDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "nibble/Dialect/NB/IR/NBOpsDialect.h.inc"

#include "nibble/Dialect/NB/IR/NBOpsEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "nibble/Dialect/NB/IR/NBOpsAttributes.h.inc"

#endif // NIBBLE_DIALECT_NB_IR_NBDIALECT_H
