//===- EmitModelEntryPoints.cpp - nb-emit-model-entry-points --------------===//
//
// The lowered entry function takes and returns memref descriptors (`ptr
// allocated, ptr aligned, i64 offset, i64 sizes[r], i64 strides[r]` per
// memref, expanded into arguments; results come back as a struct of
// descriptors whose buffers the caller owns). nibble_model_run hides that
// ABI: since every shape is static, it builds the input descriptors from
// plain pointers, and copies the results into the caller's buffers before
// freeing them. Callers never see a descriptor, so the runtime needs no
// knowledge of MLIR's calling convention.
//
//===----------------------------------------------------------------------===//
#include "nibble/Target/CPU/ModelSignature.h"
#include "nibble/Target/CPU/Passes.h"

#include "nibble-c/model_abi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::nb {
#define GEN_PASS_DEF_EMITMODELENTRYPOINTS
#include "nibble/Target/CPU/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace nibble;

namespace {
struct EmitModelEntryPointsPass
    : public nb::impl::EmitModelEntryPointsBase<EmitModelEntryPointsPass> {
  void runOnOperation() override;
};
} // namespace

/// Bytes per element in memory (i1 takes a byte, as LLVM stores it).
static uint64_t getElementBytes(Type elementType) {
  return (elementType.getIntOrFloatBitWidth() + 7) / 8;
}

/// The descriptor struct the lowering gives a memref of rank `rank`.
static LLVM::LLVMStructType getDescriptorType(MLIRContext *context,
                                              int64_t rank) {
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto i64 = IntegerType::get(context, 64);
  SmallVector<Type> fields = {ptr, ptr, i64};
  if (rank > 0) {
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
  }
  return LLVM::LLVMStructType::getLiteral(context, fields);
}

/// The lowered signature `signature` implies: expanded descriptors in, one
/// descriptor or a struct of them out.
static LLVM::LLVMFunctionType getExpectedType(MLIRContext *context,
                                              const ModelSignature &signature) {
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto i64 = IntegerType::get(context, 64);
  SmallVector<Type> params;
  for (const ModelTensor &input : signature.inputs) {
    params.append({ptr, ptr, i64});
    params.append(2 * input.type.getRank(), i64);
  }
  SmallVector<Type> results;
  for (const ModelTensor &output : signature.outputs)
    results.push_back(getDescriptorType(context, output.type.getRank()));
  Type result;
  if (results.empty())
    result = LLVM::LLVMVoidType::get(context);
  else if (results.size() == 1)
    result = results.front();
  else
    result = LLVM::LLVMStructType::getLiteral(context, results);
  return LLVM::LLVMFunctionType::get(result, params);
}

static std::string formatManifest(const ModelSignature &signature,
                                  StringRef target) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << NIBBLE_MANIFEST_MAGIC << " " << NIBBLE_MODEL_ABI_VERSION << "\n"
     << "function " << signature.function << "\n"
     << "target " << target << "\n";
  auto line = [&](StringRef role, const ModelTensor &tensor) {
    os << role << " " << getDTypeCode(tensor.type.getElementType()) << " "
       << formatStaticShape(tensor.type.getShape()) << " " << tensor.name
       << "\n";
  };
  for (const ModelTensor &input : signature.inputs)
    line("input", input);
  for (const ModelTensor &output : signature.outputs)
    line("output", output);
  return text;
}

static Value createI64(OpBuilder &b, Location loc, int64_t value) {
  return LLVM::ConstantOp::create(b, loc, b.getI64Type(),
                                  b.getI64IntegerAttr(value));
}

/// Loads `array[index]`, an array of pointers.
static Value loadPointer(OpBuilder &b, Location loc, Value array,
                         int64_t index) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, array,
                                   ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
  return LLVM::LoadOp::create(b, loc, ptr, slot);
}

void EmitModelEntryPointsPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  FailureOr<ModelSignature> signature = getModelSignature(module);
  if (failed(signature))
    return signalPassFailure();

  auto entry = module.lookupSymbol<LLVM::LLVMFuncOp>(signature->function);
  if (!entry || entry.isExternal()) {
    module.emitError() << "no lowered function '" << signature->function
                       << "' (the LLVM dialect function "
                       << kSignatureAttrName << " names)";
    return signalPassFailure();
  }
  LLVM::LLVMFunctionType expected = getExpectedType(context, *signature);
  if (entry.getFunctionType() != expected) {
    entry.emitOpError() << "has type " << entry.getFunctionType()
                        << ", but its recorded signature implies " << expected;
    return signalPassFailure();
  }
  for (StringRef name : {NIBBLE_SYMBOL_RUN, NIBBLE_SYMBOL_MANIFEST}) {
    if (SymbolTable::lookupSymbolIn(module, name)) {
      module.emitError() << "the module already defines '" << name << "'";
      return signalPassFailure();
    }
  }

  // Only the nibble_model_* symbols leave the shared library.
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (!func.isExternal() && !func.getName().starts_with("nibble_model_"))
      func.setLinkage(LLVM::Linkage::Internal);

  Location loc = entry.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto voidType = LLVM::LLVMVoidType::get(context);
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());

  std::string manifest = formatManifest(
      *signature, module->hasAttr("nibble.target")
                      ? cast<StringAttr>(module->getAttr("nibble.target"))
                            .getValue()
                      : StringRef("unknown"));
  manifest.push_back('\0');
  LLVM::GlobalOp::create(
      b, loc, LLVM::LLVMArrayType::get(b.getI8Type(), manifest.size()),
      /*isConstant=*/true, LLVM::Linkage::External, NIBBLE_SYMBOL_MANIFEST,
      b.getStringAttr(manifest));

  LLVM::LLVMFuncOp freeFunc;
  if (!signature->outputs.empty()) {
    freeFunc = module.lookupSymbol<LLVM::LLVMFuncOp>("free");
    if (!freeFunc)
      freeFunc = LLVM::LLVMFuncOp::create(
          b, loc, "free", LLVM::LLVMFunctionType::get(voidType, {ptr}));
  }

  auto run = LLVM::LLVMFuncOp::create(
      b, loc, NIBBLE_SYMBOL_RUN,
      LLVM::LLVMFunctionType::get(voidType, {ptr, ptr}),
      LLVM::Linkage::External);
  Block *body = run.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  Value inputs = body->getArgument(0), outputs = body->getArgument(1);

  // Dense C-order descriptors around the caller's input pointers.
  SmallVector<Value> args;
  for (auto [index, input] : llvm::enumerate(signature->inputs)) {
    Value data = loadPointer(b, loc, inputs, index);
    args.append({data, data, createI64(b, loc, 0)});
    ArrayRef<int64_t> shape = input.type.getShape();
    for (int64_t extent : shape)
      args.push_back(createI64(b, loc, extent));
    int64_t stride = 1;
    SmallVector<Value> strides(shape.size());
    for (size_t dim = shape.size(); dim-- > 0;) {
      strides[dim] = createI64(b, loc, stride);
      stride *= shape[dim];
    }
    args.append(strides);
  }
  auto call = LLVM::CallOp::create(b, loc, entry, args);

  // The results have identity layouts (bufferization's function boundary
  // option), so each is one contiguous block at aligned + offset.
  SmallVector<Value> allocated;
  size_t numOutputs = signature->outputs.size();
  for (auto [index, output] : llvm::enumerate(signature->outputs)) {
    Value descriptor =
        numOutputs == 1
            ? call.getResult()
            : LLVM::ExtractValueOp::create(b, loc, call.getResult(),
                                           ArrayRef<int64_t>{int64_t(index)})
                  .getResult();
    allocated.push_back(LLVM::ExtractValueOp::create(
        b, loc, descriptor, ArrayRef<int64_t>{0}));
    Value aligned = LLVM::ExtractValueOp::create(b, loc, descriptor,
                                                 ArrayRef<int64_t>{1});
    Value offset = LLVM::ExtractValueOp::create(b, loc, descriptor,
                                                ArrayRef<int64_t>{2});
    uint64_t elementBytes = getElementBytes(output.type.getElementType());
    Value src = LLVM::GEPOp::create(
        b, loc, ptr, b.getIntegerType(8 * elementBytes), aligned,
        ArrayRef<LLVM::GEPArg>{offset});
    Value dst = loadPointer(b, loc, outputs, index);
    Value length =
        createI64(b, loc, output.type.getNumElements() * elementBytes);
    LLVM::MemcpyOp::create(b, loc, dst, src, length, /*isVolatile=*/false);
  }
  // Free each buffer once, after every copy: a function returning one value
  // twice returns one buffer twice.
  Value null = numOutputs ? LLVM::ZeroOp::create(b, loc, ptr).getResult()
                          : Value();
  for (auto [index, buffer] : llvm::enumerate(allocated)) {
    Value toFree = buffer;
    for (Value earlier : ArrayRef<Value>(allocated).take_front(index)) {
      Value same = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq,
                                        buffer, earlier);
      toFree = LLVM::SelectOp::create(b, loc, same, null, toFree);
    }
    LLVM::CallOp::create(b, loc, freeFunc, ValueRange{toFree});
  }
  LLVM::ReturnOp::create(b, loc, ValueRange());
}
