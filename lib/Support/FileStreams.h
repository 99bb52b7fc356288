//===- FileStreams.h - bounded-memory reads of files and zip members -*- C++ -*-//
//
// Internal to NibbleSupport. Data files can be far larger than memory, so
// nothing here maps or loads a whole file: a RandomAccessFile reads slices at
// offsets (pread), a ByteStream reads a byte range forward in caller-sized
// pieces, inflating deflated zip members on the way with a fixed-size input
// buffer, and the zip central directory is read from the file's tail.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_SUPPORT_FILESTREAMS_H
#define NIBBLE_LIB_SUPPORT_FILESTREAMS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nibble::detail {

/// An open file read by offset; closed when the last owner goes.
class RandomAccessFile {
public:
  static llvm::Expected<std::shared_ptr<RandomAccessFile>>
  open(llvm::StringRef path);
  ~RandomAccessFile();

  llvm::StringRef getPath() const { return path; }
  uint64_t getSize() const { return size; }
  /// Reads exactly `count` bytes at `offset`; an error names the file when
  /// it ends first.
  llvm::Error readAt(uint64_t offset, char *out, size_t count) const;

private:
  RandomAccessFile(std::string path, llvm::sys::fs::file_t file,
                   uint64_t size)
      : path(std::move(path)), file(file), size(size) {}
  std::string path;
  llvm::sys::fs::file_t file;
  uint64_t size;
};

/// Forward reads of a byte sequence.
class ByteStream {
public:
  virtual ~ByteStream();
  /// Reads exactly `count` bytes; an error when the sequence ends first.
  virtual llvm::Error read(char *out, size_t count) = 0;
};

/// Bytes [offset, offset + size) of `file`, read in place.
std::unique_ptr<ByteStream>
openStoredStream(std::shared_ptr<RandomAccessFile> file, uint64_t offset,
                 uint64_t size, std::string what);
/// A raw deflate stream at [offset, offset + compressedSize) of `file`,
/// inflating to `size` bytes; memory is zlib's state and a 64 KiB buffer.
llvm::Expected<std::unique_ptr<ByteStream>>
openInflatingStream(std::shared_ptr<RandomAccessFile> file, uint64_t offset,
                    uint64_t compressedSize, uint64_t size, std::string what);
/// Bytes held in memory (a TensorProto's payload, say).
std::unique_ptr<ByteStream> openMemoryStream(std::vector<uint8_t> bytes,
                                             std::string what);

struct ZipMember {
  std::string name;
  /// 0 stored, 8 deflate; others are refused when opened.
  uint16_t method = 0;
  uint64_t compressedSize = 0, size = 0, localHeaderOffset = 0;
};

/// The members of a zip archive (zip64 included), from its central
/// directory, in directory order.
llvm::Expected<std::vector<ZipMember>>
readZipDirectory(const RandomAccessFile &file);
/// The member's uncompressed bytes as a stream.
llvm::Expected<std::unique_ptr<ByteStream>>
openZipMember(std::shared_ptr<RandomAccessFile> file, const ZipMember &member);

} // namespace nibble::detail

#endif // NIBBLE_LIB_SUPPORT_FILESTREAMS_H
