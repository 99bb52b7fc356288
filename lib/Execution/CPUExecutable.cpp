//===- CPUExecutable.cpp - run nb programs on the CPU through a JIT -------===//
//
// The entry function gets `llvm.emit_c_interface`, so the JIT exposes
// `_mlir_ciface_<name>(results*, input descriptors*...)`: every memref is
// passed as a pointer to its descriptor {allocated, aligned, offset,
// sizes[rank], strides[rank]} and the results come back as a struct of
// descriptors, all made of 8-byte words. The results are fresh allocations
// the caller owns (the deallocation pipeline guarantees it), copied into
// HostArrays and freed.
//
//===----------------------------------------------------------------------===//
#include "nibble/Execution/CPUExecutable.h"
#include "SpecializeShapeOperands.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Pipelines/CPUCodegen.h"
#include "nibble/Pipelines/CPUTarget.h"
#include "nibble/Pipelines/LLVMCrashRecovery.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

using namespace llvm;
using namespace nibble;

std::string TensorSpec::describe() const {
  if (!ranked)
    return (getElementTypeName(type) + "[*]").str();
  return (getElementTypeName(type) + "[" + formatShape(shape) + "]").str();
}

static std::optional<ElementType> toElementType(mlir::Type type) {
  if (type.isF32())
    return ElementType::Float32;
  if (type.isF16())
    return ElementType::Float16;
  if (type.isBF16())
    return ElementType::BFloat16;
  if (type.isF64())
    return ElementType::Float64;
  if (isa<mlir::Float8E4M3FNType>(type))
    return ElementType::Float8E4M3FN;
  if (isa<mlir::Float8E4M3FNUZType>(type))
    return ElementType::Float8E4M3FNUZ;
  if (isa<mlir::Float8E5M2Type>(type))
    return ElementType::Float8E5M2;
  if (isa<mlir::Float8E5M2FNUZType>(type))
    return ElementType::Float8E5M2FNUZ;
  if (isa<mlir::Float8E8M0FNUType>(type))
    return ElementType::Float8E8M0FNU;
  if (isa<mlir::Float4E2M1FNType>(type))
    return ElementType::Float4E2M1FN;
  auto integer = dyn_cast<mlir::IntegerType>(type);
  if (!integer)
    return std::nullopt;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return ElementType::Bool;
  case 2:
    return isUnsigned ? ElementType::UInt2 : ElementType::Int2;
  case 4:
    return isUnsigned ? ElementType::UInt4 : ElementType::Int4;
  case 8:
    return isUnsigned ? ElementType::UInt8 : ElementType::Int8;
  case 16:
    return isUnsigned ? ElementType::UInt16 : ElementType::Int16;
  case 32:
    return isUnsigned ? ElementType::UInt32 : ElementType::Int32;
  case 64:
    return isUnsigned ? ElementType::UInt64 : ElementType::Int64;
  default:
    return std::nullopt;
  }
}

/// The spec of a tensor type, or an error naming `what`.
static Expected<TensorSpec> toTensorSpec(mlir::Type type, std::string name,
                                         StringRef what) {
  auto tensorType = dyn_cast<mlir::TensorType>(type);
  std::optional<ElementType> element =
      tensorType ? toElementType(tensorType.getElementType()) : std::nullopt;
  if (!element) {
    std::string typeText;
    raw_string_ostream os(typeText);
    os << type;
    return createStringError(what + " '" + name + "' has type " + typeText +
                             ", which the CPU runner cannot pass (tensors of "
                             "f4/f8 variants, f16, bf16, f32, f64, i1 and "
                             "2- to 64-bit integers only)");
  }
  TensorSpec spec{std::move(name), *element, {}, tensorType.hasRank()};
  if (spec.ranked)
    for (int64_t extent : tensorType.getShape())
      spec.shape.push_back(mlir::ShapedType::isDynamic(extent) ? -1 : extent);
  return spec;
}

/// Graph input names: a `nb.name` argument attribute, else the argument's
/// NameLoc (the importer's), else `input_<i>`.
static std::string getInputName(mlir::func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<mlir::StringAttr>(index, "nb.name"))
    return name.str();
  if (auto loc = dyn_cast<mlir::NameLoc>(func.getArgument(index).getLoc()))
    return loc.getName().str();
  return "input_" + std::to_string(index);
}

static std::string getOutputName(mlir::func::FuncOp func, unsigned index) {
  if (auto name = func.getResultAttrOfType<mlir::StringAttr>(index, "nb.name"))
    return name.str();
  return "output_" + std::to_string(index);
}

