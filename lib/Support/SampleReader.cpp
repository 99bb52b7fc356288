//===- SampleReader.cpp - model input samples, one at a time --------------===//
#include "nibble/Support/SampleReader.h"

#include "FileStreams.h"
#include "nibble/Support/ArrayIO.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

using namespace llvm;
using namespace nibble;
using namespace nibble::detail;

struct SampleReader::ArrayStream {
  std::unique_ptr<ByteStream> bytes;
  int64_t samplesLeft = 0;
};

SampleReader::SampleReader(std::string path, std::vector<HostArray> headers,
                           std::vector<std::unique_ptr<ArrayStream>> streams)
    : path(std::move(path)), headers(std::move(headers)),
      streams(std::move(streams)) {}

SampleReader::~SampleReader() = default;

/// A header-only HostArray: name, type and shape, no data.
static HostArray makeHeader(std::string name, ElementType type,
                            std::vector<int64_t> shape) {
  HostArray header;
  header.name = std::move(name);
  header.type = type;
  header.shape = std::move(shape);
  return header;
}

static uint64_t getDataSize(const HostArray &header) {
  return uint64_t(header.getNumElements()) * getElementSize(header.type);
}

/// Reads a .npy header from the front of `stream` (which is `available`
/// bytes long), leaving it at the array's data.
static Expected<HostArray> readNpyHeader(ByteStream &stream,
                                         uint64_t available,
                                         StringRef what, std::string name) {
  std::string bytes(std::min<uint64_t>(available, 12), '\0');
  if (Error error = stream.read(bytes.data(), bytes.size()))
    return std::move(error);
  Expected<size_t> dataOffset = getNpyDataOffset(bytes, what);
  if (!dataOffset)
    return dataOffset.takeError();
  if (*dataOffset > available)
    return createStringError(what + ": truncated header");
  size_t prefix = bytes.size();
  bytes.resize(std::max<size_t>(*dataOffset, prefix));
  if (Error error = stream.read(bytes.data() + prefix, bytes.size() - prefix))
    return std::move(error);
  Expected<NpyHeader> header = parseNpyHeader(bytes, what);
  if (!header)
    return header.takeError();
  HostArray array =
      makeHeader(std::move(name), header->type, std::move(header->shape));
  uint64_t needed = getDataSize(array);
  if (available - *dataOffset < needed)
    return createStringError(what + ": holds " +
                             Twine(available - *dataOffset) +
                             " bytes of data, " + array.describe() +
                             " needs " + Twine(needed));
  return array;
}

/// `input_<i>.pb` files of `dir` by index.
static Expected<std::map<unsigned, std::string>>
findTestDataSetInputs(StringRef dir) {
  std::map<unsigned, std::string> files;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = sys::path::filename(it->path());
    unsigned index;
    if (name.consume_front("input_") && name.consume_back(".pb") &&
        !name.getAsInteger(10, index))
      files[index] = it->path();
  }
  if (ec)
    return createStringError("cannot read folder '" + dir +
                             "': " + ec.message());
  return files;
}

