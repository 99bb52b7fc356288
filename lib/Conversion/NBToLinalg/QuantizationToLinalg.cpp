//===- QuantizationToLinalg.cpp - ONNX (de)quantization ops to linalg -----===//
//
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear with ONNX's
// reference numerics:
//   quantize:   saturate(round_half_even(x / scale) + zero_point)
//   dequantize: (float(x) - float(zero_point)) * scale
// Scales and zero points are per tensor, per axis (1-D along `axis`) or
// blocked (the input's shape with dim `axis` divided by `block_size`); each
// layout is an indexing map (blocked: `d_axis floordiv block_size`), so all
// three are one elementwise generic. The quant-typed forms (a `!quant`
// result or input, docs/quantization.md) lower the same way on the storage
// type.
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

/// The map of a scale or zero point of `parameterType` for an input of
/// `inputType`: per tensor, per axis or blocked.
FailureOr<AffineMap> getQuantParameterMap(PatternRewriter &rewriter,
                                          Operation *op,
                                          RankedTensorType inputType,
                                          Type parameterType, int64_t axis,
                                          int64_t blockSize) {
  auto type = dyn_cast<RankedTensorType>(parameterType);
  if (!type)
    return rewriter.notifyMatchFailure(op, "unranked scale or zero point");
  int64_t rank = inputType.getRank();
  MLIRContext *ctx = rewriter.getContext();
  if (type.hasStaticShape() && type.getNumElements() == 1 &&
      type.getRank() <= 1)
    return AffineMap::get(
        rank, 0,
        SmallVector<AffineExpr>(type.getRank(), getAffineConstantExpr(0, ctx)),
        ctx);
  std::optional<int64_t> normalized =
      axis >= -rank && axis < rank ? std::optional<int64_t>((axis + rank) % rank)
                                   : std::nullopt;
  if (!normalized)
    return rewriter.notifyMatchFailure(op, "axis out of range");
  if (blockSize <= 0) {
    if (type.getRank() != 1)
      return rewriter.notifyMatchFailure(
          op, "per-axis scale and zero point must be 1-D");
    return AffineMap::get(rank, 0, getAffineDimExpr(*normalized, ctx), ctx);
  }
  if (type.getRank() != rank)
    return rewriter.notifyMatchFailure(
        op, "blocked scale and zero point must have the input's rank");
  SmallVector<AffineExpr> exprs;
  for (int64_t dim = 0; dim < rank; ++dim) {
    AffineExpr expr = getAffineDimExpr(dim, ctx);
    exprs.push_back(dim == *normalized ? expr.floorDiv(blockSize) : expr);
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// One elementwise generic over `input` with its scale and optional zero
/// point broadcast through their quantization maps.
template <typename OpTy>
FailureOr<Value> buildQuantElementwise(
    ConversionPatternRewriter &rewriter, OpTy op, Value input, Value scale,
    Value zeroPoint, RankedTensorType resultType, int64_t axis,
    int64_t blockSize,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> body) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<Value> inputs{input, scale};
  SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
  for (Value parameter : {scale, zeroPoint}) {
    if (!parameter)
      continue;
    FailureOr<AffineMap> map = getQuantParameterMap(
        rewriter, op, inputType, parameter.getType(), axis, blockSize);
    if (failed(map))
      return failure();
    maps.push_back(*map);
  }
  if (zeroPoint)
    inputs.push_back(zeroPoint);
  maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  FailureOr<Value> init =
      createEmptyTensor(rewriter, op.getLoc(), resultType, input);
  if (failed(init))
    return rewriter.notifyMatchFailure(op, "a dynamic dim has no source");
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  bool hasZeroPoint = static_cast<bool>(zeroPoint);
  return linalg::GenericOp::create(
             rewriter, op.getLoc(), resultType, inputs, *init, maps, iterators,
             [&](OpBuilder &b, Location loc, ValueRange args) {
               Value result = body(b, loc, args[0], args[1],
                                   hasZeroPoint ? args[2] : Value());
               linalg::YieldOp::create(b, loc, result);
             })
      .getResult(0);
}

/// Saturates a float to the finite range of the 8-bit float `type` (ONNX's
/// `saturate` for float8 outputs: out-of-range values become +-max, NaN
/// stays NaN).
Value saturateToFloat(OpBuilder &b, Location loc, Value value,
                      FloatType type) {
  auto valueType = cast<FloatType>(value.getType());
  APFloat largest = APFloat::getLargest(type.getFloatSemantics());
  bool losesInfo;
  largest.convert(valueType.getFloatSemantics(),
                  APFloat::rmNearestTiesToEven, &losesInfo);
  Value upper = arith::ConstantOp::create(
      b, loc, valueType, b.getFloatAttr(valueType, largest));
  Value lower = arith::NegFOp::create(b, loc, upper);
  return arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, value, lower), upper);
}

bool isFloat8(Type type) {
  return isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type,
             Float8E5M2FNUZType>(type);
}

