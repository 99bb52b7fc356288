// RUN: rm -rf %t && mkdir -p %t
// RUN: echo '{"version": 1, "method": "minmax", "samples": 4, "tensors": {"x": {"min": 0, "max": 1}, "add1_out": {"min": -1.5, "max": 2.5}, "right": {"min": -3, "max": 3}, "ghost": {"min": 0, "max": 1}}}' > %t/table.json
// RUN: nibble-opt %s -nb-import-calibration-table=table=%t/table.json 2>&1 | FileCheck %s
// Tables keyed by ONNX node names (written before tables used tensor names)
// still import where a key is no tensor name.
// RUN: echo '{"version": 1, "tensors": {"add1": {"min": -1.5, "max": 2.5}, "split:1": {"min": -3, "max": 3}, "relu1_out": {"min": 0, "max": 4}, "relu1": {"min": 0, "max": 9}, "sigmoid1": {"min": 0, "max": 1}, "ghost": {"min": 0, "max": 1}}}' > %t/nodes.json
// RUN: nibble-opt %s -nb-import-calibration-table=table=%t/nodes.json 2>&1 | FileCheck %s --check-prefix=NODES

// Keyed by tensor name: graph inputs by nb.name, results by nb.output_names.
// CHECK: warning: calibration table '{{.*}}table.json' names 1 tensor(s) the model lacks: ghost
// CHECK-LABEL: func.func @ranges
// CHECK-SAME: %arg0: tensor<2x4xf32> {nb.name = "x", nb.range = array<f64: 0.000000e+00, 1.000000e+00>}
// CHECK: nb.add {{.*}} {nb.calibrated_range = array<f64: -1.500000e+00, 2.500000e+00>, nb.output_names = ["add1_out"]}
// CHECK: nb.relu
// CHECK-NOT: nb.calibrated_range
// CHECK: nb.split {{.*}}nb.calibrated_result_ranges = [unit, array<f64: -3.000000e+00, 3.000000e+00>]

// By node name: the node name of a single-result op, `<node>:<i>` for
// result i; a key that is a tensor name never falls back to a node name,
// and a result named both ways takes the tensor name's range.
// NODES: warning: calibration table '{{.*}}nodes.json' names 1 tensor(s) the model lacks: ghost
// NODES-LABEL: func.func @ranges
// NODES-NOT: nb.range
// NODES: nb.add {{.*}} {nb.calibrated_range = array<f64: -1.500000e+00, 2.500000e+00>, nb.output_names = ["add1_out"]}
// NODES: nb.relu {{.*}} {nb.calibrated_range = array<f64: 0.000000e+00, 4.000000e+00>, nb.output_names = ["relu1_out"]}
// NODES: nb.split {{.*}}nb.calibrated_result_ranges = [unit, array<f64: -3.000000e+00, 3.000000e+00>]
func.func @ranges(%x: tensor<2x4xf32> {nb.name = "x"}) -> (tensor<2x4xf32>, tensor<2x2xf32>) {
  %c = nb.constant dense<1.0> : tensor<2x4xf32> loc("c")
  %a = nb.add %x, %c {nb.output_names = ["add1_out"]} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("add1")
  %r = nb.relu %a {nb.output_names = ["relu1_out"]} : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("relu1")
  %s:2 = nb.split %r {axis = 1 : i64, nb.output_names = ["left", "right"], num_outputs = 2 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) loc("split")
  return %r, %s#1 : tensor<2x4xf32>, tensor<2x2xf32>
}

// A result without a tensor name (here a node's intermediate op) gets no
// range by tensor name; an op whose node is named like a key does not take
// it when the key is a tensor name.
// CHECK-LABEL: func.func @unnamed
// CHECK: nb.neg
// CHECK-NOT: nb.calibrated_range
// CHECK: nb.abs {{.*}} {nb.calibrated_range = array<f64: -1.500000e+00, 2.500000e+00>, nb.output_names = ["add1_out"]}
// CHECK-NOT: nb.calibrated_range
// CHECK: return
// NODES-LABEL: func.func @unnamed
// NODES: nb.neg {{.*}}nb.calibrated_range = array<f64: 0.000000e+00, 1.000000e+00>
// NODES-NOT: nb.calibrated_range
// NODES: return
func.func @unnamed(%x: tensor<4xf32>) -> tensor<4xf32> {
  %n = nb.neg %x : (tensor<4xf32>) -> tensor<4xf32> loc("sigmoid1")
  %a = nb.abs %n {nb.output_names = ["add1_out"]} : (tensor<4xf32>) -> tensor<4xf32> loc("abs1")
  %r = nb.relu %a {nb.output_names = ["relu2_out"]} : (tensor<4xf32>) -> tensor<4xf32> loc("add1_out")
  return %r : tensor<4xf32>
}
