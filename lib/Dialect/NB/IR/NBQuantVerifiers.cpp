//===- NBQuantVerifiers.cpp - verifiers of the quantization ops -----------===//
//
// QuantizeLinear and DequantizeLinear come in two forms: ONNX's (integer
// storage tensors, parameters only in the scale/zero_point operands) and a
// quant-typed one (`!quant.uniform` on the quantized side), whose storage
// and expressed types must match the operands and whose parameters must
// match constant scale/zero_point operands.
//
//===----------------------------------------------------------------------===//
#include "NBOpsUtils.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBQuantUtils.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::detail;

/// Checks shared by Q and DQ. `quantized` is the storage-side value (Q's
/// result, DQ's input), `real` the float side.
static LogicalResult verifyQDQ(Operation *op, Value quantized, Value real,
                               Value scale, Value zeroPoint, int64_t axis,
                               int64_t blockSize) {
  Type scaleType = getElementType(scale);
  if (!isa<FloatType>(scaleType))
    return op->emitOpError("scale must be a float tensor, got ")
           << scale.getType();
  if (blockSize < 0)
    return op->emitOpError("block_size must be non-negative, got ")
           << blockSize;
  auto scaleShape = shapeOf(scale);
  auto dataShape = shapeOf(real);
  if (zeroPoint) {
    auto zeroPointShape = shapeOf(zeroPoint);
    if (scaleShape && zeroPointShape && *scaleShape != *zeroPointShape)
      return op->emitOpError("zero_point shape must match the scale shape");
  }
  bool perTensor =
      scaleShape &&
      (scaleShape->empty() ||
       (scaleShape->size() == 1 && (*scaleShape)[0] == 1 && blockSize == 0));
  if (scaleShape && !perTensor && dataShape) {
    int64_t rank = dataShape->size();
    std::optional<int64_t> normalized = normalizeAxis(axis, rank);
    if (!normalized)
      return op->emitOpError("axis ")
             << axis << " is out of range for rank " << rank;
    if (blockSize == 0) {
      if (scaleShape->size() != 1)
        return op->emitOpError("per-axis scale must be 1-D, got ")
               << scale.getType();
      int64_t dim = (*dataShape)[*normalized], count = (*scaleShape)[0];
      if (!ShapedType::isDynamic(dim) && !ShapedType::isDynamic(count) &&
          dim != count)
        return op->emitOpError("per-axis scale has ")
               << count << " values for axis size " << dim;
    } else {
      if (static_cast<int64_t>(scaleShape->size()) != rank)
        return op->emitOpError("blocked scale must have the input's rank ")
               << rank;
      for (int64_t i = 0; i < rank; ++i) {
        int64_t d = (*dataShape)[i], s = (*scaleShape)[i];
        if (ShapedType::isDynamic(d) || ShapedType::isDynamic(s))
          continue;
        int64_t expected =
            i == *normalized ? (d + blockSize - 1) / blockSize : d;
        if (s != expected)
          return op->emitOpError("blocked scale dim ")
                 << i << " is " << s << ", expected " << expected;
      }
    }
  }

  Type storage = getElementType(quantized);
  auto quantType = dyn_cast<quant::QuantizedType>(storage);
  if (!quantType) {
    if (!isa<IntegerType>(storage) && !isa<FloatType>(storage))
      return op->emitOpError("quantized side must have an integer, float8 or "
                             "quant element type, got ")
             << quantized.getType();
    if (zeroPoint && getElementType(zeroPoint) != storage)
      return op->emitOpError("quantized element type ")
             << storage << " must match the zero_point element type "
             << getElementType(zeroPoint);
    return success();
  }

  if (zeroPoint && !storageTypeMatches(quantType, getElementType(zeroPoint)))
    return op->emitOpError("quant storage type of ")
           << quantType << " does not match the zero_point element type "
           << getElementType(zeroPoint);
  if (quantType.getExpressedType() != scaleType)
    return op->emitOpError("quant expressed type of ")
           << quantType << " does not match the scale element type "
           << scaleType;
  DenseElementsAttr scaleAttr = getConstantElements(scale);
  DenseElementsAttr zeroPointAttr = getConstantElements(zeroPoint);
  if (!scaleAttr || (zeroPoint && !zeroPointAttr))
    return success();
  std::string reason;
  Type storageForParams =
      zeroPoint
          ? getElementType(zeroPoint)
          : IntegerType::get(op->getContext(),
                             quantType.getStorageTypeIntegralWidth(),
                             quantType.isSigned() ? IntegerType::Signless
                                                  : IntegerType::Unsigned);
  quant::QuantizedType expected = getQuantTypeForQDQ(
      storageForParams, scaleAttr, zeroPointAttr, axis, blockSize,
      dyn_cast<ShapedType>(real.getType()), reason);
  if (!expected)
    return op->emitOpError("scale and zero_point cannot be expressed as a "
                           "quant type (")
           << reason << ") but the quantized side is " << quantType;
  if (!quantTypesMatch(expected, quantType))
    return op->emitOpError("quant type ")
           << quantType << " does not match the constant scale and "
           << "zero_point, expected " << expected;
  return success();
}

LogicalResult QuantizeLinearOp::verify() {
  Type inputType = getElementType(getInput());
  if (!isa<FloatType>(inputType) && !isIntOfWidth(inputType, 32))
    return emitOpError("input must be a float or i32 tensor, got ")
           << getInput().getType();
  if (failed(verifyQDQ(*this, getOutput(), getInput(), getScale(),
                       getZeroPoint(), getAxis(), getBlockSize())))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult DequantizeLinearOp::verify() {
  if (getElementType(getOutput()) != getElementType(getScale()))
    return emitOpError("result element type must match the scale, got ")
           << getElementType(getOutput()) << " and "
           << getElementType(getScale());
  if (failed(verifyQDQ(*this, getInput(), getOutput(), getScale(),
                       getZeroPoint(), getAxis(), getBlockSize())))
    return failure();
  return verifyInferredResultShapes(*this);
}

LogicalResult DynamicQuantizeLinearOp::verify() {
  if (!getElementType(getInput()).isF32())
    return emitOpError("input must be a tensor of f32, got ")
           << getInput().getType();
  return verifyInferredResultShapes(*this);
}
