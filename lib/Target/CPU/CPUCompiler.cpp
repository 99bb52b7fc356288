//===- CPUCompiler.cpp - compile nb models into deployable bundles --------===//
#include "nibble/Target/CPU/CPUCompiler.h"

#include "ModelHeader.h"
#include "nibble-c/model_abi.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Pipelines/CPUCodegen.h"
#include "nibble/Pipelines/CPUTarget.h"
#include "nibble/Pipelines/LLVMCrashRecovery.h"
#include "nibble/Target/CPU/Passes.h"
#include "nibble/Target/CPU/WeightsPayload.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

#include <cstdlib>
#include <mutex>

using namespace llvm;
using namespace nibble;

void nibble::registerTargetCPUPasses() { mlir::nb::registerNibbleTargetCPUPasses(); }

static Error failedStage(const Twine &stage) {
  return createStringError("cannot compile the model: " + stage +
                           " failed (see the errors above)");
}

/// Specializes, records the signature, lowers to the LLVM dialect and adds
/// the runtime's entry points.
static Error lowerModule(mlir::ModuleOp module,
                         const CPUCompileOptions &options) {
  mlir::MLIRContext *context = module.getContext();
  if (failed(specializeInputShapes(module, options.functionName,
                                   options.inputShapes)))
    return failedStage("binding input shapes");

  // Output shapes follow from the inputs'; the signature needs them static.
  mlir::PassManager inferPM(context);
  inferPM.addPass(mlir::createCanonicalizerPass());
  inferPM.addPass(mlir::nb::createInferShapes());
  if (failed(inferPM.run(module)))
    return failedStage("shape inference");
  if (failed(recordModelSignature(module, options.functionName)))
    return failedStage("recording the signature");

  mlir::PassManager codegenPM(context);
  CPUCodegenOptions codegen;
  codegen.target = options.target;
  codegen.requantize = options.requantize;
  buildCPUCodegenPipeline(codegenPM, codegen);
  if (failed(codegenPM.run(module)))
    return failedStage("lowering (nibble-cpu-codegen)");

  // Anything left outside the LLVM dialect would fail translation with a
  // message that does not say what was left.
  mlir::Operation *unlowered = nullptr;
  module.walk([&](mlir::Operation *op) {
    if (op == module.getOperation() ||
        op->getName().getDialectNamespace() == "llvm")
      return mlir::WalkResult::advance();
    unlowered = op;
    return mlir::WalkResult::interrupt();
  });
  if (unlowered) {
    mlir::emitError(unlowered->getLoc())
        << "'" << unlowered->getName()
        << "' is left after nibble-cpu-codegen; the CPU pipeline cannot "
           "lower it yet";
    return failedStage("lowering (nibble-cpu-codegen)");
  }

  mlir::PassManager bundlePM(context);
  mlir::nb::ExternalizeWeightsOptions externalize;
  externalize.threshold = options.weightsThreshold;
  bundlePM.addPass(mlir::nb::createExternalizeWeights(externalize));
  bundlePM.addPass(mlir::nb::createEmitModelEntryPoints());
  if (failed(bundlePM.run(module)))
    return failedStage("adding the entry points");
  return Error::success();
}

static void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
  });
}

