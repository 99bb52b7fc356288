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
  }
  return "unknown";
}

bool nibble::isFloatingPoint(ElementType type) {
  return type == ElementType::Float16 || type == ElementType::BFloat16 ||
         type == ElementType::Float32 || type == ElementType::Float64;
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

static double halfToDouble(uint16_t bits, const fltSemantics &semantics) {
  APFloat value(semantics, APInt(16, bits));
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
    return halfToDouble(load<uint16_t>(bytes), APFloat::IEEEhalf());
  case ElementType::BFloat16:
    return halfToDouble(load<uint16_t>(bytes), APFloat::BFloat());
  case ElementType::Float32:
    return load<float>(bytes);
  case ElementType::Float64:
    return load<double>(bytes);
  }
  return 0;
}
