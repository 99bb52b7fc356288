//===- Npy.cpp - numpy .npy and .npz files --------------------------------===//
//
// The .npy header is a Python dict literal; numpy writes it in one fixed
// form ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }), so a
// small scanner reads it rather than a Python parser. .npz is a zip archive
// of .npy files: numpy writes zip64 local headers (force_zip64), so sizes and
// offsets are taken from the central directory, zip64 extras included.
//
//===----------------------------------------------------------------------===//
#include "nibble/Support/ArrayIO.h"

#include "FileStreams.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using nibble::ElementType;
using nibble::HostArray;

static constexpr StringLiteral kNpyMagic = "\x93NUMPY";

static Error npyError(StringRef what, const Twine &message) {
  return createStringError(what + ": " + message);
}

/// numpy's dtype descriptor (`<f4`, `|b1`, ...) as an element type.
static std::optional<ElementType> parseDescr(StringRef descr) {
  if (descr.size() < 3)
    return std::nullopt;
  char order = descr[0];
  // '>' is big-endian; '=' is native, which is little-endian on our hosts.
  if (order != '<' && order != '|' && order != '=')
    return std::nullopt;
  StringRef code = descr.drop_front();
  return StringSwitch<std::optional<ElementType>>(code)
      .Case("b1", ElementType::Bool)
      .Case("i1", ElementType::Int8)
      .Case("i2", ElementType::Int16)
      .Case("i4", ElementType::Int32)
      .Case("i8", ElementType::Int64)
      .Case("u1", ElementType::UInt8)
      .Case("u2", ElementType::UInt16)
      .Case("u4", ElementType::UInt32)
      .Case("u8", ElementType::UInt64)
      .Case("f2", ElementType::Float16)
      .Case("f4", ElementType::Float32)
      .Case("f8", ElementType::Float64)
      .Default(std::nullopt);
}

static StringRef getDescr(ElementType type) {
  switch (type) {
  case ElementType::Bool:
    return "|b1";
  case ElementType::Int8:
    return "|i1";
  case ElementType::Int16:
    return "<i2";
  case ElementType::Int32:
    return "<i4";
  case ElementType::Int64:
    return "<i8";
  case ElementType::UInt8:
    return "|u1";
  case ElementType::UInt16:
    return "<u2";
  case ElementType::UInt32:
    return "<u4";
  case ElementType::UInt64:
    return "<u8";
  case ElementType::Float16:
    return "<f2";
  // numpy has no bfloat16; ml_dtypes writes it as raw 2-byte void.
  case ElementType::BFloat16:
    return "<V2";
  case ElementType::Float32:
    return "<f4";
  case ElementType::Float64:
    return "<f8";
  // ml_dtypes' narrow types: 1-byte void to numpy (view with ml_dtypes).
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
    return "|V1";
  }
  return "";
}

/// The text after `'key':` in the header dict, trimmed.
static std::optional<StringRef> findHeaderValue(StringRef header,
                                                StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t at = header.find(quoted);
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}

Expected<size_t> nibble::getNpyDataOffset(StringRef prefix, StringRef what) {
  if (!prefix.starts_with(kNpyMagic) || prefix.size() < 10)
    return npyError(what, "not a .npy file (bad magic)");
  uint8_t major = prefix[6];
  if (major == 1)
    return 10 + size_t(support::endian::read16le(prefix.data() + 8));
  if (major != 2 && major != 3)
    return npyError(what, "unsupported .npy format version " + Twine(major));
  if (prefix.size() < 12)
    return npyError(what, "truncated header");
  return 12 + size_t(support::endian::read32le(prefix.data() + 8));
}

Expected<nibble::NpyHeader> nibble::parseNpyHeader(StringRef bytes,
                                                   StringRef what) {
  Expected<size_t> dataOffset = getNpyDataOffset(bytes, what);
  if (!dataOffset)
    return dataOffset.takeError();
  if (bytes.size() < *dataOffset)
    return npyError(what, "truncated header");
  size_t headerStart = bytes[6] == 1 ? 10 : 12;
  StringRef header =
      bytes.substr(headerStart, *dataOffset - headerStart);

  std::optional<StringRef> descr = findHeaderValue(header, "descr");
  std::optional<StringRef> fortran = findHeaderValue(header, "fortran_order");
  std::optional<StringRef> shapeText = findHeaderValue(header, "shape");
  if (!descr || !fortran || !shapeText)
    return npyError(what, "header lacks descr, fortran_order or shape");
  if (!descr->consume_front("'"))
    return npyError(what, "structured dtypes are not supported");
  StringRef descrValue = descr->take_until([](char c) { return c == '\''; });
  std::optional<ElementType> type = parseDescr(descrValue);
  if (!type)
    return npyError(what, "unsupported dtype '" + descrValue +
                              "' (numeric little-endian dtypes and bool only)");
  if (fortran->starts_with("True"))
    return npyError(what, "Fortran-order arrays are not supported");

  if (!shapeText->consume_front("("))
    return npyError(what, "malformed shape");
  StringRef extentsText = shapeText->take_until([](char c) { return c == ')'; });
  NpyHeader result;
  result.type = *type;
  result.dataOffset = *dataOffset;
  SmallVector<StringRef> extents;
  extentsText.split(extents, ',', -1, /*KeepEmpty=*/false);
  for (StringRef extent : extents) {
    extent = extent.trim();
    if (extent.empty())
      continue;
    int64_t value;
    if (extent.getAsInteger(10, value) || value < 0)
      return npyError(what, "malformed shape extent '" + extent + "'");
    result.shape.push_back(value);
  }
  return result;
}

