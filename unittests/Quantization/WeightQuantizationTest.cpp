//===- WeightQuantizationTest.cpp - RTN against a numpy-style reference ---===//
//
// quantizeWeightRTN is compared with a reference written the way ONNX
// Runtime's quantizer does it in numpy (compute_scale_zp + quantize_nparray):
// every group gathered by explicit coordinates, parameters in float64, the
// division in float32, np.round (half to even), np.clip. Random weights are
// drawn with a seed printed on failure (NIBBLE_TEST_SEED fixes it).
//
//===----------------------------------------------------------------------===//
#include "nibble/Quantization/WeightQuantization.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

using namespace mlir;
using namespace mlir::nb::quantization;

namespace {

unsigned testSeed() {
  static unsigned seed = [] {
    if (const char *env = std::getenv("NIBBLE_TEST_SEED"))
      return static_cast<unsigned>(std::strtoul(env, nullptr, 10));
    return std::random_device{}();
  }();
  return seed;
}

std::vector<float> randomWeights(int64_t n, float lo, float hi,
                                 std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> w(n);
  for (float &v : w)
    v = dist(rng);
  return w;
}

/// numpy.round: half to even.
double npRound(double x) { return std::nearbyint(x); }

struct Reference {
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;
  std::vector<int32_t> values;
};

/// ONNX Runtime's RTN, group by group.
Reference referenceRTN(const std::vector<float> &w,
                       const std::vector<int64_t> &shape,
                       const WeightQuantizationSpec &spec) {
  int64_t rank = shape.size();
  // Parameter index of every element, from its coordinates.
  std::vector<int64_t> paramShape;
  if (spec.axis >= 0) {
    if (spec.blockSize == 0) {
      paramShape = {shape[spec.axis]};
    } else {
      paramShape = shape;
      paramShape[spec.axis] /= spec.blockSize;
    }
  }
  std::vector<int64_t> groupOf(w.size());
  for (size_t flat = 0; flat < w.size(); ++flat) {
    std::vector<int64_t> coord(rank);
    int64_t rest = flat;
    for (int64_t d = rank - 1; d >= 0; --d) {
      coord[d] = rest % shape[d];
      rest /= shape[d];
    }
    if (spec.axis < 0) {
      groupOf[flat] = 0;
    } else if (spec.blockSize == 0) {
      groupOf[flat] = coord[spec.axis];
    } else {
      coord[spec.axis] /= spec.blockSize;
      int64_t index = 0;
      for (int64_t d = 0; d < rank; ++d)
        index = index * paramShape[d] + coord[d];
      groupOf[flat] = index;
    }
  }
  int64_t groups = 1;
  for (int64_t d : paramShape)
    groups *= d;

  int64_t qmin, qmax;
  if (!spec.isSigned) {
    qmin = 0;
    qmax = (int64_t(1) << spec.bits) - 1;
  } else if (spec.symmetric) {
    qmax = (int64_t(1) << (spec.bits - 1)) - 1;
    qmin = -qmax;
  } else {
    qmax = (int64_t(1) << (spec.bits - 1)) - 1;
    qmin = -qmax - 1;
  }

  Reference ref;
  for (int64_t g = 0; g < groups; ++g) {
    float rmin = 0.0f, rmax = 0.0f; // np.minimum(rmin, 0), np.maximum(rmax, 0)
    for (size_t i = 0; i < w.size(); ++i) {
      if (groupOf[i] != g)
        continue;
      rmin = std::min(rmin, w[i]);
      rmax = std::max(rmax, w[i]);
    }
    if (spec.symmetric) {
      float absmax = std::max(std::fabs(rmin), std::fabs(rmax));
      rmin = -absmax;
      rmax = absmax;
    }
    double scale = (double(rmax) - double(rmin)) / double(qmax - qmin);
    if (scale < FLT_MIN) {
      ref.scales.push_back(1.0f);
      ref.zeroPoints.push_back(0);
      continue;
    }
    double zp = spec.symmetric ? npRound((qmin + qmax) / 2.0)
                               : npRound(double(qmin) - double(rmin) / scale);
    ref.scales.push_back(static_cast<float>(scale));
    ref.zeroPoints.push_back(static_cast<int32_t>(zp));
  }
  for (size_t i = 0; i < w.size(); ++i) {
    float quotient = w[i] / ref.scales[groupOf[i]];
    double q = npRound(quotient) + ref.zeroPoints[groupOf[i]];
    q = std::min<double>(std::max<double>(q, qmin), qmax);
    ref.values.push_back(static_cast<int32_t>(q));
  }
  return ref;
}

struct RTNCase {
  const char *name;
  std::vector<int64_t> shape;
  WeightQuantizationSpec spec;
};

void PrintTo(const RTNCase &c, std::ostream *os) { *os << c.name; }

class RTNTest : public ::testing::TestWithParam<RTNCase> {};

TEST_P(RTNTest, MatchesReference) {
  const RTNCase &c = GetParam();
  SCOPED_TRACE("seed " + std::to_string(testSeed()) +
               " (set NIBBLE_TEST_SEED to repeat)");
  std::mt19937 rng(testSeed());
  int64_t n = 1;
  for (int64_t d : c.shape)
    n *= d;
  // Ranges that cross zero, and one entirely positive (the asymmetric
  // widening to include 0 matters there).
  for (auto [lo, hi] : {std::pair{-1.5f, 2.5f}, std::pair{0.25f, 3.0f},
                        std::pair{-40.0f, -0.5f}}) {
    std::vector<float> w = randomWeights(n, lo, hi, rng);
    std::string error;
    FailureOr<QuantizedWeight> q = quantizeWeightRTN(w, c.shape, c.spec, error);
    ASSERT_TRUE(succeeded(q)) << error;
    Reference ref = referenceRTN(w, c.shape, c.spec);
    ASSERT_EQ(q->scales.size(), ref.scales.size());
    for (size_t g = 0; g < ref.scales.size(); ++g) {
      EXPECT_EQ(q->scales[g], ref.scales[g]) << "group " << g;
      EXPECT_EQ(q->zeroPoints[g], ref.zeroPoints[g]) << "group " << g;
    }
    ASSERT_EQ(q->values.size(), ref.values.size());
    int64_t mismatches = 0;
    for (size_t i = 0; i < ref.values.size(); ++i)
      mismatches += q->values[i] != ref.values[i];
    EXPECT_EQ(mismatches, 0);

    // Dequantized error is at most half a step where nothing saturates,
    // plus float rounding (which dominates for 32-bit storage).
    SmallVector<float> back = dequantizeWeight(*q);
    ASSERT_EQ(back.size(), w.size());
    int64_t expectedParams = 1;
    for (int64_t d : q->parameterShape)
      expectedParams *= d;
    EXPECT_EQ(expectedParams, static_cast<int64_t>(q->scales.size()));
    for (size_t i = 0; i < w.size(); ++i) {
      float maxStep = *std::max_element(q->scales.begin(), q->scales.end());
      EXPECT_LE(std::fabs(back[i] - w[i]),
                0.5f * maxStep * 1.0001f + 2 * FLT_EPSILON * std::fabs(w[i]))
          << "element " << i;
    }
  }
}

WeightQuantizationSpec spec(unsigned bits, bool isSigned, bool symmetric,
                            int64_t axis, int64_t blockSize = 0) {
  WeightQuantizationSpec s;
  s.bits = bits;
  s.isSigned = isSigned;
  s.symmetric = symmetric;
  s.axis = axis;
  s.blockSize = blockSize;
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, RTNTest,
    ::testing::Values(
        RTNCase{"i8_sym_per_tensor", {16, 3, 3, 3}, spec(8, true, true, -1)},
        RTNCase{"i8_sym_per_channel", {16, 3, 3, 3}, spec(8, true, true, 0)},
        RTNCase{"i8_asym_per_channel", {8, 12}, spec(8, true, false, 1)},
        RTNCase{"u8_asym_per_tensor", {8, 12}, spec(8, false, false, -1)},
        RTNCase{"u8_sym_per_channel", {6, 5}, spec(8, false, true, 0)},
        RTNCase{"i4_sym_per_block", {6, 64}, spec(4, true, true, 1, 32)},
        RTNCase{"i4_asym_per_block_axis0", {64, 6}, spec(4, true, false, 0, 16)},
        RTNCase{"u4_asym_per_block_3d", {2, 32, 3}, spec(4, false, false, 1, 8)},
        RTNCase{"i4_sym_per_channel", {10, 7}, spec(4, true, true, 0)},
        RTNCase{"i32_sym_per_tensor", {40}, spec(32, true, true, -1)},
        RTNCase{"i32_sym_per_channel", {4, 10}, spec(32, true, true, 0)}),
    [](const ::testing::TestParamInfo<RTNCase> &info) {
      return std::string(info.param.name);
    });

TEST(WeightQuantization, SymmetricInt8UsesNarrowRangeAndRoundsHalfToEven) {
  // max|w| = 127 gives scale 1: ties go to even, the extremes to +-127.
  std::vector<float> w = {127.0f, 2.5f, -3.5f, 0.5f, -127.0f, 1.5f};
  std::string error;
  FailureOr<QuantizedWeight> q =
      quantizeWeightRTN(w, {6}, spec(8, true, true, -1), error);
  ASSERT_TRUE(succeeded(q)) << error;
  EXPECT_EQ(q->scales[0], 1.0f);
  EXPECT_EQ(q->zeroPoints[0], 0);
  EXPECT_EQ(std::vector<int32_t>(q->values.begin(), q->values.end()),
            (std::vector<int32_t>{127, 2, -4, 0, -127, 2}));
  EXPECT_TRUE(q->parameterShape.empty());
}

TEST(WeightQuantization, AsymmetricZeroPointRoundsHalfToEven) {
  // scale = 3.984375 / 255 = 1/64 exactly; -rmin / scale = 126.5 -> 126.
  auto [scale, zeroPoint] =
      computeScaleAndZeroPoint(-1.9765625, 2.0078125, spec(8, false, false, -1));
  EXPECT_EQ(scale, 1.0f / 64);
  EXPECT_EQ(zeroPoint, 126);
  // A positive-only range is widened to include 0: zero point qmin.
  auto [s2, z2] = computeScaleAndZeroPoint(1.0, 2.55, spec(8, false, false, -1));
  EXPECT_FLOAT_EQ(s2, 0.01f);
  EXPECT_EQ(z2, 0);
  // Signed asymmetric uses the full range [-128, 127].
  auto [s3, z3] = computeScaleAndZeroPoint(-2.55, 0.0, spec(8, true, false, -1));
  EXPECT_FLOAT_EQ(s3, 0.01f);
  EXPECT_EQ(z3, 127);
  // Unsigned symmetric: zero point at the middle, as ONNX Runtime's 128.
  auto [s4, z4] = computeScaleAndZeroPoint(-1.0, 0.5, spec(8, false, true, -1));
  EXPECT_FLOAT_EQ(s4, 2.0f / 255);
  EXPECT_EQ(z4, 128);
}

TEST(WeightQuantization, AllZeroGroupGetsScaleOne) {
  std::vector<float> w = {0, 0, 0, 1, -2, 0.5};
  std::string error;
  FailureOr<QuantizedWeight> q =
      quantizeWeightRTN(w, {2, 3}, spec(8, true, true, 0), error);
  ASSERT_TRUE(succeeded(q)) << error;
  EXPECT_EQ(q->scales[0], 1.0f);
  EXPECT_EQ(q->values[0], 0);
  EXPECT_FLOAT_EQ(q->scales[1], 2.0f / 127);
}

TEST(WeightQuantization, GivenParametersSaturate) {
  std::vector<float> w = {300.0f, -300.0f, 0.4f};
  std::string error;
  FailureOr<QuantizedWeight> q = quantizeWeightWithParameters(
      w, {3}, spec(8, true, true, -1), {1.0f}, {0}, error);
  ASSERT_TRUE(succeeded(q)) << error;
  EXPECT_EQ(std::vector<int32_t>(q->values.begin(), q->values.end()),
            (std::vector<int32_t>{127, -127, 0}));
  q = quantizeWeightWithParameters(w, {3}, spec(8, false, false, -1), {1.0f},
                                   {10}, error);
  ASSERT_TRUE(succeeded(q)) << error;
  EXPECT_EQ(std::vector<int32_t>(q->values.begin(), q->values.end()),
            (std::vector<int32_t>{255, 0, 10}));
}

TEST(WeightQuantization, Int32BiasWithProductScale) {
  // A bias quantized with s_in * s_w, as a W8A8 conv's bias is: the float
  // quotient rounded half to even, never near the int32 limits.
  float sIn = 0.0123f, sW = 0.0045f;
  float scale = sIn * sW;
  std::vector<float> bias = {0.5f, -0.25f, 1e-6f, 3.0f};
  std::string error;
  FailureOr<QuantizedWeight> q = quantizeWeightWithParameters(
      bias, {4}, spec(32, true, true, -1), {scale}, {0}, error);
  ASSERT_TRUE(succeeded(q)) << error;
  for (size_t i = 0; i < bias.size(); ++i)
    EXPECT_EQ(q->values[i],
              static_cast<int32_t>(std::nearbyint(bias[i] / scale)));
}

TEST(WeightQuantization, Errors) {
  std::string error;
  std::vector<float> w(12, 1.0f);
  EXPECT_TRUE(failed(quantizeWeightRTN(w, {3, 4}, spec(4, true, true, 1, 3),
                                       error)));
  EXPECT_EQ(error, "block size 3 does not divide axis 1 of size 4");
  EXPECT_TRUE(
      failed(quantizeWeightRTN(w, {3, 4}, spec(8, true, true, 2), error)));
  EXPECT_EQ(error, "axis 2 is out of range for a weight of rank 2");
  w[5] = std::nanf("");
  EXPECT_TRUE(
      failed(quantizeWeightRTN(w, {3, 4}, spec(8, true, true, 0), error)));
  EXPECT_EQ(error, "weight element 5 is NaN");
  w[5] = INFINITY;
  EXPECT_TRUE(
      failed(quantizeWeightRTN(w, {3, 4}, spec(8, true, true, 0), error)));
  EXPECT_EQ(error, "weight element 5 is Inf");
  w[5] = 1.0f;
  EXPECT_TRUE(failed(quantizeWeightWithParameters(
      w, {3, 4}, spec(8, true, true, 0), {1.0f, 1.0f}, {0, 0}, error)));
  EXPECT_EQ(error, "2 scales and 2 zero points for 3 groups");
  EXPECT_TRUE(failed(quantizeWeightWithParameters(
      w, {3, 4}, spec(8, true, true, -1), {-1.0f}, {0}, error)));
  EXPECT_TRUE(failed(quantizeWeightWithParameters(
      w, {3, 4}, spec(8, true, true, -1), {1.0f}, {128}, error)));
  EXPECT_EQ(error, "zero point 128 is outside [-127, 127]");
}

//===----------------------------------------------------------------------===//
// IR: buildDequantizedWeight gives what nb-lift-qdq-to-quant-types gives the
// ONNX form of the same parameters.
//===----------------------------------------------------------------------===//

class BuildDequantizedWeightTest : public ::testing::Test {
protected:
  BuildDequantizedWeightTest() {
    context.loadDialect<nb::NBDialect, func::FuncDialect,
                        quant::QuantDialect>();
  }

