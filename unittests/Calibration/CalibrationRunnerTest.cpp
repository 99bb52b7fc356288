//===- CalibrationRunnerTest.cpp - the shared calibration loop ------------===//
//
// runCalibration as a library: generated samples within the declared input
// range give ranges inside it, progress is reported per sample up to the
// total, the module passed in is left as it was, and NaN samples are skipped
// with a warning.
//
//===----------------------------------------------------------------------===//
#include "nibble/Calibration/CalibrationRunner.h"
#include "nibble/InitAllNibble.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

using namespace nibble::calibration;

namespace {

// y = relu(x) * 2 with x declared in [-1, 3].
constexpr llvm::StringLiteral kModel = R"mlir(
func.func @main(%x: tensor<?x8xf32> {nb.name = "x", nb.range = array<f64: -1.0, 3.0>}) -> (tensor<?x8xf32> {nb.name = "y"}) {
  %two = nb.constant dense<2.0> : tensor<f32>
  %r = nb.relu %x {nb.output_names = ["r"]} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = nb.mul %r, %two {nb.output_names = ["y"]} : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
)mlir";

class CalibrationRunnerTest : public ::testing::Test {
protected:
  CalibrationRunnerTest() : context(makeRegistry()) {
    module = mlir::parseSourceString<mlir::ModuleOp>(kModel, &context);
  }
  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    nibble::registerNibbleDialects(registry);
    return registry;
  }
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

/// The table's [min, max] of `tensor`.
std::pair<double, double> rangeOf(const llvm::json::Object &table,
                                  llvm::StringRef tensor) {
  const llvm::json::Object *entry =
      table.getObject("tensors")->getObject(tensor);
  EXPECT_TRUE(entry) << "no entry for " << tensor.str();
  if (!entry)
    return {0, 0};
  return {*entry->getNumber("min"), *entry->getNumber("max")};
}

TEST_F(CalibrationRunnerTest, GeneratedSamplesStayInTheDeclaredRange) {
  ASSERT_TRUE(module);
  mlir::OperationFingerPrint before(*module);
  CalibrationSamples samples;
  samples.generate = 50;
  samples.seed = 11;
  CalibrationOptions options;
  options.modelName = "relu.mlir";
  std::vector<CalibrationProgress> progress;
  std::vector<std::string> warnings;
  llvm::Expected<CalibrationResult> result = runCalibration(
      *module, samples, options,
      [&](const CalibrationProgress &p) { progress.push_back(p); },
      [&](const llvm::Twine &message) { warnings.push_back(message.str()); });
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  // The caller's module is not instrumented.
  EXPECT_TRUE(mlir::OperationFingerPrint(*module) == before);
  EXPECT_EQ(result->samples, 50);
  EXPECT_EQ(result->skipped, 0);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(progress.size(), 50u);
  EXPECT_EQ(progress.back().done, 50);
  EXPECT_EQ(progress.back().total, 50);
  // 400 uniform values in [-1, 3]: both ends within 0.1 (a miss has
  // probability 0.975^400 per end, about 4e-5).
  auto [xMin, xMax] = rangeOf(result->table, "x");
  EXPECT_GE(xMin, -1.0);
  EXPECT_LE(xMin, -0.9);
  EXPECT_LE(xMax, 3.0);
  EXPECT_GE(xMax, 2.9);
  auto [yMin, yMax] = rangeOf(result->table, "y");
  EXPECT_EQ(yMin, 0.0);
  EXPECT_NEAR(yMax, 2 * xMax, 1e-6);
  EXPECT_EQ(*result->table.getString("model"), "relu.mlir");
  EXPECT_EQ(*result->table.getString("method"), "minmax");
}

TEST_F(CalibrationRunnerTest, NaNSamplesAreSkippedWithAWarning) {
  ASSERT_TRUE(module);
  // Three samples, the second with a NaN, in a .npy batch.
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("calib", "npy", path));
  {
    std::vector<float> values(3 * 8, 0.5f);
    values[8 + 3] = NAN;
    std::string header = "{'descr': '<f4', 'fortran_order': False, "
                         "'shape': (3, 8), }";
    header.resize(118 - 1, ' ');
    header += '\n';
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    os << "\x93NUMPY" << char(1) << char(0) << char(118) << char(0) << header;
    os.write(reinterpret_cast<const char *>(values.data()),
             values.size() * sizeof(float));
  }
  CalibrationSamples samples;
  samples.sources = {std::string(path)};
  CalibrationOptions options;
  std::vector<std::string> warnings;
  llvm::Expected<CalibrationResult> result = runCalibration(
      *module, samples, options, nullptr,
      [&](const llvm::Twine &message) { warnings.push_back(message.str()); });
  llvm::sys::fs::remove(path);
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(result->samples, 2);
  EXPECT_EQ(result->skipped, 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "skipped 1 sample(s) containing NaN or Inf inputs");
  auto [xMin, xMax] = rangeOf(result->table, "x");
  EXPECT_EQ(xMin, 0.5);
  EXPECT_EQ(xMax, 0.5);
}

TEST(CalibrationMethodTest, ParsesMethods) {
  CalibrationOptions options;
  EXPECT_FALSE(bool(parseCalibrationMethod("percentile=99.9", options)));
  EXPECT_EQ(options.method, CalibrationMethod::Percentile);
  EXPECT_EQ(options.percentile, 99.9);
  EXPECT_EQ(options.methodName, "percentile=99.9");
  EXPECT_FALSE(bool(parseCalibrationMethod("entropy", options)));
  EXPECT_EQ(options.method, CalibrationMethod::Entropy);
  for (llvm::StringRef bad : {"percentile=0", "percentile=101", "median", ""}) {
    llvm::Error error = parseCalibrationMethod(bad, options);
    EXPECT_TRUE(bool(error)) << bad.str();
    llvm::consumeError(std::move(error));
  }
}

} // namespace
