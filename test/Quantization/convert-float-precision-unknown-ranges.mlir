// An unknown range (unbounded, or not annotated) is no evidence of
// overflow: by default such ops convert and one remark per function counts
// them; unknown-ranges=keep-f32 keeps them f32 with a note. A finite bound
// beyond the target keeps an op f32 either way.
//
// RUN: nibble-opt %s -split-input-file --nb-convert-float-precision -o %t.convert 2> %t.convert.err
// RUN: FileCheck %s --check-prefix=CONVERT < %t.convert
// RUN: FileCheck %s --check-prefix=CONVERT-REMARK < %t.convert.err
// RUN: nibble-opt %s -split-input-file --nb-convert-float-precision=unknown-ranges=keep-f32 -o %t.keep 2> %t.keep.err
// RUN: FileCheck %s --check-prefix=KEEP < %t.keep
// RUN: FileCheck %s --check-prefix=KEEP-REMARK < %t.keep.err
// RUN: nibble-opt %s -split-input-file --nb-convert-float-precision="type=bf16 unknown-ranges=keep-f32" -o %t.bf16 2> %t.bf16.err
// RUN: FileCheck %s --check-prefix=BF16 < %t.bf16
// RUN: FileCheck %s --check-prefix=BF16-REMARK --allow-empty < %t.bf16.err
// RUN: not nibble-opt %s -split-input-file --nb-convert-float-precision=unknown-ranges=maybe 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not nibble-opt %s -split-input-file --nb-convert-float-precision="strict unknown-ranges=keep-f32" -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRICT

// Under strict, an op kept f32 for its unknown range is an error.
// STRICT: error: 'nb.exp' cannot be quantized: range unknown (unbounded or not annotated), may exceed f16's largest finite value 65504 (unknown-ranges=keep-f32)

// OPTION: error: nb-convert-float-precision: unknown-ranges must be convert or keep-f32, got 'maybe'

// exp's proved range is unbounded and relu has none: both unknown; tanh's
// range is finite and within f16.
// CONVERT-LABEL: func.func @unknown
// CONVERT: nb.exp {{.+}} -> tensor<8xf16>
// CONVERT: nb.relu {{.+}} -> tensor<8xf16>
// CONVERT: nb.tanh {{.+}} -> tensor<8xf16>
// CONVERT-NOT: nb.kept_float
// CONVERT-REMARK: remark: ranges unknown for 2 of 3 ops converted to f16 (no finite nb.range or nb.calibrated_range): their values may exceed 65504; bound them with nb.range on the inputs and nb-annotate-ranges, or a calibration table (nb-import-calibration-table), or keep them f32 with unknown-ranges=keep-f32
// CONVERT-REMARK-NOT: ranges unknown
// KEEP-LABEL: func.func @unknown
// KEEP: nb.exp {{.+}}nb.kept_float = "range unknown (unbounded or not annotated), may exceed f16's largest finite value 65504 (unknown-ranges=keep-f32)"{{.+}} -> tensor<8xf32>
// KEEP: nb.relu {{.+}}nb.kept_float = "range unknown{{.+}} -> tensor<8xf32>
// KEEP: nb.tanh {{.+}} -> tensor<8xf16>
// KEEP-REMARK: remark: 'nb.exp' stays float: range unknown (unbounded or not annotated)
// KEEP-REMARK: remark: 'nb.relu' stays float: range unknown
// KEEP-REMARK-NOT: ranges unknown for
// bf16 has f32's exponent range: unknown ranges risk nothing more.
// BF16-LABEL: func.func @unknown
// BF16-NOT: nb.kept_float
// BF16: nb.exp {{.+}} -> tensor<8xbf16>
// BF16-REMARK-NOT: remark
func.func @unknown(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = nb.exp %x {nb.range = array<f64: 0.0, 0x7FF0000000000000>} : (tensor<8xf32>) -> tensor<8xf32>
  %r = nb.relu %e : (tensor<8xf32>) -> tensor<8xf32>
  %t = nb.tanh %x {nb.range = array<f64: -1.0, 1.0>} : (tensor<8xf32>) -> tensor<8xf32>
  return %r, %t : tensor<8xf32>, tensor<8xf32>
}

// -----

// A finite calibrated range within f16 makes an unbounded proved range
// known; a finite calibrated bound beyond f16 keeps the op f32 in both
// modes, though its proved range is unbounded. Nothing is unknown here.
// CONVERT-LABEL: func.func @calibrated_bounds
// CONVERT: nb.exp {{.+}} -> tensor<8xf16>
// CONVERT: nb.add {{.+}}nb.kept_float = "calibrated range [0, 100000] with 4x headroom exceeds f16's largest finite value 65504"{{.+}} -> tensor<8xf32>
// KEEP-LABEL: func.func @calibrated_bounds
// KEEP: nb.exp {{.+}} -> tensor<8xf16>
// KEEP: nb.add {{.+}}nb.kept_float = "calibrated range [0, 100000] with 4x headroom exceeds f16's largest finite value 65504"{{.+}} -> tensor<8xf32>
// CONVERT-REMARK: remark: 'nb.add' stays float: calibrated range [0, 100000] with 4x headroom exceeds f16's largest finite value 65504
// CONVERT-REMARK-NOT: ranges unknown
func.func @calibrated_bounds(%x: tensor<8xf32> {nb.range = array<f64: -1.0, 1.0>}) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = nb.exp %x {nb.range = array<f64: 0.0, 0x7FF0000000000000>, nb.calibrated_range = array<f64: 0.3, 2.8>} : (tensor<8xf32>) -> tensor<8xf32>
  %a = nb.add %x, %x {nb.range = array<f64: 0xFFF0000000000000, 0x7FF0000000000000>, nb.calibrated_range = array<f64: 0.0, 1.0e5>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %e, %a : tensor<8xf32>, tensor<8xf32>
}
