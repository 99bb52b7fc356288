//===- NBDialect.cpp - nb dialect registration ----------------------------===//
#include "nibble/Dialect/NB/IR/NBDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;

#include "nibble/Dialect/NB/IR/NBOpsDialect.cpp.inc"
#include "nibble/Dialect/NB/IR/NBOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "nibble/Dialect/NB/IR/NBOpsAttributes.cpp.inc"

void NBDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "nibble/Dialect/NB/IR/NBOpsAttributes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "nibble/Dialect/NB/IR/NBOps.cpp.inc"
      >();
}

Operation *NBDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