struct QuantizeLinearToLinalg : OpConversionPattern<QuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    // A quant-typed result computes on its storage type; the parameters are
    // the scale and zero point operands either way (the verifier checks that
    // they agree with the type).
    Type storage = getStorageType(resultType->getElementType());
    Type inputElement = getElementTypeOrSelf(op.getInput());
    auto storageInt = dyn_cast<IntegerType>(storage);
    bool isIntegerStorage = storageInt && storageInt.getWidth() <= 32;
    if (!isa<FloatType>(inputElement) ||
        (!isIntegerStorage && !isFloat8(storage)))
      return rewriter.notifyMatchFailure(
          op, "needs a float input and an integer (<= 32 bits) or float8 "
              "result");
    SmallVector<Value> operands;
    for (Value operand : adaptor.getOperands()) {
      FailureOr<Value> signless = getSignlessTensor(rewriter, op, operand);
      if (failed(signless))
        return failure();
      operands.push_back(*signless);
    }
    Value zeroPoint = operands.size() > 2 ? operands[2] : Value();
    Type zeroPointType =
        op.getZeroPoint() ? getElementTypeOrSelf(op.getZeroPoint()) : storage;
    auto signlessResult =
        cast<RankedTensorType>(getSignlessType(*resultType));
    Type scaleElement = getElementTypeOrSelf(op.getScale());
    bool saturate = op.getSaturate();
    FailureOr<Value> result = buildQuantElementwise(
        rewriter, op, operands[0], operands[1], zeroPoint, signlessResult,
        op.getAxis(), op.getBlockSize(),
        [&](OpBuilder &b, Location loc, Value x, Value scale, Value zero) {
          // x / scale in the wider of the two float types, as numpy does.
          Type computeType =
              inputElement.getIntOrFloatBitWidth() >=
                      scaleElement.getIntOrFloatBitWidth()
                  ? inputElement
                  : scaleElement;
          x = convertScalar(b, loc, x, inputElement, computeType);
          scale = convertScalar(b, loc, scale, scaleElement, computeType);
          Value scaled = arith::DivFOp::create(b, loc, x, scale);
          if (!storageInt) {
            // Float8 zero points are 0 by definition; add it anyway so a
            // non-zero one is not silently dropped.
            if (zero)
              scaled = arith::AddFOp::create(
                  b, loc, scaled,
                  convertScalar(b, loc, zero, zeroPointType, computeType));
            if (saturate)
              scaled = saturateToFloat(b, loc, scaled, cast<FloatType>(storage));
            return convertScalar(b, loc, scaled, computeType, storage);
          }
          Value rounded = math::RoundEvenOp::create(b, loc, scaled);
          if (zero) {
            // Adding in f64 keeps the sum exact for every storage type.
            Type f64 = b.getF64Type();
            rounded = arith::AddFOp::create(
                b, loc, convertScalar(b, loc, rounded, computeType, f64),
                convertScalar(b, loc, zero, zeroPointType, f64));
          }
          return roundAndSaturate(b, loc, rounded, storageInt);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

struct DequantizeLinearToLinalg : OpConversionPattern<DequantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
    if (failed(resultType))
      return failure();
    Type outputElement = resultType->getElementType();
    Type inputElement = getStorageType(getElementTypeOrSelf(op.getInput()));
    if (!isa<FloatType>(outputElement) ||
        !(isa<IntegerType>(inputElement) || isFloat8(inputElement)))
      return rewriter.notifyMatchFailure(
          op, "needs an integer or float8 input and a float result");
    SmallVector<Value> operands;
    for (Value operand : adaptor.getOperands()) {
      FailureOr<Value> signless = getSignlessTensor(rewriter, op, operand);
      if (failed(signless))
        return failure();
      operands.push_back(*signless);
    }
    Value zeroPoint = operands.size() > 2 ? operands[2] : Value();
    Type zeroPointType =
        op.getZeroPoint() ? getElementTypeOrSelf(op.getZeroPoint()) : Type();
    Type scaleElement = getElementTypeOrSelf(op.getScale());
    FailureOr<Value> result = buildQuantElementwise(
        rewriter, op, operands[0], operands[1], zeroPoint, *resultType,
        op.getAxis(), op.getBlockSize(),
        [&](OpBuilder &b, Location loc, Value x, Value scale, Value zero) {
          // (float(x) - float(zero_point)) * scale, in f32 as the reference.
          Type f32 = b.getF32Type();
          Value value = convertScalar(b, loc, x, inputElement, f32);
          if (zero)
            value = arith::SubFOp::create(
                b, loc, value, convertScalar(b, loc, zero, zeroPointType, f32));
          value = arith::MulFOp::create(
              b, loc, value, convertScalar(b, loc, scale, scaleElement, f32));
          return convertScalar(b, loc, value, f32, outputElement);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// A full reduction of `input` (any rank) to a 0-d tensor with `combine`,
/// starting from `initial`.
Value buildFullReduction(OpBuilder &b, Location loc, Value input,
                         double initial,
                         function_ref<Value(OpBuilder &, Location, Value,
                                            Value)> combine) {
  auto type = cast<RankedTensorType>(input.getType());
  Type element = type.getElementType();
  auto scalarType = RankedTensorType::get({}, element);
  Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, element);
  Value init = linalg::FillOp::create(
                   b, loc, createScalarConstant(b, loc, element, initial), empty)
                   .getResult(0);
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps{
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, {}, b.getContext())};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, scalarType, input, init, maps, iterators,
             [&](OpBuilder &nb, Location nested, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nested, combine(nb, nested, args[0], args[1]));
             })
      .getResult(0);
}

