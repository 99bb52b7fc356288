//===- ContractionToLinalg.cpp - matmul-like nb ops to linalg -------------===//
//
// MatMul (numpy semantics), Gemm, MatMulInteger and QLinearMatMul.
//
// Plain 2-D products become `linalg.matmul` and equal-batch 3-D ones
// `linalg.batch_matmul`; the rest of numpy's matmul (1-D promotion, batch
// broadcasting, zero points) becomes one contraction `linalg.generic` whose
// indexing maps broadcast instead of materializing copies, so that tiling and
// vectorization see a single contraction either way. Integer products widen
// their operands to i32 inside the body, subtracting zero points there;
// QLinearMatMul then requantizes in an elementwise generic, in f64 like the
// ONNX reference (its int32 * float32 products promote to float64).
// Half-precision (f16, bf16) products accumulate in f32 (the named ops take
// mixed element types) and are rounded to the half type once, after Gemm's
// alpha/beta epilogue.
//
//===----------------------------------------------------------------------===//
#include "IntegerLoweringUtils.h"
#include "LoweringUtils.h"
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

namespace {

/// The iteration space of numpy's matmul of a rank-`lhsRank` by a
/// rank-`rhsRank` operand: (batch..., [m], [n], k), with `m` present when the
/// lhs is at least 2-D and `n` when the rhs is.
struct MatmulLayout {
  int64_t batchRank = 0;
  bool hasM = false, hasN = false;
  unsigned numDims = 0;
  AffineMap lhsMap, rhsMap, resultMap;

  std::optional<unsigned> mDim() const {
    return hasM ? std::optional<unsigned>(batchRank) : std::nullopt;
  }
  std::optional<unsigned> nDim() const {
    return hasN ? std::optional<unsigned>(batchRank + hasM) : std::nullopt;
  }
  unsigned kDim() const { return numDims - 1; }
  SmallVector<utils::IteratorType> iterators() const {
    SmallVector<utils::IteratorType> result(numDims,
                                            utils::IteratorType::parallel);
    result.back() = utils::IteratorType::reduction;
    return result;
  }
};

/// The map of a matmul operand: its batch dims right-aligned with the
/// result's (a static 1 against a non-1 result dim broadcasts), then its two
/// matrix dims.
AffineMap getOperandMap(RankedTensorType type, RankedTensorType resultType,
                        int64_t batchRank, unsigned numDims,
                        ArrayRef<AffineExpr> matrixDims, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  int64_t operandBatch = type.getRank() - static_cast<int64_t>(matrixDims.size());
  for (int64_t i = 0; i < operandBatch; ++i) {
    int64_t resultDim = batchRank - operandBatch + i;
    bool broadcast = type.getDimSize(i) == 1 &&
                     resultType.getDimSize(resultDim) != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(resultDim, ctx));
  }
  llvm::append_range(exprs, matrixDims);
  return AffineMap::get(numDims, 0, exprs, ctx);
}

FailureOr<MatmulLayout> getMatmulLayout(PatternRewriter &rewriter,
                                        Operation *op, RankedTensorType lhs,
                                        RankedTensorType rhs,
                                        RankedTensorType result) {
  if (lhs.getRank() < 1 || rhs.getRank() < 1)
    return rewriter.notifyMatchFailure(op, "matmul of a scalar");
  MatmulLayout layout;
  layout.hasM = lhs.getRank() >= 2;
  layout.hasN = rhs.getRank() >= 2;
  layout.batchRank = result.getRank() - layout.hasM - layout.hasN;
  if (layout.batchRank < 0 ||
      layout.batchRank < std::max(lhs.getRank(), rhs.getRank()) - 2)
    return rewriter.notifyMatchFailure(op, "result rank mismatches operands");
  layout.numDims = layout.batchRank + layout.hasM + layout.hasN + 1;
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr k = getAffineDimExpr(layout.kDim(), ctx);
  SmallVector<AffineExpr> lhsMatrix, rhsMatrix, resultExprs;
  for (int64_t i = 0; i < layout.batchRank; ++i)
    resultExprs.push_back(getAffineDimExpr(i, ctx));
  if (layout.hasM) {
    AffineExpr m = getAffineDimExpr(*layout.mDim(), ctx);
    lhsMatrix.push_back(m);
    resultExprs.push_back(m);
  }
  lhsMatrix.push_back(k);
  rhsMatrix.push_back(k);
  if (layout.hasN) {
    AffineExpr n = getAffineDimExpr(*layout.nDim(), ctx);
    rhsMatrix.push_back(n);
    resultExprs.push_back(n);
  }
  layout.lhsMap = getOperandMap(lhs, result, layout.batchRank, layout.numDims,
                                lhsMatrix, ctx);
  layout.rhsMap = getOperandMap(rhs, result, layout.batchRank, layout.numDims,
                                rhsMatrix, ctx);
  layout.resultMap = AffineMap::get(layout.numDims, 0, resultExprs, ctx);
  return layout;
}

