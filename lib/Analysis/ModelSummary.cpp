//===- ModelSummary.cpp - ops, parameters and bytes of a module -----------===//
#include "nibble/Analysis/ModelSummary.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <iterator>

using namespace mlir;
using namespace mlir::nb;

/// The type whose bits a tensor stores: quantized types by storage type.
static Type getStoredElementType(Type elementType) {
  if (auto quantized = dyn_cast<quant::QuantizedType>(elementType))
    return quantized.getStorageType();
  return elementType;
}

static std::string getTypeName(Type type) {
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  return name;
}

ModelSummary ModelSummary::compute(Operation *root) {
  ModelSummary summary;
  root->walk([&](Operation *op) {
    if (op == root || op->hasTrait<OpTrait::IsTerminator>() ||
        isa<FunctionOpInterface>(op))
      return;
    StringRef name = op->getName().getStringRef();
    if (op->getDialect() && isa<NBDialect>(op->getDialect()))
      name.consume_front("nb.");
    ++summary.opCounts[name.str()];

    auto constant = dyn_cast<ConstantOp>(op);
    if (!constant)
      return;
    auto type = dyn_cast<RankedTensorType>(constant.getType());
    // Rank-0 constants are scalars of the graph (epsilons, axes), not weights.
    if (!type || type.getRank() == 0 || !type.hasStaticShape())
      return;
    Type stored = getStoredElementType(type.getElementType());
    int64_t elements = type.getNumElements();
    summary.parameterCount += elements;
    int64_t bits = stored.isIntOrFloat() ? stored.getIntOrFloatBitWidth() : 0;
    summary.bytesByElementType[getTypeName(type.getElementType())] +=
        (elements * bits + 7) / 8;
  });
  return summary;
}

int64_t ModelSummary::getTotalBytes() const {
  int64_t total = 0;
  for (const auto &entry : bytesByElementType)
    total += entry.second;
  return total;
}

int64_t ModelSummary::getTotalOps() const {
  int64_t total = 0;
  for (const auto &entry : opCounts)
    total += entry.second;
  return total;
}

static void printLines(const ModelSummary &summary, llvm::raw_ostream &os) {
  for (const auto &[name, count] : summary.opCounts)
    os << "op " << name << " " << count << "\n";
  os << "params " << summary.parameterCount << "\n";
  for (const auto &[name, bytes] : summary.bytesByElementType)
    os << "bytes " << name << " " << bytes << "\n";
  os << "bytes total " << summary.getTotalBytes() << "\n";
}

/// `value` with thousands separators: 15400 -> "15,400".
static std::string withSeparators(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string result;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0)
      result += ',';
    result += digits[i];
  }
  return value < 0 ? "-" + result : result;
}

/// Bytes in the largest binary unit that keeps the figure at least 1.
static std::string humanBytes(int64_t bytes) {
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  unsigned unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(units)) {
    value /= 1024.0;
    ++unit;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  if (unit == 0)
    os << bytes << " B";
  else
    os << llvm::format("%.1f %s", value, units[unit]);
  return text;
}

static void printTable(const ModelSummary &summary, llvm::raw_ostream &os) {
  // Column widths follow the longest name and the widest count, so the
  // table stays aligned for models with long op names or many parameters.
  size_t nameWidth = std::string("total").size();
  for (const auto &entry : summary.opCounts)
    nameWidth = std::max(nameWidth, entry.first.size());
  for (const auto &entry : summary.bytesByElementType)
    nameWidth = std::max(nameWidth, entry.first.size());
  size_t countWidth = withSeparators(summary.parameterCount).size();
  countWidth = std::max(countWidth,
                        withSeparators(summary.getTotalBytes()).size());
  countWidth = std::max(countWidth,
                        withSeparators(summary.getTotalOps()).size());

  auto row = [&](llvm::StringRef name, int64_t value, llvm::StringRef note) {
    os << "  " << llvm::left_justify(name, nameWidth) << "  "
       << llvm::right_justify(withSeparators(value), countWidth);
    if (!note.empty())
      os << "  " << note;
    os << "\n";
  };
  auto rule = [&] {
    os << "  " << std::string(nameWidth + 2 + countWidth, '-') << "\n";
  };

  os << "Ops by type:\n";
  for (const auto &[name, count] : summary.opCounts)
    row(name, count, "");
  rule();
  row("total", summary.getTotalOps(), "");

  os << "\nParameters: " << withSeparators(summary.parameterCount) << "\n";

  os << "\nBytes by precision:\n";
  int64_t total = summary.getTotalBytes();
  size_t sizeWidth = humanBytes(total).size();
  for (const auto &entry : summary.bytesByElementType)
    sizeWidth = std::max(sizeWidth, humanBytes(entry.second).size());
  for (const auto &[name, bytes] : summary.bytesByElementType) {
    std::string note;
    llvm::raw_string_ostream noteStream(note);
    noteStream << llvm::right_justify(humanBytes(bytes), sizeWidth);
    if (total > 0)
      noteStream << llvm::format("  %5.1f %%", 100.0 * bytes / total);
    row(name, bytes, note);
  }
  rule();
  std::string totalNote;
  llvm::raw_string_ostream(totalNote)
      << llvm::right_justify(humanBytes(total), sizeWidth);
  row("total", total, totalNote);
}

static void printJSON(const ModelSummary &summary, llvm::raw_ostream &os) {
  llvm::json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attributeObject("ops", [&] {
      for (const auto &[name, count] : summary.opCounts)
        json.attribute(name, count);
    });
    json.attribute("params", summary.parameterCount);
    json.attributeObject("bytes", [&] {
      for (const auto &[name, bytes] : summary.bytesByElementType)
        json.attribute(name, bytes);
    });
    json.attribute("bytes_total", summary.getTotalBytes());
  });
  os << "\n";
}

void ModelSummary::print(llvm::raw_ostream &os, SummaryFormat format) const {
  switch (format) {
  case SummaryFormat::Lines:
    return printLines(*this, os);
  case SummaryFormat::Table:
    return printTable(*this, os);
  case SummaryFormat::JSON:
    return printJSON(*this, os);
  }
}
