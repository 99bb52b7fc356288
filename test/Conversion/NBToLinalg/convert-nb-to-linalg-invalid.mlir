// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

func.func @unranked(%a: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.sigmoid'}}
  %0 = nb.sigmoid %a : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Quantized forms lower through the integer lowering, not here.
func.func @quantized_relu(%a: tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'nb.relu' op has quant-typed operands or results but no integer lowering}}
  %0 = nb.relu %a : (tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<2x!quant.uniform<i8:f32, 0.5>>
}
