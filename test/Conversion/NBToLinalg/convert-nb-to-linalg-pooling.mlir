// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// Pads become a -inf tensor.pad; 2-D pools are linalg's named NCHW ops.
// CHECK-LABEL: func.func @max_pool_2d
// CHECK: %[[NEG:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PAD:.+]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 0]
// CHECK: tensor.yield %[[NEG]]
// CHECK: } : tensor<1x2x7x6xf32> to tensor<1x2x9x7xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEG]] : f32) outs(%{{.+}} : tensor<1x2x4x3xf32>)
// CHECK: %[[WIN:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[WIN]] : tensor<1x2x9x7xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x2x4x3xf32>)
func.func @max_pool_2d(%x: tensor<1x2x7x6xf32>) -> tensor<1x2x4x3xf32> {
  %0 = nb.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x7x6xf32>) -> tensor<1x2x4x3xf32>
  return %0 : tensor<1x2x4x3xf32>
}

// -----

// ceil_mode: the last window reaches one element past the input end.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: linalg.pooling_nchw_max
// CHECK-SAME: outs(%{{.+}} : tensor<1x1x3x3xf32>)
func.func @max_pool_ceil(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x3x3xf32> {
  %0 = nb.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x6x6xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// 3-D pools are generics with the window at o * stride + k * dilation.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 + d5, d3 + d6 * 2, d4 + d7)>
// CHECK-LABEL: func.func @max_pool_3d_int
// CHECK: arith.constant -128 : i8
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: arith.maxsi
func.func @max_pool_3d_int(%x: tensor<1x2x4x5x6xi8>) -> tensor<1x2x3x3x5xi8> {
  %0 = nb.max_pool %x {kernel_shape = array<i64: 2, 2, 2>, dilations = array<i64: 1, 2, 1>} : (tensor<1x2x4x5x6xi8>) -> tensor<1x2x3x3x5xi8>
  return %0 : tensor<1x2x3x3x5xi8>
}

// -----

// Average without the pads: divide by the per-window count of input
// elements (4 in the corners, 6 on the edges, 9 inside).
// CHECK-LABEL: func.func @average_pool_exclude_pad
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum
// CHECK: %[[COUNT:.+]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[COUNT]] : tensor<3x3xf32>) outs(%[[SUM]] : tensor<1x2x3x3xf32>)
// CHECK: arith.divf
func.func @average_pool_exclude_pad(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nb.average_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @average_pool_include_pad
// CHECK: arith.constant dense<9.000000e+00> : tensor<3x3xf32>
func.func @average_pool_include_pad(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nb.average_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, count_include_pad = true} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @global_average_pool
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.constant 2.000000e+01 : f32
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2, 3]] output_shape [%{{.+}}, 3, 1, 1]
func.func @global_average_pool(%x: tensor<?x3x4x5xf32>) -> tensor<?x3x1x1xf32> {
  %0 = nb.global_average_pool %x : (tensor<?x3x4x5xf32>) -> tensor<?x3x1x1xf32>
  return %0 : tensor<?x3x1x1xf32>
}

// -----

// Unsigned max pooling starts from 0 and compares unsigned.
// CHECK-LABEL: func.func @max_pool_unsigned
// CHECK-SAME: (%{{.+}}: tensor<1x1x4x4xi8>) -> tensor<1x1x3x3xi8>
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i8
// CHECK: linalg.fill ins(%[[ZERO]] : i8)
// CHECK: arith.maxui
func.func @max_pool_unsigned(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x3x3xui8> {
  %0 = nb.max_pool %x {kernel_shape = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x3x3xui8>
  return %0 : tensor<1x1x3x3xui8>
}
