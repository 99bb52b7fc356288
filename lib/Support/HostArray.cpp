//===- HostArray.cpp - n-d arrays in host memory --------------------------===//
#include "nibble/Support/HostArray.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace llvm;

unsigned nibble::getElementSize(ElementType type) {
  switch (type) {
  case ElementType::Bool:
  case ElementType::Int8:
  case ElementType::UInt8:
  case ElementType::Int4:
  case ElementType::UInt4:
  case ElementType::Int2:
  case ElementType::UInt2:
  case ElementType::Float8E4M3FN:
  case ElementType::Float8E4M3FNUZ:
  case ElementType::Float8E5M2:
  case ElementType::Float8E5M2FNUZ:
  case ElementType::Float8E8M0FNU:
  case ElementType::Float4E2M1FN:
    return 1;
  case ElementType::Int16:
  case ElementType::UInt16:
  case ElementType::Float16:
  case ElementType::BFloat16:
    return 2;
  case ElementType::Int32:
  case ElementType::UInt32:
  case ElementType::Float32:
    return 4;
  case ElementType::Int64:
  case ElementType::UInt64:
  case ElementType::Float64:
    return 8;
  }
  return 0;
}

StringRef nibble::getElementTypeName(ElementType type) {
  switch (type) {
  case ElementType::Bool:
    return "bool";
  case ElementType::Int8:
    return "int8";
  case ElementType::Int16:
    return "int16";
  case ElementType::Int32:
    return "int32";
  case ElementType::Int64:
    return "int64";
  case ElementType::UInt8:
    return "uint8";
  case ElementType::UInt16:
    return "uint16";
  case ElementType::UInt32:
    return "uint32";
  case ElementType::UInt64:
    return "uint64";
  case ElementType::Float16:
    return "float16";
  case ElementType::BFloat16:
    return "bfloat16";
  case ElementType::Float32:
    return "float32";
  case ElementType::Float64:
    return "float64";
  case ElementType::Int4:
    return "int4";
  case ElementType::UInt4:
    return "uint4";
  case ElementType::Int2:
    return "int2";
  case ElementType::UInt2:
    return "uint2";
  case ElementType::Float8E4M3FN:
    return "float8_e4m3fn";
  case ElementType::Float8E4M3FNUZ:
    return "float8_e4m3fnuz";
  case ElementType::Float8E5M2:
    return "float8_e5m2";
  case ElementType::Float8E5M2FNUZ:
    return "float8_e5m2fnuz";
  case ElementType::Float8E8M0FNU:
    return "float8_e8m0fnu";
  case ElementType::Float4E2M1FN:
    return "float4_e2m1fn";
  }
  return "unknown";
}

bool nibble::isFloatingPoint(ElementType type) {
  switch (type) {
  case ElementType::Float16:
  case ElementType::BFloat16:
  case ElementType::Float32:
  case ElementType::Float64:
  case ElementType::Float8E4M3FN:
  case ElementType::Float8E4M3FNUZ:
  case ElementType::Float8E5M2:
  case ElementType::Float8E5M2FNUZ:
  case ElementType::Float8E8M0FNU:
  case ElementType::Float4E2M1FN:
    return true;
  default:
    return false;
  }
}

unsigned nibble::getElementBitWidth(ElementType type) {
  switch (type) {
  case ElementType::Int4:
  case ElementType::UInt4:
  case ElementType::Float4E2M1FN:
    return 4;
  case ElementType::Int2:
  case ElementType::UInt2:
    return 2;
  default:
    return 8 * getElementSize(type);
  }
}

void nibble::canonicalizeNarrowElements(HostArray &array) {
  unsigned bits = getElementBitWidth(array.type);
  if (bits >= 8)
    return;
  bool isSigned =
      array.type == ElementType::Int4 || array.type == ElementType::Int2;
  uint8_t mask = (1u << bits) - 1;
  for (uint8_t &byte : array.data) {
    uint8_t value = byte & mask;
    if (isSigned && (value >> (bits - 1)))
      value |= ~mask;
    byte = value;
  }
}

nibble::HostArray::HostArray(std::string name, ElementType type,
                             std::vector<int64_t> shape)
    : name(std::move(name)), type(type), shape(std::move(shape)) {
  data.resize(getNumElements() * getElementSize(type));
}

int64_t nibble::HostArray::getNumElements() const {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= extent;
  return count;
}

std::string nibble::formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  SmallVector<std::string> extents;
  for (int64_t extent : shape)
    extents.push_back(extent < 0 ? "?" : std::to_string(extent));
  return join(extents, "x");
}

std::string nibble::HostArray::describe() const {
  return (getElementTypeName(type) + "[" + formatShape(shape) + "]").str();
}

template <typename T>
static T load(const uint8_t *bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

static double smallFloatToDouble(uint64_t bits, unsigned width,
                                 const fltSemantics &semantics) {
  APFloat value(semantics, APInt(width, bits));
  bool losesInfo;
  value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                &losesInfo);
  return value.convertToDouble();
}

double nibble::HostArray::getAsDouble(int64_t index) const {
  const uint8_t *bytes = data.data() + index * getElementSize(type);
  switch (type) {
  case ElementType::Bool:
    return bytes[0] != 0;
  case ElementType::Int8:
    return load<int8_t>(bytes);
  case ElementType::Int16:
    return load<int16_t>(bytes);
  case ElementType::Int32:
    return load<int32_t>(bytes);
  case ElementType::Int64:
    return static_cast<double>(load<int64_t>(bytes));
  case ElementType::UInt8:
    return load<uint8_t>(bytes);
  case ElementType::UInt16:
    return load<uint16_t>(bytes);
  case ElementType::UInt32:
    return load<uint32_t>(bytes);
  case ElementType::UInt64:
    return static_cast<double>(load<uint64_t>(bytes));
  case ElementType::Float16:
    return smallFloatToDouble(load<uint16_t>(bytes), 16, APFloat::IEEEhalf());
  case ElementType::BFloat16:
    return smallFloatToDouble(load<uint16_t>(bytes), 16, APFloat::BFloat());
  case ElementType::Int4:
  case ElementType::Int2:
    return load<int8_t>(bytes);
  case ElementType::UInt4:
  case ElementType::UInt2:
    return load<uint8_t>(bytes);
  case ElementType::Float8E4M3FN:
    return smallFloatToDouble(bytes[0], 8, APFloat::Float8E4M3FN());
  case ElementType::Float8E4M3FNUZ:
    return smallFloatToDouble(bytes[0], 8, APFloat::Float8E4M3FNUZ());
  case ElementType::Float8E5M2:
    return smallFloatToDouble(bytes[0], 8, APFloat::Float8E5M2());
  case ElementType::Float8E5M2FNUZ:
    return smallFloatToDouble(bytes[0], 8, APFloat::Float8E5M2FNUZ());
  case ElementType::Float8E8M0FNU:
    return smallFloatToDouble(bytes[0], 8, APFloat::Float8E8M0FNU());
  case ElementType::Float4E2M1FN:
    return smallFloatToDouble(bytes[0] & 0xF, 4, APFloat::Float4E2M1FN());
  case ElementType::Float32:
    return load<float>(bytes);
  case ElementType::Float64:
    return load<double>(bytes);
  }
  return 0;
}
