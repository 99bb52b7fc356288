// A module mixing the forms `nibble report` tells apart (report.test has the
// hand-computed figures): an int8 conv on quant types with per-axis weight
// scales in its type, an int4 blocked weight-only matmul with scale
// operands, a Gemm left in float, and a shape constant that is no parameter.
func.func @main(%img: tensor<1x2x4x4xf32>, %x: tensor<?x8xf32>)
    -> (tensor<1x64xf32>, tensor<?x3xf32>) {
  %s = nb.constant dense<0.05> : tensor<f32>
  %z = nb.constant dense<128> : tensor<ui8>
  %xq = nb.quantize_linear %img, %s, %z
      : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<ui8>)
      -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:128>>
  %w = nb.constant dense<1> : tensor<4x2x3x3xi8>
  %wq = quant.scast %w : tensor<4x2x3x3xi8>
      to tensor<4x2x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>
  %y = nb.conv %xq, %wq {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:128>>,
         tensor<4x2x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>)
      -> tensor<1x4x4x4x!quant.uniform<u8:f32, 0.1:3>> loc("conv")
  %s2 = nb.constant dense<0.1> : tensor<f32>
  %z2 = nb.constant dense<3> : tensor<ui8>
  %yd = nb.dequantize_linear %y, %s2, %z2
      : (tensor<1x4x4x4x!quant.uniform<u8:f32, 0.1:3>>, tensor<f32>, tensor<ui8>)
      -> tensor<1x4x4x4xf32>
  %shape = nb.constant dense<[1, 64]> : tensor<2xi64>
  %flat = nb.reshape %yd, %shape : (tensor<1x4x4x4xf32>, tensor<2xi64>) -> tensor<1x64xf32>

  %w4 = nb.constant dense<1> : tensor<8x4xi4>
  %ws = nb.constant dense<0.25> : tensor<2x4xf32>
  %wd = nb.dequantize_linear %w4, %ws {axis = 0 : i64, block_size = 4 : i64}
      : (tensor<8x4xi4>, tensor<2x4xf32>) -> tensor<8x4xf32>
  %m = nb.matmul %x, %wd : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32> loc("proj")
  %wf = nb.constant dense<0.5> : tensor<3x4xf32>
  %b = nb.constant dense<0.0> : tensor<3xf32>
  %g = nb.gemm %m, %wf, %b {trans_b = true, nb.kept_float = "no calibrated range for its input"}
      : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32> loc("fc")
  return %flat, %g : tensor<1x64xf32>, tensor<?x3xf32>
}
