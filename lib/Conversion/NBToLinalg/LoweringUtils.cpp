//===- LoweringUtils.cpp - shared helpers of the nb-to-linalg lowering ----===//
#include "LoweringUtils.h"
#include "IntegerLoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::lowering;

FailureOr<Value> lowering::createEmptyTensor(OpBuilder &b, Location loc,
                                  RankedTensorType type,
                                  ValueRange shapeSources) {
  SmallVector<Value> dynamicSizes;
  int64_t rank = type.getRank();
  for (int64_t dim = 0; dim < rank; ++dim) {
    if (!type.isDynamicDim(dim))
      continue;
    Value size;
    for (Value source : shapeSources) {
      auto sourceType = dyn_cast<RankedTensorType>(source.getType());
      if (!sourceType)
        continue;
      int64_t sourceDim = dim - (rank - sourceType.getRank());
      if (sourceDim < 0 || !sourceType.isDynamicDim(sourceDim))
        continue;
      size = tensor::DimOp::create(b, loc, source, sourceDim);
      break;
    }
    if (!size)
      return failure();
    dynamicSizes.push_back(size);
  }
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes)
      .getResult();
}

FailureOr<RankedTensorType>
lowering::getRankedResultType(PatternRewriter &rewriter, Operation *op,
                              unsigned index) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(index).getType());
  if (!type)
    return rewriter.notifyMatchFailure(op, "result is unranked");
  return type;
}

FailureOr<RankedTensorType>
lowering::getSignlessResultType(PatternRewriter &rewriter, Operation *op,
                                unsigned index) {
  FailureOr<RankedTensorType> type = getRankedResultType(rewriter, op, index);
  if (failed(type))
    return failure();
  return cast<RankedTensorType>(getSignlessType(*type));
}

FailureOr<Value> lowering::buildBroadcastElementwise(
    PatternRewriter &rewriter, Operation *op, RankedTensorType resultType,
    ValueRange operands, ScalarBodyBuilder body) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rewriter.getContext();
  int64_t rank = resultType.getRank();

  SmallVector<AffineMap> maps;
  for (Value operand : operands) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type)
      return rewriter.notifyMatchFailure(op, "operand is unranked");
    if (type.getRank() > rank)
      return rewriter.notifyMatchFailure(op, "operand rank exceeds result's");
    SmallVector<AffineExpr> exprs;
    int64_t offset = rank - type.getRank();
    for (int64_t dim = 0; dim < type.getRank(); ++dim) {
      bool broadcast = type.getDimSize(dim) == 1 &&
                       resultType.getDimSize(dim + offset) != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(dim + offset, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(rewriter.getMultiDimIdentityMap(rank));

  // Dynamic result dims come from operands that are not broadcast there.
  FailureOr<Value> init =
      createEmptyTensor(rewriter, loc, resultType, operands);
  if (failed(init))
    return rewriter.notifyMatchFailure(op, "a dynamic result dim has no source");
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, resultType, operands, *init, maps, iterators,
      [&](OpBuilder &b, Location nested, ValueRange args) {
        Value result = body(b, nested, args.drop_back());
        linalg::YieldOp::create(b, nested, result);
      });
  return generic.getResult(0);
}

Value lowering::createScalarConstant(OpBuilder &b, Location loc, Type type,
                                     double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, type,
                                     b.getFloatAttr(floatType, value));
  type = getSignlessType(type);
  return arith::ConstantOp::create(
      b, loc, type, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Type lowering::getAccumulatorType(Type element) {
  auto floatType = dyn_cast<FloatType>(element);
  if (floatType && floatType.getWidth() < 32)
    return Float32Type::get(element.getContext());
  return element;
}
