// RUN: nibble-opt %s -split-input-file -nb-instrument-observers | FileCheck %s

// Float arguments (by nb.name) and results with an ONNX tensor name
// (nb.output_names) become extra results, tagged with that name; constants
// and results without a tensor name are not observed.
// CHECK-LABEL: func.func @relu_chain
// CHECK-SAME: (%arg0: tensor<2x4xf32> {nb.name = "x", nb.observed = "x"})
// CHECK-SAME: -> (tensor<2x4xf32> {nb.name = "y"}, tensor<2x4xf32> {nb.observed = "add1_out"}, tensor<2x4xf32> {nb.observed = "relu1_out"})
// CHECK: %[[C:.*]] = nb.constant
// CHECK: %[[A:.*]] = nb.add %arg0, %[[C]]
// CHECK: %[[R:.*]] = nb.relu %[[A]]
// CHECK: %[[S:.*]] = nb.sigmoid %[[R]]
// CHECK: return %[[S]], %[[A]], %[[R]]
func.func @relu_chain(%x: tensor<2x4xf32> {nb.name = "x"}) -> (tensor<2x4xf32> {nb.name = "y"}) {
  %c = nb.constant {nb.output_names = ["c_out"]} dense<1.0> : tensor<2x4xf32> loc("c")
  %a = nb.add %x, %c {nb.output_names = ["add1_out"]} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("add1")
  %r = nb.relu %a {nb.output_names = ["relu1_out"]} : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("relu1")
  %s = nb.sigmoid %r : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("sigmoid1")
  return %s : tensor<2x4xf32>
}

// -----

// Integer tensors are not observed; unnamed arguments are `arg<i>`; an op
// the importer expanded a node into is named only where it produces the
// node's output (here a value the function already returns).
// CHECK-LABEL: func.func @mixed
// CHECK-SAME: (%arg0: tensor<4xf32> {nb.observed = "arg0"}, %arg1: tensor<4xi32>)
// CHECK-SAME: -> (tensor<4xf32> {nb.observed = "n_out"})
// CHECK: %[[A:.*]] = nb.relu %arg0
// CHECK: %[[B:.*]] = nb.relu %[[A]]
// CHECK: return %[[B]] : tensor<4xf32>
func.func @mixed(%x: tensor<4xf32>, %i: tensor<4xi32>) -> tensor<4xf32> {
  %a = nb.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("n")
  %b = nb.relu %a {nb.output_names = ["n_out"]} : (tensor<4xf32>) -> tensor<4xf32> loc("n")
  %j = nb.neg %i {nb.output_names = ["ints"]} : (tensor<4xi32>) -> tensor<4xi32> loc("neg")
  return %b : tensor<4xf32>
}

// -----

// Results of a multi-result op are observed by their own names; an empty
// name (an output the node does not produce) is skipped.
// CHECK-LABEL: func.func @split
// CHECK-SAME: -> (tensor<2x2xf32> {nb.observed = "right"})
// CHECK: %[[S:.*]]:2 = nb.split
// CHECK: return %[[S]]#1 : tensor<2x2xf32>
func.func @split(%x: tensor<2x4xi32>, %f: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %s:2 = nb.split %f {axis = 1 : i64, nb.output_names = ["", "right"], num_outputs = 2 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) loc("split")
  return %s#1 : tensor<2x2xf32>
}

// -----

// Nothing to observe: the signature stays as it is.
// CHECK-LABEL: func.func @ints
// CHECK-SAME: (%arg0: tensor<4xi32>) -> tensor<4xi32>
// CHECK: return %arg0 : tensor<4xi32>
func.func @ints(%x: tensor<4xi32>) -> tensor<4xi32> {
  return %x : tensor<4xi32>
}

// -----

// A value already returned is tagged in place, not returned twice.
// CHECK-LABEL: func.func @returned
// CHECK-SAME: -> (tensor<4xf32> {nb.name = "y", nb.observed = "r_out"}, tensor<4xf32> {nb.observed = "a_out"})
// CHECK: return %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>
func.func @returned(%x: tensor<4xi32>, %f: tensor<4xf32>) -> (tensor<4xf32> {nb.name = "y"}) {
  %a = nb.abs %f {nb.output_names = ["a_out"]} : (tensor<4xf32>) -> tensor<4xf32> loc("a")
  %r = nb.relu %a {nb.output_names = ["r_out"]} : (tensor<4xf32>) -> tensor<4xf32> loc("r")
  return %r : tensor<4xf32>
}

// -----

// A malformed nb.output_names (not one string per result) names nothing.
// CHECK-LABEL: func.func @malformed
// CHECK-SAME: -> tensor<4xf32>
// CHECK-NOT: nb.observed
func.func @malformed(%x: tensor<4xi32>, %f: tensor<4xf32>) -> tensor<4xf32> {
  %a = nb.abs %f {nb.output_names = ["a", "b"]} : (tensor<4xf32>) -> tensor<4xf32>
  %b = nb.relu %a {nb.output_names = [7]} : (tensor<4xf32>) -> tensor<4xf32>
  %c = nb.neg %b : (tensor<4xf32>) -> tensor<4xf32>
  return %c : tensor<4xf32>
}
