//===- ConvertNBToLinalg.cpp - convert-nb-to-linalg -----------------------===//
#include "nibble/Conversion/NBToLinalg/NBToLinalg.h"
#include "nibble/Conversion/Passes.h"

#include "IntegerLoweringUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

namespace mlir::nb {
#define GEN_PASS_DEF_CONVERTNBTOLINALG
#include "nibble/Conversion/Passes.h.inc"
} // namespace mlir::nb

using namespace mlir;
using namespace mlir::nb;

namespace {
/// nb.constant becomes arith.constant with the same attribute, so
/// dense_resource weights stay referenced, and bufferization makes them
/// memref globals. Signed and unsigned integer constants are reinterpreted
/// as signless ones, the type their converted users expect.
struct ConstantToArith : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "value is not a typed attribute");
    auto type = dyn_cast<RankedTensorType>(value.getType());
    Type signlessType = type ? lowering::getSignlessType(type) : Type();
    if (type && signlessType != type) {
      if (auto dense = dyn_cast<DenseElementsAttr>(value))
        value = dense.bitcast(getElementTypeOrSelf(signlessType));
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        value = DenseResourceElementsAttr::get(cast<ShapedType>(signlessType),
                                               resource.getRawHandle());
      else
        return rewriter.notifyMatchFailure(op, "unsupported attribute kind");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

/// `quant.scast` only changes how the same storage integers are read; once
/// tensor types are converted to their signless storage both sides have the
/// same type, so the cast disappears.
struct StorageCastToStorage : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (lowering::getSignlessType(op.getType()) != input.getType())
      return rewriter.notifyMatchFailure(
          op, "storage types of the two sides differ");
    rewriter.replaceOp(op, input);
    return success();
  }
};
} // namespace

void mlir::nb::populateNBToLinalgPatterns(RewritePatternSet &patterns,
                                          RequantizeMode requantize) {
  patterns.add<ConstantToArith, StorageCastToStorage>(patterns.getContext());
  populateQuantizedOpsToLinalgPatterns(patterns, requantize);
  populateElementwiseToLinalgPatterns(patterns);
  populateContractionToLinalgPatterns(patterns);
  populateConvolutionToLinalgPatterns(patterns);
  populatePoolingToLinalgPatterns(patterns);
  populateNormalizationToLinalgPatterns(patterns);
  populateQuantizationToLinalgPatterns(patterns);
  populateShapeOpsToTensorPatterns(patterns);
  populateCastAndClipToLinalgPatterns(patterns);
  populateDataMovementToLinalgPatterns(patterns);
}

namespace {
struct ConvertNBToLinalgPass
    : public nb::impl::ConvertNBToLinalgBase<ConvertNBToLinalgPass> {
  using ConvertNBToLinalgBase::ConvertNBToLinalgBase;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RequantizeMode mode;
    if (requantize == "float") {
      mode = RequantizeMode::Float;
    } else if (requantize == "fixed-point") {
      mode = RequantizeMode::FixedPoint;
    } else {
      getOperation()->emitError("convert-nb-to-linalg: requantize must be "
                                "'float' or 'fixed-point', got '")
          << requantize << "'";
      return signalPassFailure();
    }
    if (failed(checkQuantizedOpsLowerable(getOperation())))
      return signalPassFailure();
    ConversionTarget target(*context);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           func::FuncDialect>();
    target.addIllegalDialect<NBDialect, quant::QuantDialect>();

    // arith rejects signed/unsigned integers (`ui8`), so tensors of them
    // become signless at function boundaries, and so do `!quant` tensors
    // (their storage); patterns read the signedness, and the quantization
    // parameters, from the nb op they replace (IntegerLoweringUtils.h).
    TypeConverter signlessConverter;
    signlessConverter.addConversion([](Type type) { return type; });
    signlessConverter.addConversion([](RankedTensorType type) -> Type {
      return lowering::getSignlessType(type);
    });
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return signlessConverter.isSignatureLegal(op.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return signlessConverter.isLegal(op); });

    RewritePatternSet patterns(context);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(
        patterns, signlessConverter);
    populateReturnOpTypeConversionPattern(patterns, signlessConverter);
    populateCallOpTypeConversionPattern(patterns, signlessConverter);
    populateNBToLinalgPatterns(patterns, mode);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
