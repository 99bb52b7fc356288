// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

// The shape's length decides the result rank; unknown, nothing to build.
func.func @reshape_unknown_length(%a: tensor<?x4xf32>, %s: tensor<?xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.reshape'}}
  %0 = nb.reshape %a, %s : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @squeeze_runtime_axes(%a: tensor<1x3xf32>, %axes: tensor<1xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.squeeze'}}
  %0 = nb.squeeze %a, %axes : (tensor<1x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @unsqueeze_runtime_axes(%a: tensor<3xf32>, %axes: tensor<1xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.unsqueeze'}}
  %0 = nb.unsqueeze %a, %axes : (tensor<3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Without axes, a dynamic dim might be 1 at run time: the result rank says
// it is not, here it says it is, which the lowering cannot check.
func.func @squeeze_dynamic_unit(%a: tensor<1x?xf32>) -> tensor<f32> {
  // expected-error @+1 {{failed to legalize operation 'nb.squeeze'}}
  %0 = nb.squeeze %a : (tensor<1x?xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @expand_unknown_length(%a: tensor<3xf32>, %s: tensor<?xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.expand'}}
  %0 = nb.expand %a, %s : (tensor<3xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @shape_of_unranked(%a: tensor<*xf32>) -> tensor<?xi64> {
  // expected-error @+1 {{failed to legalize operation 'nb.shape'}}
  %0 = nb.shape %a : (tensor<*xf32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}
