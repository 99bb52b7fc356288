//===- WeightsPayload.cpp - constants moved out of compiled code ----------===//
#include "nibble/Target/CPU/WeightsPayload.h"

#include "nibble-c/model_abi.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace nibble;

static constexpr uint64_t kFNV1a64Prime = 0x100000001b3ULL;

uint64_t nibble::fnv1a64(ArrayRef<char> bytes, uint64_t state) {
  for (char byte : bytes) {
    state ^= static_cast<uint8_t>(byte);
    state *= kFNV1a64Prime;
  }
  return state;
}

uint64_t nibble::fnv1a64Zeros(uint64_t count, uint64_t state) {
  for (uint64_t i = 0; i < count; ++i)
    state *= kFNV1a64Prime;
  return state;
}

std::optional<ArrayRef<char>>
nibble::getExternalizableBytes(Attribute value) {
  auto elements = dyn_cast_or_null<ElementsAttr>(value);
  if (!elements)
    return std::nullopt;
  Type elementType = elements.getShapedType().getElementType();
  if (!elementType.isIntOrFloat() ||
      elementType.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  uint64_t expected = elements.getNumElements() *
                      (elementType.getIntOrFloatBitWidth() / 8);
  ArrayRef<char> bytes;
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    bytes = dense.getRawData();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    bytes = resource.getData();
  } else {
    return std::nullopt;
  }
  // A resource whose blob was dropped, or of unexpected size, stays put.
  if (bytes.size() != expected)
    return std::nullopt;
  return bytes;
}

/// Whether elements of `type` are packed in the payload: integers narrower
/// than a byte whose width divides 8.
static bool isPackedElementType(Type type) {
  auto integer = dyn_cast<IntegerType>(type);
  return integer && integer.getWidth() < 8 && 8 % integer.getWidth() == 0;
}

std::optional<PayloadBytes> nibble::getPayloadBytes(Attribute value) {
  auto elements = dyn_cast_or_null<ElementsAttr>(value);
  if (!elements)
    return std::nullopt;
  PayloadBytes payload;
  payload.numElements = elements.getNumElements();
  Type elementType = elements.getShapedType().getElementType();
  if (!isPackedElementType(elementType)) {
    std::optional<ArrayRef<char>> bytes = getExternalizableBytes(value);
    if (!bytes)
      return std::nullopt;
    payload.raw = *bytes;
    return payload;
  }

  unsigned bits = elementType.getIntOrFloatBitWidth();
  // The element values, one per entry, in C order.
  SmallVector<uint8_t> values;
  values.reserve(payload.numElements);
  if (auto dense = dyn_cast<DenseIntElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    for (const APInt &element : dense.getValues<APInt>())
      values.push_back(static_cast<uint8_t>(element.getZExtValue()));
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    // Resource blobs of sub-byte integers hold one element per byte (as
    // DenseElementsAttr does); anything else is a blob we cannot read.
    ArrayRef<char> bytes = resource.getData();
    if (static_cast<int64_t>(bytes.size()) != payload.numElements)
      return std::nullopt;
    for (char byte : bytes)
      values.push_back(static_cast<uint8_t>(byte));
  } else {
    return std::nullopt;
  }
  if (values.empty())
    return std::nullopt;

  unsigned perByte = 8 / bits;
  uint8_t mask = static_cast<uint8_t>((1u << bits) - 1);
  payload.packedBits = bits;
  payload.packed.assign((values.size() + perByte - 1) / perByte, 0);
  for (size_t i = 0, e = values.size(); i < e; ++i)
    payload.packed[i / perByte] = static_cast<char>(
        static_cast<uint8_t>(payload.packed[i / perByte]) |
        ((values[i] & mask) << (bits * (i % perByte))));
  return payload;
}

namespace {
/// Little-endian fixed-width writes.
struct LittleEndianWriter {
  llvm::raw_ostream &os;
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i)
      os << static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i)
      os << static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void zeros(uint64_t count) { os.write_zeros(count); }
};

struct Entry {
  std::string symbol;
  uint64_t offset;
  PayloadBytes payload;
  ArrayRef<char> bytes() const { return payload.bytes(); }
};
} // namespace

static llvm::Error malformed(const llvm::Twine &what) {
  return llvm::createStringError(llvm::Twine(kWeightsAttrName) + ": " + what);
}

llvm::Error nibble::writeWeightsFile(ModuleOp module, llvm::StringRef path) {
  auto weights = module->getAttrOfType<DictionaryAttr>(kWeightsAttrName);
  if (!weights)
    return malformed("missing (run nb-externalize-weights first)");
  auto size = weights.getAs<IntegerAttr>("size");
  auto checksum = weights.getAs<IntegerAttr>("checksum");
  auto entriesAttr = weights.getAs<ArrayAttr>("entries");
  if (!size || !checksum || !entriesAttr)
    return malformed("needs 'size', 'checksum' and 'entries'");

  std::vector<Entry> entries;
  uint64_t end = 0;
  for (Attribute attr : entriesAttr) {
    auto dict = dyn_cast<DictionaryAttr>(attr);
    auto symbol = dict ? dict.getAs<FlatSymbolRefAttr>("symbol") : nullptr;
    auto offset = dict ? dict.getAs<IntegerAttr>("offset") : nullptr;
    std::optional<PayloadBytes> payload =
        dict ? getPayloadBytes(dict.get("value")) : std::nullopt;
    if (!symbol || !offset || !payload)
      return malformed("entries must be {symbol, offset, value}");
    uint64_t start = offset.getValue().getZExtValue();
    if (start < end || start % NIBBLE_WEIGHTS_ALIGNMENT != 0)
      return malformed("entry offsets must ascend and be 64-byte aligned");
    end = start + payload->bytes().size();
    entries.push_back({symbol.getValue().str(), start, std::move(*payload)});
  }
  uint64_t payloadSize = size.getValue().getZExtValue();
  if (end > payloadSize)
    return malformed("entries overrun the payload size");

  uint64_t tableSize = 0;
  for (const Entry &entry : entries)
    tableSize += 8 + 8 + 4 + entry.symbol.size();
  uint64_t payloadOffset =
      llvm::alignTo(NIBBLE_WEIGHTS_HEADER_SIZE + tableSize,
                    NIBBLE_WEIGHTS_ALIGNMENT);

  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_None);
  if (error)
    return llvm::createStringError(error, "cannot write '" + path +
                                              "': " + error.message());
  LittleEndianWriter out{os};
  os.write(NIBBLE_WEIGHTS_MAGIC, 8);
  out.u32(NIBBLE_WEIGHTS_VERSION);
  out.u32(entries.size());
  out.u64(payloadOffset);
  out.u64(payloadSize);
  out.u64(checksum.getValue().getZExtValue());
  for (const Entry &entry : entries) {
    out.u64(entry.offset);
    out.u64(entry.bytes().size());
    out.u32(entry.symbol.size());
    os << entry.symbol;
  }
  out.zeros(payloadOffset - NIBBLE_WEIGHTS_HEADER_SIZE - tableSize);
  uint64_t written = 0;
  for (const Entry &entry : entries) {
    out.zeros(entry.offset - written);
    os.write(entry.bytes().data(), entry.bytes().size());
    written = entry.offset + entry.bytes().size();
  }
  out.zeros(payloadSize - written);
  os.close();
  if (os.has_error())
    return llvm::createStringError(os.error(), "cannot write '" + path +
                                                   "': " +
                                                   os.error().message());
  return llvm::Error::success();
}
