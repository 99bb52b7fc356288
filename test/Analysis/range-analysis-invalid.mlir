// RUN: nibble-opt %s --nb-annotate-ranges -split-input-file -verify-diagnostics

// expected-error @below {{argument #0: 'nb.range' needs lo <= hi (no NaN)}}
func.func @reversed(%x: tensor<4xf32> {nb.range = array<f64: 2.0, -1.0>}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @below {{argument #1: expected 'nb.range' to be array<f64: lo, hi>}}
func.func @wrong_arity(%x: tensor<4xf32>, %y: tensor<4xf32> {nb.range = array<f64: 0.0>}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @below {{argument #0: expected 'nb.range' to be array<f64: lo, hi>}}
func.func @wrong_kind(%x: tensor<4xf32> {nb.range = [0.0, 1.0]}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
