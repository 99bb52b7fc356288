// RUN: nibble-opt %s -split-input-file -nb-insert-qdq -verify-diagnostics | FileCheck %s
// RUN: nibble-opt %s -split-input-file -nb-insert-qdq="per-tensor-weights activation-type=i8 symmetric-activations" 2>/dev/null | FileCheck %s --check-prefix=SYM
// RUN: nibble-opt %s -split-input-file -nb-insert-qdq="exclude-nodes=conv.* exclude-op-types=MatMul" 2>/dev/null | FileCheck %s --check-prefix=EXCL
// RUN: nibble-opt %s -split-input-file -nb-insert-qdq="activation-type=f8e4m3 weight-type=f8e4m3" 2>/dev/null | FileCheck %s --check-prefix=FP8
// The output is already in lifted form: nb-lift-qdq-to-quant-types finds
// nothing to change, and it verifies.
// RUN: nibble-opt %s -split-input-file -nb-insert-qdq 2>/dev/null > %t.mlir
// RUN: nibble-opt %t.mlir -split-input-file -nb-lift-qdq-to-quant-types | diff - %t.mlir

// Conv: u8 asymmetric activations from nb.range / nb.calibrated_range,
// per-channel symmetric i8 weights ([-127, 127]), int32 bias with scale
// s_in * s_w per channel.
// CHECK-LABEL: func.func @conv
// CHECK: %[[XQ:.*]] = nb.quantize_linear %arg0, {{.*}} -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0039215688593685627>>
// CHECK: %[[XD:.*]] = nb.dequantize_linear %[[XQ]]
// CHECK: %[[W:.*]] = nb.constant dense<{{\[\[\[\[}}127]], {{\[\[}}-64]]], {{\[\[\[}}127]], {{\[\[}}16]]], {{\[\[\[}}-127]], {{\[\[}}0]]]]> : tensor<3x2x1x1xi8>
// CHECK: %[[WQ:.*]] = quant.scast %[[W]] : tensor<3x2x1x1xi8> to tensor<3x2x1x1x!quant.uniform<i8:f32:0, {0.0039370078593492508,0.0078740157186985015,0.015748031437397003}>>
// CHECK: %[[WD:.*]] = nb.dequantize_linear %[[WQ]], {{.*}} {axis = 0 : i64}
// CHECK: %[[B:.*]] = nb.constant dense<[6477, -6477, 4858]> : tensor<3xi32>
// CHECK: %[[BQ:.*]] = quant.scast %[[B]] : tensor<3xi32> to tensor<3x!quant.uniform<i32:f32:0, {1.5439247363246977E-5,3.0878494726493955E-5,6.1756989452987909E-5}>>
// CHECK: %[[BD:.*]] = nb.dequantize_linear %[[BQ]]
// CHECK: %[[Y:.*]] = nb.conv %[[XD]], %[[WD]], %[[BD]]
// CHECK: %[[YQ:.*]] = nb.quantize_linear %[[Y]], {{.*}} -> tensor<1x3x4x4x!quant.uniform<u8:f32, 0.013725490309298038:146>>
// CHECK: %[[YD:.*]] = nb.dequantize_linear %[[YQ]]
// CHECK: return %[[YD]]
// CHECK-NOT: tensor<3x2x1x1xf32> = nb.constant
// SYM-LABEL: func.func @conv
// SYM: nb.quantize_linear %arg0, {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078740157186985015>>
// SYM: quant.scast {{.*}} : tensor<3x2x1x1xi8> to tensor<3x2x1x1x!quant.uniform<i8:f32, 0.015748031437397003>>
// SYM: quant.scast {{.*}} : tensor<3xi32> to tensor<3x!quant.uniform<i32:f32, 1.2400024570524693E-4>>
// SYM: nb.quantize_linear {{.*}} -> tensor<1x3x4x4x!quant.uniform<i8:f32, 0.015748031437397003>>
// EXCL-LABEL: func.func @conv
// EXCL-NOT: quantize_linear
// EXCL: nb.conv {{.*}}nb.kept_float = "excluded"
// FP8-LABEL: func.func @conv
// FP8: nb.quantize_linear %arg0, {{.*}} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<f8E4M3FN>) -> tensor<1x2x4x4xf8E4M3FN>
// FP8: nb.constant dense<{{.*}}> : tensor<3x2x1x1xf8E4M3FN>
// FP8: nb.dequantize_linear {{.*}} {axis = 0 : i64} : (tensor<3x2x1x1xf8E4M3FN>, tensor<3xf32>, tensor<3xf8E4M3FN>) -> tensor<3x2x1x1xf32>
// FP8: nb.conv {{.*}}, {{.*}}, %{{.*}} {
// FP8-SAME: tensor<3xf32>) -> tensor<1x3x4x4xf32>
// FP8: nb.quantize_linear {{.*}} -> tensor<1x3x4x4xf8E4M3FN>
func.func @conv(%x: tensor<1x2x4x4xf32> {nb.range = array<f64: 0.0, 1.0>}) -> tensor<1x3x4x4xf32> {
  %w = nb.constant dense<[[[[0.5]], [[-0.25]]], [[[1.0]], [[0.125]]], [[[-2.0]], [[0.0]]]]> : tensor<3x2x1x1xf32> loc("w")
  %b = nb.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>
  %y = nb.conv %x, %w, %b {nb.calibrated_range = array<f64: -2.0, 1.5>} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32> loc("conv")
  return %y : tensor<1x3x4x4xf32>
}

