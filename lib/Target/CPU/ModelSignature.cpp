//===- ModelSignature.cpp - the interface of a compiled model -------------===//
#include "nibble/Target/CPU/ModelSignature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace nibble;

std::string nibble::formatStaticShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(llvm::map_range(shape,
                                    [](int64_t d) { return std::to_string(d); }),
                    "x");
}

int nibble::getDTypeCode(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF16())
    return 10;
  if (type.isBF16())
    return 16;
  if (type.isF64())
    return 11;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return 0;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return 9;
  case 8:
    return isUnsigned ? 2 : 3;
  case 16:
    return isUnsigned ? 4 : 5;
  case 32:
    return isUnsigned ? 12 : 6;
  case 64:
    return isUnsigned ? 13 : 7;
  default:
    return 0;
  }
}

StringRef nibble::getDTypeName(Type type) {
  switch (getDTypeCode(type)) {
  case 1:
    return "float32";
  case 2:
    return "uint8";
  case 3:
    return "int8";
  case 4:
    return "uint16";
  case 5:
    return "int16";
  case 6:
    return "int32";
  case 7:
    return "int64";
  case 9:
    return "bool";
  case 10:
    return "float16";
  case 11:
    return "float64";
  case 12:
    return "uint32";
  case 13:
    return "uint64";
  case 16:
    return "bfloat16";
  default:
    return "unsupported";
  }
}

/// `float32[?x64]`, the way errors show a type.
static std::string describe(TensorType type) {
  std::string text = getDTypeName(type.getElementType()).str() + "[";
  if (!type.hasRank())
    return text + "*]";
  text += type.getRank() == 0
              ? "scalar"
              : llvm::join(llvm::map_range(type.getShape(),
                                           [](int64_t d) {
                                             return ShapedType::isDynamic(d)
                                                        ? std::string("?")
                                                        : std::to_string(d);
                                           }),
                           "x");
  return text + "]";
}

// The names follow the JIT's (lib/Execution/CPUExecutable.cpp) so that
// `nibble run` and a compiled model agree on them.
static std::string getInputName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, "nb.name"))
    return name.str();
  if (auto loc = dyn_cast<NameLoc>(func.getArgument(index).getLoc()))
    return loc.getName().str();
  return "input_" + std::to_string(index);
}

static std::string getOutputName(func::FuncOp func, unsigned index) {
  if (auto name = func.getResultAttrOfType<StringAttr>(index, "nb.name"))
    return name.str();
  return "output_" + std::to_string(index);
}

static FailureOr<func::FuncOp> lookupEntry(ModuleOp module,
                                           StringRef function) {
  auto func = module.lookupSymbol<func::FuncOp>(function);
  if (!func || func.isExternal())
    return module.emitError() << "the module has no function '" << function
                              << "' to compile";
  return func;
}

LogicalResult
nibble::specializeInputShapes(ModuleOp module, StringRef function,
                              ArrayRef<InputShapeBinding> bindings) {
  FailureOr<func::FuncOp> func = lookupEntry(module, function);
  if (failed(func))
    return failure();
  MLIRContext *context = module.getContext();

  llvm::StringMap<unsigned> inputIndex;
  SmallVector<std::string> names;
  for (unsigned i = 0, e = func->getNumArguments(); i < e; ++i) {
    names.push_back(getInputName(*func, i));
    inputIndex[names.back()] = i;
  }
  SmallVector<const InputShapeBinding *> bound(names.size(), nullptr);
  for (const InputShapeBinding &binding : bindings) {
    auto it = inputIndex.find(binding.first);
    if (it == inputIndex.end())
      return module.emitError()
             << "--input-shape names '" << binding.first
             << "', which is not an input; the inputs are '"
             << llvm::join(names, "', '") << "'";
    if (bound[it->second])
      return module.emitError() << "--input-shape binds input '"
                                << binding.first << "' more than once";
    bound[it->second] = &binding;
  }

  SmallVector<Type> argTypes;
  for (auto [index, type] : llvm::enumerate(func->getArgumentTypes())) {
    auto tensorType = dyn_cast<TensorType>(type);
    Location loc = func->getArgument(index).getLoc();
    if (!tensorType)
      return emitError(loc) << "input '" << names[index] << "' has type "
                            << type << "; compiled models take tensors";
    const InputShapeBinding *binding = bound[index];
    SmallVector<int64_t> shape;
    if (binding) {
      bool fits = !tensorType.hasRank() ||
                  tensorType.getRank() ==
                      static_cast<int64_t>(binding->second.size());
      for (auto [i, extent] : llvm::enumerate(binding->second)) {
        if (extent < 0)
          fits = false;
        else if (fits && tensorType.hasRank() &&
                 !tensorType.isDynamicDim(i) &&
                 tensorType.getDimSize(i) != extent)
          fits = false;
      }
      if (!fits)
        return emitError(loc)
               << "--input-shape " << names[index] << "="
               << formatStaticShape(binding->second) << " does not fit input '"
               << names[index] << "' of type " << describe(tensorType);
      shape.assign(binding->second.begin(), binding->second.end());
    } else {
      if (!tensorType.hasStaticShape())
        return emitError(loc)
               << "input '" << names[index] << "' has the dynamic shape "
               << describe(tensorType)
               << "; compiled models need static shapes: bind it with "
                  "--input-shape "
               << names[index] << "=<d0>x<d1>...";
      llvm::append_range(shape, tensorType.getShape());
    }
    argTypes.push_back(RankedTensorType::get(shape, tensorType.getElementType()));
    func->getArgument(index).setType(argTypes.back());
    // The caller's buffers are read-only: bufferization must copy before
    // writing into an input.
    func->setArgAttr(index, "bufferization.writable",
                     BoolAttr::get(context, false));
    if (!func->getArgAttr(index, "nb.name"))
      func->setArgAttr(index, "nb.name", StringAttr::get(context, names[index]));
  }
  func->setFunctionType(
      FunctionType::get(context, argTypes, func->getResultTypes()));
  return success();
}

