// RUN: nibble-opt %s -split-input-file -verify-diagnostics \
// RUN:   --nb-annotate-sensitivity='candidates=int8,int3-weight'

// expected-error @+1 {{nb-annotate-sensitivity: candidate 'int3-weight': unknown precision 'int3-weight'}}
func.func @unknown_candidate(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = nb.constant dense<[[1.0, 0.5], [-0.5, 1.0]]> : tensor<2x2xf32>
  %y = nb.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("mm")
  return %y : tensor<2x2xf32>
}
