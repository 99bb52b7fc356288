// RUN: nibble-opt %s -nb-insert-qdq="overrides=%S/Inputs/overrides.json" | FileCheck %s

// Overrides (Inputs/overrides.json): the result is i8 symmetric with a
// given range, the weight per tensor.
// CHECK-LABEL: func.func @overridden
// CHECK: nb.quantize_linear %arg0, {{.*}} -> tensor<2x3x!quant.uniform<u8:f32, 0.0078431377187371254:128>>
// CHECK: quant.scast {{.*}} : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8:f32, 0.023622047156095505>>
// CHECK: nb.quantize_linear {{.*}} -> tensor<2x2x!quant.uniform<i8:f32, 0.031496062874794006>>
func.func @overridden(%x: tensor<2x3xf32> {nb.name = "x", nb.range = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w = nb.constant dense<[[3.0, 1.0], [-1.0, 0.5], [2.0, -0.25]]> : tensor<3x2xf32> loc("mm.weight")
  %y = nb.matmul %x, %w {nb.output_names = ["mm_out"], nb.calibrated_range = array<f64: -2.0, 3.0>} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32> loc("mm")
  return %y : tensor<2x2xf32>
}
