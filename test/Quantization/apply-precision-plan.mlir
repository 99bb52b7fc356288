// RUN: nibble-opt %s -split-input-file -nb-apply-precision-plan=plan=%S/Inputs/apply-precision-plan.json | FileCheck %s

// Entries land on their nodes by name (the repeated, identical entry for mm
// is accepted once); the default covers the Conv/MatMul/Gemm ops the plan
// does not name (conv), not other ops (the tanh); an fp32 op is reported as
// kept in float with the plan as the reason; the module records the plan.
// CHECK: module attributes {nb.precision_plan = "four-ops"}
// CHECK-LABEL: func.func @four_ops
// CHECK: nb.matmul {{.*}}{nb.precision = "int4-weight-g2"}
// CHECK: nb.relu {{.*}}{nb.precision = "fp16"}
// CHECK: nb.gemm {{.*}}{nb.kept_float = "precision plan: fp32", nb.precision = "fp32", trans_b = true}
// CHECK: nb.conv {{.*}}{nb.precision = "int8-dynamic"}
// CHECK: nb.tanh
// CHECK-NOT: nb.precision
// CHECK: return
func.func @four_ops(%x: tensor<2x4xf32>) -> tensor<1x2x1x1xf32> {
  %w = nb.constant dense<[[1.0, -2.0], [0.25, 1.0], [-1.0, 0.25], [0.125, -0.75]]> : tensor<4x2xf32>
  %y = nb.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32> loc("mm")
  %r = nb.relu %y : (tensor<2x2xf32>) -> tensor<2x2xf32> loc("act")
  %w2 = nb.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %g = nb.gemm %r, %w2 {trans_b = true} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc")
  %s = nb.constant dense<[1, 2, 2, 1]> : tensor<4xi64>
  %g4 = nb.reshape %g, %s : (tensor<2x2xf32>, tensor<4xi64>) -> tensor<1x2x2x1xf32> loc("shape")
  %wc = nb.constant dense<1.0> : tensor<2x2x2x1xf32>
  %c = nb.conv %g4, %wc : (tensor<1x2x2x1xf32>, tensor<2x2x2x1xf32>) -> tensor<1x2x1x1xf32> loc("conv")
  %t = nb.tanh %c : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> loc("out")
  return %t : tensor<1x2x1x1xf32>
}
