// RUN: nibble-opt %s -split-input-file -nb-instrument-observers | FileCheck %s

// Float arguments (by nb.name) and named nb op results become extra results;
// constants and ops without a NameLoc are not observed.
// CHECK-LABEL: func.func @relu_chain
// CHECK-SAME: (%arg0: tensor<2x4xf32> {nb.name = "x", nb.observed = "x"})
// CHECK-SAME: -> (tensor<2x4xf32> {nb.name = "y"}, tensor<2x4xf32> {nb.observed = "add1"}, tensor<2x4xf32> {nb.observed = "relu1"})
// CHECK: %[[C:.*]] = nb.constant
// CHECK: %[[A:.*]] = nb.add %arg0, %[[C]]
// CHECK: %[[R:.*]] = nb.relu %[[A]]
// CHECK: %[[S:.*]] = nb.sigmoid %[[R]]
// CHECK: return %[[S]], %[[A]], %[[R]]
func.func @relu_chain(%x: tensor<2x4xf32> {nb.name = "x"}) -> (tensor<2x4xf32> {nb.name = "y"}) {
  %c = nb.constant dense<1.0> : tensor<2x4xf32> loc("c")
  %a = nb.add %x, %c : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("add1")
  %r = nb.relu %a : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("relu1")
  %s = nb.sigmoid %r : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}

// -----

// Integer tensors are not observed; unnamed arguments are `arg<i>`; of two
// ops sharing a node name, only the last is observed (here already a result).
// CHECK-LABEL: func.func @mixed
// CHECK-SAME: (%arg0: tensor<4xf32> {nb.observed = "arg0"}, %arg1: tensor<4xi32>)
// CHECK-SAME: -> (tensor<4xf32> {nb.observed = "n"})
// CHECK: %[[A:.*]] = nb.relu %arg0
// CHECK: %[[B:.*]] = nb.relu %[[A]]
// CHECK: return %[[B]] : tensor<4xf32>
func.func @mixed(%x: tensor<4xf32>, %i: tensor<4xi32>) -> tensor<4xf32> {
  %a = nb.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("n")
  %b = nb.relu %a : (tensor<4xf32>) -> tensor<4xf32> loc("n")
  return %b : tensor<4xf32>
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
// CHECK-SAME: -> (tensor<4xf32> {nb.name = "y", nb.observed = "r"}, tensor<4xf32> {nb.observed = "a"})
// CHECK: return %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>
func.func @returned(%x: tensor<4xi32>, %f: tensor<4xf32>) -> (tensor<4xf32> {nb.name = "y"}) {
  %a = nb.abs %f : (tensor<4xf32>) -> tensor<4xf32> loc("a")
  %r = nb.relu %a : (tensor<4xf32>) -> tensor<4xf32> loc("r")
  return %r : tensor<4xf32>
}