  /// A module whose function returns the built dequantized weight.
  OwningOpRef<ModuleOp> build(const QuantizedWeight &w, Type scaleType,
                              Type expressedType) {
    OpBuilder builder(&context);
    Location loc = builder.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    auto resultType = RankedTensorType::get(w.shape, expressedType);
    auto func = func::FuncOp::create(builder, loc, "weight",
                                     builder.getFunctionType({}, resultType));
    builder.setInsertionPointToEnd(func.addEntryBlock());
    Value v = buildDequantizedWeight(builder, loc, w, scaleType, expressedType);
    if (!v)
      return nullptr;
    func::ReturnOp::create(builder, loc, v);
    return module;
  }

  std::string print(Operation *op) {
    std::string text;
    llvm::raw_string_ostream os(text);
    op->print(os);
    return text;
  }

  /// A nested dense literal of `count` elements of `shape`, element i
  /// printed by `element(i)`.
  static std::string literal(ArrayRef<int64_t> shape,
                             llvm::function_ref<std::string(int64_t)> element,
                             int64_t offset = 0) {
    if (shape.empty())
      return element(offset);
    int64_t stride = 1;
    for (int64_t d : shape.drop_front())
      stride *= d;
    std::string text = "[";
    for (int64_t i = 0; i < shape[0]; ++i)
      text += (i ? ", " : "") +
              literal(shape.drop_front(), element, offset + i * stride);
    return text + "]";
  }

