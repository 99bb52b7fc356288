//===- NBToLinalg.h - nb to linalg patterns ---------------------*- C++ -*-===//
//
// Pattern sets of the nb-to-linalg lowering, one per op family, so that
// pipelines (and embedders) can lower a subset or add their own patterns.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_CONVERSION_NBTOLINALG_NBTOLINALG_H
#define NIBBLE_CONVERSION_NBTOLINALG_NBTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::nb {

/// Unary and binary elementwise ops, broadcasting, Clip, Cast, Where.
void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns);

/// Reshape, Flatten, Squeeze, Unsqueeze, Expand, Shape, ConstantOfShape,
/// Range.
void populateShapeOpsToTensorPatterns(RewritePatternSet &patterns);

/// MatMul, Gemm, MatMulInteger, QLinearMatMul.
void populateContractionToLinalgPatterns(RewritePatternSet &patterns);

/// Transpose, Concat, Slice, Split, Gather, Pad, Trilu, Resize.
void populateDataMovementToLinalgPatterns(RewritePatternSet &patterns);

/// Resize (part of the data movement set, in a file of its own).
void populateResizeToLinalgPatterns(RewritePatternSet &patterns);

/// Cast and Clip.
void populateCastAndClipToLinalgPatterns(RewritePatternSet &patterns);

/// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear.
void populateQuantizationToLinalgPatterns(RewritePatternSet &patterns);

/// BatchNormalization, LayerNormalization, SimplifiedLayerNormalization,
/// Softmax, ReduceMean.
void populateNormalizationToLinalgPatterns(RewritePatternSet &patterns);

/// MaxPool, AveragePool, GlobalAveragePool.
void populatePoolingToLinalgPatterns(RewritePatternSet &patterns);

/// Conv, ConvTranspose, ConvInteger, QLinearConv.
void populateConvolutionToLinalgPatterns(RewritePatternSet &patterns);

/// How quantized Conv/MatMul/Gemm rescale their int32 accumulators into the
/// result's scale (docs/quantization.md): by the f32 multiplier in double
/// arithmetic (bit-exact with ONNX QLinearConv/QLinearMatMul), or by an int32
/// multiplier and a right shift rounding half to even.
enum class RequantizeMode { Float, FixedPoint };

/// Conv, MatMul and Gemm on `!quant` types: integer arithmetic with int32
/// accumulation and requantization.
void populateQuantizedOpsToLinalgPatterns(
    RewritePatternSet &patterns, RequantizeMode requantize);

/// All nb-to-linalg patterns. Ops with `!quant` operands or results lower
/// on their storage integers, so run checkQuantizedOpsLowerable first.
void populateNBToLinalgPatterns(
    RewritePatternSet &patterns,
    RequantizeMode requantize = RequantizeMode::Float);

/// Emits an error at every nb op under `root` whose quant-typed form has no
/// integer lowering (or whose quant types disagree where one data movement
/// op must keep a single scale); fails if there is one.
LogicalResult checkQuantizedOpsLowerable(Operation *root);

} // namespace mlir::nb

#endif // NIBBLE_CONVERSION_NBTOLINALG_NBTOLINALG_H
