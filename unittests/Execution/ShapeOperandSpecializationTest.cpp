//===- ShapeOperandSpecializationTest.cpp - JIT value specialization ------===//
//
// Graph inputs that feed shape-like operands are compiled in by value: the
// JIT must produce the right result for each value and never reuse a
// variant compiled for other values of the same shapes.
//
//===----------------------------------------------------------------------===//
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBShapeOperands.h"
#include "nibble/Execution/CPUExecutable.h"
#include "nibble/InitAllNibble.h"
// The binding is internal to the JIT; tested here directly.
#include "../../lib/Execution/SpecializeShapeOperands.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace nibble;

namespace {

class ShapeOperandSpecializationTest : public ::testing::Test {
protected:
  ShapeOperandSpecializationTest() : context(makeRegistry()) {}

  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    registerNibbleDialects(registry);
    return registry;
  }

  mlir::OwningOpRef<mlir::ModuleOp> parse(llvm::StringRef text) {
    return mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  }

  template <typename T>
  static HostArray makeArray(ElementType type, std::vector<int64_t> shape,
                             const std::vector<T> &values) {
    HostArray array("", type, std::move(shape));
    std::memcpy(array.data.data(), values.data(), values.size() * sizeof(T));
    return array;
  }

  template <typename T>
  static std::vector<T> getValues(const HostArray &array) {
    std::vector<T> values(array.getNumElements());
    std::memcpy(values.data(), array.data.data(), array.data.size());
    return values;
  }

  mlir::MLIRContext context;
};

