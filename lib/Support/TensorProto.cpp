//===- TensorProto.cpp - ONNX TensorProto files and test data sets --------===//
#include "nibble/Support/ArrayIO.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <map>

using namespace llvm;
using nibble::ElementType;
using nibble::HostArray;

// Data types newer than the ONNX 1.12 headers this builds against; the
// field is a plain int32, so newer files parse all the same.
namespace onnx_types {
enum : int {
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  UInt4 = 21,
  Int4 = 22,
  Float4E2M1 = 23,
  Float8E8M0 = 24,
  UInt2 = 25,
  Int2 = 26,
};
} // namespace onnx_types

static std::optional<ElementType> fromONNXType(int dataType) {
  switch (dataType) {
  case onnx_types::Float8E4M3FN:
    return ElementType::Float8E4M3FN;
  case onnx_types::Float8E4M3FNUZ:
    return ElementType::Float8E4M3FNUZ;
  case onnx_types::Float8E5M2:
    return ElementType::Float8E5M2;
  case onnx_types::Float8E5M2FNUZ:
    return ElementType::Float8E5M2FNUZ;
  case onnx_types::UInt4:
    return ElementType::UInt4;
  case onnx_types::Int4:
    return ElementType::Int4;
  case onnx_types::Float4E2M1:
    return ElementType::Float4E2M1FN;
  case onnx_types::Float8E8M0:
    return ElementType::Float8E8M0FNU;
  case onnx_types::UInt2:
    return ElementType::UInt2;
  case onnx_types::Int2:
    return ElementType::Int2;
  case onnx::TensorProto::FLOAT:
    return ElementType::Float32;
  case onnx::TensorProto::UINT8:
    return ElementType::UInt8;
  case onnx::TensorProto::INT8:
    return ElementType::Int8;
  case onnx::TensorProto::UINT16:
    return ElementType::UInt16;
  case onnx::TensorProto::INT16:
    return ElementType::Int16;
  case onnx::TensorProto::INT32:
    return ElementType::Int32;
  case onnx::TensorProto::INT64:
    return ElementType::Int64;
  case onnx::TensorProto::BOOL:
    return ElementType::Bool;
  case onnx::TensorProto::FLOAT16:
    return ElementType::Float16;
  case onnx::TensorProto::DOUBLE:
    return ElementType::Float64;
  case onnx::TensorProto::UINT32:
    return ElementType::UInt32;
  case onnx::TensorProto::UINT64:
    return ElementType::UInt64;
  case onnx::TensorProto::BFLOAT16:
    return ElementType::BFloat16;
  default:
    return std::nullopt;
  }
}

static int toONNXType(ElementType type) {
  switch (type) {
  case ElementType::Float32:
    return onnx::TensorProto::FLOAT;
  case ElementType::UInt8:
    return onnx::TensorProto::UINT8;
  case ElementType::Int8:
    return onnx::TensorProto::INT8;
  case ElementType::UInt16:
    return onnx::TensorProto::UINT16;
  case ElementType::Int16:
    return onnx::TensorProto::INT16;
  case ElementType::Int32:
    return onnx::TensorProto::INT32;
  case ElementType::Int64:
    return onnx::TensorProto::INT64;
  case ElementType::Bool:
    return onnx::TensorProto::BOOL;
  case ElementType::Float16:
    return onnx::TensorProto::FLOAT16;
  case ElementType::Float64:
    return onnx::TensorProto::DOUBLE;
  case ElementType::UInt32:
    return onnx::TensorProto::UINT32;
  case ElementType::UInt64:
    return onnx::TensorProto::UINT64;
  case ElementType::BFloat16:
    return onnx::TensorProto::BFLOAT16;
  case ElementType::Float8E4M3FN:
    return onnx_types::Float8E4M3FN;
  case ElementType::Float8E4M3FNUZ:
    return onnx_types::Float8E4M3FNUZ;
  case ElementType::Float8E5M2:
    return onnx_types::Float8E5M2;
  case ElementType::Float8E5M2FNUZ:
    return onnx_types::Float8E5M2FNUZ;
  case ElementType::UInt4:
    return onnx_types::UInt4;
  case ElementType::Int4:
    return onnx_types::Int4;
  case ElementType::Float4E2M1FN:
    return onnx_types::Float4E2M1;
  case ElementType::Float8E8M0FNU:
    return onnx_types::Float8E8M0;
  case ElementType::UInt2:
    return onnx_types::UInt2;
  case ElementType::Int2:
    return onnx_types::Int2;
  }
  return onnx::TensorProto::UNDEFINED;
}

