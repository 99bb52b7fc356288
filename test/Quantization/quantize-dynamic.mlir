// RUN: nibble-opt %s --nb-quantize-dynamic -split-input-file 2>/dev/null | FileCheck %s
// RUN: nibble-opt %s --nb-quantize-dynamic=per-tensor-weights -split-input-file 2>/dev/null | FileCheck %s --check-prefix=TENSOR
// RUN: nibble-opt %s --nb-quantize-dynamic -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: not nibble-opt %s --nb-quantize-dynamic=strict -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRICT
// RUN: nibble-opt %s --nb-quantize-dynamic="exclude-op-types=gemm exclude-nodes=keep_.*" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=EXCLUDE
//
// Weights are chosen so that the RTN values are easy to check by hand:
// column maxima 1.27 and 2.0 give scales 0.01 and 2/127 (per channel), 2/127
// for the whole tensor.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.+]]: tensor<4x3xf32>)
// CHECK: %[[Q:.+]], %[[XS:.+]], %[[XZ:.+]] = nb.dynamic_quantize_linear %[[X]] : (tensor<4x3xf32>) -> (tensor<4x3xui8>, tensor<f32>, tensor<ui8>)
// CHECK: %[[W:.+]] = nb.constant dense<{{\[}}[90, -32], [25, 127], [-127, 0]]> : tensor<3x2xi8>
// CHECK: %[[ACC:.+]] = nb.matmul_integer %[[Q]], %[[W]], %[[XZ]] {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<4x3xui8>, tensor<3x2xi8>, tensor<ui8>) -> tensor<4x2xi32>
// CHECK: %[[WS:.+]] = nb.constant dense<[0.00999999977, 0.0157480314]> : tensor<2xf32>
// CHECK: %[[S:.+]] = nb.mul %[[XS]], %[[WS]] : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32>
// CHECK: %[[F:.+]] = nb.cast %[[ACC]] : (tensor<4x2xi32>) -> tensor<4x2xf32>
// CHECK: %[[Y:.+]] = nb.mul %[[F]], %[[S]] : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: nb.matmul %
// TENSOR-LABEL: func.func @matmul
// TENSOR: nb.constant dense<{{\[}}[57, -32], [16, 127], [-81, 0]]> : tensor<3x2xi8>
// TENSOR: %[[WS:.+]] = nb.constant dense<0.0157480314> : tensor<f32>
// TENSOR: nb.mul %{{.+}}, %[[WS]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
func.func @matmul(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = nb.constant dense<[[0.9, -0.5], [0.25, 2.0], [-1.27, 0.0]]> : tensor<3x2xf32>
  %y = nb.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Batched activation with a dynamic dimension; the weight is shared.
// CHECK-LABEL: func.func @matmul_batched
// CHECK: nb.dynamic_quantize_linear %{{.+}} : (tensor<?x5x3xf32>) -> (tensor<?x5x3xui8>, tensor<f32>, tensor<ui8>)
// CHECK: nb.matmul_integer {{.+}} : (tensor<?x5x3xui8>, tensor<3x2xi8>, tensor<ui8>) -> tensor<?x5x2xi32>
// CHECK: nb.cast %{{.+}} : (tensor<?x5x2xi32>) -> tensor<?x5x2xf32>
// CHECK: nb.mul %{{.+}}, %{{.+}} : (tensor<?x5x2xf32>, tensor<2xf32>) -> tensor<?x5x2xf32>
func.func @matmul_batched(%x: tensor<?x5x3xf32>) -> tensor<?x5x2xf32> {
  %w = nb.constant dense<[[0.9, -0.5], [0.25, 2.0], [-1.27, 0.0]]> : tensor<3x2xf32>
  %y = nb.matmul %x, %w : (tensor<?x5x3xf32>, tensor<3x2xf32>) -> tensor<?x5x2xf32>
  return %y : tensor<?x5x2xf32>
}

// -----

// trans_b: B is [N, K] and is transposed at compile time; alpha is folded
// into the weight scales (2 * 0.01, 2 * 2/127) and beta * C into C.
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK: %[[Q:.+]], %[[XS:.+]], %[[XZ:.+]] = nb.dynamic_quantize_linear
// CHECK: %[[W:.+]] = nb.constant dense<{{\[}}[90, -32], [25, 127], [-127, 0]]> : tensor<3x2xi8>
// CHECK: %[[ACC:.+]] = nb.matmul_integer %[[Q]], %[[W]], %[[XZ]]
// CHECK: %[[WS:.+]] = nb.constant dense<[2.000000e-02, 0.0314960629]> : tensor<2xf32>
// CHECK: %[[S:.+]] = nb.mul %[[XS]], %[[WS]]
// CHECK: %[[F:.+]] = nb.cast %[[ACC]]
// CHECK: %[[P:.+]] = nb.mul %[[F]], %[[S]]
// CHECK: %[[C:.+]] = nb.constant dense<[5.000000e-01, -1.500000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = nb.add %[[P]], %[[C]] : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK: return %[[Y]]
// EXCLUDE-LABEL: func.func @gemm_trans_b
// EXCLUDE: nb.gemm %arg0, %{{.+}}, %{{.+}} {alpha = 2.000000e+00 : f32, beta = 5.000000e-01 : f32, trans_b = true} :
func.func @gemm_trans_b(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = nb.constant dense<[[0.9, 0.25, -1.27], [-0.5, 2.0, 0.0]]> : tensor<2x3xf32>
  %c = nb.constant dense<[1.0, -3.0]> : tensor<2xf32>
  %y = nb.gemm %x, %w, %c {alpha = 2.0 : f32, beta = 0.5 : f32, trans_b = true} : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// trans_a: the float activation is transposed before it is quantized; a C
// that is not a constant is scaled at run time.
// CHECK-LABEL: func.func @gemm_trans_a
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>, %[[C:.+]]: tensor<4x2xf32>)
// CHECK: %[[T:.+]] = nb.transpose %[[X]] {perm = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<4x3xf32>
// CHECK: nb.dynamic_quantize_linear %[[T]]
// CHECK: nb.matmul_integer
// CHECK: %[[BETA:.+]] = nb.constant dense<2.500000e-01> : tensor<f32>
// CHECK: %[[SC:.+]] = nb.mul %[[C]], %[[BETA]] : (tensor<4x2xf32>, tensor<f32>) -> tensor<4x2xf32>
// CHECK: nb.add %{{.+}}, %[[SC]]
func.func @gemm_trans_a(%x: tensor<3x4xf32>, %c: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = nb.constant dense<[[0.9, -0.5], [0.25, 2.0], [-1.27, 0.0]]> : tensor<3x2xf32>
  %y = nb.gemm %x, %w, %c {beta = 0.25 : f32, trans_a = true} : (tensor<3x4xf32>, tensor<3x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Conv: per output channel (axis 0) scales and the bias shaped [M, 1, 1];
// the convolution attributes carry over to conv_integer.
// CHECK-LABEL: func.func @conv
// CHECK: %[[Q:.+]], %[[XS:.+]], %[[XZ:.+]] = nb.dynamic_quantize_linear %{{.+}} : (tensor<1x1x4x4xf32>)
// CHECK: %[[W:.+]] = nb.constant dense<{{\[\[\[}}[127, -95], [32, 0]]], {{\[\[}}[-127, 127], [0, 32]]]]> : tensor<2x1x2x2xi8>
// CHECK: %[[ACC:.+]] = nb.conv_integer %[[Q]], %[[W]], %[[XZ]] {operandSegmentSizes = array<i32: 1, 1, 1, 0>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>, tensor<2x1x2x2xi8>, tensor<ui8>) -> tensor<1x2x3x3xi32>
// CHECK: %[[WS:.+]] = nb.constant dense<{{\[\[\[}}0.0157480314]], {{\[\[}}0.00787401571]]]> : tensor<2x1x1xf32>
// CHECK: %[[S:.+]] = nb.mul %[[XS]], %[[WS]] : (tensor<f32>, tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
// CHECK: %[[F:.+]] = nb.cast %[[ACC]] : (tensor<1x2x3x3xi32>) -> tensor<1x2x3x3xf32>
// CHECK: %[[P:.+]] = nb.mul %[[F]], %[[S]] : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK: %[[B:.+]] = nb.constant dense<{{\[\[\[}}5.000000e-01]], {{\[\[}}-2.500000e-01]]]> : tensor<2x1x1xf32>
// CHECK: nb.add %[[P]], %[[B]] : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %w = nb.constant dense<[[[[2.0, -1.5], [0.5, 0.0]]], [[[-1.0, 1.0], [0.0, 0.25]]]]> : tensor<2x1x2x2xf32>
  %b = nb.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %y = nb.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A bias that is not a constant is reshaped at run time.
// CHECK-LABEL: func.func @conv_dynamic_bias
// CHECK-SAME: %[[BIAS:[^:]+]]: tensor<2xf32>
// CHECK: nb.conv_integer
// CHECK: %[[SHAPE:.+]] = nb.constant dense<[2, 1, 1]> : tensor<3xi64>
// CHECK: %[[B:.+]] = nb.reshape %[[BIAS]], %[[SHAPE]] : (tensor<2xf32>, tensor<3xi64>) -> tensor<2x1x1xf32>
// CHECK: nb.add %{{.+}}, %[[B]]
func.func @conv_dynamic_bias(%x: tensor<1x1x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  %w = nb.constant dense<[[[[2.0, -1.5], [0.5, 0.0]]], [[[-1.0, 1.0], [0.0, 0.25]]]]> : tensor<2x1x2x2xf32>
  %y = nb.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Negative: a weight that is not a constant (attention-style x * y) stays
// float with the reason recorded; other ops are left alone.
// CHECK-LABEL: func.func @non_constant_weight
// CHECK: nb.matmul %{{.+}}, %{{.+}} {nb.kept_float = "weight is not a constant"}
// CHECK-NOT: nb.dynamic_quantize_linear
// CHECK: nb.relu
func.func @non_constant_weight(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>) -> tensor<4x2xf32> {
  %y = nb.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %r = nb.relu %y : (tensor<4x2xf32>) -> tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}

// -----

// Negative: f16 activations and batched (3-D) weights; with the exclusion
// options, a node matched by name.
// CHECK-LABEL: func.func @not_taken
// CHECK: nb.matmul %{{.+}} {nb.kept_float = "activation is not an f32 tensor"}
// CHECK: nb.matmul %{{.+}} {nb.kept_float = "weight is not 2-D"}
// CHECK: nb.dynamic_quantize_linear %arg2
// The remark and the strict error name the ONNX node.
// REMARK: remark: {{.*}}node 'mm_f16' stays float: activation is not an f32 tensor
// STRICT: error: {{.*}}node 'mm_f16' cannot be quantized: activation is not an f32 tensor
// EXCLUDE-LABEL: func.func @not_taken
// EXCLUDE-NOT: nb.dynamic_quantize_linear
// EXCLUDE: nb.matmul %arg2, %{{.+}} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
// EXCLUDE-NOT: nb.dynamic_quantize_linear
func.func @not_taken(%h: tensor<4x3xf16>, %x: tensor<2x4x3xf32>, %x2: tensor<4x3xf32>) -> (tensor<4x2xf16>, tensor<2x4x2xf32>, tensor<4x2xf32>) {
  %wh = nb.constant dense<1.0> : tensor<3x2xf16>
  %w3 = nb.constant dense<1.0> : tensor<2x3x2xf32>
  %w = nb.constant dense<1.0> : tensor<3x2xf32>
  %0 = nb.matmul %h, %wh : (tensor<4x3xf16>, tensor<3x2xf16>) -> tensor<4x2xf16> loc("mm_f16")
  %1 = nb.matmul %x, %w3 : (tensor<2x4x3xf32>, tensor<2x3x2xf32>) -> tensor<2x4x2xf32>
  %2 = nb.matmul %x2, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32> loc("keep_me")
  return %0, %1, %2 : tensor<4x2xf16>, tensor<2x4x2xf32>, tensor<4x2xf32>
}
