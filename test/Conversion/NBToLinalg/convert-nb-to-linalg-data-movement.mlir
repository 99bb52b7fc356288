// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @transpose
// CHECK: %[[DIM:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x3x4xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[DIM]]) : tensor<4x?x3xf32>
// CHECK: linalg.transpose ins(%arg0 : tensor<?x3x4xf32>) outs(%[[EMPTY]] : tensor<4x?x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%a: tensor<?x3x4xf32>) -> tensor<4x?x3xf32> {
  %0 = nb.transpose %a {perm = array<i64: 2, 0, 1>} : (tensor<?x3x4xf32>) -> tensor<4x?x3xf32>
  return %0 : tensor<4x?x3xf32>
}

// -----

// ONNX's default permutation reverses the dims.
// CHECK-LABEL: func.func @transpose_default
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.+}} : tensor<4x3x2xf32>) permutation = [2, 1, 0]
func.func @transpose_default(%a: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = nb.transpose %a {perm = array<i64>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return %0 : tensor<4x3x2xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK: tensor.concat dim(1) %arg0, %arg1 : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>
func.func @concat(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %0 = nb.concat %a, %b {axis = -1 : i64} : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// Clamped ends, a step of 3.
// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %arg0[0, 1] [%{{.+}}, 2] [1, 3] : tensor<?x6xf32> to tensor<?x2xf32>
func.func @slice(%a: tensor<?x6xf32>) -> tensor<?x2xf32> {
  %starts = nb.constant dense<[1]> : tensor<1xi64>
  %ends = nb.constant dense<[100]> : tensor<1xi64>
  %axes = nb.constant dense<[-1]> : tensor<1xi64>
  %steps = nb.constant dense<[3]> : tensor<1xi64>
  %0 = nb.slice %a, %starts, %ends, %axes, %steps {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<?x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// A negative step reads [5, 3, 1] as a positive-stride slice from 1, then
// reverses it: element (i, j) is slice[i, 2 - j].
// CHECK-LABEL: func.func @slice_negative_step
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %arg0[0, 1] [4, 3] [1, 2] : tensor<4x6xf32> to tensor<4x3xf32>
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[J:.+]] = linalg.index 1
// CHECK: %[[LAST:.+]] = arith.constant 2 : index
// CHECK: %[[R:.+]] = arith.subi %[[LAST]], %[[J]] : index
// CHECK: tensor.extract %[[SLICE]][%[[I]], %[[R]]] : tensor<4x3xf32>
func.func @slice_negative_step(%a: tensor<4x6xf32>) -> tensor<4x3xf32> {
  %starts = nb.constant dense<[-1]> : tensor<1xi64>
  %ends = nb.constant dense<[-100]> : tensor<1xi64>
  %axes = nb.constant dense<[1]> : tensor<1xi64>
  %steps = nb.constant dense<[-2]> : tensor<1xi64>
  %0 = nb.slice %a, %starts, %ends, %axes, %steps {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<4x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @split_sizes
// CHECK: tensor.extract_slice %arg0[0, 0] [%{{.+}}, 2] [1, 1] : tensor<?x6xf32> to tensor<?x2xf32>
// CHECK: tensor.extract_slice %arg0[0, 2] [%{{.+}}, 4] [1, 1] : tensor<?x6xf32> to tensor<?x4xf32>
func.func @split_sizes(%a: tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x4xf32>) {
  %s = nb.constant dense<[2, 4]> : tensor<2xi64>
  %0:2 = nb.split %a, %s {axis = 1 : i64} : (tensor<?x6xf32>, tensor<2xi64>) -> (tensor<?x2xf32>, tensor<?x4xf32>)
  return %0#0, %0#1 : tensor<?x2xf32>, tensor<?x4xf32>
}

// -----

// Equal parts: ceil(7 / 3) = 3, the last part smaller.
// CHECK-LABEL: func.func @split_equal
// CHECK: tensor.extract_slice %arg0[0] [3] [1] : tensor<7xf32> to tensor<3xf32>
// CHECK: tensor.extract_slice %arg0[3] [3] [1] : tensor<7xf32> to tensor<3xf32>
// CHECK: tensor.extract_slice %arg0[6] [1] [1] : tensor<7xf32> to tensor<1xf32>
func.func @split_equal(%a: tensor<7xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<1xf32>) {
  %0:3 = nb.split %a : (tensor<7xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<1xf32>)
  return %0#0, %0#1, %0#2 : tensor<3xf32>, tensor<3xf32>, tensor<1xf32>
}

// -----

// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%arg1 : tensor<2x3xi64>)
// CHECK: ^bb0(%[[I:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[D0:.+]] = linalg.index 0
// CHECK: %[[IDX:.+]] = arith.index_cast %[[I]] : i64 to index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[IDX]]
// CHECK: %[[WRAP:.+]] = arith.addi %[[IDX]], %{{.+}} : index
// CHECK: %[[SEL:.+]] = arith.select %[[NEG]], %[[WRAP]], %[[IDX]]
// CHECK: tensor.extract %arg0[%[[D0]], %[[SEL]]] : tensor<4x5xf32>
func.func @gather(%a: tensor<4x5xf32>, %i: tensor<2x3xi64>) -> tensor<4x2x3xf32> {
  %0 = nb.gather %a, %i {axis = 1 : i64} : (tensor<4x5xf32>, tensor<2x3xi64>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @pad_constant
// CHECK: %[[V:.+]] = tensor.extract %arg1[]
// CHECK: tensor.pad %arg0 low[1, 0] high[2, 3]
// CHECK: tensor.yield %[[V]] : f32
// CHECK: } : tensor<?x4xf32> to tensor<?x7xf32>
func.func @pad_constant(%a: tensor<?x4xf32>, %v: tensor<f32>) -> tensor<?x7xf32> {
  %p = nb.constant dense<[1, 0, 2, 3]> : tensor<4xi64>
  %0 = nb.pad %a, %p, %v {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<?x4xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x7xf32>
  return %0 : tensor<?x7xf32>
}

// -----

// Negative pads crop first; the default value is 0.
// CHECK-LABEL: func.func @pad_crop
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK: %[[CROP:.+]] = tensor.extract_slice %arg0[0, 1] [4, 3] [1, 1]
// CHECK: tensor.pad %[[CROP]] low[0, 0] high[0, 2]
// CHECK: tensor.yield %[[ZERO]] : i32
func.func @pad_crop(%a: tensor<4x4xi32>) -> tensor<4x5xi32> {
  %p = nb.constant dense<[-1, 2]> : tensor<2xi64>
  %axes = nb.constant dense<[1]> : tensor<1xi64>
  %0 = nb.pad %a, %p, %axes {operandSegmentSizes = array<i32: 1, 1, 0, 1>} : (tensor<4x4xi32>, tensor<2xi64>, tensor<1xi64>) -> tensor<4x5xi32>
  return %0 : tensor<4x5xi32>
}

// -----

// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: arith.select
// CHECK: tensor.extract %arg0
func.func @pad_reflect(%a: tensor<3x4xf32>) -> tensor<3x8xf32> {
  %p = nb.constant dense<[0, 2, 0, 2]> : tensor<4xi64>
  %0 = nb.pad %a, %p {mode = #nb<pad_mode reflect>, operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// CHECK-LABEL: func.func @pad_edge
// CHECK: linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @pad_edge(%a: tensor<3x4xf32>) -> tensor<5x4xf32> {
  %p = nb.constant dense<[1, 0, 1, 0]> : tensor<4xi64>
  %0 = nb.pad %a, %p {mode = #nb<pad_mode edge>, operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// CHECK-LABEL: func.func @trilu
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg0 : tensor<2x3x4xf32>)
// CHECK: %[[I:.+]] = linalg.index 1
// CHECK: %[[J:.+]] = linalg.index 2
// CHECK: %[[D:.+]] = arith.subi %[[J]], %[[I]] : index
// CHECK: %[[KEEP:.+]] = arith.cmpi sle, %[[D]], %{{.+}} : index
// CHECK: arith.select %[[KEEP]]
func.func @trilu(%a: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %k = nb.constant dense<1> : tensor<i64>
  %0 = nb.trilu %a, %k {upper = false} : (tensor<2x3x4xf32>, tensor<i64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// k known at run time.
// CHECK-LABEL: func.func @trilu_runtime_k
// CHECK: %[[K:.+]] = tensor.extract %arg1[]
// CHECK: %[[KI:.+]] = arith.index_cast %[[K]] : i64 to index
// CHECK: arith.cmpi sge, %{{.+}}, %[[KI]] : index
func.func @trilu_runtime_k(%a: tensor<3x4xi32>, %k: tensor<i64>) -> tensor<3x4xi32> {
  %0 = nb.trilu %a, %k : (tensor<3x4xi32>, tensor<i64>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}

// -----

// Nearest: the batch and channel dims read the output index; the resized
// ones round the source coordinate and clamp it.
// CHECK-LABEL: func.func @resize_nearest
// CHECK: linalg.generic
// CHECK: %[[N:.+]] = linalg.index 0
// CHECK: %[[C:.+]] = linalg.index 1
// CHECK: math.ceil
// CHECK: arith.fptosi
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0[%[[N]], %[[C]], %{{.+}}, %{{.+}}] : tensor<1x3x4x4xf32>
func.func @resize_nearest(%a: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  %s = nb.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %0 = nb.resize %a, %s {operandSegmentSizes = array<i32: 1, 0, 1, 0>} : (tensor<1x3x4x4xf32>, tensor<4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Linear on two axes: four taps, each weight a product of two.
// CHECK-LABEL: func.func @resize_linear
// CHECK: linalg.generic
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK: linalg.yield
func.func @resize_linear(%a: tensor<?x3x4x4xf32>) -> tensor<?x3x6x2xf32> {
  %s = nb.constant dense<[6, 2]> : tensor<2xi64>
  %0 = nb.resize %a, %s {mode = #nb<resize_mode linear>, axes = array<i64: 2, 3>, coordinate_transformation_mode = #nb<coordinate_transformation_mode align_corners>, operandSegmentSizes = array<i32: 1, 0, 0, 1>} : (tensor<?x3x4x4xf32>, tensor<2xi64>) -> tensor<?x3x6x2xf32>
  return %0 : tensor<?x3x6x2xf32>
}

// -----

// Empty slices and splits are tensor.empty (extract_slice rejects offsets
// at the end of a dim); Concat drops inputs empty along its axis.
// CHECK-LABEL: func.func @empty_slice_split_concat
// CHECK-SAME: (%[[X:.+]]: tensor<10x5xf32>, %{{.+}}: tensor<0xf32>)
// CHECK-NOT: tensor.extract_slice
// CHECK-NOT: tensor.concat
// CHECK: %[[S:.+]] = tensor.empty() : tensor<0x5xf32>
// CHECK: %[[P:.+]] = tensor.empty() : tensor<0xf32>
// CHECK: return %[[S]], %[[P]], %[[X]]
func.func @empty_slice_split_concat(%x: tensor<10x5xf32>, %y: tensor<0xf32>) -> (tensor<0x5xf32>, tensor<0xf32>, tensor<10x5xf32>) {
  %starts = nb.constant dense<1000> : tensor<1xi64>
  %ends = nb.constant dense<1001> : tensor<1xi64>
  %0 = nb.slice %x, %starts, %ends {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<10x5xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<0x5xf32>
  %sizes = nb.constant dense<0> : tensor<2xi64>
  %1:2 = nb.split %y, %sizes : (tensor<0xf32>, tensor<2xi64>) -> (tensor<0xf32>, tensor<0xf32>)
  %2 = nb.concat %x, %0 {axis = 0 : i64} : (tensor<10x5xf32>, tensor<0x5xf32>) -> tensor<10x5xf32>
  return %0, %1#0, %2 : tensor<0x5xf32>, tensor<0xf32>, tensor<10x5xf32>
}
