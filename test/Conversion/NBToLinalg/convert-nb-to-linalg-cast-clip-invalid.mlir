// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

func.func @cast_unranked(%a: tensor<*xf32>) -> tensor<*xi32> {
  // expected-error @+1 {{failed to legalize operation 'nb.cast'}}
  %0 = nb.cast %a : (tensor<*xf32>) -> tensor<*xi32>
  return %0 : tensor<*xi32>
}

// -----

// Quantized forms lower through the quantization lowering, not here.
func.func @cast_quantized(%a: tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2xf32> {
  // expected-error @+1 {{'nb.cast' op has quant-typed operands or results but no integer lowering}}
  %0 = nb.cast %a : (tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @clip_unranked(%a: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.clip'}}
  %0 = nb.clip %a {operandSegmentSizes = array<i32: 1, 0, 0>} : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
