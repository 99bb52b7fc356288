//===- OpSelectionTest.cpp - exclusion options and ONNX op types ----------===//
#include "nibble/Quantization/OpSelection.h"

#include "nibble/Dialect/NB/IR/NBOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::nb::quantization;

namespace {

class OpSelectionTest : public ::testing::Test {
protected:
  OpSelectionTest() {
    context.loadDialect<nb::NBDialect, func::FuncDialect>();
    module = parseSourceString<ModuleOp>(R"mlir(
      func.func @f(%x: tensor<1x4xf32>, %w: tensor<4x4xf32>) -> tensor<1x4xf32> {
        %a = nb.matmul %x, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32> loc("fc1")
        %b = nb.relu %a : (tensor<1x4xf32>) -> tensor<1x4xf32> loc(fused["relu10", "x"])
        %c = nb.batch_norm %b, %b, %b, %b, %b : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc(callsite("bn" at "caller"))
        %d = nb.global_average_pool %c : (tensor<1x4xf32>) -> tensor<1x4xf32>
        return %d : tensor<1x4xf32>
      }
    )mlir",
                                     ParserConfig(&context, /*verifyAfterParse=*/false));
    if (!module)
      return;
    module->walk([&](Operation *op) {
      if (op->getDialect() && op->getDialect()->getNamespace() == "nb")
        ops.push_back(op);
    });
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::vector<Operation *> ops;
};

TEST_F(OpSelectionTest, NodeNamesAndTypes) {
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(getNodeName(ops[0]), "fc1");
  EXPECT_EQ(getNodeName(ops[1]), "relu10");
  EXPECT_EQ(getNodeName(ops[2]), "bn");
  EXPECT_EQ(getNodeName(ops[3]), "");
  EXPECT_EQ(getONNXOpType(ops[0]), "MatMul");
  EXPECT_EQ(getONNXOpType(ops[1]), "Relu");
  EXPECT_EQ(getONNXOpType(ops[2]), "BatchNormalization");
  EXPECT_EQ(getONNXOpType(ops[3]), "GlobalAveragePool");
}

TEST_F(OpSelectionTest, RegexIsAnchored) {
  std::string error;
  FailureOr<OpSelection> selection =
      OpSelection::create("relu1|fc.*", {}, false, error);
  ASSERT_TRUE(succeeded(selection)) << error;
  EXPECT_FALSE(selection->isSelected(ops[0]));
  EXPECT_TRUE(selection->isSelected(ops[1])); // relu10 is not relu1
  EXPECT_TRUE(selection->isSelected(ops[2]));
  EXPECT_TRUE(selection->isSelected(ops[3])); // unnamed ops never match
}

TEST_F(OpSelectionTest, OpTypesCompareCaseInsensitively) {
  std::string error;
  FailureOr<OpSelection> selection = OpSelection::create(
      "", {"matmul", "BatchNormalization"}, false, error);
  ASSERT_TRUE(succeeded(selection)) << error;
  EXPECT_FALSE(selection->isSelected(ops[0]));
  EXPECT_TRUE(selection->isSelected(ops[1]));
  EXPECT_FALSE(selection->isSelected(ops[2]));
}

TEST_F(OpSelectionTest, BadRegexIsAnError) {
  std::string error;
  EXPECT_TRUE(failed(OpSelection::create("conv[", {}, false, error)));
  EXPECT_NE(error.find("invalid exclude-nodes regex 'conv['"),
            std::string::npos)
      << error;
}

TEST_F(OpSelectionTest, KeepFloatMarksOrFails) {
  std::vector<std::string> messages;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    messages.push_back(d.str());
    return success();
  });
  std::string error;
  FailureOr<OpSelection> lenient = OpSelection::create("", {}, false, error);
  ASSERT_TRUE(succeeded(lenient));
  EXPECT_TRUE(succeeded(lenient->keepFloat(ops[0], "no range")));
  EXPECT_EQ(ops[0]->getAttrOfType<StringAttr>(kKeptFloatAttrName).getValue(),
            "no range");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0], "node 'fc1' stays float: no range");

  FailureOr<OpSelection> strict = OpSelection::create("", {}, true, error);
  ASSERT_TRUE(succeeded(strict));
  EXPECT_TRUE(strict->isStrict());
  EXPECT_TRUE(failed(strict->keepFloat(ops[1], "no range")));
  EXPECT_FALSE(ops[1]->hasAttr(kKeptFloatAttrName));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1], "node 'relu10' cannot be quantized: no range");
}

} // namespace
