//===- NBOps.cpp - nb op verifiers, folders and builders ------------------===//
#include "nibble/Dialect/NB/IR/NBOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::nb;

#define GET_OP_CLASSES
#include "nibble/Dialect/NB/IR/NBOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }
