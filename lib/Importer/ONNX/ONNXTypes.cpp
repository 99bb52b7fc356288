//===- ONNXTypes.cpp - ONNX types and tensors to MLIR ---------------------===//
//
// Element types, tensor types and weights. Weights are referenced rather than
// copied where the bytes already sit in the right layout: raw_data strings
// are moved out of the protobuf into a blob that owns them, and external
// data files are memory-mapped. Typed-field data (float_data, int32_data,
// ...) has to be repacked, so it is copied once.
//
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace nibble::onnx_import;

namespace {
// TensorProto::DataType values; libonnx 1.12's enum predates the float8,
// 4-, 2- and 6-bit types, so they are spelled out here (onnx 1.23's values).
enum DataType : int32_t {
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
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
} // namespace

Type nibble::onnx_import::convertElementType(int32_t dataType,
                                              MLIRContext &ctx) {
  Builder b(&ctx);
  auto unsignedInt = [&](unsigned width) {
    return IntegerType::get(&ctx, width, IntegerType::Unsigned);
  };
  switch (dataType) {
  case kFloat: return b.getF32Type();
  case kUInt8: return unsignedInt(8);
  case kInt8: return b.getIntegerType(8);
  case kUInt16: return unsignedInt(16);
  case kInt16: return b.getIntegerType(16);
  case kInt32: return b.getIntegerType(32);
  case kInt64: return b.getIntegerType(64);
  case kBool: return b.getI1Type();
  case kFloat16: return b.getF16Type();
  case kDouble: return b.getF64Type();
  case kUInt32: return unsignedInt(32);
  case kUInt64: return unsignedInt(64);
  case kBFloat16: return b.getBF16Type();
  case kFloat8E4M3FN: return Float8E4M3FNType::get(&ctx);
  case kFloat8E4M3FNUZ: return Float8E4M3FNUZType::get(&ctx);
  case kFloat8E5M2: return Float8E5M2Type::get(&ctx);
  case kFloat8E5M2FNUZ: return Float8E5M2FNUZType::get(&ctx);
  case kUInt4: return unsignedInt(4);
  case kInt4: return b.getIntegerType(4);
  case kFloat4E2M1:
    return Float4E2M1FNType::get(&ctx);
  case kFloat8E8M0:
    return Float8E8M0FNUType::get(&ctx);
  case kUInt2:
    return unsignedInt(2);
  case kInt2:
    return b.getIntegerType(2);
  case kFloat6E2M3:
    return Float6E2M3FNType::get(&ctx);
  case kFloat6E3M2:
    return Float6E3M2FNType::get(&ctx);
  default: return {};
  }
}

StringRef nibble::onnx_import::dataTypeName(int32_t dataType) {
  static const char *const names[] = {
      "UNDEFINED",      "FLOAT",        "UINT8",          "INT8",
      "UINT16",         "INT16",        "INT32",          "INT64",
      "STRING",         "BOOL",         "FLOAT16",        "DOUBLE",
      "UINT32",         "UINT64",       "COMPLEX64",      "COMPLEX128",
      "BFLOAT16",       "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
      "FLOAT8E5M2FNUZ", "UINT4",        "INT4",           "FLOAT4E2M1",
      "FLOAT8E8M0",     "UINT2",        "INT2",           "FLOAT6E2M3",
      "FLOAT6E3M2"};
  if (dataType >= 0 && dataType < int32_t(std::size(names)))
    return names[dataType];
  return "unknown data type";
}

FailureOr<TensorType>
nibble::onnx_import::convertType(const onnx::TypeProto &type, Location loc) {
  if (!type.has_tensor_type())
    return emitError(loc) << "only tensor types are supported, got "
                          << (type.has_sequence_type()   ? "a sequence"
                              : type.has_map_type()      ? "a map"
                              : type.has_optional_type() ? "an optional"
                                                         : "a non-tensor")
                          << " type";
  const auto &tensorType = type.tensor_type();
  Type elementType =
      convertElementType(tensorType.elem_type(), *loc.getContext());
  if (!elementType)
    return emitError(loc) << "unsupported element type "
                          << dataTypeName(tensorType.elem_type());
  if (!tensorType.has_shape())
    return TensorType(UnrankedTensorType::get(elementType));
  SmallVector<int64_t> shape;
  for (const auto &dim : tensorType.shape().dim())
    shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0
                        ? dim.dim_value()
                        : ShapedType::kDynamic);
  return TensorType(RankedTensorType::get(shape, elementType));
}

