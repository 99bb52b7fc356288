//===- ExternalizeWeights.cpp - nb-externalize-weights --------------------===//
//
// Large constants leave the code: their globals become zero-initialized
// (.bss, no file space) and a generated init function copies them in from a
// payload the runtime reads from weights.bin. The code keeps addressing the
// same globals, so nothing else changes; the cost is one copy at load time.
// Sub-byte integers (int4 weights) travel packed and are unpacked by the
// init function, since LLVM lays them out one per byte.
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

namespace {
/// A global whose initializer moved to the payload.
struct MovedGlobal {
  LLVM::GlobalOp global;
  uint64_t offset;
  uint64_t size;
  /// Element width when the payload holds it packed (PayloadBytes), else 0.
  unsigned packedBits;
  int64_t numElements;
};
} // namespace

/// Unpacks `entry`'s packed sub-byte integers from `src` into the global at
/// `dst`, where LLVM gives each element a byte: a loop over the whole payload
/// bytes storing 8/width elements each, then the elements of a last partial
/// byte. Elements are stored as iN values (not bytes), so the code that
/// loads them sees exactly what an initialized constant would give it. The
/// builder ends at the end of the block after the loop.
static void emitUnpack(OpBuilder &b, Location loc, Value src, Value dst,
                       const MovedGlobal &entry) {
  MLIRContext *context = b.getContext();
  auto i8 = b.getI8Type();
  auto i64 = b.getI64Type();
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto element = b.getIntegerType(entry.packedBits);
  int64_t perByte = 8 / entry.packedBits;
  int64_t fullBytes = entry.numElements / perByte;
  int64_t tail = entry.numElements % perByte;
  auto constant = [&](Type type, int64_t value) -> Value {
    return LLVM::ConstantOp::create(b, loc, type,
                                    b.getIntegerAttr(type, value));
  };
  // Stores the elements of the payload byte `byteIndex` (count of them)
  // into the global from element byteIndex * perByte on.
  auto storeElements = [&](Value byteIndex, int64_t count) {
    Value byteAddress =
        LLVM::GEPOp::create(b, loc, ptr, i8, src, ArrayRef<LLVM::GEPArg>{byteIndex});
    Value byte = LLVM::LoadOp::create(b, loc, i8, byteAddress);
    Value first = LLVM::MulOp::create(b, loc, byteIndex, constant(i64, perByte));
    for (int64_t k = 0; k < count; ++k) {
      Value shifted = k == 0 ? byte
                             : LLVM::LShrOp::create(
                                   b, loc, byte,
                                   constant(i8, k * entry.packedBits));
      Value value = LLVM::TruncOp::create(b, loc, element, shifted);
      Value index = LLVM::AddOp::create(b, loc, first, constant(i64, k));
      Value address = LLVM::GEPOp::create(b, loc, ptr, element, dst,
                                          ArrayRef<LLVM::GEPArg>{index});
      LLVM::StoreOp::create(b, loc, value, address);
    }
  };

  if (fullBytes > 0) {
    Block *current = b.getInsertionBlock();
    Region *region = current->getParent();
    Block *header = b.createBlock(region, region->end(), {i64}, {loc});
    Block *loopBody = b.createBlock(region, region->end());
    Block *exit = b.createBlock(region, region->end());
    b.setInsertionPointToEnd(current);
    LLVM::BrOp::create(b, loc, ValueRange{constant(i64, 0)}, header);

    b.setInsertionPointToEnd(header);
    Value byteIndex = header->getArgument(0);
    Value more = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ult,
                                      byteIndex, constant(i64, fullBytes));
    LLVM::CondBrOp::create(b, loc, more, loopBody, ValueRange(), exit,
                           ValueRange());

    b.setInsertionPointToEnd(loopBody);
    storeElements(byteIndex, perByte);
    Value next = LLVM::AddOp::create(b, loc, byteIndex, constant(i64, 1));
    LLVM::BrOp::create(b, loc, ValueRange{next}, header);
    b.setInsertionPointToEnd(exit);
  }
  if (tail > 0)
    storeElements(constant(i64, fullBytes), tail);
}

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
  SmallVector<MovedGlobal> moved;
  uint64_t payloadSize = 0;
  uint64_t checksum = kFNV1a64Offset;
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    if (!global.getConstant())
      continue;
    std::optional<PayloadBytes> payload =
        getPayloadBytes(global.getValueOrNull());
    if (!payload)
      continue;
    ArrayRef<char> bytes = payload->bytes();
    if (bytes.size() < static_cast<uint64_t>(threshold) || bytes.empty())
      continue;
    uint64_t offset = llvm::alignTo(payloadSize, NIBBLE_WEIGHTS_ALIGNMENT);
    checksum = fnv1a64Zeros(offset - payloadSize, checksum);
    checksum = fnv1a64(bytes, checksum);
    payloadSize = offset + bytes.size();
    auto value = cast<ElementsAttr>(global.getValueOrNull());
    entries.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("symbol",
                              FlatSymbolRefAttr::get(global.getSymNameAttr())),
         builder.getNamedAttr("offset", builder.getI64IntegerAttr(offset)),
         builder.getNamedAttr("value", value)}));
    // Written once by the init function, then only read.
    global.setConstant(false);
    global.setValueAttr(getZeroInitializer(value));
    moved.push_back({global, offset, bytes.size(), payload->packedBits,
                     payload->numElements});
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
  for (MovedGlobal &entry : moved) {
    Location globalLoc = entry.global.getLoc();
    Value dst = LLVM::AddressOfOp::create(b, globalLoc, entry.global);
    Value offsetValue = LLVM::ConstantOp::create(
        b, globalLoc, i64,
        b.getI64IntegerAttr(static_cast<int64_t>(entry.offset)));
    Value src = LLVM::GEPOp::create(b, globalLoc, ptr, b.getI8Type(), payload,
                                    ArrayRef<LLVM::GEPArg>{offsetValue});
    if (entry.packedBits) {
      emitUnpack(b, globalLoc, src, dst, entry);
      continue;
    }
    Value length = LLVM::ConstantOp::create(
        b, globalLoc, i64,
        b.getI64IntegerAttr(static_cast<int64_t>(entry.size)));
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
