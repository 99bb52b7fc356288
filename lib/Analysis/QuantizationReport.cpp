//===- QuantizationReport.cpp - size and compute by precision -------------===//
#include "nibble/Analysis/QuantizationReport.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TypeUtilities.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBShapeOperands.h"
#include "nibble/Quantization/OpSelection.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <functional>

using namespace mlir;
using namespace mlir::nb;

namespace {
/// What an operand of a quantization op reads.
enum class ParameterRole { Scale, ZeroPoint };
} // namespace

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

/// The name of the precision a value of `type` is stored in: the storage
/// type of a `!quant` type, `i8`/`u8` for integers whatever their
/// signedness spelling (ONNX's signless int8 and `si8` are one precision),
/// the type itself for floats.
static std::string getStoragePrecision(Type type) {
  if (auto quantType = dyn_cast<quant::QuantizedType>(type)) {
    if (isa<IntegerType>(quantType.getStorageType()))
      return (quantType.isSigned() ? "i" : "u") +
             std::to_string(quantType.getStorageTypeIntegralWidth());
    type = quantType.getStorageType();
  }
  if (auto intType = dyn_cast<IntegerType>(type))
    return (intType.isUnsigned() ? "u" : "i") +
           std::to_string(intType.getWidth());
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  return name;
}

static unsigned getStorageBits(Type type) {
  if (auto quantType = dyn_cast<quant::QuantizedType>(type))
    return quantType.getStorageTypeIntegralWidth();
  return type.isIntOrFloat() ? type.getIntOrFloatBitWidth() : 0;
}

static int64_t packedBytes(int64_t elements, unsigned bits) {
  return (elements * bits + 7) / 8;
}

/// Elements with dynamic extents counted as 1 (one sample of a batch).
static int64_t getStaticElementCount(ShapedType type) {
  int64_t count = 1;
  for (int64_t extent : type.getShape())
    count *= ShapedType::isDynamic(extent) ? 1 : extent;
  return count;
}

//===----------------------------------------------------------------------===//
// Parameters, scales and zero points
//===----------------------------------------------------------------------===//

/// Marks the operands of quantization ops that carry their parameters.
static void collectParameterOperands(
    Operation *root, llvm::DenseMap<OpOperand *, ParameterRole> &roles) {
  auto mark = [&](Operation *op, Value value, ParameterRole role) {
    if (!value)
      return;
    for (OpOperand &operand : op->getOpOperands())
      if (operand.get() == value)
        roles[&operand] = role;
  };
  constexpr auto scale = ParameterRole::Scale;
  constexpr auto zeroPoint = ParameterRole::ZeroPoint;
  root->walk([&](Operation *op) {
    llvm::TypeSwitch<Operation *>(op)
        .Case<QuantizeLinearOp, DequantizeLinearOp>([&](auto q) {
          mark(op, q.getScale(), scale);
          mark(op, q.getZeroPoint(), zeroPoint);
        })
        .Case<MatMulIntegerOp>([&](MatMulIntegerOp m) {
          mark(op, m.getLhsZeroPoint(), zeroPoint);
          mark(op, m.getRhsZeroPoint(), zeroPoint);
        })
        .Case<ConvIntegerOp>([&](ConvIntegerOp c) {
          mark(op, c.getInputZeroPoint(), zeroPoint);
          mark(op, c.getWeightZeroPoint(), zeroPoint);
        })
        .Case<QLinearMatMulOp>([&](QLinearMatMulOp m) {
          for (Value v : {m.getLhsScale(), m.getRhsScale(), m.getOutputScale()})
            mark(op, v, scale);
          for (Value v : {m.getLhsZeroPoint(), m.getRhsZeroPoint(),
                          m.getOutputZeroPoint()})
            mark(op, v, zeroPoint);
        })
        .Case<MulOp>([&](MulOp mul) {
          // The dynamic form (nb-quantize-dynamic) rescales the int32
          // accumulator by x_scale * w_scale: the constant multiplied with
          // the run-time scale is the weight's scale.
          for (auto [self, other] : {std::pair(mul.getLhs(), mul.getRhs()),
                                     std::pair(mul.getRhs(), mul.getLhs())}) {
            auto dynamic = other.getDefiningOp<DynamicQuantizeLinearOp>();
            if (dynamic && other == dynamic.getScale())
              mark(op, self, scale);
          }
        })
        .Case<QLinearConvOp>([&](QLinearConvOp c) {
          for (Value v :
               {c.getInputScale(), c.getWeightScale(), c.getOutputScale()})
            mark(op, v, scale);
          for (Value v : {c.getInputZeroPoint(), c.getWeightZeroPoint(),
                          c.getOutputZeroPoint()})
            mark(op, v, zeroPoint);
        });
  });
}

