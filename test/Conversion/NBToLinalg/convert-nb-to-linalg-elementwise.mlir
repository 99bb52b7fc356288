// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4x1xf32>, tensor<3xf32>) outs(%[[EMPTY]] : tensor<4x3xf32>)
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<4x1xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = nb.add %a, %b : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @relu_int_and_float
// CHECK: arith.maximumf
// CHECK: arith.maxsi
func.func @relu_int_and_float(%a: tensor<2xf32>, %b: tensor<2xi32>) -> (tensor<2xf32>, tensor<2xi32>) {
  %0 = nb.relu %a : (tensor<2xf32>) -> tensor<2xf32>
  %1 = nb.relu %b : (tensor<2xi32>) -> tensor<2xi32>
  return %0, %1 : tensor<2xf32>, tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @dynamic_batch
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[DIM:.+]] = tensor.dim %arg0, %[[C0]]
// CHECK: tensor.empty(%[[DIM]]) : tensor<?x8xf32>
// CHECK: math.tanh
func.func @dynamic_batch(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = nb.tanh %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func.func @where_and_equal
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @where_and_equal(%a: tensor<3xi64>, %b: tensor<3xi64>, %x: tensor<3xf32>, %y: tensor<f32>) -> tensor<3xf32> {
  %c = nb.equal %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %0 = nb.where %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @constant_to_arith
// CHECK: arith.constant dense<1.000000e+00> : tensor<2xf32>
func.func @constant_to_arith() -> tensor<2xf32> {
  %0 = nb.constant dense<1.0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
