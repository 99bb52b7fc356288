//===- CPUComputeBF16InF32.cpp - nb-cpu-compute-bf16-in-f32 ---------------===//
//
// Named linalg ops are rebuilt by their dialect's region builder, so the
// body of the f32 op is exactly what the op's definition gives for f32
// operands (the same combiner, f32 accumulation).
//
//===----------------------------------------------------------------------===//
#include "nibble/Pipelines/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::nb {
#define GEN_PASS_DEF_CPUCOMPUTEBF16INF32
#include "nibble/Pipelines/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

static bool isBF16Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isBF16();
}

/// An elementwise linalg.generic converting `value` to `elementType` with
/// `arith.extf` or `arith.truncf`.
static Value convertTensor(OpBuilder &b, Location loc, Value value,
                           Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, value);
  Value init = tensor::EmptyOp::create(b, loc, sizes, elementType);
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  bool widen = elementType.getIntOrFloatBitWidth() >
               type.getElementType().getIntOrFloatBitWidth();
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), value, init, {identity, identity}, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value converted =
            widen ? arith::ExtFOp::create(nested, nestedLoc, elementType,
                                          args[0])
                        .getResult()
                  : arith::TruncFOp::create(nested, nestedLoc, elementType,
                                            args[0])
                        .getResult();
        linalg::YieldOp::create(nested, nestedLoc, converted);
      });
  return generic.getResult(0);
}

namespace {
/// A named convolution, pooling or contraction with bf16 operands becomes
/// the same op on f32 operands between extensions and truncations.
struct ComputeNamedOpInF32
    : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (isa<linalg::GenericOp>(op) || !op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not a named op on tensors");
    if (!linalg::isaConvolutionOpInterface(op) &&
        !linalg::isaContractionOpInterface(op))
      return rewriter.notifyMatchFailure(op, "not a convolution/contraction");
    if (llvm::none_of(op->getOperandTypes(), isBF16Tensor))
      return rewriter.notifyMatchFailure(op, "no bf16 operand");
    auto *dialect = cast<linalg::LinalgDialect>(op->getDialect());
    linalg::LinalgDialect::RegionBuilderFunType regionBuilder =
        dialect->getRegionBuilder(op->getName().getStringRef());
    if (!regionBuilder)
      return rewriter.notifyMatchFailure(op, "no region builder");

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      if (!isBF16Tensor(operand.getType())) {
        operands.push_back(operand);
        continue;
      }
      // Pooling's window operand carries only a shape.
      if (auto empty = operand.getDefiningOp<tensor::EmptyOp>()) {
        operands.push_back(tensor::EmptyOp::create(
            rewriter, loc, empty.getMixedSizes(), f32));
        continue;
      }
      operands.push_back(convertTensor(rewriter, loc, operand, f32));
    }
    SmallVector<Type> resultTypes;
    for (Type type : op->getResultTypes())
      resultTypes.push_back(
          isBF16Tensor(type) ? cast<RankedTensorType>(type).clone(f32) : type);

    // The same op (attributes and properties included) with a body built
    // for the new operand types.
    Operation *computed = rewriter.cloneWithoutRegions(*op);
    computed->setOperands(operands);
    for (auto [result, type] : llvm::zip_equal(computed->getResults(),
                                               resultTypes))
      result.setType(type);
    Block *block = new Block();
    computed->getRegion(0).push_back(block);
    for (Value operand : operands)
      block->addArgument(getElementTypeOrSelf(operand.getType()), loc);
    ImplicitLocOpBuilder bodyBuilder(loc, rewriter);
    bodyBuilder.setInsertionPointToStart(block);
    regionBuilder(bodyBuilder, *block, op->getAttrs(),
                  [&]() { return op->emitOpError(); });

    SmallVector<Value> replacements;
    for (auto [original, result] :
         llvm::zip_equal(op->getResults(), computed->getResults()))
      replacements.push_back(
          isBF16Tensor(original.getType())
              ? convertTensor(rewriter, loc, result,
                              rewriter.getBF16Type())
              : result);
    rewriter.replaceOp(op, replacements);
    return success();
  }
};

struct CPUComputeBF16InF32Pass
    : public nb::impl::CPUComputeBF16InF32Base<CPUComputeBF16InF32Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ComputeNamedOpInF32>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
