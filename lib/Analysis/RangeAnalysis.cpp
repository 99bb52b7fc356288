//===- RangeAnalysis.cpp - Static value ranges of nb tensors --------------===//
//
// Transfer functions of FloatRangeAnalysis. Every rule must be sound in real
// arithmetic; results of floating-point arithmetic are widened by a rounding
// allowance (see widenForRounding) so that f32 evaluation order does not take
// a value past a proved bound.
//
//===----------------------------------------------------------------------===//

#include "nibble/Analysis/RangeAnalysis.h"
#include "RangeAnalysisUtils.h"

#include "nibble/Dialect/NB/IR/NBOps.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::nb;

static constexpr double kInf = std::numeric_limits<double>::infinity();

//===----------------------------------------------------------------------===//
// FloatInterval
//===----------------------------------------------------------------------===//

FloatInterval FloatInterval::unbounded() { return {-kInf, kInf}; }

FloatInterval FloatInterval::ofType(Type type) {
  Type element = getElementTypeOrSelf(type);
  auto intType = dyn_cast<IntegerType>(element);
  if (!intType || intType.getWidth() > 63)
    return unbounded();
  unsigned width = intType.getWidth();
  if (width == 1 || intType.isUnsigned())
    return {0.0, std::ldexp(1.0, width) - 1};
  // Signless integers are signed in ONNX (int8, int32, ...).
  return {-std::ldexp(1.0, width - 1), std::ldexp(1.0, width - 1) - 1};
}

bool FloatInterval::isFinite() const {
  return bounds && std::isfinite(lo()) && std::isfinite(hi());
}

FloatInterval FloatInterval::join(const FloatInterval &a,
                                  const FloatInterval &b) {
  if (a.isUninitialized())
    return b;
  if (b.isUninitialized())
    return a;
  return {std::min(a.lo(), b.lo()), std::max(a.hi(), b.hi())};
}

FloatInterval FloatInterval::including(double v) const {
  return join(*this, point(v));
}

void FloatInterval::print(raw_ostream &os) const {
  if (isUninitialized()) {
    os << "<uninitialized>";
    return;
  }
  os << "[" << lo() << ", " << hi() << "]";
}

FloatInterval mlir::nb::getProvedRange(const DataFlowSolver &solver,
                                       Value value) {
  auto *lattice = solver.lookupState<FloatRangeLattice>(value);
  if (!lattice || lattice->getValue().isUninitialized())
    return FloatInterval::unbounded();
  return lattice->getValue();
}

FailureOr<FloatInterval> mlir::nb::parseRangeAttr(Attribute attr,
                                                  std::string &error) {
  auto array = dyn_cast<DenseF64ArrayAttr>(attr);
  if (!array || array.size() != 2) {
    error = "expected 'nb.range' to be array<f64: lo, hi>";
    return failure();
  }
  double lo = array[0], hi = array[1];
  if (std::isnan(lo) || std::isnan(hi) || lo > hi) {
    error = "'nb.range' needs lo <= hi (no NaN)";
    return failure();
  }
  return FloatInterval(lo, hi);
}

