// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s
// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file --nb-cpu-tile-and-vectorize --canonicalize | FileCheck %s --check-prefix=VEC

// Half-precision contractions accumulate in f32 and round to the half type
// once, at the end (after Gemm's epilogue and Conv's bias).

// CHECK-LABEL: func.func @matmul_f16
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<4x16xf32>)
// CHECK: %[[ACC:.+]] = linalg.matmul ins(%arg0, %arg1 : tensor<4x32xf16>, tensor<32x16xf16>) outs(%[[FILL]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK: %[[R:.+]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<4x16xf32>) outs(%{{.+}} : tensor<4x16xf16>)
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: return %[[R]]
// The vectorized product extends the operands and reduces in f32.
// VEC-LABEL: func.func @matmul_f16
// VEC: arith.extf %{{.+}} : vector<1x8x16xf16> to vector<1x8x16xf32>
// VEC: arith.mulf %{{.+}} : vector<1x8x16xf32>
// VEC: vector.multi_reduction <add>, %{{.+}} [2] : vector<1x8x16xf32> to vector<1x8xf32>
// VEC: arith.truncf %{{.+}} : vector<1x8xf32> to vector<1x8xf16>
// VEC-NOT: linalg.
module attributes {nibble.target = "x86-64-v3", nibble.target_cpu = "x86-64-v3", nibble.vector_bits = 256 : i64} {
  func.func @matmul_f16(%a: tensor<4x32xf16>, %b: tensor<32x16xf16>) -> tensor<4x16xf16> {
    %0 = nb.matmul %a, %b : (tensor<4x32xf16>, tensor<32x16xf16>) -> tensor<4x16xf16>
    return %0 : tensor<4x16xf16>
  }
}

// -----

