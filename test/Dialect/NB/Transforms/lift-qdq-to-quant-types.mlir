// RUN: nibble-opt %s -split-input-file -nb-lift-qdq-to-quant-types -verify-diagnostics | FileCheck %s
// RUN: nibble-opt %s -split-input-file -nb-lift-qdq-to-quant-types 2>/dev/null | nibble-opt -split-input-file > /dev/null

// Per-tensor Q -> DQ: the quantized value carries scale and zero point.
// CHECK-LABEL: func.func @per_tensor
// CHECK: %[[Q:.*]] = nb.quantize_linear {{.*}} -> tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:3>>
// CHECK: nb.dequantize_linear %[[Q]], {{.*}} : (tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:3>>, tensor<f32>, tensor<i8>) -> tensor<2x4xf32>
func.func @per_tensor(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<3> : tensor<i8>
  %q = nb.quantize_linear %x, %s, %z : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4xi8>
  %d = nb.dequantize_linear %q, %s, %z : (tensor<2x4xi8>, tensor<f32>, tensor<i8>) -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

// Unsigned storage without a zero point operand (zero point 0).
// CHECK-LABEL: func.func @unsigned_no_zero_point
// CHECK: nb.quantize_linear {{.*}} -> tensor<4x!quant.uniform<u8:f32, 2.500000e-01>>
func.func @unsigned_no_zero_point(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = nb.constant dense<0.25> : tensor<f32>
  %q = nb.quantize_linear %x, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xui8>
  %d = nb.dequantize_linear %q, %s : (tensor<4xui8>, tensor<f32>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// A constant int8 weight with per-axis parameters: quant.scast to the
// per-axis type feeds the dequantize.
// CHECK-LABEL: func.func @per_axis_weight
// CHECK: %[[W:.*]] = nb.constant dense<1> : tensor<2x3xi8>
// CHECK: %[[C:.*]] = quant.scast %[[W]] : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01:1}>>
// CHECK: nb.dequantize_linear %[[C]]
func.func @per_axis_weight() -> tensor<2x3xf32> {
  %w = nb.constant dense<1> : tensor<2x3xi8>
  %s = nb.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %z = nb.constant dense<[0, 1]> : tensor<2xi8>
  %d = nb.dequantize_linear %w, %s, %z {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// -----

// Unsigned constant weights are re-typed as signless (same bits) first.
// CHECK-LABEL: func.func @unsigned_weight
// CHECK: %[[W:.*]] = nb.constant dense<-56> : tensor<3xi8>
// CHECK: quant.scast %[[W]] : tensor<3xi8> to tensor<3x!quant.uniform<u8:f32, 0.10000000149011612:128>>
func.func @unsigned_weight() -> tensor<3xf32> {
  %w = nb.constant dense<200> : tensor<3xui8>
  %s = nb.constant dense<0.1> : tensor<f32>
  %z = nb.constant dense<128> : tensor<ui8>
  %d = nb.dequantize_linear %w, %s, %z : (tensor<3xui8>, tensor<f32>, tensor<ui8>) -> tensor<3xf32>
  return %d : tensor<3xf32>
}

// -----

// Blocked (int4, block_size 2) weights become sub-channel quant types.
// CHECK-LABEL: func.func @blocked_int4
// CHECK: quant.scast {{.*}} : tensor<2x4xi4> to tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{\{}}{5.000000e-01, 1.000000e+00}, {2.500000e-01, 1.250000e-01}}>>
func.func @blocked_int4() -> tensor<2x4xf32> {
  %w = nb.constant dense<1> : tensor<2x4xi4>
  %s = nb.constant dense<[[0.5, 1.0], [0.25, 0.125]]> : tensor<2x2xf32>
  %d = nb.dequantize_linear %w, %s {axis = 1 : i64, block_size = 2 : i64} : (tensor<2x4xi4>, tensor<2x2xf32>) -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

// 16-bit storage.
// CHECK-LABEL: func.func @int16
// CHECK: nb.quantize_linear {{.*}} -> tensor<4x!quant.uniform<i16:f32, 0.0010000000474974513:-5>>
func.func @int16(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = nb.constant dense<0.001> : tensor<f32>
  %z = nb.constant dense<-5> : tensor<i16>
  %q = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i16>) -> tensor<4xi16>
  %d = nb.dequantize_linear %q, %s, %z : (tensor<4xi16>, tensor<f32>, tensor<i16>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// Integer users other than dequantize keep the storage through quant.scast.
// CHECK-LABEL: func.func @integer_user
// CHECK: %[[Q:.*]] = nb.quantize_linear {{.*}} -> tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[I:.*]] = quant.scast %[[Q]] : tensor<4x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<4xi8>
// CHECK: return %[[I]]
func.func @integer_user(%x: tensor<4xf32>) -> tensor<4xi8> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<0> : tensor<i8>
  %q = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  return %q : tensor<4xi8>
}

// -----

// A dequantize with other parameters than its quantize reads the storage.
// CHECK-LABEL: func.func @mismatched_pair
// CHECK: %[[Q:.*]] = nb.quantize_linear {{.*}} -> tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[I:.*]] = quant.scast %[[Q]]
// CHECK: nb.dequantize_linear %[[I]], {{.*}} : (tensor<4xi8>, tensor<f32>, tensor<i8>)
func.func @mismatched_pair(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %s2 = nb.constant dense<0.25> : tensor<f32>
  %z = nb.constant dense<0> : tensor<i8>
  %q = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  %d = nb.dequantize_linear %q, %s2, %z : (tensor<4xi8>, tensor<f32>, tensor<i8>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// Non-constant scales are left alone, silently.
// CHECK-LABEL: func.func @dynamic_scale
// CHECK: nb.quantize_linear {{.*}} -> tensor<4xi8>
func.func @dynamic_scale(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xi8> {
  %z = nb.constant dense<0> : tensor<i8>
  %q = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  return %q : tensor<4xi8>
}

// -----

// Float8 storage has no upstream quant type: a remark, not an error.
// CHECK-LABEL: func.func @float8
// CHECK: nb.quantize_linear {{.*}} -> tensor<4xf8E4M3FN>
func.func @float8(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<0.0> : tensor<f8E4M3FN>
  // expected-remark @+1 {{not lifted to a quant type: storage type is not an integer}}
  %q = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<f8E4M3FN>) -> tensor<4xf8E4M3FN>
  return %q : tensor<4xf8E4M3FN>
}

// -----

// A partial last block is not expressible as a sub-channel type.
// CHECK-LABEL: func.func @partial_block
// CHECK-NOT: quant.scast
func.func @partial_block() -> tensor<2x5xf32> {
  %w = nb.constant dense<1> : tensor<2x5xi8>
  %s = nb.constant dense<0.5> : tensor<2x3xf32>
  // expected-remark @+1 {{not lifted to a quant type: the quantized axis is not a multiple of block_size}}
  %d = nb.dequantize_linear %w, %s {axis = 1 : i64, block_size = 2 : i64} : (tensor<2x5xi8>, tensor<2x3xf32>) -> tensor<2x5xf32>
  return %d : tensor<2x5xf32>
}

// -----

// Unsigned storage with integer users cannot go through quant.scast.
// CHECK-LABEL: func.func @unsigned_integer_user
// CHECK: nb.quantize_linear {{.*}} -> tensor<4xui8>
func.func @unsigned_integer_user(%x: tensor<4xf32>) -> tensor<4xui8> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<0> : tensor<ui8>
  // expected-remark @+1 {{not lifted to a quant type: integer users of a 'ui8' result}}
  %q = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %q : tensor<4xui8>
}

// -----

// A dense_resource weight (the importer's form of every large ONNX
// initializer) is lifted like a dense one: quant.scast of the same constant.
// CHECK-LABEL: func.func @resource_weight
// CHECK: %[[W:.*]] = nb.constant dense_resource<w_i8> : tensor<2x3xi8>
// CHECK: %[[C:.*]] = quant.scast %[[W]] : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01}>>
// CHECK: nb.dequantize_linear %[[C]]
func.func @resource_weight() -> tensor<2x3xf32> {
  %w = nb.constant dense_resource<w_i8> : tensor<2x3xi8>
  %s = nb.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %z = nb.constant dense<0> : tensor<2xi8>
  %d = nb.dequantize_linear %w, %s, %z {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w_i8: "0x01000000FF0102FE037F"
    }
  }
#-}

// -----

// An unsigned dense_resource weight is re-typed as signless by a new view
// over the same blob: the resource key is shared, no bytes are copied. Its
// scales and zero points are dense_resource too (the importer's form of
// per-channel parameters of 64 channels or more) and are read from the blob.
// CHECK-LABEL: func.func @unsigned_resource_weight
// CHECK: %[[W:.*]] = nb.constant dense_resource<w_u8> : tensor<2x3xi8>
// CHECK: quant.scast %[[W]] : tensor<2x3xi8> to tensor<2x3x!quant.uniform<u8:f32:0, {5.000000e-01:128,2.500000e-01:3}>>
func.func @unsigned_resource_weight() -> tensor<2x3xf32> {
  %w = nb.constant dense_resource<w_u8> : tensor<2x3xui8>
  %s = nb.constant dense_resource<s_f32> : tensor<2xf32>
  %z = nb.constant dense_resource<z_u8> : tensor<2xui8>
  %d = nb.dequantize_linear %w, %s, %z {axis = 0 : i64} : (tensor<2x3xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w_u8: "0x01000000C8000180FF03",
      s_f32: "0x040000000000003F0000803E",
      z_u8: "0x010000008003"
    }
  }
#-}

// -----

// A quantize whose per-axis scale is a dense_resource constant is lifted
// too, and its dequantize reads the quant value.
// CHECK-LABEL: func.func @resource_scale_quantize
// CHECK: %[[Q:.*]] = nb.quantize_linear {{.*}} -> tensor<1x2x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>>
// CHECK: nb.dequantize_linear %[[Q]]
func.func @resource_scale_quantize(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %s = nb.constant dense_resource<s2_f32> : tensor<2xf32>
  %q = nb.quantize_linear %x, %s {axis = 1 : i64} : (tensor<1x2xf32>, tensor<2xf32>) -> tensor<1x2xi8>
  %d = nb.dequantize_linear %q, %s {axis = 1 : i64} : (tensor<1x2xi8>, tensor<2xf32>) -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      s2_f32: "0x040000000000003F0000803E"
    }
  }
#-}

// -----

// A dense_resource scale whose blob is missing (or of the wrong size) gives
// no parameters to read: the weight stays in ONNX form, silently, as for
// non-constant scales.
// CHECK-LABEL: func.func @resource_scale_without_blob
// CHECK-NOT: quant.scast
// CHECK: nb.dequantize_linear %{{.*}} : (tensor<2x3xi8>, tensor<2xf32>) -> tensor<2x3xf32>
func.func @resource_scale_without_blob() -> tensor<2x3xf32> {
  %w = nb.constant dense<1> : tensor<2x3xi8>
  %s = nb.constant dense_resource<short_scale> : tensor<2xf32>
  %d = nb.dequantize_linear %w, %s {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>) -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      short_scale: "0x040000000000003F"
    }
  }
#-}
