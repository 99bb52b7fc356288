// RUN: nibble-opt %s -split-input-file -verify-diagnostics -nb-quantize-weights="bits=4 group-size=32" | FileCheck %s
// RUN: not nibble-opt %s -nb-quantize-weights="bits=3" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not nibble-opt %s -nb-quantize-weights="scale-type=bf16" 2>&1 | FileCheck %s --check-prefix=SCALE
// RUN: not nibble-opt %s -nb-quantize-weights="exclude-nodes=(" 2>&1 | FileCheck %s --check-prefix=REGEX
// Diagnostics name the ONNX node (the op's NameLoc), which -verify-diagnostics
// cannot anchor to a line: checked on stderr.
// RUN: not nibble-opt %S/Inputs/quantize-weights-named-nodes.mlir -split-input-file -nb-quantize-weights="bits=4 group-size=32" 2>&1 | FileCheck %s --check-prefix=NAMED
// NAMED: error: {{.*}}node 'proj': group-size 32 does not divide the reduction axis of its weight (48 elements); choose a divisor or pass pad-groups=true
// NAMED: remark: {{.*}}node 'scores' stays float: its weight is not a constant
// Under strict, an op the scheme cannot take is an error.
// RUN: not nibble-opt %S/Inputs/quantize-weights-named-nodes.mlir -split-input-file -nb-quantize-weights="bits=4 group-size=16 strict=true" 2>&1 | FileCheck %s --check-prefix=STRICT
// STRICT: error: {{.*}}node 'scores' cannot be quantized: its weight is not a constant

// BITS: error: nb-quantize-weights: bits must be 4 or 8, got 3
// SCALE: error: nb-quantize-weights: scale-type must be f32 or f16, got 'bf16'
// REGEX: error: nb-quantize-weights: invalid exclude-nodes regex '('

// A group size that does not divide the reduction axis (K = 48) is refused,
// naming the node.
func.func @group_does_not_divide(%x: tensor<1x48xf32>) -> tensor<1x4xf32> {
  %w = nb.constant dense<0.5> : tensor<48x4xf32>
  // expected-error @+1 {{'nb.matmul': group-size 32 does not divide the reduction axis of its weight (48 elements); choose a divisor or pass pad-groups=true}}
  %y = nb.matmul %x, %w : (tensor<1x48xf32>, tensor<48x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Conv reductions count C/group * kh * kw: 2 * 3 * 3 = 18.
func.func @conv_group_does_not_divide(%x: tensor<1x2x5x5xf32>) -> tensor<1x4x3x3xf32> {
  %w = nb.constant dense<0.5> : tensor<4x2x3x3xf32>
  // expected-error @+1 {{'nb.conv': group-size 32 does not divide the reduction axis of its weight (18 elements)}}
  %y = nb.conv %x, %w : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

// An activation times an activation has no weight to quantize: it stays
// float, with a note (an error under strict).
// CHECK-LABEL: func.func @weight_not_constant
// CHECK: nb.matmul %arg0, %arg1 {nb.kept_float = "its weight is not a constant"}
func.func @weight_not_constant(%x: tensor<2x64xf32>, %w: tensor<64x4xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{'nb.matmul' stays float: its weight is not a constant}}
  %y = nb.matmul %x, %w : (tensor<2x64xf32>, tensor<64x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// MatMul by a vector: no output channel to scale.
// CHECK-LABEL: func.func @vector_weight
// CHECK: nb.matmul {{.+}} {nb.kept_float = "its right operand is not a matrix (rank < 2)"}
func.func @vector_weight(%x: tensor<2x64xf32>) -> tensor<2xf32> {
  %w = nb.constant dense<0.5> : tensor<64xf32>
  // expected-remark @+1 {{'nb.matmul' stays float: its right operand is not a matrix (rank < 2)}}
  %y = nb.matmul %x, %w : (tensor<2x64xf32>, tensor<64xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// NaN weights cannot be rounded: the op stays float with the reason.
// CHECK-LABEL: func.func @nan_weight
// CHECK: nb.gemm {{.+}} {nb.kept_float = "weight element 1 is NaN"
func.func @nan_weight(%x: tensor<1x32xf32>) -> tensor<1x2xf32> {
  %w = nb.constant dense<[[1.0, 0x7FC00000], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0], [1.0, 1.0], [2.0, 3.0]]> : tensor<32x2xf32>
  // expected-remark @+1 {{'nb.gemm' stays float: weight element 1 is NaN}}
  %y = nb.gemm %x, %w : (tensor<1x32xf32>, tensor<32x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Excluded op types stay float silently; so do ConvTranspose and ops the
// pass does not take.
// CHECK-LABEL: func.func @not_selected
// CHECK-NOT: quant.scast
// CHECK-NOT: nb.kept_float
// CHECK: return
func.func @not_selected(%x: tensor<1x4x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %w = nb.constant dense<0.5> : tensor<4x2x3x3xf32>
  %y = nb.conv_transpose %x, %w : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %y : tensor<1x2x5x5xf32>
}
