// Ops named like imported ONNX nodes, for quantize-weights-invalid.mlir.
func.func @group_does_not_divide(%x: tensor<1x48xf32>) -> tensor<1x4xf32> {
  %w = nb.constant dense<0.5> : tensor<48x4xf32>
  %y = nb.matmul %x, %w : (tensor<1x48xf32>, tensor<48x4xf32>) -> tensor<1x4xf32> loc("proj")
  return %y : tensor<1x4xf32>
}

// -----

func.func @weight_not_constant(%x: tensor<2x64xf32>, %w: tensor<64x4xf32>) -> tensor<2x4xf32> {
  %y = nb.matmul %x, %w : (tensor<2x64xf32>, tensor<64x4xf32>) -> tensor<2x4xf32> loc("scores")
  return %y : tensor<2x4xf32>
}
