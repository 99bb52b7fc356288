// RUN: nibble-opt %s --nb-print-model-summary -o /dev/null | FileCheck %s

// CHECK: op constant 2
// CHECK-NEXT: op conv 1
// CHECK-NEXT: op relu 1
// CHECK-NEXT: params 112
// CHECK-NEXT: bytes f32 16
// CHECK-NEXT: bytes i8 108
// CHECK-NEXT: bytes total 124
func.func @summary(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x6x6xf32> {
  %w = nb.constant dense<1> : tensor<4x3x3x3xi8>
  %b = nb.constant dense<1.0> : tensor<4xf32>
  %wf = nb.cast %w : (tensor<4x3x3x3xi8>) -> tensor<4x3x3x3xf32>
  %0 = nb.conv %x, %wf, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %1 = nb.relu %0 : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %1 : tensor<1x4x6x6xf32>
}
