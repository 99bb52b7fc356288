//===- NBOps.td - nb dialect ops ---------------------------*- tablegen -*-===//
//
// One op per ONNX operator, in the form of the newest opset we import (21):
// inputs that older opsets took as attributes (Squeeze axes, Slice starts,
// ReduceMean axes, Pad pads, Clip bounds, Split sizes) are operands here, and
// the importer materializes constants for them. Folders and canonicalizers
// match those operands with `m_Constant`.
//
// Every op prints with `functional-type` so that element types (including
// `!quant.uniform`) stay visible at each use.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_DIALECT_NB_IR_NBOPS_TD
#define NIBBLE_DIALECT_NB_IR_NBOPS_TD

include "nibble/Dialect/NB/IR/NBBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/OpAsmInterface.td"
include "nibble/Dialect/NB/IR/NBInterfaces.td"

//===----------------------------------------------------------------------===//
// Common classes
//===----------------------------------------------------------------------===//

// An op whose operands and results are printed as one functional type. Every
// such op infers its result shapes (NBShapeInference.cpp) and has a verifier
// (NBOpsVerifiers.cpp) that checks its ONNX constraints and then that the
// declared result types are compatible with the inferred ones.
class NB_FunctionalOp<string mnemonic, list<Trait> traits = []>
    : NB_Op<mnemonic, !listconcat([Pure,
        DeclareOpInterfaceMethods<NB_InferResultShapesOpInterface>], traits)> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class NB_UnaryElementwiseOp<string mnemonic, string onnxName,
                            list<Trait> traits = []>
    : NB_FunctionalOp<mnemonic, !listconcat([SameOperandsAndResultShape],
                                            traits)> {
  let summary = "elementwise ONNX " # onnxName;
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$output);
}

// Numpy-style multidirectional broadcasting, as ONNX's binary ops.
class NB_BinaryBroadcastOp<string mnemonic, string onnxName,
                           list<Trait> traits = []>
    : NB_FunctionalOp<mnemonic, !listconcat([ResultsBroadcastableShape],
                                            traits)> {
  let summary = "elementwise ONNX " # onnxName # " with broadcasting";
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$output);
}

// Attributes shared by Conv, ConvTranspose, ConvInteger and QLinearConv.
// Empty arrays mean the ONNX defaults (stride 1, no padding, dilation 1).
defvar NB_ConvAttributes = (ins
  DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
  DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$pads,
  DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
  DefaultValuedAttr<I64Attr, "1">:$group,
  DefaultValuedAttr<NB_AutoPadAttr, "::mlir::nb::AutoPad::NotSet">:$auto_pad);

//===----------------------------------------------------------------------===//
// Constants and opaque ops
//===----------------------------------------------------------------------===//

