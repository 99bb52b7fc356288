//===- WeightQuantization.h - choosing quantized weight values --*- C++ -*-===//
//
// The compile-time half of every weight scheme: float weights in, integer
// values with scales and zero points out, and the IR that carries them
// (`nb.constant` of storage integers, `quant.scast` to the `!quant.uniform`
// type, `nb.dequantize_linear` back to float). Static W8A8, dynamic W8A8
// and weight-only passes share it; GPTQ, AWQ and HQQ replace only the
// value choice (`quantizeWeightRTN`), never the IR building.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_QUANTIZATION_WEIGHTQUANTIZATION_H
#define NIBBLE_QUANTIZATION_WEIGHTQUANTIZATION_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <utility>
#include <string>

namespace mlir::nb::quantization {

/// How one weight tensor is quantized.
struct WeightQuantizationSpec {
  /// Storage width (4 or 8; 32 for int32 biases) and signedness.
  unsigned bits = 8;
  bool isSigned = true;
  /// Zero point 0 and a range symmetric around it. Signed symmetric storage
  /// uses [-(2^(b-1)-1), 2^(b-1)-1] (e.g. [-127, 127]) as ONNX Runtime does,
  /// so that negation is exact.
  bool symmetric = true;
  /// The axis that gets its own scale (output channel), or -1 for one scale
  /// for the whole tensor.
  int64_t axis = -1;
  /// With `blockSize > 0`: the axis split into blocks of `blockSize`
  /// elements, one scale per (block, other dims) as ONNX's blocked
  /// QuantizeLinear and upstream's sub-channel quant types lay them out;
  /// `axis` is then the reduction axis.
  int64_t blockSize = 0;
};

/// Quantized values of one weight tensor, row-major in the weight's shape.
struct QuantizedWeight {
  llvm::SmallVector<int64_t> shape;
  /// Storage integers, in range for the spec's storage type.
  llvm::SmallVector<int32_t> values;
  /// Parameters: one element (per tensor), a 1-D vector along `axis` (per
  /// channel) or the weight's shape with `axis` divided by `blockSize`.
  llvm::SmallVector<int64_t> parameterShape;
  llvm::SmallVector<float> scales;
  llvm::SmallVector<int32_t> zeroPoints;
  WeightQuantizationSpec spec;
};

/// The integer range values are rounded into: [-(2^(b-1)-1), 2^(b-1)-1] for
/// signed symmetric specs, the full storage range otherwise.
std::pair<int64_t, int64_t> getQuantizedRange(const WeightQuantizationSpec &spec);

/// Scale and zero point of one group of values spanning [min, max], as ONNX
/// Runtime's compute_scale_zp computes them: the range is widened to include
/// 0; symmetric specs use [-m, m] with m = max(|min|, |max|) and the zero
/// point at the middle of the quantized range (0 signed, 2^(b-1) unsigned);
/// asymmetric ones scale = (max - min) / (qmax - qmin) and zero point
/// round_half_even(qmin - min / scale). Arithmetic in double, the scale
/// stored as float; a scale below FLT_MIN gives scale 1, zero point 0.
/// Activations (nb-insert-qdq) use it as well as weights.
std::pair<float, int32_t>
computeScaleAndZeroPoint(double min, double max,
                         const WeightQuantizationSpec &spec);

/// The float values of a constant (`nb.constant` or `arith.constant` with a
/// dense or dense_resource attribute of f32/f16/bf16/f64), widened to
/// float; failure when `value` is not such a constant.
FailureOr<llvm::SmallVector<float>> getConstantFloatValues(Value value);

/// Round-to-nearest quantization: per group of values that share a scale,
/// scale = max|w| / qmax (symmetric) or (max - min) / (qmax - qmin) with the
/// range widened to include 0 (asymmetric); values round half to even and
/// saturate. An all-zero group gets scale 1. Fails, with `error` set, on
/// NaN or Inf weights, a bad axis, or a block size that does not divide
/// the axis.
FailureOr<QuantizedWeight>
quantizeWeightRTN(llvm::ArrayRef<float> weight, llvm::ArrayRef<int64_t> shape,
                  const WeightQuantizationSpec &spec, std::string &error);

/// Quantizes `weight` with given parameters laid out as `spec` says
/// (`parameterShape` as in QuantizedWeight): q = saturate(round_half_even(
/// w / scale) + zero_point), the division in float as ONNX's QuantizeLinear
/// does it. Used for int32 biases, whose scale is s_in * s_w, and by
/// algorithms that choose parameters themselves. Fails, with `error` set,
/// on NaN or Inf values, a bad axis or block size, or a parameter count
/// that does not fit.
FailureOr<QuantizedWeight> quantizeWeightWithParameters(
    llvm::ArrayRef<float> weight, llvm::ArrayRef<int64_t> shape,
    const WeightQuantizationSpec &spec, llvm::ArrayRef<float> scales,
    llvm::ArrayRef<int32_t> zeroPoints, std::string &error);

/// `weight` dequantized back to float (for error measurement and tests).
llvm::SmallVector<float> dequantizeWeight(const QuantizedWeight &weight);

/// Builds, at `builder`'s insertion point, the quantized weight's IR:
/// `nb.constant` of signless storage integers (i4/i8/i32), `quant.scast`
/// to its `!quant.uniform` type (per tensor, per axis or sub-channel), and
/// `nb.dequantize_linear` with constant scale (of `scaleType`, f32 or f16)
/// and zero point operands, returning the dequantized float tensor of
/// element type `expressedType`. This is the form nb-lift-qdq-to-quant-types
/// gives a QDQ model's weights. With `scaleType` other than `expressedType`
/// an `nb.cast` follows the dequantize. Returns null, after an error at
/// `loc`, for parameters no quant type expresses (a QuantizedWeight not made
/// by the functions above).
Value buildDequantizedWeight(OpBuilder &builder, Location loc,
                             const QuantizedWeight &weight, Type scaleType,
                             Type expressedType);

} // namespace mlir::nb::quantization

#endif // NIBBLE_QUANTIZATION_WEIGHTQUANTIZATION_H
