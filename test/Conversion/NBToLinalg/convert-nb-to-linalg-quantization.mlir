// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// Per-axis: scale and zero point index the axis loop. x / scale rounds half
// to even, the zero point adds in f64 and the sum saturates to [0, 255].
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[AXIS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @quantize_per_axis
// CHECK-SAME: -> tensor<2x6xi8>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[AXIS]], #[[AXIS]], #[[ID]]]
// CHECK: arith.divf
// CHECK: math.roundeven %{{.+}} : f32
// CHECK: arith.uitofp %{{.+}} : i8 to f64
// CHECK: arith.addf %{{.+}} : f64
// CHECK: arith.constant 0.000000e+00 : f64
// CHECK: arith.constant 2.550000e+02 : f64
// CHECK: arith.fptosi %{{.+}} : f64 to i32
// CHECK: arith.trunci %{{.+}} : i32 to i8
func.func @quantize_per_axis(%x: tensor<2x6xf32>, %s: tensor<6xf32>, %z: tensor<6xui8>) -> tensor<2x6xui8> {
  %0 = nb.quantize_linear %x, %s, %z : (tensor<2x6xf32>, tensor<6xf32>, tensor<6xui8>) -> tensor<2x6xui8>
  return %0 : tensor<2x6xui8>
}

// -----

// Blocked: the axis index divided by the block size.
// CHECK-DAG: #[[BLOCK:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-LABEL: func.func @quantize_blocked_int4
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[BLOCK]], #[[BLOCK]], #{{.+}}]
// CHECK: arith.constant -8.000000e+00 : f64
// CHECK: arith.constant 7.000000e+00 : f64
// CHECK: arith.trunci %{{.+}} : i32 to i4
func.func @quantize_blocked_int4(%x: tensor<2x6xf32>, %s: tensor<2x3xf32>, %z: tensor<2x3xi4>) -> tensor<2x6xi4> {
  %0 = nb.quantize_linear %x, %s, %z {block_size = 2 : i64} : (tensor<2x6xf32>, tensor<2x3xf32>, tensor<2x3xi4>) -> tensor<2x6xi4>
  return %0 : tensor<2x6xi4>
}

// -----

// Float8 with saturate: clamp to +-448 (E4M3FN's largest), then truncf.
// CHECK-LABEL: func.func @quantize_f8
// CHECK: arith.constant 4.480000e+02 : f32
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.truncf %{{.+}} : f32 to f8E4M3FN
func.func @quantize_f8(%x: tensor<2x6xf32>, %s: tensor<f32>) -> tensor<2x6xf8E4M3FN> {
  %z = nb.constant dense<0.0> : tensor<f8E4M3FN>
  %0 = nb.quantize_linear %x, %s, %z : (tensor<2x6xf32>, tensor<f32>, tensor<f8E4M3FN>) -> tensor<2x6xf8E4M3FN>
  return %0 : tensor<2x6xf8E4M3FN>
}

// -----

// CHECK-LABEL: func.func @quantize_f8_no_saturate
// CHECK-NOT: arith.minimumf
// CHECK: arith.truncf %{{.+}} : f32 to f8E5M2
func.func @quantize_f8_no_saturate(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf8E5M2> {
  %z = nb.constant dense<0.0> : tensor<f8E5M2>
  %0 = nb.quantize_linear %x, %s, %z {saturate = false} : (tensor<4xf32>, tensor<f32>, tensor<f8E5M2>) -> tensor<4xf8E5M2>
  return %0 : tensor<4xf8E5M2>
}

// -----

// CHECK-LABEL: func.func @dequantize
// CHECK: ^bb0(%[[Q:.+]]: i8, %[[S:.+]]: f32, %[[Z:.+]]: i8, %{{.+}}: f32):
// CHECK: %[[QF:.+]] = arith.sitofp %[[Q]] : i8 to f32
// CHECK: %[[ZF:.+]] = arith.sitofp %[[Z]] : i8 to f32
// CHECK: %[[D:.+]] = arith.subf %[[QF]], %[[ZF]]
// CHECK: arith.mulf %[[D]], %[[S]]
func.func @dequantize(%x: tensor<2x6xi8>, %s: tensor<6xf32>, %z: tensor<6xi8>) -> tensor<2x6xf32> {
  %0 = nb.dequantize_linear %x, %s, %z : (tensor<2x6xi8>, tensor<6xf32>, tensor<6xi8>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Min and max reductions start at 0 so the range includes zero; one 0-d
// generic forms scale and zero point.
// CHECK-LABEL: func.func @dynamic_quantize
// CHECK-SAME: -> (tensor<2x6xi8>, tensor<f32>, tensor<i8>)
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction", "reduction"]
// CHECK: arith.minimumf
// CHECK: %[[P:.+]]:2 = linalg.generic {{.+}} iterator_types = []
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: linalg.yield
// CHECK: %[[Q:.+]] = linalg.generic
// CHECK-SAME: ins(%arg0, %[[P]]#0, %[[P]]#1 :
// CHECK: return %[[Q]], %[[P]]#0, %[[P]]#1
func.func @dynamic_quantize(%x: tensor<2x6xf32>) -> (tensor<2x6xui8>, tensor<f32>, tensor<ui8>) {
  %0:3 = nb.dynamic_quantize_linear %x : (tensor<2x6xf32>) -> (tensor<2x6xui8>, tensor<f32>, tensor<ui8>)
  return %0#0, %0#1, %0#2 : tensor<2x6xui8>, tensor<f32>, tensor<ui8>
}
