// A quantized matmul whose requantization multiplier (1e-6 * 1e-6 / 1 =
// 1e-12) is below 2^-31: float requantization takes it, fixed point cannot
// (run-requantize.test).
func.func @main(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %xs = nb.constant dense<1.0e-6> : tensor<f32>
  %xz = nb.constant dense<0> : tensor<i8>
  %w = nb.constant dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9], [-1, -2, -3]]> : tensor<4x3xi8>
  %wq = quant.scast %w : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32, 1.0e-6>>
  %ys = nb.constant dense<1.0> : tensor<f32>
  %yz = nb.constant dense<0> : tensor<i8>
  %xq = nb.quantize_linear %x, %xs, %xz : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4x!quant.uniform<i8:f32, 1.0e-6>>
  %m = nb.matmul %xq, %wq : (tensor<2x4x!quant.uniform<i8:f32, 1.0e-6>>, tensor<4x3x!quant.uniform<i8:f32, 1.0e-6>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  %y = nb.dequantize_linear %m, %ys, %yz : (tensor<2x3x!quant.uniform<i8:f32, 1.0>>, tensor<f32>, tensor<i8>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
