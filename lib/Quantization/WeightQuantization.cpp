//===- WeightQuantization.cpp - choosing quantized weight values ----------===//
//
// Round-to-nearest weight quantization and the IR that carries its result.
// The arithmetic follows ONNX Runtime's quantizer (compute_scale_zp and
// quantize_nparray) so that a model quantized here and one quantized there
// hold the same integers: parameters in double, scales stored as float, the
// division w / scale in float, round half to even, saturation.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/WeightQuantization.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBQuantUtils.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FormatVariadic.h"
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::quantization;

namespace {

/// Which parameter group each element of a weight belongs to. Elements are
/// addressed as (outer, axis index, inner) around the quantized axis.
struct GroupLayout {
  int64_t outer = 1, axisDim = 1, inner = 1, blockSize = 0;
  bool perTensor = true;
  SmallVector<int64_t> parameterShape;

  int64_t numGroups() const {
    int64_t n = 1;
    for (int64_t d : parameterShape)
      n *= d;
    return n;
  }

  int64_t groupOf(int64_t flatIndex) const {
    if (perTensor)
      return 0;
    int64_t a = (flatIndex / inner) % axisDim;
    if (blockSize == 0)
      return a;
    int64_t o = flatIndex / (inner * axisDim), i = flatIndex % inner;
    return (o * (axisDim / blockSize) + a / blockSize) * inner + i;
  }
};

} // namespace

static FailureOr<GroupLayout> getGroupLayout(ArrayRef<int64_t> shape,
                                             const WeightQuantizationSpec &spec,
                                             std::string &error) {
  GroupLayout layout;
  int64_t rank = shape.size();
  for (int64_t d : shape) {
    if (d < 0) {
      error = "weight shape must be static";
      return failure();
    }
  }
  if (spec.bits < 2 || spec.bits > 32) {
    error = llvm::formatv("storage width {0} is not in [2, 32]", spec.bits);
    return failure();
  }
  if (spec.axis == -1) {
    if (spec.blockSize != 0) {
      error = "block quantization needs an axis";
      return failure();
    }
    return layout;
  }
  if (spec.axis < 0 || spec.axis >= rank) {
    error = llvm::formatv("axis {0} is out of range for a weight of rank {1}",
                          spec.axis, rank);
    return failure();
  }
  if (spec.blockSize < 0) {
    error = llvm::formatv("block size {0} is negative", spec.blockSize);
    return failure();
  }
  layout.perTensor = false;
  layout.blockSize = spec.blockSize;
  layout.axisDim = shape[spec.axis];
  for (int64_t i = 0; i < spec.axis; ++i)
    layout.outer *= shape[i];
  for (int64_t i = spec.axis + 1; i < rank; ++i)
    layout.inner *= shape[i];
  if (spec.blockSize == 0) {
    layout.parameterShape = {layout.axisDim};
    return layout;
  }
  if (layout.axisDim % spec.blockSize != 0) {
    error = llvm::formatv("block size {0} does not divide axis {1} of size {2}",
                          spec.blockSize, spec.axis, layout.axisDim);
    return failure();
  }
  layout.parameterShape.assign(shape.begin(), shape.end());
  layout.parameterShape[spec.axis] = layout.axisDim / spec.blockSize;
  return layout;
}

std::pair<int64_t, int64_t>
quantization::getQuantizedRange(const WeightQuantizationSpec &spec) {
  if (!spec.isSigned)
    return {0, (int64_t(1) << spec.bits) - 1};
  int64_t max = (int64_t(1) << (spec.bits - 1)) - 1;
  return {spec.symmetric ? -max : -max - 1, max};
}

std::pair<float, int32_t>
quantization::computeScaleAndZeroPoint(double min, double max,
                                       const WeightQuantizationSpec &spec) {
  auto [qmin, qmax] = getQuantizedRange(spec);
  min = std::min(min, 0.0);
  max = std::max(max, 0.0);
  if (spec.symmetric) {
    double m = std::max(std::fabs(min), std::fabs(max));
    min = -m;
    max = m;
  }
  double scale = (max - min) / static_cast<double>(qmax - qmin);
  if (!(scale >= static_cast<double>(FLT_MIN)))
    return {1.0f, 0};
  double zeroPoint =
      spec.symmetric
          ? std::nearbyint(static_cast<double>(qmin + qmax) / 2.0)
          : std::nearbyint(static_cast<double>(qmin) - min / scale);
  zeroPoint = std::clamp(zeroPoint, static_cast<double>(qmin),
                         static_cast<double>(qmax));
  return {static_cast<float>(scale), static_cast<int32_t>(zeroPoint)};
}

