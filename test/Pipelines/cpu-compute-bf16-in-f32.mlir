// RUN: nibble-opt %s --nb-cpu-compute-bf16-in-f32 --split-input-file | FileCheck %s

// A strided bf16 convolution: operands extended, the conv in f32 (its body
// rebuilt for f32 by the op's region builder; the verifier checks the block
// argument types), the result truncated.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x50x194xbf16>, %[[W:.+]]: tensor<8x3x3x3xbf16>, %[[INIT:.+]]: tensor<1x8x24x96xbf16>)
// CHECK: %[[XF:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<1x3x50x194xbf16>) outs(%{{.+}} : tensor<1x3x50x194xf32>)
// CHECK:   arith.extf %{{.+}} : bf16 to f32
// CHECK: %[[WF:.+]] = linalg.generic {{.+}} ins(%[[W]] : tensor<8x3x3x3xbf16>)
// CHECK: %[[INITF:.+]] = linalg.generic {{.+}} ins(%[[INIT]] : tensor<1x8x24x96xbf16>)
// CHECK: %[[CONV:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[XF]], %[[WF]] : tensor<1x3x50x194xf32>, tensor<8x3x3x3xf32>) outs(%[[INITF]] : tensor<1x8x24x96xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {{.+}} ins(%[[CONV]] : tensor<1x8x24x96xf32>) outs(%{{.+}} : tensor<1x8x24x96xbf16>)
// CHECK:   arith.truncf %{{.+}} : f32 to bf16
// CHECK: return %[[Y]]
func.func @conv(%x: tensor<1x3x50x194xbf16>, %w: tensor<8x3x3x3xbf16>, %init: tensor<1x8x24x96xbf16>) -> tensor<1x8x24x96xbf16> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%x, %w : tensor<1x3x50x194xbf16>, tensor<8x3x3x3xbf16>) outs(%init : tensor<1x8x24x96xbf16>) -> tensor<1x8x24x96xbf16>
  return %0 : tensor<1x8x24x96xbf16>
}

// -----

// Pooling: the window operand only carries a shape, so it becomes an f32
// tensor.empty rather than a conversion.
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[WINDOW:.+]] = tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.pooling_nchw_max {{.+}} ins(%{{.+}}, %[[WINDOW]] : tensor<1x8x24x96xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<1x8x12x48xf32>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
func.func @max_pool(%x: tensor<1x8x24x96xbf16>, %init: tensor<1x8x12x48xbf16>) -> tensor<1x8x12x48xbf16> {
  %window = tensor.empty() : tensor<2x2xbf16>
  %0 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%x, %window : tensor<1x8x24x96xbf16>, tensor<2x2xbf16>) outs(%init : tensor<1x8x12x48xbf16>) -> tensor<1x8x12x48xbf16>
  return %0 : tensor<1x8x12x48xbf16>
}

// -----

// Contractions accumulate in f32 too.
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<96x48xf32>, tensor<48x5xf32>) outs(%{{.+}} : tensor<96x5xf32>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
func.func @matmul(%a: tensor<96x48xbf16>, %b: tensor<48x5xbf16>, %c: tensor<96x5xbf16>) -> tensor<96x5xbf16> {
  %0 = linalg.matmul ins(%a, %b : tensor<96x48xbf16>, tensor<48x5xbf16>) outs(%c : tensor<96x5xbf16>) -> tensor<96x5xbf16>
  return %0 : tensor<96x5xbf16>
}

// -----

// Negative: f32 and f16 convolutions and bf16 elementwise generics stay.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: arith.extf
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} -> tensor<1x2x2x2xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} -> tensor<1x2x2x2xf16>
// CHECK: linalg.generic
// CHECK: arith.addf %{{.+}} : bf16
// CHECK-NOT: arith.truncf
func.func @untouched(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x3x3xf32>, %i: tensor<1x2x2x2xf32>,
                     %xh: tensor<1x1x4x4xf16>, %wh: tensor<2x1x3x3xf16>, %ih: tensor<1x2x2x2xf16>,
                     %e: tensor<4xbf16>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf16>, tensor<4xbf16>) {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) outs(%i : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %1 = linalg.conv_2d_nchw_fchw ins(%xh, %wh : tensor<1x1x4x4xf16>, tensor<2x1x3x3xf16>) outs(%ih : tensor<1x2x2x2xf16>) -> tensor<1x2x2x2xf16>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
         ins(%e : tensor<4xbf16>) outs(%e : tensor<4xbf16>) {
  ^bb0(%a: bf16, %b: bf16):
    %s = arith.addf %a, %b : bf16
    linalg.yield %s : bf16
  } -> tensor<4xbf16>
  return %0, %1, %2 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf16>, tensor<4xbf16>
}
