// RUN: rm -rf %t && mkdir -p %t
// RUN: echo '{"version": 1, "tensors": {"x": {"min": 0, "max": 4, "per_channel": {"axis": 1, "min": [0, 1], "max": [2, 4]}}, "y": {"min": -1, "max": 3, "per_channel": {"axis": 0, "min": [-1, 0], "max": [1, 3]}}, "right": {"min": -2, "max": 2, "per_channel": {"axis": 0, "min": [-2, -1], "max": [1, 2]}}, "r": {"min": 0, "max": 1}}}' > %t/table.json
// RUN: nibble-opt %s -nb-import-calibration-table=table=%t/table.json | FileCheck %s

// Per-channel entries (docs/calibration-table.md) land beside the range:
// on arguments and single-result ops as nb.calibrated_channel_ranges, on
// multi-result ops per result (unit without one). An entry without
// per_channel gets none.
// CHECK-LABEL: func.func @per_channel
// CHECK-SAME: %arg0: tensor<2x2xf32> {nb.calibrated_channel_ranges = {axis = 1 : i64, max = array<f64: 2.000000e+00, 4.000000e+00>, min = array<f64: 0.000000e+00, 1.000000e+00>}, nb.name = "x", nb.range = array<f64: 0.000000e+00, 4.000000e+00>}
// CHECK: nb.neg {{.*}}{nb.calibrated_channel_ranges = {axis = 0 : i64, max = array<f64: 1.000000e+00, 3.000000e+00>, min = array<f64: -1.000000e+00, 0.000000e+00>}, nb.calibrated_range = array<f64: -1.000000e+00, 3.000000e+00>, nb.output_names = ["y"]}
// CHECK: nb.relu {{.*}}{nb.calibrated_range = array<f64: 0.000000e+00, 1.000000e+00>, nb.output_names = ["r"]}
// CHECK: nb.split {{.*}}nb.calibrated_result_channel_ranges = [unit, {axis = 0 : i64, max = array<f64: 1.000000e+00, 2.000000e+00>, min = array<f64: -2.000000e+00, -1.000000e+00>}], nb.calibrated_result_ranges = [unit, array<f64: -2.000000e+00, 2.000000e+00>]
func.func @per_channel(%x: tensor<2x2xf32> {nb.name = "x"}) -> (tensor<2x1xf32>) {
  %y = nb.neg %x {nb.output_names = ["y"]} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %r = nb.relu %y {nb.output_names = ["r"]} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %s:2 = nb.split %r {axis = 1 : i64, nb.output_names = ["left", "right"], num_outputs = 2 : i64} : (tensor<2x2xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>)
  return %s#1 : tensor<2x1xf32>
}
