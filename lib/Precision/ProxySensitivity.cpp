//===- ProxySensitivity.cpp - sensitivity estimated without a run ---------===//
//
// Weight noise computed by rounding the weight exactly as the precision's
// pass would (per channel or per group, symmetric), activation noise from
// the calibrated ranges; noise powers of independent roundings add.
//
//===----------------------------------------------------------------------===//
#include "nibble/Precision/ProxySensitivity.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Quantization/OpSelection.h"
#include "nibble/Quantization/WeightQuantization.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <optional>

using namespace llvm;
using namespace mlir;
using namespace nibble;
using namespace nibble::precision;

namespace {

/// Noise-to-signal ratio of rounding `weight` per group of `groupSize`
/// along its reduction (0: per channel) to symmetric integers in
/// [-qmax, qmax], or (qmax = 0) to `semantics` after scaling each channel's
/// largest magnitude to `floatMax` (1 for fp16/bf16: no scaling).
double weightNoiseRatio(ArrayRef<float> weight, ArrayRef<int64_t> shape,
                        int64_t channelAxis, ArrayRef<int64_t> reductionAxes,
                        int64_t groupSize, int64_t qmax,
                        const fltSemantics *semantics, double floatMax) {
  // Each element's (channel key, reduction index): channels are the
  // non-reduction axes flattened, reductions the reduction axes flattened
  // in order, so groups run along the reduction as nb-quantize-weights
  // forms them (Conv's flattened C*kh*kw, MatMul's K).
  int64_t rank = shape.size();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  int64_t reductionSize = 1;
  for (int64_t axis : reductionAxes)
    reductionSize *= shape[axis];
  int64_t group = groupSize > 0 ? groupSize : reductionSize;
  int64_t groupsPerChannel = divideCeil(reductionSize, group);
  int64_t channels = weight.size() / std::max<int64_t>(reductionSize, 1);
  (void)channelAxis;
  std::vector<int64_t> groupOf(weight.size());
  for (int64_t index = 0, e = weight.size(); index < e; ++index) {
    int64_t channel = 0, reduction = 0;
    for (int64_t axis = 0; axis < rank; ++axis) {
      int64_t coordinate = (index / strides[axis]) % shape[axis];
      if (llvm::is_contained(reductionAxes, axis))
        reduction = reduction * shape[axis] + coordinate;
      else
        channel = channel * shape[axis] + coordinate;
    }
    groupOf[index] = channel * groupsPerChannel + reduction / group;
  }
  std::vector<double> amax(channels * groupsPerChannel, 0.0);
  for (int64_t index = 0, e = weight.size(); index < e; ++index)
    amax[groupOf[index]] =
        std::max(amax[groupOf[index]], double(std::fabs(weight[index])));
  double signal = 0, noise = 0;
  for (int64_t index = 0, e = weight.size(); index < e; ++index) {
    double w = weight[index], m = amax[groupOf[index]], q;
    if (m == 0) {
      q = w;
    } else if (qmax > 0) {
      double scale = m / qmax;
      q = std::clamp(std::nearbyint(w / scale), double(-qmax), double(qmax)) *
          scale;
    } else {
      double scale = floatMax == 1 ? 1 : m / floatMax;
      APFloat value(float(w / scale));
      bool losesInfo;
      value.convert(*semantics, APFloat::rmNearestTiesToEven, &losesInfo);
      value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      q = value.convertToDouble() * scale;
    }
    signal += w * w;
    noise += (q - w) * (q - w);
  }
  return signal > 0 ? noise / signal : 0;
}

std::optional<std::pair<double, double>> getCalibratedRange(Value value) {
  auto toPair = [](Attribute attr) -> std::optional<std::pair<double, double>> {
    auto range = dyn_cast_if_present<DenseF64ArrayAttr>(attr);
    if (!range || range.size() != 2 || !(range[0] <= range[1]))
      return std::nullopt;
    return std::pair{range[0], range[1]};
  };
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    return func ? toPair(func.getArgAttr(arg.getArgNumber(), "nb.range"))
                : std::nullopt;
  }
  Operation *op = value.getDefiningOp();
  if (op->getNumResults() == 1)
    return toPair(op->getAttr("nb.calibrated_range"));
  return std::nullopt;
}

/// Noise-to-signal ratio of rounding a tensor with calibrated range
/// [lo, hi] to 8-bit integers: step s = (hi - lo) / 255 gives noise
/// s^2 / 12; the signal is taken as that of values uniform over [-m, m],
/// m = max(|lo|, |hi|), i.e. m^2 / 3. Without a range, a range [0, m].
double integerActivationNoiseRatio(Value value) {
  std::optional<std::pair<double, double>> range = getCalibratedRange(value);
  double lo = range ? std::min(range->first, 0.0) : 0.0;
  double hi = range ? std::max(range->second, 0.0) : 1.0;
  double m = std::max(std::fabs(lo), std::fabs(hi));
  if (m == 0)
    return 0;
  double step = (hi - lo) / 255;
  return (step * step / 12) / (m * m / 3);
}

} // namespace