// -----

// MatMul: the constant right operand per column (axis 1), no bias.
// CHECK-LABEL: func.func @matmul
// CHECK: nb.quantize_linear %arg0
// CHECK: quant.scast {{.*}} : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8:f32:1, {0.023622047156095505,0.0078740157186985015}>>
// CHECK: nb.dequantize_linear {{.*}} : (tensor<3x2x!quant.uniform<i8:f32:1,
// CHECK: nb.matmul
// CHECK: nb.quantize_linear {{.*}} -> tensor<2x2x!quant.uniform<u8:f32, 0.019607843831181526:102>>
// EXCL-LABEL: func.func @matmul
// EXCL-NOT: quantize_linear
// EXCL: nb.matmul {{.*}}nb.kept_float = "excluded"
func.func @matmul(%x: tensor<2x3xf32> {nb.range = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w = nb.constant dense<[[3.0, 1.0], [-1.0, 0.5], [2.0, -0.25]]> : tensor<3x2xf32>
  %y = nb.matmul %x, %w {nb.calibrated_range = array<f64: -2.0, 3.0>} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32> loc("mm")
  return %y : tensor<2x2xf32>
}

// -----

// Gemm with trans_b: weight channels along axis 0; its bias is int32.
// An activation times activation MatMul quantizes both operands.
// CHECK-LABEL: func.func @gemm
// CHECK: quant.scast {{.*}} : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0,
// CHECK: nb.dequantize_linear {{.*}} {axis = 0 : i64}
// CHECK: quant.scast {{.*}} : tensor<2xi32>
// CHECK: %[[G:.*]] = nb.gemm
// CHECK: %[[GQ:.*]] = nb.quantize_linear %[[G]]
// CHECK: %[[GD:.*]] = nb.dequantize_linear %[[GQ]]
// CHECK: nb.matmul %[[GD]], %[[GD]]
func.func @gemm(%x: tensor<2x3xf32> {nb.range = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w = nb.constant dense<[[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]]> : tensor<2x3xf32>
  %b = nb.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = nb.gemm %x, %w, %b {trans_b = true, nb.calibrated_range = array<f64: -4.0, 6.0>} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32> loc("fc")
  %z = nb.matmul %y, %y {nb.calibrated_range = array<f64: -20.0, 30.0>} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("sq")
  return %z : tensor<2x2xf32>
}

// -----

// Same-scale ops reuse their input's parameters: MaxPool and Flatten have
// no range of their own; the Relu between stays float and its output is
// quantized with its own range.
// CHECK-LABEL: func.func @same_scale
// CHECK: nb.conv
// CHECK: %[[R:.*]] = nb.relu
// CHECK: nb.quantize_linear %[[R]], {{.*}} -> tensor<1x1x4x4x!quant.uniform<u8:f32, 0.011764706112444401>>
// CHECK: nb.max_pool
// CHECK: nb.quantize_linear {{.*}} -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.011764706112444401>>
// CHECK: nb.flatten
// CHECK: nb.quantize_linear {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 0.011764706112444401>>
// CHECK-NOT: nb.kept_float
func.func @same_scale(%x: tensor<1x1x4x4xf32> {nb.range = array<f64: 0.0, 1.0>}) -> tensor<1x4xf32> {
  %w = nb.constant dense<2.0> : tensor<1x1x1x1xf32>
  %c = nb.conv %x, %w {nb.calibrated_range = array<f64: -1.0, 2.0>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32> loc("conv")
  %r = nb.relu %c {nb.calibrated_range = array<f64: 0.0, 3.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> loc("relu")
  %p = nb.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> loc("pool")
  %f = nb.flatten %p : (tensor<1x1x2x2xf32>) -> tensor<1x4xf32> loc("flat")
  return %f : tensor<1x4xf32>
}

// -----

// Add with a constant operand: the constant is quantized at compile time
// with parameters from its values.
// CHECK-LABEL: func.func @add_constant
// CHECK: nb.quantize_linear %arg0
// CHECK: quant.scast {{.*}} : tensor<2xi8> to tensor<2x!quant.uniform<u8:f32, 0.0078431377187371254>>
// CHECK: nb.add
// CHECK: nb.quantize_linear {{.*}} -> tensor<2x!quant.uniform<u8:f32, 0.011764706112444401:85>>
func.func @add_constant(%x: tensor<2xf32> {nb.range = array<f64: 0.0, 1.0>}) -> tensor<2xf32> {
  %c = nb.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %y = nb.add %x, %c {nb.calibrated_range = array<f64: -1.0, 2.0>} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> loc("add")
  return %y : tensor<2xf32>
}

// -----

// Without a range the op stays float with a note (an error under strict,
// see insert-qdq-invalid.mlir).
// CHECK-LABEL: func.func @no_range
// CHECK-NOT: quantize_linear
// CHECK: nb.matmul {{.*}}nb.kept_float = "no calibrated range for tensor 'mm_out'"
func.func @no_range(%x: tensor<2x3xf32> {nb.range = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w = nb.constant dense<1.0> : tensor<3x2xf32>
  // expected-remark @+1 {{'nb.matmul' stays float: no calibrated range for tensor 'mm_out'}}
  %y = nb.matmul %x, %w {nb.output_names = ["mm_out"]} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// An activation of unknown rank (a Reshape to a shape computed at run time,
// as PP-OCR's classifier feeds its last MatMul) has no integer lowering: the
// op stays float with a note instead of being skipped silently.
// CHECK-LABEL: func.func @unranked_activation
// CHECK-NOT: quantize_linear
// CHECK: nb.matmul {{.*}}nb.kept_float = "an operand or the result has unknown rank (shape inference could not rank it)"
func.func @unranked_activation(%x: tensor<*xf32>) -> tensor<*xf32> {
  %w = nb.constant dense<1.0> : tensor<3x2xf32>
  // expected-remark @+1 {{'nb.matmul' stays float: an operand or the result has unknown rank}}
  %y = nb.matmul %x, %w {nb.calibrated_range = array<f64: -3.0, 3.0>} : (tensor<*xf32>, tensor<3x2xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

