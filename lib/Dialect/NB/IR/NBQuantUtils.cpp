//===- NBQuantUtils.cpp - ONNX Q/DQ parameters as quant types -------------===//
#include "nibble/Dialect/NB/IR/NBQuantUtils.h"

#include "mlir/IR/BuiltinTypes.h"
#include <cmath>

using namespace mlir;
using namespace mlir::nb;

static SmallVector<double> toDoubles(DenseElementsAttr attr) {
  SmallVector<double> values;
  for (const APFloat &v : attr.getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

static SmallVector<int64_t> toInts(DenseElementsAttr attr, int64_t count) {
  SmallVector<int64_t> values;
  if (!attr) {
    values.assign(count, 0);
    return values;
  }
  bool isUnsigned = attr.getElementType().isUnsignedInteger();
  for (const APInt &v : attr.getValues<APInt>())
    values.push_back(isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                                : v.getSExtValue());
  return values;
}

quant::QuantizedType mlir::nb::getQuantTypeForQDQ(
    Type storageType, DenseElementsAttr scale, DenseElementsAttr zeroPoint,
    int64_t axis, int64_t blockSize, ShapedType dataType, std::string &reason) {
  auto storage = dyn_cast<IntegerType>(storageType);
  if (!storage) {
    reason = "storage type is not an integer (upstream quant types have no "
             "float8 or other float storage)";
    return {};
  }
  if (storage.getWidth() > 32) {
    reason = "storage type is wider than 32 bits";
    return {};
  }
  if (!scale || !isa<FloatType>(scale.getElementType())) {
    reason = "scale is not a constant float tensor";
    return {};
  }
  if (zeroPoint &&
      (zeroPoint.getElementType() != storageType ||
       zeroPoint.getType().getShape() != scale.getType().getShape())) {
    reason = "zero point type or shape does not match the scale";
    return {};
  }
  MLIRContext *ctx = storageType.getContext();
  bool isSigned = !storage.isUnsigned();
  unsigned width = storage.getWidth();
  int64_t min =
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, width);
  int64_t max =
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned, width);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type expressed = scale.getElementType();
  Type signlessStorage = IntegerType::get(ctx, width);

  SmallVector<double> scales = toDoubles(scale);
  SmallVector<int64_t> zeroPoints = toInts(zeroPoint, scales.size());
  for (double s : scales) {
    if (!(s > 0.0) || !std::isfinite(s)) {
      reason = "scales must be positive and finite";
      return {};
    }
  }
  for (int64_t z : zeroPoints) {
    if (z < min || z > max) {
      reason = "zero point is outside the storage range";
      return {};
    }
  }

  if (blockSize == 0 && scale.getNumElements() == 1 &&
      scale.getType().getRank() <= 1)
    return quant::UniformQuantizedType::get(flags, signlessStorage, expressed,
                                            scales[0], zeroPoints[0], min, max);

  auto ranked = dyn_cast_if_present<RankedTensorType>(dataType);
  if (!ranked) {
    reason = "per-axis and blocked parameters need a ranked tensor";
    return {};
  }
  int64_t rank = ranked.getRank();
  if (axis < -rank || axis >= rank) {
    reason = "axis is out of range";
    return {};
  }
  if (axis < 0)
    axis += rank;
  int64_t dim = ranked.getDimSize(axis);

  if (blockSize == 0) {
    if (scale.getType().getRank() != 1 ||
        (!ShapedType::isDynamic(dim) && dim != scale.getNumElements())) {
      reason = "per-axis scale must be 1-D with one value per slice";
      return {};
    }
    return quant::UniformQuantizedPerAxisType::get(
        flags, signlessStorage, expressed, scales, zeroPoints, axis, min, max);
  }

  if (scale.getType().getRank() != rank) {
    reason = "blocked scale must have the input's rank";
    return {};
  }
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = ranked.getDimSize(i), s = scale.getType().getDimSize(i);
    if (ShapedType::isDynamic(d)) {
      reason = "blocked quantization needs static input dims";
      return {};
    }
    int64_t expected = i == axis ? d / blockSize : d;
    if (i == axis && d % blockSize != 0) {
      reason = "the quantized axis is not a multiple of block_size (partial "
               "last block)";
      return {};
    }
    if (s != expected) {
      reason = "blocked scale shape does not match the input and block_size";
      return {};
    }
  }
  auto zeroPointType =
      RankedTensorType::get(scale.getType().getShape(), signlessStorage);
  SmallVector<APInt> zeroPointValues;
  for (int64_t z : zeroPoints)
    zeroPointValues.push_back(APInt(width, z, /*isSigned=*/true));
  auto zeroPointAttr = DenseElementsAttr::get(zeroPointType, zeroPointValues);
  // Dims missing from a sub-channel type's block map form one block each, but
  // ONNX blocks only along `axis`: every other dim has block size 1.
  SmallVector<int32_t> quantizedDims;
  SmallVector<int64_t> blockSizes;
  for (int64_t i = 0; i < rank; ++i) {
    quantizedDims.push_back(static_cast<int32_t>(i));
    blockSizes.push_back(i == axis ? blockSize : 1);
  }
  return quant::UniformQuantizedSubChannelType::get(
      flags, signlessStorage, expressed, scale, zeroPointAttr, quantizedDims,
      blockSizes, min, max);
}

