//===- SampleReaderTest.cpp - sample-by-sample data reading ---------------===//
//
// Arrays are written with the library's own writers (npy, stored npz,
// TensorProto); deflated .npz members, which only numpy writes here, are
// covered by test/Tools/nibble/calibrate-data.test.
//
//===----------------------------------------------------------------------===//

#include "nibble/Support/ArrayIO.h"
#include "nibble/Support/SampleReader.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace llvm;
using namespace nibble;

namespace {
class SampleReaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("nibble-sample-reader", dir));
  }
  void TearDown() override { sys::fs::remove_directories(dir); }

  std::string path(StringRef name) {
    SmallString<256> p(dir);
    sys::path::append(p, name);
    return std::string(p);
  }

  /// float32 [n, 2, 3] with element (s, i) = 100 * s + i.
  static HostArray batch(std::string name, int64_t n) {
    HostArray array(std::move(name), ElementType::Float32, {n, 2, 3});
    float *values = reinterpret_cast<float *>(array.data.data());
    for (int64_t i = 0; i < array.getNumElements(); ++i)
      values[i] = float(100 * (i / 6) + i % 6);
    return array;
  }

  static void expectSample(const HostArray &sample, int64_t s) {
    ASSERT_EQ(sample.shape, (std::vector<int64_t>{1, 2, 3}));
    ASSERT_EQ(sample.type, ElementType::Float32);
    const float *values = reinterpret_cast<const float *>(sample.data.data());
    for (int i = 0; i < 6; ++i)
      EXPECT_EQ(values[i], float(100 * s + i)) << "sample " << s;
  }

  SmallString<128> dir;
};
} // namespace

TEST_F(SampleReaderTest, NpyIsReadSampleBySample) {
  ASSERT_FALSE(bool(writeNpy(path("x.npy"), batch("x", 5))));
  Expected<std::unique_ptr<SampleReader>> reader =
      SampleReader::open(path("x.npy"));
  ASSERT_TRUE(bool(reader)) << toString(reader.takeError());
  ASSERT_EQ((*reader)->getArrays().size(), 1u);
  const HostArray &header = (*reader)->getArrays()[0];
  EXPECT_EQ(header.name, "x");
  EXPECT_EQ(header.shape, (std::vector<int64_t>{5, 2, 3}));
  EXPECT_TRUE(header.data.empty());
  HostArray sample;
  for (int64_t s = 0; s < 5; ++s) {
    ASSERT_FALSE(bool((*reader)->readNextSample(0, sample)));
    expectSample(sample, s);
  }
  Error pastEnd = (*reader)->readNextSample(0, sample);
  ASSERT_TRUE(bool(pastEnd));
  EXPECT_NE(toString(std::move(pastEnd)).find("no more samples"),
            std::string::npos);
}

TEST_F(SampleReaderTest, NpzArraysStreamIndependently) {
  HostArray labels("label", ElementType::Int64, {4});
  for (int64_t i = 0; i < 4; ++i)
    reinterpret_cast<int64_t *>(labels.data.data())[i] = 7 * i;
  ASSERT_FALSE(bool(writeNpz(path("d.npz"), {batch("input", 4), labels})));
  Expected<std::unique_ptr<SampleReader>> reader =
      SampleReader::open(path("d.npz"));
  ASSERT_TRUE(bool(reader)) << toString(reader.takeError());
  ArrayRef<HostArray> arrays = (*reader)->getArrays();
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_EQ(arrays[0].name, "input");
  EXPECT_EQ(arrays[1].name, "label");
  HostArray sample, label;
  // Reading one array does not move the other.
  for (int64_t s = 0; s < 4; ++s) {
    ASSERT_FALSE(bool((*reader)->readNextSample(0, sample)));
    expectSample(sample, s);
  }
  ASSERT_FALSE(bool((*reader)->readNextSample(1, label)));
  EXPECT_EQ(label.shape, (std::vector<int64_t>{1}));
  EXPECT_EQ(reinterpret_cast<int64_t *>(label.data.data())[0], 0);
  ASSERT_FALSE(bool((*reader)->readNextSample(1, label)));
  EXPECT_EQ(reinterpret_cast<int64_t *>(label.data.data())[0], 7);
}

