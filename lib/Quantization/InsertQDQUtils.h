//===- InsertQDQUtils.h - nb-insert-qdq's parameters and IR -----*- C++ -*-===//
//
// What nb-insert-qdq decides per tensor (storage type, scale, zero point),
// where it reads ranges and overrides from, and the Q/DQ IR it builds. The
// pass file keeps only the per-op-kind patterns.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_QUANTIZATION_INSERTQDQUTILS_H
#define NIBBLE_LIB_QUANTIZATION_INSERTQDQUTILS_H

#include "nibble/Quantization/WeightQuantization.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include <optional>
#include <string>

namespace mlir::nb::quantization {

/// A storage type name of the options and the override file: u8, i8,
/// f8e4m3 (ONNX FLOAT8E4M3FN) or f8e5m2. Null for anything else.
Type parseStorageType(MLIRContext *ctx, llvm::StringRef name);

/// The largest finite value of a float8 storage type (448, 57344).
double getFloat8MaxFinite(Type storage);

/// One entry of the override file (docs/quantization.md, "Overrides").
struct TensorOverride {
  Type storage;                  // null: the pass's type for the tensor
  std::optional<int64_t> axis;   // weights: -1 per tensor, else channel axis
  std::optional<bool> symmetric;
  std::optional<std::pair<double, double>> range;
};

/// Parses an override file; fails with `error` saying what is wrong where.
FailureOr<llvm::StringMap<TensorOverride>>
parseOverrides(MLIRContext *ctx, llvm::StringRef path, std::string &error);

/// The name a tensor goes by in calibration tables and override files:
/// function arguments by `nb.name` (else `arg<i>`); op results by their ONNX
/// tensor name (`nb.output_names`) when the importer recorded one, else the
/// op's node name (`<node>:<i>` for result i of several); constants by
/// their initializer name. Empty when the value has none.
std::string getTensorName(Value value);

/// Every name getTensorName gives in `module`.
llvm::StringSet<> collectTensorNames(ModuleOp module);

/// Quantization parameters of one per-tensor activation.
struct ActivationParams {
  Type storage; // i8 (signless), ui8, f8E4M3FN or f8E5M2
  float scale = 1.0f;
  int32_t zeroPoint = 0;

  bool operator==(const ActivationParams &other) const {
    return storage == other.storage && scale == other.scale &&
           zeroPoint == other.zeroPoint;
  }
};

/// Parameters for values in [min, max]: integer storage as
/// computeScaleAndZeroPoint, float8 storage scale = max(|min|, |max|) /
/// max_finite (1 for an all-zero range) with zero point 0.
ActivationParams computeActivationParams(Type storage, double min, double max,
                                         bool symmetric);

/// `value` -> nb.quantize_linear -> nb.dequantize_linear, built right after
/// the value's definition. Integer storage gives the quant-typed (lifted)
/// form; float8 storage the ONNX form. Returns the dequantized value.
Value buildActivationQDQ(OpBuilder &builder, Value value,
                         const ActivationParams &params);

/// A constant weight quantized to float8 at compile time (per tensor, or per
/// channel along `axis`), as an ONNX-form dequantize of a float8 constant.
/// Scales are amax / max_finite; values round to nearest even and saturate.
FailureOr<Value> buildFloat8Weight(OpBuilder &builder, Location loc,
                                   llvm::ArrayRef<float> values,
                                   llvm::ArrayRef<int64_t> shape, int64_t axis,
                                   Type storage, Type expressedType,
                                   std::string &error);

} // namespace mlir::nb::quantization

#endif // NIBBLE_LIB_QUANTIZATION_INSERTQDQUTILS_H