/// A zero-filled init of `resultType` whose dynamic dims come from the
/// operands through `layout` (batch dims from a non-broadcast operand, m from
/// the lhs, n from the rhs).
FailureOr<Value> createZeroInit(PatternRewriter &rewriter, Operation *op,
                                const MatmulLayout &layout, Value lhs,
                                Value rhs, RankedTensorType resultType) {
  Location loc = op->getLoc();
  SmallVector<Value> dynamicSizes;
  for (int64_t dim = 0; dim < resultType.getRank(); ++dim) {
    if (!resultType.isDynamicDim(dim))
      continue;
    Value size;
    for (auto [operand, map] :
         {std::make_pair(lhs, layout.lhsMap), std::make_pair(rhs, layout.rhsMap)}) {
      AffineExpr loopDim = layout.resultMap.getResult(dim);
      for (auto [operandDim, expr] : llvm::enumerate(map.getResults())) {
        if (expr == loopDim) {
          size = tensor::DimOp::create(rewriter, loc, operand, operandDim);
          break;
        }
      }
      if (size)
        break;
    }
    if (!size)
      return rewriter.notifyMatchFailure(op, "a dynamic dim has no source");
    dynamicSizes.push_back(size);
  }
  Value empty = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                        resultType.getElementType(),
                                        dynamicSizes);
  Value zero = createScalarConstant(rewriter, loc,
                                    resultType.getElementType(), 0);
  return linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
}

/// Signless operands and the signless result type of `op`, or a failure.
struct SignlessOperands {
  SmallVector<Value> values;
  RankedTensorType resultType;
};
FailureOr<SignlessOperands> getSignlessOperands(PatternRewriter &rewriter,
                                                Operation *op,
                                                ValueRange operands) {
  SignlessOperands result;
  FailureOr<RankedTensorType> resultType = getRankedResultType(rewriter, op);
  if (failed(resultType))
    return failure();
  result.resultType = cast<RankedTensorType>(getSignlessType(*resultType));
  for (Value operand : operands) {
    FailureOr<Value> signless = getSignlessTensor(rewriter, op, operand);
    if (failed(signless))
      return failure();
    result.values.push_back(*signless);
  }
  return result;
}

bool isFloatOrSignlessInt(Type t) {
  return isa<FloatType>(t) || t.isSignlessInteger();
}

/// `acc` converted elementwise to `resultType` (f32 accumulator rounded to
/// f16/bf16); `acc` itself when the types agree.
FailureOr<Value> roundToResultType(PatternRewriter &rewriter, Operation *op,
                                   Value acc, RankedTensorType resultType) {
  if (acc.getType() == resultType)
    return acc;
  Type accElement = getElementTypeOrSelf(acc);
  Type resultElement = resultType.getElementType();
  return buildBroadcastElementwise(
      rewriter, op, resultType, acc,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return convertScalar(b, loc, args[0], accElement, resultElement);
      });
}