constexpr llvm::StringLiteral kSlice = R"mlir(
func.func @main(%x: tensor<6xf32>, %starts: tensor<1xi64>, %ends: tensor<1xi64>) -> tensor<?xf32> {
  %0 = nb.slice %x, %starts, %ends {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<6xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
)mlir";

TEST_F(ShapeOperandSpecializationTest, ClassifiesShapeOperands) {
  auto module = parse(kSlice);
  ASSERT_TRUE(module);
  mlir::nb::SliceOp slice;
  module->walk([&](mlir::nb::SliceOp op) { slice = op; });
  ASSERT_TRUE(slice);
  EXPECT_FALSE(mlir::nb::isShapeOperand(slice->getOpOperand(0))); // data
  EXPECT_TRUE(mlir::nb::isShapeOperand(slice->getOpOperand(1)));  // starts
  EXPECT_TRUE(mlir::nb::isShapeOperand(slice->getOpOperand(2)));  // ends
}

TEST_F(ShapeOperandSpecializationTest, SliceBoundsAreCompiledInPerValue) {
  auto module = parse(kSlice);
  ASSERT_TRUE(module);
  auto executable = CPUExecutable::create(*module);
  ASSERT_TRUE(static_cast<bool>(executable))
      << llvm::toString(executable.takeError());
  HostArray x = makeArray<float>(ElementType::Float32, {6},
                                 {0, 1, 2, 3, 4, 5});
  auto runSlice = [&](int64_t start, int64_t end) {
    HostArray starts = makeArray<int64_t>(ElementType::Int64, {1}, {start});
    HostArray ends = makeArray<int64_t>(ElementType::Int64, {1}, {end});
    auto outputs = (*executable)->run({&x, &starts, &ends});
    EXPECT_TRUE(static_cast<bool>(outputs))
        << llvm::toString(outputs.takeError());
    return outputs ? getValues<float>(outputs->front()) : std::vector<float>{};
  };
  EXPECT_EQ(runSlice(1, 4), (std::vector<float>{1, 2, 3}));
  // Same shapes, other values: a new variant, not the one above.
  EXPECT_EQ(runSlice(2, 4), (std::vector<float>{2, 3}));
  EXPECT_EQ(runSlice(-2, 100), (std::vector<float>{4, 5}));
  EXPECT_EQ(runSlice(1, 4), (std::vector<float>{1, 2, 3}));
}

// An argument that is both data and shape: only the shape use is bound.
TEST_F(ShapeOperandSpecializationTest, DataUsesKeepReadingTheArgument) {
  auto module = parse(R"mlir(
func.func @main(%x: tensor<2x3xf32>, %shape: tensor<2xi64>) -> (tensor<?x?xf32>, tensor<2xi64>) {
  %0 = nb.reshape %x, %shape : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %1 = nb.add %shape, %shape : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0, %1 : tensor<?x?xf32>, tensor<2xi64>
}
)mlir");
  ASSERT_TRUE(module);
  auto executable = CPUExecutable::create(*module);
  ASSERT_TRUE(static_cast<bool>(executable))
      << llvm::toString(executable.takeError());
  HostArray x = makeArray<float>(ElementType::Float32, {2, 3},
                                 {0, 1, 2, 3, 4, 5});
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{3, 2}, std::vector<int64_t>{-1, 1}}) {
    HostArray shapeArray = makeArray<int64_t>(ElementType::Int64, {2}, shape);
    auto outputs = (*executable)->run({&x, &shapeArray});
    ASSERT_TRUE(static_cast<bool>(outputs))
        << llvm::toString(outputs.takeError());
    int64_t rows = shape[0] == -1 ? 6 : shape[0];
    EXPECT_EQ((*outputs)[0].shape, (std::vector<int64_t>{rows, shape[1]}));
    EXPECT_EQ(getValues<float>((*outputs)[0]),
              (std::vector<float>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(getValues<int64_t>((*outputs)[1]),
              (std::vector<int64_t>{2 * shape[0], 2 * shape[1]}));
  }
}

// The binding itself: small inputs replace the shape uses of their argument
// and enter the cache key; more than kMaxShapeOperandElements values are
// data and stay arguments (an op that needs them constant then fails to
// lower with its own error).
TEST_F(ShapeOperandSpecializationTest, BindsOnlySmallInputs) {
  auto module = parse(R"mlir(
func.func @main(%x: tensor<?xf32>, %shape: tensor<?xi64>, %axes: tensor<?xi64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = nb.reshape %x, %shape : (tensor<?xf32>, tensor<?xi64>) -> tensor<*xf32>
  %1 = nb.unsqueeze %x, %axes : (tensor<?xf32>, tensor<?xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}
)mlir");
  ASSERT_TRUE(module);
  auto func = module->lookupSymbol<mlir::func::FuncOp>("main");
  llvm::SmallVector<unsigned> arguments = getShapeOperandArguments(func);
  EXPECT_EQ(arguments, (llvm::SmallVector<unsigned>{1, 2}));

  HostArray x = makeArray<float>(ElementType::Float32, {1}, {7.0f});
  HostArray large = makeArray<int64_t>(
      ElementType::Int64, {kMaxShapeOperandElements + 1},
      std::vector<int64_t>(kMaxShapeOperandElements + 1, 1));
  HostArray axes = makeArray<int64_t>(ElementType::Int64, {1}, {0});
  std::vector<const HostArray *> inputs = {&x, &large, &axes};
  EXPECT_FALSE(canSpecializeOn(large));
  EXPECT_TRUE(canSpecializeOn(axes));
  EXPECT_EQ(getShapeOperandKey(arguments, inputs), "|2=0000000000000000");

  for (auto [index, input] : llvm::enumerate(inputs))
    func.getArgument(index).setType(mlir::RankedTensorType::get(
        input->shape,
        mlir::cast<mlir::TensorType>(func.getArgument(index).getType())
            .getElementType()));
  specializeShapeOperands(func, arguments, inputs);
  EXPECT_FALSE(func.getArgument(1).use_empty());
  EXPECT_TRUE(func.getArgument(2).use_empty());
  mlir::nb::UnsqueezeOp unsqueeze;
  func.walk([&](mlir::nb::UnsqueezeOp op) { unsqueeze = op; });
  ASSERT_TRUE(unsqueeze);
  EXPECT_TRUE(unsqueeze.getAxes().getDefiningOp<mlir::nb::ConstantOp>());
}

// Folding and shape inference repeat until neither changes the IR: the
// split sizes below are constant only after nb.shape of the transposed
// (first unranked) tensor has folded, which needs its inferred type.
TEST_F(ShapeOperandSpecializationTest, ShapesRefineToAFixedPoint) {
  auto module = parse(R"mlir(
func.func @main(%x: tensor<2x8xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %t = nb.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x8xf32>) -> tensor<*xf32>
  %n = nb.shape %t {start = 1 : i64} : (tensor<*xf32>) -> tensor<*xi64>
  %z = nb.sub %n, %n : (tensor<*xi64>, tensor<*xi64>) -> tensor<*xi64>
  %sizes = nb.concat %n, %z {axis = 0 : i64} : (tensor<*xi64>, tensor<*xi64>) -> tensor<*xi64>
  %0:2 = nb.split %t, %sizes {axis = 1 : i64} : (tensor<*xf32>, tensor<*xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}
)mlir");
  ASSERT_TRUE(module);
  auto executable = CPUExecutable::create(*module);
  ASSERT_TRUE(static_cast<bool>(executable))
      << llvm::toString(executable.takeError());
  std::vector<float> values(16);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<float>(i);
  HostArray x = makeArray<float>(ElementType::Float32, {2, 8}, values);
  auto outputs = (*executable)->run({&x});
  ASSERT_TRUE(static_cast<bool>(outputs))
      << llvm::toString(outputs.takeError());
  EXPECT_EQ((*outputs)[0].shape, (std::vector<int64_t>{2, 8}));
  EXPECT_EQ(getValues<float>((*outputs)[0]), values);
  EXPECT_EQ((*outputs)[1].shape, (std::vector<int64_t>{2, 0}));
}

} // namespace