/// Copies a repeated proto field into `array`, narrowing each value to the
/// element type (int32_data holds int8...uint16, bool and 16-bit float bits).
template <typename Element, typename Field>
static void copyNarrowed(const Field &field, HostArray &array) {
  for (auto [index, value] : llvm::enumerate(field)) {
    Element element = static_cast<Element>(value);
    std::memcpy(array.data.data() + index * sizeof(Element), &element,
                sizeof(Element));
  }
}

Expected<HostArray> nibble::parseTensorProto(StringRef bytes, StringRef what) {
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return createStringError(what + ": not a serialized onnx.TensorProto");
  std::optional<ElementType> type = fromONNXType(proto.data_type());
  if (!type)
    return createStringError(what + ": unsupported TensorProto data type " +
                             Twine(proto.data_type()));
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return createStringError(what + ": external tensor data is not supported");
  std::vector<int64_t> shape(proto.dims().begin(), proto.dims().end());
  HostArray array(proto.name(), *type, std::move(shape));
  int64_t count = array.getNumElements();

  // Sub-byte types are packed, low bits first, in raw_data and in the low
  // byte of each int32_data entry.
  unsigned bits = getElementBitWidth(*type);
  if (bits < 8) {
    unsigned perByte = 8 / bits;
    size_t packedSize = (count + perByte - 1) / perByte;
    std::string packed;
    if (proto.has_raw_data()) {
      packed = proto.raw_data();
    } else {
      for (int32_t entry : proto.int32_data())
        packed.push_back(static_cast<char>(entry & 0xFF));
    }
    if (packed.size() != packedSize)
      return createStringError(what + ": holds " + Twine(packed.size()) +
                               " packed bytes, " + array.describe() +
                               " needs " + Twine(packedSize));
    for (int64_t i = 0; i < count; ++i)
      array.data[i] = static_cast<uint8_t>(packed[i / perByte]) >>
                      (bits * (i % perByte));
    canonicalizeNarrowElements(array);
    return array;
  }

  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != array.data.size())
      return createStringError(what + ": raw_data holds " +
                               Twine(proto.raw_data().size()) + " bytes, " +
                               array.describe() + " needs " +
                               Twine(array.data.size()));
    std::memcpy(array.data.data(), proto.raw_data().data(), array.data.size());
    return array;
  }

  int64_t present = 0;
  switch (*type) {
  case ElementType::Float32:
    present = proto.float_data_size();
    if (present == count)
      copyNarrowed<float>(proto.float_data(), array);
    break;
  case ElementType::Float64:
    present = proto.double_data_size();
    if (present == count)
      copyNarrowed<double>(proto.double_data(), array);
    break;
  case ElementType::Int64:
    present = proto.int64_data_size();
    if (present == count)
      copyNarrowed<int64_t>(proto.int64_data(), array);
    break;
  case ElementType::UInt32:
    present = proto.uint64_data_size();
    if (present == count)
      copyNarrowed<uint32_t>(proto.uint64_data(), array);
    break;
  case ElementType::UInt64:
    present = proto.uint64_data_size();
    if (present == count)
      copyNarrowed<uint64_t>(proto.uint64_data(), array);
    break;
  case ElementType::Int32:
    present = proto.int32_data_size();
    if (present == count)
      copyNarrowed<int32_t>(proto.int32_data(), array);
    break;
  case ElementType::Int16:
  case ElementType::UInt16:
  case ElementType::Float16:
  case ElementType::BFloat16:
    present = proto.int32_data_size();
    if (present == count)
      copyNarrowed<uint16_t>(proto.int32_data(), array);
    break;
  case ElementType::Int8:
  case ElementType::UInt8:
  case ElementType::Bool:
  case ElementType::Float8E4M3FN:
  case ElementType::Float8E4M3FNUZ:
  case ElementType::Float8E5M2:
  case ElementType::Float8E5M2FNUZ:
  case ElementType::Float8E8M0FNU:
  // Sub-byte types returned above; listed for a complete switch.
  case ElementType::Int4:
  case ElementType::UInt4:
  case ElementType::Int2:
  case ElementType::UInt2:
  case ElementType::Float4E2M1FN:
    present = proto.int32_data_size();
    if (present == count)
      copyNarrowed<uint8_t>(proto.int32_data(), array);
    break;
  }
  if (present != count)
    return createStringError(what + ": holds " + Twine(present) +
                             " values, " + array.describe() + " needs " +
                             Twine(count));
  return array;
}

