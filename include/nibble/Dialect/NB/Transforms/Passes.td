//===- Passes.td - nb dialect passes -----------------------*- tablegen -*-===//
//
// Each pass lives in lib/Dialect/NB/Transforms/<PassName>.cpp and is tested in
// test/Dialect/NB/Transforms/<command-line-name>.mlir.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_TD
#define NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrintModelSummary : Pass<"nb-print-model-summary", "ModuleOp"> {
  let summary = "Print ops by type, parameter count and bytes per precision";
  let description = [{
    Counts the `nb` ops of the module by name, the parameters held in
    constants (elements of `nb.constant` results of rank >= 1) and their
    bytes by element type (sub-byte types packed, quantized types by storage
    type). Prints a stable plain-text report to stdout (or `-o`), leaving
    the IR unchanged. The `nibble summary` driver command prints the same.
  }];
  let options = [
    Option<"outputFile", "o", "std::string", /*default=*/"\"-\"",
           "Where to write the summary ('-' for stdout)">
  ];
}

def InferShapes : Pass<"nb-infer-shapes", "ModuleOp"> {
  let summary = "Refine nb result types to their inferred shapes";
  let description = [{
    Walks every function in order and refines the result types of ops that
    implement `InferResultShapesOpInterface` to the meet of the declared and
    the inferred type: unranked results become ranked, dynamic dims become
    static, and a declared static dim is never loosened. Function result
    types follow refined `func.return` operands. Users outside the nb
    dialect (other than `func.return`) keep seeing the old type through a
    `tensor.cast`.

    The importer runs this after import because ONNX's C++ shape inference
    (1.12) does not know opsets 18-21. An op whose operands, once refined,
    contradict its semantics (e.g. matmul inner dims that turn out to differ)
    is reported through its verifier and the pass fails.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def LiftQDQToQuantTypes : Pass<"nb-lift-qdq-to-quant-types", "ModuleOp"> {
  let summary = "Express constant Q/DQ parameters as !quant.uniform types";
  let description = [{
    Where an `nb.quantize_linear` has constant scale and zero point, its
    result becomes `tensor<...x!quant.uniform<...>>` (per-tensor, per-axis
    for a 1-D scale, sub-channel `{axis:block}` for `block_size > 0`).
    Integer users other than `nb.dequantize_linear` keep the integer tensor
    through `quant.scast`. An `nb.dequantize_linear` of a constant integer
    tensor (a quantized weight) gets its input through `quant.scast` to the
    quant type. Parameters that upstream quant types cannot express (float8
    storage, partial blocks, ...) are left as they are with a remark.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

def AnnotateRanges : Pass<"nb-annotate-ranges", "ModuleOp"> {
  let summary = "Annotate ops with statically proved value ranges";
  let description = [{
    Runs FloatRangeAnalysis (include/nibble/Analysis/RangeAnalysis.h) and
    writes its results as discardable attributes on the defining ops:
    `nb.range = array<f64: lo, hi>` on single-result ops (every non-NaN
    element lies in [lo, hi]; inf bounds print as 0x7FF0000000000000 and
    0xFFF0000000000000) and `nb.result_ranges = [array<f64: lo, hi>, ...]`
    on multi-result ops. Function arguments seed the analysis from an
    `nb.range = array<f64: lo, hi>` argument attribute.

    nb.matmul_integer, nb.conv_integer, nb.qlinear_matmul and
    nb.qlinear_conv also get `nb.accumulator_bound = N : i64`, the proved
    worst-case |accumulator|, and where N exceeds 2^31 - 1 the unit
    attribute `nb.accumulator_may_overflow` plus a warning naming the ONNX
    node. A malformed `nb.range` argument attribute is an error.
    See docs/range-analysis.md.
  }];
}

def InstrumentObservers : Pass<"nb-instrument-observers", "ModuleOp"> {
  let summary = "Return observed float tensors as extra function results";
  let description = [{
    For calibration: every function with a body gets, after its own
    results, one extra result per observed tensor, tagged with the result
    attribute `nb.observed = "<name>"`. Observed are every float tensor
    result with an ONNX tensor name (entry i of its op's `nb.output_names`,
    which the importer sets; constants excluded) and the function's float
    tensor arguments: those are the caller's own inputs, so they are not
    returned but get the argument attribute `nb.observed` (their `nb.name`,
    else `arg<i>`). A value the function already returns is not returned
    again; its existing result gets the `nb.observed` attribute. Results
    without a tensor name (intermediate ops of a node the importer expanded)
    are not observed: ONNX tools could not name them. See
    docs/calibration-table.md.
  }];
}

def ImportCalibrationTable
    : Pass<"nb-import-calibration-table", "ModuleOp"> {
  let summary = "Annotate tensors with ranges from a calibration table";
  let description = [{
    Reads a `nibble calibrate` table (docs/calibration-table.md) and, with
    nb-instrument-observers' naming rule (ONNX tensor names; keys that are
    no tensor name are tried as ONNX node names, the rule of older tables),
    writes each listed tensor's range:
    `nb.calibrated_range = array<f64: lo, hi>` on single-result ops,
    `nb.calibrated_result_ranges = [array<f64: lo, hi> | unit, ...]` on
    multi-result ops (unit where the table has no entry), and
    `nb.range = array<f64: lo, hi>` on function arguments (the range
    analysis seeds from it). A `per_channel` entry adds
    `nb.calibrated_channel_ranges = {axis, min, max}` beside the range
    (`nb.calibrated_result_channel_ranges` on multi-result ops). Table entries naming no tensor of the module
    get one warning listing them. An unreadable or malformed table is an
    error.
  }];
  let options = [
    Option<"tablePath", "table", "std::string", /*default=*/"\"\"",
           "The calibration table (JSON)">
  ];
}

def ReconcileRanges : Pass<"nb-reconcile-ranges", "ModuleOp"> {
  let summary = "Intersect calibrated ranges with statically proved ones";
  let description = [{
    Where measured and proved ranges meet: runs FloatRangeAnalysis (seeded,
    as in nb-annotate-ranges, from `nb.range` function argument attributes)
    and replaces every `nb.calibrated_range` (and every entry of
    `nb.calibrated_result_ranges`) by its intersection with the interval
    proved for that result. A calibrated range that leaves the proved one is
    a measurement the program's semantics rule out (a Relu output below 0, a
    Sigmoid output above 1): the pass warns at the op, naming the ONNX
    tensor, e.g. `calibrated range [-0.5, 3] of 'relu1_out' leaves the
    proved range [0, inf]; using [0, 3]`. When the two are disjoint the
    proved range is used, with a warning. Per-channel calibrated ranges
    (`nb.calibrated_channel_ranges`, `nb.calibrated_result_channel_ranges`)
    are clipped channel by channel, one warning per tensor. A malformed
    `nb.range` argument
    attribute or calibrated range attribute is an error.
    See docs/range-analysis.md.
  }];
}

#endif // NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_TD
