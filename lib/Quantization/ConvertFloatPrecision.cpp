//===- ConvertFloatPrecision.cpp - nb-convert-float-precision -------------===//
//
// f32 compute to f16 or bf16. Which type a value has depends on its producer
// and on all of its users at once (one cast per value, shared by every user
// on the other side), so this is a plan over each function followed by one
// rewrite, not a set of local patterns:
//
//  1. plan: every selected nb op whose float operands and results are f32,
//     whose kind lowers in half precision, and whose known ranges fit the
//     target type is converted; the others stay f32 (with a note where the
//     user did not ask for it). A finite bound (proved or calibrated) or a
//     constant beyond the target's largest finite value keeps an op f32; an
//     unknown range (unbounded, or no range at all) is no evidence of
//     overflow and converts, counted in one summary remark per function,
//     unless `unknown-ranges=keep-f32`.
//  2. rewrite: converted ops get half result types in place; constants
//     feeding them are converted at compile time; f32 values feeding them
//     get one nb.cast each; half results feeding f32 users (or a kept
//     signature) get one nb.cast back each.
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/Passes.h"

#include "nibble/Analysis/RangeAnalysis.h"
#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Quantization/OpSelection.h"
#include "nibble/Quantization/WeightQuantization.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"

#include <cmath>

namespace mlir::nb {
#define GEN_PASS_DEF_CONVERTFLOATPRECISION
#include "nibble/Quantization/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::quantization;

namespace {

/// ONNX op types whose nb ops lower through convert-nb-to-linalg and the
/// CPU codegen with f16 and bf16 tensors (each checked by running it, see
/// docs/quantization.md). Their float operands are all data of the op's
/// compute type; ops with float parameters of another meaning (Resize
/// scales, quantization scales) are not here.
const llvm::StringSet<> &halfPrecisionOpTypes() {
  static const llvm::StringSet<> types = {
      // elementwise
      "Abs", "Add", "Clip", "Cos", "Div", "Erf", "Exp", "Gelu", "HardSigmoid",
      "HardSwish", "LeakyRelu", "Log", "Mul", "Neg", "Pow", "Reciprocal",
      "Relu", "Sigmoid", "Sin", "Sqrt", "Sub", "Tanh", "Where",
      // contractions, convolutions, normalization, pooling
      "AveragePool", "BatchNormalization", "Conv", "ConvTranspose", "Gemm",
      "GlobalAveragePool", "LayerNormalization", "MatMul", "MaxPool",
      "ReduceMean", "Softmax",
      // data movement
      "Concat", "Expand", "Flatten", "Gather", "Pad", "Reshape", "Slice",
      "Split", "Squeeze", "Transpose", "Unsqueeze"};
  return types;
}

bool isF32Tensor(Type type) {
  auto tensor = dyn_cast<TensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

bool hasF32Value(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), isF32Tensor) ||
         llvm::any_of(op->getResultTypes(), isF32Tensor);
}

/// Ops that only move a value across a type boundary; converting them is
/// never asked for and never noted.
bool isBoundaryOp(Operation *op) {
  return isa<nb::ConstantOp, nb::CastOp>(op) ||
         op->hasTrait<OpTrait::ConstantLike>();
}

std::optional<std::pair<double, double>> readRange(Attribute attr) {
  auto array = dyn_cast_or_null<DenseF64ArrayAttr>(attr);
  if (!array || array.size() != 2)
    return std::nullopt;
  return std::make_pair(array[0], array[1]);
}

/// The ranges `op`'s results are checked with, and whether they are
/// calibrated ones. Calibrated ranges (nb-import-calibration-table) where
/// the op has them and `useCalibrated`: they are measured on representative
/// data. Else nb-annotate-ranges' proved ones, the worst case over every
/// input in the input box, which through a deep network are loose by orders
/// of magnitude (PP-OCR's direction classifier: about +-180000 proved where
/// +-9 is measured) and would keep most ops f32.
struct CheckedRanges {
  SmallVector<std::pair<double, double>> ranges;
  bool calibrated = false;
};

CheckedRanges knownRanges(Operation *op, bool useCalibrated) {
  auto collect = [&](StringRef single, StringRef multiple) {
    SmallVector<std::pair<double, double>> ranges;
    if (auto range = readRange(op->getAttr(single)))
      ranges.push_back(*range);
    if (auto array = dyn_cast_or_null<ArrayAttr>(op->getAttr(multiple)))
      for (Attribute entry : array)
        if (auto range = readRange(entry))
          ranges.push_back(*range);
    return ranges;
  };
  if (useCalibrated) {
    auto calibrated =
        collect("nb.calibrated_range", "nb.calibrated_result_ranges");
    if (!calibrated.empty())
      return {std::move(calibrated), true};
  }
  return {collect(kRangeAttrName, kResultRangesAttrName), false};
}

/// What the known ranges of an op say about the target type.
enum class RangeVerdict { Fits, Exceeds, Unknown };

class FloatPrecisionConverter {
public:
  FloatPrecisionConverter(ModuleOp module, const OpSelection &selection,
                          FloatType target, bool keepIOTypes,
                          bool keepUnknownRanges, double calibratedHeadroom)
      : module(module), selection(selection), target(target),
        keepIOTypes(keepIOTypes), keepUnknownRanges(keepUnknownRanges),
        calibratedHeadroom(calibratedHeadroom),
        largest(APFloat::getLargest(target.getFloatSemantics())
                    .convertToDouble()),
        rewriter(module.getContext()) {}

