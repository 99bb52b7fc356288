// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

// An elementwise op on quant types has no integer lowering: adding storage
// integers would ignore the scales.
func.func @quant_add(%a: tensor<4x!quant.uniform<u8:f32, 0.5:3>>) -> tensor<4x!quant.uniform<u8:f32, 0.5:3>> {
  // expected-error @+1 {{'nb.add' op has quant-typed operands or results but no integer lowering}}
  %0 = nb.add %a, %a : (tensor<4x!quant.uniform<u8:f32, 0.5:3>>, tensor<4x!quant.uniform<u8:f32, 0.5:3>>) -> tensor<4x!quant.uniform<u8:f32, 0.5:3>>
  return %0 : tensor<4x!quant.uniform<u8:f32, 0.5:3>>
}

// -----

// Data movement between two scales would need a requantization.
func.func @reshape_changes_scale(%a: tensor<2x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<6x!quant.uniform<i8:f32, 0.25>> {
  %shape = nb.constant dense<[6]> : tensor<1xi64>
  // expected-error @+1 {{'nb.reshape' op moves data between different quant types}}
  %0 = nb.reshape %a, %shape : (tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<1xi64>) -> tensor<6x!quant.uniform<i8:f32, 0.25>>
  return %0 : tensor<6x!quant.uniform<i8:f32, 0.25>>
}

// -----

func.func @concat_mixed(%a: tensor<2x!quant.uniform<i8:f32, 0.5>>, %b: tensor<2x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'nb.concat' op moves data between different quant types}}
  %0 = nb.concat %a, %b {axis = 0 : i64} : (tensor<2x!quant.uniform<i8:f32, 0.5>>, tensor<2x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Per-axis parameters follow an axis that a transpose moves.
func.func @transpose_per_axis(%a: tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>) -> tensor<3x2x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>> {
  // expected-error @+1 {{per-axis or blocked quant type}}
  %0 = nb.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>) -> tensor<3x2x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>
  return %0 : tensor<3x2x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>
}

// -----

func.func @reshape_to_float(%a: tensor<2x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<6xf32> {
  %shape = nb.constant dense<[6]> : tensor<1xi64>
  // expected-error @+1 {{'nb.reshape' op mixes quant-typed and}}
  %0 = nb.reshape %a, %shape : (tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<1xi64>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}
