//===- Passes.td - quantization passes ---------------------*- tablegen -*-===//
//
// The passes that turn a float nb program into a quantized one
// (docs/quantization.md). Each lives in lib/Quantization/<PassName>.cpp and
// is tested in test/Quantization/<command-line-name>.mlir (and
// <command-line-name>-invalid.mlir for its errors).
//
// Stages:
//   1. q/dq form: nb-insert-qdq (static W8A8, fp8), nb-quantize-dynamic,
//      nb-quantize-weights (weight-only), nb-convert-float-precision.
//   2. nb-fuse-quantized-ops: dq -> op -> q chains become the same nb op on
//      !quant.uniform types; same-scale ops carry their input's type.
//   3. convert-nb-to-linalg lowers quant-typed ops to integer arithmetic.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_QUANTIZATION_PASSES_TD
#define NIBBLE_QUANTIZATION_PASSES_TD

include "mlir/Pass/PassBase.td"

// Options every selecting pass shares: which ops it may touch.
defvar SelectionOptions = [
  Option<"excludeNodes", "exclude-nodes", "std::string", /*default=*/"\"\"",
         "POSIX extended regex, matched against the whole ONNX node name; matching ops stay float">,
  ListOption<"excludeOpTypes", "exclude-op-types", "std::string",
             "ONNX op types (Conv, MatMul, Gemm, ...) that stay float">,
  Option<"strict", "strict", "bool", /*default=*/"false",
         "An op the scheme cannot take is an error instead of a note">
];

