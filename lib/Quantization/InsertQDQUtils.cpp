//===- InsertQDQUtils.cpp - nb-insert-qdq's parameters and IR -------------===//
#include "InsertQDQUtils.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBQuantUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cfloat>
#include <cmath>

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::quantization;

Type quantization::parseStorageType(MLIRContext *ctx, StringRef name) {
  if (name == "u8")
    return IntegerType::get(ctx, 8, IntegerType::Unsigned);
  if (name == "i8")
    return IntegerType::get(ctx, 8);
  if (name == "f8e4m3")
    return Float8E4M3FNType::get(ctx);
  if (name == "f8e5m2")
    return Float8E5M2Type::get(ctx);
  return {};
}

double quantization::getFloat8MaxFinite(Type storage) {
  const llvm::fltSemantics &semantics =
      cast<FloatType>(storage).getFloatSemantics();
  return APFloat::getLargest(semantics).convertToDouble();
}

//===----------------------------------------------------------------------===//
// Overrides
//===----------------------------------------------------------------------===//

static LogicalResult parseOverride(MLIRContext *ctx, StringRef name,
                                   const llvm::json::Object &entry,
                                   TensorOverride &result, std::string &error) {
  auto fail = [&](const Twine &message) {
    error = ("tensor '" + name + "': " + message).str();
    return failure();
  };
  for (const auto &[key, value] : entry) {
    if (key == "type") {
      std::optional<StringRef> type = value.getAsString();
      result.storage = type ? parseStorageType(ctx, *type) : Type();
      if (!result.storage)
        return fail("\"type\" must be one of \"u8\", \"i8\", \"f8e4m3\", "
                    "\"f8e5m2\"");
    } else if (key == "axis") {
      result.axis = value.getAsInteger();
      if (!result.axis)
        return fail("\"axis\" must be an integer");
    } else if (key == "symmetric") {
      result.symmetric = value.getAsBoolean();
      if (!result.symmetric)
        return fail("\"symmetric\" must be true or false");
    } else if (key == "range") {
      const llvm::json::Array *range = value.getAsArray();
      std::optional<double> lo, hi;
      if (range && range->size() == 2) {
        lo = (*range)[0].getAsNumber();
        hi = (*range)[1].getAsNumber();
      }
      if (!lo || !hi || !(*lo <= *hi) || !std::isfinite(*lo) ||
          !std::isfinite(*hi))
        return fail("\"range\" must be [min, max] with finite min <= max");
      result.range = {*lo, *hi};
    } else {
      return fail("unknown key \"" + key.str() +
                  "\" (expected type, axis, symmetric, range)");
    }
  }
  return success();
}

FailureOr<llvm::StringMap<TensorOverride>>
quantization::parseOverrides(MLIRContext *ctx, StringRef path,
                             std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    error = "cannot read '" + path.str() + "': " + buffer.getError().message();
    return failure();
  }
  auto fail = [&](const Twine &message) {
    error = (path + ": " + message).str();
    return failure();
  };
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return fail("not JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root || root->getInteger("version") != 1)
    return fail("expected an object with \"version\": 1");
  const llvm::json::Object *tensors = root->getObject("tensors");
  if (!tensors)
    return fail("no \"tensors\" object");
  llvm::StringMap<TensorOverride> overrides;
  for (const auto &[name, value] : *tensors) {
    const llvm::json::Object *entry = value.getAsObject();
    if (!entry)
      return fail("tensor '" + name.str() + "': expected an object");
    std::string entryError;
    if (failed(parseOverride(ctx, name, *entry, overrides[name.str()],
                             entryError)))
      return fail(entryError);
  }
  return overrides;
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

std::string quantization::getTensorName(Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (!func)
      return {};
    if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                      "nb.name"))
      return name.str();
    return "arg" + std::to_string(arg.getArgNumber());
  }
  auto result = cast<OpResult>(value);
  Operation *op = result.getOwner();
  // The importer's ONNX tensor names, the key calibration tables use.
  if (auto names = op->getAttrOfType<ArrayAttr>("nb.output_names")) {
    if (names.size() == op->getNumResults())
      if (auto name = dyn_cast<StringAttr>(names[result.getResultNumber()]))
        if (!name.empty())
          return name.str();
  }
  auto loc = dyn_cast<NameLoc>(op->getLoc());
  if (!loc)
    return {};
  if (op->getNumResults() == 1)
    return loc.getName().str();
  return (loc.getName().strref() + ":" + Twine(result.getResultNumber()))
      .str();
}

llvm::StringSet<> quantization::collectTensorNames(ModuleOp module) {
  llvm::StringSet<> names;
  module.walk([&](Operation *op) {
    for (Value result : op->getResults())
      if (std::string name = getTensorName(result); !name.empty())
        names.insert(name);
    if (auto func = dyn_cast<func::FuncOp>(op))
      if (!func.isExternal())
        for (BlockArgument arg : func.getArguments())
          names.insert(getTensorName(arg));
  });
  return names;
}

//===----------------------------------------------------------------------===//
// Parameters and IR
//===----------------------------------------------------------------------===//

