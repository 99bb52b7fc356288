// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.+}}]
// CHECK: arith.subf
// CHECK: arith.constant 1.000000e-03 : f32
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batch_norm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %0 = nb.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Sum, mean, sum of squared differences, 1/sqrt(var + eps), then the
// normalized output; the statistics come back with the reduced dims as 1s.
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @layer_norm
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK: arith.constant 8.000000e+00 : f32
// CHECK: %[[SQ:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[KEPT]], #[[KEPT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: %[[INV:.+]] = linalg.generic
// CHECK: math.sqrt
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: ins(%arg0, %[[MEAN]], %[[INV]], %arg1, %arg2 :
// CHECK: %[[M:.+]] = tensor.expand_shape %[[MEAN]] {{\[\[}}0], [1, 2]] output_shape [3, 4, 1]
// CHECK: %[[I:.+]] = tensor.expand_shape %[[INV]] {{\[\[}}0], [1, 2]] output_shape [3, 4, 1]
// CHECK: return %[[Y]], %[[M]], %[[I]]
func.func @layer_norm(%x: tensor<3x4x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<3x4x8xf32>, tensor<3x4x1xf32>, tensor<3x4x1xf32>) {
  %0:3 = nb.layer_norm %x, %s, %b {operandSegmentSizes = array<i32: 1, 1, 1>, resultSegmentSizes = array<i32: 1, 1, 1>} : (tensor<3x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<3x4x8xf32>, tensor<3x4x1xf32>, tensor<3x4x1xf32>)
  return %0#0, %0#1, %0#2 : tensor<3x4x8xf32>, tensor<3x4x1xf32>, tensor<3x4x1xf32>
}

// -----

// f16 input: statistics in f32 (stash_type 1).
// CHECK-LABEL: func.func @layer_norm_f16
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2xf32>)
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @layer_norm_f16(%x: tensor<2x8xf16>, %s: tensor<8xf16>) -> tensor<2x8xf16> {
  %0 = nb.layer_norm %x, %s {operandSegmentSizes = array<i32: 1, 1, 0>, resultSegmentSizes = array<i32: 1, 0, 0>} : (tensor<2x8xf16>, tensor<8xf16>) -> tensor<2x8xf16>
  return %0 : tensor<2x8xf16>
}

// -----

// CHECK-LABEL: func.func @simplified_layer_norm
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: arith.mulf
func.func @simplified_layer_norm(%x: tensor<2x8xf32>, %s: tensor<8xf32>) -> tensor<2x8xf32> {
  %0 = nb.simplified_layer_norm %x, %s : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-DAG: #[[DROP:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @softmax
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[DROP]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: arith.maximumf
// CHECK: %[[EXP:.+]] = linalg.generic
// CHECK-SAME: ins(%arg0, %[[MAX]] :
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[EXP]], %[[SUM]] :
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5x3xf32>) -> tensor<2x5x3xf32> {
  %0 = nb.softmax %x {axis = 1 : i64} : (tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  return %0 : tensor<2x5x3xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean_keepdims
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: arith.constant 1.500000e+01 : f32
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1, 2]] output_shape [1, 4, 1]
func.func @reduce_mean_keepdims(%x: tensor<3x4x5xf32>) -> tensor<1x4x1xf32> {
  %axes = nb.constant dense<[0, -1]> : tensor<2xi64>
  %0 = nb.reduce_mean %x, %axes : (tensor<3x4x5xf32>, tensor<2xi64>) -> tensor<1x4x1xf32>
  return %0 : tensor<1x4x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean_noop
// CHECK-NOT: linalg.generic
// CHECK: return %arg0
func.func @reduce_mean_noop(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nb.reduce_mean %x {noop_with_empty_axes = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Kept dims may be dynamic.
// CHECK-LABEL: func.func @softmax_dynamic_batch
// CHECK: %[[D:.+]] = tensor.dim %arg0, %{{.+}}
// CHECK: tensor.empty(%[[D]]) : tensor<?xf32>
func.func @softmax_dynamic_batch(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = nb.softmax %x : (tensor<?x10xf32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}
