// RUN: nibble-opt %s -split-input-file -nb-reconcile-ranges -verify-diagnostics | FileCheck %s

// A calibrated range inside the proved one is kept as it is, silently.
// CHECK-LABEL: func.func @inside
// CHECK: nb.relu {{.*}}nb.calibrated_range = array<f64: 5.000000e-01, 3.000000e+00>
// CHECK: nb.sigmoid {{.*}}nb.calibrated_range = array<f64: 6.250000e-01, 7.500000e-01>
func.func @inside(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = nb.relu %x {nb.calibrated_range = array<f64: 0.5, 3.0>, nb.output_names = ["relu1_out"]} : (tensor<4xf32>) -> tensor<4xf32>
  %s = nb.sigmoid %r {nb.calibrated_range = array<f64: 0.625, 0.75>} : (tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// A Relu output measured below 0 is clipped to the proved [0, inf], with a
// warning naming the tensor.
// CHECK-LABEL: func.func @relu_below_zero
// CHECK: nb.relu {{.*}}nb.calibrated_range = array<f64: 0.000000e+00, 3.000000e+00>
func.func @relu_below_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-warning @+1 {{calibrated range [-0.5, 3] of 'relu1_out' leaves the proved range [0, inf]; using [0, 3]}}
  %r = nb.relu %x {nb.calibrated_range = array<f64: -0.5, 3.0>, nb.output_names = ["relu1_out"]} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Argument ranges seed the analysis: with %x in [0, 1], x + 1 is proved in
// [1, 2] widened by a rounding allowance, so both ends of [-1, 5] are cut.
// CHECK-LABEL: func.func @seeded
// CHECK: nb.add {{.*}}nb.calibrated_range = array<f64: 0.99999{{[0-9]*}}, 2.0000{{[0-9]*}}>
func.func @seeded(%x: tensor<4xf32> {nb.range = array<f64: 0.0, 1.0>}) -> tensor<4xf32> {
  %c = nb.constant dense<1.0> : tensor<4xf32>
  // expected-warning @+1 {{calibrated range [-1, 5] of 'sum' leaves the proved range [0.99999}}
  %a = nb.add %x, %c {nb.calibrated_range = array<f64: -1.0, 5.0>, nb.output_names = ["sum"]} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// Disjoint ranges: the proved range is used. Without a tensor name the
// warning names the result and its op.
// CHECK-LABEL: func.func @disjoint
// CHECK: nb.sigmoid {{.*}}nb.calibrated_range = array<f64: 0.000000e+00, 1.000000e+00>
func.func @disjoint(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-warning @+1 {{calibrated range [2, 3] of result #0 of 'nb.sigmoid' lies outside the proved range [0, 1]; using the proved range}}
  %s = nb.sigmoid %x {nb.calibrated_range = array<f64: 2.0, 3.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// Multi-result ops: each calibrated entry is reconciled with its result's
// proved range, unit entries stay.
// CHECK-LABEL: func.func @split
// CHECK: nb.split {{.*}}nb.calibrated_result_ranges = [unit, array<f64: 0.000000e+00, 2.000000e+00>]
func.func @split(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %r = nb.relu %x : (tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-warning @+1 {{calibrated range [-1, 2] of 'right' leaves the proved range [0, inf]; using [0, 2]}}
  %s:2 = nb.split %r {axis = 1 : i64, nb.calibrated_result_ranges = [unit, array<f64: -1.0, 2.0>], nb.output_names = ["left", "right"], num_outputs = 2 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  return %s#1 : tensor<2x2xf32>
}

// -----

// Ops without calibrated ranges get none; nothing else is written.
// CHECK-LABEL: func.func @uncalibrated
// CHECK-NOT: nb.calibrated
// CHECK-NOT: nb.range
// CHECK: return
func.func @uncalibrated(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = nb.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Per-channel ranges are clipped channel by channel (a disjoint channel
// takes the proved range), with one warning per tensor.
// CHECK-LABEL: func.func @per_channel
// CHECK: nb.relu {{.*}}nb.calibrated_channel_ranges = {axis = 1 : i64, max = array<f64: 2.000000e+00, 3.000000e+00, 0x7FF0000000000000>, min = array<f64: 0.000000e+00, 1.000000e+00, 0.000000e+00>}
// CHECK: nb.split {{.*}}nb.calibrated_result_channel_ranges = [unit, {axis = 0 : i64, max = array<f64: 1.000000e+00, 1.000000e+00>, min = array<f64: 5.000000e-01, 0.49999{{[0-9]*}}>}]
func.func @per_channel(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-warning @+1 {{calibrated per-channel ranges of 'r' leave the proved range [0, inf] in 2 of 3 channels; clipped to it}}
  %r = nb.relu %x {nb.calibrated_channel_ranges = {axis = 1 : i64, max = array<f64: 2.0, 3.0, -1.0>, min = array<f64: -1.0, 1.0, -2.0>}, nb.output_names = ["r"]} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %s = nb.sigmoid %r : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // expected-warning @+1 {{calibrated per-channel ranges of 'right' leave the proved range [0.49999}}
  %p:2 = nb.split %s {axis = 1 : i64, nb.calibrated_result_channel_ranges = [unit, {axis = 0 : i64, max = array<f64: 1.0, 2.0>, min = array<f64: 0.5, 0.0>}], nb.output_names = ["left", "right"], split = array<i64: 2, 1>} : (tensor<2x3xf32>) -> (tensor<2x2xf32>, tensor<2x1xf32>)
  return %p#1 : tensor<2x1xf32>
}