/// Float (or same-type integer) numpy matmul.
struct MatMulToLinalg : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (hasQuantElementTypes(op))
      return rewriter.notifyMatchFailure(op, "quant-typed (QuantizedOps)");
    FailureOr<SignlessOperands> operands =
        getSignlessOperands(rewriter, op, adaptor.getOperands());
    if (failed(operands))
      return failure();
    Value lhs = operands->values[0], rhs = operands->values[1];
    RankedTensorType resultType = operands->resultType;
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    Type elementType = resultType.getElementType();
    if (!isFloatOrSignlessInt(elementType) ||
        lhsType.getElementType() != elementType ||
        rhsType.getElementType() != elementType)
      return rewriter.notifyMatchFailure(
          op, "needs float or integer operands of the result's type");
    FailureOr<MatmulLayout> layout =
        getMatmulLayout(rewriter, op, lhsType, rhsType, resultType);
    if (failed(layout))
      return failure();
    Type accElement = getAccumulatorType(elementType);
    auto accType = resultType.clone(accElement);
    FailureOr<Value> init =
        createZeroInit(rewriter, op, *layout, lhs, rhs, accType);
    if (failed(init))
      return failure();
    Location loc = op.getLoc();
    bool sameBatch = lhsType.getRank() == 3 && rhsType.getRank() == 3 &&
                     lhsType.getDimSize(0) == rhsType.getDimSize(0) &&
                     !lhsType.isDynamicDim(0);
    Value acc;
    if (lhsType.getRank() == 2 && rhsType.getRank() == 2) {
      acc = linalg::MatmulOp::create(rewriter, loc, TypeRange{accType},
                                     ValueRange{lhs, rhs}, ValueRange{*init})
                .getResult(0);
    } else if (sameBatch) {
      acc = linalg::BatchMatmulOp::create(rewriter, loc, TypeRange{accType},
                                          ValueRange{lhs, rhs},
                                          ValueRange{*init})
                .getResult(0);
    } else {
      bool isFloat = isa<FloatType>(elementType);
      auto generic = linalg::GenericOp::create(
          rewriter, loc, accType, ValueRange{lhs, rhs}, *init,
          ArrayRef<AffineMap>{layout->lhsMap, layout->rhsMap,
                              layout->resultMap},
          layout->iterators(),
          [&](OpBuilder &b, Location nested, ValueRange args) {
            Value a = convertScalar(b, nested, args[0], elementType, accElement);
            Value c = convertScalar(b, nested, args[1], elementType, accElement);
            Value product =
                isFloat ? arith::MulFOp::create(b, nested, a, c).getResult()
                        : arith::MulIOp::create(b, nested, a, c).getResult();
            Value sum =
                isFloat
                    ? arith::AddFOp::create(b, nested, args[2], product)
                          .getResult()
                    : arith::AddIOp::create(b, nested, args[2], product)
                          .getResult();
            linalg::YieldOp::create(b, nested, sum);
          });
      acc = generic.getResult(0);
    }
    FailureOr<Value> result = roundToResultType(rewriter, op, acc, resultType);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// alpha * op(A) * op(B) + beta * C: a `linalg.matmul` of the (transposed)
