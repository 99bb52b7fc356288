//===- HostArray.h - n-d arrays in host memory ------------------*- C++ -*-===//
//
// The arrays a user feeds a model and gets back: a name, an element type, a
// shape and C-order little-endian bytes. No MLIR types here, so array IO and
// the runtime can use it without MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_SUPPORT_HOSTARRAY_H
#define NIBBLE_SUPPORT_HOSTARRAY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nibble {

enum class ElementType : uint8_t {
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  UInt32,
  UInt64,
  Float16,
  BFloat16,
  Float32,
  Float64,
  // Narrow types, one byte per element: sub-byte integers sign- or
  // zero-extended, 4-bit floats in the low nibble.
  Int4,
  UInt4,
  Int2,
  UInt2,
  Float8E4M3FN,
  Float8E4M3FNUZ,
  Float8E5M2,
  Float8E5M2FNUZ,
  Float8E8M0FNU,
  Float4E2M1FN,
};

/// Bytes per element in a HostArray (bool and sub-byte types take a byte, as
/// in numpy and ml_dtypes).
unsigned getElementSize(ElementType type);
/// numpy's or ml_dtypes' name: `float32`, `int8`, `bool`, `float8_e4m3fn`...
llvm::StringRef getElementTypeName(ElementType type);
bool isFloatingPoint(ElementType type);
/// Bits of a value in a packed encoding (TensorProto raw_data): 4 for int4,
/// 2 for int2, 8 times the element size otherwise.
unsigned getElementBitWidth(ElementType type);
/// Rewrites each element's byte to the canonical form above (sign-extends
/// int4/int2, masks uint4/uint2/float4), e.g. after code stored only the
/// low bits.
void canonicalizeNarrowElements(struct HostArray &array);

struct HostArray {
  std::string name;
  ElementType type = ElementType::Float32;
  std::vector<int64_t> shape;
  /// C-order, little-endian, getNumElements() * getElementSize(type) bytes.
  std::vector<uint8_t> data;

  HostArray() = default;
  HostArray(std::string name, ElementType type, std::vector<int64_t> shape);

  int64_t getNumElements() const;
  size_t getNumBytes() const { return data.size(); }
  /// `float32[1x1x8x8]`, the way errors show a type.
  std::string describe() const;
  /// The value of element `index` (C order) as a double, for summaries and
  /// comparisons.
  double getAsDouble(int64_t index) const;
};

/// `1x1x8x8` (`?` for a negative, i.e. dynamic, extent; `scalar` for rank 0).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace nibble

#endif // NIBBLE_SUPPORT_HOSTARRAY_H
