// RUN: nibble-opt %s -split-input-file -nb-reconcile-ranges -verify-diagnostics

// expected-error @+1 {{argument #0: 'nb.range' needs lo <= hi (no NaN)}}
func.func @bad_argument_range(%x: tensor<4xf32> {nb.range = array<f64: 1.0, 0.0>}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

func.func @inverted(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nb.calibrated_range' must hold array<f64: lo, hi> with lo <= hi, got array<f64: 3.000000e+00, 1.000000e+00>}}
  %r = nb.relu %x {nb.calibrated_range = array<f64: 3.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @not_an_array(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nb.calibrated_range' must hold array<f64: lo, hi> with lo <= hi, got "wide"}}
  %r = nb.relu %x {nb.calibrated_range = "wide"} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @single_on_multi(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nb.calibrated_range' is for single-result ops; use 'nb.calibrated_result_ranges'}}
  %s:2 = nb.split %x {axis = 1 : i64, nb.calibrated_range = array<f64: 0.0, 1.0>, num_outputs = 2 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  return %s#1 : tensor<2x2xf32>
}

// -----

func.func @wrong_count(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nb.calibrated_result_ranges' must hold one entry (array<f64: lo, hi> or unit) per result, got [unit]}}
  %s:2 = nb.split %x {axis = 1 : i64, nb.calibrated_result_ranges = [unit], num_outputs = 2 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  return %s#1 : tensor<2x2xf32>
}

// -----

func.func @bad_entry(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nb.calibrated_result_ranges' must hold array<f64: lo, hi> with lo <= hi, got 1 : i64}}
  %s:2 = nb.split %x {axis = 1 : i64, nb.calibrated_result_ranges = [unit, 1], num_outputs = 2 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  return %s#1 : tensor<2x2xf32>
}

// -----

func.func @bad_channels(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'nb.calibrated_channel_ranges' must hold {axis, min = array<f64>, max = array<f64>} with as many min as max values, each min <= max}}
  %r = nb.relu %x {nb.calibrated_channel_ranges = {axis = 1 : i64, max = array<f64: 1.0>, min = array<f64: 0.0, 0.0>}} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

func.func @bad_result_channels(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nb.calibrated_result_channel_ranges' must hold one entry (dictionary or unit) per result}}
  %s:2 = nb.split %x {axis = 1 : i64, nb.calibrated_result_channel_ranges = [unit], num_outputs = 2 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  return %s#1 : tensor<2x2xf32>
}