/// operands and, when needed, a broadcasting epilogue.
struct GemmToLinalg : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (hasQuantElementTypes(op))
      return rewriter.notifyMatchFailure(op, "quant-typed (QuantizedOps)");
    FailureOr<SignlessOperands> operands =
        getSignlessOperands(rewriter, op, adaptor.getOperands());
    if (failed(operands))
      return failure();
    RankedTensorType resultType = operands->resultType;
    Type elementType = resultType.getElementType();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    bool isFloat = isa<FloatType>(elementType);
    if (!isFloatOrSignlessInt(elementType) ||
        (!isFloat && (alpha != 1.0 || beta != 1.0)))
      return rewriter.notifyMatchFailure(
          op, "integer Gemm needs alpha = beta = 1");
    Location loc = op.getLoc();
    auto transpose = [&](Value matrix, bool transposed) -> Value {
      if (!transposed)
        return matrix;
      auto type = cast<RankedTensorType>(matrix.getType());
      SmallVector<Value> dynamicSizes;
      for (int64_t dim : {1, 0})
        if (type.isDynamicDim(dim))
          dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, matrix, dim));
      Value init = tensor::EmptyOp::create(
          rewriter, loc, {type.getDimSize(1), type.getDimSize(0)},
          type.getElementType(), dynamicSizes);
      return linalg::TransposeOp::create(rewriter, loc, matrix, init,
                                         ArrayRef<int64_t>{1, 0})
          .getResult()[0];
    };
    Value a = transpose(operands->values[0], op.getTransA());
    Value b = transpose(operands->values[1], op.getTransB());
    if (cast<RankedTensorType>(a.getType()).getRank() != 2 ||
        cast<RankedTensorType>(b.getType()).getRank() != 2 ||
        resultType.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "Gemm needs 2-D operands");
    FailureOr<MatmulLayout> layout = getMatmulLayout(
        rewriter, op, cast<RankedTensorType>(a.getType()),
        cast<RankedTensorType>(b.getType()), resultType);
    if (failed(layout))
      return failure();
    Type accElement = getAccumulatorType(elementType);
    auto accType = resultType.clone(accElement);
    FailureOr<Value> init = createZeroInit(rewriter, op, *layout, a, b,
                                           accType);
    if (failed(init))
      return failure();
    Value product = linalg::MatmulOp::create(rewriter, loc, TypeRange{accType},
                                             ValueRange{a, b}, ValueRange{*init})
                        .getResult(0);
    bool hasC = operands->values.size() == 3 && beta != 0.0;
    if (alpha == 1.0 && !hasC) {
      FailureOr<Value> result =
          roundToResultType(rewriter, op, product, resultType);
      if (failed(result))
        return failure();
      rewriter.replaceOp(op, *result);
      return success();
    }
    // The epilogue computes in the accumulator's type and rounds once.
    SmallVector<Value> epilogueOperands{product};
    if (hasC)
      epilogueOperands.push_back(operands->values[2]);
    FailureOr<Value> result = buildBroadcastElementwise(
        rewriter, op, resultType, epilogueOperands,
        [&](OpBuilder &builder, Location nested, ValueRange args) {
          Value value = args[0];
          if (alpha != 1.0)
            value = arith::MulFOp::create(
                builder, nested, value,
                createScalarConstant(builder, nested, accElement, alpha));
          if (args.size() > 1) {
            Value c = convertScalar(builder, nested, args[1], elementType,
                                    accElement);
            if (beta != 1.0)
              c = arith::MulFOp::create(
                  builder, nested, c,
                  createScalarConstant(builder, nested, accElement, beta));
            value = isFloat
                        ? arith::AddFOp::create(builder, nested, value, c)
                              .getResult()
                        : arith::AddIOp::create(builder, nested, value, c)
                              .getResult();
          }
          return convertScalar(builder, nested, value, accElement,
                               elementType);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

bool isEightBitInt(Type t) {
  auto intType = dyn_cast<IntegerType>(getElementTypeOrSelf(t));
  return intType && intType.getWidth() == 8;
}

/// The int32 product of two 8-bit operands with optional zero points
/// (scalars, per-row of the lhs, per-column of the rhs): one contraction
/// generic that widens and subtracts in its body. `original*` are the
/// nb-level values, which carry the signedness.
FailureOr<Value> buildIntegerMatmul(ConversionPatternRewriter &rewriter,
                                    Operation *op, Value lhs, Value rhs,
                                    Value lhsZeroPoint, Value rhsZeroPoint,
                                    Value originalLhs, Value originalRhs,
                                    RankedTensorType accType,
                                    MatmulLayout &layout) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  FailureOr<MatmulLayout> maybeLayout =
      getMatmulLayout(rewriter, op, lhsType, rhsType, accType);
  if (failed(maybeLayout))
    return failure();
  layout = *maybeLayout;
  SmallVector<Value> inputs{lhs, rhs};
  SmallVector<AffineMap> maps{layout.lhsMap, layout.rhsMap};
  int64_t mSize = layout.hasM ? lhsType.getDimSize(lhsType.getRank() - 2) : 1;
  int64_t nSize = layout.hasN ? rhsType.getDimSize(rhsType.getRank() - 1) : 1;
  if (lhsZeroPoint) {
    FailureOr<AffineMap> map = getParameterMap(
        lhsZeroPoint.getType(), layout.numDims, layout.mDim(), mSize);
    if (failed(map))
      return rewriter.notifyMatchFailure(
          op, "lhs zero point must be a scalar or per row of the lhs");
    inputs.push_back(lhsZeroPoint);
    maps.push_back(*map);
  }
  if (rhsZeroPoint) {
    FailureOr<AffineMap> map = getParameterMap(
        rhsZeroPoint.getType(), layout.numDims, layout.nDim(), nSize);
    if (failed(map))
      return rewriter.notifyMatchFailure(
          op, "rhs zero point must be a scalar or per column of the rhs");
    inputs.push_back(rhsZeroPoint);
    maps.push_back(*map);
  }
  maps.push_back(layout.resultMap);
  FailureOr<Value> init =
      createZeroInit(rewriter, op, layout, lhs, rhs, accType);
  if (failed(init))
    return failure();
  Type lhsOrig = getElementTypeOrSelf(originalLhs);
  Type rhsOrig = getElementTypeOrSelf(originalRhs);
  Type i32 = rewriter.getI32Type();
  bool hasLhsZero = static_cast<bool>(lhsZeroPoint);
  bool hasRhsZero = static_cast<bool>(rhsZeroPoint);
  auto generic = linalg::GenericOp::create(
      rewriter, op->getLoc(), accType, inputs, *init, maps,
      layout.iterators(),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value a = convertScalar(b, loc, args[0], lhsOrig, i32);
        Value bValue = convertScalar(b, loc, args[1], rhsOrig, i32);
        unsigned next = 2;
        if (hasLhsZero)
          a = arith::SubIOp::create(
              b, loc, a, convertScalar(b, loc, args[next++], lhsOrig, i32));
        if (hasRhsZero)
          bValue = arith::SubIOp::create(
              b, loc, bValue,
              convertScalar(b, loc, args[next++], rhsOrig, i32));
        Value product = arith::MulIOp::create(b, loc, a, bValue);
        linalg::YieldOp::create(
            b, loc, arith::AddIOp::create(b, loc, args.back(), product)
                        .getResult());
      });
  return generic.getResult(0);
}

