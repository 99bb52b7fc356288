// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

// The element count of a dynamic normalized dim is not a constant.
func.func @layer_norm_dynamic_normalized(%x: tensor<2x?xf32>, %s: tensor<?xf32>) -> tensor<2x?xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.layer_norm'}}
  %0 = nb.layer_norm %x, %s {operandSegmentSizes = array<i32: 1, 1, 0>, resultSegmentSizes = array<i32: 1, 0, 0>} : (tensor<2x?xf32>, tensor<?xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

func.func @reduce_mean_runtime_axes(%x: tensor<3x4xf32>, %axes: tensor<1xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.reduce_mean'}}
  %0 = nb.reduce_mean %x, %axes : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @softmax_unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.softmax'}}
  %0 = nb.softmax %x : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