static bool closeEnough(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b));
}

/// Sub-channel zero points by value: the parser and the builders may give
/// the same values different element types (storage width, i64), so the
/// attributes are not compared directly. `isSigned` is the storage type's
/// signedness, which says how narrow values extend.
static SmallVector<int64_t> toInt64s(DenseElementsAttr values, bool isSigned) {
  SmallVector<int64_t> result;
  for (const APInt &value : values.getValues<APInt>())
    result.push_back(isSigned ? value.getSExtValue()
                              : static_cast<int64_t>(value.getZExtValue()));
  return result;
}

static bool allClose(ArrayRef<double> a, ArrayRef<double> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!closeEnough(x, y))
      return false;
  return true;
}

bool mlir::nb::quantTypesMatch(quant::QuantizedType a, quant::QuantizedType b) {
  if (a == b)
    return true;
  if (a.getFlags() != b.getFlags() ||
      a.getStorageType() != b.getStorageType() ||
      a.getExpressedType() != b.getExpressedType() ||
      a.getStorageTypeMin() != b.getStorageTypeMin() ||
      a.getStorageTypeMax() != b.getStorageTypeMax())
    return false;
  if (auto ua = dyn_cast<quant::UniformQuantizedType>(a)) {
    auto ub = dyn_cast<quant::UniformQuantizedType>(b);
    return ub && ua.getZeroPoint() == ub.getZeroPoint() &&
           closeEnough(ua.getScale(), ub.getScale());
  }
  if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(a)) {
    auto pb = dyn_cast<quant::UniformQuantizedPerAxisType>(b);
    return pb && pa.getQuantizedDimension() == pb.getQuantizedDimension() &&
           pa.getZeroPoints() == pb.getZeroPoints() &&
           allClose(pa.getScales(), pb.getScales());
  }
  if (auto sa = dyn_cast<quant::UniformQuantizedSubChannelType>(a)) {
    auto sb = dyn_cast<quant::UniformQuantizedSubChannelType>(b);
    return sb && sa.getQuantizedDimensions() == sb.getQuantizedDimensions() &&
           sa.getBlockSizes() == sb.getBlockSizes() &&
           sa.getZeroPoints().getType().getShape() ==
               sb.getZeroPoints().getType().getShape() &&
           toInt64s(sa.getZeroPoints(), sa.isSigned()) ==
               toInt64s(sb.getZeroPoints(), sb.isSigned()) &&
           sa.getScales().getType().getShape() ==
               sb.getScales().getType().getShape() &&
           allClose(toDoubles(sa.getScales()), toDoubles(sb.getScales()));
  }
  return false;
}

bool mlir::nb::storageTypeMatches(quant::QuantizedType quantType,
                                  Type storage) {
  auto intType = dyn_cast<IntegerType>(storage);
  return intType &&
         quantType.getStorageTypeIntegralWidth() == intType.getWidth() &&
         quantType.isSigned() == !intType.isUnsigned();
}
