//===- CPUTileAndVectorize.cpp - nb-cpu-tile-and-vectorize ----------------===//
//
// Tiling comes before vectorization because linalg::vectorize turns the
// whole iteration space into one vector: an untiled 64x1024 elementwise op
// would become a vector<64x1024xf32>. Tiles sized to a vector register keep
// the vectors what the hardware holds. Tile sizes always divide the loop
// bounds, so every tile is static and no masking is needed.
//
//===----------------------------------------------------------------------===//
#include "nibble/Pipelines/CPUTarget.h"
#include "nibble/Pipelines/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::nb {
#define GEN_PASS_DEF_CPUTILEANDVECTORIZE
#include "nibble/Pipelines/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;

/// Reduction tiles stay short: a vector.contract or multi_reduction over a
/// long reduction dimension unrolls into that many operations.
static constexpr int64_t kMaxReductionTile = 16;
static constexpr unsigned kDefaultVectorBits = 256;
/// Ops whose iteration space is larger than this after tiling (tiling
/// failed) stay scalar rather than becoming huge unrolled vectors.
static constexpr int64_t kMaxVectorizedElements = 4096;

/// The largest divisor of `size` that is at most `limit`.
static int64_t largestDivisorAtMost(int64_t size, int64_t limit) {
  for (int64_t candidate = std::min(size, limit); candidate > 1; --candidate)
    if (size % candidate == 0)
      return candidate;
  return 1;
}

static unsigned widestElementBits(linalg::LinalgOp op) {
  unsigned bits = 8;
  for (OpOperand &operand : op->getOpOperands()) {
    Type element = getElementTypeOrSelf(operand.get().getType());
    if (element.isIntOrFloat())
      bits = std::max(bits, element.getIntOrFloatBitWidth());
  }
  return bits;
}

/// Tile sizes per loop (0: not tiled), or failure for dynamic loop bounds.
/// Parallel loops: 1, except the innermost one, which gets a vector's worth
/// of elements. Reduction loops: 1, except the innermost one (at most
/// kMaxReductionTile). Unit outer loops are what lets the convolution
/// decomposition patterns rewrite 2-D windows into vectorizable 1-D ones.
static FailureOr<SmallVector<int64_t>> computeTileSizes(linalg::LinalgOp op,
                                                        unsigned vectorBits) {
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  if (llvm::any_of(bounds, ShapedType::isDynamic))
    return failure();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t lanes = std::max<int64_t>(1, vectorBits / widestElementBits(op));

  std::optional<unsigned> innermostParallel, innermostReduction;
  for (auto [index, iterator] : llvm::enumerate(iterators)) {
    if (iterator == utils::IteratorType::parallel)
      innermostParallel = index;
    else
      innermostReduction = index;
  }
  SmallVector<int64_t> tiles(bounds.size(), 1);
  if (innermostParallel)
    tiles[*innermostParallel] =
        largestDivisorAtMost(bounds[*innermostParallel], lanes);
  if (innermostReduction)
    tiles[*innermostReduction] =
        largestDivisorAtMost(bounds[*innermostReduction], kMaxReductionTile);
  // A tile that covers its whole loop needs no loop.
  for (auto [tile, bound] : llvm::zip_equal(tiles, bounds))
    if (tile == bound)
      tile = 0;
  return tiles;
}

/// Whether some operand is indexed by an expression that decreases as a loop
/// index grows (`2 - d3`, as in flipped convolution weights) or that is not
/// linear (mod, div). Tiling computes operand slices from the tile's first
/// and last index, which is only right for increasing linear indexing.
static bool hasNonIncreasingIndexing(linalg::LinalgOp op) {
  for (AffineMap map : op.getIndexingMapsArray()) {
    for (AffineExpr result : map.getResults()) {
      bool increasing = true;
      result.walk([&](AffineExpr expr) {
        if (expr.getKind() == AffineExprKind::Mod ||
            expr.getKind() == AffineExprKind::FloorDiv ||
            expr.getKind() == AffineExprKind::CeilDiv) {
          increasing = false;
          return;
        }
        auto mul = dyn_cast<AffineBinaryOpExpr>(expr);
        if (!mul || mul.getKind() != AffineExprKind::Mul)
          return;
        auto factor = dyn_cast<AffineConstantExpr>(mul.getRHS());
        if (!factor)
          factor = dyn_cast<AffineConstantExpr>(mul.getLHS());
        if (!factor || factor.getValue() < 0)
          increasing = false;
      });
      if (!increasing)
        return true;
    }
  }
  return false;
}

/// Vectors of sub-byte elements (i1, i4, f4...) are bit-packed in memory
/// while memrefs of them hold a byte per element, so transfers of such
/// tensors would read the wrong bits.
static bool accessesSubByteTensors(linalg::LinalgOp op) {
  return llvm::any_of(op->getOperandTypes(), [](Type type) {
    Type element = getElementTypeOrSelf(type);
    return isa<ShapedType>(type) && element.isIntOrFloat() &&
           element.getIntOrFloatBitWidth() < 8;
  });
}

namespace {
struct CPUTileAndVectorizePass
    : public nb::impl::CPUTileAndVectorizeBase<CPUTileAndVectorizePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *context = &getContext();
    unsigned vectorBits = kDefaultVectorBits;
    if (auto module = func->getParentOfType<ModuleOp>())
      if (std::optional<nibble::CPUTarget> target =
              nibble::getModuleCPUTarget(module))
        vectorBits = target->vectorBits;

    // 1. Tile. Ops are collected first: tiling replaces them.
    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics())
        candidates.push_back(op);
    });
    IRRewriter rewriter(context);
    for (linalg::LinalgOp op : candidates) {
      if (hasNonIncreasingIndexing(op))
        continue;
      FailureOr<SmallVector<int64_t>> tiles = computeTileSizes(op, vectorBits);
      if (failed(tiles) || llvm::all_of(*tiles, [](int64_t t) { return !t; }))
        continue;
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(context, *tiles));
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
    }

    // 2. 2-D convolutions and poolings with unit window rows become 1-D
    // ones, which the vectorizer handles.
    {
      RewritePatternSet patterns(context);
      linalg::populateDecomposeConvolutionPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // 3. Vectorize what has static shapes; the rest stays linalg.
    SmallVector<linalg::LinalgOp> tiles;
    func.walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
          accessesSubByteTensors(op))
        return;
      int64_t elements = 1;
      for (int64_t bound : op.getStaticLoopRanges())
        elements *= bound;
      if (elements <= kMaxVectorizedElements)
        tiles.push_back(op);
    });
    for (linalg::LinalgOp op : tiles) {
      if (failed(linalg::vectorizeOpPrecondition(op)))
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, op);
      if (succeeded(vectorized))
        rewriter.replaceOp(op, vectorized->replacements);
    }

    // 4. Reads and writes of tiles go straight to the tensors they slice.
    RewritePatternSet patterns(context);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
