// RUN: nibble-opt %s -split-input-file | nibble-opt -split-input-file | FileCheck %s
// RUN: nibble-opt %s -split-input-file -mlir-print-op-generic | nibble-opt -split-input-file | FileCheck %s

// Round trip of every nb op, in the pretty and the generic form.

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<2x3xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  // CHECK: nb.relu %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = nb.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.sigmoid
  %1 = nb.sigmoid %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.tanh
  %2 = nb.tanh %1 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.erf
  %3 = nb.erf %2 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.sqrt
  %4 = nb.sqrt %3 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.neg
  %5 = nb.neg %4 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.sin
  %6 = nb.sin %5 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.cos
  %7 = nb.cos %6 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.exp
  %8 = nb.exp %7 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.log
  %9 = nb.log %8 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.abs
  %10 = nb.abs %9 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.reciprocal
  %11 = nb.reciprocal %10 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.hard_swish
  %12 = nb.hard_swish %11 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f32}
  %13 = nb.leaky_relu %12 {alpha = 0.2 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.hard_sigmoid
  %14 = nb.hard_sigmoid %13 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.gelu %{{.*}} {approximate = #nb<gelu_approximation tanh>}
  %15 = nb.gelu %14 {approximate = #nb<gelu_approximation tanh>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %lo = nb.constant dense<0.0> : tensor<f32>
  // CHECK: nb.clip
  %16 = nb.clip %15, %lo {operandSegmentSizes = array<i32: 1, 1, 0>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: nb.cast %{{.*}} : (tensor<2x3xi64>) -> tensor<2x3xf32>
  %17 = nb.cast %i : (tensor<2x3xi64>) -> tensor<2x3xf32>
  // CHECK: nb.add
  %18 = nb.add %16, %17 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.sub
  %19 = nb.sub %18, %lo : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: nb.mul
  %20 = nb.mul %19, %19 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.div
  %21 = nb.div %20, %19 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nb.pow
  %22 = nb.pow %21, %lo : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: nb.equal {{.*}} -> tensor<2x3xi1>
  %23 = nb.equal %22, %21 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: nb.where
  %24 = nb.where %23, %22, %lo : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %24 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @conv_norm_pool
func.func @conv_norm_pool(%x: tensor<1x4x8x8xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>,
                          %tw: tensor<4x2x3x3xf32>, %c: tensor<4xf32>) {
  // CHECK: nb.conv {{.*}} {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>}
  %0 = nb.conv %x, %w, %b {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: nb.conv_transpose {{.*}} {strides = array<i64: 2, 2>}
  %1 = nb.conv_transpose %x, %tw {strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x17x17xf32>
  // CHECK: nb.batch_norm
  %2 = nb.batch_norm %x, %c, %c, %c, %c : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: nb.layer_norm {{.*}} -> (tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>, tensor<1x4x8x1xf32>)
  %3:3 = nb.layer_norm %x, %c {resultSegmentSizes = array<i32: 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>, tensor<1x4x8x1xf32>)
  // CHECK: nb.simplified_layer_norm
  %4 = nb.simplified_layer_norm %x, %c : (tensor<1x4x8x8xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: nb.max_pool {{.*}} -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xi64>)
  %5:2 = nb.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xi64>)
  // CHECK: nb.average_pool
  %6 = nb.average_pool %x {kernel_shape = array<i64: 3, 3>, auto_pad = #nb<auto_pad same_upper>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: nb.global_average_pool
  %7 = nb.global_average_pool %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: nb.softmax {{.*}} {axis = 1 : i64}
  %8 = nb.softmax %x {axis = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %axes = nb.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: nb.reduce_mean
  %9 = nb.reduce_mean %x, %axes : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x4x1x1xf32>
  return
}

// -----

// CHECK-LABEL: func.func @linalg
func.func @linalg(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %m: tensor<3x4xf32>, %c: tensor<3xf32>) {
  // CHECK: nb.matmul {{.*}} -> tensor<2x3x5xf32>
  %0 = nb.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: nb.gemm {{.*}} {alpha = 5.000000e-01 : f32, trans_b = true}
  %1 = nb.gemm %m, %m, %c {alpha = 0.5 : f32, trans_b = true} : (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>, %d: tensor<?x3xf32>) {
  // CHECK: nb.concat {{.*}} {axis = 0 : i64}
  %0 = nb.concat %x, %x {axis = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
  // CHECK: nb.flatten
  %1 = nb.flatten %x : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %shape = nb.constant dense<[6, -1]> : tensor<2xi64>
  // CHECK: nb.reshape
  %2 = nb.reshape %x, %shape : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  // CHECK: nb.transpose {{.*}} {perm = array<i64: 2, 0, 1>}
  %3 = nb.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %axes = nb.constant dense<[0]> : tensor<1xi64>
  // CHECK: nb.unsqueeze
  %4 = nb.unsqueeze %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<1x2x3x4xf32>
  // CHECK: nb.squeeze
  %5 = nb.squeeze %4, %axes : (tensor<1x2x3x4xf32>, tensor<1xi64>) -> tensor<2x3x4xf32>
  %eshape = nb.constant dense<[5, 2, 3, 4]> : tensor<4xi64>
  // CHECK: nb.expand
  %6 = nb.expand %x, %eshape : (tensor<2x3x4xf32>, tensor<4xi64>) -> tensor<5x2x3x4xf32>
  // CHECK: nb.shape {{.*}} {end = 2 : i64, start = 1 : i64}
  %7 = nb.shape %x {start = 1 : i64, end = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<1xi64>
  %idx = nb.constant dense<1> : tensor<i64>
  // CHECK: nb.gather {{.*}} {axis = 1 : i64}
  %8 = nb.gather %x, %idx {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<i64>) -> tensor<2x4xf32>
  %st = nb.constant dense<[1]> : tensor<1xi64>
  %en = nb.constant dense<[3]> : tensor<1xi64>
  // CHECK: nb.slice
  %9 = nb.slice %x, %st, %en, %axes {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>} : (tensor<2x3x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x3x4xf32>
  // CHECK: nb.split {{.*}} {axis = 2 : i64}
  %10:2 = nb.split %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> (tensor<2x3x2xf32>, tensor<2x3x2xf32>)
  %pads = nb.constant dense<[0, 1, 0, 0, 1, 0]> : tensor<6xi64>
  // CHECK: nb.pad {{.*}} {mode = #nb<pad_mode reflect>
  %11 = nb.pad %x, %pads {mode = #nb<pad_mode reflect>, operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<2x3x4xf32>, tensor<6xi64>) -> tensor<2x5x4xf32>
  %scales = nb.constant dense<[1.0, 1.0, 2.0]> : tensor<3xf32>
  // CHECK: nb.resize {{.*}} {mode = #nb<resize_mode linear>
  %12 = nb.resize %x, %scales {mode = #nb<resize_mode linear>, operandSegmentSizes = array<i32: 1, 0, 1, 0>} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x8xf32>
  %s = nb.constant dense<0> : tensor<i64>
  %l = nb.constant dense<5> : tensor<i64>
  %one = nb.constant dense<1> : tensor<i64>
  // CHECK: nb.range
  %13 = nb.range %s, %l, %one : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<5xi64>
  // CHECK: nb.constant_of_shape {{.*}} {value = dense<1.000000e+00> : tensor<1xf32>}
  %14 = nb.constant_of_shape %eshape {value = dense<1.0> : tensor<1xf32>} : (tensor<4xi64>) -> tensor<5x2x3x4xf32>
  // CHECK: nb.trilu {{.*}} {upper = false}
  %15 = nb.trilu %x {upper = false} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nb.opaque "Custom"
  %16 = nb.opaque "Custom"(%x) {domain = "com.example", version = 1 : i64, onnx_attributes = {}} : (tensor<2x3x4xf32>) -> tensor<*xf32>
  // Dynamic and unranked operands are accepted wherever the checks cannot decide.
  // CHECK: nb.matmul {{.*}} -> tensor<*xf32>
  %17 = nb.matmul %d, %d : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<*xf32>
  return
}

// -----

// CHECK-LABEL: func.func @quantization
func.func @quantization(%x: tensor<2x4xf32>, %q: tensor<2x4xi8>, %u: tensor<2x4xui8>, %w: tensor<4x3xi8>) {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<3> : tensor<i8>
  %zu = nb.constant dense<3> : tensor<ui8>
  %sa = nb.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %za = nb.constant dense<[0, 1]> : tensor<2xi8>
  // CHECK: nb.quantize_linear {{.*}} -> tensor<2x4xi8>
  %0 = nb.quantize_linear %x, %s, %z : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4xi8>
  // CHECK: nb.quantize_linear {{.*}} -> tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:3>>
  %1 = nb.quantize_linear %x, %s, %z : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:3>>
  // CHECK: nb.quantize_linear {{.*}} -> tensor<2x4x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01:1}>>
  %2 = nb.quantize_linear %x, %sa, %za {axis = 0 : i64} : (tensor<2x4xf32>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.25:1}>>
  // CHECK: nb.dequantize_linear {{.*}} -> tensor<2x4xf32>
  %3 = nb.dequantize_linear %q, %s, %z : (tensor<2x4xi8>, tensor<f32>, tensor<i8>) -> tensor<2x4xf32>
  // CHECK: nb.dequantize_linear {{.*}} (tensor<2x4x!quant.uniform<u8:f32, 5.000000e-01:3>>, tensor<f32>, tensor<ui8>)
  %uq = quant.scast %q : tensor<2x4xi8> to tensor<2x4x!quant.uniform<u8:f32, 0.5:3>>
  %4 = nb.dequantize_linear %uq, %s, %zu : (tensor<2x4x!quant.uniform<u8:f32, 0.5:3>>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  // CHECK: nb.dynamic_quantize_linear {{.*}} -> (tensor<2x4xui8>, tensor<f32>, tensor<ui8>)
  %5:3 = nb.dynamic_quantize_linear %x : (tensor<2x4xf32>) -> (tensor<2x4xui8>, tensor<f32>, tensor<ui8>)
  // CHECK: nb.matmul_integer {{.*}} -> tensor<2x3xi32>
  %6 = nb.matmul_integer %q, %w, %z, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1>} : (tensor<2x4xi8>, tensor<4x3xi8>, tensor<i8>, tensor<i8>) -> tensor<2x3xi32>
  // CHECK: nb.qlinear_matmul {{.*}} -> tensor<2x3xui8>
  %7 = nb.qlinear_matmul %q, %s, %z, %w, %s, %z, %s, %zu : (tensor<2x4xi8>, tensor<f32>, tensor<i8>, tensor<4x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return
}

// -----

// CHECK-LABEL: func.func @integer_conv
func.func @integer_conv(%x: tensor<1x2x5x5xui8>, %w: tensor<4x2x3x3xi8>, %b: tensor<4xi32>) {
  %s = nb.constant dense<0.5> : tensor<f32>
  %zu = nb.constant dense<3> : tensor<ui8>
  %z = nb.constant dense<0> : tensor<i8>
  // CHECK: nb.conv_integer {{.*}} -> tensor<1x4x3x3xi32>
  %0 = nb.conv_integer %x, %w, %zu {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<1x2x5x5xui8>, tensor<4x2x3x3xi8>, tensor<ui8>) -> tensor<1x4x3x3xi32>
  // CHECK: nb.qlinear_conv {{.*}} -> tensor<1x4x5x5xui8>
  %1 = nb.qlinear_conv %x, %s, %zu, %w, %s, %z, %s, %zu, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xui8>, tensor<f32>, tensor<ui8>, tensor<4x2x3x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>, tensor<4xi32>) -> tensor<1x4x5x5xui8>
  return
}

// -----

// Quantized element types on float ops: per-tensor activations, per-axis
// and sub-channel weights.
// CHECK-LABEL: func.func @quantized_ops
func.func @quantized_ops(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:128>>,
                         %w: tensor<4x2x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>,
                         %m: tensor<4x8x!quant.uniform<i8:f32:{1:4}, {{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}}>>,
                         %a: tensor<2x4x!quant.uniform<u8:f32, 0.1:128>>) {
  // CHECK: nb.conv {{.*}} -> tensor<1x4x2x2x!quant.uniform<u8:f32, 2.000000e-01:120>>
  %0 = nb.conv %x, %w : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<4x2x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>) -> tensor<1x4x2x2x!quant.uniform<u8:f32, 0.2:120>>
  // CHECK: nb.relu {{.*}} -> tensor<1x4x2x2x!quant.uniform<u8:f32, 2.000000e-01:120>>
  %1 = nb.relu %0 : (tensor<1x4x2x2x!quant.uniform<u8:f32, 0.2:120>>) -> tensor<1x4x2x2x!quant.uniform<u8:f32, 0.2:120>>
  // CHECK: nb.matmul {{.*}} -> tensor<2x8xf32>
  %2 = nb.matmul %a, %m : (tensor<2x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<4x8x!quant.uniform<i8:f32:{1:4}, {{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}}>>) -> tensor<2x8xf32>
  // CHECK: nb.add
  %3 = nb.add %a, %a : (tensor<2x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<2x4x!quant.uniform<u8:f32, 0.2:128>>
  // CHECK: nb.max_pool
  %4 = nb.max_pool %x {kernel_shape = array<i64: 2, 2>} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x2x3x3x!quant.uniform<u8:f32, 0.1:128>>
  // CHECK: nb.transpose
  %5 = nb.transpose %w {perm = array<i64: 1, 0, 2, 3>} : (tensor<4x2x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>) -> tensor<2x4x3x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3, 0.4}>>
  %shape = nb.constant dense<[8]> : tensor<1xi64>
  // CHECK: nb.reshape
  %6 = nb.reshape %a, %shape : (tensor<2x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<1xi64>) -> tensor<8x!quant.uniform<u8:f32, 0.1:128>>
  // CHECK: nb.concat
  %7 = nb.concat %a, %a {axis = 1 : i64} : (tensor<2x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<2x8x!quant.uniform<u8:f32, 0.1:128>>
  return
}

// -----

// CHECK-LABEL: func.func @constant_and_unranked
func.func @constant_and_unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // CHECK: nb.constant dense<1.000000e+00> : tensor<2xf32>
  %c = nb.constant dense<1.0> : tensor<2xf32>
  // CHECK: nb.add {{.*}} -> tensor<*xf32>
  %0 = nb.add %x, %c : (tensor<*xf32>, tensor<2xf32>) -> tensor<*xf32>
  // CHECK: nb.conv {{.*}} -> tensor<*xf32>
  %1 = nb.conv %0, %0 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

// MaxPool-12 takes 8-bit integers.
// CHECK-LABEL: func.func @max_pool_uint8
// CHECK: nb.max_pool {{.*}} -> tensor<1x1x2x2xui8>
func.func @max_pool_uint8(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8> {
  %0 = nb.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}
