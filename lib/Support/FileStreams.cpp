//===- FileStreams.cpp - bounded-memory reads of files and zip members ----===//
//
// numpy writes .npz members with zip64 local headers (force_zip64), so sizes
// and offsets come from the central directory, zip64 extras included; the
// local header is read only for its name and extra lengths.
//
//===----------------------------------------------------------------------===//
#include "FileStreams.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

using namespace llvm;
using namespace nibble::detail;

//===----------------------------------------------------------------------===//
// RandomAccessFile
//===----------------------------------------------------------------------===//

Expected<std::shared_ptr<RandomAccessFile>>
RandomAccessFile::open(StringRef path) {
  Expected<sys::fs::file_t> file = sys::fs::openNativeFileForRead(path);
  if (!file)
    return createStringError("cannot read '" + path +
                             "': " + toString(file.takeError()));
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(*file, status)) {
    sys::fs::closeFile(*file);
    return createStringError("cannot read '" + path + "': " + ec.message());
  }
  return std::shared_ptr<RandomAccessFile>(
      new RandomAccessFile(path.str(), *file, status.getSize()));
}

RandomAccessFile::~RandomAccessFile() { sys::fs::closeFile(file); }

Error RandomAccessFile::readAt(uint64_t offset, char *out,
                               size_t count) const {
  if (offset > size || count > size - offset)
    return createStringError(path + ": ends before byte " +
                             Twine(offset + count) + " (the file has " +
                             Twine(size) + ")");
  while (count) {
    Expected<size_t> got =
        sys::fs::readNativeFileSlice(file, MutableArrayRef(out, count), offset);
    if (!got)
      return createStringError("cannot read '" + path +
                               "': " + toString(got.takeError()));
    if (*got == 0)
      return createStringError(path + ": ends before byte " +
                               Twine(offset + count));
    out += *got;
    offset += *got;
    count -= *got;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Streams
//===----------------------------------------------------------------------===//

ByteStream::~ByteStream() = default;

namespace {
Error endOfData(StringRef what, uint64_t wanted, uint64_t left) {
  return createStringError(what + ": ends early (wanted " + Twine(wanted) +
                           " more bytes, " + Twine(left) + " left)");
}

class StoredStream : public ByteStream {
public:
  StoredStream(std::shared_ptr<RandomAccessFile> file, uint64_t offset,
               uint64_t size, std::string what)
      : file(std::move(file)), offset(offset), left(size),
        what(std::move(what)) {}

  Error read(char *out, size_t count) override {
    if (count > left)
      return endOfData(what, count, left);
    if (Error error = file->readAt(offset, out, count))
      return error;
    offset += count;
    left -= count;
    return Error::success();
  }

private:
  std::shared_ptr<RandomAccessFile> file;
  uint64_t offset, left;
  std::string what;
};

class InflatingStream : public ByteStream {
public:
  static constexpr size_t kBufferSize = 64 * 1024;

  InflatingStream(std::shared_ptr<RandomAccessFile> file, uint64_t offset,
                  uint64_t compressedSize, uint64_t size, std::string what)
      : file(std::move(file)), inputOffset(offset),
        inputLeft(compressedSize), outputLeft(size), what(std::move(what)),
        buffer(kBufferSize) {}
  ~InflatingStream() override {
    if (initialized)
      inflateEnd(&stream);
  }

  Error init() {
    // Negative window bits: a raw deflate stream, as zip stores it.
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
      return createStringError(what + ": cannot initialize zlib");
    initialized = true;
    return Error::success();
  }

  Error read(char *out, size_t count) override {
    if (count > outputLeft)
      return endOfData(what, count, outputLeft);
    stream.next_out = reinterpret_cast<Bytef *>(out);
    while (count) {
      if (stream.avail_in == 0 && inputLeft) {
        size_t chunk = std::min<uint64_t>(inputLeft, buffer.size());
        if (Error error = file->readAt(inputOffset, buffer.data(), chunk))
          return error;
        inputOffset += chunk;
        inputLeft -= chunk;
        stream.next_in = reinterpret_cast<Bytef *>(buffer.data());
        stream.avail_in = chunk;
      }
      // zlib counts in uInt; large reads go in pieces.
      uInt piece = std::min<size_t>(count, 1u << 30);
      stream.avail_out = piece;
      int status = inflate(&stream, Z_NO_FLUSH);
      size_t produced = piece - stream.avail_out;
      count -= produced;
      outputLeft -= produced;
      if (status == Z_STREAM_END && count)
        return endOfData(what, count, 0);
      if (status != Z_OK && status != Z_STREAM_END &&
          !(status == Z_BUF_ERROR && produced))
        return createStringError(what + ": cannot inflate (corrupt data)");
      if (!produced && stream.avail_in == 0 && !inputLeft)
        return endOfData(what, count, 0);
    }
    return Error::success();
  }

private:
  std::shared_ptr<RandomAccessFile> file;
  uint64_t inputOffset, inputLeft, outputLeft;
  std::string what;
  std::vector<char> buffer;
  z_stream stream{};
  bool initialized = false;
};

class MemoryStream : public ByteStream {
public:
  MemoryStream(std::vector<uint8_t> bytes, std::string what)
      : bytes(std::move(bytes)), what(std::move(what)) {}

  Error read(char *out, size_t count) override {
    if (count > bytes.size() - position)
      return endOfData(what, count, bytes.size() - position);
    std::memcpy(out, bytes.data() + position, count);
    position += count;
    return Error::success();
  }

private:
  std::vector<uint8_t> bytes;
  size_t position = 0;
  std::string what;
};
} // namespace

std::unique_ptr<ByteStream>
nibble::detail::openStoredStream(std::shared_ptr<RandomAccessFile> file,
                                 uint64_t offset, uint64_t size,
                                 std::string what) {
  return std::make_unique<StoredStream>(std::move(file), offset, size,
                                        std::move(what));
}

Expected<std::unique_ptr<ByteStream>> nibble::detail::openInflatingStream(
    std::shared_ptr<RandomAccessFile> file, uint64_t offset,
    uint64_t compressedSize, uint64_t size, std::string what) {
  auto stream = std::make_unique<InflatingStream>(
      std::move(file), offset, compressedSize, size, std::move(what));
  if (Error error = stream->init())
    return std::move(error);
  return std::unique_ptr<ByteStream>(std::move(stream));
}

std::unique_ptr<ByteStream>
nibble::detail::openMemoryStream(std::vector<uint8_t> bytes, std::string what) {
  return std::make_unique<MemoryStream>(std::move(bytes), std::move(what));
}

//===----------------------------------------------------------------------===//
// Zip archives
//===----------------------------------------------------------------------===//

static constexpr uint32_t kLocalHeaderSig = 0x04034b50;
static constexpr uint32_t kCentralHeaderSig = 0x02014b50;
static constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
static constexpr uint32_t kZip64EndSig = 0x06064b50;
static constexpr uint32_t kZip64LocatorSig = 0x07064b50;

static uint16_t read16(const char *p) { return support::endian::read16le(p); }
static uint32_t read32(const char *p) { return support::endian::read32le(p); }
static uint64_t read64(const char *p) { return support::endian::read64le(p); }

/// Reads the zip64 extended information extra field of a central header:
/// only the fields whose 32-bit value is 0xFFFFFFFF are present, in order.
static void readZip64Extra(StringRef extra, ZipMember &member,
                           bool sizeSaturated, bool compressedSaturated,
                           bool offsetSaturated) {
  while (extra.size() >= 4) {
    uint16_t id = read16(extra.data()), length = read16(extra.data() + 2);
    StringRef field = extra.substr(4, length);
    if (id == 0x0001) {
      auto take = [&](uint64_t &value) {
        if (field.size() < 8)
          return;
        value = read64(field.data());
        field = field.drop_front(8);
      };
      if (sizeSaturated)
        take(member.size);
      if (compressedSaturated)
        take(member.compressedSize);
      if (offsetSaturated)
        take(member.localHeaderOffset);
      return;
    }
    extra = extra.drop_front(std::min<size_t>(extra.size(), 4 + length));
  }
}

Expected<std::vector<ZipMember>>
nibble::detail::readZipDirectory(const RandomAccessFile &file) {
  StringRef path = file.getPath();
  auto error = [&](const Twine &message) {
    return createStringError(path + ": " + message);
  };
  uint64_t size = file.getSize();
  if (size < 22)
    return error("not a .npz (zip) file: too short");
  // The end record sits at the end, before a comment of up to 64 KiB; the
  // zip64 locator, when present, right before it.
  uint64_t tailSize = std::min<uint64_t>(size, 22 + 65535 + 20);
  std::string tail(tailSize, '\0');
  if (Error e = file.readAt(size - tailSize, tail.data(), tailSize))
    return std::move(e);
  uint64_t eocd = tailSize - 22;
  while (read32(tail.data() + eocd) != kEndOfCentralDirSig) {
    if (eocd == 0)
      return error("not a .npz (zip) file: no end of central directory");
    --eocd;
  }
  uint64_t count = read16(tail.data() + eocd + 10);
  uint64_t dirSize = read32(tail.data() + eocd + 12);
  uint64_t dirOffset = read32(tail.data() + eocd + 16);
  if (eocd >= 20 && read32(tail.data() + eocd - 20) == kZip64LocatorSig) {
    char end[56];
    if (Error e = file.readAt(read64(tail.data() + eocd - 20 + 8), end, 56))
      return std::move(e);
    if (read32(end) != kZip64EndSig)
      return error("corrupt zip64 end of central directory");
    count = read64(end + 32);
    dirSize = read64(end + 40);
    dirOffset = read64(end + 48);
  }
  if (dirOffset > size || dirSize > size - dirOffset)
    return error("corrupt central directory");
  std::string directory(dirSize, '\0');
  if (Error e = file.readAt(dirOffset, directory.data(), dirSize))
    return std::move(e);

  std::vector<ZipMember> members;
  uint64_t at = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (at + 46 > dirSize || read32(directory.data() + at) != kCentralHeaderSig)
      return error("corrupt central directory");
    const char *header = directory.data() + at;
    ZipMember member;
    member.method = read16(header + 10);
    member.compressedSize = read32(header + 20);
    member.size = read32(header + 24);
    uint16_t nameLength = read16(header + 28);
    uint16_t extraLength = read16(header + 30);
    uint16_t commentLength = read16(header + 32);
    member.localHeaderOffset = read32(header + 42);
    if (at + 46 + nameLength + extraLength > dirSize)
      return error("corrupt central directory");
    member.name = std::string(header + 46, nameLength);
    readZip64Extra(StringRef(header + 46 + nameLength, extraLength), member,
                   member.size == 0xFFFFFFFF,
                   member.compressedSize == 0xFFFFFFFF,
                   member.localHeaderOffset == 0xFFFFFFFF);
    members.push_back(std::move(member));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

Expected<std::unique_ptr<ByteStream>>
nibble::detail::openZipMember(std::shared_ptr<RandomAccessFile> file,
                              const ZipMember &member) {
  std::string what = (file->getPath() + ":" + member.name).str();
  char local[30];
  if (Error e = file->readAt(member.localHeaderOffset, local, 30))
    return std::move(e);
  if (read32(local) != kLocalHeaderSig)
    return createStringError(file->getPath() + ": corrupt local header of '" +
                             member.name + "'");
  uint64_t dataStart =
      member.localHeaderOffset + 30 + read16(local + 26) + read16(local + 28);
  if (dataStart > file->getSize() ||
      member.compressedSize > file->getSize() - dataStart)
    return createStringError(file->getPath() + ": '" + member.name +
                             "' runs past the end of the file");
  if (member.method == 0)
    return openStoredStream(std::move(file), dataStart, member.size,
                            std::move(what));
  if (member.method == 8)
    return openInflatingStream(std::move(file), dataStart,
                               member.compressedSize, member.size,
                               std::move(what));
  return createStringError(file->getPath() + ": '" + member.name +
                           "' uses zip compression method " +
                           Twine(member.method) + " (stored and deflate only)");
}
