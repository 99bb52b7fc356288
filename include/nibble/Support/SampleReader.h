//===- SampleReader.h - model input samples, one at a time ------*- C++ -*-===//
//
// Calibration runs hundreds or thousands of samples through a model; the
// data must never have to fit in memory. A SampleReader opens a data file
// and hands out one sample of one array at a time: .npy files and stored or
// deflated .npz members are read forward from the file (deflated ones
// through zlib with a fixed-size buffer), so memory is one sample per array
// whatever the file's size. TensorProto .pb files have no random access and
// are read whole: their memory is one file, which in ONNX test data sets is
// normally one sample.
//
// RandomArrayGenerator makes seeded uniform samples for smoke tests.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_SUPPORT_SAMPLEREADER_H
#define NIBBLE_SUPPORT_SAMPLEREADER_H

#include "nibble/Support/HostArray.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nibble {

/// The arrays of one data source, read sample by sample. Samples lie along
/// axis 0: sample i of an array is its slice i, of extent 1 along axis 0.
class SampleReader {
public:
  /// Opens a .npy (one array named after the file's stem), .npz (its
  /// arrays, by key), .pb (one TensorProto, named by its name field) or an
  /// ONNX test data set folder (input_0.pb, input_1.pb, ...; names from the
  /// TensorProtos, empty where they have none). Reads headers only, except
  /// for TensorProtos.
  static llvm::Expected<std::unique_ptr<SampleReader>>
  open(llvm::StringRef path);
  ~SampleReader();

  llvm::StringRef getPath() const { return path; }
  /// Name, element type and whole shape of every array; their `data` is
  /// empty.
  llvm::ArrayRef<HostArray> getArrays() const { return headers; }
  /// Reads the next sample of array `index` into `sample` (named and typed
  /// as the array, extent 1 along axis 0), reusing its storage. Each
  /// array's samples come in order, independently of the other arrays'.
  /// An error for a scalar array and past the last sample.
  llvm::Error readNextSample(unsigned index, HostArray &sample);

private:
  struct ArrayStream;
  SampleReader(std::string path, std::vector<HostArray> headers,
               std::vector<std::unique_ptr<ArrayStream>> streams);
  std::string path;
  std::vector<HostArray> headers;
  std::vector<std::unique_ptr<ArrayStream>> streams;
};

/// Expands data paths into sources for SampleReader::open: a file stays as
/// given; a folder holding input_<i>.pb files is one test data set; any
/// other folder stands for its .npz, .npy and .pb files and the test data
/// set folders in it, in natural name order (test_data_set_2 before
/// test_data_set_10). A folder with none of these is an error.
llvm::Expected<std::vector<std::string>>
expandSampleSources(llvm::ArrayRef<std::string> paths);

/// Seeded uniform random arrays (splitmix64 bits, so a seed gives the same
/// arrays on every platform and standard library).
class RandomArrayGenerator {
public:
  explicit RandomArrayGenerator(uint64_t seed) : state(seed) {}
  /// Fills `array` (its data sized already) with values uniform in
  /// [lo, hi]: continuous for float32/float64, the integers in [lo, hi] for
  /// integer types and bool. An error for other element types and for an
  /// integer range holding no value of the type.
  llvm::Error fill(HostArray &array, double lo, double hi);

private:
  uint64_t next();
  /// Uniform in [0, 1).
  double nextUnit();
  uint64_t state;
};

} // namespace nibble

#endif // NIBBLE_SUPPORT_SAMPLEREADER_H
