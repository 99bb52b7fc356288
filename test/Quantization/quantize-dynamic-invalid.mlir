// RUN: nibble-opt %s --nb-quantize-dynamic=strict -split-input-file -verify-diagnostics
// RUN: nibble-opt %s --nb-quantize-dynamic -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: not nibble-opt %s --nb-quantize-dynamic="exclude-nodes=conv(" -split-input-file 2>&1 | FileCheck %s --check-prefix=REGEX
//
// Under `strict`, an op the scheme cannot take is an error (naming the ONNX
// node when it has one, see quantize-dynamic.mlir); without it, the same op
// gets a remark and stays float.

// REGEX: error: nb-quantize-dynamic: invalid exclude-nodes regex 'conv('

func.func @non_constant_weight(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'nb.matmul' cannot be quantized: weight is not a constant}}
  %y = nb.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
// REMARK: remark: 'nb.matmul' stays float: weight is not a constant

// -----

func.func @nan_weight(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = nb.constant dense<[[1.0, 0x7FC00000], [0.5, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{'nb.gemm' cannot be quantized: weight element 1 is NaN}}
  %y = nb.gemm %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
// REMARK: remark: 'nb.gemm' stays float: weight element 1 is NaN

// -----

func.func @dynamic_weight_shape(%x: tensor<1x2x4x4xf32>, %w: tensor<?x2x3x3xf32>) -> tensor<1x?x2x2xf32> {
  // expected-error @+1 {{'nb.conv' cannot be quantized: weight shape is not static}}
  %y = nb.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<?x2x3x3xf32>) -> tensor<1x?x2x2xf32>
  return %y : tensor<1x?x2x2xf32>
}
// REMARK: remark: 'nb.conv' stays float: weight shape is not static