  LogicalResult run() {
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (failed(plan(func)))
        return failure();
      rewrite(func);
    }
    return success();
  }

private:
  /// Whether a finite `bound` is out of the target's reach. An infinite
  /// bound says only that nothing bounded the value; it is no evidence.
  bool exceedsTarget(double bound) const {
    return std::isfinite(bound) && std::fabs(bound) > largest;
  }

  /// Whether an unknown range can matter: f16 may overflow where f32 would
  /// not; bf16 has f32's exponent range and risks nothing more.
  bool narrowerRangeThanF32() const { return largest < 1e38; }

  /// Fits when some range of `op` is finite and within the target,
  /// Exceeds (with `problem` set) when a finite bound is beyond it, Unknown
  /// when no range is finite at both ends.
  RangeVerdict checkRanges(Operation *op, std::string &problem) const {
    bool bounded = false;
    CheckedRanges known = knownRanges(op, calibratedHeadroom > 0);
    double factor = known.calibrated ? calibratedHeadroom : 1.0;
    for (auto [lo, hi] : known.ranges) {
      if (exceedsTarget(lo * factor) || exceedsTarget(hi * factor)) {
        problem = (known.calibrated ? "calibrated range [" : "proved range [") +
                  formatNumber(lo) + ", " + formatNumber(hi) + "]" +
                  (known.calibrated
                       ? " with " + formatNumber(factor) + "x headroom"
                       : std::string()) +
                  " exceeds " + typeName() + "'s largest finite value " +
                  formatNumber(largest);
        return RangeVerdict::Exceeds;
      }
      bounded |= std::isfinite(lo) && std::isfinite(hi);
    }
    return bounded ? RangeVerdict::Fits : RangeVerdict::Unknown;
  }

  /// Why `op`'s constant operands do not fit the target type, or an empty
  /// string.
  std::string constantProblem(Operation *op) const {
    for (Value operand : op->getOperands()) {
      if (!isF32Tensor(operand.getType()) || !matchPattern(operand, m_Constant()))
        continue;
      FailureOr<SmallVector<float>> values = getConstantFloatValues(operand);
      if (failed(values))
        continue;
      for (float value : *values)
        if (std::isfinite(value) && exceedsTarget(value))
          return "constant operand value " + formatNumber(value) +
                 " exceeds " + typeName() + "'s largest finite value " +
                 formatNumber(largest);
    }
    return "";
  }

  static std::string formatNumber(double value) {
    std::string text;
    llvm::raw_string_ostream(text) << llvm::format("%g", value);
    return text;
  }

  std::string typeName() const { return target.isF16() ? "f16" : "bf16"; }