namespace {
/// The function compiled for one set of input shapes.
struct CompiledVariant {
  std::unique_ptr<mlir::ExecutionEngine> engine;
  /// The packed wrapper of `_mlir_ciface_<name>`, looked up when compiling
  /// so that the JIT's code generation counts as compile time.
  void (*entry)(void **) = nullptr;
  /// Outputs with the ranks this variant returns.
  std::vector<TensorSpec> outputs;
};
} // namespace

struct CPUExecutable::Impl {
  mlir::OwningOpRef<mlir::ModuleOp> source;
  CPUExecutionOptions options;
  CPUTarget target;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  /// Arguments feeding shape-like operands, specialized on by value.
  SmallVector<unsigned> shapeOperandArguments;
  /// Keyed by the input shapes, `1x8x8;3`, and the values of the
  /// shape-operand arguments, `|1=0200000000000000`.
  std::map<std::string, CompiledVariant> variants;

  std::string variantKey(ArrayRef<const HostArray *> args) const;

  Expected<CompiledVariant> compileVariant(ArrayRef<const HostArray *> args);
};

CPUExecutable::CPUExecutable(std::unique_ptr<Impl> impl)
    : impl(std::move(impl)) {}
CPUExecutable::~CPUExecutable() = default;

ArrayRef<TensorSpec> CPUExecutable::getInputs() const { return impl->inputs; }
ArrayRef<TensorSpec> CPUExecutable::getOutputs() const {
  return impl->outputs;
}

static void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

Expected<std::unique_ptr<CPUExecutable>>
CPUExecutable::create(mlir::ModuleOp module,
                      const CPUExecutionOptions &options) {
  auto func = module.lookupSymbol<mlir::func::FuncOp>(options.functionName);
  if (!func || func.isExternal())
    return createStringError("the module has no function '" +
                             options.functionName + "' to run");
  if (options.optLevel > 3)
    return createStringError("optimization level " +
                             Twine(options.optLevel) + " is not in 0..3");
  Expected<CPUTarget> target = resolveCPUTarget(options.target);
  if (!target)
    return target.takeError();
  if (Error error = checkHostCanRun(*target))
    return std::move(error);

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->target = *target;
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    Expected<TensorSpec> spec =
        toTensorSpec(type, getInputName(func, index), "input");
    if (!spec)
      return spec.takeError();
    impl->inputs.push_back(std::move(*spec));
  }
  for (auto [index, type] : llvm::enumerate(func.getResultTypes())) {
    Expected<TensorSpec> spec =
        toTensorSpec(type, getOutputName(func, index), "output");
    if (!spec)
      return spec.takeError();
    impl->outputs.push_back(std::move(*spec));
  }

  mlir::DialectRegistry registry;
  registerCPUCodegenDependencies(registry);
  module.getContext()->appendDialectRegistry(registry);
  impl->source = module.clone();
  impl->shapeOperandArguments = getShapeOperandArguments(
      impl->source->lookupSymbol<mlir::func::FuncOp>(options.functionName));
  initializeNativeTarget();
  return std::unique_ptr<CPUExecutable>(new CPUExecutable(std::move(impl)));
}

//===----------------------------------------------------------------------===//
// Binding inputs
//===----------------------------------------------------------------------===//

static std::string listInputs(ArrayRef<TensorSpec> inputs) {
  SmallVector<std::string> entries;
  for (const TensorSpec &input : inputs)
    entries.push_back("'" + input.name + "' " + input.describe());
  return entries.empty() ? "none" : join(entries, ", ");
}

/// Checks `array` against `spec`: same element type, rank and static dims.
static Error checkInput(const TensorSpec &spec, const HostArray &array) {
  auto mismatch = [&](StringRef what) {
    return createStringError("input '" + spec.name + "': expected " +
                             spec.describe() + ", got " + array.describe() +
                             " (" + what + ")");
  };
  if (array.type != spec.type)
    return mismatch("wrong element type");
  if (!spec.ranked)
    return Error::success();
  if (array.shape.size() != spec.shape.size())
    return mismatch("wrong rank");
  for (auto [expected, actual] : llvm::zip_equal(spec.shape, array.shape))
    if (expected >= 0 && expected != actual)
      return mismatch("wrong shape");
  return Error::success();
}

