// RUN: nibble-opt %s -split-input-file -nb-insert-qdq=strict -verify-diagnostics
// RUN: not nibble-opt %s -nb-insert-qdq="exclude-nodes=conv[" 2>&1 | FileCheck %s --check-prefix=REGEX
// RUN: not nibble-opt %s -nb-insert-qdq="activation-type=u4" 2>&1 | FileCheck %s --check-prefix=TYPE
// RUN: not nibble-opt %s -nb-insert-qdq="overrides=%S/Inputs/overrides-missing-tensor.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not nibble-opt %s -nb-insert-qdq="overrides=%S/Inputs/overrides-bad-type.json" 2>&1 | FileCheck %s --check-prefix=BADTYPE
// RUN: not nibble-opt %s -nb-insert-qdq="overrides=%S/Inputs/overrides-bad-range.json" 2>&1 | FileCheck %s --check-prefix=BADRANGE
// RUN: not nibble-opt %s -nb-insert-qdq="overrides=%S/Inputs/does-not-exist.json" 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not nibble-opt %s -nb-insert-qdq="strict overrides=%S/Inputs/overrides-activation-axis.json" 2>&1 | FileCheck %s --check-prefix=ACTAXIS

// REGEX: error: invalid exclude-nodes regex 'conv[': brackets ([ ]) not balanced
// TYPE: error: activation-type must be u8, i8, f8e4m3 or f8e5m2, got 'u4'
// MISSING: error: overrides: tensor 'conv9_out' does not exist in the module
// BADTYPE: error: overrides: {{.*}}overrides-bad-type.json: tensor 'x': "type" must be one of "u8", "i8", "f8e4m3", "f8e5m2"
// BADRANGE: error: overrides: {{.*}}overrides-bad-range.json: tensor 'x': "range" must be [min, max] with finite min <= max
// NOFILE: error: overrides: cannot read '{{.*}}does-not-exist.json'
// ACTAXIS: error: 'nb.matmul' cannot be quantized: override of activation 'x' asks for axis 1, but activations are quantized per tensor

// Under strict, a tensor without a range is an error naming the node and
// the tensor, and nothing is rewritten.
func.func @no_range(%x: tensor<2x3xf32> {nb.name = "x", nb.range = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w = nb.constant dense<1.0> : tensor<3x2xf32>
  // expected-error @+1 {{'nb.matmul' cannot be quantized: no calibrated range for tensor 'mm_out'}}
  %y = nb.matmul %x, %w {nb.output_names = ["mm_out"]} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// An input without nb.range is an error too.
func.func @no_input_range(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = nb.constant dense<1.0> : tensor<3x2xf32>
  // expected-error @+1 {{'nb.matmul' cannot be quantized: no calibrated range for tensor 'arg0'}}
  %y = nb.matmul %x, %w {nb.calibrated_range = array<f64: -3.0, 3.0>} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A weight with NaN cannot be quantized.
func.func @nan_weight(%x: tensor<1x2xf32> {nb.range = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %w = nb.constant dense<[[1.0, 0x7FC00000], [0.5, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{'nb.matmul' cannot be quantized: weight element 1 is NaN}}
  %y = nb.matmul %x, %w {nb.calibrated_range = array<f64: -3.0, 3.0>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Under strict, an operand of unknown rank is an error naming the node.
func.func @unranked_activation(%x: tensor<*xf32>) -> tensor<*xf32> {
  %w = nb.constant dense<1.0> : tensor<3x2xf32>
  // expected-error @+1 {{'nb.matmul' cannot be quantized: an operand or the result has unknown rank}}
  %y = nb.matmul %x, %w {nb.calibrated_range = array<f64: -3.0, 3.0>} : (tensor<*xf32>, tensor<3x2xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}
