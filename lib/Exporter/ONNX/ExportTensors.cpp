//===- ExportTensors.cpp - MLIR types and constants to ONNX ---------------===//
//
// The inverse of the importer's ONNXTypes.cpp. Constants are written as
// raw_data in ONNX's byte layout. Whole-byte element types are copied in one
// piece (MLIR's dense storage and resource blobs already hold them
// little-endian, one element after another); bool and the 2-, 4- and 6-bit
// types are re-encoded element by element (ONNX: bool one byte each, narrow
// types packed low bits first).
//
//===----------------------------------------------------------------------===//
#include "ONNXExporterImpl.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace nibble::onnx_export;

namespace {
// TensorProto::DataType values (onnx 1.23); libonnx 1.12's enum lacks the
// newer ones.
enum DataType : int32_t {
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
  kFloat8E4M3FN = 17,
  kFloat8E4M3FNUZ = 18,
  kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20,
  kUInt4 = 21,
  kInt4 = 22,
  kFloat4E2M1 = 23,
  kFloat8E8M0 = 24,
  kUInt2 = 25,
  kInt2 = 26,
  kFloat6E2M3 = 27,
  kFloat6E3M2 = 28,
};

/// 2-, 4- and 6-bit types, which ONNX packs densely.
bool isSubByte(Type type) {
  unsigned width = type.getIntOrFloatBitWidth();
  return width > 1 && width < 8;
}

std::string describe(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}
} // namespace

Type nibble::onnx_export::getONNXElementType(Type elementType) {
  auto quantType = dyn_cast<quant::QuantizedType>(elementType);
  if (!quantType)
    return elementType;
  Type storage = quantType.getStorageType();
  if (auto intType = dyn_cast<IntegerType>(storage))
    return IntegerType::get(elementType.getContext(), intType.getWidth(),
                            quantType.isSigned() ? IntegerType::Signless
                                                 : IntegerType::Unsigned);
  return storage;
}

int32_t nibble::onnx_export::getDataType(Type elementType) {
  Type type = getONNXElementType(elementType);
  if (auto intType = dyn_cast<IntegerType>(type)) {
    bool isUnsigned = intType.isUnsigned();
    switch (intType.getWidth()) {
    case 1: return isUnsigned ? 0 : kBool;
    case 2: return isUnsigned ? kUInt2 : kInt2;
    case 4: return isUnsigned ? kUInt4 : kInt4;
    case 8: return isUnsigned ? kUInt8 : kInt8;
    case 16: return isUnsigned ? kUInt16 : kInt16;
    case 32: return isUnsigned ? kUInt32 : kInt32;
    case 64: return isUnsigned ? kUInt64 : kInt64;
    default: return 0;
    }
  }
  if (type.isF32()) return kFloat;
  if (type.isF16()) return kFloat16;
  if (type.isF64()) return kDouble;
  if (type.isBF16()) return kBFloat16;
  if (isa<Float8E4M3FNType>(type)) return kFloat8E4M3FN;
  if (isa<Float8E4M3FNUZType>(type)) return kFloat8E4M3FNUZ;
  if (isa<Float8E5M2Type>(type)) return kFloat8E5M2;
  if (isa<Float8E5M2FNUZType>(type)) return kFloat8E5M2FNUZ;
  if (isa<Float4E2M1FNType>(type)) return kFloat4E2M1;
  if (isa<Float8E8M0FNUType>(type)) return kFloat8E8M0;
  if (isa<Float6E2M3FNType>(type)) return kFloat6E2M3;
  if (isa<Float6E3M2FNType>(type)) return kFloat6E3M2;
  return 0;
}