bool nibble::precision::isQuantizableOp(Operation *op) {
  return isa<nb::ConvOp, nb::ConvTransposeOp, nb::MatMulOp, nb::GemmOp>(op) &&
         op->getNumOperands() >= 2 &&
         matchPattern(op->getOperand(1), m_Constant());
}

Expected<OutputError>
nibble::precision::estimateProxyError(Operation *op,
                                      const Precision &precision) {
  OutputError error;
  if (precision.isFloat32()) {
    error.sqnrDB = kExactSQNRDB;
    return error;
  }
  FailureOr<SmallVector<float>> weight =
      nb::quantization::getConstantFloatValues(op->getOperand(1));
  auto type = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  if (failed(weight) || !type || !type.hasStaticShape() || type.getRank() < 2)
    return createStringError("node '" + nb::quantization::getNodeName(op) +
                             "': the proxy needs a constant weight of "
                             "static shape and rank >= 2");
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size();
  // Where the output channels and the reduction lie (nb-quantize-weights'
  // layouts; ConvTranspose's W is [C, M/group, k...]).
  int64_t channelAxis;
  SmallVector<int64_t> reductionAxes;
  if (isa<nb::ConvOp>(op)) {
    channelAxis = 0;
    for (int64_t axis = 1; axis < rank; ++axis)
      reductionAxes.push_back(axis);
  } else if (isa<nb::ConvTransposeOp>(op)) {
    channelAxis = 1;
    for (int64_t axis = 0; axis < rank; ++axis)
      if (axis != 1)
        reductionAxes.push_back(axis);
  } else if (auto gemm = dyn_cast<nb::GemmOp>(op)) {
    channelAxis = gemm.getTransB() ? 0 : 1;
    reductionAxes.push_back(1 - channelAxis);
  } else {
    channelAxis = rank - 1;
    reductionAxes.push_back(rank - 2);
  }
  auto integerNoise = [&](int64_t qmax, int64_t groupSize) {
    return weightNoiseRatio(*weight, shape, channelAxis, reductionAxes,
                            groupSize, qmax, nullptr, 1);
  };
  auto floatNoise = [&](const fltSemantics &semantics, double floatMax) {
    return weightNoiseRatio(*weight, shape, channelAxis, reductionAxes, 0, 0,
                            &semantics, floatMax);
  };
  // A float format with p mantissa bits rounds within 2^-(p+1) relative:
  // noise (2^-(p+1))^2 / 3 = 2^-2p / 12 of the signal, once at the input
  // and once at the output.
  auto floatActivationNoise = [](int mantissaBits) {
    return 2 * std::ldexp(1.0, -2 * mantissaBits) / 12;
  };
  double ratio = 0;
  switch (precision.kind) {
  case PrecisionKind::FP32:
    break;
  case PrecisionKind::FP16:
    ratio = floatNoise(APFloat::IEEEhalf(), 1) + floatActivationNoise(10);
    break;
  case PrecisionKind::BF16:
    ratio = floatNoise(APFloat::BFloat(), 1) + floatActivationNoise(7);
    break;
  case PrecisionKind::FP8E4M3:
    ratio = floatNoise(APFloat::Float8E4M3FN(), 448) + floatActivationNoise(3);
    break;
  case PrecisionKind::FP8E5M2:
    ratio = floatNoise(APFloat::Float8E5M2(), 57344) + floatActivationNoise(2);
    break;
  case PrecisionKind::Int8:
    // Static: the input and the result are rounded to 8 bits.
    ratio = integerNoise(127, 0) +
            integerActivationNoiseRatio(op->getOperand(0)) +
            integerActivationNoiseRatio(op->getResult(0));
    break;
  case PrecisionKind::Int8Dynamic:
    ratio =
        integerNoise(127, 0) + integerActivationNoiseRatio(op->getOperand(0));
    break;
  case PrecisionKind::Int8Weight:
    ratio = integerNoise(127, precision.groupSize);
    break;
  case PrecisionKind::Int4Weight:
    ratio = integerNoise(7, precision.groupSize);
    break;
  }
  error.sqnrDB = ratio > 0 ? std::min(kExactSQNRDB, -10 * std::log10(ratio))
                           : kExactSQNRDB;
  error.cosine = 1 / std::sqrt(1 + ratio);
  return error;
}
