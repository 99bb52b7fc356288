// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

// 64-bit storage is outside QuantizeLinear's types.
func.func @wide_storage(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i64>) -> tensor<4xi64> {
  // expected-error @+1 {{failed to legalize operation 'nb.quantize_linear'}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @unranked_dequantize(%x: tensor<*xi8>, %s: tensor<f32>) -> tensor<*xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.dequantize_linear'}}
  %0 = nb.dequantize_linear %x, %s : (tensor<*xi8>, tensor<f32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unranked_dynamic_quantize(%x: tensor<*xf32>) -> (tensor<*xui8>, tensor<f32>, tensor<ui8>) {
  // expected-error @+1 {{failed to legalize operation 'nb.dynamic_quantize_linear'}}
  %0:3 = nb.dynamic_quantize_linear %x : (tensor<*xf32>) -> (tensor<*xui8>, tensor<f32>, tensor<ui8>)
  return %0#0, %0#1, %0#2 : tensor<*xui8>, tensor<f32>, tensor<ui8>
}