/// Adds the scales and zero points a `!quant` element type carries.
static void addTypeParameters(QuantizationReport &report,
                              quant::QuantizedType type) {
  unsigned scaleBits = type.getExpressedType().getIntOrFloatBitWidth();
  unsigned zeroPointBits = type.getStorageTypeIntegralWidth();
  int64_t scales = 0, zeroPoints = 0;
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
    scales = 1;
    zeroPoints = uniform.getZeroPoint() != 0;
  } else if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    scales = perAxis.getScales().size();
    if (llvm::any_of(perAxis.getZeroPoints(), [](int64_t z) { return z; }))
      zeroPoints = scales;
  } else if (auto subChannel =
                 dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
    scales = subChannel.getScales().getNumElements();
    DenseElementsAttr zeros = subChannel.getZeroPoints();
    if (llvm::any_of(zeros.getValues<APInt>(),
                     [](const APInt &z) { return !z.isZero(); }))
      zeroPoints = scales;
  }
  // Symmetric schemes store no zero points: none are counted when all are 0.
  report.scales.count += scales;
  report.scales.bytes += packedBytes(scales, scaleBits);
  report.zeroPoints.count += zeroPoints;
  report.zeroPoints.bytes += packedBytes(zeroPoints, zeroPointBits);
}

/// The quant types that `value`, a parameter constant, is read as (its own
/// or that of a `quant.scast` of it) where no `nb.dequantize_linear`
/// supplies the parameters as operands, i.e. where the type is the only
/// record of them.
static void collectTypeOnlyParameters(Value value,
                                      SmallVectorImpl<quant::QuantizedType> &out) {
  SmallVector<Value> views = {value};
  for (Operation *user : value.getUsers())
    if (auto cast = dyn_cast<quant::StorageCastOp>(user))
      views.push_back(cast.getResult());
  for (Value view : views) {
    auto quantType =
        dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(view.getType()));
    if (!quantType)
      continue;
    bool hasOperandParameters = llvm::any_of(view.getUsers(), [](Operation *u) {
      return isa<DequantizeLinearOp>(u);
    });
    if (!hasOperandParameters)
      out.push_back(quantType);
  }
}

/// Whether `constant` holds only zeros (integer or float), as far as its
/// attribute can be read; dense resources count as not all zero.
static bool isAllZero(Operation *constant) {
  DenseElementsAttr values;
  if (!matchPattern(constant->getResult(0), m_Constant(&values)))
    return false;
  if (values.getElementType().isIntOrIndex() ||
      isa<quant::QuantizedType>(values.getElementType()))
    return llvm::all_of(values.getValues<APInt>(),
                        [](const APInt &v) { return v.isZero(); });
  return false;
}

static void addConstant(QuantizationReport &report, Operation *op,
                        const llvm::DenseMap<OpOperand *, ParameterRole> &roles) {
  if (op->getNumResults() != 1)
    return;
  Value value = op->getResult(0);
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || value.use_empty())
    return;
  Type element = type.getElementType();
  int64_t elements = type.getNumElements();
  int64_t bytes = packedBytes(elements, getStorageBits(element));

  bool allParameterOperands = true, anyScale = false;
  bool allShapeOperands = true;
  for (OpOperand &use : value.getUses()) {
    auto role = roles.find(&use);
    if (role == roles.end())
      allParameterOperands = false;
    else if (role->second == ParameterRole::Scale)
      anyScale = true;
    if (!isShapeOperand(use))
      allShapeOperands = false;
  }
  if (allParameterOperands) {
    // All-zero zero points (symmetric schemes) carry nothing a deployed
    // model must store, as for those inside `!quant` types.
    if (!anyScale && isAllZero(op))
      return;
    ElementFigures &figures = anyScale ? report.scales : report.zeroPoints;
    figures.count += elements;
    figures.bytes += bytes;
    return;
  }
  // Rank-0 constants are scalars of the graph (epsilons, exponents), and
  // shape operands describe the graph, not its weights.
  if (type.getRank() == 0 || allShapeOperands)
    return;
  ElementFigures &figures = report.parameters[getStoragePrecision(element)];
  figures.count += elements;
  figures.bytes += bytes;
  SmallVector<quant::QuantizedType> typeParameters;
  collectTypeOnlyParameters(value, typeParameters);
  for (quant::QuantizedType quantType : typeParameters)
    addTypeParameters(report, quantType);
}

