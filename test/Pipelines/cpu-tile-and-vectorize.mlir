// RUN: nibble-opt %s --nb-cpu-tile-and-vectorize --canonicalize --split-input-file | FileCheck %s

// AVX2: 8 f32 lanes. Outer parallel loops tile to 1, the innermost to 8.
// CHECK-LABEL: func.func @add_v3
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C1]]
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C8]]
// CHECK: vector.transfer_read {{.+}} : tensor<4x64xf32>, vector<1x8xf32>
// CHECK: arith.addf {{.+}} : vector<1x8xf32>
// CHECK: vector.transfer_write {{.+}} : vector<1x8xf32>, tensor<4x64xf32>
// CHECK-NOT: linalg.
module attributes {nibble.target = "x86-64-v3", nibble.target_cpu = "x86-64-v3", nibble.vector_bits = 256 : i64} {
  func.func @add_v3(%a: tensor<4x64xf32>, %b: tensor<4x64xf32>) -> tensor<4x64xf32> {
    %init = tensor.empty() : tensor<4x64xf32>
    %0 = linalg.add ins(%a, %b : tensor<4x64xf32>, tensor<4x64xf32>) outs(%init : tensor<4x64xf32>) -> tensor<4x64xf32>
    return %0 : tensor<4x64xf32>
  }
}

// -----

// AVX-512: 16 f32 lanes, 64 i8 lanes.
// CHECK-LABEL: func.func @add_v4
// CHECK: arith.addf {{.+}} : vector<1x16xf32>
// CHECK-LABEL: func.func @add_i8_v4
// CHECK: arith.addi {{.+}} : vector<1x64xi8>
module attributes {nibble.target = "x86-64-v4", nibble.target_cpu = "x86-64-v4", nibble.vector_bits = 512 : i64} {
  func.func @add_v4(%a: tensor<4x64xf32>, %b: tensor<4x64xf32>) -> tensor<4x64xf32> {
    %init = tensor.empty() : tensor<4x64xf32>
    %0 = linalg.add ins(%a, %b : tensor<4x64xf32>, tensor<4x64xf32>) outs(%init : tensor<4x64xf32>) -> tensor<4x64xf32>
    return %0 : tensor<4x64xf32>
  }
  func.func @add_i8_v4(%a: tensor<2x128xi8>, %b: tensor<2x128xi8>) -> tensor<2x128xi8> {
    %init = tensor.empty() : tensor<2x128xi8>
    %0 = linalg.add ins(%a, %b : tensor<2x128xi8>, tensor<2x128xi8>) outs(%init : tensor<2x128xi8>) -> tensor<2x128xi8>
    return %0 : tensor<2x128xi8>
  }
}

// -----

// Without a target the tiles are 256 bits wide. A size that 8 does not
// divide gets its widest divisor, so tiles stay static.
// CHECK-LABEL: func.func @odd_size
// CHECK: math.exp {{.+}} : vector<1x5xf32>
func.func @odd_size(%a: tensor<3x10xf32>) -> tensor<3x10xf32> {
  %init = tensor.empty() : tensor<3x10xf32>
  %0 = linalg.exp ins(%a : tensor<3x10xf32>) outs(%init : tensor<3x10xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

// Contractions: the reduction tiles to 16, the result row to 8 lanes.
// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK: scf.for %{{.+}} step %[[C16]]
// CHECK: arith.mulf {{.+}} : vector<1x8x16xf32>
// CHECK: vector.multi_reduction <add>, {{.+}} [2] : vector<1x8x16xf32> to vector<1x8xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<4x32xf32>, %b: tensor<32x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x32xf32>, tensor<32x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// 2-D convolutions and poolings: unit window rows, decomposed to 1-D ones
// that vectorize.
// CHECK-LABEL: func.func @conv
// CHECK: vector.contract
// CHECK-NOT: linalg.conv
// CHECK-LABEL: func.func @max_pool
// CHECK: arith.maximumf {{.+}} : vector<
// CHECK-NOT: linalg.pooling
func.func @conv(%in: tensor<1x4x10x10xf32>, %w: tensor<8x4x3x3xf32>, %init: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}
func.func @max_pool(%in: tensor<1x4x8x8xf32>, %k: tensor<2x2xf32>, %init: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %k : tensor<1x4x8x8xf32>, tensor<2x2xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Negative: dynamic loop bounds are neither tiled nor vectorized (the
// driver specializes shapes before codegen).
// CHECK-LABEL: func.func @dynamic
// CHECK-NOT: scf.for
// CHECK-NOT: vector.
// CHECK: linalg.add ins(%{{.+}}, %{{.+}} : tensor<?x64xf32>, tensor<?x64xf32>)
func.func @dynamic(%a: tensor<?x64xf32>, %b: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = linalg.add ins(%a, %b : tensor<?x64xf32>, tensor<?x64xf32>) outs(%a : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

// Negative: i1 tensors are tiled but not vectorized (vectors of i1 are
// bit-packed in memory, memrefs of i1 are not).
// CHECK-LABEL: func.func @bool
// CHECK: scf.for
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK-SAME: tensor<1x32xi1>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @bool(%a: tensor<4x64xi1>, %b: tensor<4x64xi1>) -> tensor<4x64xi1> {
  %init = tensor.empty() : tensor<4x64xi1>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<4x64xi1>, tensor<4x64xi1>) outs(%init : tensor<4x64xi1>) {
  ^bb0(%x: i1, %y: i1, %out: i1):
    %1 = arith.andi %x, %y : i1
    linalg.yield %1 : i1
  } -> tensor<4x64xi1>
  return %0 : tensor<4x64xi1>
}

// -----

// Negative: an operand indexed by a decreasing expression (a flip, as in
// transposed convolutions) is not tiled: slices of it computed from a tile's
// first and last index would be wrong.
// CHECK-LABEL: func.func @flip
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<4x64xf32>) outs(%{{.+}} : tensor<4x64xf32>)
#flip = affine_map<(d0, d1) -> (d0, 63 - d1)>
#ident = affine_map<(d0, d1) -> (d0, d1)>
func.func @flip(%a: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %init = tensor.empty() : tensor<4x64xf32>
  %0 = linalg.generic {indexing_maps = [#flip, #ident], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x64xf32>) outs(%init : tensor<4x64xf32>) {
  ^bb0(%x: f32, %out: f32):
    linalg.yield %x : f32
  } -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}