struct MatMulIntegerToLinalg : OpConversionPattern<MatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isEightBitInt(op.getLhs().getType()) ||
        !isEightBitInt(op.getRhs().getType()) ||
        !getElementTypeOrSelf(op.getOutput()).isInteger(32))
      return rewriter.notifyMatchFailure(
          op, "needs 8-bit integer operands and an i32 result");
    FailureOr<SignlessOperands> operands =
        getSignlessOperands(rewriter, op, adaptor.getOperands());
    if (failed(operands))
      return failure();
    Value lhsZero = adaptor.getLhsZeroPoint()
                        ? operands->values[2]
                        : Value();
    Value rhsZero = adaptor.getRhsZeroPoint()
                        ? operands->values[lhsZero ? 3 : 2]
                        : Value();
    MatmulLayout layout;
    FailureOr<Value> result = buildIntegerMatmul(
        rewriter, op, operands->values[0], operands->values[1], lhsZero,
        rhsZero, op.getLhs(), op.getRhs(), operands->resultType, layout);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// Integer product, then requantization into the output's scale and zero
/// point: saturate(round_half_even(acc * (a_scale * b_scale / y_scale)) +
/// y_zero_point), the multiplier formed in the scales' type and applied in
/// f64 exactly as the ONNX reference evaluates it.
struct QLinearMatMulToLinalg : OpConversionPattern<QLinearMatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QLinearMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outputType =
        dyn_cast<IntegerType>(getElementTypeOrSelf(op.getOutput()));
    if (!isEightBitInt(op.getLhs().getType()) ||
        !isEightBitInt(op.getRhs().getType()) || !outputType ||
        outputType.getWidth() != 8)
      return rewriter.notifyMatchFailure(
          op, "needs 8-bit integer operands and result");
    // The multiplier is formed in the scales' own type (f16 scales round
    // each product as numpy's float16 does in the ONNX reference).
    Type scaleType = getElementTypeOrSelf(op.getLhsScale());
    if (!isa<FloatType>(scaleType) ||
        getElementTypeOrSelf(op.getRhsScale()) != scaleType ||
        getElementTypeOrSelf(op.getOutputScale()) != scaleType)
      return rewriter.notifyMatchFailure(op, "needs float scales of one type");
    FailureOr<SignlessOperands> operands =
        getSignlessOperands(rewriter, op, adaptor.getOperands());
    if (failed(operands))
      return failure();
    ArrayRef<Value> v = operands->values;
    RankedTensorType resultType = operands->resultType;
    auto accType = resultType.clone(rewriter.getI32Type());
    MatmulLayout layout;
    FailureOr<Value> acc =
        buildIntegerMatmul(rewriter, op, v[0], v[3], v[2], v[5], op.getLhs(),
                           op.getRhs(), accType, layout);
    if (failed(acc))
      return failure();

    // The epilogue runs over the result dims: drop k from the layout.
    unsigned rank = resultType.getRank();
    std::optional<unsigned> mDim = layout.mDim(), nDim = layout.nDim();
    auto lhsType = cast<RankedTensorType>(v[0].getType());
    auto rhsType = cast<RankedTensorType>(v[3].getType());
    int64_t mSize = layout.hasM ? lhsType.getDimSize(lhsType.getRank() - 2) : 1;
    int64_t nSize = layout.hasN ? rhsType.getDimSize(rhsType.getRank() - 1) : 1;
    struct Parameter {
      Value value;
      std::optional<unsigned> dim;
      int64_t size;
      StringRef what;
    };
    Parameter parameters[] = {
        {v[1], mDim, mSize, "lhs scale"},
        {v[4], nDim, nSize, "rhs scale"},
        {v[6], std::nullopt, 1, "output scale"},
        {v[7], std::nullopt, 1, "output zero point"}};
    SmallVector<Value> inputs{*acc};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
    for (const Parameter &parameter : parameters) {
      FailureOr<AffineMap> map = getParameterMap(
          parameter.value.getType(), rank, parameter.dim, parameter.size);
      if (failed(map))
        return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
          diag << "unsupported shape of the " << parameter.what;
        });
      inputs.push_back(parameter.value);
      maps.push_back(*map);
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Location loc = op.getLoc();
    FailureOr<Value> init = createEmptyTensor(rewriter, loc, resultType, *acc);
    if (failed(init))
      return rewriter.notifyMatchFailure(op, "a dynamic dim has no source");
    Type zeroPointType = getElementTypeOrSelf(op.getOutputZeroPoint());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto requantize = linalg::GenericOp::create(
        rewriter, loc, resultType, inputs, *init, maps, iterators,
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Type f64 = b.getF64Type();
          Value multiplier = arith::DivFOp::create(
              b, nested, arith::MulFOp::create(b, nested, args[1], args[2]),
              args[3]);
          if (multiplier.getType() != f64)
            multiplier = arith::ExtFOp::create(b, nested, f64, multiplier);
          Value scaled = arith::MulFOp::create(
              b, nested, arith::SIToFPOp::create(b, nested, f64, args[0]),
              multiplier);
          Value shifted = arith::AddFOp::create(
              b, nested, scaled,
              convertScalar(b, nested, args[4], zeroPointType, f64));
          linalg::YieldOp::create(
              b, nested, roundAndSaturate(b, nested, shifted, outputType));
        });
    rewriter.replaceOp(op, requantize.getResult(0));
    return success();
  }
};

} // namespace

FailureOr<Value> lowering::buildQuantizedMatmulAccumulator(
    ConversionPatternRewriter &rewriter, Operation *op, Value lhs, Value rhs,
    Value lhsZeroPoint, Value rhsZeroPoint, Value originalLhs,
    Value originalRhs, RankedTensorType accType) {
  MatmulLayout layout;
  return buildIntegerMatmul(rewriter, op, lhs, rhs, lhsZeroPoint,
                            rhsZeroPoint, originalLhs, originalRhs, accType,
                            layout);
}

void mlir::nb::populateContractionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MatMulToLinalg, GemmToLinalg, MatMulIntegerToLinalg,
               QLinearMatMulToLinalg>(patterns.getContext());
}