//===----------------------------------------------------------------------===//
// Multiply-accumulates
//===----------------------------------------------------------------------===//

namespace {
/// The operands whose element types decide a compute op's precision, and
/// its multiply-accumulate count.
struct ComputeShape {
  Value activation;
  Value weight;
  std::optional<int64_t> macs;
};
} // namespace

/// MACs of a convolution: every output element reduces over the weight's
/// dims after the first (input channels of the group, kernel window).
static std::optional<int64_t> convMACs(Value weight, Value output) {
  auto weightType = dyn_cast<RankedTensorType>(weight.getType());
  auto outputType = dyn_cast<RankedTensorType>(output.getType());
  if (!weightType || !outputType || weightType.getRank() < 1)
    return std::nullopt;
  return getStaticElementCount(outputType) *
         getStaticElementCount(RankedTensorType::get(
             weightType.getShape().drop_front(), weightType.getElementType()));
}

/// MACs of a matrix product: every output element reduces over `k`.
static std::optional<int64_t> matmulMACs(Value output, int64_t k) {
  auto outputType = dyn_cast<RankedTensorType>(output.getType());
  if (!outputType)
    return std::nullopt;
  return getStaticElementCount(outputType) * (ShapedType::isDynamic(k) ? 1 : k);
}

static std::optional<int64_t> lastExtent(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() < 1)
    return std::nullopt;
  return type.getShape().back();
}

