// A stage-2 quantized conv (after nb-fuse-quantized-ops), which the exporter
// refuses, located at its ONNX node.
func.func @main(%x: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x4x4x!quant.uniform<u8:f32, 0.2:128>> {
  %y = nb.conv %x, %w : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x4x4x!quant.uniform<u8:f32, 0.2:128>> loc("conv1"("model.onnx":0:0))
  return %y : tensor<1x1x4x4x!quant.uniform<u8:f32, 0.2:128>>
}
