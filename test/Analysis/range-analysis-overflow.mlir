// RUN: nibble-opt %s --nb-annotate-ranges -o /dev/null 2>&1 | FileCheck %s
//
// Imported ops carry the ONNX node name as a NameLoc; the overflow warning
// names it. u8 x u8 without zero points: 255 * 255 * 33100 = 2152327500.

// CHECK: warning: int32 accumulator of ONNX node 'conv_7' may overflow: worst-case |accumulator| 2152327500 over 33100 products exceeds 2147483647
func.func @named(%x: tensor<1x331x10x10xui8>, %w: tensor<4x331x10x10xui8>) -> tensor<1x4x1x1xi32> {
  %0 = nb.conv_integer %x, %w {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x331x10x10xui8>, tensor<4x331x10x10xui8>) -> tensor<1x4x1x1xi32> loc("conv_7"("model.onnx":0:0))
  return %0 : tensor<1x4x1x1xi32>
}