static FailureOr<ModelTensor> toModelTensor(Type type, std::string name,
                                            StringRef role, Location loc) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType || !tensorType.hasStaticShape() ||
      getDTypeCode(tensorType.getElementType()) == 0)
    return emitError(loc) << role << " '" << name << "' has type " << type
                          << "; compiled models pass tensors of static shape "
                             "and of f16, bf16, f32, f64, i1 or 8- to 64-bit "
                             "integers";
  if (name.find('\n') != std::string::npos)
    return emitError(loc) << role << " name '" << name
                          << "' contains a newline, which the model manifest "
                             "cannot hold";
  return ModelTensor{std::move(name), tensorType};
}

LogicalResult nibble::recordModelSignature(ModuleOp module,
                                           StringRef function) {
  FailureOr<func::FuncOp> func = lookupEntry(module, function);
  if (failed(func))
    return failure();
  MLIRContext *context = module.getContext();
  Builder builder(context);
  auto tensorEntry = [&](const ModelTensor &tensor) -> Attribute {
    return builder.getDictionaryAttr(
        {builder.getNamedAttr("name", builder.getStringAttr(tensor.name)),
         builder.getNamedAttr("type", TypeAttr::get(tensor.type))});
  };

  SmallVector<Attribute> inputs, outputs;
  for (auto [index, type] : llvm::enumerate(func->getArgumentTypes())) {
    FailureOr<ModelTensor> tensor =
        toModelTensor(type, getInputName(*func, index), "input",
                      func->getArgument(index).getLoc());
    if (failed(tensor))
      return failure();
    inputs.push_back(tensorEntry(*tensor));
  }
  for (auto [index, type] : llvm::enumerate(func->getResultTypes())) {
    FailureOr<ModelTensor> tensor = toModelTensor(
        type, getOutputName(*func, index), "output", func->getLoc());
    if (failed(tensor))
      return failure();
    outputs.push_back(tensorEntry(*tensor));
  }
  module->setAttr(
      kSignatureAttrName,
      builder.getDictionaryAttr(
          {builder.getNamedAttr("function", builder.getStringAttr(function)),
           builder.getNamedAttr("inputs", builder.getArrayAttr(inputs)),
           builder.getNamedAttr("outputs", builder.getArrayAttr(outputs))}));
  // The names live in the signature now; left on the function, they would
  // reach LLVM translation, which warns about nb parameter attributes.
  for (unsigned index = 0, e = func->getNumArguments(); index < e; ++index)
    func->removeArgAttr(index, "nb.name");
  for (unsigned index = 0, e = func->getNumResults(); index < e; ++index)
    func->removeResultAttr(index, "nb.name");
  return success();
}

static LogicalResult parseTensors(ModuleOp module, DictionaryAttr signature,
                                  StringRef key,
                                  std::vector<ModelTensor> &tensors) {
  auto entries = signature.getAs<ArrayAttr>(key);
  if (!entries)
    return module.emitError() << kSignatureAttrName << " has no '" << key
                              << "' array";
  for (Attribute entry : entries) {
    auto dict = dyn_cast<DictionaryAttr>(entry);
    auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
    auto type = dict ? dict.getAs<TypeAttr>("type") : TypeAttr();
    auto tensorType =
        type ? dyn_cast<RankedTensorType>(type.getValue()) : RankedTensorType();
    if (!name || !tensorType || !tensorType.hasStaticShape())
      return module.emitError()
             << kSignatureAttrName << " '" << key
             << "' entries must be {name = string, type = static tensor type}";
    tensors.push_back({name.str(), tensorType});
  }
  return success();
}

FailureOr<ModelSignature> nibble::getModelSignature(ModuleOp module) {
  auto signature = module->getAttrOfType<DictionaryAttr>(kSignatureAttrName);
  if (!signature)
    return module.emitError() << "the module has no " << kSignatureAttrName
                              << " attribute (recordModelSignature sets it "
                                 "before lowering)";
  auto function = signature.getAs<StringAttr>("function");
  if (!function)
    return module.emitError() << kSignatureAttrName
                              << " has no 'function' string";
  ModelSignature result;
  result.function = function.str();
  if (failed(parseTensors(module, signature, "inputs", result.inputs)) ||
      failed(parseTensors(module, signature, "outputs", result.outputs)))
    return failure();
  return result;
}