/// Float values of a dense_resource blob of `count` elements of `element`.
static FailureOr<SmallVector<float>>
readResourceFloats(DenseResourceElementsAttr resource, Type element,
                   int64_t count) {
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return failure();
  ArrayRef<char> data = blob->getData();
  unsigned width = element.getIntOrFloatBitWidth();
  if (data.size() != static_cast<size_t>(count) * (width / 8))
    return failure();
  SmallVector<float> values;
  values.reserve(count);
  for (int64_t i = 0; i < count; ++i) {
    const char *p = data.data() + i * (width / 8);
    if (element.isF32()) {
      float v;
      std::memcpy(&v, p, sizeof(v));
      values.push_back(v);
    } else if (element.isF64()) {
      double v;
      std::memcpy(&v, p, sizeof(v));
      values.push_back(static_cast<float>(v));
    } else {
      uint16_t bits;
      std::memcpy(&bits, p, sizeof(bits));
      APFloat v(cast<FloatType>(element).getFloatSemantics(),
                APInt(16, bits));
      values.push_back(v.convertToFloat());
    }
  }
  return values;
}

FailureOr<SmallVector<float>>
quantization::getConstantFloatValues(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return failure();
  auto shaped = dyn_cast<ShapedType>(value.getType());
  if (!shaped || !shaped.hasStaticShape())
    return failure();
  Type element = shaped.getElementType();
  if (!element.isF32() && !element.isF16() && !element.isBF16() &&
      !element.isF64())
    return failure();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    SmallVector<float> values;
    values.reserve(shaped.getNumElements());
    for (APFloat v : dense.getValues<APFloat>()) {
      bool losesInfo;
      v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                &losesInfo);
      values.push_back(v.convertToFloat());
    }
    return values;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return readResourceFloats(resource, element, shaped.getNumElements());
  return failure();
}

static int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static LogicalResult checkValues(ArrayRef<float> weight,
                                 ArrayRef<int64_t> shape, std::string &error) {
  if (static_cast<int64_t>(weight.size()) != numElements(shape)) {
    error = llvm::formatv("{0} values for a weight of {1} elements",
                          weight.size(), numElements(shape));
    return failure();
  }
  for (auto [i, w] : llvm::enumerate(weight)) {
    if (!std::isfinite(w)) {
      error = llvm::formatv("weight element {0} is {1}", i,
                            std::isnan(w) ? "NaN" : "Inf");
      return failure();
    }
  }
  return success();
}

FailureOr<QuantizedWeight> quantization::quantizeWeightWithParameters(
    ArrayRef<float> weight, ArrayRef<int64_t> shape,
    const WeightQuantizationSpec &spec, ArrayRef<float> scales,
    ArrayRef<int32_t> zeroPoints, std::string &error) {
  FailureOr<GroupLayout> layout = getGroupLayout(shape, spec, error);
  if (failed(layout) || failed(checkValues(weight, shape, error)))
    return failure();
  int64_t groups = layout->numGroups();
  if (static_cast<int64_t>(scales.size()) != groups ||
      static_cast<int64_t>(zeroPoints.size()) != groups) {
    error = llvm::formatv("{0} scales and {1} zero points for {2} groups",
                          scales.size(), zeroPoints.size(), groups);
    return failure();
  }
  auto [qmin, qmax] = getQuantizedRange(spec);
  for (auto [s, z] : llvm::zip(scales, zeroPoints)) {
    if (!(s > 0.0f) || !std::isfinite(s)) {
      error = llvm::formatv("scale {0} is not positive and finite", s);
      return failure();
    }
    if (z < qmin || z > qmax) {
      error = llvm::formatv("zero point {0} is outside [{1}, {2}]", z, qmin,
                            qmax);
      return failure();
    }
  }

  QuantizedWeight result;
  result.shape.assign(shape.begin(), shape.end());
  result.parameterShape = layout->parameterShape;
  result.scales.assign(scales.begin(), scales.end());
  result.zeroPoints.assign(zeroPoints.begin(), zeroPoints.end());
  result.spec = spec;
  result.values.reserve(weight.size());
  for (auto [i, w] : llvm::enumerate(weight)) {
    int64_t g = layout->groupOf(i);
    // The quotient is a float, as in ONNX's QuantizeLinear; rounding and
    // saturation happen in double so that int32 bounds stay exact.
    float quotient = w / scales[g];
    double q = std::nearbyint(static_cast<double>(quotient)) + zeroPoints[g];
    q = std::clamp(q, static_cast<double>(qmin), static_cast<double>(qmax));
    result.values.push_back(static_cast<int32_t>(q));
  }
  return result;
}

