//===- ExternalizeWeights.cpp - nb-externalize-weights --------------------===//
//
// Large constants leave the code: their globals become zero-initialized
// (.bss, no file space) and a generated init function copies them in from a
// payload the runtime reads from weights.bin. The code keeps addressing the
// same globals, so nothing else changes; the cost is one copy at load time.
//
//===----------------------------------------------------------------------===//
#include "nibble/Target/CPU/Passes.h"
#include "nibble/Target/CPU/WeightsPayload.h"

#include "nibble-c/model_abi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::nb {
#define GEN_PASS_DEF_EXTERNALIZEWEIGHTS
#include "nibble/Target/CPU/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace nibble;

namespace {
struct ExternalizeWeightsPass
    : public nb::impl::ExternalizeWeightsBase<ExternalizeWeightsPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

/// A zero value of `value`'s type: the global stays defined, in .bss.
static Attribute getZeroInitializer(ElementsAttr value) {
  ShapedType type = value.getShapedType();
  Builder builder(type.getContext());
  return DenseElementsAttr::get(type,
                                builder.getZeroAttr(type.getElementType()));
}

void ExternalizeWeightsPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  if (threshold < 0) {
    module.emitError() << "nb-externalize-weights: threshold must be >= 0, got "
                       << static_cast<int64_t>(threshold);
    return signalPassFailure();
  }
  for (StringRef name :
       {NIBBLE_SYMBOL_INIT_WEIGHTS, NIBBLE_SYMBOL_WEIGHTS_SIZE,
        NIBBLE_SYMBOL_WEIGHTS_CHECKSUM}) {
    if (SymbolTable::lookupSymbolIn(module, name)) {
      module.emitError() << "the module already defines '" << name
                         << "'; was nb-externalize-weights run twice?";
      return signalPassFailure();
    }
  }

  Builder builder(context);
  SmallVector<Attribute> entries;
  SmallVector<std::tuple<LLVM::GlobalOp, uint64_t, uint64_t>> moved;
  uint64_t payloadSize = 0;
  uint64_t checksum = kFNV1a64Offset;
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    if (!global.getConstant())
      continue;
    std::optional<ArrayRef<char>> bytes =
        getExternalizableBytes(global.getValueOrNull());
    if (!bytes || bytes->size() < static_cast<uint64_t>(threshold) ||
        bytes->empty())
      continue;
    uint64_t offset = llvm::alignTo(payloadSize, NIBBLE_WEIGHTS_ALIGNMENT);
    checksum = fnv1a64Zeros(offset - payloadSize, checksum);
    checksum = fnv1a64(*bytes, checksum);
    payloadSize = offset + bytes->size();
    auto value = cast<ElementsAttr>(global.getValueOrNull());
    entries.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("symbol",
                              FlatSymbolRefAttr::get(global.getSymNameAttr())),
         builder.getNamedAttr("offset", builder.getI64IntegerAttr(offset)),
         builder.getNamedAttr("value", value)}));
    // Written once by the init function, then only read.
    global.setConstant(false);
    global.setValueAttr(getZeroInitializer(value));
    moved.push_back({global, offset, bytes->size()});
  }

  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Location loc = module.getLoc();
  auto i64 = IntegerType::get(context, 64);
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto exportConstant = [&](StringRef name, uint64_t value) {
    LLVM::GlobalOp::create(b, loc, i64, /*isConstant=*/true,
                           LLVM::Linkage::External, name,
                           b.getI64IntegerAttr(static_cast<int64_t>(value)));
  };
  exportConstant(NIBBLE_SYMBOL_WEIGHTS_SIZE, payloadSize);
  exportConstant(NIBBLE_SYMBOL_WEIGHTS_CHECKSUM, checksum);

  auto initType =
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {ptr});
  auto init = LLVM::LLVMFuncOp::create(b, loc, NIBBLE_SYMBOL_INIT_WEIGHTS,
                                       initType, LLVM::Linkage::External);
  Block *body = init.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  Value payload = body->getArgument(0);
  for (auto [global, offset, size] : moved) {
    Location globalLoc = global.getLoc();
    Value dst = LLVM::AddressOfOp::create(b, globalLoc, global);
    Value offsetValue = LLVM::ConstantOp::create(
        b, globalLoc, i64, b.getI64IntegerAttr(static_cast<int64_t>(offset)));
    Value src = LLVM::GEPOp::create(b, globalLoc, ptr, b.getI8Type(), payload,
                                    ArrayRef<LLVM::GEPArg>{offsetValue});
    Value length = LLVM::ConstantOp::create(
        b, globalLoc, i64, b.getI64IntegerAttr(static_cast<int64_t>(size)));
    LLVM::MemcpyOp::create(b, globalLoc, dst, src, length,
                           /*isVolatile=*/false);
  }
  LLVM::ReturnOp::create(b, loc, ValueRange());

  module->setAttr(
      kWeightsAttrName,
      builder.getDictionaryAttr(
          {builder.getNamedAttr(
               "size", builder.getI64IntegerAttr(
                           static_cast<int64_t>(payloadSize))),
           builder.getNamedAttr(
               "checksum",
               builder.getI64IntegerAttr(static_cast<int64_t>(checksum))),
           builder.getNamedAttr("entries", builder.getArrayAttr(entries))}));
}