  LogicalResult plan(func::FuncOp func) {
    converted.clear();
    unsigned unknownRanges = 0;
    WalkResult result = func.walk([&](Operation *op) {
      if (!isa<NBDialect>(op->getDialect()) || isBoundaryOp(op) ||
          isa<nb::ShapeOp>(op) || !hasF32Value(op) || op->hasAttr(kKeptFloatAttrName) ||
          !selection.isSelected(op))
        return WalkResult::advance();
      if (!halfPrecisionOpTypes().contains(getONNXOpType(op)))
        return keep(op, "no " + typeName() + " form of this op");
      bool mixed = llvm::any_of(op->getOperandTypes(), [](Type type) {
        auto tensor = dyn_cast<TensorType>(type);
        return tensor && isa<FloatType>(tensor.getElementType()) &&
               !tensor.getElementType().isF32();
      });
      if (mixed)
        return keep(op, "has float operands that are not f32");
      std::string problem;
      RangeVerdict verdict = checkRanges(op, problem);
      if (verdict == RangeVerdict::Exceeds)
        return keep(op, problem);
      problem = constantProblem(op);
      if (!problem.empty())
        return keep(op, problem);
      if (verdict == RangeVerdict::Unknown && narrowerRangeThanF32()) {
        if (keepUnknownRanges)
          return keep(op, "range unknown (unbounded or not annotated), may "
                          "exceed " + typeName() + "'s largest finite value " +
                          formatNumber(largest) + " (unknown-ranges=keep-f32)");
        ++unknownRanges;
      }
      converted.insert(op);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    // One note for all of them: an unannotated model would otherwise get one
    // per op. At the function's location, without printing the function.
    if (unknownRanges)
      emitRemark(func.getLoc()) << "ranges unknown for " << unknownRanges << " of "
                        << converted.size() << " ops converted to "
                        << typeName() << " (no finite nb.range or "
                        << "nb.calibrated_range): their values may exceed "
                        << formatNumber(largest)
                        << "; bound them with nb.range on the inputs and "
                           "nb-annotate-ranges, or a calibration table "
                           "(nb-import-calibration-table), or keep them f32 "
                           "with unknown-ranges=keep-f32";
    return success();
  }

  WalkResult keep(Operation *op, const std::string &reason) {
    return failed(selection.keepFloat(op, reason)) ? WalkResult::interrupt()
                                                   : WalkResult::advance();
  }

  Type toTarget(Type type) const {
    return cast<TensorType>(type).clone(target);
  }

  /// Whether the signature of `func` may change: not with keep-io-types,
  /// and not for a function something calls.
  bool convertsSignature(func::FuncOp func) const {
    return !keepIOTypes && SymbolTable::symbolKnownUseEmpty(func, module);
  }

  void rewrite(func::FuncOp func) {
    halfOf.clear();
    floatOf.clear();
    changed.clear();

    if (convertsSignature(func)) {
      Block &entry = func.getBody().front();
      for (BlockArgument argument : entry.getArguments()) {
        if (!isF32Tensor(argument.getType()))
          continue;
        // An input whose declared range f16 cannot hold keeps its type.
        if (auto range = readRange(
                func.getArgAttr(argument.getArgNumber(), kRangeAttrName));
            range && (exceedsTarget(range->first) ||
                      exceedsTarget(range->second)))
          continue;
        argument.setType(toTarget(argument.getType()));
        changed.insert(argument);
      }
    }
    for (Operation *op : converted)
      rewriter.modifyOpInPlace(op, [&] {
        for (OpResult result : op->getResults())
          if (isF32Tensor(result.getType())) {
            result.setType(toTarget(result.getType()));
            changed.insert(result);
          }
      });

    // Operands: converted ops read half values, every other op reads what
    // it read before. A converted signature returns each value in the type
    // it now has: half where computed in half, f32 where an op had to stay
    // f32 (its range would overflow the half result).
    // Collected first: the casts made below must not be visited.
    bool halfResults = convertsSignature(func);
    SmallVector<Operation *> users;
    func.walk([&](Operation *op) {
      // nb.shape reads only the shape, of any element type.
      if (!isa<nb::ShapeOp>(op) && !(halfResults && isa<func::ReturnOp>(op)))
        users.push_back(op);
    });
    for (Operation *op : users) {
      bool readsHalf = converted.contains(op);
      for (OpOperand &operand : op->getOpOperands()) {
        Value value = operand.get();
        if (readsHalf && isF32Tensor(value.getType()))
          operand.set(getHalf(value));
        else if (!readsHalf && changed.contains(value))
          operand.set(getFloat(value));
      }
    }

    SmallVector<Type> results;
    func.walk([&](func::ReturnOp ret) {
      results.assign(ret.getOperandTypes().begin(),
                     ret.getOperandTypes().end());
    });
    func.setType(FunctionType::get(func.getContext(),
                                   func.getBody().front().getArgumentTypes(),
                                   results));

    // f32 constants whose every user now reads the half copy.
    for (auto [original, half] : halfOf)
      if (Operation *def = original.getDefiningOp();
          def && def->hasTrait<OpTrait::ConstantLike>() && def->use_empty())
        rewriter.eraseOp(def);
  }

  /// `value` (f32) in the target type: a converted constant or one cast.
  Value getHalf(Value value) {
    if (Value half = halfOf.lookup(value))
      return half;
    rewriter.setInsertionPointAfterValue(value);
    Location loc = value.getLoc();
    Value half;
    FailureOr<SmallVector<float>> values =
        matchPattern(value, m_Constant()) ? getConstantFloatValues(value)
                                          : FailureOr<SmallVector<float>>();
    auto type = cast<TensorType>(value.getType());
    if (succeeded(values) && type.hasStaticShape()) {
      SmallVector<APFloat> narrowed;
      narrowed.reserve(values->size());
      for (float element : *values) {
        APFloat narrow(element);
        bool losesInfo;
        narrow.convert(target.getFloatSemantics(),
                       APFloat::rmNearestTiesToEven, &losesInfo);
        narrowed.push_back(narrow);
      }
      auto halfType = RankedTensorType::get(type.getShape(), target);
      half = nb::ConstantOp::create(rewriter, loc,
                                    DenseElementsAttr::get(halfType, narrowed));
    } else {
      half = nb::CastOp::create(rewriter, loc, toTarget(type), value,
                                rewriter.getBoolAttr(true));
    }
    halfOf[value] = half;
    return half;
  }

  /// A converted (half) value back in f32, one cast per value.
  Value getFloat(Value value) {
    if (Value wide = floatOf.lookup(value))
      return wide;
    rewriter.setInsertionPointAfterValue(value);
    auto type = cast<TensorType>(value.getType()).clone(
        Float32Type::get(value.getContext()));
    Value wide = nb::CastOp::create(rewriter, value.getLoc(), type, value,
                                    rewriter.getBoolAttr(true));
    floatOf[value] = wide;
    return wide;
  }

  ModuleOp module;
  const OpSelection &selection;
  FloatType target;
  bool keepIOTypes;
  bool keepUnknownRanges;
  double calibratedHeadroom;
  double largest;
  IRRewriter rewriter;

  llvm::SetVector<Operation *> converted;
  DenseSet<Value> changed;
  DenseMap<Value, Value> halfOf;
  DenseMap<Value, Value> floatOf;
};

struct ConvertFloatPrecisionPass
    : public nb::impl::ConvertFloatPrecisionBase<ConvertFloatPrecisionPass> {
  using ConvertFloatPrecisionBase::ConvertFloatPrecisionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FloatType target;
    if (targetType == "f16")
      target = Float16Type::get(&getContext());
    else if (targetType == "bf16")
      target = BFloat16Type::get(&getContext());
    else {
      module.emitError("nb-convert-float-precision: type must be f16 or "
                       "bf16, got '")
          << targetType << "'";
      return signalPassFailure();
    }
    if (unknownRanges != "convert" && unknownRanges != "keep-f32") {
      module.emitError("nb-convert-float-precision: unknown-ranges must be "
                       "convert or keep-f32, got '")
          << unknownRanges << "'";
      return signalPassFailure();
    }
    std::string error;
    FailureOr<OpSelection> selection = OpSelection::create(
        excludeNodes, excludeOpTypes, strict, error,
        {targetType == "f16" ? "fp16" : "bf16"});
    if (failed(selection)) {
      module.emitError("nb-convert-float-precision: ") << error;
      return signalPassFailure();
    }
    if (!(calibratedHeadroom >= 0) || !std::isfinite(calibratedHeadroom)) {
      module.emitError("nb-convert-float-precision: calibrated-headroom "
                       "must be a finite number >= 0");
      return signalPassFailure();
    }
    FloatPrecisionConverter converter(module, *selection, target,
                                      keepIOTypes,
                                      unknownRanges == "keep-f32",
                                      calibratedHeadroom);
    if (failed(converter.run()))
      signalPassFailure();
  }
};

} // namespace
