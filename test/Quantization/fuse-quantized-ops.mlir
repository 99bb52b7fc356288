// RUN: nibble-opt %s --nb-fuse-quantized-ops --split-input-file | FileCheck %s

!x = !quant.uniform<u8:f32, 0.5:10>
!w = !quant.uniform<i8:f32:0, {0.25, 0.125}>
!b = !quant.uniform<i32:f32:0, {0.125, 0.0625}>
!y = !quant.uniform<u8:f32, 2.0:3>

// dq -> conv -> q becomes nb.conv on quant types (bias int32 with scale
// x_scale * w_scale); the q/dq ops and the float conv go away.
// CHECK-LABEL: func.func @conv
// CHECK: %[[W:.+]] = quant.scast %{{.+}} : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>
// CHECK: %[[B:.+]] = quant.scast %{{.+}} : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {1.250000e-01,6.250000e-02}>>
// CHECK: %[[Y:.+]] = nb.conv %{{.+}}, %[[W]], %[[B]] {{.*}} -> tensor<1x2x2x2x!quant.uniform<u8:f32, 2.000000e+00:3>>
// CHECK-NOT: nb.quantize_linear
// CHECK-NOT: nb.dequantize_linear
// CHECK: return %[[Y]]
func.func @conv(%xq: tensor<1x1x2x2x!x>) -> tensor<1x2x2x2x!y> {
  %xs = nb.constant dense<0.5> : tensor<f32>
  %xz = nb.constant dense<10> : tensor<ui8>
  %w = nb.constant dense<[[[[3]]], [[[-5]]]]> : tensor<2x1x1x1xi8>
  %ws = nb.constant dense<[0.25, 0.125]> : tensor<2xf32>
  %wz = nb.constant dense<0> : tensor<2xi8>
  %b = nb.constant dense<[7, -9]> : tensor<2xi32>
  %bs = nb.constant dense<[0.125, 0.0625]> : tensor<2xf32>
  %bz = nb.constant dense<0> : tensor<2xi32>
  %ys = nb.constant dense<2.0> : tensor<f32>
  %yz = nb.constant dense<3> : tensor<ui8>
  %x = nb.dequantize_linear %xq, %xs, %xz : (tensor<1x1x2x2x!x>, tensor<f32>, tensor<ui8>) -> tensor<1x1x2x2xf32>
  %wq = quant.scast %w : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!w>
  %wf = nb.dequantize_linear %wq, %ws, %wz {axis = 0 : i64} : (tensor<2x1x1x1x!w>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x1x1x1xf32>
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!b>
  %bf = nb.dequantize_linear %bq, %bs, %bz {axis = 0 : i64} : (tensor<2x!b>, tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
  %c = nb.conv %x, %wf, %bf : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %yq = nb.quantize_linear %c, %ys, %yz : (tensor<1x2x2x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2x!y>
  return %yq : tensor<1x2x2x2x!y>
}

// -----

// A dense_resource weight (the importer's form of ONNX initializers), as
// nb-lift-qdq-to-quant-types lifts it: quant.scast of the blob constant.
// CHECK-LABEL: func.func @gemm_resource_weight
// CHECK: %[[R:.+]] = nb.constant dense_resource<weight> : tensor<3x4xi8>
// CHECK: %[[W:.+]] = quant.scast %[[R]] : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32, 2.500000e-01>>
// CHECK: nb.gemm %{{.+}}, %[[W]] {trans_b = true} : (tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-1>>, tensor<3x4x!quant.uniform<i8:f32, 2.500000e-01>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e+00>>
func.func @gemm_resource_weight(%aq: tensor<2x4x!quant.uniform<i8:f32, 0.5:-1>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  %as = nb.constant dense<0.5> : tensor<f32>
  %az = nb.constant dense<-1> : tensor<i8>
  %w = nb.constant dense_resource<weight> : tensor<3x4xi8>
  %ws = nb.constant dense<0.25> : tensor<f32>
  %wz = nb.constant dense<0> : tensor<i8>
  %ys = nb.constant dense<1.0> : tensor<f32>
  %yz = nb.constant dense<0> : tensor<i8>
  %a = nb.dequantize_linear %aq, %as, %az : (tensor<2x4x!quant.uniform<i8:f32, 0.5:-1>>, tensor<f32>, tensor<i8>) -> tensor<2x4xf32>
  %wq = quant.scast %w : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32, 0.25>>
  %wf = nb.dequantize_linear %wq, %ws, %wz : (tensor<3x4x!quant.uniform<i8:f32, 0.25>>, tensor<f32>, tensor<i8>) -> tensor<3x4xf32>
  %g = nb.gemm %a, %wf {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %yq = nb.quantize_linear %g, %ys, %yz : (tensor<2x3xf32>, tensor<f32>, tensor<i8>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %yq : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}

{-#
  dialect_resources: {
    builtin: {
      weight: "0x01000000010203040506070809FAFBFC"
    }
  }
#-}

// -----

// Same-scale ops move their input's type; a quantize with other
// parameters becomes a requantization after the moved op.
// CHECK-LABEL: func.func @same_scale
// CHECK: %[[P:.+]] = nb.max_pool %{{.+}} : (tensor<1x1x4x4x!quant.uniform<u8:f32, 5.000000e-01:10>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 5.000000e-01:10>>
// CHECK: %[[F:.+]] = nb.flatten %[[P]] {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 5.000000e-01:10>>
// CHECK: %[[D:.+]] = nb.dequantize_linear %[[F]]
// CHECK: %[[R:.+]] = nb.quantize_linear %[[D]], {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 2.500000e-01:10>>
// CHECK: return %[[R]]
func.func @same_scale(%xq: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.25:10>> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %s2 = nb.constant dense<0.25> : tensor<f32>
  %z = nb.constant dense<10> : tensor<ui8>
  %x = nb.dequantize_linear %xq, %s, %z : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.5:10>>, tensor<f32>, tensor<ui8>) -> tensor<1x1x4x4xf32>
  %p = nb.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  %pq = nb.quantize_linear %p, %s, %z : (tensor<1x1x2x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:10>>
  %pd = nb.dequantize_linear %pq, %s, %z : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:10>>, tensor<f32>, tensor<ui8>) -> tensor<1x1x2x2xf32>
  %f = nb.flatten %pd : (tensor<1x1x2x2xf32>) -> tensor<1x4xf32>
  %fq = nb.quantize_linear %f, %s2, %z : (tensor<1x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x4x!quant.uniform<u8:f32, 0.25:10>>
  return %fq : tensor<1x4x!quant.uniform<u8:f32, 0.25:10>>
}

// -----

// Concat requantizes the input whose parameters differ from the result's.
// CHECK-LABEL: func.func @concat_requantizes
// CHECK: %[[D:.+]] = nb.dequantize_linear %{{.+}} : (tensor<2x!quant.uniform<i8:f32, 2.500000e-01>>
// CHECK: %[[R:.+]] = nb.quantize_linear %[[D]], {{.*}} -> tensor<2x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: nb.concat %{{.+}}, %[[R]] {{.*}} -> tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>
func.func @concat_requantizes(%a: tensor<2x!quant.uniform<i8:f32, 0.5>>, %b: tensor<2x!quant.uniform<i8:f32, 0.25>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %s2 = nb.constant dense<0.25> : tensor<f32>
  %z = nb.constant dense<0> : tensor<i8>
  %ad = nb.dequantize_linear %a, %s, %z : (tensor<2x!quant.uniform<i8:f32, 0.5>>, tensor<f32>, tensor<i8>) -> tensor<2xf32>
  %bd = nb.dequantize_linear %b, %s2, %z : (tensor<2x!quant.uniform<i8:f32, 0.25>>, tensor<f32>, tensor<i8>) -> tensor<2xf32>
  %c = nb.concat %ad, %bd {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  %cq = nb.quantize_linear %c, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %cq : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// The input's dequantize also feeds a float op (a residual Add, as in
// PP-OCR's classifier): the matmul fuses on the quant value and the
// dequantize stays for the float user, which reads the same integers.
// CHECK-LABEL: func.func @dq_with_float_user
// CHECK-SAME: (%[[XQ:.+]]: tensor<2x4x!quant.uniform<u8:f32, 5.000000e-01:10>>)
// CHECK: %[[X:.+]] = nb.dequantize_linear %[[XQ]]
// CHECK: %[[M:.+]] = nb.matmul %[[XQ]], %{{.+}} : (tensor<2x4x!quant.uniform<u8:f32, 5.000000e-01:10>>, tensor<4x3x!quant.uniform<i8:f32, 2.500000e-01>>) -> tensor<2x3x!quant.uniform<u8:f32, 1.000000e+00>>
// CHECK-NOT: nb.quantize_linear
// CHECK: %[[R:.+]] = nb.add %[[X]], %[[X]]
// CHECK: return %[[M]], %[[R]]
func.func @dq_with_float_user(%xq: tensor<2x4x!quant.uniform<u8:f32, 0.5:10>>) -> (tensor<2x3x!quant.uniform<u8:f32, 1.0>>, tensor<2x4xf32>) {
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
  %r = nb.add %x, %x : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %mq, %r : tensor<2x3x!quant.uniform<u8:f32, 1.0>>, tensor<2x4xf32>
}
