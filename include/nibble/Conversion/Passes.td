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

    Shapes must be static (the driver binds dynamic dimensions from the
    inputs first, `nb-infer-shapes` propagates them); an op that cannot be
    lowered is reported at its location, which names the ONNX node.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // NIBBLE_CONVERSION_PASSES_TD
