// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

// A bias whose scale is not input_scale * weight_scale.
func.func @bias_scale(%x: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.25>>, %b: tensor<3x!quant.uniform<i32:f32, 0.5>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  // expected-error @+1 {{'nb.gemm' op has no integer lowering: bias scale must be input_scale * weight_scale with zero point 0}}
  %y = nb.gemm %x, %w, %b : (tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.25>>, tensor<3x!quant.uniform<i32:f32, 0.5>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %y : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Per-axis weight scales along the reduction axis.
func.func @weight_axis(%x: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  // expected-error @+1 {{'nb.matmul' op has no integer lowering: per-axis weight scales must follow the output channels}}
  %y = nb.matmul %x, %w : (tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %y : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}

// -----

// A float result: the quantized form needs a quant-typed result.
func.func @float_result(%x: tensor<2x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nb.matmul' op has no integer lowering: input and result must be per-tensor 8-bit quant types}}
  %y = nb.matmul %x, %w : (tensor<2x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
