// RUN: nibble-opt %s -split-input-file -nb-infer-shapes -verify-diagnostics

// Refining the reshape exposes matmul inner dims that differ.
func.func @contradiction(%x: tensor<12xf32>, %w: tensor<5x3xf32>) -> tensor<*xf32> {
  %s = nb.constant dense<[2, 6]> : tensor<2xi64>
  %0 = nb.reshape %x, %s : (tensor<12xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // expected-error @+1 {{contraction dims differ: 6 vs 5}}
  %1 = nb.matmul %0, %w : (tensor<?x?xf32>, tensor<5x3xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

// Refined operands make the declared result shape wrong.
func.func @result_contradiction(%x: tensor<12xf32>, %w: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %s = nb.constant dense<[3, 4]> : tensor<2xi64>
  %0 = nb.reshape %x, %s : (tensor<12xf32>, tensor<2xi64>) -> tensor<*xf32>
  // expected-error @+1 {{result #0 type 'tensor<2x5xf32>' is incompatible with the inferred type 'tensor<3x5xf32>'}}
  %1 = nb.matmul %0, %w : (tensor<*xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %1 : tensor<2x5xf32>
}