// bf16 with a broadcast batch: the contraction generic extends in its body.
// CHECK-LABEL: func.func @matmul_broadcast_bf16
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<2x4x3xbf16>, tensor<3x5xbf16>) outs(%{{.+}} : tensor<2x4x5xf32>)
// CHECK: ^bb0(%[[A:.+]]: bf16, %[[B:.+]]: bf16, %[[C:.+]]: f32):
// CHECK: %[[EA:.+]] = arith.extf %[[A]] : bf16 to f32
// CHECK: %[[EB:.+]] = arith.extf %[[B]] : bf16 to f32
// CHECK: %[[P:.+]] = arith.mulf %[[EA]], %[[EB]] : f32
// CHECK: arith.addf %[[C]], %[[P]] : f32
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<2x4x5xf32>) outs(%{{.+}} : tensor<2x4x5xbf16>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
func.func @matmul_broadcast_bf16(%a: tensor<2x4x3xbf16>, %b: tensor<3x5xbf16>) -> tensor<2x4x5xbf16> {
  %0 = nb.matmul %a, %b : (tensor<2x4x3xbf16>, tensor<3x5xbf16>) -> tensor<2x4x5xbf16>
  return %0 : tensor<2x4x5xbf16>
}

// -----

// Gemm: alpha, beta * C and the sum in f32, one rounding.
// CHECK-LABEL: func.func @gemm_f16
// CHECK: %[[ACC:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x4xf16>, tensor<4x3xf16>) outs(%{{.+}} : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %arg2 : tensor<2x3xf32>, tensor<3xf16>) outs(%{{.+}} : tensor<2x3xf16>)
// CHECK: ^bb0(%[[P:.+]]: f32, %[[C:.+]]: f16, %{{.+}}: f16):
// CHECK: %[[AP:.+]] = arith.mulf %[[P]], %{{.+}} : f32
// CHECK: %[[EC:.+]] = arith.extf %[[C]] : f16 to f32
// CHECK: %[[BC:.+]] = arith.mulf %[[EC]], %{{.+}} : f32
// CHECK: %[[S:.+]] = arith.addf %[[AP]], %[[BC]] : f32
// CHECK: %[[T:.+]] = arith.truncf %[[S]] : f32 to f16
// CHECK: linalg.yield %[[T]] : f16
func.func @gemm_f16(%a: tensor<2x4xf16>, %b: tensor<3x4xf16>, %c: tensor<3xf16>) -> tensor<2x3xf16> {
  %0 = nb.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, trans_b = true} : (tensor<2x4xf16>, tensor<3x4xf16>, tensor<3xf16>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// Conv: f32 accumulator in the named op, then bias added in f32 and one
// rounding in a single elementwise generic.
// CHECK-LABEL: func.func @conv_f16
// CHECK: %[[ACC:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.+}}, %arg1 : tensor<1x2x6x6xf16>, tensor<8x2x3x3xf16>) outs(%{{.+}} : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %arg2 : tensor<1x8x4x4xf32>, tensor<8xf16>) outs(%{{.+}} : tensor<1x8x4x4xf16>)
// CHECK: %[[EB:.+]] = arith.extf %{{.+}} : f16 to f32
// CHECK: %[[S:.+]] = arith.addf %{{.+}}, %[[EB]] : f32
// CHECK: arith.truncf %[[S]] : f32 to f16
// The vectorized convolution contracts extended operands into f32.
// VEC-LABEL: func.func @conv_f16
// VEC: arith.extf %{{.+}} : vector<1x4x1xf16> to vector<1x4x1xf32>
// VEC: vector.contract {{.*}} : vector<1x4x1xf32>, vector<1x1xf32> into vector<1x4x1xf32>
// VEC: arith.truncf %{{.+}} : vector<{{.+}}xf32> to vector<{{.+}}xf16>
// VEC-NOT: linalg.
module attributes {nibble.target = "x86-64-v3", nibble.target_cpu = "x86-64-v3", nibble.vector_bits = 256 : i64} {
  func.func @conv_f16(%x: tensor<1x2x6x6xf16>, %w: tensor<8x2x3x3xf16>, %b: tensor<8xf16>) -> tensor<1x8x4x4xf16> {
    %0 = nb.conv %x, %w, %b : (tensor<1x2x6x6xf16>, tensor<8x2x3x3xf16>, tensor<8xf16>) -> tensor<1x8x4x4xf16>
    return %0 : tensor<1x8x4x4xf16>
  }
}

// -----

// Grouped (depthwise) bf16 conv without bias: the grouped generic extends
// in its body; the rounding generic has no bias operand.
// CHECK-LABEL: func.func @depthwise_bf16
// VEC-LABEL: func.func @depthwise_bf16
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<1x2x1x3x3xf32>)
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: arith.mulf %{{.+}} : f32
// CHECK: %[[C:.+]] = tensor.collapse_shape %{{.+}} : tensor<1x2x1x3x3xf32> into tensor<1x2x3x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x2x3x3xf32>) outs(%{{.+}} : tensor<1x2x3x3xbf16>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
func.func @depthwise_bf16(%x: tensor<1x2x5x5xbf16>, %w: tensor<2x1x3x3xbf16>) -> tensor<1x2x3x3xbf16> {
  %0 = nb.conv %x, %w {group = 2 : i64} : (tensor<1x2x5x5xbf16>, tensor<2x1x3x3xbf16>) -> tensor<1x2x3x3xbf16>
  return %0 : tensor<1x2x3x3xbf16>
}

// -----

// ConvTranspose in f16 accumulates in f32 too.
// CHECK-LABEL: func.func @conv_transpose_f16
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<1x1x1x4x4xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<1x1x4x4xf16>)
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @conv_transpose_f16(%x: tensor<1x1x3x3xf16>, %w: tensor<1x1x2x2xf16>) -> tensor<1x1x4x4xf16> {
  %0 = nb.conv_transpose %x, %w : (tensor<1x1x3x3xf16>, tensor<1x1x2x2xf16>) -> tensor<1x1x4x4xf16>
  return %0 : tensor<1x1x4x4xf16>
}

// -----

// f32 contractions are unchanged: no rounding generic.
// CHECK-LABEL: func.func @matmul_f32
// CHECK: %[[R:.+]] = linalg.matmul ins(%arg0, %arg1 : tensor<4x3xf32>, tensor<3x5xf32>) outs(%{{.+}} : tensor<4x5xf32>) -> tensor<4x5xf32>
// CHECK-NEXT: return %[[R]]
func.func @matmul_f32(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %0 = nb.matmul %a, %b : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
