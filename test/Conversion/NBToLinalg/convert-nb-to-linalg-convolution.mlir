// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @conv_2d
// CHECK: %[[PAD:.+]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[INIT:.+]] = linalg.fill
// CHECK: %[[CONV:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %arg1 : tensor<2x3x9x8xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<2x4x4x3xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg2 : tensor<4xf32>) outs(%[[CONV]] : tensor<2x4x4x3xf32>)
// CHECK: arith.addf
func.func @conv_2d(%x: tensor<2x3x7x6xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x4x3xf32> {
  %0 = nb.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x3x7x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x4x3xf32>
  return %0 : tensor<2x4x4x3xf32>
}

// -----

// Grouped: N x G x C/G x H x W input, G x F/G x C/G x kh x kw weight.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6 * 2, d4 + d7)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @conv_grouped_dilated
// CHECK: %[[X:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 8] : tensor<1x4x8x8xf32> into tensor<1x2x2x8x8xf32>
// CHECK: %[[WG:.+]] = tensor.expand_shape %arg1 {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 2, 3]
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[WG]] :
// CHECK: tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x6x6xf32> into tensor<1x6x6x6xf32>
func.func @conv_grouped_dilated(%x: tensor<1x4x6x6xf32>, %w: tensor<6x2x2x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = nb.conv %x, %w {group = 2 : i64, dilations = array<i64: 2, 1>, auto_pad = #nb<auto_pad same_upper>} : (tensor<1x4x6x6xf32>, tensor<6x2x2x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Pads carry the input zero point; a per-channel weight zero point indexes
// the output channel g * F/G + f.
// CHECK-DAG: #[[WZ:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1 * 2 + d2)>
// CHECK-LABEL: func.func @conv_integer
// CHECK: %[[XZ:.+]] = tensor.extract %arg2[] : tensor<i8>
// CHECK: tensor.pad
// CHECK: tensor.yield %[[XZ]] : i8
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #[[WZ]], #{{.+}}]
// CHECK: arith.extui %{{.+}} : i8 to i32
// CHECK: arith.extsi %{{.+}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.subi
// CHECK: arith.muli
func.func @conv_integer(%x: tensor<1x2x5x5xui8>, %w: tensor<4x1x3x3xi8>, %xz: tensor<ui8>, %wz: tensor<4xi8>) -> tensor<1x4x5x5xi32> {
  %0 = nb.conv_integer %x, %w, %xz, %wz {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, operandSegmentSizes = array<i32: 1, 1, 1, 1>} : (tensor<1x2x5x5xui8>, tensor<4x1x3x3xi8>, tensor<ui8>, tensor<4xi8>) -> tensor<1x4x5x5xi32>
  return %0 : tensor<1x4x5x5xi32>
}

// -----

// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @qlinear_conv
// CHECK: %[[ACC:.+]] = tensor.collapse_shape
// CHECK: %[[BIASED:.+]] = linalg.generic
// CHECK-SAME: ins(%arg8 : tensor<2xi32>) outs(%[[ACC]] : tensor<1x2x3x3xi32>)
// CHECK: arith.addi
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #[[CH]], #{{.+}}, #{{.+}}, #{{.+}}]
// CHECK-SAME: ins(%[[BIASED]], %arg1, %arg4, %arg6, %arg7 :
// CHECK: arith.sitofp %{{.+}} : i32 to f64
// CHECK: math.roundeven %{{.+}} : f64
// CHECK: arith.trunci %{{.+}} : i32 to i8
func.func @qlinear_conv(%x: tensor<1x1x5x5xui8>, %xs: tensor<f32>, %xz: tensor<ui8>, %w: tensor<2x1x3x3xi8>, %ws: tensor<2xf32>, %wz: tensor<2xi8>, %ys: tensor<f32>, %yz: tensor<ui8>, %b: tensor<2xi32>) -> tensor<1x2x3x3xui8> {
  %0 = nb.qlinear_conv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b : (tensor<1x1x5x5xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x3x3xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<ui8>, tensor<2xi32>) -> tensor<1x2x3x3xui8>
  return %0 : tensor<1x2x3x3xui8>
}

// -----

// The input dilated by the stride (zeros in between), padded by
// dilation * (k - 1) - pads (+ output_padding), and the kernel flipped with
// input and output channels swapped.
// CHECK-DAG: #[[FLIP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 2, -d4 + 2)>
// CHECK-LABEL: func.func @conv_transpose
// CHECK: %[[ZEROS:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x2x5x7xf32>)
// CHECK: %[[DILATED:.+]] = tensor.insert_slice %arg0 into %[[ZEROS]][0, 0, 0, 0] [1, 2, 3, 4] [1, 1, 2, 2]
// CHECK: tensor.pad %[[DILATED]] low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: linalg.generic {indexing_maps = [#[[FLIP]], #{{.+}}]
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2], [3], [4]] : tensor<1x3x2x3x3xf32> into tensor<3x2x3x3xf32>
func.func @conv_transpose(%x: tensor<1x2x3x4xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x3x6x8xf32> {
  %0 = nb.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x2x3x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x6x8xf32>
  return %0 : tensor<1x3x6x8xf32>
}

// -----

// output_shape fixes the pads: total = 3 * 2 + 3 - 10 = -1 rows, so the
// output grows by one row at the end (pad high 3 = reach 2 + 1).
// CHECK-LABEL: func.func @conv_transpose_output_shape
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0] [1, 1, 3, 3] [1, 1, 3, 2] : tensor<1x1x3x3xf32> into tensor<1x1x7x5xf32>
// CHECK: tensor.pad %{{.+}} low[0, 0, 2, 2] high[0, 0, 3, 3]
// CHECK: -> tensor<1x1x2x10x8xf32>
func.func @conv_transpose_output_shape(%x: tensor<1x1x3x3xf32>, %w: tensor<1x2x3x3xf32>) -> tensor<1x2x10x8xf32> {
  %0 = nb.conv_transpose %x, %w {output_shape = array<i64: 10, 8>, strides = array<i64: 3, 2>} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x10x8xf32>
  return %0 : tensor<1x2x10x8xf32>
}

// -----

// SAME_LOWER: output in * stride = 6, total padding 1, taken at the start
// (the transposed conv's pad low shrinks by it).
// CHECK-LABEL: func.func @conv_transpose_same_lower
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: -> tensor<1x1x2x6x6xf32>
func.func @conv_transpose_same_lower(%x: tensor<1x1x3x3xf32>, %w: tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %0 = nb.conv_transpose %x, %w {auto_pad = #nb<auto_pad same_lower>, strides = array<i64: 2, 2>} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}
