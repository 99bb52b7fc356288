// RUN: nibble-opt %s -split-input-file -nb-infer-shapes -allow-unregistered-dialect | FileCheck %s

// CHECK-LABEL: func.func @cnn
// CHECK-SAME: -> tensor<1x10xf32>
// CHECK: nb.conv {{.*}} -> tensor<1x4x8x8xf32>
// CHECK: nb.relu {{.*}} -> tensor<1x4x8x8xf32>
// CHECK: nb.max_pool {{.*}} -> tensor<1x4x4x4xf32>
// CHECK: nb.global_average_pool {{.*}} -> tensor<1x4x1x1xf32>
// CHECK: nb.flatten {{.*}} -> tensor<1x4xf32>
// CHECK: nb.gemm {{.*}} -> tensor<1x10xf32>
// CHECK: nb.softmax {{.*}} -> tensor<1x10xf32>
// CHECK: return {{.*}} : tensor<1x10xf32>
func.func @cnn(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %fc: tensor<10x4xf32>) -> tensor<*xf32> {
  %0 = nb.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  %1 = nb.relu %0 : (tensor<*xf32>) -> tensor<*xf32>
  %2 = nb.max_pool %1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<*xf32>) -> tensor<*xf32>
  %3 = nb.global_average_pool %2 : (tensor<*xf32>) -> tensor<*xf32>
  %4 = nb.flatten %3 : (tensor<*xf32>) -> tensor<?x?xf32>
  %5 = nb.gemm %4, %fc {trans_b = true} : (tensor<?x?xf32>, tensor<10x4xf32>) -> tensor<*xf32>
  %6 = nb.softmax %5 : (tensor<*xf32>) -> tensor<*xf32>
  return %6 : tensor<*xf32>
}

// -----

// Declared static dims are kept; the meet refines only what is open.
// CHECK-LABEL: func.func @meet
// CHECK: nb.add {{.*}} -> tensor<4x3xf32>
// CHECK: nb.matmul {{.*}} -> tensor<4x5xf32>
func.func @meet(%a: tensor<?x3xf32>, %b: tensor<4x1xf32>, %m: tensor<3x5xf32>) -> tensor<?x?xf32> {
  %0 = nb.add %a, %b : (tensor<?x3xf32>, tensor<4x1xf32>) -> tensor<?x3xf32>
  %1 = nb.matmul %0, %m : (tensor<?x3xf32>, tensor<3x5xf32>) -> tensor<*xf32>
  %2 = nb.relu %1 : (tensor<*xf32>) -> tensor<?x?xf32>
  return %2 : tensor<?x?xf32>
}

// -----

