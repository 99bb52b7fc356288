//===- ModelSignature.h - the interface of a compiled model -----*- C++ -*-===//
//
// What a compiled model takes and returns: the entry function, and each
// input's and output's name and static tensor type. The compiler records it
// on the module as `nibble.signature` before lowering (lowering erases names
// and signedness), and nb-emit-model-entry-points, the header writer and the
// manifest read it back from there.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_TARGET_CPU_MODELSIGNATURE_H
#define NIBBLE_TARGET_CPU_MODELSIGNATURE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nibble {

/// `{function = "main", inputs = [{name = "x", type = tensor<1x8xf32>}, ...],
///   outputs = [...]}` on the module.
inline constexpr llvm::StringLiteral kSignatureAttrName = "nibble.signature";

struct ModelTensor {
  std::string name;
  /// Static shape; the element type keeps its signedness (ui8 vs i8).
  mlir::RankedTensorType type;
};

struct ModelSignature {
  std::string function;
  std::vector<ModelTensor> inputs;
  std::vector<ModelTensor> outputs;
};

/// A shape bound to a named input (`--input-shape x=1x64`).
using InputShapeBinding = std::pair<std::string, std::vector<int64_t>>;

/// Gives the entry function `function` static input types: dynamic extents
/// come from `bindings` (by input name), which must agree with the static
/// ones. Inputs are marked read-only for bufferization. Emits an error naming
/// the input when a dynamic extent stays unbound or a binding does not fit.
/// Result types are refined by shape inference afterwards.
mlir::LogicalResult
specializeInputShapes(mlir::ModuleOp module, llvm::StringRef function,
                      llvm::ArrayRef<InputShapeBinding> bindings);

/// Reads `function`'s signature (names from `nb.name` attributes or the
/// importer's locations) and records it as `nibble.signature`, removing the
/// `nb.name` attributes it read. Emits an error
/// naming the input or output whose type is not a static tensor of a type the
/// runtime can pass.
mlir::LogicalResult recordModelSignature(mlir::ModuleOp module,
                                         llvm::StringRef function);

/// Reads `nibble.signature` back; emits an error on the module if it is
/// missing or malformed.
mlir::FailureOr<ModelSignature> getModelSignature(mlir::ModuleOp module);

/// ONNX's TensorProto.DataType code for `type` (1 for f32, 3 for i8, ...),
/// 0 when the runtime has no dtype for it.
int getDTypeCode(mlir::Type type);
/// numpy's name for the dtype: `float32`, `uint8`, ...
llvm::StringRef getDTypeName(mlir::Type type);

/// `1x1x8x8`, or `scalar` for rank 0.
std::string formatStaticShape(llvm::ArrayRef<int64_t> shape);

} // namespace nibble

#endif // NIBBLE_TARGET_CPU_MODELSIGNATURE_H