//===----------------------------------------------------------------------===//
// Tensor data
//===----------------------------------------------------------------------===//

namespace {
/// Bytes per element in a dense buffer (i1 and sub-byte types excluded: they
/// are unpacked element by element).
unsigned storageBytes(Type type) {
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

/// 2-, 4- and 6-bit types, which ONNX packs densely, low bits first.
bool isSubByte(Type type) {
  unsigned width = type.getIntOrFloatBitWidth();
  return width > 1 && width < 8;
}

/// Resource keys print as bare identifiers; tensor names may be anything.
std::string blobKey(StringRef name) {
  std::string key;
  for (char c : name)
    key.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (key.empty() || llvm::isDigit(key[0]) || key[0] == '.')
    key.insert(key.begin(), '_');
  return key;
}

/// A blob over `data`, released by `owner`'s destruction. Copies instead when
/// the bytes are not aligned for the element type (unaligned external offsets).
template <typename Owner>
ElementsAttr makeResource(RankedTensorType type, StringRef name,
                          ArrayRef<char> data, Owner owner) {
  size_t align = std::max<size_t>(1, storageBytes(type.getElementType()));
  AsmResourceBlob blob;
  if (reinterpret_cast<uintptr_t>(data.data()) % align != 0) {
    blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(data, align);
  } else {
    blob = AsmResourceBlob(
        data, align,
        [owner = std::move(owner)](void *, size_t, size_t) mutable {
          owner.reset();
        },
        /*dataIsMutable=*/false);
  }
  return DenseResourceElementsAttr::get(type, blobKey(name), std::move(blob));
}

/// Builds an attribute from a buffer laid out as MLIR's dense storage
/// (little-endian, whole bytes per element), as a blob when it is large.
ElementsAttr fromDenseBytes(RankedTensorType type, StringRef name,
                            std::vector<char> bytes) {
  if (type.getNumElements() >= kResourceThreshold)
    return DenseResourceElementsAttr::get(
        type, blobKey(name),
        HeapAsmResourceBlob::allocateAndCopyWithAlign(
            bytes, std::max<size_t>(1, storageBytes(type.getElementType()))));
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}

/// i1 and sub-byte tensors are built element by element from ONNX's byte
/// (bool) or bit-packed layout (element i at bit i * width, low bits first).
ElementsAttr fromBytesUnpacked(RankedTensorType type, ArrayRef<uint8_t> bytes) {
  Type elementType = type.getElementType();
  int64_t n = type.getNumElements();
  if (elementType.isInteger(1)) {
    SmallVector<bool> values(n);
    for (int64_t i = 0; i < n; ++i)
      values[i] = bytes[i] != 0;
    return DenseElementsAttr::get(type, values);
  }
  unsigned width = elementType.getIntOrFloatBitWidth();
  auto element = [&](int64_t i) {
    uint64_t bit = uint64_t(i) * width, bits = 0;
    for (unsigned j = 0; j < width; ++j, ++bit)
      bits |= uint64_t((bytes[bit / 8] >> (bit % 8)) & 1) << j;
    return APInt(width, bits);
  };
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    SmallVector<APFloat> values;
    values.reserve(n);
    for (int64_t i = 0; i < n; ++i)
      values.emplace_back(floatType.getFloatSemantics(), element(i));
    return DenseElementsAttr::get(type, values);
  }
  SmallVector<APInt> values;
  values.reserve(n);
  for (int64_t i = 0; i < n; ++i)
    values.push_back(element(i));
  return DenseElementsAttr::get(type, values);
}

/// Expected size of the ONNX byte layout of `type` (sub-byte types packed).
uint64_t onnxByteSize(RankedTensorType type) {
  uint64_t n = type.getNumElements();
  Type elementType = type.getElementType();
  if (isSubByte(elementType))
    return (n * elementType.getIntOrFloatBitWidth() + 7) / 8;
  if (elementType.isInteger(1))
    return n;
  return n * storageBytes(elementType);
}

std::string describe(RankedTensorType type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// Memory-maps the external data of `tensor`, confined to the policy's folder.
FailureOr<std::unique_ptr<llvm::MemoryBuffer>>
mapExternalData(const onnx::TensorProto &tensor, uint64_t expectedBytes,
                Location loc, const ExternalDataPolicy &policy) {
  StringRef name = tensor.name();
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : tensor.external_data()) {
    StringRef key = entry.key(), value = entry.value();
    if (key == "location") {
      location = value.str();
    } else if (key == "offset" || key == "length") {
      uint64_t parsed;
      if (value.getAsInteger(10, parsed))
        return emitError(loc) << "tensor '" << name << "': external data "
                              << key << " '" << value
                              << "' is not a non-negative integer";
      if (key == "offset")
        offset = parsed;
      else
        length = parsed;
    }
  }
  if (location.empty())
    return emitError(loc) << "tensor '" << name
                          << "': external data has no 'location'";
  if (policy.baseDir.empty())
    return emitError(loc) << "tensor '" << name << "': external data '"
                          << location
                          << "' needs a folder (--onnx-external-data-dir) "
                             "when the model is read from memory";
  namespace path = llvm::sys::path;
  if (path::is_absolute(location) ||
      path::is_absolute(location, path::Style::windows))
    return emitError(loc) << "tensor '" << name << "': external data path '"
                          << location
                          << "' is absolute; it must be relative to the "
                             "model folder";
  for (StringRef component : llvm::make_range(path::begin(location),
                                              path::end(location)))
    if (component == "..")
      return emitError(loc) << "tensor '" << name << "': external data path '"
                            << location
                            << "' contains '..'; it must stay inside the "
                               "model folder";

  SmallString<256> joined(policy.baseDir);
  path::append(joined, location);
  SmallString<256> realBase, realFile;
  if (std::error_code ec = llvm::sys::fs::real_path(policy.baseDir, realBase))
    return emitError(loc) << "tensor '" << name
                          << "': cannot resolve the external data folder '"
                          << policy.baseDir << "': " << ec.message();
  if (std::error_code ec = llvm::sys::fs::real_path(joined, realFile))
    return emitError(loc) << "tensor '" << name
                          << "': cannot open external data file '" << joined
                          << "': " << ec.message();
  StringRef file = realFile;
  if (!file.starts_with(realBase) || file.size() <= realBase.size() ||
      !path::is_separator(file[realBase.size()]))
    return emitError(loc) << "tensor '" << name << "': external data path '"
                          << location << "' resolves to '" << file
                          << "', outside the model folder '" << realBase
                          << "'";

  if (length && *length != expectedBytes)
    return emitError(loc) << "tensor '" << name << "': external data length "
                          << *length << " does not match its type, which "
                          << "needs " << expectedBytes << " bytes";
  uint64_t fileSize;
  if (std::error_code ec = llvm::sys::fs::file_size(file, fileSize))
    return emitError(loc) << "tensor '" << name << "': cannot stat '" << file
                          << "': " << ec.message();
  if (offset > fileSize || fileSize - offset < expectedBytes)
    return emitError(loc) << "tensor '" << name << "': external data file '"
                          << location << "' is shorter than declared: it has "
                          << fileSize << " bytes, the tensor needs "
                          << expectedBytes << " bytes at offset " << offset;
  auto buffer = llvm::MemoryBuffer::getFileSlice(file, expectedBytes, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return emitError(loc) << "tensor '" << name << "': cannot map '" << file
                          << "': " << buffer.getError().message();
  return std::move(*buffer);
}

/// Repacks typed-field values into MLIR's dense byte layout.
template <typename T, typename Field>
std::vector<char> packField(const Field &field, unsigned bytesPerElement) {
  std::vector<char> bytes(field.size() * bytesPerElement);
  for (int i = 0, e = field.size(); i < e; ++i) {
    T value = static_cast<T>(field.Get(i));
    std::memcpy(bytes.data() + size_t(i) * bytesPerElement, &value,
                bytesPerElement);
  }
  return bytes;
}

FailureOr<ElementsAttr> convertTensorImpl(onnx::TensorProto &tensor,
                                          Location loc,
                                          const ExternalDataPolicy &policy) {
  MLIRContext &ctx = *loc.getContext();
  StringRef name = tensor.name();
  auto fail = [&]() {
    return emitError(loc) << "tensor '" << name << "': ";
  };
  Type elementType = convertElementType(tensor.data_type(), ctx);
  if (!elementType)
    return fail() << "unsupported data type "
                  << dataTypeName(tensor.data_type());
  SmallVector<int64_t> shape;
  int64_t numElements = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return fail() << "negative dimension " << dim;
    if (dim != 0 && numElements > (int64_t(1) << 48) / dim)
      return fail() << "too many elements";
    numElements *= dim;
    shape.push_back(dim);
  }
  auto type = RankedTensorType::get(shape, elementType);
  uint64_t expectedBytes = onnxByteSize(type);
  bool unpack = elementType.isInteger(1) || isSubByte(elementType);

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    auto buffer = mapExternalData(tensor, expectedBytes, loc, policy);
    if (failed(buffer))
      return failure();
    ArrayRef<char> data((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
    if (unpack)
      return fromBytesUnpacked(
          type, ArrayRef<uint8_t>((const uint8_t *)data.data(), data.size()));
    if (numElements < kResourceThreshold)
      return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, data));
    return makeResource(type, name, data, std::move(*buffer));
  }

  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != expectedBytes)
      return fail() << "raw data has " << raw.size() << " bytes but its type "
                    << describe(type) << " needs " << expectedBytes;
    if (unpack)
      return fromBytesUnpacked(
          type, ArrayRef<uint8_t>((const uint8_t *)raw.data(), raw.size()));
    if (numElements < kResourceThreshold)
      return ElementsAttr(DenseElementsAttr::getFromRawBuffer(
          type, ArrayRef<char>(raw.data(), raw.size())));
    // The blob takes the protobuf's string: no copy of the weights.
    std::unique_ptr<std::string> owned(tensor.release_raw_data());
    ArrayRef<char> data(owned->data(), owned->size());
    return makeResource(type, name, data, std::move(owned));
  }

  // Typed fields. Which one holds the data depends on the data type.
  auto checkCount = [&](int64_t count, StringRef field,
                        int64_t expected) -> LogicalResult {
    if (count == expected)
      return success();
    return fail() << field << " has " << count << " values but its type "
                  << describe(type) << " needs " << expected;
  };
  int32_t dataType = tensor.data_type();
  switch (dataType) {
  case kFloat:
    if (failed(checkCount(tensor.float_data_size(), "float_data", numElements)))
      return failure();
    return fromDenseBytes(type, name, packField<float>(tensor.float_data(), 4));
  case kDouble:
    if (failed(
            checkCount(tensor.double_data_size(), "double_data", numElements)))
      return failure();
    return fromDenseBytes(type, name,
                          packField<double>(tensor.double_data(), 8));
  case kInt64:
    if (failed(checkCount(tensor.int64_data_size(), "int64_data", numElements)))
      return failure();
    return fromDenseBytes(type, name,
                          packField<int64_t>(tensor.int64_data(), 8));
  case kUInt32:
  case kUInt64: {
    if (failed(
            checkCount(tensor.uint64_data_size(), "uint64_data", numElements)))
      return failure();
    unsigned width = dataType == kUInt32 ? 4 : 8;
    return fromDenseBytes(type, name,
                          packField<uint64_t>(tensor.uint64_data(), width));
  }
  case kString:
  case kComplex64:
  case kComplex128:
    break;
  default: {
    // Everything else lives in int32_data, one element per value (sub-byte
    // types: one packed byte per value).
    int64_t expected =
        isSubByte(elementType) ? int64_t(expectedBytes) : numElements;
    if (failed(checkCount(tensor.int32_data_size(), "int32_data", expected)))
      return failure();
    if (unpack) {
      std::vector<uint8_t> bytes(expected);
      for (int64_t i = 0; i < expected; ++i)
        bytes[i] = static_cast<uint8_t>(tensor.int32_data(i));
      return fromBytesUnpacked(type, bytes);
    }
    unsigned width = storageBytes(elementType);
    return fromDenseBytes(type, name,
                          packField<uint32_t>(tensor.int32_data(), width));
  }
  }
  return fail() << "unsupported data type " << dataTypeName(dataType);
}
} // namespace