LogicalResult nibble::onnx_export::convertType(Type type,
                                               onnx::TypeProto &proto,
                                               Location loc) {
  auto tensorType = dyn_cast<TensorType>(type);
  if (!tensorType)
    return emitError(loc) << "only tensors can be ONNX graph inputs and "
                             "outputs, got "
                          << type;
  int32_t dataType = getDataType(tensorType.getElementType());
  if (!dataType)
    return emitError(loc) << "element type " << tensorType.getElementType()
                          << " has no ONNX data type";
  auto *tensor = proto.mutable_tensor_type();
  tensor->set_elem_type(dataType);
  auto ranked = dyn_cast<RankedTensorType>(tensorType);
  if (!ranked)
    return success();
  auto *shape = tensor->mutable_shape();
  for (int64_t dim : ranked.getShape()) {
    auto *d = shape->add_dim();
    // A dimension with neither value nor parameter is ONNX's unknown size.
    if (!ShapedType::isDynamic(dim))
      d->set_dim_value(dim);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Tensor data
//===----------------------------------------------------------------------===//

namespace {
/// Packs `bits` (one value per element, `width` bits each) low bits first.
std::string packBits(ArrayRef<uint64_t> bits, unsigned width) {
  std::string bytes((bits.size() * width + 7) / 8, '\0');
  uint64_t bit = 0;
  for (uint64_t value : bits)
    for (unsigned j = 0; j < width; ++j, ++bit)
      if ((value >> j) & 1)
        bytes[bit / 8] |= char(1u << (bit % 8));
  return bytes;
}

/// Element bit patterns of a dense attribute (ints and floats alike).
SmallVector<uint64_t> elementBits(DenseElementsAttr dense) {
  SmallVector<uint64_t> bits;
  bits.reserve(dense.getNumElements());
  if (isa<FloatType>(dense.getElementType())) {
    for (const APFloat &value : dense.getValues<APFloat>())
      bits.push_back(value.bitcastToAPInt().getZExtValue());
  } else {
    for (const APInt &value : dense.getValues<APInt>())
      bits.push_back(value.getZExtValue());
  }
  return bits;
}

FailureOr<std::string> denseBytes(DenseElementsAttr dense, Location loc) {
  Type elementType = dense.getElementType();
  int64_t n = dense.getNumElements();
  if (elementType.isInteger(1)) {
    std::string bytes;
    bytes.reserve(n);
    for (bool value : dense.getValues<bool>())
      bytes.push_back(value ? 1 : 0);
    return bytes;
  }
  unsigned width = elementType.getIntOrFloatBitWidth();
  if (isSubByte(elementType))
    return packBits(elementBits(dense), width);
  // Whole bytes: the attribute's storage is ONNX's layout already.
  ArrayRef<char> raw = dense.getRawData();
  size_t elementBytes = width / 8;
  if (!dense.isSplat())
    return std::string(raw.data(), raw.size());
  if (raw.size() != elementBytes)
    return emitError(loc) << "unexpected storage of a splat constant",
           failure();
  std::string bytes;
  bytes.reserve(size_t(n) * elementBytes);
  for (int64_t i = 0; i < n; ++i)
    bytes.append(raw.data(), elementBytes);
  return bytes;
}

FailureOr<std::string> resourceBytes(DenseResourceElementsAttr resource,
                                     Location loc) {
  StringRef key = resource.getRawHandle().getKey();
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return emitError(loc) << "constant 'dense_resource<" << key
                          << ">' has no data (was the resource elided?)",
           failure();
  ArrayRef<char> data = blob->getData();
  Type elementType = resource.getElementType();
  int64_t n = resource.getNumElements();
  unsigned width = elementType.getIntOrFloatBitWidth();
  // Resource blobs hold whole bytes per element, narrow types too.
  size_t elementBytes = std::max(1u, (width + 7) / 8);
  if (data.size() != size_t(n) * elementBytes)
    return emitError(loc) << "constant 'dense_resource<" << key << ">' has "
                          << data.size() << " bytes but its type "
                          << describe(resource.getType()) << " needs "
                          << size_t(n) * elementBytes,
           failure();
  if (elementType.isInteger(1)) {
    std::string bytes(data.data(), data.size());
    for (char &c : bytes)
      c = c != 0;
    return bytes;
  }
  if (isSubByte(elementType)) {
    SmallVector<uint64_t> bits;
    bits.reserve(n);
    for (char c : data)
      bits.push_back(uint8_t(c) & ((1u << width) - 1));
    return packBits(bits, width);
  }
  return std::string(data.data(), data.size());
}
} // namespace

LogicalResult nibble::onnx_export::convertElements(ElementsAttr attr,
                                                   int32_t dataType,
                                                   onnx::TensorProto &tensor,
                                                   Location loc) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape())
    return emitError(loc) << "constant of type " << attr.getType()
                          << " has no static shape";
  FailureOr<std::string> bytes = failure();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    bytes = denseBytes(dense, loc);
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    bytes = resourceBytes(resource, loc);
  } else {
    return emitError(loc) << "cannot export a constant of type "
                          << attr.getType()
                          << ": only dense and dense_resource constants";
  }
  if (failed(bytes))
    return failure();
  tensor.set_data_type(dataType);
  for (int64_t dim : type.getShape())
    tensor.add_dims(dim);
  tensor.set_raw_data(std::move(*bytes));
  return success();
}