def InsertQDQ : Pass<"nb-insert-qdq", "::mlir::ModuleOp"> {
  let summary = "Static quantization: Q/DQ pairs from calibrated ranges";
  let description = [{
    Stage 1 of static W8A8 and fp8 quantization. For every selected
    Conv, ConvTranspose, MatMul and Gemm (and the Add, Mul, pooling,
    Concat and data-movement ops between them when `quantize-all-ops`):
    - activations (inputs and the result) get `nb.quantize_linear` then
      `nb.dequantize_linear` with per-tensor parameters computed from the
      value's range: `nb.calibrated_range` (nb-import-calibration-table),
      else `nb.range` on arguments; a tensor with no range is an error
      naming it (or stays float with a note when not `strict`).
      Asymmetric (scale = (max-min)/(qmax-qmin), zero point rounded half to
      even, range first widened to include 0) unless
      `symmetric-activations`.
    - weights (constant operands) are quantized at compile time (RTN,
      symmetric; per output channel unless `per-tensor-weights`) into an
      integer constant, `quant.scast` to its `!quant.uniform` type and
      `nb.dequantize_linear`;
    - a bias becomes an int32 constant with scale s_in * s_w (zero point 0).
    Same-scale ops (Reshape, Transpose, Flatten, Squeeze, Unsqueeze,
    MaxPool, Slice, Gather, Concat when its inputs agree) reuse their
    input's parameters for their result. The output is exactly the form
    `nibble-translate --import-onnx --lift-qdq` makes of an ONNX Runtime QDQ
    model, so pre-quantized models and ours share every later stage.
    Overrides (`overrides=FILE`, docs/quantization.md) set a tensor's type,
    axis, symmetry or range, like ONNX Runtime's TensorQuantOverrides; an
    override naming a tensor the module lacks is an error. Excluded ops get
    `nb.kept_float = "excluded"`; fp8 Q/DQ pairs stay in ONNX form (float8
    storage), with scale amax / max_finite and float biases.
  }];
  let options = !listconcat(SelectionOptions, [
    Option<"activationType", "activation-type", "std::string",
           /*default=*/"\"u8\"", "u8 | i8 | f8e4m3 | f8e5m2">,
    Option<"weightType", "weight-type", "std::string", /*default=*/"\"i8\"",
           "i8 | u8 | f8e4m3 | f8e5m2">,
    Option<"perTensorWeights", "per-tensor-weights", "bool",
           /*default=*/"false", "One weight scale per tensor, not per channel">,
    Option<"symmetricActivations", "symmetric-activations", "bool",
           /*default=*/"false", "Zero point 0 for activations">,
    Option<"quantizeAllOps", "quantize-all-ops", "bool", /*default=*/"true",
           "Also put Q/DQ around Add, Mul, pooling and data movement">,
    Option<"overridesPath", "overrides", "std::string", /*default=*/"\"\"",
           "Per-tensor override file (JSON)">
  ]);
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

def QuantizeDynamic : Pass<"nb-quantize-dynamic", "::mlir::ModuleOp"> {
  let summary = "Dynamic W8A8: activation scales computed at run time";
  let description = [{
    For every selected MatMul, Gemm and Conv with a constant weight: the
    weight is quantized at compile time (int8 symmetric, per output channel
    unless `per-tensor-weights`); the activation goes through
    `nb.dynamic_quantize_linear` (uint8, DynamicQuantizeLinear semantics);
    the op becomes `nb.matmul_integer` / `nb.conv_integer` with int32
    accumulation, scaled back to float by x_scale * w_scale, plus the float
    bias. This is what onnxruntime.quantization.quantize_dynamic produces.
  }];
  let options = !listconcat(SelectionOptions, [
    Option<"perTensorWeights", "per-tensor-weights", "bool",
           /*default=*/"false", "One weight scale per tensor, not per channel">
  ]);
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

def QuantizeWeights : Pass<"nb-quantize-weights", "::mlir::ModuleOp"> {
  let summary = "Weight-only int8/int4 quantization (RTN) by channel or group";
  let description = [{
    For every selected MatMul, Gemm and Conv with a constant weight, the
    weight becomes an integer constant with its `!quant.uniform` type
    (per-axis for `group-size=0`, sub-channel blocks along the reduction
    axis otherwise) and an `nb.dequantize_linear` back to float in front of
    the op; activations stay float. Values are chosen by round to nearest
    (RTN); the choice is one function (WeightQuantization.h) so that GPTQ,
    AWQ and HQQ can replace it. A group size that does not divide the
    reduction axis is refused, naming the node, unless `pad-groups`.

    Reduction axes: MatMul's B [..., K, N] is grouped along K; Gemm's B
    along K (axis 0, or 1 with `trans_b`); a Conv weight [M, C/g, k...]
    along its whole flattened reduction C/g*k..., stored as a 2-D
    [M, C/g*k...] constant and reshaped back after the dequantize.
    `pad-groups` pads the reduction axis with zeros to a multiple of the
    group size and slices the padding off after the dequantize. Storage is
    signed (i4/i8): symmetric uses [-7, 7] / [-127, 127] with zero point 0,
    asymmetric the full range with a zero point per group. With
    `scale-type=f16` the values are rounded against the f16 scales, the
    dequantize runs in f16 and an `nb.cast` widens its result. Weights that
    are not constants stay float with `nb.kept_float` and a remark (an
    error under `strict`); excluded ops stay float silently.
  }];
  let options = !listconcat(SelectionOptions, [
    Option<"bits", "bits", "unsigned", /*default=*/"4", "4 | 8">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "Elements per group along the reduction axis; 0: per channel">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "Zero point 0 (else asymmetric min/max)">,
    Option<"scaleType", "scale-type", "std::string", /*default=*/"\"f32\"",
           "f32 | f16: the element type of the scales">,
    Option<"padGroups", "pad-groups", "bool", /*default=*/"false",
           "Pad a reduction axis that the group size does not divide">
  ]);
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

def ConvertFloatPrecision
    : Pass<"nb-convert-float-precision", "::mlir::ModuleOp"> {
  let summary = "Convert f32 compute to f16 or bf16, keeping unsafe ops f32";
  let description = [{
    Rewrites the f32 tensors of selected ops to `type` (f16 or bf16):
    constants are converted at compile time, `nb.cast` ops are put where f32
    and half values meet. Ops whose range, or a constant operand, goes
    beyond the target type's largest finite value stay f32, with a note
    naming the node. The range is the calibrated one
    (`nb.calibrated_range`) times `calibrated-headroom` where the op has
    one: it is measured on representative data, while the proved range
    (nb-annotate-ranges' `nb.range`) is the worst case over every input in
    the input box and, through deep networks, loose by orders of magnitude.
    Without a calibrated range, a finite proved bound decides. An unknown range (unbounded, or none) is no
    evidence of overflow: such ops convert and one remark per function
    counts them (f16 only; bf16 has f32's exponent range), or, with
    `unknown-ranges=keep-f32`, stay f32 with a note. With `keep-io-types`
    the function signature keeps its original types.
  }];
  let options = !listconcat(SelectionOptions, [
    Option<"targetType", "type", "std::string", /*default=*/"\"f16\"",
           "f16 | bf16">,
    Option<"keepIOTypes", "keep-io-types", "bool", /*default=*/"false",
           "Keep graph inputs and outputs in their original type">,
    Option<"unknownRanges", "unknown-ranges", "std::string",
           /*default=*/"\"convert\"",
           "convert | keep-f32: what an op whose range is unknown (unbounded "
           "or not annotated) gets; convert counts them in one remark">,
    Option<"calibratedHeadroom", "calibrated-headroom", "double",
           /*default=*/"4.0",
           "Factor a calibrated range is widened by before it is checked "
           "against the target's largest value (values unseen in "
           "calibration); 0 checks the proved range even where a "
           "calibrated one exists">
  ]);
}

def FuseQuantizedOps : Pass<"nb-fuse-quantized-ops", "::mlir::ModuleOp"> {
  let summary = "Fuse dq -> op -> q chains into ops on quant types";
  let description = [{
    Stage 2: `nb.dequantize_linear` -> op -> `nb.quantize_linear` with
    quant-typed values becomes the same nb op on `!quant.uniform` operands
    and result (integer conv/matmul/gemm with zero points and int32
    accumulation, requantized into the result's scale), the way StableHLO
    expresses quantized ops. Same-scale ops (Reshape, Transpose, Flatten,
    Squeeze, Unsqueeze, MaxPool, Slice, Gather, Concat with equal
    parameters) carry their input's quant type; where parameters conflict a
    requantization is inserted. What does not match stays in q/dq form,
    which runs as it is.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

def ApplyPrecisionPlan : Pass<"nb-apply-precision-plan", "::mlir::ModuleOp"> {
  let summary = "Mark each op with the precision a plan chose for it";
  let description = [{
    Reads a precision plan (JSON, docs/precision-plan.md) and sets
    `nb.precision = "<name>"` on every op of each node the plan names
    (`int8`, `int8-dynamic`, `int8-weight`, `int4-weight-g32`, `fp16`,
    `bf16`, `fp8-e4m3`, `fp8-e5m2`, `fp32`), the plan's `default` on the
    Conv, ConvTranspose, MatMul and Gemm ops it does not name, and
    `nb.precision_plan` on the module. From then on each scheme pass takes
    only the ops whose precision it implements (OpSelection), and ops
    without `nb.precision` stay as they are.
    Errors: an unreadable or malformed plan, a precision name it does not
    know, two entries that give one node different precisions, a node the
    module does not have, an `op_type` that differs from the node's, a
    weight-only or dynamic precision on a node that has no
    Conv/MatMul/Gemm, and an op that already carries a different
    `nb.precision`.
  }];
  let options = [
    Option<"planPath", "plan", "std::string", /*default=*/"\"\"",
           "Precision plan file (JSON)">
  ];
}

def AnnotateSensitivity : Pass<"nb-annotate-sensitivity", "::mlir::func::FuncOp"> {
  let summary = "Annotate each quantizable op with its estimated sensitivity";
  let description = [{
    The proxy sensitivity analysis of docs/precision-plan.md as a pass: on
    every Conv, ConvTranspose, MatMul and Gemm with a constant weight, sets
    `nb.sensitivity = {int8 = <dB>, "int4-weight-g32" = <dB>, ...}`, per
    candidate precision (attribute names, as `nb.precision` spells them) the
    estimated output SQNR in dB with that op alone quantized: the weight
    rounded as the precision rounds it, plus for int8/int8-dynamic/fp8 the
    activation rounding implied by `nb.calibrated_range` (run
    nb-import-calibration-table first; without a range the input is taken
    as [0, 1]). Lower means more sensitive. `nibble quantize --auto
    --sensitivity proxy` uses the same estimate; the exact measure runs the
    model and is the driver's.
    An unknown candidate name is an error; an op whose weight is not of
    static shape and rank >= 2 gets a warning and no attribute.
  }];
  let options = [
    ListOption<"candidates", "candidates", "std::string",
               "Precisions to estimate (default int4-weight-g32,int8,fp16)">
  ];
}

#endif // NIBBLE_QUANTIZATION_PASSES_TD
