//===- SpecializeShapeOperands.cpp - bind shape inputs as constants -------===//
#include "SpecializeShapeOperands.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBShapeOperands.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;
using namespace nibble;

static bool isSpecializableElementType(mlir::Type type) {
  if (auto integer = dyn_cast<mlir::IntegerType>(type))
    return integer.getWidth() >= 8 && integer.getWidth() <= 64 &&
           llvm::isPowerOf2_32(integer.getWidth());
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

SmallVector<unsigned>
nibble::getShapeOperandArguments(mlir::func::FuncOp func) {
  SmallVector<unsigned> arguments;
  for (mlir::BlockArgument argument : func.getArguments()) {
    auto type = dyn_cast<mlir::TensorType>(argument.getType());
    if (!type || !isSpecializableElementType(type.getElementType()))
      continue;
    if (llvm::any_of(argument.getUses(), [](mlir::OpOperand &use) {
          return mlir::nb::isShapeOperand(use);
        }))
      arguments.push_back(argument.getArgNumber());
  }
  return arguments;
}

bool nibble::canSpecializeOn(const HostArray &array) {
  return array.getNumElements() <= kMaxShapeOperandElements;
}

std::string nibble::getShapeOperandKey(ArrayRef<unsigned> arguments,
                                       ArrayRef<const HostArray *> inputs) {
  std::string key;
  for (unsigned index : arguments) {
    const HostArray &input = *inputs[index];
    if (!canSpecializeOn(input))
      continue;
    key += "|" + std::to_string(index) + "=" +
           toHex(ArrayRef<uint8_t>(input.data));
  }
  return key;
}

void nibble::specializeShapeOperands(mlir::func::FuncOp func,
                                     ArrayRef<unsigned> arguments,
                                     ArrayRef<const HostArray *> inputs) {
  mlir::OpBuilder builder = mlir::OpBuilder::atBlockBegin(&func.front());
  for (unsigned index : arguments) {
    const HostArray &input = *inputs[index];
    if (!canSpecializeOn(input))
      continue;
    mlir::BlockArgument argument = func.getArgument(index);
    auto type = cast<mlir::RankedTensorType>(argument.getType());
    // HostArray bytes are C-order little-endian, the layout of a dense
    // attribute's raw buffer for byte-sized elements.
    ArrayRef<char> raw(reinterpret_cast<const char *>(input.data.data()),
                       input.data.size());
    auto value = mlir::DenseElementsAttr::getFromRawBuffer(type, raw);
    auto constant = mlir::nb::ConstantOp::create(builder, argument.getLoc(),
                                                 type, value);
    argument.replaceUsesWithIf(constant, [](mlir::OpOperand &use) {
      return mlir::nb::isShapeOperand(use);
    });
  }
}
