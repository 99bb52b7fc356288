//===- LiftQDQToQuantTypes.cpp - nb-lift-qdq-to-quant-types ---------------===//
//
// QDQ models from other tools carry their quantization parameters in
// constant scale/zero-point operands. This pass moves them into upstream
// quant element types, so the rest of the compiler (and other MLIR tools)
// reads scales and zero points from types.
//
//===----------------------------------------------------------------------===//
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/IR/NBQuantUtils.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::nb {
#define GEN_PASS_DEF_LIFTQDQTOQUANTTYPES
#include "nibble/Dialect/NB/Transforms/Passes.h.inc"

namespace {

/// The value of a constant Q/DQ parameter (scale or zero point) as dense
/// elements. The importer stores initializers of 64 elements or more as
/// dense_resource blobs (per-channel scales of wide layers); those are read
/// into a dense attribute, which is small. Null when `v` is not a constant
/// of whole-byte elements.
DenseElementsAttr constantElements(Value v) {
  ElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return {};
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense;
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  AsmResourceBlob *blob = resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob)
    return {};
  ShapedType type = resource.getType();
  ArrayRef<char> data = blob->getData();
  unsigned bitWidth = type.getElementTypeBitWidth();
  if (bitWidth % 8 != 0 ||
      data.size() != static_cast<size_t>(type.getNumElements()) * bitWidth / 8)
    return {};
  return DenseElementsAttr::getFromRawBuffer(type, data);
}

/// The value of a constant weight when it is dense or dense_resource.
ElementsAttr constantWeight(Value v) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) ||
      !isa<DenseElementsAttr, DenseResourceElementsAttr>(attr))
    return {};
  return attr;
}

/// `weight` with signless elements of the same width: the same bits read
/// as quant.scast requires. A dense_resource weight gets a new view over
/// the same blob (no copy of the weight's bytes).
ElementsAttr asSignless(ElementsAttr weight, IntegerType signless) {
  if (auto dense = dyn_cast<DenseElementsAttr>(weight))
    return dense.bitcast(signless);
  auto resource = cast<DenseResourceElementsAttr>(weight);
  return DenseResourceElementsAttr::get(resource.getType().clone(signless),
                                        resource.getRawHandle());
}

/// The quant type a Q/DQ op's constant parameters describe for integer
/// storage `storage` over data of type `dataType`. Emits a remark and
/// returns null when the parameters are constant but not expressible.
template <typename OpTy>
quant::QuantizedType quantTypeFor(OpTy op, Type storage, Type dataType,
                                  bool remark) {
  DenseElementsAttr scale = constantElements(op.getScale());
  DenseElementsAttr zeroPoint = constantElements(op.getZeroPoint());
  if (!scale || (op.getZeroPoint() && !zeroPoint))
    return {};
  std::string reason;
  quant::QuantizedType type = getQuantTypeForQDQ(
      storage, scale, zeroPoint, op.getAxis(), op.getBlockSize(),
      dyn_cast<ShapedType>(dataType), reason);
  if (!type && remark)
    op.emitRemark("not lifted to a quant type: ") << reason;
  return type;
}

/// quantize_linear -> quant-typed result. Dequantize users with the same
/// parameters take the quant value; other users get the integer storage
/// back through quant.scast (only possible for signless storage).
struct LiftQuantizeLinear : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeLinearOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<TensorType>(op.getType());
    Type storage = resultType.getElementType();
    if (!isa<IntegerType>(storage) && !isa<FloatType>(storage))
      return failure();
    quant::QuantizedType quantType =
        quantTypeFor(op, storage, op.getInput().getType(), /*remark=*/true);
    if (!quantType)
      return failure();
    SmallVector<OpOperand *> storageUses;
    for (OpOperand &use : op->getUses()) {
      auto dequantize = dyn_cast<DequantizeLinearOp>(use.getOwner());
      quant::QuantizedType userType =
          dequantize ? quantTypeFor(dequantize, storage, op.getType(),
                                    /*remark=*/false)
                     : quant::QuantizedType();
      if (!userType || !quantTypesMatch(userType, quantType))
        storageUses.push_back(&use);
    }
    if (!storageUses.empty() && !storage.isSignlessInteger()) {
      op.emitRemark("not lifted to a quant type: integer users of a ")
          << storage << " result (quant.scast needs signless storage)";
      return failure();
    }
    rewriter.modifyOpInPlace(
        op, [&] { op.getOutput().setType(resultType.clone(quantType)); });
    if (storageUses.empty())
      return success();
    rewriter.setInsertionPointAfter(op);
    Value storageValue = quant::StorageCastOp::create(
        rewriter, op.getLoc(), resultType, op.getOutput());
    for (OpOperand *use : storageUses)
      rewriter.modifyOpInPlace(use->getOwner(),
                               [&] { use->set(storageValue); });
    return success();
  }
};

/// dequantize_linear(constant integer weight) -> dequantize_linear(
/// quant.scast(constant)), for dense and dense_resource weights (the
/// importer's form of every large ONNX initializer). Unsigned constants are
/// re-typed as signless (same bits) first, as quant.scast takes signless
/// storage.
struct LiftDequantizeLinearOfConstant : OpRewritePattern<DequantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeLinearOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<TensorType>(op.getInput().getType());
    auto storage = dyn_cast<IntegerType>(inputType.getElementType());
    ElementsAttr weight = constantWeight(op.getInput());
    if (!storage || !weight)
      return failure();
    quant::QuantizedType quantType =
        quantTypeFor(op, storage, inputType, /*remark=*/true);
    if (!quantType)
      return failure();
    Value signless = op.getInput();
    if (!storage.isSignless()) {
      auto signlessType = IntegerType::get(getContext(), storage.getWidth());
      signless = ConstantOp::create(rewriter, op.getInput().getLoc(),
                                    asSignless(weight, signlessType));
    }
    Value quantized = quant::StorageCastOp::create(
        rewriter, op.getLoc(), inputType.clone(quantType), signless);
    rewriter.modifyOpInPlace(op,
                             [&] { op.getInputMutable().assign(quantized); });
    return success();
  }
};

struct LiftQDQToQuantTypesPass
    : impl::LiftQDQToQuantTypesBase<LiftQDQToQuantTypesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LiftQuantizeLinear, LiftDequantizeLinearOfConstant>(
        &getContext());
    // One visit per op: the rewrites are local and each emits at most one
    // remark, which a fixpoint driver could repeat.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
} // namespace mlir::nb
