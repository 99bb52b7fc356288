// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

func.func @slice_runtime_starts(%a: tensor<6xf32>, %s: tensor<1xi64>) -> tensor<?xf32> {
  %e = nb.constant dense<[4]> : tensor<1xi64>
  // expected-error @+1 {{failed to legalize operation 'nb.slice'}}
  %0 = nb.slice %a, %s, %e {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<6xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Clamping a sliced axis needs its size.
func.func @slice_dynamic_axis(%a: tensor<?xf32>) -> tensor<?xf32> {
  %s = nb.constant dense<[1]> : tensor<1xi64>
  %e = nb.constant dense<[4]> : tensor<1xi64>
  // expected-error @+1 {{failed to legalize operation 'nb.slice'}}
  %0 = nb.slice %a, %s, %e {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<?xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @split_runtime_sizes(%a: tensor<6xf32>, %s: tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>) {
  // expected-error @+1 {{failed to legalize operation 'nb.split'}}
  %0:2 = nb.split %a, %s : (tensor<6xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1 : tensor<?xf32>, tensor<?xf32>
}

// -----

func.func @pad_runtime_pads(%a: tensor<4xf32>, %p: tensor<2xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.pad'}}
  %0 = nb.pad %a, %p {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<4xf32>, tensor<2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @resize_runtime_scales(%a: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) -> tensor<?x?x?x?xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.resize'}}
  %0 = nb.resize %a, %s {operandSegmentSizes = array<i32: 1, 0, 1, 0>} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

func.func @resize_tf_crop(%a: tensor<1x1x4x4xf32>, %roi: tensor<8xf32>) -> tensor<1x1x8x8xf32> {
  %s = nb.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // expected-error @+1 {{failed to legalize operation 'nb.resize'}}
  %0 = nb.resize %a, %roi, %s {coordinate_transformation_mode = #nb<coordinate_transformation_mode tf_crop_and_resize>, operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<1x1x4x4xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

func.func @resize_antialias_down(%a: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %s = nb.constant dense<[1.0, 1.0, 0.5, 0.5]> : tensor<4xf32>
  // expected-error @+1 {{failed to legalize operation 'nb.resize'}}
  %0 = nb.resize %a, %s {mode = #nb<resize_mode linear>, antialias = true, operandSegmentSizes = array<i32: 1, 0, 1, 0>} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

func.func @resize_linear_int(%a: tensor<1x1x4x4xi32>) -> tensor<1x1x8x8xi32> {
  %s = nb.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // expected-error @+1 {{failed to legalize operation 'nb.resize'}}
  %0 = nb.resize %a, %s {mode = #nb<resize_mode linear>, operandSegmentSizes = array<i32: 1, 0, 1, 0>} : (tensor<1x1x4x4xi32>, tensor<4xf32>) -> tensor<1x1x8x8xi32>
  return %0 : tensor<1x1x8x8xi32>
}
