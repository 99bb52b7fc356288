//===- ONNXImporterTest.cpp - the importer API on in-memory models --------===//
//
// Builds ModelProtos with the ONNX C++ API, serializes them and imports the
// bytes through `importONNXBuffer`, the entry point embedders use when the
// model does not come from a file.
//
//===----------------------------------------------------------------------===//
#include "nibble/Importer/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "onnx/onnx_pb.h"
#include "gtest/gtest.h"

using namespace mlir;

namespace {

/// A float tensor value_info of a static shape.
void setFloatTensor(onnx::ValueInfoProto *info, const std::string &name,
                    std::initializer_list<int64_t> shape) {
  info->set_name(name);
  auto *tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t dim : shape)
    tensor->mutable_shape()->add_dim()->set_dim_value(dim);
}

/// y = op_type(x) over a 2x3 float tensor, opset 17.
onnx::ModelProto makeUnaryModel(const std::string &opType,
                                const std::string &domain = "") {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  if (!domain.empty()) {
    auto *custom = model.add_opset_import();
    custom->set_domain(domain);
    custom->set_version(1);
  }
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name("unary");
  onnx::NodeProto *node = graph->add_node();
  node->set_name("the_node");
  node->set_op_type(opType);
  node->set_domain(domain);
  node->add_input("x");
  node->add_output("y");
  setFloatTensor(graph->add_input(), "x", {2, 3});
  setFloatTensor(graph->add_output(), "y", {2, 3});
  return model;
}

class ONNXImporterTest : public ::testing::Test {
protected:
  OwningOpRef<ModuleOp> import(const onnx::ModelProto &model,
                               const nibble::ONNXImportOptions &options = {}) {
    std::string bytes;
    EXPECT_TRUE(model.SerializeToString(&bytes));
    ScopedDiagnosticHandler capture(&context, [&](Diagnostic &diagnostic) {
      diagnostics += diagnostic.str() + "\n";
      return success();
    });
    return nibble::importONNXBuffer(bytes, "in-memory.onnx", context, options);
  }

  template <typename OpTy>
  int countOps(ModuleOp module) {
    int count = 0;
    module.walk([&](OpTy) { ++count; });
    return count;
  }

  MLIRContext context;
  std::string diagnostics;
};

TEST_F(ONNXImporterTest, ImportsReluIntoNB) {
  OwningOpRef<ModuleOp> module = import(makeUnaryModel("Relu"));
  ASSERT_TRUE(module) << diagnostics;
  EXPECT_TRUE(succeeded(verify(*module)));
  EXPECT_EQ(countOps<nb::ReluOp>(*module), 1);
  auto func = module->lookupSymbol<func::FuncOp>("main");
  ASSERT_TRUE(func);
  EXPECT_EQ(func.getFunctionType().getNumInputs(), 1u);
  EXPECT_EQ(func.getFunctionType().getNumResults(), 1u);
}

TEST_F(ONNXImporterTest, FunctionNameOption) {
  nibble::ONNXImportOptions options;
  options.functionName = "digits";
  OwningOpRef<ModuleOp> module = import(makeUnaryModel("Relu"), options);
  ASSERT_TRUE(module) << diagnostics;
  EXPECT_TRUE(module->lookupSymbol<func::FuncOp>("digits"));
}

TEST_F(ONNXImporterTest, NodeNamesBecomeLocations) {
  OwningOpRef<ModuleOp> module = import(makeUnaryModel("Relu"));
  ASSERT_TRUE(module) << diagnostics;
  bool found = false;
  module->walk([&](nb::ReluOp relu) {
    std::string printed;
    llvm::raw_string_ostream os(printed);
    relu.getLoc().print(os);
    found = printed.find("the_node") != std::string::npos;
  });
  EXPECT_TRUE(found);
}

TEST_F(ONNXImporterTest, UnknownOpIsAnErrorNamingTheNode) {
  OwningOpRef<ModuleOp> module =
      import(makeUnaryModel("FancyOp", "com.example"));
  EXPECT_FALSE(module);
  EXPECT_NE(diagnostics.find("FancyOp"), std::string::npos) << diagnostics;
}

TEST_F(ONNXImporterTest, UnknownOpKeptAsOpaqueWhenAllowed) {
  nibble::ONNXImportOptions options;
  options.allowUnregisteredOps = true;
  OwningOpRef<ModuleOp> module =
      import(makeUnaryModel("FancyOp", "com.example"), options);
  ASSERT_TRUE(module) << diagnostics;
  int opaque = 0;
  module->walk([&](nb::OpaqueOp op) {
    ++opaque;
    EXPECT_EQ(op.getOpType(), "FancyOp");
    EXPECT_EQ(op.getDomain(), "com.example");
  });
  EXPECT_EQ(opaque, 1);
}

TEST_F(ONNXImporterTest, GarbageBytesAreRejected) {
  ScopedDiagnosticHandler capture(&context, [&](Diagnostic &diagnostic) {
    diagnostics += diagnostic.str() + "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = nibble::importONNXBuffer(
      "this is not a protobuf", "garbage.onnx", context);
  EXPECT_FALSE(module);
  EXPECT_FALSE(diagnostics.empty());
}

} // namespace