static std::optional<ComputeShape> getComputeShape(Operation *op) {
  auto matmul = [](Value lhs, Value rhs, Value out) -> ComputeShape {
    std::optional<int64_t> k = lastExtent(lhs);
    return {lhs, rhs, k ? matmulMACs(out, *k) : std::nullopt};
  };
  return llvm::TypeSwitch<Operation *, std::optional<ComputeShape>>(op)
      .Case<ConvOp, ConvIntegerOp, QLinearConvOp>([](auto conv) {
        return ComputeShape{conv.getInput(), conv.getWeight(),
                            convMACs(conv.getWeight(), conv.getOutput())};
      })
      .Case<ConvTransposeOp>([](ConvTransposeOp conv) {
        // Every input element scatters over the weight's dims after the
        // first (output channels of the group, kernel window).
        return ComputeShape{conv.getInput(), conv.getWeight(),
                            convMACs(conv.getWeight(), conv.getInput())};
      })
      .Case<MatMulOp, MatMulIntegerOp, QLinearMatMulOp>([&](auto m) {
        return matmul(m.getLhs(), m.getRhs(), m.getOutput());
      })
      .Case<GemmOp>([](GemmOp gemm) {
        auto aType = dyn_cast<RankedTensorType>(gemm.getA().getType());
        std::optional<int64_t> macs;
        if (aType && aType.getRank() == 2)
          macs = matmulMACs(gemm.getOutput(),
                            aType.getDimSize(gemm.getTransA() ? 0 : 1));
        return ComputeShape{gemm.getA(), gemm.getB(), macs};
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// The storage precision behind a float operand that an
/// `nb.dequantize_linear` produces (possibly of a `quant.scast`, possibly
/// through data movement), or "".
static std::string getDequantizedPrecision(Value value) {
  // Data movement between the dequantization and the op (a padded group
  // sliced back, a weight reshaped to the op's layout) changes no value.
  while (Operation *producer = value.getDefiningOp()) {
    if (!isa<SliceOp, ReshapeOp, TransposeOp, FlattenOp, SqueezeOp,
             UnsqueezeOp>(producer))
      break;
    value = producer->getOperand(0);
  }
  auto dequantize = value.getDefiningOp<DequantizeLinearOp>();
  if (!dequantize)
    return "";
  return getStoragePrecision(getElementTypeOrSelf(dequantize.getInput()));
}

static std::string getComputePrecision(const ComputeShape &shape) {
  Type activation = getElementTypeOrSelf(shape.activation.getType());
  if (isa<quant::QuantizedType, IntegerType>(activation))
    return "int" + std::to_string(getStorageBits(activation));
  std::string precision = getStoragePrecision(activation);
  std::string weightStorage = getDequantizedPrecision(shape.weight);
  if (weightStorage.empty())
    return precision;
  std::string activationStorage = getDequantizedPrecision(shape.activation);
  if (!activationStorage.empty())
    return precision + " (q/dq " + activationStorage + ")";
  return precision + " (" + weightStorage + " weights)";
}

//===----------------------------------------------------------------------===//
// The report
//===----------------------------------------------------------------------===//

QuantizationReport QuantizationReport::compute(Operation *root) {
  QuantizationReport report;
  llvm::DenseMap<OpOperand *, ParameterRole> roles;
  collectParameterOperands(root, roles);
  root->walk([&](Operation *op) {
    if (op->hasTrait<OpTrait::ConstantLike>()) {
      addConstant(report, op, roles);
      return;
    }
    if (auto reason = op->getAttrOfType<StringAttr>(
            quantization::kKeptFloatAttrName))
      report.keptFloat.push_back({quantization::getNodeName(op).str(),
                                  quantization::getONNXOpType(op),
                                  reason.str()});
    std::optional<ComputeShape> shape = getComputeShape(op);
    if (!shape)
      return;
    if (!shape->macs) {
      ++report.uncountedComputeOps;
      return;
    }
    report.macs[getComputePrecision(*shape)] += *shape->macs;
  });
  return report;
}

ElementFigures QuantizationReport::getParameterTotal() const {
  ElementFigures total;
  for (const auto &[precision, figures] : parameters) {
    total.count += figures.count;
    total.bytes += figures.bytes;
  }
  return total;
}

int64_t QuantizationReport::getMACTotal() const {
  int64_t total = 0;
  for (const auto &entry : macs)
    total += entry.second;
  return total;
}

double QuantizationReport::getBitsPerParameter() const {
  ElementFigures total = getParameterTotal();
  if (total.count == 0)
    return 0;
  return 8.0 * double(total.bytes + scales.bytes + zeroPoints.bytes) /
         double(total.count);
}

static llvm::json::Object toJSON(const ElementFigures &figures) {
  return llvm::json::Object{{"count", figures.count},
                            {"bytes", figures.bytes}};
}

llvm::json::Object QuantizationReport::toJSON() const {
  llvm::json::Object parameterObject;
  for (const auto &[precision, figures] : parameters)
    parameterObject[precision] = ::toJSON(figures);
  llvm::json::Object macObject;
  for (const auto &[precision, count] : macs)
    macObject[precision] = count;
  llvm::json::Array kept;
  for (const KeptFloatOp &op : keptFloat)
    kept.push_back(llvm::json::Object{
        {"node", op.node}, {"op", op.opType}, {"reason", op.reason}});
  ElementFigures total = getParameterTotal();
  return llvm::json::Object{
      {"parameters", std::move(parameterObject)},
      {"parameter_count", total.count},
      {"parameter_bytes", total.bytes},
      {"scales", ::toJSON(scales)},
      {"zero_points", ::toJSON(zeroPoints)},
      {"bits_per_parameter", getBitsPerParameter()},
      {"macs", std::move(macObject)},
      {"macs_total", getMACTotal()},
      {"uncounted_compute_ops", uncountedComputeOps},
      {"kept_float", std::move(kept)}};
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

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

static std::string percent(int64_t part, int64_t whole) {
  if (whole == 0)
    return "-";
  std::string text;
  llvm::raw_string_ostream(text)
      << llvm::format("%.1f %%", 100.0 * double(part) / double(whole));
  return text;
}

namespace {
/// A table of left-aligned labels and right-aligned columns.
class Table {
public:
  void addRow(std::vector<std::string> row) { rows.push_back(std::move(row)); }
  void print(llvm::raw_ostream &os) const {
    std::vector<size_t> widths;
    for (const auto &row : rows)
      for (size_t i = 0; i < row.size(); ++i) {
        if (widths.size() <= i)
          widths.push_back(0);
        widths[i] = std::max(widths[i], row[i].size());
      }
    for (const auto &row : rows) {
      os << "  ";
      for (size_t i = 0; i < row.size(); ++i) {
        if (i == 0)
          os << llvm::left_justify(row[i], widths[i]);
        else
          os << "  " << llvm::right_justify(row[i], widths[i]);
      }
      os << "\n";
    }
  }

private:
  std::vector<std::vector<std::string>> rows;
};
} // namespace

/// The union of the keys of two maps, sorted.
template <typename Value>
static std::vector<std::string> keysOf(const std::map<std::string, Value> &a,
                                       const std::map<std::string, Value> *b) {
  std::vector<std::string> keys;
  for (const auto &entry : a)
    keys.push_back(entry.first);
  if (b)
    for (const auto &entry : *b)
      if (!a.count(entry.first))
        keys.push_back(entry.first);
  llvm::sort(keys);
  return keys;
}

static void printTable(llvm::raw_ostream &os, llvm::StringRef name,
                       const QuantizationReport &report,
                       llvm::StringRef baselineName,
                       const QuantizationReport *baseline) {
  os << "Model: " << name << "\n";
  if (baseline)
    os << "Baseline: " << baselineName << "\n";

  // Parameters: baseline columns first, so each row reads before -> after.
  os << "\nParameters by precision:\n";
  Table parameters;
  std::vector<std::string> header = {"precision"};
  if (baseline)
    header.insert(header.end(), {"before", "bytes"});
  header.insert(header.end(), {baseline ? "after" : "count", "bytes"});
  parameters.addRow(header);
  auto cells = [](const std::map<std::string, ElementFigures> &map,
                  const std::string &key) -> std::vector<std::string> {
    auto it = map.find(key);
    if (it == map.end())
      return {"-", "-"};
    return {withSeparators(it->second.count),
            withSeparators(it->second.bytes)};
  };
  auto addFigures = [&](std::string label,
                        std::function<ElementFigures(const QuantizationReport &)>
                            get) {
    std::vector<std::string> row = {std::move(label)};
    for (const QuantizationReport *r : {baseline, &report}) {
      if (!r)
        continue;
      ElementFigures figures = get(*r);
      row.push_back(withSeparators(figures.count));
      row.push_back(withSeparators(figures.bytes));
    }
    parameters.addRow(row);
  };
  for (const std::string &key :
       keysOf(report.parameters, baseline ? &baseline->parameters : nullptr)) {
    std::vector<std::string> row = {key};
    if (baseline)
      llvm::append_range(row, cells(baseline->parameters, key));
    llvm::append_range(row, cells(report.parameters, key));
    parameters.addRow(row);
  }
  addFigures("total", [](const QuantizationReport &r) {
    return r.getParameterTotal();
  });
  addFigures("scales", [](const QuantizationReport &r) { return r.scales; });
  addFigures("zero points",
             [](const QuantizationReport &r) { return r.zeroPoints; });
  parameters.print(os);

  os << "\nBits per parameter (scales and zero points included): ";
  if (baseline)
    os << llvm::format("%.2f -> ", baseline->getBitsPerParameter());
  os << llvm::format("%.2f", report.getBitsPerParameter());
  if (baseline) {
    auto totalBytes = [](const QuantizationReport &r) {
      return r.getParameterTotal().bytes + r.scales.bytes + r.zeroPoints.bytes;
    };
    if (int64_t after = totalBytes(report))
      os << llvm::format(" (%.2fx smaller)",
                         double(totalBytes(*baseline)) / double(after));
  }
  os << "\n";

  os << "\nCompute by precision (multiply-accumulates per sample):\n";
  Table compute;
  header = {"precision"};
  if (baseline)
    header.insert(header.end(), {"before", "share"});
  header.insert(header.end(), {baseline ? "after" : "MACs", "share"});
  compute.addRow(header);
  for (const std::string &key :
       keysOf(report.macs, baseline ? &baseline->macs : nullptr)) {
    std::vector<std::string> row = {key};
    for (const QuantizationReport *r : {baseline, &report}) {
      if (!r)
        continue;
      auto it = r->macs.find(key);
      int64_t macs = it == r->macs.end() ? 0 : it->second;
      row.push_back(it == r->macs.end() ? "-" : withSeparators(macs));
      row.push_back(percent(macs, r->getMACTotal()));
    }
    compute.addRow(row);
  }
  compute.print(os);
  if (report.uncountedComputeOps)
    os << "  (" << report.uncountedComputeOps
       << " compute op(s) with unranked shapes not counted)\n";

  os << "\nOps left in float by quantization: ";
  if (report.keptFloat.empty()) {
    os << "none\n";
    return;
  }
  os << report.keptFloat.size() << "\n";
  for (const KeptFloatOp &op : report.keptFloat)
    os << "  " << (op.node.empty() ? "<unnamed>" : op.node) << " ("
       << op.opType << "): " << op.reason << "\n";
}

void mlir::nb::printQuantizationReport(llvm::raw_ostream &os,
                                       ReportFormat format,
                                       llvm::StringRef name,
                                       const QuantizationReport &report,
                                       llvm::StringRef baselineName,
                                       const QuantizationReport *baseline) {
  if (format == ReportFormat::Table) {
    printTable(os, name, report, baselineName, baseline);
    return;
  }
  llvm::json::Object model = report.toJSON();
  model["name"] = name.str();
  llvm::json::Object root{{"model", std::move(model)}};
  if (baseline) {
    llvm::json::Object base = baseline->toJSON();
    base["name"] = baselineName.str();
    root["baseline"] = std::move(base);
  }
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}
