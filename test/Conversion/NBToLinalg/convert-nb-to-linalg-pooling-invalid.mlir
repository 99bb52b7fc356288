// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

func.func @max_pool_indices(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) {
  // expected-error @+2 {{'nb.max_pool' op argmax indices (MaxPool's second output) are not supported by the linalg lowering}}
  // expected-error @+1 {{failed to legalize operation 'nb.max_pool'}}
  %0:2 = nb.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
  return %0#0, %0#1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>
}

// -----

// Spatial dims must be static (the driver specializes them before lowering).
func.func @average_pool_dynamic_spatial(%x: tensor<1x1x?x4xf32>) -> tensor<1x1x?x2xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.average_pool'}}
  %0 = nb.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x?x4xf32>) -> tensor<1x1x?x2xf32>
  return %0 : tensor<1x1x?x2xf32>
}
