//===- NBOpsCanonicalize.cpp - canonicalization patterns of nb ops --------===//
//
// Rewrites that need more than a folder: composing transposes and reshapes,
// and resolving auto_pad to explicit pads so later passes see one form.
//
//===----------------------------------------------------------------------===//
#include "NBOpsUtils.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::detail;

namespace {

/// transpose(transpose(x, p1), p2) -> transpose(x, p1 o p2).
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner || inner.getPerm().empty() || op.getPerm().empty() ||
        inner.getPerm().size() != op.getPerm().size())
      return failure();
    // out[i] = mid[p2[i]] = in[p1[p2[i]]].
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPerm())
      perm.push_back(inner.getPerm()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), inner.getInput(),
                                             perm);
    return success();
  }
};

/// reshape(reshape(x), s) -> reshape(x, s) when `s` does not copy dims from
/// the intermediate value (no 0 entries unless allowzero).
struct ComposeReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    SmallVector<int64_t> shape;
    if (!inner || !getConstantInts(op.getShape(), shape) ||
        (!op.getAllowzero() && llvm::is_contained(shape, 0)))
      return failure();
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(inner.getInput()); });
    return success();
  }
};

/// Replaces auto_pad SAME_UPPER/SAME_LOWER/VALID with explicit pads. SAME
/// needs static spatial input dims and a static kernel.
template <typename OpTy> struct ResolveAutoPad : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  static SmallVector<int64_t> kernelShape(OpTy op) {
    if constexpr (std::is_same_v<OpTy, MaxPoolOp> ||
                  std::is_same_v<OpTy, AveragePoolOp>) {
      return llvm::to_vector(op.getKernelShape());
    } else {
      auto shape = shapeOf(op.getWeight());
      if (!shape || shape->size() < 2)
        return {};
      return llvm::to_vector(shape->drop_front(2));
    }
  }

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    AutoPad autoPad = op.getAutoPad();
    if (autoPad == AutoPad::NotSet)
      return failure();
    auto inputShape = shapeOf(op.getInput());
    if (!inputShape || inputShape->size() < 3)
      return failure();
    int64_t spatial = inputShape->size() - 2;
    SmallVector<int64_t> pads(2 * spatial, 0);
    if (autoPad != AutoPad::Valid) {
      if constexpr (std::is_same_v<OpTy, MaxPoolOp> ||
                    std::is_same_v<OpTy, AveragePoolOp>) {
        // With ceil_mode explicit pads may add a window that SAME does not.
        if (op.getCeilMode())
          return failure();
      }
      SmallVector<int64_t> kernel = kernelShape(op);
      if (static_cast<int64_t>(kernel.size()) != spatial)
        return failure();
      for (int64_t i = 0; i < spatial; ++i) {
        int64_t in = (*inputShape)[2 + i];
        if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel[i]))
          return failure();
        int64_t stride = i < static_cast<int64_t>(op.getStrides().size())
                             ? op.getStrides()[i]
                             : 1;
        int64_t dilation = i < static_cast<int64_t>(op.getDilations().size())
                               ? op.getDilations()[i]
                               : 1;
        auto [begin, end] = samePadding(in, kernel[i], stride, dilation,
                                        autoPad == AutoPad::SameUpper);
        pads[i] = begin;
        pads[spatial + i] = end;
      }
    }
    rewriter.modifyOpInPlace(op, [&] {
      op.setPads(pads);
      op.setAutoPad(AutoPad::NotSet);
    });
    return success();
  }
};

} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ComposeTransposes>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ComposeReshapes>(context);
}

void ConvOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<ResolveAutoPad<ConvOp>>(context);
}

void ConvIntegerOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *context) {
  results.add<ResolveAutoPad<ConvIntegerOp>>(context);
}

void QLinearConvOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *context) {
  results.add<ResolveAutoPad<QLinearConvOp>>(context);
}

void MaxPoolOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ResolveAutoPad<MaxPoolOp>>(context);
}

void AveragePoolOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *context) {
  results.add<ResolveAutoPad<AveragePoolOp>>(context);
}