/// LLVM IR, optimized for the target and emitted as a PIC object.
static Error emitObject(mlir::ModuleOp module, const CPUTarget &target,
                        unsigned optLevel, StringRef objectPath,
                        const Twine &what) {
  initializeNativeTarget();
  Triple triple(sys::getDefaultTargetTriple());
  std::string lookupError;
  const Target *llvmTarget = TargetRegistry::lookupTarget(triple, lookupError);
  if (!llvmTarget)
    return createStringError("no LLVM target for " + triple.str() + ": " +
                             lookupError);
  static constexpr CodeGenOptLevel levels[] = {
      CodeGenOptLevel::None, CodeGenOptLevel::Less, CodeGenOptLevel::Default,
      CodeGenOptLevel::Aggressive};
  std::unique_ptr<TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, target.cpu, target.features, TargetOptions(), Reloc::PIC_,
      std::nullopt, levels[optLevel]));
  if (!machine)
    return createStringError("cannot create an LLVM target machine for CPU '" +
                             target.cpu + "'");

  std::error_code ec;
  raw_fd_ostream os(objectPath, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "cannot write '" + objectPath +
                                     "': " + ec.message());
  // Translation, LLVM's optimizer and code generation; an LLVM fatal error
  // or crash in them becomes an error, and what they left half built is
  // leaked rather than destroyed.
  auto llvmContext = std::make_unique<LLVMContext>();
  std::unique_ptr<Module> llvmModule;
  auto codegenPM = std::make_unique<legacy::PassManager>();
  if (Error error = runRecoveringFromLLVMFatalErrors(
          what + " for CPU '" + target.cpu + "'",
          [&]() -> Error {
            llvmModule =
                mlir::translateModuleToLLVMIR(module, *llvmContext, "model");
            if (!llvmModule)
              return failedStage("translation to LLVM IR");
            llvmModule->setTargetTriple(triple);
            llvmModule->setDataLayout(machine->createDataLayout());
            // Functions carry the CPU and features too, so that LLVM's
            // optimizer (the vectorizers' cost models) sees the target, not
            // just the backend.
            for (Function &function : *llvmModule) {
              if (function.isDeclaration())
                continue;
              function.addFnAttr("target-cpu", target.cpu);
              if (!target.features.empty())
                function.addFnAttr("target-features", target.features);
            }
            auto optimize = mlir::makeOptimizingTransformer(
                optLevel, /*sizeLevel=*/0, machine.get());
            if (Error error = optimize(llvmModule.get()))
              return error;
            if (machine->addPassesToEmitFile(*codegenPM, os, nullptr,
                                             CodeGenFileType::ObjectFile))
              return createStringError("LLVM cannot emit objects for " +
                                       triple.str());
            codegenPM->run(*llvmModule);
            return Error::success();
          },
          [&] {
            (void)codegenPM.release();
            (void)llvmModule.release();
            (void)llvmContext.release();
            (void)machine.release();
          }))
    return error;
  os.close();
  if (os.has_error())
    return createStringError(os.error(), "cannot write '" + objectPath + "'");
  return Error::success();
}

/// The C compiler driver that links: the option, $NIBBLE_CC, $CC or `cc`.
static Expected<std::string> findLinker(StringRef requested) {
  std::string name = requested.str();
  for (const char *variable : {"NIBBLE_CC", "CC"}) {
    if (!name.empty())
      break;
    if (const char *value = std::getenv(variable))
      name = value;
  }
  if (name.empty())
    name = "cc";
  if (sys::path::is_absolute(name) || name.find('/') != std::string::npos)
    return name;
  ErrorOr<std::string> path = sys::findProgramByName(name);
  if (!path)
    return createStringError("cannot find the C compiler '" + name +
                             "' that links model.so; install one or set "
                             "NIBBLE_CC");
  return *path;
}

/// C for the runtime helpers MLIR's lowering may call and that no MLIR
/// library may provide on a deployment machine. `memrefCopy` (from
/// finalize-memref-to-llvm, for copies between non-contiguous memrefs) is
/// the one the CPU pipeline can emit; its ABI is MLIR's CRunnerUtils':
/// memrefs passed as {rank, descriptor*}, descriptors as {allocated,
/// aligned, offset, sizes[rank], strides[rank]}. Hidden, so model.so still
/// exports only the nibble_model_* symbols.
static constexpr const char *kSupportSource = R"c(
#include <stdint.h>
#include <string.h>

typedef struct { int64_t rank; void *descriptor; } UnrankedMemRef;
typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[];
} StridedDescriptor;

