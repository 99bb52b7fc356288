// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape_collapse
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
func.func @reshape_collapse(%a: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %s = nb.constant dense<[-1, 4]> : tensor<2xi64>
  %0 = nb.reshape %a, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// 0 copies the dynamic batch dim, -1 is inferred statically.
// CHECK-LABEL: func.func @reshape_expand_dynamic
// CHECK: %[[DIM:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x12xf32>
// CHECK: tensor.expand_shape %arg0 {{\[}}[0], [1, 2]] output_shape [%[[DIM]], 3, 4] : tensor<?x12xf32> into tensor<?x3x4xf32>
func.func @reshape_expand_dynamic(%a: tensor<?x12xf32>) -> tensor<?x3x4xf32> {
  %s = nb.constant dense<[0, 3, -1]> : tensor<3xi64>
  %0 = nb.reshape %a, %s : (tensor<?x12xf32>, tensor<3xi64>) -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
}

// -----

// -1 on a dynamic input: numel / product of the others. Which input dims
// the dynamic one splits into is unknown, so this is a general reshape.
// CHECK-LABEL: func.func @reshape_infer_dynamic
// CHECK: %[[DIM:.+]] = tensor.dim %arg0
// CHECK: %[[TOTAL:.+]] = arith.muli %[[DIM]], %{{.+}} : index
// CHECK: %[[REST:.+]] = arith.divui %[[TOTAL]], %{{.+}} : index
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %{{.+}}, %[[REST]] : tensor<2xindex>
// CHECK: tensor.reshape %arg0(%[[SHAPE]]) : (tensor<?x6xf32>, tensor<2xindex>) -> tensor<2x?xf32>
func.func @reshape_infer_dynamic(%a: tensor<?x6xf32>) -> tensor<2x?xf32> {
  %s = nb.constant dense<[2, -1]> : tensor<2xi64>
  %0 = nb.reshape %a, %s : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// Neither a collapse nor an expand: a reshape with a constant shape.
// CHECK-LABEL: func.func @reshape_general
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %{{.+}}, %{{.+}} : tensor<2xindex>
// CHECK: tensor.reshape %arg0(%[[SHAPE]]) : (tensor<2x3x4xf32>, tensor<2xindex>) -> tensor<4x6xf32>
func.func @reshape_general(%a: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %s = nb.constant dense<[4, 6]> : tensor<2xi64>
  %0 = nb.reshape %a, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// A shape known only at run time: 0 and -1 resolved with selects.
// CHECK-LABEL: func.func @reshape_runtime_shape
// CHECK: tensor.extract %arg1
// CHECK: arith.select
// CHECK: arith.divui
// CHECK: tensor.reshape %arg0(%{{.+}}) : (tensor<?x12xf32>, tensor<2xindex>) -> tensor<?x?xf32>
func.func @reshape_runtime_shape(%a: tensor<?x12xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nb.reshape %a, %s : (tensor<?x12xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// allowzero keeps a 0 as an empty dim.
// CHECK-LABEL: func.func @reshape_allowzero
// CHECK: tensor.reshape %arg0(%{{.+}}) : (tensor<0xf32>, tensor<2xindex>) -> tensor<0x3xf32>
func.func @reshape_allowzero(%a: tensor<0xf32>) -> tensor<0x3xf32> {
  %s = nb.constant dense<[0, 3]> : tensor<2xi64>
  %0 = nb.reshape %a, %s {allowzero = true} : (tensor<0xf32>, tensor<2xi64>) -> tensor<0x3xf32>
  return %0 : tensor<0x3xf32>
}

// -----

// CHECK-LABEL: func.func @flatten
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0], [1, 2]] : tensor<2x3x4xf32> into tensor<2x12xf32>
// CHECK: tensor.reshape %arg0(%{{.+}}) : (tensor<2x3x4xf32>, tensor<2xindex>) -> tensor<1x24xf32>
func.func @flatten(%a: tensor<2x3x4xf32>) -> (tensor<2x12xf32>, tensor<1x24xf32>) {
  %0 = nb.flatten %a {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %1 = nb.flatten %a {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  return %0, %1 : tensor<2x12xf32>, tensor<1x24xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_dynamic
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<?x3x4xf32> into tensor<?x4xf32>
func.func @flatten_dynamic(%a: tensor<?x3x4xf32>) -> tensor<?x4xf32> {
  %0 = nb.flatten %a {axis = -1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2, 3]] : tensor<1x3x1x?xf32> into tensor<3x?xf32>
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2], [3]] : tensor<1x3x1x?xf32> into tensor<3x1x?xf32>
func.func @squeeze(%a: tensor<1x3x1x?xf32>) -> (tensor<3x?xf32>, tensor<3x1x?xf32>) {
  %0 = nb.squeeze %a : (tensor<1x3x1x?xf32>) -> tensor<3x?xf32>
  %ax = nb.constant dense<[0]> : tensor<1xi64>
  %1 = nb.squeeze %a, %ax : (tensor<1x3x1x?xf32>, tensor<1xi64>) -> tensor<3x1x?xf32>
  return %0, %1 : tensor<3x?xf32>, tensor<3x1x?xf32>
}

// -----

// CHECK-LABEL: func.func @unsqueeze
// CHECK: %[[DIM:.+]] = tensor.dim %arg0
// CHECK: tensor.expand_shape %arg0 {{\[}}[0, 1], [2, 3]] output_shape [1, 3, %[[DIM]], 1] : tensor<3x?xf32> into tensor<1x3x?x1xf32>
func.func @unsqueeze(%a: tensor<3x?xf32>) -> tensor<1x3x?x1xf32> {
  %ax = nb.constant dense<[0, -1]> : tensor<2xi64>
  %0 = nb.unsqueeze %a, %ax : (tensor<3x?xf32>, tensor<2xi64>) -> tensor<1x3x?x1xf32>
  return %0 : tensor<1x3x?x1xf32>
}

// -----

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @expand
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%arg0 : tensor<3x1xf32>) outs(%[[EMPTY]] : tensor<2x3x4xf32>)
// CHECK-NEXT: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: linalg.yield %[[X]] : f32
func.func @expand(%a: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %s = nb.constant dense<[2, 1, 4]> : tensor<3xi64>
  %0 = nb.expand %a, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A dynamic result dim is max(shape[i], input dim).
// CHECK-LABEL: func.func @expand_runtime_shape
// CHECK: %[[S:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK: %[[D:.+]] = tensor.dim %arg0
// CHECK: %[[SIZE:.+]] = arith.maxsi %[[S]], %[[D]] : index
// CHECK: tensor.empty(%[[SIZE]]) : tensor<3x?xf32>
func.func @expand_runtime_shape(%a: tensor<3x1xf32>, %s: tensor<2xi64>) -> tensor<3x?xf32> {
  %0 = nb.expand %a, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// CHECK-LABEL: func.func @shape
// CHECK: %[[DIM:.+]] = tensor.dim %arg0
// CHECK: %[[D:.+]] = arith.index_cast %[[DIM]] : index to i64
// CHECK: tensor.from_elements %{{.+}}, %[[D]], %{{.+}} : tensor<3xi64>
// CHECK: arith.constant dense<3> : tensor<1xi64>
func.func @shape(%a: tensor<2x?x4xf32>, %b: tensor<2x3xf32>) -> (tensor<3xi64>, tensor<1xi64>) {
  %0 = nb.shape %a : (tensor<2x?x4xf32>) -> tensor<3xi64>
  %1 = nb.shape %b {start = -1 : i64} : (tensor<2x3xf32>) -> tensor<1xi64>
  return %0, %1 : tensor<3xi64>, tensor<1xi64>
}

// -----

// CHECK-LABEL: func.func @constant_of_shape
// CHECK: %[[D0:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK: %[[D1:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?xf32>
// CHECK: %[[V:.+]] = arith.constant 1.500000e+00 : f32
// CHECK: linalg.fill ins(%[[V]] : f32) outs(%[[EMPTY]] : tensor<?x?xf32>)
// A static result folds to a constant first.
// CHECK: arith.constant dense<7> : tensor<2x3xi64>
func.func @constant_of_shape(%s: tensor<2xi64>, %c: tensor<2xi64>) -> (tensor<?x?xf32>, tensor<2x3xi64>) {
  %0 = nb.constant_of_shape %s {value = dense<1.5> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  %1 = nb.constant_of_shape %c {value = dense<7> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<2x3xi64>
  return %0, %1 : tensor<?x?xf32>, tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @range_float
// CHECK: %[[SPAN:.+]] = arith.subf
// CHECK: %[[Q:.+]] = arith.divf %[[SPAN]]
// CHECK: math.ceil %[[Q]]
// CHECK: %[[N:.+]] = arith.maxsi
// CHECK: tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @range_float(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<?xf32> {
  %0 = nb.range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @range_int
// CHECK: arith.ceildivsi
// CHECK: linalg.generic
// CHECK: arith.trunci %{{.+}} : i64 to i32
// CHECK: arith.muli
// CHECK: arith.addi
func.func @range_int(%a: tensor<i32>, %b: tensor<i32>, %c: tensor<i32>) -> tensor<?xi32> {
  %0 = nb.range %a, %b, %c : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}
