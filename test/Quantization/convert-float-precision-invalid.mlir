// RUN: nibble-opt %s --nb-convert-float-precision=strict -split-input-file -verify-diagnostics
// RUN: not nibble-opt %s --nb-convert-float-precision=type=f8 2>&1 | FileCheck %s --check-prefix=TYPE
// RUN: not nibble-opt %s --nb-convert-float-precision="exclude-nodes=[" 2>&1 | FileCheck %s --check-prefix=REGEX
//
// Under `strict`, an op that must stay f32 is an error instead of a note.

// TYPE: error: nb-convert-float-precision: type must be f16 or bf16, got 'f8'
// REGEX: error: nb-convert-float-precision: invalid exclude-nodes regex '['

func.func @overflow(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'nb.mul' cannot be quantized: proved range [0, 1e+06] exceeds f16's largest finite value 65504}}
  %sq = nb.mul %x, %x {nb.range = array<f64: 0.0, 1.0e6>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %sq : tensor<8xf32>
}

// -----

// An unbounded proved range is no evidence of overflow: not an error, even
// under strict; it converts and is counted in one remark
// (convert-float-precision-unknown-ranges.mlir has unknown-ranges=keep-f32).
// expected-remark @+1 {{ranges unknown for 1 of 1 ops converted to f16}}
func.func @unbounded(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = nb.exp %x {nb.range = array<f64: 0.0, 0x7FF0000000000000>} : (tensor<8xf32>) -> tensor<8xf32>
  return %e : tensor<8xf32>
}

// -----

func.func @no_half_form(%x: tensor<2x3xf32>) -> tensor<2x3xui8> {
  // expected-error @+1 {{'nb.dynamic_quantize_linear' cannot be quantized: no f16 form of this op}}
  %q, %s, %z = nb.dynamic_quantize_linear %x : (tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>)
  return %q : tensor<2x3xui8>
}