// Dynamic batch stays dynamic.
// CHECK-LABEL: func.func @dynamic_batch
// CHECK-SAME: -> tensor<?x8x3x3xf32>
// CHECK: nb.conv {{.*}} -> tensor<?x8x3x3xf32>
func.func @dynamic_batch(%x: tensor<?x3x7x7xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<*xf32> {
  %0 = nb.conv %x, %w {strides = array<i64: 2, 2>} : (tensor<?x3x7x7xf32>, tensor<8x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @shape_ops
// CHECK: nb.concat {{.*}} -> tensor<2x7xf32>
// CHECK: nb.reshape {{.*}} -> tensor<7x2xf32>
// CHECK: nb.transpose {{.*}} -> tensor<2x7xf32>
// CHECK: nb.unsqueeze {{.*}} -> tensor<1x2x1x7xf32>
// CHECK: nb.squeeze {{.*}} -> tensor<2x1x7xf32>
// CHECK: nb.squeeze {{.*}} -> tensor<2x7xf32>
// CHECK: nb.expand {{.*}} -> tensor<3x2x7xf32>
// CHECK: nb.shape {{.*}} -> tensor<3xi64>
// CHECK: nb.gather {{.*}} -> tensor<3x2x7xf32>
// CHECK: nb.slice {{.*}} -> tensor<3x1x7xf32>
// CHECK: nb.split {{.*}} -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x1xf32>)
// CHECK: nb.split {{.*}} -> (tensor<2x2xf32>, tensor<2x5xf32>)
// CHECK: nb.pad {{.*}} -> tensor<4x4xf32>
// CHECK: nb.reduce_mean {{.*}} -> tensor<2x1xf32>
// CHECK: nb.reduce_mean {{.*}} -> tensor<f32>
func.func @shape_ops(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  %0 = nb.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<*xf32>
  %s = nb.constant dense<[-1, 2]> : tensor<2xi64>
  %1 = nb.reshape %0, %s : (tensor<*xf32>, tensor<2xi64>) -> tensor<*xf32>
  %2 = nb.transpose %1 {perm = array<i64: 1, 0>} : (tensor<*xf32>) -> tensor<*xf32>
  %ax = nb.constant dense<[0, 2]> : tensor<2xi64>
  %3 = nb.unsqueeze %2, %ax : (tensor<*xf32>, tensor<2xi64>) -> tensor<*xf32>
  %ax0 = nb.constant dense<[0]> : tensor<1xi64>
  %4 = nb.squeeze %3, %ax0 : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %5 = nb.squeeze %4 : (tensor<*xf32>) -> tensor<*xf32>
  %es = nb.constant dense<[3, 1, 1]> : tensor<3xi64>
  %6 = nb.expand %5, %es : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  %7 = nb.shape %6 : (tensor<*xf32>) -> tensor<?xi64>
  %i = nb.constant dense<[0, 1]> : tensor<2xi64>
  %8 = nb.gather %6, %i {axis = 1 : i64} : (tensor<*xf32>, tensor<2xi64>) -> tensor<*xf32>
  %st = nb.constant dense<[1]> : tensor<1xi64>
  %en = nb.constant dense<[2]> : tensor<1xi64>
  %ax1 = nb.constant dense<[1]> : tensor<1xi64>
  %9 = nb.slice %6, %st, %en, %ax1 {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %10:3 = nb.split %0 {axis = 1 : i64} : (tensor<*xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  %sz = nb.constant dense<[2, 5]> : tensor<2xi64>
  %11:2 = nb.split %0, %sz {axis = 1 : i64} : (tensor<*xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  %p = nb.constant dense<[1, 0, 1, 1]> : tensor<4xi64>
  %12 = nb.pad %a, %p {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<*xf32>
  %13 = nb.reduce_mean %a, %ax1 : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  %14 = nb.reduce_mean %a {keepdims = false} : (tensor<2x3xf32>) -> tensor<*xf32>
  return
}

// -----

// CHECK-LABEL: func.func @generators
// CHECK: nb.constant_of_shape {{.*}} -> tensor<2x3xf32>
// CHECK: nb.range {{.*}} -> tensor<4xi64>
// CHECK: nb.resize {{.*}} -> tensor<1x1x4x6xf32>
// CHECK: nb.resize {{.*}} -> tensor<1x1x5x5xf32>
// CHECK: nb.trilu {{.*}} -> tensor<3x3xf32>
// CHECK: nb.cast {{.*}} -> tensor<1x1x2x3xf16>
func.func @generators(%img: tensor<1x1x2x3xf32>, %sq: tensor<3x3xf32>) {
  %shape = nb.constant dense<[2, 3]> : tensor<2xi64>
  %0 = nb.constant_of_shape %shape {value = dense<0.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<*xf32>
  %s = nb.constant dense<1> : tensor<i64>
  %l = nb.constant dense<9> : tensor<i64>
  %d = nb.constant dense<2> : tensor<i64>
  %1 = nb.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %scales = nb.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %2 = nb.resize %img, %scales {operandSegmentSizes = array<i32: 1, 0, 1, 0>} : (tensor<1x1x2x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  %sizes = nb.constant dense<[5, 5]> : tensor<2xi64>
  %3 = nb.resize %img, %sizes {axes = array<i64: 2, 3>, operandSegmentSizes = array<i32: 1, 0, 0, 1>} : (tensor<1x1x2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  %4 = nb.trilu %sq : (tensor<3x3xf32>) -> tensor<*xf32>
  %5 = nb.cast %img : (tensor<1x1x2x3xf32>) -> tensor<*xf16>
  return
}

// -----

// CHECK-LABEL: func.func @quantization
// CHECK: nb.quantize_linear {{.*}} -> tensor<2x4xi8>
// CHECK: nb.dequantize_linear {{.*}} -> tensor<2x4xf32>
// CHECK: nb.dynamic_quantize_linear {{.*}} -> (tensor<2x4xui8>, tensor<f32>, tensor<ui8>)
// CHECK: nb.matmul_integer {{.*}} -> tensor<2x3xi32>
// CHECK: nb.layer_norm {{.*}} -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
func.func @quantization(%x: tensor<2x4xf32>, %w: tensor<4x3xui8>, %g: tensor<4xf32>) {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<0> : tensor<i8>
  %0 = nb.quantize_linear %x, %s, %z : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<*xi8>
  %1 = nb.dequantize_linear %0, %s, %z : (tensor<*xi8>, tensor<f32>, tensor<i8>) -> tensor<*xf32>
  %2:3 = nb.dynamic_quantize_linear %1 : (tensor<*xf32>) -> (tensor<*xui8>, tensor<*xf32>, tensor<*xui8>)
  %3 = nb.matmul_integer %2#0, %w {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<*xui8>, tensor<4x3xui8>) -> tensor<*xi32>
  %4:3 = nb.layer_norm %x, %g {resultSegmentSizes = array<i32: 1, 1, 1>} : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

// Quantized results keep their declared element type; only the shape is refined.
// CHECK-LABEL: func.func @quantized_conv
// CHECK: nb.conv {{.*}} -> tensor<1x2x2x2x!quant.uniform<u8:f32, 1.000000e-01:3>>
func.func @quantized_conv(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:3>>, %w: tensor<2x2x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) {
  %0 = nb.conv %x, %w : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:3>>, tensor<2x2x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) -> tensor<*x!quant.uniform<u8:f32, 0.1:3>>
  return
}

// -----

// Users outside nb keep the old type through tensor.cast; non-constant shape
// operands leave dims open.
// CHECK-LABEL: func.func @foreign_users
// CHECK: %[[R:.*]] = nb.relu {{.*}} -> tensor<4xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<4xf32> to tensor<*xf32>
// CHECK: "test.use"(%[[C]])
// CHECK: nb.reshape {{.*}} -> tensor<?x?xf32>
func.func @foreign_users(%x: tensor<4xf32>, %s: tensor<2xi64>) {
  %0 = nb.relu %x : (tensor<4xf32>) -> tensor<*xf32>
  "test.use"(%0) : (tensor<*xf32>) -> ()
  %1 = nb.reshape %0, %s : (tensor<*xf32>, tensor<2xi64>) -> tensor<*xf32>
  return
}

// -----

// A called function keeps its signature; its return gets a cast.
// CHECK-LABEL: func.func @callee
// CHECK-SAME: -> tensor<*xf32>
// CHECK: %[[R:.*]] = nb.relu {{.*}} -> tensor<4xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<4xf32> to tensor<*xf32>
// CHECK: return %[[C]]
func.func @callee(%x: tensor<4xf32>) -> tensor<*xf32> {
  %0 = nb.relu %x : (tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
func.func @caller(%x: tensor<4xf32>) -> tensor<*xf32> {
  %0 = func.call @callee(%x) : (tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