LogicalResult mlir::nb::verifyArgumentRangeAttrs(Operation *root) {
  WalkResult result = root->walk([](FunctionOpInterface func) {
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      Attribute attr = func.getArgAttr(i, kRangeAttrName);
      std::string error;
      if (attr && failed(parseRangeAttr(attr, error))) {
        func.emitError() << "argument #" << i << ": " << error;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// Interval arithmetic helpers
//===----------------------------------------------------------------------===//

namespace mlir::nb::range_detail {

double mulBound(double a, double b) {
  // 0 * inf only arises from an exact zero bound times an unbounded one;
  // the product of a finite value with 0 is 0.
  if (a == 0.0 || b == 0.0)
    return 0.0;
  return a * b;
}

FloatInterval mul(const FloatInterval &a, const FloatInterval &b) {
  double c[] = {mulBound(a.lo(), b.lo()), mulBound(a.lo(), b.hi()),
                mulBound(a.hi(), b.lo()), mulBound(a.hi(), b.hi())};
  return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
}

FloatInterval add(const FloatInterval &a, const FloatInterval &b) {
  double lo = a.lo() + b.lo(), hi = a.hi() + b.hi();
  // -inf + inf: one side is unbounded anyway.
  return {std::isnan(lo) ? -kInf : lo, std::isnan(hi) ? kInf : hi};
}

FloatInterval neg(const FloatInterval &a) { return {-a.hi(), -a.lo()}; }

FloatInterval div(const FloatInterval &a, const FloatInterval &b) {
  if (b.lo() <= 0.0 && b.hi() >= 0.0)
    return FloatInterval::unbounded();
  return mul(a, FloatInterval(1.0 / b.hi(), 1.0 / b.lo()));
}

FloatInterval widenForRounding(const FloatInterval &r, double magnitude,
                               int64_t terms, Type resultType) {
  if (!isa<FloatType>(getElementTypeOrSelf(resultType)) || !r.isFinite())
    return r;
  auto floatType = cast<FloatType>(getElementTypeOrSelf(resultType));
  // Unit roundoff of the result type (f32: 2^-24); a sum of `terms` rounded
  // operations is off by at most about terms * u * sum|terms|.
  double u = std::ldexp(1.0, -static_cast<int>(floatType.getFPMantissaWidth()));
  double slack = static_cast<double>(terms + 2) * u *
                 std::max({magnitude, std::fabs(r.lo()), std::fabs(r.hi())});
  return {r.lo() - slack, r.hi() + slack};
}

std::optional<SmallVector<double>> getConstantValues(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  ElementsAttr attr = constant.getValue();
  Type element = attr.getElementType();
  SmallVector<double> values;
  int64_t count = attr.getNumElements();
  values.reserve(count);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (isa<FloatType>(element)) {
      for (const APFloat &v : dense.getValues<APFloat>()) {
        bool losesInfo;
        APFloat d = v;
        d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
        values.push_back(d.convertToDouble());
      }
      return values;
    }
    if (auto intType = dyn_cast<IntegerType>(element)) {
      bool isUnsigned = intType.isUnsigned() || intType.getWidth() == 1;
      for (const APInt &v : dense.getValues<APInt>())
        values.push_back(isUnsigned ? static_cast<double>(v.getZExtValue())
                                    : static_cast<double>(v.getSExtValue()));
      return values;
    }
    return std::nullopt;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return std::nullopt;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  ArrayRef<char> data = blob->getData();
  auto read = [&](auto tag) -> std::optional<SmallVector<double>> {
    using T = decltype(tag);
    if (data.size() != static_cast<size_t>(count) * sizeof(T))
      return std::nullopt;
    for (int64_t i = 0; i < count; ++i) {
      T v;
      std::memcpy(&v, data.data() + i * sizeof(T), sizeof(T));
      values.push_back(static_cast<double>(v));
    }
    return values;
  };
  if (element.isF32())
    return read(float());
  if (element.isF64())
    return read(double());
  if (auto intType = dyn_cast<IntegerType>(element)) {
    bool u = intType.isUnsigned();
    switch (intType.getWidth()) {
    case 8:
      return u ? read(uint8_t()) : read(int8_t());
    case 16:
      return u ? read(uint16_t()) : read(int16_t());
    case 32:
      return u ? read(uint32_t()) : read(int32_t());
    case 64:
      return u ? read(uint64_t()) : read(int64_t());
    default:
      break;
    }
  }
  return std::nullopt;
}

} // namespace mlir::nb::range_detail

using namespace mlir::nb::range_detail;

//===----------------------------------------------------------------------===//
// Transfer functions
//===----------------------------------------------------------------------===//

/// Hull of a function over [lo, hi] that decreases up to `xMin` and
/// increases after it, with minimum value `fMin` (hard_swish, gelu).
template <typename Fn>
static FloatInterval valleyRange(const FloatInterval &x, double xMin,
                                 double fMin, Fn f) {
  double flo = f(x.lo()), fhi = f(x.hi());
  if (x.hi() <= xMin)
    return {fhi, flo};
  if (x.lo() >= xMin)
    return {flo, fhi};
  return {fMin, std::max(flo, fhi)};
}

template <typename Fn>
static FloatInterval monotone(const FloatInterval &x, Fn f) {
  double a = f(x.lo()), b = f(x.hi());
  return {std::min(a, b), std::max(a, b)};
}

static double hardSigmoid(double x, double alpha, double beta) {
  return std::clamp(mulBound(alpha, x) + beta, 0.0, 1.0);
}

/// Interval of an elementwise op on `x`, or std::nullopt when unknown.
static std::optional<FloatInterval> unaryRange(Operation *op,
                                               const FloatInterval &x) {
  return TypeSwitch<Operation *, std::optional<FloatInterval>>(op)
      .Case([&](ReluOp) {
        return FloatInterval(std::max(0.0, x.lo()), std::max(0.0, x.hi()));
      })
      .Case([&](LeakyReluOp leaky) {
        double alpha = leaky.getAlphaAttr().getValueAsDouble();
        auto f = [&](double v) { return v >= 0 ? v : mulBound(alpha, v); };
        FloatInterval r = monotone(x, f);
        return x.lo() < 0 && x.hi() > 0 ? r.including(0.0) : r;
      })
      .Case([&](SigmoidOp) {
        return monotone(x, [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
      })
      .Case([&](TanhOp) { return monotone(x, [](double v) { return std::tanh(v); }); })
      .Case([&](ErfOp) { return monotone(x, [](double v) { return std::erf(v); }); })
      .Case([&](ExpOp) { return monotone(x, [](double v) { return std::exp(v); }); })
      .Case([&](LogOp) {
        // Negative inputs give NaN, which intervals do not describe.
        auto f = [](double v) { return v > 0 ? std::log(v) : -kInf; };
        return monotone(x, f);
      })
      .Case([&](SqrtOp) {
        return monotone(x, [](double v) { return std::sqrt(std::max(v, 0.0)); });
      })
      .Case([&](NegOp) { return neg(x); })
      .Case([&](AbsOp) {
        if (x.lo() >= 0)
          return x;
        if (x.hi() <= 0)
          return neg(x);
        return FloatInterval(0.0, std::max(-x.lo(), x.hi()));
      })
      .Case([&](ReciprocalOp) {
        return div(FloatInterval::point(1.0), x);
      })
      .Case<SinOp, CosOp>([&](Operation *) { return FloatInterval(-1.0, 1.0); })
      .Case([&](HardSigmoidOp hs) {
        double alpha = hs.getAlphaAttr().getValueAsDouble();
        double beta = hs.getBetaAttr().getValueAsDouble();
        return monotone(x, [&](double v) { return hardSigmoid(v, alpha, beta); });
      })
      .Case([&](HardSwishOp) {
        auto f = [](double v) {
          return mulBound(v, hardSigmoid(v, 1.0 / 6.0, 0.5));
        };
        return valleyRange(x, -1.5, -0.375, f);
      })
      .Case([&](GeluOp) {
        // Minimum of x * Phi(x) is -0.16997 at x = -0.75179; the tanh
        // approximation differs from it by < 1e-3, covered by the slack.
        auto f = [](double v) {
          if (std::isinf(v))
            return v > 0 ? v : 0.0;
          return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
        };
        FloatInterval r = valleyRange(x, -0.7517915, -0.1699973, f);
        return FloatInterval(r.lo() - 1e-3, r.hi() + 1e-3);
      })
      .Case([&](SoftmaxOp) { return FloatInterval(0.0, 1.0); })
      .Default([](Operation *) { return std::nullopt; });
}

/// Intervals computed without looking at operand lattices beyond `in(i)`.
static std::optional<FloatInterval>
opRange(Operation *op, llvm::function_ref<FloatInterval(unsigned)> in) {
  Type resultType = op->getResult(0).getType();
  if (op->getNumOperands() == 1 || isa<SoftmaxOp>(op))
    if (std::optional<FloatInterval> r = unaryRange(op, in(0))) {
      // Library transcendental functions are accurate to a few ulps.
      if (isa<ReluOp, NegOp, AbsOp, SoftmaxOp>(op) || !r->isFinite())
        return r;
      FloatInterval w = widenForRounding(*r, 0.0, 8, resultType);
      // The slack must not leave the function's codomain.
      FloatInterval codomain = FloatInterval::unbounded();
      if (isa<SigmoidOp, HardSigmoidOp>(op))
        codomain = {0.0, 1.0};
      else if (isa<TanhOp, ErfOp, SinOp, CosOp>(op))
        codomain = {-1.0, 1.0};
      else if (isa<ExpOp, SqrtOp>(op))
        codomain = {0.0, kInf};
      return FloatInterval(std::max(w.lo(), codomain.lo()),
                           std::min(w.hi(), codomain.hi()));
    }

  auto arith = [&](FloatInterval r) {
    double magnitude = std::max({std::fabs(in(0).lo()), std::fabs(in(0).hi()),
                                 std::fabs(in(1).lo()), std::fabs(in(1).hi())});
    return widenForRounding(r, magnitude, 1, resultType);
  };
  return TypeSwitch<Operation *, std::optional<FloatInterval>>(op)
      .Case([&](AddOp) { return arith(add(in(0), in(1))); })
      .Case([&](SubOp) { return arith(add(in(0), neg(in(1)))); })
      .Case([&](MulOp) { return arith(mul(in(0), in(1))); })
      .Case([&](DivOp) { return arith(div(in(0), in(1))); })
      .Case([&](PowOp pow) -> std::optional<FloatInterval> {
        std::optional<SmallVector<double>> exponent =
            getConstantValues(pow->getOperand(1));
        if (!exponent || exponent->size() != 1)
          return std::nullopt;
        double p = (*exponent)[0];
        FloatInterval x = in(0);
        auto f = [p](double v) { return std::pow(v, p); };
        if (p == 0.0)
          return FloatInterval::point(1.0);
        if (std::trunc(p) == p) {
          bool even = std::fmod(std::fabs(p), 2.0) == 0.0;
          if (p < 0 && x.lo() <= 0 && x.hi() >= 0)
            return FloatInterval::unbounded();
          FloatInterval r = monotone(x, f);
          if (even && x.lo() < 0 && x.hi() > 0)
            r = r.including(0.0);
          r = widenForRounding(r, 0.0, 8, resultType);
          return even ? FloatInterval(std::max(r.lo(), 0.0), r.hi()) : r;
        }
        // Non-integer exponents are defined (not NaN) on x >= 0 only.
        if (x.hi() < 0)
          return FloatInterval::unbounded();
        FloatInterval nonNeg(std::max(x.lo(), 0.0), x.hi());
        if (p < 0 && nonNeg.lo() == 0.0)
          return FloatInterval(f(nonNeg.hi()), kInf);
        return widenForRounding(monotone(nonNeg, f), 0.0, 8, resultType);
      })
      .Case([&](ClipOp clip) {
        FloatInterval x = in(0);
        FloatInterval lo = clip.getMin() ? in(1) : FloatInterval(-kInf, -kInf);
        FloatInterval hi = clip.getMax() ? in(clip.getMin() ? 2 : 1)
                                         : FloatInterval(kInf, kInf);
        // min(max(x, lo), hi) is monotone in all three arguments.
        return FloatInterval(std::min(std::max(x.lo(), lo.lo()), hi.lo()),
                             std::min(std::max(x.hi(), lo.hi()), hi.hi()));
      })
      .Case([&](WhereOp) { return FloatInterval::join(in(1), in(2)); })
      .Case([&](EqualOp) { return FloatInterval(0.0, 1.0); })
      .Case([&](ConcatOp) {
        FloatInterval r;
        for (unsigned i = 0, e = op->getNumOperands(); i < e; ++i)
          r = FloatInterval::join(r, in(i));
        return r;
      })
      .Case<ReshapeOp, TransposeOp, UnsqueezeOp, SqueezeOp, FlattenOp,
            ExpandOp, GatherOp, SliceOp, SplitOp, MaxPoolOp,
            GlobalAveragePoolOp, ReduceMeanOp>(
          [&](Operation *) { return in(0); })
      .Case([&](AveragePoolOp pool) {
        return pool.getCountIncludePad() ? in(0).including(0.0) : in(0);
      })
      .Case([&](TriluOp) { return in(0).including(0.0); })
      .Case([&](PadOp pad) {
        if (pad.getMode() != PadMode::Constant)
          return in(0);
        return pad.getConstantValue() ? FloatInterval::join(in(0), in(2))
                                      : in(0).including(0.0);
      })
      .Case([&](ResizeOp resize) -> std::optional<FloatInterval> {
        // Cubic interpolation overshoots its inputs.
        if (resize.getMode() == ResizeMode::Cubic)
          return std::nullopt;
        return in(0);
      })
      .Case([&](CastOp) -> std::optional<FloatInterval> {
        Type to = getElementTypeOrSelf(resultType);
        FloatInterval storage = FloatInterval::ofType(to);
        if (isa<FloatType>(to))
          return widenForRounding(in(0), 0.0, 1, resultType);
        // Out-of-range float to integer casts are not value-preserving.
        if (in(0).lo() >= storage.lo() && in(0).hi() <= storage.hi())
          return FloatInterval(std::floor(in(0).lo()), std::ceil(in(0).hi()));
        return std::nullopt;
      })
      .Case([&](DequantizeLinearOp dq) {
        FloatInterval x = in(0);
        if (dq.getZeroPoint())
          x = add(x, neg(in(2)));
        return arith(mul(x, in(1)));
      })
      .Case([&](QuantizeLinearOp q) -> std::optional<FloatInterval> {
        FloatInterval scale = in(1);
        if (scale.lo() <= 0)
          return std::nullopt;
        FloatInterval y = div(in(0), scale);
        if (q.getZeroPoint())
          y = add(y, in(2));
        FloatInterval storage = FloatInterval::ofType(resultType);
        return FloatInterval(
            std::clamp(std::floor(y.lo()), storage.lo(), storage.hi()),
            std::clamp(std::ceil(y.hi()), storage.lo(), storage.hi()));
      })
      .Default([](Operation *) { return std::nullopt; });
}

LogicalResult
FloatRangeAnalysis::visitOperation(Operation *op,
                                   ArrayRef<const FloatRangeLattice *> operands,
                                   ArrayRef<FloatRangeLattice *> results) {
  // Wait until every operand is known; a later visit will complete it.
  for (const FloatRangeLattice *operand : operands)
    if (operand->getValue().isUninitialized())
      return success();
  auto in = [&](unsigned i) { return operands[i]->getValue(); };

  SmallVector<FloatInterval> computed;
  if (auto constant = dyn_cast<ConstantOp>(op)) {
    FloatInterval r;
    if (std::optional<SmallVector<double>> values =
            getConstantValues(constant))
      for (double v : *values)
        if (!std::isnan(v))
          r = r.including(v);
    computed.push_back(r.isUninitialized() ? FloatInterval::ofType(
                                                 constant.getType())
                                           : r);
  } else if (std::optional<SmallVector<FloatInterval>> linear =
                 linearOpRanges(op, in)) {
    computed = std::move(*linear);
  } else if (op->getNumResults() > 0) {
    if (std::optional<FloatInterval> r = opRange(op, in))
      // Max pool indices keep the storage range of their type.
      computed.assign(isa<MaxPoolOp>(op) ? 1 : op->getNumResults(), *r);
  }

  for (auto [i, result] : llvm::enumerate(results)) {
    Type type = op->getResult(i).getType();
    FloatInterval r = i < computed.size() ? computed[i]
                                          : FloatInterval::ofType(type);
    // Integer arithmetic wraps: a result that may leave the storage range
    // can be anything in it.
    FloatInterval storage = FloatInterval::ofType(type);
    if (r.lo() < storage.lo() || r.hi() > storage.hi())
      r = storage;
    propagateIfChanged(result, result->join(r));
  }
  return success();
}

void FloatRangeAnalysis::setToEntryState(FloatRangeLattice *lattice) {
  Value value = lattice->getAnchor();
  FloatInterval r = FloatInterval::ofType(value.getType());
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func =
        dyn_cast_or_null<FunctionOpInterface>(arg.getOwner()->getParentOp());
    if (func && arg.getOwner()->isEntryBlock())
      if (Attribute attr = func.getArgAttr(arg.getArgNumber(), kRangeAttrName)) {
        std::string error;
        FailureOr<FloatInterval> declared = parseRangeAttr(attr, error);
        // A malformed attribute is reported by nb-annotate-ranges; here it
        // is ignored, which is sound.
        if (succeeded(declared))
          r = *declared;
      }
  }
  propagateIfChanged(lattice, lattice->join(r));
}