Expected<HostArray> nibble::readTensorProto(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError("cannot read '" + path +
                             "': " + buffer.getError().message());
  return parseTensorProto((*buffer)->getBuffer(), path);
}

std::string nibble::serializeTensorProto(const HostArray &array) {
  onnx::TensorProto proto;
  proto.set_name(array.name);
  proto.set_data_type(toONNXType(array.type));
  for (int64_t extent : array.shape)
    proto.add_dims(extent);
  unsigned bits = getElementBitWidth(array.type);
  if (bits >= 8) {
    proto.set_raw_data(array.data.data(), array.data.size());
    return proto.SerializeAsString();
  }
  unsigned perByte = 8 / bits;
  std::string packed((array.data.size() + perByte - 1) / perByte, '\0');
  uint8_t mask = (1u << bits) - 1;
  for (size_t i = 0; i < array.data.size(); ++i)
    packed[i / perByte] |= static_cast<char>((array.data[i] & mask)
                                             << (bits * (i % perByte)));
  proto.set_raw_data(packed);
  return proto.SerializeAsString();
}

/// `input_<i>.pb` files of `dir` by index; an error for gaps.
static Expected<std::vector<HostArray>> readIndexedTensors(StringRef dir,
                                                           StringRef prefix) {
  std::map<unsigned, std::string> files;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = sys::path::filename(it->path());
    unsigned index;
    if (name.consume_front(prefix) && name.consume_back(".pb") &&
        !name.getAsInteger(10, index))
      files[index] = it->path();
  }
  if (ec)
    return createStringError("cannot list '" + dir + "': " + ec.message());
  std::vector<HostArray> arrays;
  for (auto [index, path] : files) {
    if (index != arrays.size())
      return createStringError(dir + ": " + prefix + Twine(arrays.size()) +
                               ".pb is missing");
    Expected<HostArray> array = nibble::readTensorProto(path);
    if (!array)
      return array.takeError();
    arrays.push_back(std::move(*array));
  }
  return arrays;
}

Expected<nibble::TestDataSet> nibble::readTestDataSet(StringRef dir) {
  TestDataSet set;
  Expected<std::vector<HostArray>> inputs = readIndexedTensors(dir, "input_");
  if (!inputs)
    return inputs.takeError();
  Expected<std::vector<HostArray>> outputs =
      readIndexedTensors(dir, "output_");
  if (!outputs)
    return outputs.takeError();
  set.inputs = std::move(*inputs);
  set.outputs = std::move(*outputs);
  return set;
}

Expected<std::vector<HostArray>>
nibble::readArrays(ArrayRef<std::string> paths) {
  std::vector<HostArray> arrays;
  for (const std::string &path : paths) {
    if (sys::fs::is_directory(path)) {
      Expected<TestDataSet> set = readTestDataSet(path);
      if (!set)
        return set.takeError();
      if (set->inputs.empty())
        return createStringError("'" + path +
                                 "' holds no input_<i>.pb files");
      llvm::append_range(arrays, std::move(set->inputs));
      continue;
    }
    StringRef extension = sys::path::extension(path);
    if (extension.equals_insensitive(".npz")) {
      Expected<std::vector<HostArray>> archive = readNpz(path);
      if (!archive)
        return archive.takeError();
      llvm::append_range(arrays, std::move(*archive));
    } else if (extension.equals_insensitive(".npy")) {
      Expected<HostArray> array = readNpy(path);
      if (!array)
        return array.takeError();
      arrays.push_back(std::move(*array));
    } else if (extension.equals_insensitive(".pb")) {
      Expected<HostArray> array = readTensorProto(path);
      if (!array)
        return array.takeError();
      arrays.push_back(std::move(*array));
    } else if (!sys::fs::exists(path)) {
      return createStringError("'" + path + "' does not exist");
    } else {
      return createStringError("'" + path +
                               "': expected a .npz, .npy or .pb file or a "
                               "test data set folder");
    }
  }
  return arrays;
}