TEST_F(SampleReaderTest, TruncatedNpyIsAnError) {
  std::string bytes = serializeNpy(batch("x", 3));
  bytes.resize(bytes.size() - 4);
  {
    std::error_code ec;
    raw_fd_ostream os(path("short.npy"), ec);
    ASSERT_FALSE(ec);
    os << bytes;
  }
  Expected<std::unique_ptr<SampleReader>> reader =
      SampleReader::open(path("short.npy"));
  ASSERT_FALSE(bool(reader));
  std::string message = toString(reader.takeError());
  EXPECT_NE(message.find("short.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("bytes of data"), std::string::npos) << message;
}

TEST_F(SampleReaderTest, ScalarHasNoSamples) {
  HostArray scalar("s", ElementType::Float32, {});
  ASSERT_FALSE(bool(writeNpy(path("s.npy"), scalar)));
  Expected<std::unique_ptr<SampleReader>> reader =
      SampleReader::open(path("s.npy"));
  ASSERT_TRUE(bool(reader)) << toString(reader.takeError());
  HostArray sample;
  Error error = (*reader)->readNextSample(0, sample);
  ASSERT_TRUE(bool(error));
  EXPECT_NE(toString(std::move(error)).find("scalar"), std::string::npos);
}

TEST_F(SampleReaderTest, TestDataSetFolder) {
  ASSERT_FALSE(sys::fs::create_directory(path("set")));
  HostArray unnamed = batch("", 1);
  {
    std::error_code ec;
    raw_fd_ostream os(path("set/input_0.pb"), ec);
    ASSERT_FALSE(ec);
    os << serializeTensorProto(unnamed);
    raw_fd_ostream os1(path("set/input_1.pb"), ec);
    ASSERT_FALSE(ec);
    os1 << serializeTensorProto(batch("second", 1));
  }
  Expected<std::unique_ptr<SampleReader>> reader =
      SampleReader::open(path("set"));
  ASSERT_TRUE(bool(reader)) << toString(reader.takeError());
  ArrayRef<HostArray> arrays = (*reader)->getArrays();
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_EQ(arrays[0].name, "");
  EXPECT_EQ(arrays[1].name, "second");
  HostArray sample;
  ASSERT_FALSE(bool((*reader)->readNextSample(1, sample)));
  expectSample(sample, 0);

  // A gap in the indices is an error naming the missing file.
  ASSERT_FALSE(sys::fs::rename(path("set/input_1.pb"), path("set/input_2.pb")));
  Expected<std::unique_ptr<SampleReader>> gap = SampleReader::open(path("set"));
  ASSERT_FALSE(bool(gap));
  EXPECT_NE(toString(gap.takeError()).find("input_1.pb is missing"),
            std::string::npos);
}

TEST_F(SampleReaderTest, ExpandSourcesInNaturalOrder) {
  for (StringRef set : {"test_data_set_10", "test_data_set_2"}) {
    ASSERT_FALSE(sys::fs::create_directory(path(set)));
    std::error_code ec;
    raw_fd_ostream os(path((set + "/input_0.pb").str()), ec);
    ASSERT_FALSE(ec);
    os << serializeTensorProto(batch("x", 1));
  }
  ASSERT_FALSE(bool(writeNpy(path("a.npy"), batch("a", 1))));
  // Neither data nor a test data set: ignored.
  ASSERT_FALSE(sys::fs::create_directory(path("other")));
  Expected<std::vector<std::string>> sources =
      expandSampleSources({std::string(dir)});
  ASSERT_TRUE(bool(sources)) << toString(sources.takeError());
  ASSERT_EQ(sources->size(), 3u);
  EXPECT_EQ(sys::path::filename((*sources)[0]), "a.npy");
  EXPECT_EQ(sys::path::filename((*sources)[1]), "test_data_set_2");
  EXPECT_EQ(sys::path::filename((*sources)[2]), "test_data_set_10");

  // A test data set given directly is one source.
  Expected<std::vector<std::string>> one =
      expandSampleSources({path("test_data_set_2")});
  ASSERT_TRUE(bool(one)) << toString(one.takeError());
  EXPECT_EQ(one->size(), 1u);

  Expected<std::vector<std::string>> empty =
      expandSampleSources({path("other")});
  ASSERT_FALSE(bool(empty));
  EXPECT_NE(toString(empty.takeError()).find("has no .npz, .npy or .pb"),
            std::string::npos);
}

TEST(RandomArrayGenerator, SeededAndWithinRange) {
  HostArray a("a", ElementType::Float32, {1000});
  HostArray b("b", ElementType::Float32, {1000});
  RandomArrayGenerator first(42), second(42), other(43);
  ASSERT_FALSE(bool(first.fill(a, -2.0, 3.0)));
  ASSERT_FALSE(bool(second.fill(b, -2.0, 3.0)));
  EXPECT_EQ(a.data, b.data);
  ASSERT_FALSE(bool(other.fill(b, -2.0, 3.0)));
  EXPECT_NE(a.data, b.data);
  const float *values = reinterpret_cast<const float *>(a.data.data());
  float lo = values[0], hi = values[0];
  double sum = 0;
  for (int i = 0; i < 1000; ++i) {
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
    sum += values[i];
  }
  EXPECT_GE(lo, -2.0f);
  EXPECT_LE(hi, 3.0f);
  // 1000 uniform draws: the extremes come near the ends, the mean near 0.5
  // (its standard error is 5 / sqrt(12000) ~ 0.046).
  EXPECT_LT(lo, -1.9f);
  EXPECT_GT(hi, 2.9f);
  EXPECT_NEAR(sum / 1000, 0.5, 0.25);
}

TEST(RandomArrayGenerator, Integers) {
  HostArray a("a", ElementType::Int8, {2000});
  RandomArrayGenerator generator(7);
  ASSERT_FALSE(bool(generator.fill(a, -3.5, 2.0)));
  bool seen[6] = {};
  for (int8_t v : ArrayRef(reinterpret_cast<int8_t *>(a.data.data()), 2000)) {
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 2);
    seen[v + 3] = true;
  }
  for (bool s : seen)
    EXPECT_TRUE(s);

  HostArray u("u", ElementType::UInt8, {4});
  Error empty = generator.fill(u, -5.0, -1.0);
  ASSERT_TRUE(bool(empty));
  EXPECT_NE(toString(std::move(empty)).find("holds no uint8 value"),
            std::string::npos);
  HostArray half("h", ElementType::Float16, {4});
  Error unsupported = generator.fill(half, 0.0, 1.0);
  ASSERT_TRUE(bool(unsupported));
  EXPECT_NE(toString(std::move(unsupported)).find("cannot generate float16"),
            std::string::npos);
}