Expected<std::unique_ptr<SampleReader>> SampleReader::open(StringRef path) {
  std::vector<HostArray> headers;
  std::vector<std::unique_ptr<ArrayStream>> streams;
  // Arrays read whole (TensorProtos) stream from memory.
  auto addInMemory = [&](HostArray array) {
    auto stream = std::make_unique<ArrayStream>();
    stream->samplesLeft = array.shape.empty() ? 0 : array.shape[0];
    headers.push_back(makeHeader(array.name, array.type, array.shape));
    stream->bytes = openMemoryStream(std::move(array.data), path.str());
    streams.push_back(std::move(stream));
  };

  StringRef extension = sys::path::extension(path);
  if (sys::fs::is_directory(path)) {
    Expected<std::map<unsigned, std::string>> inputs =
        findTestDataSetInputs(path);
    if (!inputs)
      return inputs.takeError();
    if (inputs->empty())
      return createStringError("'" + path + "' holds no input_<i>.pb files");
    unsigned expected = 0;
    for (auto &[index, file] : *inputs) {
      if (index != expected++)
        return createStringError(path + ": input_" + Twine(expected - 1) +
                                 ".pb is missing");
      Expected<HostArray> array = readTensorProto(file);
      if (!array)
        return array.takeError();
      addInMemory(std::move(*array));
    }
  } else if (extension.equals_insensitive(".pb")) {
    Expected<HostArray> array = readTensorProto(path);
    if (!array)
      return array.takeError();
    addInMemory(std::move(*array));
  } else if (extension.equals_insensitive(".npy") ||
             extension.equals_insensitive(".npz")) {
    Expected<std::shared_ptr<RandomAccessFile>> file =
        RandomAccessFile::open(path);
    if (!file)
      return file.takeError();
    auto addStream = [&](std::unique_ptr<ByteStream> bytes, uint64_t size,
                         StringRef what, std::string name) -> Error {
      Expected<HostArray> header =
          readNpyHeader(*bytes, size, what, std::move(name));
      if (!header)
        return header.takeError();
      auto stream = std::make_unique<ArrayStream>();
      stream->bytes = std::move(bytes);
      stream->samplesLeft = header->shape.empty() ? 0 : header->shape[0];
      headers.push_back(std::move(*header));
      streams.push_back(std::move(stream));
      return Error::success();
    };
    if (extension.equals_insensitive(".npy")) {
      uint64_t size = (*file)->getSize();
      if (Error error =
              addStream(openStoredStream(*file, 0, size, path.str()), size,
                        path, sys::path::stem(path).str()))
        return std::move(error);
    } else {
      Expected<std::vector<ZipMember>> members = readZipDirectory(**file);
      if (!members)
        return members.takeError();
      for (const ZipMember &member : *members) {
        Expected<std::unique_ptr<ByteStream>> bytes =
            openZipMember(*file, member);
        if (!bytes)
          return bytes.takeError();
        StringRef key = member.name;
        key.consume_back(".npy");
        if (Error error = addStream(std::move(*bytes), member.size,
                                    (path + ":" + member.name).str(),
                                    key.str()))
          return std::move(error);
      }
    }
  } else if (!sys::fs::exists(path)) {
    return createStringError("'" + path + "' does not exist");
  } else {
    return createStringError("'" + path +
                             "': expected a .npz, .npy or .pb file or a "
                             "test data set folder");
  }
  return std::unique_ptr<SampleReader>(
      new SampleReader(path.str(), std::move(headers), std::move(streams)));
}

Error SampleReader::readNextSample(unsigned index, HostArray &sample) {
  const HostArray &header = headers[index];
  ArrayStream &stream = *streams[index];
  if (header.shape.empty())
    return createStringError("'" + path + "': array '" + header.name +
                             "' is a scalar; samples lie along axis 0");
  if (stream.samplesLeft == 0)
    return createStringError("'" + path + "': array '" + header.name +
                             "' has no more samples (it holds " +
                             Twine(header.shape[0]) + ")");
  sample.name = header.name;
  sample.type = header.type;
  sample.shape = header.shape;
  sample.shape[0] = 1;
  sample.data.resize(getDataSize(sample));
  if (Error error = stream.bytes->read(
          reinterpret_cast<char *>(sample.data.data()), sample.data.size()))
    return error;
  --stream.samplesLeft;
  return Error::success();
}

Expected<std::vector<std::string>>
nibble::expandSampleSources(ArrayRef<std::string> paths) {
  std::vector<std::string> sources;
  for (const std::string &path : paths) {
    if (!sys::fs::is_directory(path)) {
      sources.push_back(path);
      continue;
    }
    Expected<std::map<unsigned, std::string>> inputs =
        findTestDataSetInputs(path);
    if (!inputs)
      return inputs.takeError();
    if (!inputs->empty()) {
      sources.push_back(path);
      continue;
    }
    std::vector<std::string> inDir;
    std::error_code ec;
    for (sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec)) {
      StringRef extension = sys::path::extension(it->path());
      if (extension == ".npz" || extension == ".npy" || extension == ".pb") {
        inDir.push_back(it->path());
      } else if (sys::fs::is_directory(it->path())) {
        Expected<std::map<unsigned, std::string>> nested =
            findTestDataSetInputs(it->path());
        if (!nested)
          return nested.takeError();
        if (!nested->empty())
          inDir.push_back(it->path());
      }
    }
    if (ec)
      return createStringError("cannot read folder '" + path +
                               "': " + ec.message());
    if (inDir.empty())
      return createStringError("data folder '" + path +
                               "' has no .npz, .npy or .pb files or test "
                               "data set folders");
    llvm::sort(inDir, [](const std::string &a, const std::string &b) {
      return StringRef(a).compare_numeric(b) < 0;
    });
    llvm::append_range(sources, inDir);
  }
  return sources;
}

