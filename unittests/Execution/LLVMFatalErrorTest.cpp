//===- LLVMFatalErrorTest.cpp - LLVM fatal errors in the JIT --------------===//
//
// A backend failure while the JIT or `nibble compile` compiles (LLVM's
// report_fatal_error) must come back from CPUExecutable::compile as an error
// naming the function, the model and LLVM's reason, with the process alive.
//
//===----------------------------------------------------------------------===//
#include "nibble/Execution/CPUExecutable.h"
#include "nibble/InitAllNibble.h"
#include "nibble/Target/CPU/CPUCompiler.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

using namespace nibble;

namespace {

// LLVM 22 cannot legalize an extractelement from a bf16 vector of 32k+1
// elements on x86 CPUs with AVX512-BF16 (znver4/5, Sapphire Rapids, ...):
// "Do not know how to soft promote this operator's operand", a
// report_fatal_error in type legalization (docs/quantization.md, bf16 on the
// PP-OCR classifier). Nothing runs: the failure is at compile time.
constexpr llvm::StringLiteral kUnlegalizable = R"mlir(
func.func @main(%x: tensor<33xbf16>) -> tensor<1xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : bf16
  %v = vector.transfer_read %x[%c0], %pad {in_bounds = [true]} : tensor<33xbf16>, vector<33xbf16>
  %w = arith.mulf %v, %v : vector<33xbf16>
  %e = vector.extract %w[5] : bf16 from vector<33xbf16>
  %f = arith.extf %e : bf16 to f32
  %t = tensor.from_elements %f : tensor<1xf32>
  return %t : tensor<1xf32>
}
)mlir";

TEST(LLVMFatalErrorTest, BackendFatalErrorBecomesAnError) {
  if (!llvm::sys::getHostCPUFeatures().lookup("avx512bf16"))
    GTEST_SKIP() << "the failure needs an x86 CPU with AVX512-BF16";
  mlir::DialectRegistry registry;
  registerNibbleDialects(registry);
  registry.insert<mlir::vector::VectorDialect>();
  mlir::MLIRContext context(registry);
  mlir::ParserConfig config(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kUnlegalizable, config,
                                              "unlegalizable.mlir");
  ASSERT_TRUE(module);
  llvm::Expected<std::unique_ptr<CPUExecutable>> executable =
      CPUExecutable::create(*module);
  ASSERT_TRUE(bool(executable)) << llvm::toString(executable.takeError());
  HostArray input("x", ElementType::BFloat16, {33});
  llvm::Error error = (*executable)->compile({&input});
  if (!error)
    GTEST_SKIP() << "this LLVM legalizes the bf16 vector; nothing to recover";
  std::string message = llvm::toString(std::move(error));
  RecordProperty("message", message);
  EXPECT_NE(message.find("LLVM failed while compiling 'main' of "
                         "'unlegalizable.mlir' for input shapes 33: "),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("Do not know how to"), std::string::npos) << message;
}

TEST(LLVMFatalErrorTest, AheadOfTimeBackendFatalErrorBecomesAnError) {
  if (!llvm::sys::getHostCPUFeatures().lookup("avx512bf16"))
    GTEST_SKIP() << "the failure needs an x86 CPU with AVX512-BF16";
  mlir::DialectRegistry registry;
  registerNibbleDialects(registry);
  registry.insert<mlir::vector::VectorDialect>();
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kUnlegalizable, &context);
  ASSERT_TRUE(module);
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("nibble-aot", dir));
  CPUCompileOptions options;
  options.sourceName = "unlegalizable.mlir";
  llvm::Error error = compileForCPU(*module, dir, options);
  llvm::sys::fs::remove_directories(dir);
  if (!error)
    GTEST_SKIP() << "this LLVM legalizes the bf16 vector; nothing to recover";
  std::string message = llvm::toString(std::move(error));
  RecordProperty("message", message);
  EXPECT_NE(message.find("LLVM failed while compiling 'main' of "
                         "'unlegalizable.mlir' for CPU "),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("Do not know how to"), std::string::npos) << message;
}

} // namespace
