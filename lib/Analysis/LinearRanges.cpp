//===- LinearRanges.cpp - Ranges of linear nb ops and accumulators --------===//
//
// matmul/gemm/conv with a constant weight are bounded per output channel j:
// sum_k x_k W_jk lies in [sum_k (max(W,0) lo + min(W,0) hi),
// sum_k (max(W,0) hi + min(W,0) lo)], plus the bias of channel j; the result
// is the hull over channels. Without a constant weight the bound is
// K * (x * w) in interval arithmetic. The integer ops use the same rule on
// (x - x_zero_point) and (W - w_zero_point) to bound their int32
// accumulators.
//
//===----------------------------------------------------------------------===//

#include "RangeAnalysisUtils.h"

#include "nibble/Dialect/NB/IR/NBOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::range_detail;

namespace {
/// A constant weight viewed as `rows` output channels of `k` elements each.
struct WeightRows {
  SmallVector<double> values;
  int64_t rows = 0, k = 0;
  /// Flat index of element i of row r.
  std::function<int64_t(int64_t, int64_t)> index;
};

/// Per-row value of a constant vector of `rows` elements (or a scalar), or
/// the interval of `fallback`.
struct PerRow {
  std::optional<SmallVector<double>> values;
  FloatInterval fallback;
  int64_t rows;
  FloatInterval at(int64_t r) const {
    if (values && values->size() == 1)
      return FloatInterval::point((*values)[0]);
    if (values && static_cast<int64_t>(values->size()) == rows)
      return FloatInterval::point((*values)[r]);
    return fallback;
  }
};
} // namespace

static int64_t staticNumElements(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasStaticShape() ? shaped.getNumElements() : -1;
}

/// Hull over rows of finish(r, sum_i (W[r,i] - wZero(r)) * x); `magnitude`
/// receives the largest sum_i |W - wZero| * max|x| for rounding slack.
static FloatInterval
rowsHull(const WeightRows &w, const FloatInterval &x, const PerRow &wZero,
         llvm::function_ref<FloatInterval(int64_t, FloatInterval)> finish,
         double &magnitude) {
  FloatInterval hull;
  double xMax = std::max(std::fabs(x.lo()), std::fabs(x.hi()));
  magnitude = 0;
  for (int64_t r = 0; r < w.rows; ++r) {
    FloatInterval zero = wZero.at(r);
    double lo = 0, hi = 0, absSum = 0;
    for (int64_t i = 0; i < w.k; ++i) {
      double wv = w.values[w.index(r, i)];
      // An unknown weight zero point widens the weight itself.
      FloatInterval term = mul(x, FloatInterval(wv - zero.hi(), wv - zero.lo()));
      lo += term.lo();
      hi += term.hi();
      absSum += std::max(std::fabs(wv - zero.lo()), std::fabs(wv - zero.hi()));
    }
    magnitude = std::max(magnitude, mulBound(absSum, xMax));
    hull = FloatInterval::join(hull, finish(r, FloatInterval(lo, hi)));
  }
  return hull;
}

/// K * (x * w): every product bounded the same way.
static FloatInterval genericSum(const FloatInterval &x, const FloatInterval &w,
                                int64_t k) {
  return mul(FloatInterval::point(static_cast<double>(k)), mul(x, w));
}

/// Reduction size and the constant weight rows of a conv-like op whose
/// weight is [M, C/group, k...].
static std::optional<WeightRows> convRows(Value weight) {
  auto type = dyn_cast<RankedTensorType>(weight.getType());
  std::optional<SmallVector<double>> values = getConstantValues(weight);
  if (!type || !type.hasStaticShape() || type.getRank() < 2 || !values ||
      type.getDimSize(0) == 0)
    return std::nullopt;
  WeightRows rows;
  rows.values = std::move(*values);
  rows.rows = type.getDimSize(0);
  rows.k = type.getNumElements() / rows.rows;
  int64_t k = rows.k;
  rows.index = [k](int64_t r, int64_t i) { return r * k + i; };
  return rows;
}

/// Reduction size of a conv weight [M, C/group, k...]; -1 when dynamic.
static int64_t convReductionSize(Value weight) {
  auto type = dyn_cast<RankedTensorType>(weight.getType());
  if (!type || type.getRank() < 2 || !type.hasStaticShape() ||
      type.getDimSize(0) == 0)
    return -1;
  return type.getNumElements() / type.getDimSize(0);
}

