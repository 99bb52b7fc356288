// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// The lifted q/dq form (nibble-translate --lift-qdq): quant-typed tensors
// become their signless storage, quant.scast disappears, quantize and
// dequantize lower as their ONNX forms with the parameters of their operands.
// CHECK-LABEL: func.func @lifted_qdq_chain
// CHECK-SAME: (%[[X:.+]]: tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NOT: quant.
// CHECK: %[[W:.+]] = arith.constant dense<{{.*}}> : tensor<4x4xi8>
// CHECK: %[[WF:.+]] = linalg.generic {{.*}} ins(%[[W]], {{.*}} : tensor<4x4xi8>, tensor<4xf32>, tensor<4xi8>)
// CHECK: arith.sitofp %{{.+}} : i8 to f32
// CHECK: %[[XQ:.+]] = linalg.generic {{.*}} ins(%[[X]], {{.*}}) outs(%{{.+}} : tensor<1x4xi8>)
// CHECK: math.roundeven
// CHECK: arith.uitofp %{{.+}} : i8 to f64
// CHECK: %[[XF:.+]] = linalg.generic {{.*}} ins(%[[XQ]], {{.*}} : tensor<1x4xi8>, tensor<f32>, tensor<i8>)
// CHECK: arith.uitofp %{{.+}} : i8 to f32
// CHECK: linalg.matmul ins(%[[XF]], %[[WF]] : tensor<1x4xf32>, tensor<4x4xf32>)
// CHECK-NOT: nb.
// CHECK-NOT: quant.
func.func @lifted_qdq_chain(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %w = nb.constant dense<[[1, -2, 3, -4], [5, 6, 7, 8], [-9, 10, 11, 12], [13, 14, 15, -128]]> : tensor<4x4xi8>
  %ws = nb.constant dense<[0.5, 0.25, 0.125, 1.0]> : tensor<4xf32>
  %wz = nb.constant dense<0> : tensor<4xi8>
  %xs = nb.constant dense<0.0625> : tensor<f32>
  %xz = nb.constant dense<128> : tensor<ui8>
  %wq = quant.scast %w : tensor<4x4xi8> to tensor<4x4x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125, 1.0}>>
  %wf = nb.dequantize_linear %wq, %ws, %wz {axis = 1 : i64} : (tensor<4x4x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125, 1.0}>>, tensor<4xf32>, tensor<4xi8>) -> tensor<4x4xf32>
  %xq = nb.quantize_linear %x, %xs, %xz : (tensor<1x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x4x!quant.uniform<u8:f32, 0.0625:128>>
  %xf = nb.dequantize_linear %xq, %xs, %xz : (tensor<1x4x!quant.uniform<u8:f32, 0.0625:128>>, tensor<f32>, tensor<ui8>) -> tensor<1x4xf32>
  %y = nb.matmul %xf, %wf : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Quant-typed arguments and results are their storage at the boundary.
// CHECK-LABEL: func.func @quant_signature
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xi8>) -> tensor<3x2xi8>
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[A]] : tensor<2x3xi8>)
// CHECK: return %[[T]] : tensor<3x2xi8>
func.func @quant_signature(%a: tensor<2x3x!quant.uniform<u8:f32, 0.5:3>>) -> tensor<3x2x!quant.uniform<u8:f32, 0.5:3>> {
  %t = nb.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3x!quant.uniform<u8:f32, 0.5:3>>) -> tensor<3x2x!quant.uniform<u8:f32, 0.5:3>>
  return %t : tensor<3x2x!quant.uniform<u8:f32, 0.5:3>>
}

// -----

// Same-scale data movement moves storage: reshape, flatten, unsqueeze,
// squeeze, slice, gather and concat are the integer forms.
// CHECK-LABEL: func.func @same_scale_data_movement
// CHECK-NOT: quant.
// CHECK: tensor.collapse_shape %{{.+}} : tensor<1x2x3xi8> into tensor<2x3xi8>
// CHECK: tensor.expand_shape %{{.+}} : tensor<2x3xi8> into tensor<2x3x1xi8>
// CHECK: tensor.extract_slice %{{.+}} : tensor<2x3xi8> to tensor<2x2xi8>
// CHECK: tensor.extract %{{.+}} : tensor<2x3xi8>
// CHECK: tensor.concat dim(1) %{{.+}}, %{{.+}} : (tensor<2x2xi8>, tensor<2x3xi8>) -> tensor<2x5xi8>
!q = !quant.uniform<i8:f32, 0.1:-3>
func.func @same_scale_data_movement(%a: tensor<1x2x3x!q>) -> (tensor<2x3x1x!q>, tensor<2x5x!q>, tensor<2x2x!q>) {
  %shape = nb.constant dense<[2, 3]> : tensor<2xi64>
  %r = nb.reshape %a, %shape : (tensor<1x2x3x!q>, tensor<2xi64>) -> tensor<2x3x!q>
  %axes = nb.constant dense<[2]> : tensor<1xi64>
  %u = nb.unsqueeze %r, %axes : (tensor<2x3x!q>, tensor<1xi64>) -> tensor<2x3x1x!q>
  %starts = nb.constant dense<[1]> : tensor<1xi64>
  %ends = nb.constant dense<[3]> : tensor<1xi64>
  %sliceAxes = nb.constant dense<[1]> : tensor<1xi64>
  %s = nb.slice %r, %starts, %ends, %sliceAxes {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>} : (tensor<2x3x!q>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x2x!q>
  %idx = nb.constant dense<[2, 0]> : tensor<2xi64>
  %g = nb.gather %r, %idx {axis = 1 : i64} : (tensor<2x3x!q>, tensor<2xi64>) -> tensor<2x2x!q>
  %c = nb.concat %s, %r {axis = 1 : i64} : (tensor<2x2x!q>, tensor<2x3x!q>) -> tensor<2x5x!q>
  return %u, %c, %g : tensor<2x3x1x!q>, tensor<2x5x!q>, tensor<2x2x!q>
}

// -----

// MaxPool of unsigned storage compares unsigned (a `u8` quant type is
// `ui8`, not the signless `i8` it is stored in); initial value 0.
// CHECK-LABEL: func.func @max_pool_unsigned
// CHECK: arith.constant 0 : i8
// CHECK: arith.maxui
// CHECK-NOT: arith.maxsi
func.func @max_pool_unsigned(%a: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.02>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.02>> {
  %p = nb.max_pool %a {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.02>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.02>>
  return %p : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.02>>
}

// -----

// A quantize result read as integers (quant.scast back to storage) is the
// same storage tensor.
// CHECK-LABEL: func.func @scast_to_storage
// CHECK: %[[Q:.+]] = linalg.generic
// CHECK: return %[[Q]] : tensor<4xi8>
func.func @scast_to_storage(%x: tensor<4xf32>) -> tensor<4xi8> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<1> : tensor<i8>
  %q = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  %i = quant.scast %q : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4xi8>
  return %i : tensor<4xi8>
}