Expected<std::vector<const HostArray *>>
CPUExecutable::bindInputs(ArrayRef<HostArray> arrays,
                          std::vector<std::string> *unused) const {
  ArrayRef<TensorSpec> inputs = impl->inputs;
  StringMap<unsigned> inputIndex;
  for (auto [index, input] : llvm::enumerate(inputs))
    inputIndex[input.name] = index;
  StringMap<unsigned> arrayCount;
  for (const HostArray &array : arrays)
    ++arrayCount[array.name];
  bool everyInputNamed = !inputs.empty() &&
                         llvm::all_of(inputs, [&](const TensorSpec &input) {
                           return arrayCount.contains(input.name);
                         });

  std::vector<const HostArray *> bound(inputs.size(), nullptr);
  if (everyInputNamed) {
    for (const HostArray &array : arrays) {
      auto it = inputIndex.find(array.name);
      if (it == inputIndex.end()) {
        if (unused)
          unused->push_back(array.name);
        continue;
      }
      const HostArray *&slot = bound[it->second];
      if (slot)
        return createStringError("input '" + array.name +
                                 "' is given more than once");
      slot = &array;
    }
  } else {
    // Once some array is named after an input, names are what the caller
    // meant: name the first input left without one. Otherwise (npy stems,
    // unnamed TensorProtos) arrays bind by position.
    bool someInputNamed = llvm::any_of(arrays, [&](const HostArray &array) {
      return inputIndex.contains(array.name);
    });
    if (someInputNamed)
      for (const TensorSpec &input : inputs)
        if (!arrayCount.contains(input.name))
          return createStringError("missing input '" + input.name + "' (" +
                                   input.describe() + ")");
    if (arrays.size() != inputs.size())
      return createStringError("the model takes " + Twine(inputs.size()) +
                               " input(s) (" + listInputs(inputs) +
                               "), got " + Twine(arrays.size()) + " array(s)");
    for (auto [slot, array] : llvm::zip_equal(bound, arrays))
      slot = &array;
  }
  for (auto [input, array] : llvm::zip_equal(inputs, bound))
    if (Error error = checkInput(input, *array))
      return std::move(error);
  return bound;
}

//===----------------------------------------------------------------------===//
// Compiling
//===----------------------------------------------------------------------===//

static std::string shapeKey(ArrayRef<const HostArray *> inputs) {
  SmallVector<std::string> shapes;
  for (const HostArray *input : inputs)
    shapes.push_back(formatShape(input->shape));
  return join(shapes, ";");
}

std::string
CPUExecutable::Impl::variantKey(ArrayRef<const HostArray *> args) const {
  return shapeKey(args) + getShapeOperandKey(shapeOperandArguments, args);
}

/// The model file `module` came from, from its entry function's location
/// (the importer and the MLIR parser both record it), for messages.
static std::string describeModel(mlir::ModuleOp module, StringRef function) {
  auto func = module.lookupSymbol<mlir::func::FuncOp>(function);
  for (mlir::Location loc : {func ? func.getLoc() : module.getLoc(),
                             module.getLoc()})
    if (auto file = loc->findInstanceOf<mlir::FileLineColLoc>())
      return "'" + sys::path::filename(file.getFilename().strref()).str() +
             "'";
  return "the model";
}

/// Rounds of canonicalization and shape inference before compiling; each
/// round resolves at least one more level of shape computation, and graphs
/// rarely chain more than a few.
static constexpr unsigned kMaxShapeRefinementRounds = 8;