FailureOr<QuantizedWeight>
quantization::quantizeWeightRTN(ArrayRef<float> weight, ArrayRef<int64_t> shape,
                                const WeightQuantizationSpec &spec,
                                std::string &error) {
  FailureOr<GroupLayout> layout = getGroupLayout(shape, spec, error);
  if (failed(layout) || failed(checkValues(weight, shape, error)))
    return failure();
  int64_t groups = layout->numGroups();
  SmallVector<float> mins(groups, std::numeric_limits<float>::infinity());
  SmallVector<float> maxs(groups, -std::numeric_limits<float>::infinity());
  for (auto [i, w] : llvm::enumerate(weight)) {
    int64_t g = layout->groupOf(i);
    mins[g] = std::min(mins[g], w);
    maxs[g] = std::max(maxs[g], w);
  }
  SmallVector<float> scales;
  SmallVector<int32_t> zeroPoints;
  for (int64_t g = 0; g < groups; ++g) {
    // A group without elements (a zero-size dim) quantizes nothing.
    double lo = mins[g] <= maxs[g] ? mins[g] : 0.0;
    double hi = mins[g] <= maxs[g] ? maxs[g] : 0.0;
    auto [scale, zeroPoint] = computeScaleAndZeroPoint(lo, hi, spec);
    scales.push_back(scale);
    zeroPoints.push_back(zeroPoint);
  }
  return quantizeWeightWithParameters(weight, shape, spec, scales, zeroPoints,
                                      error);
}

SmallVector<float> quantization::dequantizeWeight(const QuantizedWeight &weight) {
  std::string error;
  FailureOr<GroupLayout> layout =
      getGroupLayout(weight.shape, weight.spec, error);
  SmallVector<float> values;
  if (failed(layout))
    return values;
  values.reserve(weight.values.size());
  for (auto [i, q] : llvm::enumerate(weight.values)) {
    int64_t g = layout->groupOf(i);
    values.push_back(static_cast<float>(static_cast<int64_t>(q) -
                                        weight.zeroPoints[g]) *
                     weight.scales[g]);
  }
  return values;
}

Value quantization::buildDequantizedWeight(OpBuilder &builder, Location loc,
                                           const QuantizedWeight &weight,
                                           Type scaleType,
                                           Type expressedType) {
  MLIRContext *ctx = builder.getContext();
  const WeightQuantizationSpec &spec = weight.spec;
  // Storage constants are signless (quant.scast takes signless storage);
  // the zero point keeps ONNX's signedness, as the importer gives it.
  auto storage = IntegerType::get(ctx, spec.bits);
  Type zeroPointElement =
      spec.isSigned ? Type(storage)
                    : Type(IntegerType::get(ctx, spec.bits,
                                            IntegerType::Unsigned));
  auto toAPInt = [&](int64_t v) {
    return APInt(spec.bits, static_cast<uint64_t>(v), spec.isSigned);
  };

  auto dataType = RankedTensorType::get(weight.shape, storage);
  SmallVector<APInt> values = llvm::map_to_vector(weight.values, toAPInt);
  Value stored = ConstantOp::create(builder, loc,
                                    DenseElementsAttr::get(dataType, values));

  auto scaleTensorType = RankedTensorType::get(weight.parameterShape, scaleType);
  SmallVector<APFloat> scales;
  for (float s : weight.scales) {
    APFloat v(s);
    bool losesInfo;
    v.convert(cast<FloatType>(scaleType).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &losesInfo);
    scales.push_back(v);
  }
  auto scaleAttr = DenseElementsAttr::get(scaleTensorType, scales);
  auto zeroPointAttr = DenseElementsAttr::get(
      RankedTensorType::get(weight.parameterShape, zeroPointElement),
      llvm::map_to_vector(weight.zeroPoints, toAPInt));

  bool perTensor = spec.axis < 0;
  uint64_t axis = perTensor ? 1 : spec.axis;
  uint64_t blockSize = perTensor ? 0 : spec.blockSize;
  auto floatType = RankedTensorType::get(weight.shape, scaleType);
  std::string reason;
  quant::QuantizedType quantType =
      getQuantTypeForQDQ(zeroPointElement, scaleAttr, zeroPointAttr, axis,
                         blockSize, floatType, reason);
  if (!quantType) {
    emitError(loc, "quantized weight parameters have no quant type: ")
        << reason;
    return {};
  }
  Value quantized = quant::StorageCastOp::create(
      builder, loc, dataType.clone(quantType), stored);
  Value scale = ConstantOp::create(builder, loc, scaleAttr);
  Value zeroPoint = ConstantOp::create(builder, loc, zeroPointAttr);
  Value dequantized = DequantizeLinearOp::create(
      builder, loc, floatType, quantized, scale, zeroPoint, axis, blockSize);
  if (expressedType == scaleType)
    return dequantized;
  return CastOp::create(builder, loc, floatType.clone(expressedType),
                        dequantized);
}
