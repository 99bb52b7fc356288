//===- ArrayIO.h - reading and writing arrays -------------------*- C++ -*-===//
//
// The formats inputs and outputs of models come in:
//  - .npy (numpy format v1-v3, little-endian, C order, numeric dtypes, bool)
//  - .npz (zip of .npy files; stored or deflated on input, stored on output)
//  - ONNX TensorProto .pb files, and ONNX test data set folders
//    (input_0.pb, input_1.pb, ..., output_0.pb, ...)
// Writers replace the target file only once it is complete.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_SUPPORT_ARRAYIO_H
#define NIBBLE_SUPPORT_ARRAYIO_H

#include "nibble/Support/HostArray.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace nibble {

/// A .npy file's header: the array's element type and shape, and the
/// offset of its data from the start of the file.
struct NpyHeader {
  ElementType type = ElementType::Float32;
  std::vector<int64_t> shape;
  size_t dataOffset = 0;
};
/// The data offset (header size) from the first 12 bytes of a .npy file
/// (fewer when the file is shorter), so a reader knows how much to read
/// for parseNpyHeader.
llvm::Expected<size_t> getNpyDataOffset(llvm::StringRef prefix,
                                        llvm::StringRef what);
/// Parses the header from `bytes`, which hold at least the header.
llvm::Expected<NpyHeader> parseNpyHeader(llvm::StringRef bytes,
                                         llvm::StringRef what);

/// Parses .npy bytes; `what` names the source in errors.
llvm::Expected<HostArray> parseNpy(llvm::StringRef bytes, llvm::StringRef what);
/// Serializes as .npy (format 1.0, or 2.0 when the header needs it).
std::string serializeNpy(const HostArray &array);

/// Reads a .npy file; the array is named after the file's stem.
llvm::Expected<HostArray> readNpy(llvm::StringRef path);
llvm::Error writeNpy(llvm::StringRef path, const HostArray &array);

/// Reads every array of a .npz file, in archive order, named by their keys.
llvm::Expected<std::vector<HostArray>> readNpz(llvm::StringRef path);
/// Writes arrays as an uncompressed .npz, keyed by their names.
llvm::Error writeNpz(llvm::StringRef path, llvm::ArrayRef<HostArray> arrays);

/// Parses a serialized onnx.TensorProto (raw_data or typed fields).
llvm::Expected<HostArray> parseTensorProto(llvm::StringRef bytes,
                                           llvm::StringRef what);
llvm::Expected<HostArray> readTensorProto(llvm::StringRef path);
/// Serializes as an onnx.TensorProto with raw_data.
std::string serializeTensorProto(const HostArray &array);

/// An ONNX test data set folder: input_<i>.pb and output_<i>.pb, by index.
struct TestDataSet {
  std::vector<HostArray> inputs;
  std::vector<HostArray> outputs;
};
llvm::Expected<TestDataSet> readTestDataSet(llvm::StringRef dir);

/// Reads model inputs from `paths`: each a .npz (all its arrays), a .npy
/// (one array named by its stem), a .pb (one TensorProto) or a test data
/// set folder (its inputs).
llvm::Expected<std::vector<HostArray>>
readArrays(llvm::ArrayRef<std::string> paths);

} // namespace nibble

#endif // NIBBLE_SUPPORT_ARRAYIO_H