def NB_ConstantOp : NB_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "output"]>]> {
  let summary = "constant tensor (ONNX initializers and Constant)";
  let description = [{
    Large weights are `dense_resource` blobs that reference the model's bytes
    (or a memory-mapped external data file) instead of copying them.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def NB_OpaqueOp : NB_Op<"opaque"> {
  let summary = "an ONNX node the importer does not know, kept verbatim";
  let description = [{
    Produced only with `--allow-unregistered-ops`. Keeps the node's op type,
    domain, opset version and attributes, so a later tool can still read it.
    It has unknown side effects: no pass may move or delete it.
  }];
  let arguments = (ins Variadic<AnyType>:$inputs, StrAttr:$op_type,
                   StrAttr:$domain, I64Attr:$version,
                   DictionaryAttr:$onnx_attributes);
  let results = (outs Variadic<AnyType>:$outputs);
  let assemblyFormat = [{
    $op_type `(` $inputs `)` attr-dict `:` functional-type($inputs, $outputs)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def NB_ReluOp : NB_UnaryElementwiseOp<"relu", "Relu">;
def NB_SigmoidOp : NB_UnaryElementwiseOp<"sigmoid", "Sigmoid">;
def NB_TanhOp : NB_UnaryElementwiseOp<"tanh", "Tanh">;
def NB_ErfOp : NB_UnaryElementwiseOp<"erf", "Erf">;
def NB_SqrtOp : NB_UnaryElementwiseOp<"sqrt", "Sqrt">;
def NB_NegOp : NB_UnaryElementwiseOp<"neg", "Neg"> {
  let hasFolder = 1;
}
def NB_SinOp : NB_UnaryElementwiseOp<"sin", "Sin">;
def NB_CosOp : NB_UnaryElementwiseOp<"cos", "Cos">;
def NB_ExpOp : NB_UnaryElementwiseOp<"exp", "Exp">;
def NB_LogOp : NB_UnaryElementwiseOp<"log", "Log">;
def NB_AbsOp : NB_UnaryElementwiseOp<"abs", "Abs">;
def NB_ReciprocalOp : NB_UnaryElementwiseOp<"reciprocal", "Reciprocal">;
def NB_HardSwishOp : NB_UnaryElementwiseOp<"hard_swish", "HardSwish">;

def NB_LeakyReluOp : NB_UnaryElementwiseOp<"leaky_relu", "LeakyRelu"> {
  let arguments = (ins AnyTensor:$input,
                   DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def NB_HardSigmoidOp : NB_UnaryElementwiseOp<"hard_sigmoid", "HardSigmoid"> {
  let arguments = (ins AnyTensor:$input,
                   DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.5f">:$beta);
}

def NB_GeluOp : NB_UnaryElementwiseOp<"gelu", "Gelu"> {
  let arguments = (ins AnyTensor:$input,
      DefaultValuedAttr<NB_GeluApproximationAttr,
                        "::mlir::nb::GeluApproximation::None">:$approximate);
}

def NB_ClipOp : NB_FunctionalOp<"clip", [AttrSizedOperandSegments]> {
  let summary = "ONNX Clip: clamp to optional scalar bounds";
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$min,
                   Optional<AnyTensor>:$max);
  let results = (outs AnyTensor:$output);
}

def NB_CastOp : NB_FunctionalOp<"cast", [SameOperandsAndResultShape]> {
  let summary = "ONNX Cast; the target type is the result's element type";
  let arguments = (ins AnyTensor:$input,
                   DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_AddOp : NB_BinaryBroadcastOp<"add", "Add", [Commutative]> {
  let hasFolder = 1;
}
def NB_SubOp : NB_BinaryBroadcastOp<"sub", "Sub"> {
  let hasFolder = 1;
}
def NB_MulOp : NB_BinaryBroadcastOp<"mul", "Mul", [Commutative]> {
  let hasFolder = 1;
}
def NB_DivOp : NB_BinaryBroadcastOp<"div", "Div"> {
  let hasFolder = 1;
}
def NB_PowOp : NB_BinaryBroadcastOp<"pow", "Pow">;
def NB_EqualOp : NB_BinaryBroadcastOp<"equal", "Equal", [Commutative]> {
  let hasFolder = 1;
}

def NB_WhereOp : NB_FunctionalOp<"where", [ResultsBroadcastableShape]> {
  let summary = "ONNX Where: select by a boolean condition with broadcasting";
  let arguments = (ins AnyTensor:$condition, AnyTensor:$x, AnyTensor:$y);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Convolution, normalization, pooling
//===----------------------------------------------------------------------===//

def NB_ConvOp : NB_FunctionalOp<"conv"> {
  let summary = "ONNX Conv (N-d, grouped, dilated; NCHW layout)";
  let arguments = !con((ins AnyTensor:$input, AnyTensor:$weight,
                            Optional<AnyTensor>:$bias), NB_ConvAttributes);
  let results = (outs AnyTensor:$output);
  let hasCanonicalizer = 1;
}

def NB_ConvTransposeOp : NB_FunctionalOp<"conv_transpose"> {
  let summary = "ONNX ConvTranspose";
  let arguments = !con((ins AnyTensor:$input, AnyTensor:$weight,
                            Optional<AnyTensor>:$bias), NB_ConvAttributes,
      (ins DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$output_padding,
           OptionalAttr<DenseI64ArrayAttr>:$output_shape));
  let results = (outs AnyTensor:$output);
}

def NB_BatchNormOp : NB_FunctionalOp<"batch_norm"> {
  let summary = "ONNX BatchNormalization in inference mode";
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale, AnyTensor:$bias,
                   AnyTensor:$mean, AnyTensor:$variance,
                   DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs AnyTensor:$output);
}

def NB_LayerNormOp : NB_FunctionalOp<"layer_norm",
                                     [AttrSizedResultSegments]> {
  let summary = "ONNX LayerNormalization (optional Mean and InvStdDev)";
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale,
                   Optional<AnyTensor>:$bias,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon,
                   DefaultValuedAttr<I64Attr, "1">:$stash_type);
  let results = (outs AnyTensor:$output, Optional<AnyTensor>:$mean,
                 Optional<AnyTensor>:$inv_std_dev);
}

def NB_SimplifiedLayerNormOp : NB_FunctionalOp<"simplified_layer_norm"> {
  let summary = "RMS normalization (SimplifiedLayerNormalization)";
  let description = [{
    `output = input / sqrt(mean(input^2 over axes >= axis) + epsilon) * scale`,
    the normalization of decoder LMs (ONNX Runtime's contrib op).
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs AnyTensor:$output);
}

def NB_MaxPoolOp : NB_FunctionalOp<"max_pool"> {
  let summary = "ONNX MaxPool (optional argmax indices)";
  let arguments = (ins AnyTensor:$input,
      DenseI64ArrayAttr:$kernel_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
      DefaultValuedAttr<I64Attr, "0">:$storage_order,
      DefaultValuedAttr<NB_AutoPadAttr, "::mlir::nb::AutoPad::NotSet">:$auto_pad);
  let results = (outs AnyTensor:$output, Optional<AnyTensor>:$indices);
  let hasCanonicalizer = 1;
}

def NB_AveragePoolOp : NB_FunctionalOp<"average_pool"> {
  let summary = "ONNX AveragePool";
  let arguments = (ins AnyTensor:$input,
      DenseI64ArrayAttr:$kernel_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
      DefaultValuedAttr<NB_AutoPadAttr, "::mlir::nb::AutoPad::NotSet">:$auto_pad);
  let results = (outs AnyTensor:$output);
  let hasCanonicalizer = 1;
}

def NB_GlobalAveragePoolOp : NB_FunctionalOp<"global_average_pool"> {
  let summary = "ONNX GlobalAveragePool";
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$output);
}

def NB_SoftmaxOp : NB_FunctionalOp<"softmax", [SameOperandsAndResultShape]> {
  let summary = "ONNX Softmax along one axis (opset 13 semantics)";
  let arguments = (ins AnyTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs AnyTensor:$output);
}

def NB_ReduceMeanOp : NB_FunctionalOp<"reduce_mean"> {
  let summary = "ONNX ReduceMean (opset 18 form: axes as an operand)";
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   DefaultValuedAttr<BoolAttr, "false">:$noop_with_empty_axes);
  let results = (outs AnyTensor:$output);
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def NB_MatMulOp : NB_FunctionalOp<"matmul"> {
  let summary = "ONNX MatMul (numpy matmul semantics, batch broadcasting)";
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$output);
}

def NB_GemmOp : NB_FunctionalOp<"gemm"> {
  let summary = "ONNX Gemm: alpha * op(A) * op(B) + beta * C";
  let arguments = (ins AnyTensor:$a, AnyTensor:$b, Optional<AnyTensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs AnyTensor:$output);
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def NB_ConcatOp : NB_FunctionalOp<"concat"> {
  let summary = "ONNX Concat";
  let arguments = (ins Variadic<AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_FlattenOp : NB_FunctionalOp<"flatten"> {
  let summary = "ONNX Flatten to 2-D at an axis";
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_ReshapeOp : NB_FunctionalOp<"reshape"> {
  let summary = "ONNX Reshape (0 copies a dimension unless allowzero, -1 infers)";
  let arguments = (ins AnyTensor:$input, AnyTensor:$shape,
                   DefaultValuedAttr<BoolAttr, "false">:$allowzero);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NB_TransposeOp : NB_FunctionalOp<"transpose"> {
  let summary = "ONNX Transpose";
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NB_UnsqueezeOp : NB_FunctionalOp<"unsqueeze"> {
  let summary = "ONNX Unsqueeze (axes as an operand)";
  let arguments = (ins AnyTensor:$input, AnyTensor:$axes);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_SqueezeOp : NB_FunctionalOp<"squeeze"> {
  let summary = "ONNX Squeeze (axes as an optional operand)";
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$axes);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_ExpandOp : NB_FunctionalOp<"expand"> {
  let summary = "ONNX Expand: broadcast to a shape";
  let arguments = (ins AnyTensor:$input, AnyTensor:$shape);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_ShapeOp : NB_FunctionalOp<"shape"> {
  let summary = "ONNX Shape, optionally sliced by start and end";
  let arguments = (ins AnyTensor:$input,
                   DefaultValuedAttr<I64Attr, "0">:$start,
                   OptionalAttr<I64Attr>:$end);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_GatherOp : NB_FunctionalOp<"gather"> {
  let summary = "ONNX Gather along an axis";
  let arguments = (ins AnyTensor:$data, AnyTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_SliceOp : NB_FunctionalOp<"slice", [AttrSizedOperandSegments]> {
  let summary = "ONNX Slice (opset 10+ form: starts, ends, axes, steps as operands)";
  let arguments = (ins AnyTensor:$data, AnyTensor:$starts, AnyTensor:$ends,
                   Optional<AnyTensor>:$axes, Optional<AnyTensor>:$steps);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_SplitOp : NB_FunctionalOp<"split"> {
  let summary = "ONNX Split along an axis (sizes as an optional operand)";
  let description = [{
    Without `split`, the axis is divided into as many equal parts as there are
    results (ONNX's `num_outputs`; the last part may be smaller).
  }];
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$split,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Variadic<AnyTensor>:$outputs);
}

def NB_PadOp : NB_FunctionalOp<"pad", [AttrSizedOperandSegments]> {
  let summary = "ONNX Pad (pads, constant value and axes as operands)";
  let arguments = (ins AnyTensor:$input, AnyTensor:$pads,
                   Optional<AnyTensor>:$constant_value,
                   Optional<AnyTensor>:$axes,
                   DefaultValuedAttr<NB_PadModeAttr,
                                     "::mlir::nb::PadMode::Constant">:$mode);
  let results = (outs AnyTensor:$output);
}

def NB_ResizeOp : NB_FunctionalOp<"resize", [AttrSizedOperandSegments]> {
  let summary = "ONNX Resize (opset 19 form)";
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$roi,
      Optional<AnyTensor>:$scales, Optional<AnyTensor>:$sizes,
      DefaultValuedAttr<NB_ResizeModeAttr,
                        "::mlir::nb::ResizeMode::Nearest">:$mode,
      DefaultValuedAttr<NB_CoordinateTransformationModeAttr,
          "::mlir::nb::CoordinateTransformationMode::HalfPixel">:
          $coordinate_transformation_mode,
      DefaultValuedAttr<NB_NearestModeAttr,
          "::mlir::nb::NearestMode::RoundPreferFloor">:$nearest_mode,
      DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
      DefaultValuedAttr<F32Attr, "0.0f">:$extrapolation_value,
      DefaultValuedAttr<BoolAttr, "false">:$antialias,
      OptionalAttr<DenseI64ArrayAttr>:$axes,
      DefaultValuedAttr<NB_KeepAspectRatioPolicyAttr,
          "::mlir::nb::KeepAspectRatioPolicy::Stretch">:$keep_aspect_ratio_policy);
  let results = (outs AnyTensor:$output);
}

def NB_RangeOp : NB_FunctionalOp<"range"> {
  let summary = "ONNX Range";
  let arguments = (ins AnyTensor:$start, AnyTensor:$limit, AnyTensor:$delta);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_ConstantOfShapeOp : NB_FunctionalOp<"constant_of_shape"> {
  let summary = "ONNX ConstantOfShape";
  let arguments = (ins AnyTensor:$shape, ElementsAttr:$value);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def NB_TriluOp : NB_FunctionalOp<"trilu"> {
  let summary = "ONNX Trilu: upper or lower triangle of the last two dims";
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$k,
                   DefaultValuedAttr<BoolAttr, "true">:$upper);
  let results = (outs AnyTensor:$output);
}

//===----------------------------------------------------------------------===//
// Quantization ops with ONNX semantics (scales and zero points as values).
// Where scales and zero points are constants, the importer expresses them as
// `!quant.uniform` types with `quant.qcast`/`quant.dcast` instead.
//===----------------------------------------------------------------------===//

def NB_QuantizeLinearOp : NB_FunctionalOp<"quantize_linear"> {
  let summary = "ONNX QuantizeLinear (per-tensor, per-axis or blocked)";
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale,
                   Optional<AnyTensor>:$zero_point,
                   DefaultValuedAttr<I64Attr, "1">:$axis,
                   DefaultValuedAttr<I64Attr, "0">:$block_size,
                   DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs AnyTensor:$output);
}

def NB_DequantizeLinearOp : NB_FunctionalOp<"dequantize_linear"> {
  let summary = "ONNX DequantizeLinear (per-tensor, per-axis or blocked)";
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale,
                   Optional<AnyTensor>:$zero_point,
                   DefaultValuedAttr<I64Attr, "1">:$axis,
                   DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs AnyTensor:$output);
}

def NB_DynamicQuantizeLinearOp : NB_FunctionalOp<"dynamic_quantize_linear"> {
  let summary = "ONNX DynamicQuantizeLinear: uint8 with scale and zero point from the data";
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$output, AnyTensor:$scale,
                 AnyTensor:$zero_point);
}

def NB_MatMulIntegerOp : NB_FunctionalOp<"matmul_integer",
                                         [AttrSizedOperandSegments]> {
  let summary = "ONNX MatMulInteger: int32 product of 8-bit operands";
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs,
                   Optional<AnyTensor>:$lhs_zero_point,
                   Optional<AnyTensor>:$rhs_zero_point);
  let results = (outs AnyTensor:$output);
}

def NB_ConvIntegerOp : NB_FunctionalOp<"conv_integer",
                                       [AttrSizedOperandSegments]> {
  let summary = "ONNX ConvInteger: int32 convolution of 8-bit operands";
  let arguments = !con((ins AnyTensor:$input, AnyTensor:$weight,
                            Optional<AnyTensor>:$input_zero_point,
                            Optional<AnyTensor>:$weight_zero_point),
                       NB_ConvAttributes);
  let results = (outs AnyTensor:$output);
  let hasCanonicalizer = 1;
}

def NB_QLinearMatMulOp : NB_FunctionalOp<"qlinear_matmul"> {
  let summary = "ONNX QLinearMatMul";
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$lhs_scale,
                   AnyTensor:$lhs_zero_point, AnyTensor:$rhs,
                   AnyTensor:$rhs_scale, AnyTensor:$rhs_zero_point,
                   AnyTensor:$output_scale, AnyTensor:$output_zero_point);
  let results = (outs AnyTensor:$output);
}

def NB_QLinearConvOp : NB_FunctionalOp<"qlinear_conv"> {
  let summary = "ONNX QLinearConv";
  let arguments = !con((ins AnyTensor:$input, AnyTensor:$input_scale,
                            AnyTensor:$input_zero_point, AnyTensor:$weight,
                            AnyTensor:$weight_scale,
                            AnyTensor:$weight_zero_point,
                            AnyTensor:$output_scale,
                            AnyTensor:$output_zero_point,
                            Optional<AnyTensor>:$bias),
                       NB_ConvAttributes);
  let results = (outs AnyTensor:$output);
  let hasCanonicalizer = 1;
}

#endif // NIBBLE_DIALECT_NB_IR_NBOPS_TD