ActivationParams quantization::computeActivationParams(Type storage,
                                                       double min, double max,
                                                       bool symmetric) {
  ActivationParams params;
  params.storage = storage;
  if (auto integer = dyn_cast<IntegerType>(storage)) {
    WeightQuantizationSpec spec;
    spec.bits = integer.getWidth();
    spec.isSigned = !integer.isUnsigned();
    spec.symmetric = symmetric;
    std::tie(params.scale, params.zeroPoint) =
        computeScaleAndZeroPoint(min, max, spec);
    return params;
  }
  double amax = std::max(std::fabs(min), std::fabs(max));
  double scale = amax / getFloat8MaxFinite(storage);
  params.scale = scale >= FLT_MIN ? static_cast<float>(scale) : 1.0f;
  return params;
}

/// A scalar constant of `type` holding `value`.
static Value scalarConstant(OpBuilder &builder, Location loc, Type type,
                            double value) {
  auto tensorType = RankedTensorType::get({}, type);
  Attribute element;
  if (auto floatType = dyn_cast<FloatType>(type)) {
    element = builder.getFloatAttr(floatType, value);
  } else {
    auto integer = cast<IntegerType>(type);
    element = builder.getIntegerAttr(
        type, APInt(integer.getWidth(), static_cast<int64_t>(value),
                    !integer.isUnsigned()));
  }
  return ConstantOp::create(builder, loc,
                            DenseElementsAttr::get(tensorType, element));
}

Value quantization::buildActivationQDQ(OpBuilder &builder, Value value,
                                       const ActivationParams &params) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointAfterValue(value);
  Location loc = value.getLoc();
  auto type = cast<TensorType>(value.getType());
  Type expressed = type.getElementType();
  Value scale = scalarConstant(builder, loc, expressed, params.scale);
  Value zeroPoint =
      scalarConstant(builder, loc, params.storage, params.zeroPoint);
  Type quantizedType = type.clone(params.storage);
  if (isa<IntegerType>(params.storage)) {
    std::string reason;
    quant::QuantizedType quantType = getQuantTypeForQDQ(
        params.storage,
        cast<DenseElementsAttr>(scale.getDefiningOp<ConstantOp>().getValue()),
        cast<DenseElementsAttr>(
            zeroPoint.getDefiningOp<ConstantOp>().getValue()),
        /*axis=*/1, /*blockSize=*/0, dyn_cast<ShapedType>(type), reason);
    // Per-tensor parameters from computeScaleAndZeroPoint are always
    // expressible (positive finite scale, zero point in range).
    if (quantType)
      quantizedType = type.clone(quantType);
  }
  Value quantized =
      QuantizeLinearOp::create(builder, loc, quantizedType, value, scale,
                               zeroPoint);
  return DequantizeLinearOp::create(builder, loc, type, quantized, scale,
                                    zeroPoint);
}

FailureOr<Value> quantization::buildFloat8Weight(
    OpBuilder &builder, Location loc, ArrayRef<float> values,
    ArrayRef<int64_t> shape, int64_t axis, Type storage, Type expressedType,
    std::string &error) {
  int64_t rank = shape.size();
  if (axis < -1 || axis >= rank) {
    error = "axis " + std::to_string(axis) + " is out of range for rank " +
            std::to_string(rank);
    return failure();
  }
  int64_t channels = axis < 0 ? 1 : shape[axis], inner = 1;
  for (int64_t i = axis + 1; axis >= 0 && i < rank; ++i)
    inner *= shape[i];
  auto channelOf = [&](int64_t i) {
    return axis < 0 ? 0 : (i / inner) % channels;
  };
  SmallVector<float> amax(channels, 0.0f);
  for (auto [i, v] : llvm::enumerate(values)) {
    if (!std::isfinite(v)) {
      error = "weight element " + std::to_string(i) + " is not finite";
      return failure();
    }
    amax[channelOf(i)] = std::max(amax[channelOf(i)], std::fabs(v));
  }
  double maxFinite = getFloat8MaxFinite(storage);
  SmallVector<float> scales;
  for (float m : amax) {
    double s = m / maxFinite;
    scales.push_back(s >= FLT_MIN ? static_cast<float>(s) : 1.0f);
  }
  const llvm::fltSemantics &semantics =
      cast<FloatType>(storage).getFloatSemantics();
  SmallVector<APFloat> stored;
  stored.reserve(values.size());
  for (auto [i, v] : llvm::enumerate(values)) {
    // QuantizeLinear with saturate=1: divide in float, clamp, round to
    // nearest even.
    float q = v / scales[channelOf(i)];
    q = std::clamp(q, static_cast<float>(-maxFinite),
                   static_cast<float>(maxFinite));
    APFloat f(q);
    bool losesInfo;
    f.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
    stored.push_back(f);
  }
  auto dataType = RankedTensorType::get(shape, storage);
  Value weight =
      ConstantOp::create(builder, loc, DenseElementsAttr::get(dataType, stored));
  SmallVector<int64_t> parameterShape;
  if (axis >= 0)
    parameterShape.push_back(channels);
  SmallVector<APFloat> scaleValues;
  for (float s : scales) {
    APFloat f(s);
    bool losesInfo;
    f.convert(cast<FloatType>(expressedType).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &losesInfo);
    scaleValues.push_back(f);
  }
  Value scale = ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(
          RankedTensorType::get(parameterShape, expressedType), scaleValues));
  Value zeroPoint = ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(RankedTensorType::get(parameterShape, storage),
                             APFloat::getZero(semantics)));
  return DequantizeLinearOp::create(
             builder, loc, RankedTensorType::get(shape, expressedType), weight,
             scale, zeroPoint, axis < 0 ? 1 : axis, 0)
      .getResult();
}