__attribute__((visibility("hidden"))) void
memrefCopy(int64_t elementSize, UnrankedMemRef *src, UnrankedMemRef *dst) {
  const StridedDescriptor *from = src->descriptor;
  const StridedDescriptor *to = dst->descriptor;
  int64_t rank = src->rank;
  const int64_t *sizes = from->sizesAndStrides;
  const int64_t *srcStrides = from->sizesAndStrides + rank;
  const int64_t *dstStrides = to->sizesAndStrides + rank;
  for (int64_t d = 0; d < rank; ++d)
    if (sizes[d] == 0)
      return;
  int64_t index[rank > 0 ? rank : 1];
  memset(index, 0, sizeof(index));
  char *s = from->aligned + from->offset * elementSize;
  char *t = to->aligned + to->offset * elementSize;
  for (;;) {
    memcpy(t, s, (size_t)elementSize);
    int64_t d = rank - 1;
    for (; d >= 0; --d) {
      s += srcStrides[d] * elementSize;
      t += dstStrides[d] * elementSize;
      if (++index[d] < sizes[d])
        break;
      s -= sizes[d] * srcStrides[d] * elementSize;
      t -= sizes[d] * dstStrides[d] * elementSize;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}
)c";

static Error runCompilerDriver(StringRef driver, ArrayRef<StringRef> args,
                               StringRef what) {
  std::string message;
  int status =
      sys::ExecuteAndWait(driver, args, std::nullopt, {}, 0, 0, &message);
  if (status != 0)
    return createStringError(what + " with '" + driver + "' failed" +
                             (message.empty() ? " (exit status " +
                                                    std::to_string(status) + ")"
                                              : ": " + message));
  return Error::success();
}

static Error linkSharedLibrary(StringRef linker, StringRef objectPath,
                               StringRef libraryPath) {
  SmallString<256> supportSource = sys::path::parent_path(objectPath);
  sys::path::append(supportSource, "support.c");
  SmallString<256> supportObject = sys::path::parent_path(objectPath);
  sys::path::append(supportObject, "support.o");
  {
    std::error_code ec;
    raw_fd_ostream os(supportSource, ec, sys::fs::OF_Text);
    if (ec)
      return createStringError(ec, "cannot write '" + supportSource + "'");
    os << kSupportSource;
  }
  if (Error error = runCompilerDriver(
          linker,
          {linker, "-c", "-O2", "-fPIC", "-std=c99", "-o", supportObject,
           supportSource},
          "compiling the runtime helpers"))
    return error;
  // -z defs: an unresolved symbol (a runtime helper the code should not
  // need) fails here, not when a deployment loads the model.
  if (Error error = runCompilerDriver(
          linker,
          {linker, "-shared", "-o", libraryPath, objectPath, supportObject,
           "-lm", "-Wl,-z,defs", "-Wl,-z,noexecstack"},
          "linking model.so"))
    return error;
  sys::fs::remove(supportSource);
  sys::fs::remove(supportObject);
  return Error::success();
}

/// A compiled model directory, or an empty or absent one, may be replaced;
/// anything else is someone's data.
static Error checkReplaceable(StringRef outputDir) {
  if (!sys::fs::exists(outputDir))
    return Error::success();
  if (!sys::fs::is_directory(outputDir))
    return createStringError("'" + outputDir + "' exists and is not a "
                             "directory");
  std::error_code ec;
  sys::fs::directory_iterator it(outputDir, ec), end;
  bool empty = !ec && it == end;
  SmallString<256> library(outputDir);
  sys::path::append(library, NIBBLE_MODEL_LIBRARY_FILE);
  if (!empty && !sys::fs::exists(library))
    return createStringError("'" + outputDir + "' exists and does not hold a "
                             "compiled model; refusing to replace it");
  return Error::success();
}

/// Moves `staging` to `outputDir`, replacing what is there.
static Error publish(StringRef staging, StringRef outputDir) {
  if (!sys::fs::exists(outputDir)) {
    if (std::error_code ec = sys::fs::rename(staging, outputDir))
      return createStringError(ec, "cannot rename '" + staging + "' to '" +
                                       outputDir + "': " + ec.message());
    return Error::success();
  }
  // rename() cannot replace a non-empty directory: move the old one aside.
  SmallString<256> old;
  if (std::error_code ec =
          sys::fs::createUniqueDirectory(outputDir + ".old", old))
    return createStringError(ec, "cannot replace '" + outputDir +
                                     "': " + ec.message());
  sys::fs::remove(old);
  if (std::error_code ec = sys::fs::rename(outputDir, old))
    return createStringError(ec, "cannot replace '" + outputDir +
                                     "': " + ec.message());
  if (std::error_code ec = sys::fs::rename(staging, outputDir)) {
    (void)sys::fs::rename(old, outputDir);
    return createStringError(ec, "cannot replace '" + outputDir +
                                     "': " + ec.message());
  }
  (void)sys::fs::remove_directories(old);
  return Error::success();
}

/// Writes the three artifacts into `dir`.
static Error writeArtifacts(mlir::ModuleOp module, StringRef dir,
                            const CPUTarget &target, StringRef linker,
                            const CPUCompileOptions &options) {
  auto file = [&](StringRef name) {
    SmallString<256> path(dir);
    sys::path::append(path, name);
    return path;
  };
  if (Error error = writeWeightsFile(module, file(NIBBLE_MODEL_WEIGHTS_FILE)))
    return error;
  // The constants now live in weights.bin; translation does not need them.
  module->removeAttr(kWeightsAttrName);

  mlir::FailureOr<ModelSignature> signature = getModelSignature(module);
  if (failed(signature))
    return failedStage("reading the signature");
  if (Error error =
          writeModelHeader(*signature, target.name, options.sourceName,
                           file(NIBBLE_MODEL_HEADER_FILE)))
    return error;

  SmallString<256> object = file("model.o");
  if (Error error = emitObject(
          module, target, options.optLevel, object,
          "'" + options.functionName + "' of " +
              (options.sourceName.empty() ? std::string("the model")
                                          : "'" + options.sourceName + "'")))
    return error;
  if (Error error =
          linkSharedLibrary(linker, object, file(NIBBLE_MODEL_LIBRARY_FILE)))
    return error;
  sys::fs::remove(object);
  return Error::success();
}

Error nibble::compileForCPU(mlir::ModuleOp module, StringRef outputDir,
                            const CPUCompileOptions &options) {
  if (options.optLevel > 3)
    return createStringError("optimization level " + Twine(options.optLevel) +
                             " is not in 0..3");
  if (options.weightsThreshold < 0)
    return createStringError("the weights threshold must be >= 0");
  Expected<CPUTarget> target = resolveCPUTarget(options.target);
  if (!target)
    return target.takeError();
  Expected<std::string> linker = findLinker(options.linker);
  if (!linker)
    return linker.takeError();
  if (Error error = checkReplaceable(outputDir))
    return error;

  mlir::DialectRegistry registry;
  registerCPUCodegenDependencies(registry);
  module.getContext()->appendDialectRegistry(registry);
  if (Error error = lowerModule(module, options))
    return error;

  SmallString<256> absolute(outputDir);
  if (std::error_code ec = sys::fs::make_absolute(absolute))
    return createStringError(ec, "cannot resolve '" + outputDir + "'");
  sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  SmallString<256> parent = sys::path::parent_path(absolute);
  if (!parent.empty())
    if (std::error_code ec = sys::fs::create_directories(parent))
      return createStringError(ec, "cannot create '" + parent +
                                       "': " + ec.message());
  SmallString<256> staging;
  if (std::error_code ec =
          sys::fs::createUniqueDirectory(absolute + ".tmp", staging))
    return createStringError(ec, "cannot create a directory beside '" +
                                     outputDir + "': " + ec.message());
  Error error = writeArtifacts(module, staging, *target, *linker, options);
  if (!error)
    error = publish(staging, absolute);
  if (error) {
    (void)sys::fs::remove_directories(staging);
    return error;
  }
  return Error::success();
}