/// ONNX's DynamicQuantizeLinear: the range [min(x, 0), max(x, 0)] mapped
/// onto uint8: scale = (max - min) / 255 (1 when the range is empty),
/// zero_point = saturate(round(0 - min / scale)), then quantize.
struct DynamicQuantizeLinearToLinalg
    : OpConversionPattern<DynamicQuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DynamicQuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!inputType || !inputType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "needs a ranked f32 input");
    FailureOr<RankedTensorType> outputType = getRankedResultType(rewriter, op);
    if (failed(outputType))
      return failure();
    auto u8 = IntegerType::get(getContext(), 8, IntegerType::Unsigned);
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Type f32 = rewriter.getF32Type();
    // min and max start at 0: the range always includes zero.
    Value max = buildFullReduction(
        rewriter, loc, input, 0.0, [](OpBuilder &b, Location l, Value x,
                                      Value acc) {
          return arith::MaximumFOp::create(b, l, x, acc).getResult();
        });
    Value min = buildFullReduction(
        rewriter, loc, input, 0.0, [](OpBuilder &b, Location l, Value x,
                                      Value acc) {
          return arith::MinimumFOp::create(b, l, x, acc).getResult();
        });
    auto scalarF32 = RankedTensorType::get({}, f32);
    auto scalarI8 = RankedTensorType::get({}, rewriter.getI8Type());
    // One 0-d generic computes the scale and the zero point.
    auto parameters = linalg::GenericOp::create(
        rewriter, loc, TypeRange{scalarF32, scalarI8}, ValueRange{min, max},
        ValueRange{tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, f32),
                   tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{},
                                           rewriter.getI8Type())},
        SmallVector<AffineMap>(4, AffineMap::get(0, 0, {}, rewriter.getContext())),
        ArrayRef<utils::IteratorType>{},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value lo = args[0], hi = args[1];
          Value range = arith::SubFOp::create(b, l, hi, lo);
          Value empty = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                              hi, lo);
          Value numerator = arith::SelectOp::create(
              b, l, empty, createScalarConstant(b, l, f32, 1.0), range);
          Value scale = arith::DivFOp::create(
              b, l, numerator, createScalarConstant(b, l, f32, 255.0));
          Value initialZero = arith::SubFOp::create(
              b, l, createScalarConstant(b, l, f32, 0.0),
              arith::DivFOp::create(b, l, lo, scale));
          Value zero = roundAndSaturate(b, l, initialZero, u8);
          linalg::YieldOp::create(b, l, ValueRange{scale, zero});
        });
    Value scale = parameters.getResult(0);
    Value zeroPoint = parameters.getResult(1);
    auto signlessOutput = cast<RankedTensorType>(getSignlessType(*outputType));
    FailureOr<Value> output = buildQuantElementwise(
        rewriter, op, input, scale, zeroPoint, signlessOutput, /*axis=*/0,
        /*blockSize=*/0,
        [&](OpBuilder &b, Location l, Value x, Value s, Value zero) {
          Value rounded =
              math::RoundEvenOp::create(b, l, arith::DivFOp::create(b, l, x, s));
          Value shifted = arith::AddFOp::create(
              b, l, rounded, convertScalar(b, l, zero, u8, f32));
          return roundAndSaturate(b, l, shifted, u8);
        });
    if (failed(output))
      return failure();
    // Scale and zero point results are 0-d; reshape if the op declares them
    // otherwise.
    SmallVector<Value> results{*output};
    SmallVector<Value> parameterValues{scale, zeroPoint};
    for (auto [value, result] :
         llvm::zip(parameterValues, op->getResults().drop_front())) {
      auto type = dyn_cast<RankedTensorType>(getSignlessType(result.getType()));
      if (!type || !type.hasStaticShape() || type.getNumElements() != 1)
        return rewriter.notifyMatchFailure(op, "scale and zero point are not "
                                               "single-element tensors");
      if (type.getRank() != 0)
        value = tensor::ExpandShapeOp::create(
            rewriter, loc, type, value, ArrayRef<ReassociationIndices>{});
      results.push_back(value);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::nb::populateQuantizationToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<QuantizeLinearToLinalg, DequantizeLinearToLinalg,
               DynamicQuantizeLinearToLinalg>(patterns.getContext());
}
