// RUN: rm -rf %t && mkdir -p %t
// RUN: echo '{"version": 1, "method": "minmax", "samples": 4, "tensors": {"x": {"min": 0, "max": 1}, "add1": {"min": -1.5, "max": 2.5}, "split:1": {"min": -3, "max": 3}, "ghost": {"min": 0, "max": 1}}}' > %t/table.json
// RUN: nibble-opt %s -nb-import-calibration-table=table=%t/table.json 2>&1 | FileCheck %s

// CHECK: warning: calibration table '{{.*}}table.json' names 1 tensor(s) the model lacks: ghost
// CHECK-LABEL: func.func @ranges
// CHECK-SAME: %arg0: tensor<2x4xf32> {nb.name = "x", nb.range = array<f64: 0.000000e+00, 1.000000e+00>}
// CHECK: nb.add {{.*}} {nb.calibrated_range = array<f64: -1.500000e+00, 2.500000e+00>}
// CHECK: nb.relu
// CHECK-NOT: nb.calibrated_range
// CHECK: nb.split {{.*}}nb.calibrated_result_ranges = [unit, array<f64: -3.000000e+00, 3.000000e+00>]
func.func @ranges(%x: tensor<2x4xf32> {nb.name = "x"}) -> (tensor<2x4xf32>, tensor<2x2xf32>) {
  %c = nb.constant dense<1.0> : tensor<2x4xf32> loc("c")
  %a = nb.add %x, %c : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("add1")
  %r = nb.relu %a : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("relu1")
  %s:2 = nb.split %r {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) loc("split")
  return %r, %s#1 : tensor<2x4xf32>, tensor<2x2xf32>
}