/// Columns of a constant matmul rhs [..., K, N] (or [K]).
static std::optional<WeightRows> matmulRows(Value rhs, bool transposed) {
  auto type = dyn_cast<RankedTensorType>(rhs.getType());
  std::optional<SmallVector<double>> values = getConstantValues(rhs);
  if (!type || !type.hasStaticShape() || type.getRank() < 1 || !values)
    return std::nullopt;
  WeightRows rows;
  rows.values = std::move(*values);
  if (type.getRank() == 1) {
    rows.rows = 1;
    rows.k = type.getDimSize(0);
    rows.index = [](int64_t, int64_t i) { return i; };
    return rows;
  }
  int64_t r0 = type.getDimSize(type.getRank() - 2);
  int64_t r1 = type.getDimSize(type.getRank() - 1);
  int64_t k = transposed ? r1 : r0, n = transposed ? r0 : r1;
  if (n == 0 || k == 0)
    return std::nullopt;
  rows.k = k;
  rows.rows = type.getNumElements() / k;
  rows.index = [k, n, transposed](int64_t r, int64_t i) {
    int64_t batch = r / n, col = r % n;
    return batch * k * n + (transposed ? col * k + i : i * n + col);
  };
  return rows;
}

static int64_t matmulReductionSize(Value lhs) {
  auto type = dyn_cast<RankedTensorType>(lhs.getType());
  if (!type || type.getRank() < 1 || type.isDynamicDim(type.getRank() - 1))
    return -1;
  return type.getDimSize(type.getRank() - 1);
}

namespace {
/// Operands of an integer matmul/conv in one shape.
struct IntegerLinear {
  Value x, w, xZero, wZero, bias;
  bool isConv;
};
} // namespace