  static std::string tensorType(ArrayRef<int64_t> shape, StringRef element) {
    std::string text = "tensor<";
    for (int64_t d : shape)
      text += std::to_string(d) + "x";
    return text + element.str() + ">";
  }

  /// The same weight in ONNX form (integer constant of ONNX's signedness,
  /// scale and zero point operands), lifted by nb-lift-qdq-to-quant-types.
  OwningOpRef<ModuleOp> liftONNXForm(const QuantizedWeight &w) {
    const WeightQuantizationSpec &s = w.spec;
    std::string storage = (s.isSigned ? "i" : "ui") + std::to_string(s.bits);
    auto hexFloat = [&](int64_t i) {
      uint32_t bits;
      std::memcpy(&bits, &w.scales[i], sizeof(bits));
      char buffer[16];
      std::snprintf(buffer, sizeof(buffer), "0x%08X", bits);
      return std::string(buffer);
    };
    std::string dataType = tensorType(w.shape, storage);
    std::string floatType = tensorType(w.shape, "f32");
    std::string scaleType = tensorType(w.parameterShape, "f32");
    std::string zeroPointType = tensorType(w.parameterShape, storage);
    std::string attrs;
    if (s.axis >= 0) {
      attrs = " {axis = " + std::to_string(s.axis) + " : i64";
      if (s.blockSize)
        attrs += ", block_size = " + std::to_string(s.blockSize) + " : i64";
      attrs += "}";
    }
    std::string text =
        "func.func @weight() -> " + floatType + " {\n" +
        "  %s = nb.constant dense<" + literal(w.parameterShape, hexFloat) +
        "> : " + scaleType + "\n" + "  %z = nb.constant dense<" +
        literal(w.parameterShape,
                [&](int64_t i) { return std::to_string(w.zeroPoints[i]); }) +
        "> : " + zeroPointType + "\n" + "  %w = nb.constant dense<" +
        literal(w.shape,
                [&](int64_t i) { return std::to_string(w.values[i]); }) +
        "> : " + dataType + "\n" + "  %d = nb.dequantize_linear %w, %s, %z" +
        attrs + " : (" + dataType + ", " + scaleType + ", " + zeroPointType +
        ") -> " + floatType + "\n" + "  return %d : " + floatType + "\n}\n";
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(text, ParserConfig(&context));
    if (!module) {
      ADD_FAILURE() << "could not parse:\n" << text;
      return nullptr;
    }
    PassManager pm(&context);
    pm.addPass(nb::createLiftQDQToQuantTypes());
    if (failed(pm.run(*module))) {
      ADD_FAILURE() << "lift failed";
      return nullptr;
    }
    return module;
  }

