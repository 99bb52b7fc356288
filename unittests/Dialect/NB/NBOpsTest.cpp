//===- NBOpsTest.cpp - nb ops built, verified and folded from C++ ---------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::nb;

namespace {

class NBOpsTest : public ::testing::Test {
protected:
  NBOpsTest() {
    context.loadDialect<NBDialect, func::FuncDialect>();
    module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
  }

  RankedTensorType f32Tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  Value splat(RankedTensorType type, float value) {
    return ConstantOp::create(builder, loc, type,
                              DenseElementsAttr::get(type, value));
  }

  /// Verifies the module, returning the first diagnostic's message (empty
  /// when it verifies).
  std::string verifyAndCaptureError() {
    std::string message;
    ScopedDiagnosticHandler capture(&context, [&](Diagnostic &diagnostic) {
      if (message.empty())
        message = diagnostic.str();
      return success();
    });
    if (succeeded(verify(*module)))
      return "";
    return message.empty() ? "<failed without a diagnostic>" : message;
  }

  MLIRContext context;
  OpBuilder builder{&context};
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module;
};

TEST_F(NBOpsTest, ConstantFoldsToItsValue) {
  RankedTensorType type = f32Tensor({3});
  auto value = DenseElementsAttr::get(type, ArrayRef<float>{1.f, 2.f, 3.f});
  auto constant = ConstantOp::create(builder, loc, type, value);
  SmallVector<OpFoldResult> results;
  ASSERT_TRUE(succeeded(constant->fold(results)));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(dyn_cast<Attribute>(results.front()), value);
}

TEST_F(NBOpsTest, DialectMaterializesConstants) {
  RankedTensorType type = f32Tensor({2});
  auto value = DenseElementsAttr::get(type, 4.f);
  Dialect *dialect = context.getLoadedDialect<NBDialect>();
  Operation *materialized =
      dialect->materializeConstant(builder, value, type, loc);
  ASSERT_NE(materialized, nullptr);
  EXPECT_TRUE(isa<ConstantOp>(materialized));
  // A value whose type differs from the requested one is not materialized.
  EXPECT_EQ(dialect->materializeConstant(builder, value, f32Tensor({3}), loc),
            nullptr);
}

TEST_F(NBOpsTest, ElementwiseOpVerifies) {
  RankedTensorType type = f32Tensor({2, 3});
  Value input = splat(type, -1.f);
  ReluOp::create(builder, loc, type, input);
  EXPECT_EQ(verifyAndCaptureError(), "");
}

TEST_F(NBOpsTest, ElementwiseOpRejectsShapeChange) {
  Value input = splat(f32Tensor({2, 3}), -1.f);
  ReluOp::create(builder, loc, f32Tensor({3, 2}), input);
  EXPECT_NE(verifyAndCaptureError(), "");
}

TEST_F(NBOpsTest, BroadcastingBinaryOpVerifies) {
  Value lhs = splat(f32Tensor({4, 1}), 1.f);
  Value rhs = splat(f32Tensor({3}), 2.f);
  AddOp::create(builder, loc, f32Tensor({4, 3}), lhs, rhs);
  EXPECT_EQ(verifyAndCaptureError(), "");
}

TEST_F(NBOpsTest, BroadcastingBinaryOpRejectsIncompatibleShapes) {
  Value lhs = splat(f32Tensor({4, 2}), 1.f);
  Value rhs = splat(f32Tensor({3}), 2.f);
  AddOp::create(builder, loc, f32Tensor({4, 3}), lhs, rhs);
  EXPECT_NE(verifyAndCaptureError(), "");
}

TEST_F(NBOpsTest, TextRoundTrip) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
      %0 = nb.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
      return %0 : tensor<1x4xf32>
    }
  )mlir";
  OwningOpRef<ModuleOp> parsed =
      parseSourceString<ModuleOp>(source, ParserConfig(&context));
  ASSERT_TRUE(parsed);
  std::string printed;
  llvm::raw_string_ostream os(printed);
  parsed->print(os);
  EXPECT_NE(printed.find("nb.relu %arg0 : (tensor<1x4xf32>) -> "
                         "tensor<1x4xf32>"),
            std::string::npos)
      << printed;
  OwningOpRef<ModuleOp> reparsed =
      parseSourceString<ModuleOp>(printed, ParserConfig(&context));
  EXPECT_TRUE(reparsed);
}

} // namespace
