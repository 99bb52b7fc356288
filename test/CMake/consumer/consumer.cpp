//===- consumer.cpp - a program built against the installed Nibble --------===//
//
// Builds `nb` ops from C++, checks that the verifier accepts a well-formed
// function and rejects an ill-formed op, and, when the package has the ONNX
// importer, imports the model given on the command line. Prints what it did
// and exits non-zero on any surprise.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/Support/raw_ostream.h"

#ifdef CONSUMER_HAS_ONNX_IMPORTER
#include "nibble/Importer/ONNX/ONNXImporter.h"
#endif

using namespace mlir;

/// func @relu_of_constant() -> tensor<2xf32> { nb.relu(nb.constant) }
static OwningOpRef<ModuleOp> buildValidModule(MLIRContext &context) {
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());

  auto tensorType = RankedTensorType::get({2}, builder.getF32Type());
  auto func = func::FuncOp::create(builder, loc, "relu_of_constant",
                                   builder.getFunctionType({}, {tensorType}));
  builder.setInsertionPointToStart(func.addEntryBlock());
  auto values = DenseElementsAttr::get(tensorType, ArrayRef<float>{-1.f, 2.f});
  Value constant = nb::ConstantOp::create(builder, loc, tensorType, values);
  Value relu = nb::ReluOp::create(builder, loc, tensorType, constant);
  func::ReturnOp::create(builder, loc, relu);
  return module;
}

/// nb.relu whose result shape differs from its operand's: must not verify.
static bool invalidReluIsRejected(MLIRContext &context) {
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  auto operandType = RankedTensorType::get({2}, builder.getF32Type());
  auto resultType = RankedTensorType::get({3}, builder.getF32Type());
  auto values = DenseElementsAttr::get(operandType, ArrayRef<float>{1.f, 2.f});
  Value constant = nb::ConstantOp::create(builder, loc, operandType, values);
  nb::ReluOp::create(builder, loc, resultType, constant);

  std::string diagnostic;
  ScopedDiagnosticHandler capture(&context, [&](Diagnostic &diag) {
    diagnostic = diag.str();
    return success();
  });
  bool rejected = failed(verify(*module));
  if (rejected)
    llvm::outs() << "invalid nb.relu rejected: " << diagnostic << "\n";
  return rejected;
}

int main(int argc, char **argv) {
  DialectRegistry registry;
  registry.insert<nb::NBDialect, func::FuncDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  OwningOpRef<ModuleOp> module = buildValidModule(context);
  if (failed(verify(*module))) {
    llvm::errs() << "error: the nb module built from C++ does not verify\n";
    return 1;
  }
  module->print(llvm::outs());
  llvm::outs() << "\n";

  if (!invalidReluIsRejected(context)) {
    llvm::errs() << "error: an ill-formed nb.relu passed verification\n";
    return 1;
  }

#ifdef CONSUMER_HAS_ONNX_IMPORTER
  if (argc > 1) {
    OwningOpRef<ModuleOp> imported = nibble::importONNXFile(argv[1], context);
    if (!imported || failed(verify(*imported))) {
      llvm::errs() << "error: importing " << argv[1] << " failed\n";
      return 1;
    }
    int64_t ops = 0;
    imported->walk([&](Operation *op) {
      if (isa<nb::NBDialect>(op->getDialect()))
        ++ops;
    });
    llvm::outs() << "imported " << argv[1] << ": " << ops << " nb ops\n";
  }
#else
  (void)argc;
  (void)argv;
  llvm::outs() << "package has no ONNX importer; import not checked\n";
#endif
  llvm::outs() << "consumer: OK\n";
  return 0;
}
