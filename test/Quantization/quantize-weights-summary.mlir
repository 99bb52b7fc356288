// RUN: nibble-opt %s --nb-quantize-weights="bits=4 group-size=32" --nb-print-model-summary -o /dev/null | FileCheck %s
// RUN: nibble-opt %s --nb-quantize-weights="bits=8 group-size=0" --nb-print-model-summary -o /dev/null | FileCheck %s --check-prefix=INT8

// The summary (nibble summary) counts int4 storage at half a byte per
// element, as weights.bin stores it: the 64x32 weight is 1,024 bytes of i4,
// its 2x32 zero points 32 more; 2x32 f32 scales are 256 bytes.
// CHECK: params 2176
// CHECK-NEXT: bytes f32 256
// CHECK-NEXT: bytes i4 1056
// CHECK-NEXT: bytes total 1312

// int8 per channel: 2,048 bytes of weight, 32 zero points, 32 f32 scales.
// INT8: params 2112
// INT8-NEXT: bytes f32 128
// INT8-NEXT: bytes i8 2080
// INT8-NEXT: bytes total 2208
func.func @summary(%x: tensor<1x64xf32>) -> tensor<1x32xf32> {
  %w = nb.constant dense<0.25> : tensor<64x32xf32>
  %y = nb.matmul %x, %w : (tensor<1x64xf32>, tensor<64x32xf32>) -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}
