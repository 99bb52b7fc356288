//===- IntegerLoweringUtils.cpp - integer and requantization helpers ------===//
#include "IntegerLoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

static IntegerType getSignlessIntType(IntegerType type) {
  return IntegerType::get(type.getContext(), type.getWidth());
}

Type lowering::getStorageType(Type type) {
  if (auto quantType = dyn_cast<quant::QuantizedType>(type))
    return IntegerType::get(type.getContext(),
                            quantType.getStorageTypeIntegralWidth(),
                            quantType.isSigned() ? IntegerType::Signless
                                                 : IntegerType::Unsigned);
  if (auto shaped = dyn_cast<RankedTensorType>(type)) {
    Type element = getStorageType(shaped.getElementType());
    return element == shaped.getElementType() ? type : shaped.clone(element);
  }
  return type;
}

Type lowering::getSignlessType(Type type) {
  if (auto quantType = dyn_cast<quant::QuantizedType>(type))
    return IntegerType::get(type.getContext(),
                            quantType.getStorageTypeIntegralWidth());
  if (auto intType = dyn_cast<IntegerType>(type))
    return intType.isSignless() ? type : getSignlessIntType(intType);
  if (auto shaped = dyn_cast<RankedTensorType>(type)) {
    Type element = getSignlessType(shaped.getElementType());
    return element == shaped.getElementType() ? type : shaped.clone(element);
  }
  return type;
}

FailureOr<Value> lowering::getSignlessTensor(PatternRewriter &rewriter,
                                             Operation *op, Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return rewriter.notifyMatchFailure(op, "operand is unranked");
  auto signlessType = cast<RankedTensorType>(getSignlessType(type));
  if (signlessType == type)
    return value;
  // A constant (nb.constant already lowered to arith.constant) is re-typed.
  Attribute attr;
  if (matchPattern(value, m_Constant(&attr))) {
    if (auto dense = dyn_cast<DenseElementsAttr>(attr))
      return arith::ConstantOp::create(
                 rewriter, value.getLoc(),
                 dense.bitcast(signlessType.getElementType()))
          .getResult();
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
      return arith::ConstantOp::create(
                 rewriter, value.getLoc(),
                 DenseResourceElementsAttr::get(signlessType,
                                                resource.getRawHandle()))
          .getResult();
  }
  return rewriter.notifyMatchFailure(
      op, "operand has a signed/unsigned integer type; the signless type "
          "conversion of convert-nb-to-linalg must run first");
}

Value lowering::convertScalar(OpBuilder &b, Location loc, Value value,
                              Type sourceType, Type targetType) {
  Type valueType = value.getType();
  if (valueType == targetType)
    return value;
  sourceType = getStorageType(sourceType);
  bool isUnsigned = sourceType.isUnsignedInteger();
  if (auto targetInt = dyn_cast<IntegerType>(targetType)) {
    if (isa<FloatType>(valueType))
      return isUnsigned || targetType.isUnsignedInteger()
                 ? arith::FPToUIOp::create(b, loc, targetType, value)
                       .getResult()
                 : arith::FPToSIOp::create(b, loc, targetType, value)
                       .getResult();
    unsigned from = valueType.getIntOrFloatBitWidth();
    if (from > targetInt.getWidth())
      return arith::TruncIOp::create(b, loc, targetType, value);
    if (isUnsigned)
      return arith::ExtUIOp::create(b, loc, targetType, value);
    return arith::ExtSIOp::create(b, loc, targetType, value);
  }
  auto targetFloat = cast<FloatType>(targetType);
  if (isa<IntegerType>(valueType))
    return isUnsigned
               ? arith::UIToFPOp::create(b, loc, targetType, value).getResult()
               : arith::SIToFPOp::create(b, loc, targetType, value).getResult();
  if (valueType.getIntOrFloatBitWidth() < targetFloat.getWidth())
    return arith::ExtFOp::create(b, loc, targetType, value);
  return arith::TruncFOp::create(b, loc, targetType, value);
}

std::pair<int64_t, int64_t> lowering::getIntegerRange(IntegerType type) {
  unsigned width = type.getWidth();
  if (type.isUnsigned())
    return {0, static_cast<int64_t>((uint64_t(1) << width) - 1)};
  int64_t half = int64_t(1) << (width - 1);
  return {-half, half - 1};
}

Value lowering::roundAndSaturate(OpBuilder &b, Location loc, Value value,
                                 IntegerType storageType) {
  auto floatType = cast<FloatType>(value.getType());
  if (floatType.getWidth() < 32) {
    floatType = b.getF32Type();
    value = arith::ExtFOp::create(b, loc, floatType, value);
  }
  // f32 represents every bound of types up to 24 bits exactly.
  if (storageType.getWidth() > 24 && floatType.getWidth() < 64) {
    floatType = b.getF64Type();
    value = arith::ExtFOp::create(b, loc, floatType, value);
  }
  auto [qmin, qmax] = getIntegerRange(storageType);
  Value rounded = math::RoundEvenOp::create(b, loc, value);
  Value lower = arith::ConstantOp::create(
      b, loc, floatType, b.getFloatAttr(floatType, static_cast<double>(qmin)));
  Value upper = arith::ConstantOp::create(
      b, loc, floatType, b.getFloatAttr(floatType, static_cast<double>(qmax)));
  Value clamped = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, rounded, lower), upper);
  // Convert through a type wide enough for the unsigned range, then
  // truncate: fptosi of 255 to i8 would be out of range.
  unsigned wideWidth = storageType.getWidth() >= 32 ? 64 : 32;
  Value wide = arith::FPToSIOp::create(b, loc, b.getIntegerType(wideWidth),
                                       clamped);
  return arith::TruncIOp::create(
      b, loc, getSignlessIntType(storageType), wide);
}

FailureOr<AffineMap> lowering::getParameterMap(
    Type parameterType, unsigned numDims, std::optional<unsigned> vectorDim,
    int64_t vectorSize) {
  auto type = dyn_cast<RankedTensorType>(parameterType);
  if (!type)
    return failure();
  MLIRContext *ctx = type.getContext();
  if (type.hasStaticShape() && type.getNumElements() == 1) {
    SmallVector<AffineExpr> zeros(type.getRank(),
                                  getAffineConstantExpr(0, ctx));
    return AffineMap::get(numDims, 0, zeros, ctx);
  }
  if (type.getRank() != 1 || !vectorDim)
    return failure();
  if (!ShapedType::isDynamic(type.getDimSize(0)) &&
      !ShapedType::isDynamic(vectorSize) && type.getDimSize(0) != vectorSize)
    return failure();
  return AffineMap::get(numDims, 0, getAffineDimExpr(*vectorDim, ctx), ctx);
}

bool lowering::hasQuantElementTypes(Operation *op) {
  auto isQuant = [](Type type) {
    return isa<quant::QuantizedType>(getElementTypeOrSelf(type));
  };
  return llvm::any_of(op->getOperandTypes(), isQuant) ||
         llvm::any_of(op->getResultTypes(), isQuant);
}