FailureOr<ElementsAttr>
nibble::onnx_import::convertTensor(onnx::TensorProto &tensor, Location loc,
                                   const ExternalDataPolicy &policy) {
  return convertTensorImpl(tensor, loc, policy);
}

FailureOr<ElementsAttr>
nibble::onnx_import::convertSparseTensor(onnx::SparseTensorProto &sparse,
                                         Location loc,
                                         const ExternalDataPolicy &policy) {
  auto values = convertTensorImpl(*sparse.mutable_values(), loc, policy);
  auto indices = convertTensorImpl(*sparse.mutable_indices(), loc, policy);
  if (failed(values) || failed(indices))
    return failure();
  auto fail = [&]() {
    return emitError(loc) << "sparse tensor '" << sparse.values().name()
                          << "': ";
  };
  SmallVector<int64_t> shape(sparse.dims().begin(), sparse.dims().end());
  int64_t numElements = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || (dim && numElements > (int64_t(1) << 28) / dim))
      return fail() << "dimensions are negative or too large to densify";
    numElements *= dim;
  }
  auto valuesAttr = dyn_cast<DenseElementsAttr>(*values);
  auto indicesAttr = dyn_cast<DenseElementsAttr>(*indices);
  if (!valuesAttr || !indicesAttr ||
      !indicesAttr.getElementType().isInteger(64))
    return fail() << "expected small values and int64 indices";
  int64_t nnz = valuesAttr.getNumElements();
  auto indexType = cast<RankedTensorType>(indicesAttr.getType());
  bool linear = indexType.getRank() == 1;
  if (!(linear && indexType.getDimSize(0) == nnz) &&
      !(indexType.getRank() == 2 && indexType.getDimSize(0) == nnz &&
        indexType.getDimSize(1) == int64_t(shape.size())))
    return fail() << "indices must be [NNZ] or [NNZ, rank]";
  SmallVector<int64_t> flatIndices;
  auto raw = llvm::to_vector(indicesAttr.getValues<int64_t>());
  for (int64_t i = 0; i < nnz; ++i) {
    int64_t flat = 0;
    if (linear) {
      flat = raw[i];
    } else {
      for (size_t d = 0; d < shape.size(); ++d) {
        int64_t index = raw[i * shape.size() + d];
        if (index < 0 || index >= shape[d])
          return fail() << "index out of range";
        flat = flat * shape[d] + index;
      }
    }
    if (flat < 0 || flat >= numElements)
      return fail() << "index out of range";
    flatIndices.push_back(flat);
  }
  auto type = RankedTensorType::get(shape, valuesAttr.getElementType());
  if (auto floatType = dyn_cast<FloatType>(type.getElementType())) {
    SmallVector<APFloat> dense(numElements,
                               APFloat::getZero(floatType.getFloatSemantics()));
    auto nonzero = llvm::to_vector(valuesAttr.getValues<APFloat>());
    for (int64_t i = 0; i < nnz; ++i)
      dense[flatIndices[i]] = nonzero[i];
    return ElementsAttr(DenseElementsAttr::get(type, dense));
  }
  unsigned width = type.getElementType().getIntOrFloatBitWidth();
  SmallVector<APInt> dense(numElements, APInt(width, 0));
  auto nonzero = llvm::to_vector(valuesAttr.getValues<APInt>());
  for (int64_t i = 0; i < nnz; ++i)
    dense[flatIndices[i]] = nonzero[i];
  return ElementsAttr(DenseElementsAttr::get(type, dense));
}