//===----------------------------------------------------------------------===//
// RandomArrayGenerator
//===----------------------------------------------------------------------===//

uint64_t RandomArrayGenerator::next() {
  // splitmix64 (Steele, Lea, Flood 2014): fully specified, unlike the
  // standard library's distributions.
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double RandomArrayGenerator::nextUnit() {
  return double(next() >> 11) * 0x1.0p-53;
}

static std::string formatRange(double lo, double hi) {
  return formatv("{0}, {1}", lo, hi).str();
}

template <typename T>
static void fillIntegers(HostArray &array, int64_t lo, int64_t hi,
                         function_ref<uint64_t()> next) {
  T *values = reinterpret_cast<T *>(array.data.data());
  uint64_t span = uint64_t(hi) - uint64_t(lo) + 1;
  for (int64_t i = 0, e = array.getNumElements(); i < e; ++i)
    // span == 0 means the whole 64-bit range.
    values[i] = T(lo + int64_t(span ? next() % span : next()));
}

Error RandomArrayGenerator::fill(HostArray &array, double lo, double hi) {
  if (!(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi))
    return createStringError("'" + array.name + "': range [" + formatRange(lo, hi) + "] is not a finite interval");
  int64_t size = array.getNumElements();
  if (array.type == ElementType::Float32) {
    float *values = reinterpret_cast<float *>(array.data.data());
    for (int64_t i = 0; i < size; ++i)
      values[i] = std::min(float(lo + (hi - lo) * nextUnit()), float(hi));
    return Error::success();
  }
  if (array.type == ElementType::Float64) {
    double *values = reinterpret_cast<double *>(array.data.data());
    for (int64_t i = 0; i < size; ++i)
      values[i] = lo + (hi - lo) * nextUnit();
    return Error::success();
  }

  // Integers: the representable integers in [ceil(lo), floor(hi)].
  double typeMin, typeMax;
  switch (array.type) {
  case ElementType::Bool:
    typeMin = 0, typeMax = 1;
    break;
  case ElementType::Int8:
    typeMin = INT8_MIN, typeMax = INT8_MAX;
    break;
  case ElementType::Int16:
    typeMin = INT16_MIN, typeMax = INT16_MAX;
    break;
  case ElementType::Int32:
    typeMin = INT32_MIN, typeMax = INT32_MAX;
    break;
  case ElementType::Int64:
    typeMin = -0x1.0p63, typeMax = 0x1.0p63 - 1024;
    break;
  case ElementType::UInt8:
    typeMin = 0, typeMax = UINT8_MAX;
    break;
  case ElementType::UInt16:
    typeMin = 0, typeMax = UINT16_MAX;
    break;
  case ElementType::UInt32:
    typeMin = 0, typeMax = UINT32_MAX;
    break;
  default:
    return createStringError("'" + array.name + "': cannot generate " +
                             getElementTypeName(array.type) +
                             " samples (float32, float64, bool and integers "
                             "up to int64/uint32 only)");
  }
  double first = std::max(std::ceil(lo), typeMin);
  double last = std::min(std::floor(hi), typeMax);
  if (first > last)
    return createStringError("'" + array.name + "': range [" + formatRange(lo, hi) + "] holds no " +
                             getElementTypeName(array.type) + " value");
  auto bits = [this] { return next(); };
  int64_t a = int64_t(first), b = int64_t(last);
  switch (array.type) {
  case ElementType::Bool:
  case ElementType::UInt8:
    fillIntegers<uint8_t>(array, a, b, bits);
    break;
  case ElementType::Int8:
    fillIntegers<int8_t>(array, a, b, bits);
    break;
  case ElementType::Int16:
    fillIntegers<int16_t>(array, a, b, bits);
    break;
  case ElementType::UInt16:
    fillIntegers<uint16_t>(array, a, b, bits);
    break;
  case ElementType::Int32:
    fillIntegers<int32_t>(array, a, b, bits);
    break;
  case ElementType::UInt32:
    fillIntegers<uint32_t>(array, a, b, bits);
    break;
  default:
    fillIntegers<int64_t>(array, a, b, bits);
    break;
  }
  return Error::success();
}