Expected<CompiledVariant>
CPUExecutable::Impl::compileVariant(ArrayRef<const HostArray *> args) {
  mlir::OwningOpRef<mlir::ModuleOp> module = source->clone();
  mlir::MLIRContext *context = module->getContext();
  auto func = module->lookupSymbol<mlir::func::FuncOp>(options.functionName);

  // Specialize the signature to the shapes at hand; inputs stay read-only
  // so bufferization never writes into the caller's arrays.
  SmallVector<mlir::Type> argTypes;
  for (auto [index, arg] : llvm::enumerate(args)) {
    mlir::Type element =
        cast<mlir::TensorType>(func.getArgumentTypes()[index]).getElementType();
    argTypes.push_back(mlir::RankedTensorType::get(arg->shape, element));
    func.getArgument(index).setType(argTypes.back());
    func.setArgAttr(index, mlir::bufferization::BufferizationDialect::
                               kWritableAttrName,
                    mlir::BoolAttr::get(context, false));
  }
  func.setFunctionType(
      mlir::FunctionType::get(context, argTypes, func.getResultTypes()));
  func->setAttr("llvm.emit_c_interface", mlir::UnitAttr::get(context));
  // Inputs that are shape information become constants before shapes are
  // inferred, so what depends on their values becomes static too.
  specializeShapeOperands(func, shapeOperandArguments, args);
  // The names are in `inputs`/`outputs` already, and the other nb parameter
  // attributes (nb.range, ...) served the passes before; left on the
  // function, they would reach LLVM translation, which warns about each one
  // and prints the whole function with it.
  auto dropNBAttrs = [](mlir::DictionaryAttr attrs) {
    SmallVector<mlir::NamedAttribute> kept;
    if (attrs)
      for (mlir::NamedAttribute attr : attrs)
        if (!attr.getName().strref().starts_with("nb."))
          kept.push_back(attr);
    return kept;
  };
  for (unsigned index = 0, e = func.getNumArguments(); index < e; ++index)
    func.setArgAttrs(index, dropNBAttrs(func.getArgAttrDict(index)));
  for (unsigned index = 0, e = func.getNumResults(); index < e; ++index)
    func.setResultAttrs(index, dropNBAttrs(func.getResultAttrDict(index)));

  // Refine the results first: their ranks and types are the call's ABI.
  // Folding and shape inference feed each other (a Shape of a newly static
  // tensor folds, which makes a Split's sizes constant, whose results then
  // get static shapes, ...), so they repeat until neither changes the IR.
  mlir::PassManager inferPM(context);
  inferPM.addPass(mlir::createCanonicalizerPass());
  inferPM.addPass(mlir::nb::createInferShapes());
  for (unsigned round = 0; round < kMaxShapeRefinementRounds; ++round) {
    mlir::OperationFingerPrint before(module->getOperation());
    if (failed(inferPM.run(*module)))
      return createStringError("shape inference failed for inputs " +
                               shapeKey(args));
    if (mlir::OperationFingerPrint(module->getOperation()) == before)
      break;
  }
  CompiledVariant variant;
  for (auto [index, type] : llvm::enumerate(func.getResultTypes())) {
    Expected<TensorSpec> spec = toTensorSpec(type, outputs[index].name, "output");
    if (!spec)
      return spec.takeError();
    if (!spec->ranked)
      return createStringError("output '" + spec->name +
                               "' has an unknown rank after shape inference");
    variant.outputs.push_back(std::move(*spec));
  }

  mlir::PassManager codegenPM(context);
  CPUCodegenOptions codegen;
  codegen.target = target.name;
  codegen.requantize = options.requantize;
  buildCPUCodegenPipeline(codegenPM, codegen);
  if (failed(codegenPM.run(*module)))
    return createStringError("cannot compile '" + options.functionName +
                             "' for input shapes " + shapeKey(args));

  // Anything left outside the LLVM dialect would fail translation with a
  // message that does not say what was left.
  mlir::Operation *unlowered = nullptr;
  module->walk([&](mlir::Operation *op) {
    if (op == module->getOperation() ||
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
    return createStringError("cannot compile '" + options.functionName +
                             "' for input shapes " + shapeKey(args));
  }

  auto builder = orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCPU(target.cpu);
  builder->setFeatures(target.features);
  static constexpr CodeGenOptLevel levels[] = {
      CodeGenOptLevel::None, CodeGenOptLevel::Less, CodeGenOptLevel::Default,
      CodeGenOptLevel::Aggressive};
  builder->setCodeGenOptLevel(levels[options.optLevel]);
  Expected<std::unique_ptr<TargetMachine>> machine =
      builder->createTargetMachine();
  if (!machine)
    return machine.takeError();

  auto transformer = mlir::makeOptimizingTransformer(
      options.optLevel, /*sizeLevel=*/0, machine->get());
  mlir::ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = levels[options.optLevel];
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  // memref.copy of non-contiguous views lowers to a call to memrefCopy.
  SmallVector<StringRef, 1> sharedLibs;
#ifdef NIBBLE_MLIR_C_RUNNER_UTILS
  if (sys::fs::exists(NIBBLE_MLIR_C_RUNNER_UTILS))
    sharedLibs.push_back(NIBBLE_MLIR_C_RUNNER_UTILS);
#endif
  engineOptions.sharedLibPaths = sharedLibs;
  // Translation, LLVM's optimizer and (at the lookup) code generation run
  // here; a crash in them becomes an error.
  if (Error error = runRecoveringFromLLVMFatalErrors(
          "'" + options.functionName + "' of " +
              describeModel(*source, options.functionName) +
              " for input shapes " + shapeKey(args),
          [&]() -> Error {
            auto engine = mlir::ExecutionEngine::create(
                *module, engineOptions, std::move(*machine));
            if (!engine)
              return engine.takeError();
            variant.engine = std::move(*engine);
            auto entry = variant.engine->lookupPacked("_mlir_ciface_" +
                                                      options.functionName);
            if (!entry)
              return entry.takeError();
            variant.entry = *entry;
            return Error::success();
          },
          [&] { (void)variant.engine.release(); }))
    return std::move(error);
  return variant;
}

Error CPUExecutable::compile(ArrayRef<const HostArray *> inputs) {
  std::string key = impl->variantKey(inputs);
  if (impl->variants.count(key))
    return Error::success();
  Expected<CompiledVariant> variant = impl->compileVariant(inputs);
  if (!variant)
    return variant.takeError();
  impl->variants.emplace(key, std::move(*variant));
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

/// A memref descriptor as 8-byte words: allocated, aligned, offset, sizes,
/// strides.
static std::vector<int64_t> makeDescriptor(const HostArray &array) {
  std::vector<int64_t> words;
  void *data = const_cast<uint8_t *>(array.data.data());
  words.push_back(reinterpret_cast<int64_t>(data));
  words.push_back(reinterpret_cast<int64_t>(data));
  words.push_back(0);
  llvm::append_range(words, array.shape);
  int64_t stride = 1;
  std::vector<int64_t> strides(array.shape.size());
  for (size_t dim = array.shape.size(); dim-- > 0;) {
    strides[dim] = stride;
    stride *= array.shape[dim];
  }
  llvm::append_range(words, strides);
  return words;
}

/// Copies a strided memref into the C-order `out`.
static void copyStrided(const uint8_t *base, ArrayRef<int64_t> sizes,
                        ArrayRef<int64_t> strides, unsigned elementSize,
                        uint8_t *&out) {
  if (sizes.empty()) {
    std::memcpy(out, base, elementSize);
    out += elementSize;
    return;
  }
  for (int64_t i = 0; i < sizes.front(); ++i)
    copyStrided(base + i * strides.front() * elementSize, sizes.drop_front(),
                strides.drop_front(), elementSize, out);
}

Expected<std::vector<HostArray>>
CPUExecutable::run(ArrayRef<const HostArray *> inputs) {
  if (inputs.size() != impl->inputs.size())
    return createStringError("expected " + Twine(impl->inputs.size()) +
                             " inputs, got " + Twine(inputs.size()));
  if (Error error = compile(inputs))
    return std::move(error);
  CompiledVariant &variant = impl->variants.at(impl->variantKey(inputs));

  size_t resultWords = 0;
  for (const TensorSpec &output : variant.outputs)
    resultWords += 3 + 2 * output.shape.size();
  std::vector<int64_t> results(std::max<size_t>(resultWords, 1));
  std::vector<std::vector<int64_t>> descriptors;
  for (const HostArray *input : inputs)
    descriptors.push_back(makeDescriptor(*input));

  // invokePacked takes a pointer to each argument of the C interface.
  std::vector<void *> pointers, packed;
  if (!variant.outputs.empty())
    pointers.push_back(results.data());
  for (std::vector<int64_t> &descriptor : descriptors)
    pointers.push_back(descriptor.data());
  for (void *&pointer : pointers)
    packed.push_back(&pointer);
  variant.entry(packed.data());

  std::vector<HostArray> outputs;
  // The results are the caller's to free: once each, after every copy, since
  // one buffer may back several results (a value returned twice).
  SetVector<void *> allocations;
  const int64_t *word = results.data();
  for (const TensorSpec &spec : variant.outputs) {
    size_t rank = spec.shape.size();
    auto *allocated = reinterpret_cast<void *>(word[0]);
    const auto *aligned = reinterpret_cast<const uint8_t *>(word[1]);
    int64_t offset = word[2];
    std::vector<int64_t> sizes(word + 3, word + 3 + rank);
    ArrayRef<int64_t> strides(word + 3 + rank, rank);
    word += 3 + 2 * rank;

    HostArray output(spec.name, spec.type, sizes);
    unsigned elementSize = getElementSize(spec.type);
    uint8_t *out = output.data.data();
    if (output.getNumElements() > 0)
      copyStrided(aligned + offset * elementSize, sizes, strides, elementSize,
                  out);
    // Code stores sub-byte values in the low bits of their byte.
    canonicalizeNarrowElements(output);
    allocations.insert(allocated);
    outputs.push_back(std::move(output));
  }
  for (void *allocated : allocations)
    std::free(allocated);
  return outputs;
}
