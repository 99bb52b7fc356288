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
#include <vector>

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

/// A global's initializer as it travels in the payload. Whole-byte elements
/// are the bytes the code reads (getExternalizableBytes). Sub-byte integers
/// (i1, i2, i4) are packed 8/width per byte, element 2k of an i4 tensor in
/// the low nibble of byte k (ONNX's int4 order), because LLVM gives each of
/// them a whole byte in memory: the payload stays at width/8 bytes per
/// element and the init function unpacks it into the global.
struct PayloadBytes {
  /// Bits per element in the payload when packed, 0 when copied as is.
  unsigned packedBits = 0;
  int64_t numElements = 0;
  llvm::ArrayRef<char> bytes() const {
    return packedBits ? llvm::ArrayRef<char>(packed) : raw;
  }

private:
  friend std::optional<PayloadBytes> getPayloadBytes(mlir::Attribute value);
  llvm::ArrayRef<char> raw;
  std::vector<char> packed;
};

/// The payload form of `value`, if it can move to the payload: what
/// getExternalizableBytes accepts, plus non-splat dense or dense_resource
/// (one byte per element) i1/i2/i4 integers.
std::optional<PayloadBytes> getPayloadBytes(mlir::Attribute value);

/// Writes `module`'s `nibble.weights` payload to `path` as weights.bin.
llvm::Error writeWeightsFile(mlir::ModuleOp module, llvm::StringRef path);

} // namespace nibble

#endif // NIBBLE_TARGET_CPU_WEIGHTSPAYLOAD_H