Expected<HostArray> nibble::parseNpy(StringRef bytes, StringRef what) {
  Expected<NpyHeader> header = parseNpyHeader(bytes, what);
  if (!header)
    return header.takeError();
  HostArray array(sys::path::stem(what).str(), header->type,
                  std::move(header->shape));
  StringRef payload = bytes.drop_front(header->dataOffset);
  if (payload.size() < array.data.size())
    return npyError(what, "holds " + Twine(payload.size()) +
                              " bytes of data, " + array.describe() +
                              " needs " + Twine(array.data.size()));
  std::memcpy(array.data.data(), payload.data(), array.data.size());
  return array;
}

static void append16(std::string &out, uint16_t value) {
  char bytes[2];
  support::endian::write16le(bytes, value);
  out.append(bytes, 2);
}
static void append32(std::string &out, uint32_t value) {
  char bytes[4];
  support::endian::write32le(bytes, value);
  out.append(bytes, 4);
}

std::string nibble::serializeNpy(const HostArray &array) {
  std::string shape = "(";
  for (int64_t extent : array.shape)
    shape += std::to_string(extent) + ", ";
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (array.shape.size() == 1)
    shape.pop_back(); // (n,) is a 1-tuple
  shape += ")";
  std::string header = ("{'descr': '" + getDescr(array.type) +
                        "', 'fortran_order': False, 'shape': " + shape + ", }")
                           .str();
  // The data starts 64-byte aligned; the header ends in a newline.
  bool v2 = header.size() + 11 > 65535;
  size_t prefix = v2 ? 12 : 10;
  size_t padded = alignTo(prefix + header.size() + 1, 64) - prefix;
  header.append(padded - header.size() - 1, ' ');
  header += '\n';

  std::string out(kNpyMagic);
  out += char(v2 ? 2 : 1);
  out += char(0);
  if (v2)
    append32(out, header.size());
  else
    append16(out, header.size());
  out += header;
  out.append(reinterpret_cast<const char *>(array.data.data()),
             array.data.size());
  return out;
}

static Expected<std::unique_ptr<MemoryBuffer>> readFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError("cannot read '" + path +
                             "': " + buffer.getError().message());
  return std::move(*buffer);
}

Expected<HostArray> nibble::readNpy(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseNpy((*buffer)->getBuffer(), path);
}

Error nibble::writeNpy(StringRef path, const HostArray &array) {
  return writeToOutput(path, [&](raw_ostream &os) {
    os << serializeNpy(array);
    return Error::success();
  });
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

static constexpr uint32_t kLocalHeaderSig = 0x04034b50;
static constexpr uint32_t kCentralHeaderSig = 0x02014b50;
static constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;

Expected<std::vector<HostArray>> nibble::readNpz(StringRef path) {
  using namespace nibble::detail;
  Expected<std::shared_ptr<RandomAccessFile>> file =
      RandomAccessFile::open(path);
  if (!file)
    return file.takeError();
  Expected<std::vector<ZipMember>> members = readZipDirectory(**file);
  if (!members)
    return members.takeError();

  std::vector<HostArray> arrays;
  for (const ZipMember &member : *members) {
    Expected<std::unique_ptr<ByteStream>> stream = openZipMember(*file, member);
    if (!stream)
      return stream.takeError();
    std::string bytes(member.size, '\0');
    if (Error error = (*stream)->read(bytes.data(), bytes.size()))
      return std::move(error);
    Expected<HostArray> array =
        parseNpy(bytes, (path + ":" + member.name).str());
    if (!array)
      return array.takeError();
    StringRef key = member.name;
    key.consume_back(".npy");
    array->name = key.str();
    arrays.push_back(std::move(*array));
  }
  return arrays;
}

Error nibble::writeNpz(StringRef path, ArrayRef<HostArray> arrays) {
  std::string archive, directory;
  for (const HostArray &array : arrays) {
    std::string name = array.name + ".npy";
    std::string npy = serializeNpy(array);
    if (npy.size() >= 0xFFFFFFFFull || archive.size() >= 0xFFFFFFFFull)
      return createStringError("cannot write '" + path + "': '" + array.name +
                               "' needs zip64, which the writer lacks");
    uint32_t crc = llvm::crc32(arrayRefFromStringRef(npy));
    uint32_t offset = archive.size();
    // Local header: version 2.0, no flags, stored, no time stamp.
    append32(archive, kLocalHeaderSig);
    append16(archive, 20);
    append16(archive, 0);
    append16(archive, 0);
    append32(archive, 0);
    append32(archive, crc);
    append32(archive, npy.size());
    append32(archive, npy.size());
    append16(archive, name.size());
    append16(archive, 0);
    archive += name;
    archive += npy;

    append32(directory, kCentralHeaderSig);
    append16(directory, 20);
    append16(directory, 20);
    append16(directory, 0);
    append16(directory, 0);
    append32(directory, 0);
    append32(directory, crc);
    append32(directory, npy.size());
    append32(directory, npy.size());
    append16(directory, name.size());
    append16(directory, 0);
    append16(directory, 0);
    append16(directory, 0);
    append16(directory, 0);
    append32(directory, 0);
    append32(directory, offset);
    directory += name;
  }
  uint32_t directoryOffset = archive.size();
  archive += directory;
  append32(archive, kEndOfCentralDirSig);
  append16(archive, 0);
  append16(archive, 0);
  append16(archive, arrays.size());
  append16(archive, arrays.size());
  append32(archive, directory.size());
  append32(archive, directoryOffset);
  append16(archive, 0);
  return writeToOutput(path, [&](raw_ostream &os) {
    os << archive;
    return Error::success();
  });
}
