// An op the proxy cannot estimate (a weight of rank 1) is left without
// nb.sensitivity, with a warning at the op (a file location here, so that
// -verify-diagnostics sees it; the node has no name); the others are
// annotated.
// RUN: nibble-opt %s -verify-diagnostics --nb-annotate-sensitivity | FileCheck %s

// CHECK-LABEL: func.func @vector_weight
// CHECK: nb.matmul {{.*}}: (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2xf32>
// CHECK: nb.matmul {{.*}}nb.sensitivity = {{.*}}: (tensor<2xf32>, tensor<2x2xf32>)
func.func @vector_weight(%x: tensor<2x2xf32>) -> tensor<2xf32> {
  %v = nb.constant dense<[1.0, 0.5]> : tensor<2xf32>
  // expected-warning @+1 {{no sensitivity estimated: node '': the proxy needs a constant weight of static shape and rank >= 2}}
  %y = nb.matmul %x, %v : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %w = nb.constant dense<[[1.0, 0.5], [-0.5, 1.0]]> : tensor<2x2xf32>
  %z = nb.matmul %y, %w : (tensor<2xf32>, tensor<2x2xf32>) -> tensor<2xf32> loc("vm")
  return %z : tensor<2xf32>
}
