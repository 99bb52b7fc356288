//===- Passes.td - Nibble conversion passes ----------------*- tablegen -*-===//
//
// One folder per conversion under lib/Conversion, as upstream does; each pass
// is tested in test/Conversion/<Folder>/<command-line-name>.mlir.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_CONVERSION_PASSES_TD
#define NIBBLE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNBToLinalg : Pass<"convert-nb-to-linalg"> {
  let summary = "Lower nb ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every `nb` op in its float and integer (ONNX storage type) forms becomes
    structured ops on tensors: elementwise ops and broadcasting become
    `linalg.generic` with broadcasting indexing maps, contractions become
    `linalg.matmul`/`linalg.batch_matmul`/convolution named ops, reductions
    `linalg.reduce`-shaped generics, data movement `tensor` ops. Nothing is
    scalarized here: tiling and vectorization work on what this pass emits.

    Ops on `!quant.uniform` types (docs/quantization.md) lower on their
    storage integers: quantize/dequantize as their ONNX forms, same-scale
    data movement unchanged, Conv/MatMul/Gemm as integer products with
    zero points, int32 accumulation and requantization (`requantize`).
    Other quant-typed ops are refused, naming them.

    Shapes must be static (the driver binds dynamic dimensions from the
    inputs first, `nb-infer-shapes` propagates them); an op that cannot be
    lowered is reported at its location, which names the ONNX node.
  }];
  let options = [
    Option<"requantize", "requantize", "std::string", /*default=*/"\"float\"",
           "How quantized conv/matmul/gemm rescale their int32 accumulators: "
           "float (the f32 multiplier in double arithmetic, bit-exact with "
           "ONNX QLinearConv/QLinearMatMul) | fixed-point (int32 multiplier "
           "and right shift rounding half to even)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // NIBBLE_CONVERSION_PASSES_TD
