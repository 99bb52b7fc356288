// RUN: nibble-opt %s --nb-convert-float-precision 2>/dev/null | FileCheck %s --check-prefix=CALIB
// RUN: nibble-opt %s --nb-convert-float-precision="calibrated-headroom=0" 2>/dev/null | FileCheck %s --check-prefix=PROVED
// RUN: nibble-opt %s --nb-convert-float-precision="calibrated-headroom=20000" 2>&1 | FileCheck %s --check-prefix=WIDE
// RUN: not nibble-opt %s --nb-convert-float-precision="calibrated-headroom=-1" 2>&1 | FileCheck %s --check-prefix=BAD

// A proved range beyond f16 (the worst case over the input box) with a
// calibrated range well inside it: the calibrated range, with its headroom,
// decides, so the op converts; with calibrated-headroom=0 the proved range
// decides and it stays f32; a headroom that pushes the calibrated range past
// f16 keeps it f32 too.
// CALIB-LABEL: func.func @loose_proof
// CALIB: nb.mul {{.+}} -> tensor<8xf16>
// PROVED-LABEL: func.func @loose_proof
// PROVED: nb.mul {{.+}}nb.kept_float = "proved range [0, 1e+06] exceeds f16's largest finite value 65504"{{.+}} -> tensor<8xf32>
// WIDE: remark: 'nb.mul' stays float: calibrated range [0, 9] with 20000x headroom exceeds f16's largest finite value 65504
// BAD: error: nb-convert-float-precision: calibrated-headroom must be a finite number >= 0
func.func @loose_proof(%x: tensor<8xf32>) -> tensor<8xf32> {
  %sq = nb.mul %x, %x {nb.range = array<f64: 0.0, 1.0e6>, nb.calibrated_range = array<f64: 0.0, 9.0>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %sq : tensor<8xf32>
}
