// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @matmul_2d
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<4x5xf32>)
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<4x3xf32>, tensor<3x5xf32>) outs(%[[FILL]] : tensor<4x5xf32>)
func.func @matmul_2d(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %0 = nb.matmul %a, %b : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_batch
// CHECK: linalg.batch_matmul ins(%arg0, %arg1 : tensor<2x4x3xf32>, tensor<2x3x5xf32>)
func.func @matmul_batch(%a: tensor<2x4x3xf32>, %b: tensor<2x3x5xf32>) -> tensor<2x4x5xf32> {
  %0 = nb.matmul %a, %b : (tensor<2x4x3xf32>, tensor<2x3x5xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// Batch broadcasting and a 1-D rhs: one contraction generic, no copies.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_broadcast_vector
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul_broadcast_vector(%a: tensor<2x1x4x3xf32>, %b: tensor<3xf32>) -> tensor<2x1x4xf32> {
  %0 = nb.matmul %a, %b : (tensor<2x1x4x3xf32>, tensor<3xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (0, d1, d3)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-LABEL: func.func @matmul_broadcast_batch
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #{{.+}}]
func.func @matmul_broadcast_batch(%a: tensor<1x4x3xf32>, %b: tensor<6x3x5xf32>) -> tensor<6x4x5xf32> {
  %0 = nb.matmul %a, %b : (tensor<1x4x3xf32>, tensor<6x3x5xf32>) -> tensor<6x4x5xf32>
  return %0 : tensor<6x4x5xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_dynamic
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[M:.+]] = tensor.dim %arg0, %[[C0]]
// CHECK: tensor.empty(%[[M]]) : tensor<?x5xf32>
// CHECK: linalg.matmul
func.func @matmul_dynamic(%a: tensor<?x3xf32>, %b: tensor<3x5xf32>) -> tensor<?x5xf32> {
  %0 = nb.matmul %a, %b : (tensor<?x3xf32>, tensor<3x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// CHECK-LABEL: func.func @gemm_transposed
// CHECK: %[[AT:.+]] = linalg.transpose ins(%arg0 : tensor<3x4xf32>) outs(%{{.+}} : tensor<4x3xf32>) permutation = [1, 0]
// CHECK: %[[AB:.+]] = linalg.matmul ins(%[[AT]], %arg1 : tensor<4x3xf32>, tensor<3x5xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[AB]], %arg2 : tensor<4x5xf32>, tensor<5xf32>)
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: arith.mulf
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm_transposed(%a: tensor<3x4xf32>, %b: tensor<3x5xf32>, %c: tensor<5xf32>) -> tensor<4x5xf32> {
  %0 = nb.gemm %a, %b, %c {alpha = 0.25 : f32, beta = 2.0 : f32, trans_a = true} : (tensor<3x4xf32>, tensor<3x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// CHECK-LABEL: func.func @gemm_plain
// CHECK: linalg.transpose ins(%arg1 : tensor<5x3xf32>)
// CHECK: %[[AB:.+]] = linalg.matmul
// CHECK-NOT: linalg.generic
// CHECK: return %[[AB]]
func.func @gemm_plain(%a: tensor<4x3xf32>, %b: tensor<5x3xf32>) -> tensor<4x5xf32> {
  %0 = nb.gemm %a, %b {trans_b = true} : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Unsigned operands reach the body signless; zero points per row of the
// lhs and per column of the rhs index the m and n loops.
// CHECK-DAG: #[[AZP:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[BZP:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @matmul_integer
// CHECK-SAME: (%arg0: tensor<4x3xi8>, %arg1: tensor<3x5xi8>, %arg2: tensor<4xi8>, %arg3: tensor<5xi8>) -> tensor<4x5xi32>
// CHECK: linalg.fill ins(%{{.+}} : i32)
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #[[AZP]], #[[BZP]], #{{.+}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: ^bb0(%[[A:.+]]: i8, %[[B:.+]]: i8, %[[AZ:.+]]: i8, %[[BZ:.+]]: i8, %[[ACC:.+]]: i32):
// CHECK: %[[AW:.+]] = arith.extui %[[A]] : i8 to i32
// CHECK: %[[BW:.+]] = arith.extsi %[[B]] : i8 to i32
// CHECK: %[[AZW:.+]] = arith.extui %[[AZ]] : i8 to i32
// CHECK: %[[AS:.+]] = arith.subi %[[AW]], %[[AZW]]
// CHECK: %[[BZW:.+]] = arith.extsi %[[BZ]] : i8 to i32
// CHECK: %[[BS:.+]] = arith.subi %[[BW]], %[[BZW]]
// CHECK: arith.muli %[[AS]], %[[BS]]
// CHECK: arith.addi %[[ACC]]
func.func @matmul_integer(%a: tensor<4x3xui8>, %b: tensor<3x5xi8>, %az: tensor<4xui8>, %bz: tensor<5xi8>) -> tensor<4x5xi32> {
  %0 = nb.matmul_integer %a, %b, %az, %bz {operandSegmentSizes = array<i32: 1, 1, 1, 1>} : (tensor<4x3xui8>, tensor<3x5xi8>, tensor<4xui8>, tensor<5xi8>) -> tensor<4x5xi32>
  return %0 : tensor<4x5xi32>
}

// -----

// CHECK-LABEL: func.func @matmul_integer_no_zero_points
// CHECK: ^bb0(%{{.+}}: i8, %{{.+}}: i8, %{{.+}}: i32):
// CHECK-NOT: arith.subi
func.func @matmul_integer_no_zero_points(%a: tensor<2x4x3xi8>, %b: tensor<3x5xi8>) -> tensor<2x4x5xi32> {
  %0 = nb.matmul_integer %a, %b {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<2x4x3xi8>, tensor<3x5xi8>) -> tensor<2x4x5xi32>
  return %0 : tensor<2x4x5xi32>
}

// -----

// Requantization: the multiplier in f32, the product in f64, round half to
// even, saturate to [0, 255] and truncate through i32.
// CHECK-LABEL: func.func @qlinear_matmul
// CHECK: %[[ACC:.+]] = linalg.generic
// CHECK: arith.muli
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[ACC]], %arg1, %arg4, %arg6, %arg7 : tensor<2x4xi32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<i8>)
// CHECK: arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK: arith.divf %{{.+}}, %{{.+}} : f32
// CHECK: arith.sitofp %{{.+}} : i32 to f64
// CHECK: arith.uitofp %{{.+}} : i8 to f64
// CHECK: math.roundeven %{{.+}} : f64
// CHECK: arith.constant 0.000000e+00 : f64
// CHECK: arith.constant 2.550000e+02 : f64
// CHECK: arith.fptosi %{{.+}} : f64 to i32
// CHECK: arith.trunci %{{.+}} : i32 to i8
func.func @qlinear_matmul(%a: tensor<2x3xui8>, %as: tensor<f32>, %az: tensor<ui8>, %b: tensor<3x4xui8>, %bs: tensor<f32>, %bz: tensor<ui8>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<2x4xui8> {
  %0 = nb.qlinear_matmul %a, %as, %az, %b, %bs, %bz, %ys, %yz : (tensor<2x3xui8>, tensor<f32>, tensor<ui8>, tensor<3x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

// Constant zero points keep their values, re-typed signless.
// CHECK-LABEL: func.func @constant_zero_point
// CHECK: arith.constant dense<-128> : tensor<i8>
func.func @constant_zero_point(%a: tensor<2x3xui8>, %b: tensor<3x4xui8>) -> tensor<2x4xi32> {
  %z = nb.constant dense<128> : tensor<ui8>
  %0 = nb.matmul_integer %a, %b, %z, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1>} : (tensor<2x3xui8>, tensor<3x4xui8>, tensor<ui8>, tensor<ui8>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

// f16 scales (QLinearMatMul-21): the multiplier rounds in f16, then f64.
// CHECK-LABEL: func.func @qlinear_matmul_f16_scales
// CHECK: %[[P:.+]] = arith.mulf %{{.+}}, %{{.+}} : f16
// CHECK: %[[M:.+]] = arith.divf %[[P]], %{{.+}} : f16
// CHECK: arith.extf %[[M]] : f16 to f64
func.func @qlinear_matmul_f16_scales(%a: tensor<2x3xui8>, %s: tensor<f16>, %z: tensor<ui8>, %b: tensor<3x4xui8>) -> tensor<2x4xui8> {
  %0 = nb.qlinear_matmul %a, %s, %z, %b, %s, %z, %s, %z : (tensor<2x3xui8>, tensor<f16>, tensor<ui8>, tensor<3x4xui8>, tensor<f16>, tensor<ui8>, tensor<f16>, tensor<ui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}