  /// The quant type of the scast result and the scale/zero-point constants,
  /// which is what "the same form" means; SSA order may differ.
  struct Form {
    Type quantizedType;
    Attribute scale, zeroPoint;
    int64_t axis = 0, blockSize = 0;
    Type resultType;
  };
  Form formOf(ModuleOp module) {
    Form form;
    module.walk([&](nb::DequantizeLinearOp dq) {
      form.quantizedType = dq.getInput().getType();
      Operation *s = dq.getScale().getDefiningOp();
      Operation *z = dq.getZeroPoint().getDefiningOp();
      form.scale = cast<nb::ConstantOp>(s).getValue();
      form.zeroPoint = cast<nb::ConstantOp>(z).getValue();
      form.axis = dq.getAxis();
      form.blockSize = dq.getBlockSize();
      form.resultType = dq.getType();
      EXPECT_TRUE(isa_and_present<quant::StorageCastOp>(
          dq.getInput().getDefiningOp()));
    });
    return form;
  }

  MLIRContext context;
};

TEST_F(BuildDequantizedWeightTest, SameFormAsLiftedQDQ) {
  SCOPED_TRACE("seed " + std::to_string(testSeed()));
  std::mt19937 rng(testSeed());
  struct Case {
    std::vector<int64_t> shape;
    WeightQuantizationSpec spec;
  };
  std::vector<Case> cases = {
      {{4, 3}, spec(8, true, true, -1)},
      {{4, 2, 3}, spec(8, true, true, 0)},
      {{3, 5}, spec(8, false, false, 1)},
      {{2, 8}, spec(4, true, true, 1, 4)},
      {{2, 8}, spec(4, false, false, 1, 2)},
      {{6}, spec(32, true, true, -1)},
  };
  for (const Case &c : cases) {
    int64_t n = 1;
    for (int64_t d : c.shape)
      n *= d;
    std::vector<float> w = randomWeights(n, -2.0f, 1.0f, rng);
    std::string error;
    FailureOr<QuantizedWeight> q = quantizeWeightRTN(w, c.shape, c.spec, error);
    ASSERT_TRUE(succeeded(q)) << error;
    Type f32 = Float32Type::get(&context);
    OwningOpRef<ModuleOp> built = build(*q, f32, f32);
    ASSERT_TRUE(built);
    ASSERT_TRUE(succeeded(verify(*built))) << print(*built);
    OwningOpRef<ModuleOp> lifted = liftONNXForm(*q);
    ASSERT_TRUE(lifted);
    Form a = formOf(*built), b = formOf(*lifted);
    ASSERT_TRUE(a.quantizedType && b.quantizedType);
    EXPECT_TRUE(isa<quant::QuantizedType>(
        cast<ShapedType>(a.quantizedType).getElementType()));
    EXPECT_EQ(a.quantizedType, b.quantizedType)
        << print(*built) << "\nvs\n" << print(*lifted);
    EXPECT_EQ(a.scale, b.scale);
    EXPECT_EQ(a.zeroPoint, b.zeroPoint);
    EXPECT_EQ(a.axis, b.axis);
    EXPECT_EQ(a.blockSize, b.blockSize);
    EXPECT_EQ(a.resultType, b.resultType);
  }
}

TEST_F(BuildDequantizedWeightTest, HalfScalesCastBackToTheExpressedType) {
  std::vector<float> w = {0.5f, -1.0f, 0.25f, 2.0f};
  std::string error;
  FailureOr<QuantizedWeight> q =
      quantizeWeightRTN(w, {2, 2}, spec(8, true, true, 0), error);
  ASSERT_TRUE(succeeded(q)) << error;
  OwningOpRef<ModuleOp> module = build(*q, Float16Type::get(&context),
                                       Float32Type::get(&context));
  ASSERT_TRUE(module);
  ASSERT_TRUE(succeeded(verify(*module))) << print(*module);
  std::string text = print(*module);
  EXPECT_NE(text.find("!quant.uniform<i8:f16:0"), std::string::npos) << text;
  EXPECT_NE(text.find("nb.cast"), std::string::npos) << text;
}

} // namespace
