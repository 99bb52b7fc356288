//===- ModelSummaryTest.cpp - ModelSummary on IR built in C++ -------------===//
#include "nibble/Analysis/ModelSummary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/Support/JSON.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::nb;

namespace {

class ModelSummaryTest : public ::testing::Test {
protected:
  ModelSummaryTest() {
    context.loadDialect<NBDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                     builder.getFunctionType({}, {}));
    builder.setInsertionPointToStart(func.addEntryBlock());
  }

  /// nb.constant splat of `shape` x `elementType`.
  Value constant(ArrayRef<int64_t> shape, Type elementType) {
    auto type = RankedTensorType::get(shape, elementType);
    Attribute zero = isa<FloatType>(elementType)
                         ? Attribute(builder.getFloatAttr(elementType, 0.0))
                         : Attribute(builder.getIntegerAttr(elementType, 0));
    return ConstantOp::create(builder, builder.getUnknownLoc(), type,
                              DenseElementsAttr::get(type, zero));
  }

  ModelSummary finish() {
    func::ReturnOp::create(builder, builder.getUnknownLoc());
    return ModelSummary::compute(*module);
  }

  MLIRContext context;
  OpBuilder builder{&context};
  OwningOpRef<ModuleOp> module;
};

TEST_F(ModelSummaryTest, EmptyFunction) {
  ModelSummary summary = finish();
  EXPECT_TRUE(summary.opCounts.empty());
  EXPECT_EQ(summary.parameterCount, 0);
  EXPECT_EQ(summary.getTotalBytes(), 0);
}

TEST_F(ModelSummaryTest, CountsOpsParametersAndBytesPerPrecision) {
  Value weight = constant({4, 3}, builder.getF32Type());  // 12 x 4 B
  constant({16}, builder.getIntegerType(8));              // 16 x 1 B
  constant({5}, builder.getIntegerType(4));               // packed: 3 B
  constant({}, builder.getF32Type()); // a scalar, not a parameter
  ReluOp::create(builder, builder.getUnknownLoc(), weight.getType(), weight);

  ModelSummary summary = finish();
  EXPECT_EQ(summary.opCounts["constant"], 4);
  EXPECT_EQ(summary.opCounts["relu"], 1);
  // Terminators and the function itself are structure, not ops of the model.
  EXPECT_EQ(summary.opCounts.count("func.return"), 0u);
  EXPECT_EQ(summary.opCounts.count("func.func"), 0u);
  EXPECT_EQ(summary.getTotalOps(), 5);
  EXPECT_EQ(summary.parameterCount, 12 + 16 + 5);
  EXPECT_EQ(summary.bytesByElementType["f32"], 48);
  EXPECT_EQ(summary.bytesByElementType["i8"], 16);
  EXPECT_EQ(summary.bytesByElementType["i4"], 3);
  EXPECT_EQ(summary.getTotalBytes(), 48 + 16 + 3);
}

TEST_F(ModelSummaryTest, LinesFormatIsStable) {
  Value weight = constant({2, 2}, builder.getF32Type());
  ReluOp::create(builder, builder.getUnknownLoc(), weight.getType(), weight);
  std::string text;
  llvm::raw_string_ostream os(text);
  finish().print(os, SummaryFormat::Lines);
  EXPECT_EQ(text, "op constant 1\n"
                  "op relu 1\n"
                  "params 4\n"
                  "bytes f32 16\n"
                  "bytes total 16\n");
}

TEST_F(ModelSummaryTest, JSONFormatParses) {
  constant({1000, 10}, builder.getF32Type());
  std::string text;
  llvm::raw_string_ostream os(text);
  finish().print(os, SummaryFormat::JSON);

  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(text);
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  const llvm::json::Object *root = parsed->getAsObject();
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->getInteger("params"), 10000);
  EXPECT_EQ(root->getInteger("bytes_total"), 40000);
  ASSERT_NE(root->getObject("ops"), nullptr);
  EXPECT_EQ(root->getObject("ops")->getInteger("constant"), 1);
  ASSERT_NE(root->getObject("bytes"), nullptr);
  EXPECT_EQ(root->getObject("bytes")->getInteger("f32"), 40000);
}

TEST_F(ModelSummaryTest, TableFormatGroupsThousands) {
  constant({1000, 10}, builder.getF32Type());
  std::string text;
  llvm::raw_string_ostream os(text);
  finish().print(os, SummaryFormat::Table);
  EXPECT_NE(text.find("Parameters: 10,000"), std::string::npos) << text;
  EXPECT_NE(text.find("40,000"), std::string::npos) << text;
  EXPECT_NE(text.find("39.1 KiB"), std::string::npos) << text;
}

} // namespace
