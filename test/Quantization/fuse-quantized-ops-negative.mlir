// RUN: nibble-opt %s --nb-fuse-quantized-ops --split-input-file | FileCheck %s
// What does not match stays in q/dq form.

// The float result of the contraction has another user: fusing would have
// to keep the float product as well, so the chain stays.
// CHECK-LABEL: func.func @contraction_with_float_user
// CHECK: %[[M:.+]] = nb.matmul %{{.+}}, %{{.+}} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
// CHECK: nb.quantize_linear %[[M]]
// CHECK: nb.relu %[[M]]
func.func @contraction_with_float_user(%xq: tensor<2x4x!quant.uniform<u8:f32, 0.5:10>>) -> (tensor<2x3x!quant.uniform<u8:f32, 1.0>>, tensor<2x3xf32>) {
  %xs = nb.constant dense<0.5> : tensor<f32>
  %xz = nb.constant dense<10> : tensor<ui8>
  %w = nb.constant dense<1> : tensor<4x3xi8>
  %ws = nb.constant dense<0.25> : tensor<f32>
  %wz = nb.constant dense<0> : tensor<i8>
  %ys = nb.constant dense<1.0> : tensor<f32>
  %yz = nb.constant dense<0> : tensor<ui8>
  %x = nb.dequantize_linear %xq, %xs, %xz : (tensor<2x4x!quant.uniform<u8:f32, 0.5:10>>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %wq = quant.scast %w : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32, 0.25>>
  %wf = nb.dequantize_linear %wq, %ws, %wz : (tensor<4x3x!quant.uniform<i8:f32, 0.25>>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %m = nb.matmul %x, %wf : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %mq = nb.quantize_linear %m, %ys, %yz : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3x!quant.uniform<u8:f32, 1.0>>
  %r = nb.relu %m : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %mq, %r : tensor<2x3x!quant.uniform<u8:f32, 1.0>>, tensor<2x3xf32>
}

// -----

// Mismatched types: a bias whose scale is not x_scale * w_scale.
// CHECK-LABEL: func.func @bias_scale_mismatch
// CHECK: nb.gemm %{{.+}}, %{{.+}}, %{{.+}} : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: nb.quantize_linear
func.func @bias_scale_mismatch(%xq: tensor<2x4x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<2x3x!quant.uniform<u8:f32, 1.0>> {
  %xs = nb.constant dense<0.5> : tensor<f32>
  %xz = nb.constant dense<10> : tensor<ui8>
  %w = nb.constant dense<1> : tensor<4x3xi8>
  %ws = nb.constant dense<0.25> : tensor<f32>
  %wz = nb.constant dense<0> : tensor<i8>
  %b = nb.constant dense<5> : tensor<3xi32>
  %bs = nb.constant dense<0.5> : tensor<f32>
  %bz = nb.constant dense<0> : tensor<i32>
  %ys = nb.constant dense<1.0> : tensor<f32>
  %yz = nb.constant dense<0> : tensor<ui8>
  %x = nb.dequantize_linear %xq, %xs, %xz : (tensor<2x4x!quant.uniform<u8:f32, 0.5:10>>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %wq = quant.scast %w : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32, 0.25>>
  %wf = nb.dequantize_linear %wq, %ws, %wz : (tensor<4x3x!quant.uniform<i8:f32, 0.25>>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %bq = quant.scast %b : tensor<3xi32> to tensor<3x!quant.uniform<i32:f32, 0.5>>
  %bf = nb.dequantize_linear %bq, %bs, %bz : (tensor<3x!quant.uniform<i32:f32, 0.5>>, tensor<f32>, tensor<i32>) -> tensor<3xf32>
  %g = nb.gemm %x, %wf, %bf : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %gq = nb.quantize_linear %g, %ys, %yz : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3x!quant.uniform<u8:f32, 1.0>>
  return %gq : tensor<2x3x!quant.uniform<u8:f32, 1.0>>
}

// -----

// Non-constant parameters: the Q/DQ ops are in ONNX form, nothing fuses.
// CHECK-LABEL: func.func @runtime_scale
// CHECK: nb.dequantize_linear
// CHECK: nb.reshape %{{.+}}, %{{.+}} : (tensor<2x2xf32>, tensor<1xi64>) -> tensor<4xf32>
// CHECK: nb.quantize_linear
func.func @runtime_scale(%xq: tensor<2x2xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xui8> {
  %shape = nb.constant dense<[4]> : tensor<1xi64>
  %x = nb.dequantize_linear %xq, %s, %z : (tensor<2x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x2xf32>
  %r = nb.reshape %x, %shape : (tensor<2x2xf32>, tensor<1xi64>) -> tensor<4xf32>
  %rq = nb.quantize_linear %r, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %rq : tensor<4xui8>
}

// -----

// 16-bit activations have no integer conv lowering: the chain stays.
// CHECK-LABEL: func.func @sixteen_bit_activation
// CHECK: nb.matmul %{{.+}}, %{{.+}} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
func.func @sixteen_bit_activation(%xq: tensor<2x4x!quant.uniform<i16:f32, 0.5>>) -> tensor<2x3x!quant.uniform<i16:f32, 1.0>> {
  %xs = nb.constant dense<0.5> : tensor<f32>
  %xz = nb.constant dense<0> : tensor<i16>
  %w = nb.constant dense<1> : tensor<4x3xi8>
  %ws = nb.constant dense<0.25> : tensor<f32>
  %wz = nb.constant dense<0> : tensor<i8>
  %ys = nb.constant dense<1.0> : tensor<f32>
  %x = nb.dequantize_linear %xq, %xs, %xz : (tensor<2x4x!quant.uniform<i16:f32, 0.5>>, tensor<f32>, tensor<i16>) -> tensor<2x4xf32>
  %wq = quant.scast %w : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32, 0.25>>
  %wf = nb.dequantize_linear %wq, %ws, %wz : (tensor<4x3x!quant.uniform<i8:f32, 0.25>>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %m = nb.matmul %x, %wf : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %mq = nb.quantize_linear %m, %ys, %xz : (tensor<2x3xf32>, tensor<f32>, tensor<i16>) -> tensor<2x3x!quant.uniform<i16:f32, 1.0>>
  return %mq : tensor<2x3x!quant.uniform<i16:f32, 1.0>>
}

// -----

// A weight in ONNX form (integer constant and constant parameters, not yet
// lifted by nb-lift-qdq-to-quant-types) has no quant type: the chain stays.
// CHECK-LABEL: func.func @unlifted_weight
// CHECK: nb.gemm %{{.+}}, %{{.+}} {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
// CHECK: nb.quantize_linear
func.func @unlifted_weight(%aq: tensor<2x4x!quant.uniform<i8:f32, 0.5:-1>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  %as = nb.constant dense<0.5> : tensor<f32>
  %az = nb.constant dense<-1> : tensor<i8>
  %w = nb.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8], [9, -6, -5, -4]]> : tensor<3x4xi8>
  %ws = nb.constant dense<0.25> : tensor<f32>
  %wz = nb.constant dense<0> : tensor<i8>
  %ys = nb.constant dense<1.0> : tensor<f32>
  %yz = nb.constant dense<0> : tensor<i8>
  %a = nb.dequantize_linear %aq, %as, %az : (tensor<2x4x!quant.uniform<i8:f32, 0.5:-1>>, tensor<f32>, tensor<i8>) -> tensor<2x4xf32>
  %wf = nb.dequantize_linear %w, %ws, %wz : (tensor<3x4xi8>, tensor<f32>, tensor<i8>) -> tensor<3x4xf32>
  %g = nb.gemm %a, %wf {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %yq = nb.quantize_linear %g, %ys, %yz : (tensor<2x3xf32>, tensor<f32>, tensor<i8>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %yq : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}