static std::optional<IntegerLinear> getIntegerLinear(Operation *op) {
  return TypeSwitch<Operation *, std::optional<IntegerLinear>>(op)
      .Case([](MatMulIntegerOp o) {
        return IntegerLinear{o.getLhs(), o.getRhs(), o.getLhsZeroPoint(),
                             o.getRhsZeroPoint(), Value(), false};
      })
      .Case([](ConvIntegerOp o) {
        return IntegerLinear{o.getInput(), o.getWeight(),
                             o.getInputZeroPoint(), o.getWeightZeroPoint(),
                             Value(), true};
      })
      .Case([](QLinearMatMulOp o) {
        return IntegerLinear{o.getLhs(), o.getRhs(), o.getLhsZeroPoint(),
                             o.getRhsZeroPoint(), Value(), false};
      })
      .Case([](QLinearConvOp o) {
        return IntegerLinear{o.getInput(), o.getWeight(),
                             o.getInputZeroPoint(), o.getWeightZeroPoint(),
                             o.getBias(), true};
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// Accumulator interval of an integer matmul/conv and its reduction size.
static std::optional<std::pair<FloatInterval, int64_t>>
integerAccumulator(Operation *op, llvm::function_ref<FloatInterval(Value)> in) {
  std::optional<IntegerLinear> lin = getIntegerLinear(op);
  if (!lin)
    return std::nullopt;
  int64_t k =
      lin->isConv ? convReductionSize(lin->w) : matmulReductionSize(lin->x);
  if (k < 0)
    return std::nullopt;
  FloatInterval zero = FloatInterval::point(0.0);
  FloatInterval xZero = lin->xZero ? in(lin->xZero) : zero;
  FloatInterval x = in(lin->x);
  // Conv padding reads 0 or the zero point; cover both.
  if (lin->isConv)
    x = FloatInterval::join(x.including(0.0), xZero);
  FloatInterval xs = add(x, neg(xZero));

  std::optional<WeightRows> rows =
      lin->isConv ? convRows(lin->w) : matmulRows(lin->w, false);
  FloatInterval acc;
  if (rows && rows->k == k) {
    int64_t channels = lin->isConv ? rows->rows : [&] {
      auto type = cast<RankedTensorType>(lin->w.getType());
      return type.getRank() == 1 ? int64_t(1)
                                 : type.getDimSize(type.getRank() - 1);
    }();
    PerRow wZero{lin->wZero ? getConstantValues(lin->wZero) : std::nullopt,
                 lin->wZero ? in(lin->wZero) : zero, channels};
    if (!lin->wZero)
      wZero.values = SmallVector<double>{0.0};
    PerRow bias{lin->bias ? getConstantValues(lin->bias) : std::nullopt,
                lin->bias ? in(lin->bias) : zero, channels};
    double magnitude;
    // Matmul rows run over batches of N columns; the channel is r % N. A
    // per-column zero point of a batched weight falls back to its hull.
    acc = rowsHull(
        *rows, xs,
        PerRow{wZero.values, wZero.fallback, rows->rows},
        [&](int64_t r, FloatInterval sum) {
          return add(sum, bias.at(r % channels));
        },
        magnitude);
  } else {
    FloatInterval ws = in(lin->w);
    if (lin->wZero)
      ws = add(ws, neg(in(lin->wZero)));
    acc = genericSum(xs, ws, k);
    if (lin->bias)
      acc = add(acc, in(lin->bias));
  }
  return std::make_pair(acc, k);
}

std::optional<SmallVector<FloatInterval>>
mlir::nb::range_detail::linearOpRanges(
    Operation *op, llvm::function_ref<FloatInterval(unsigned)> in) {
  auto inValue = [&](Value v) {
    for (OpOperand &operand : op->getOpOperands())
      if (operand.get() == v)
        return in(operand.getOperandNumber());
    return FloatInterval::unbounded();
  };
  Type resultType = op->getResult(0).getType();
  FloatInterval zero = FloatInterval::point(0.0);
  using Result = std::optional<SmallVector<FloatInterval>>;
  auto one = [](FloatInterval r) { return SmallVector<FloatInterval>{r}; };

  return TypeSwitch<Operation *, Result>(op)
      .Case<MatMulIntegerOp, ConvIntegerOp>([&](Operation *) -> Result {
        auto acc = integerAccumulator(op, inValue);
        if (!acc)
          return std::nullopt;
        return one(acc->first);
      })
      .Case([&](MatMulOp matmul) -> Result {
        FloatInterval x = inValue(matmul.getLhs());
        double magnitude;
        if (std::optional<WeightRows> rows = matmulRows(matmul.getRhs(), false)) {
          PerRow noZero{SmallVector<double>{0.0}, zero, 1};
          FloatInterval r = rowsHull(
              *rows, x, noZero, [](int64_t, FloatInterval s) { return s; },
              magnitude);
          return one(widenForRounding(r, magnitude, rows->k, resultType));
        }
        int64_t k = matmulReductionSize(matmul.getLhs());
        if (k < 0)
          return std::nullopt;
        FloatInterval r = genericSum(x, inValue(matmul.getRhs()), k);
        return one(widenForRounding(r, 0.0, k, resultType));
      })
      .Case([&](GemmOp gemm) -> Result {
        double alpha = gemm.getAlphaAttr().getValueAsDouble();
        double beta = gemm.getBetaAttr().getValueAsDouble();
        FloatInterval x = inValue(gemm.getA());
        std::optional<WeightRows> rows = matmulRows(gemm.getB(), gemm.getTransB());
        Value c = gemm.getC();
        FloatInterval cRange = c ? mul(FloatInterval::point(beta), inValue(c))
                                 : zero;
        double magnitude = 0;
        FloatInterval r;
        if (rows && !gemm.getTransA()) {
          std::optional<SmallVector<double>> cValues =
              c ? getConstantValues(c) : std::nullopt;
          // Per-row values only for a C of shape [N] / [1, N] or a scalar.
          if (cValues && cValues->size() != 1 &&
              (staticNumElements(c.getType()) != rows->rows ||
               cast<ShapedType>(c.getType()).getShape().back() != rows->rows))
            cValues = std::nullopt;
          if (cValues)
            for (double &v : *cValues)
              v *= beta;
          PerRow bias{cValues, cRange, rows->rows};
          PerRow noZero{SmallVector<double>{0.0}, zero, 1};
          r = rowsHull(
              *rows, x, noZero,
              [&](int64_t row, FloatInterval s) {
                return add(mul(FloatInterval::point(alpha), s), bias.at(row));
              },
              magnitude);
          return one(widenForRounding(r, magnitude, rows->k + 2, resultType));
        }
        auto aType = dyn_cast<RankedTensorType>(gemm.getA().getType());
        if (!aType || aType.getRank() != 2 ||
            aType.isDynamicDim(gemm.getTransA() ? 0 : 1))
          return std::nullopt;
        int64_t k = aType.getDimSize(gemm.getTransA() ? 0 : 1);
        r = add(mul(FloatInterval::point(alpha),
                    genericSum(x, inValue(gemm.getB()), k)),
                cRange);
        return one(widenForRounding(r, 0.0, k + 2, resultType));
      })
      .Case([&](ConvOp conv) -> Result {
        // Padding reads zeros.
        FloatInterval x = inValue(conv.getInput()).including(0.0);
        Value bias = conv.getBias();
        FloatInterval biasRange = bias ? inValue(bias) : zero;
        double magnitude = 0;
        if (std::optional<WeightRows> rows = convRows(conv.getWeight())) {
          PerRow b{bias ? getConstantValues(bias) : std::nullopt, biasRange,
                   rows->rows};
          PerRow noZero{SmallVector<double>{0.0}, zero, 1};
          FloatInterval r = rowsHull(
              *rows, x, noZero,
              [&](int64_t row, FloatInterval s) { return add(s, b.at(row)); },
              magnitude);
          return one(widenForRounding(r, magnitude, rows->k + 1, resultType));
        }
        int64_t k = convReductionSize(conv.getWeight());
        if (k < 0)
          return std::nullopt;
        FloatInterval r =
            add(genericSum(x, inValue(conv.getWeight()), k), biasRange);
        return one(widenForRounding(r, 0.0, k + 1, resultType));
      })
      .Case([&](BatchNormOp bn) -> Result {
        double eps = bn.getEpsilonAttr().getValueAsDouble();
        auto scale = getConstantValues(bn.getScale());
        auto bias = getConstantValues(bn.getBias());
        auto mean = getConstantValues(bn.getMean());
        auto var = getConstantValues(bn.getVariance());
        FloatInterval x = inValue(bn.getInput());
        if (scale && bias && mean && var && scale->size() == bias->size() &&
            scale->size() == mean->size() && scale->size() == var->size()) {
          // Per channel y = a x + b with a = s / sqrt(v + eps).
          FloatInterval r;
          for (size_t c = 0; c < scale->size(); ++c) {
            double a = (*scale)[c] / std::sqrt((*var)[c] + eps);
            double b = (*bias)[c] - a * (*mean)[c];
            r = FloatInterval::join(
                r, add(mul(FloatInterval::point(a), x), FloatInterval::point(b)));
          }
          return one(widenForRounding(r, 0.0, 4, resultType));
        }
        FloatInterval sd = add(inValue(bn.getVariance()), FloatInterval::point(eps));
        if (sd.lo() <= 0)
          return std::nullopt;
        sd = FloatInterval(std::sqrt(sd.lo()), std::sqrt(sd.hi()));
        FloatInterval r =
            add(mul(add(x, neg(inValue(bn.getMean()))),
                    div(inValue(bn.getScale()), sd)),
                inValue(bn.getBias()));
        return one(widenForRounding(r, 0.0, 4, resultType));
      })
      .Case<LayerNormOp, SimplifiedLayerNormOp>([&](Operation *) -> Result {
        auto type = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
        int64_t axis = op->getAttrOfType<IntegerAttr>("axis").getInt();
        if (!type)
          return std::nullopt;
        if (axis < 0)
          axis += type.getRank();
        int64_t n = 1;
        for (int64_t d = axis; d < type.getRank(); ++d) {
          if (d < 0 || type.isDynamicDim(d))
            return std::nullopt;
          n *= type.getDimSize(d);
        }
        // |x - mean| / std <= sqrt(N - 1) for N elements (population std);
        // |x| / rms <= sqrt(N).
        double bound = isa<LayerNormOp>(op) ? std::sqrt(std::max<double>(n - 1, 0))
                                            : std::sqrt(static_cast<double>(n));
        FloatInterval z(-bound, bound);
        FloatInterval y = mul(z, in(1));
        if (auto ln = dyn_cast<LayerNormOp>(op); ln && ln.getBias())
          y = add(y, inValue(ln.getBias()));
        SmallVector<FloatInterval> results{
            widenForRounding(y, 0.0, 8, resultType)};
        if (auto ln = dyn_cast<LayerNormOp>(op)) {
          double eps = ln.getEpsilonAttr().getValueAsDouble();
          results.push_back(in(0));
          results.push_back(FloatInterval(0.0, eps > 0 ? 1.0 / std::sqrt(eps)
                                                       : INFINITY));
        }
        return results;
      })
      .Case([&](DynamicQuantizeLinearOp) -> Result {
        FloatInterval x = in(0);
        double span = std::max(x.hi(), 0.0) - std::min(x.lo(), 0.0);
        return SmallVector<FloatInterval>{
            FloatInterval::ofType(resultType),
            widenForRounding(FloatInterval(0.0, span / 255.0), 0.0, 2,
                             op->getResult(1).getType()),
            FloatInterval::ofType(op->getResult(2).getType())};
      })
      .Default([](Operation *) { return std::nullopt; });
}

std::optional<AccumulatorBound>
mlir::nb::computeAccumulatorBound(Operation *op, const DataFlowSolver &solver) {
  auto acc = integerAccumulator(
      op, [&](Value v) { return getProvedRange(solver, v); });
  if (!acc)
    return std::nullopt;
  const FloatInterval &r = acc->first;
  double magnitude = std::max(std::fabs(r.lo()), std::fabs(r.hi()));
  int64_t saturated = magnitude >= 9.2e18 ? INT64_MAX
                                          : static_cast<int64_t>(magnitude);
  return AccumulatorBound{r, saturated, acc->second};
}
