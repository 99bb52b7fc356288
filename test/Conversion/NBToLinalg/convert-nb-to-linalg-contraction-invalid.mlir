// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

// Zero points must be scalars, per row (lhs) or per column (rhs).
func.func @zero_point_layout(%a: tensor<4x3xi8>, %b: tensor<3x5xi8>, %bz: tensor<3x5xi8>) -> tensor<4x5xi32> {
  // expected-error @+1 {{failed to legalize operation 'nb.matmul_integer'}}
  %0 = nb.matmul_integer %a, %b, %bz {operandSegmentSizes = array<i32: 1, 1, 0, 1>} : (tensor<4x3xi8>, tensor<3x5xi8>, tensor<3x5xi8>) -> tensor<4x5xi32>
  return %0 : tensor<4x5xi32>
}

// -----

// The scales share one float type (the multiplier is formed in it).
func.func @qlinear_matmul_mixed_scales(%a: tensor<2x3xui8>, %s: tensor<f16>, %t: tensor<f32>, %z: tensor<ui8>, %b: tensor<3x4xui8>) -> tensor<2x4xui8> {
  // expected-error @+1 {{failed to legalize operation 'nb.qlinear_matmul'}}
  %0 = nb.qlinear_matmul %a, %s, %z, %b, %t, %z, %s, %z : (tensor<2x3xui8>, tensor<f16>, tensor<ui8>, tensor<3x4xui8>, tensor<f32>, tensor<ui8>, tensor<f16>, tensor<ui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

func.func @matmul_unranked(%a: tensor<*xf32>, %b: tensor<3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.matmul'}}
  %0 = nb.matmul %a, %b : (tensor<*xf32>, tensor<3x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
