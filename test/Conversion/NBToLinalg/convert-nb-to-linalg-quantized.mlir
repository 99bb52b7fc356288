// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s --check-prefixes=CHECK,FLOAT
// RUN: nibble-opt %s --convert-nb-to-linalg=requantize=fixed-point --split-input-file | FileCheck %s --check-prefixes=CHECK,FIXED

// Quantized conv: the input zero point pads and is subtracted in the body
// (weight zero points are 0, nothing to subtract), int32 accumulation, the
// int32 bias per channel, then requantization per output channel.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%{{.+}}: tensor<1x1x4x4xi8>) -> tensor<1x2x4x4xi8>
// CHECK: tensor.pad
// CHECK: arith.extui %{{.+}} : i8 to i32
// CHECK: arith.extsi %{{.+}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.muli %{{.+}} : i32
// CHECK: arith.addi %{{.+}} : i32
// FLOAT: arith.constant dense<[{{.+}}]> : tensor<2xf64>
// FLOAT: arith.sitofp %{{.+}} : i32 to f64
// FLOAT: math.roundeven
// FIXED: arith.constant dense<[{{.+}}]> : tensor<2xi64>
// FIXED: arith.muli %{{.+}} : i64
// FIXED: arith.shrsi
// FIXED: arith.cmpi eq
// FIXED: arith.maxsi
// FIXED: arith.minsi
// CHECK: arith.trunci %{{.+}} to i8
// CHECK-NOT: nb.
// CHECK-NOT: quant.
func.func @conv(%x: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 2.0:3>> {
  %w = nb.constant dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]]]> : tensor<2x1x3x3xi8>
  %wq = quant.scast %w : tensor<2x1x3x3xi8> to tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.25, 0.125}>>
  %b = nb.constant dense<[7, -9]> : tensor<2xi32>
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>>
  %y = nb.conv %x, %wq, %bq {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.5:10>>, tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.25, 0.125}>>, tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 2.0:3>>
  return %y : tensor<1x2x4x4x!quant.uniform<u8:f32, 2.0:3>>
}

// -----

// Quantized gemm with trans_b: the weight is transposed on storage, the
// product accumulates in i32 and one multiplier serves every column.
// CHECK-LABEL: func.func @gemm
// CHECK: linalg.transpose ins(%{{.+}} : tensor<3x4xi8>)
// CHECK: linalg.generic
// CHECK: arith.muli %{{.+}} : i32
// FLOAT: arith.constant dense<{{.+}}> : tensor<f64>
// FIXED: arith.constant dense<{{.+}}> : tensor<i64>
// CHECK: return %{{.+}} : tensor<2x3xi8>
func.func @gemm(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5:-1>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>> {
  %w = nb.constant dense<1> : tensor<3x4xi8>
  %wq = quant.scast %w : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32, 0.25>>
  %y = nb.gemm %a, %wq {trans_b = true} : (tensor<2x4x!quant.uniform<i8:f32, 0.5:-1>>, tensor<3x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x3x!quant.uniform<i8:f32, 1.0>>
  return %y : tensor<2x3x!quant.uniform<i8:f32, 1.0>>
}
