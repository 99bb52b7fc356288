//===- WeightsPayload.h - constants moved out of compiled code --*- C++ -*-===//
//
// nb-externalize-weights assigns large constants slots in a payload and
// records them as the module attribute `nibble.weights`; writeWeightsFile
// turns that attribute into weights.bin (format in nibble-c/model_abi.h).
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_TARGET_CPU_WEIGHTSPAYLOAD_H
#define NIBBLE_TARGET_CPU_WEIGHTSPAYLOAD_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>

namespace nibble {

/// `{size = <payload bytes>, checksum = <FNV-1a 64>, entries = [{symbol =
/// @global, offset = <bytes>, value = <elements attr>}, ...]}`.
inline constexpr llvm::StringLiteral kWeightsAttrName = "nibble.weights";

inline constexpr uint64_t kFNV1a64Offset = 0xcbf29ce484222325ULL;
uint64_t fnv1a64(llvm::ArrayRef<char> bytes, uint64_t state = kFNV1a64Offset);
/// The checksum of `count` zero bytes appended to `state`.
uint64_t fnv1a64Zeros(uint64_t count, uint64_t state);

/// The bytes of a global's initializer as the generated code reads them (C
/// order, little-endian), if it can move to the payload: a non-splat dense
/// or dense_resource elements attribute of whole-byte integers or floats.
std::optional<llvm::ArrayRef<char>> getExternalizableBytes(mlir::Attribute value);

/// Writes `module`'s `nibble.weights` payload to `path` as weights.bin.
llvm::Error writeWeightsFile(mlir::ModuleOp module, llvm::StringRef path);

} // namespace nibble

#endif // NIBBLE_TARGET_CPU_WEIGHTSPAYLOAD_H
