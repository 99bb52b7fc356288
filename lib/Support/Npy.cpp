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

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <zlib.h>

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

Expected<HostArray> nibble::parseNpy(StringRef bytes, StringRef what) {
  if (!bytes.starts_with(kNpyMagic) || bytes.size() < 10)
    return npyError(what, "not a .npy file (bad magic)");
  uint8_t major = bytes[6];
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = support::endian::read16le(bytes.data() + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(what, "truncated header");
    headerLength = support::endian::read32le(bytes.data() + 8);
    headerStart = 12;
  } else {
    return npyError(what, "unsupported .npy format version " + Twine(major));
  }
  if (bytes.size() < headerStart + headerLength)
    return npyError(what, "truncated header");
  StringRef header = bytes.substr(headerStart, headerLength);

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
  std::vector<int64_t> shape;
  SmallVector<StringRef> extents;
  extentsText.split(extents, ',', -1, /*KeepEmpty=*/false);
  for (StringRef extent : extents) {
    extent = extent.trim();
    if (extent.empty())
      continue;
    int64_t value;
    if (extent.getAsInteger(10, value) || value < 0)
      return npyError(what, "malformed shape extent '" + extent + "'");
    shape.push_back(value);
  }

  HostArray array(sys::path::stem(what).str(), *type, std::move(shape));
  StringRef payload = bytes.drop_front(headerStart + headerLength);
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

namespace {
/// Little-endian reads with bounds checks over an archive.
class ZipReader {
public:
  ZipReader(StringRef bytes, StringRef path) : bytes(bytes), path(path) {}

  Error error(const Twine &message) const {
    return createStringError(path + ": " + message);
  }
  bool inBounds(uint64_t offset, uint64_t size) const {
    return offset <= bytes.size() && size <= bytes.size() - offset;
  }
  uint16_t read16(uint64_t offset) const {
    return support::endian::read16le(bytes.data() + offset);
  }
  uint32_t read32(uint64_t offset) const {
    return support::endian::read32le(bytes.data() + offset);
  }
  uint64_t read64(uint64_t offset) const {
    return support::endian::read64le(bytes.data() + offset);
  }

  StringRef bytes;
  StringRef path;
};

struct ZipEntry {
  std::string name;
  uint16_t method;
  uint64_t compressedSize, size, localHeaderOffset;
};
} // namespace

static constexpr uint32_t kLocalHeaderSig = 0x04034b50;
static constexpr uint32_t kCentralHeaderSig = 0x02014b50;
static constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
static constexpr uint32_t kZip64EndSig = 0x06064b50;
static constexpr uint32_t kZip64LocatorSig = 0x07064b50;

/// Reads the zip64 extended information extra field of a central header:
/// only the fields whose 32-bit value is 0xFFFFFFFF are present, in order.
static void readZip64Extra(const ZipReader &zip, uint64_t extra,
                           uint64_t extraLength, ZipEntry &entry,
                           bool sizeSaturated, bool compressedSaturated,
                           bool offsetSaturated) {
  uint64_t end = extra + extraLength;
  while (extra + 4 <= end) {
    uint16_t id = zip.read16(extra), length = zip.read16(extra + 2);
    uint64_t field = extra + 4;
    if (id == 0x0001) {
      if (sizeSaturated && field + 8 <= end) {
        entry.size = zip.read64(field);
        field += 8;
      }
      if (compressedSaturated && field + 8 <= end) {
        entry.compressedSize = zip.read64(field);
        field += 8;
      }
      if (offsetSaturated && field + 8 <= end)
        entry.localHeaderOffset = zip.read64(field);
      return;
    }
    extra += 4 + length;
  }
}

static Expected<std::vector<ZipEntry>> readCentralDirectory(const ZipReader &zip) {
  StringRef bytes = zip.bytes;
  if (bytes.size() < 22)
    return zip.error("not a .npz (zip) file: too short");
  // The end record sits at the end, before a comment of up to 64 KiB.
  uint64_t eocd = bytes.size() - 22;
  uint64_t lowest = bytes.size() > 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
  while (zip.read32(eocd) != kEndOfCentralDirSig) {
    if (eocd == lowest)
      return zip.error("not a .npz (zip) file: no end of central directory");
    --eocd;
  }
  uint64_t count = zip.read16(eocd + 10);
  uint64_t dirOffset = zip.read32(eocd + 16);
  if (eocd >= 20 && zip.read32(eocd - 20) == kZip64LocatorSig) {
    uint64_t zip64End = zip.read64(eocd - 20 + 8);
    if (!zip.inBounds(zip64End, 56) || zip.read32(zip64End) != kZip64EndSig)
      return zip.error("corrupt zip64 end of central directory");
    count = zip.read64(zip64End + 32);
    dirOffset = zip.read64(zip64End + 48);
  }

  std::vector<ZipEntry> entries;
  uint64_t at = dirOffset;
  for (uint64_t i = 0; i < count; ++i) {
    if (!zip.inBounds(at, 46) || zip.read32(at) != kCentralHeaderSig)
      return zip.error("corrupt central directory");
    ZipEntry entry;
    entry.method = zip.read16(at + 10);
    entry.compressedSize = zip.read32(at + 20);
    entry.size = zip.read32(at + 24);
    uint16_t nameLength = zip.read16(at + 28);
    uint16_t extraLength = zip.read16(at + 30);
    uint16_t commentLength = zip.read16(at + 32);
    entry.localHeaderOffset = zip.read32(at + 42);
    if (!zip.inBounds(at + 46, nameLength + extraLength))
      return zip.error("corrupt central directory");
    entry.name = bytes.substr(at + 46, nameLength).str();
    readZip64Extra(zip, at + 46 + nameLength, extraLength, entry,
                   entry.size == 0xFFFFFFFF,
                   entry.compressedSize == 0xFFFFFFFF,
                   entry.localHeaderOffset == 0xFFFFFFFF);
    entries.push_back(std::move(entry));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

static Expected<std::string> inflateRaw(const ZipReader &zip, StringRef input,
                                        uint64_t size, StringRef name) {
  std::string output(size, '\0');
  z_stream stream{};
  // Negative window bits: a raw deflate stream, as zip stores it.
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
    return zip.error("cannot initialize zlib");
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data()));
  stream.avail_in = input.size();
  stream.next_out = reinterpret_cast<Bytef *>(output.data());
  stream.avail_out = output.size();
  int status = inflate(&stream, Z_FINISH);
  inflateEnd(&stream);
  if (status != Z_STREAM_END || stream.total_out != size)
    return zip.error("cannot inflate '" + name + "'");
  return output;
}

Expected<std::vector<HostArray>> nibble::readNpz(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  ZipReader zip((*buffer)->getBuffer(), path);
  Expected<std::vector<ZipEntry>> entries = readCentralDirectory(zip);
  if (!entries)
    return entries.takeError();

  std::vector<HostArray> arrays;
  for (const ZipEntry &entry : *entries) {
    uint64_t local = entry.localHeaderOffset;
    if (!zip.inBounds(local, 30) || zip.read32(local) != kLocalHeaderSig)
      return zip.error("corrupt local header of '" + entry.name + "'");
    uint64_t dataStart = local + 30 + zip.read16(local + 26) +
                         zip.read16(local + 28);
    if (!zip.inBounds(dataStart, entry.compressedSize))
      return zip.error("'" + entry.name + "' runs past the end of the file");
    StringRef stored = zip.bytes.substr(dataStart, entry.compressedSize);
    std::string what = (path + ":" + entry.name).str();
    Expected<HostArray> array = [&]() -> Expected<HostArray> {
      if (entry.method == 0)
        return parseNpy(stored, what);
      if (entry.method != 8)
        return zip.error("'" + entry.name + "' uses zip compression method " +
                         Twine(entry.method) + " (stored and deflate only)");
      Expected<std::string> inflated =
          inflateRaw(zip, stored, entry.size, entry.name);
      if (!inflated)
        return inflated.takeError();
      return parseNpy(*inflated, what);
    }();
    if (!array)
      return array.takeError();
    StringRef key = entry.name;
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
