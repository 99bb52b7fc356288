// RUN: nibble-opt %s --nb-convert-float-precision -split-input-file 2>/dev/null | FileCheck %s
// RUN: nibble-opt %s --nb-convert-float-precision="type=bf16 keep-io-types" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=BF16
// RUN: nibble-opt %s --nb-convert-float-precision="exclude-op-types=Relu" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=EXCLUDE
// RUN: nibble-opt %s --nb-convert-float-precision -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// Everything converts: the signature, the weight and bias constants (at
// compile time, no casts), and every op between.
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x4x4xf16>) -> tensor<1x2x4x4xf16>
// CHECK-DAG: %[[W:.+]] = nb.constant dense<{{.+}}> : tensor<2x1x3x3xf16>
// CHECK-DAG: %[[B:.+]] = nb.constant dense<[5.000000e-01, -2.500000e-01]> : tensor<2xf16>
// CHECK: %[[C:.+]] = nb.conv %[[X]], %[[W]], %[[B]] {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xf16>, tensor<2x1x3x3xf16>, tensor<2xf16>) -> tensor<1x2x4x4xf16>
// CHECK: %[[R:.+]] = nb.relu %[[C]] : (tensor<1x2x4x4xf16>) -> tensor<1x2x4x4xf16>
// CHECK: return %[[R]] : tensor<1x2x4x4xf16>
// CHECK-NOT: nb.cast
// With keep-io-types the signature stays f32: one cast in, one cast out.
// BF16-LABEL: func.func @conv_relu
// BF16-SAME: (%[[X:.+]]: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32>
// BF16: %[[IN:.+]] = nb.cast %[[X]] : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xbf16>
// BF16: nb.conv %[[IN]], %{{.+}}, %{{.+}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xbf16>, tensor<2x1x3x3xbf16>, tensor<2xbf16>) -> tensor<1x2x4x4xbf16>
// BF16: %[[R:.+]] = nb.relu %{{.+}} : (tensor<1x2x4x4xbf16>) -> tensor<1x2x4x4xbf16>
// BF16: %[[OUT:.+]] = nb.cast %[[R]] : (tensor<1x2x4x4xbf16>) -> tensor<1x2x4x4xf32>
// BF16: return %[[OUT]] : tensor<1x2x4x4xf32>
// An excluded op stays f32, without a note; its result is returned in f32.
// EXCLUDE-LABEL: func.func @conv_relu
// EXCLUDE-SAME: (%{{.+}}: tensor<1x1x4x4xf16>) -> tensor<1x2x4x4xf32>
// EXCLUDE: %[[C:.+]] = nb.conv {{.+}} -> tensor<1x2x4x4xf16>
// EXCLUDE: %[[UP:.+]] = nb.cast %[[C]] : (tensor<1x2x4x4xf16>) -> tensor<1x2x4x4xf32>
// EXCLUDE: %[[R:.+]] = nb.relu %[[UP]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// EXCLUDE: return %[[R]] : tensor<1x2x4x4xf32>
func.func @conv_relu(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nb.constant dense<0.125> : tensor<2x1x3x3xf32>
  %b = nb.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %c = nb.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = nb.relu %c : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// An op whose proved range leaves f16 (|x| <= 1000, x * x up to 1e6) stays
// f32 with a note; its half input is cast up once for its two uses' sake
// and its f32 result cast down once for both half users.
// CHECK-LABEL: func.func @overflow
// CHECK-SAME: (%[[X:.+]]: tensor<8xf16> {nb.range = array<f64: -1.000000e+03, 1.000000e+03>}) -> (tensor<8xf16>, tensor<8xf16>)
// CHECK: %[[UP:.+]] = nb.cast %[[X]] : (tensor<8xf16>) -> tensor<8xf32>
// CHECK: %[[SQ:.+]] = nb.mul %[[UP]], %[[UP]] {nb.kept_float = "proved range [0, 1e+06] exceeds f16's largest finite value 65504", nb.range = array<f64: 0.000000e+00, 1.000000e+06>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK: %[[DOWN:.+]] = nb.cast %[[SQ]] : (tensor<8xf32>) -> tensor<8xf16>
// CHECK-NOT: nb.cast
// CHECK: nb.sqrt %[[DOWN]] {{.+}} : (tensor<8xf16>) -> tensor<8xf16>
// CHECK: nb.tanh %[[DOWN]] {{.+}} : (tensor<8xf16>) -> tensor<8xf16>
// bf16 reaches 3.4e38: nothing stays f32.
// BF16-LABEL: func.func @overflow
// BF16-NOT: nb.kept_float
// BF16: nb.mul {{.+}} -> tensor<8xbf16>
// REMARK: remark: 'nb.mul' stays float: proved range [0, 1e+06] exceeds f16's largest finite value 65504
func.func @overflow(%x: tensor<8xf32> {nb.range = array<f64: -1000.0, 1000.0>}) -> (tensor<8xf32>, tensor<8xf32>) {
  %sq = nb.mul %x, %x {nb.range = array<f64: 0.0, 1.0e6>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s = nb.sqrt %sq {nb.range = array<f64: 0.0, 1000.0>} : (tensor<8xf32>) -> tensor<8xf32>
  %t = nb.tanh %sq {nb.range = array<f64: 0.0, 1.0>} : (tensor<8xf32>) -> tensor<8xf32>
  return %s, %t : tensor<8xf32>, tensor<8xf32>
}

// -----

// A calibrated range counts as well; a constant operand beyond f16 keeps its
// consumer f32; an input declared beyond f16 keeps its f32 type. Values
// computed in f32 are returned in f32 (a half result would overflow).
// CHECK-LABEL: func.func @calibrated_and_constants
// CHECK-SAME: (%[[X:.+]]: tensor<4xf16>, %[[BIG:.+]]: tensor<4xf32> {nb.range = array<f64: 0.000000e+00, 1.000000e+05>}) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: nb.add %{{.+}}, %{{.+}} {nb.calibrated_range = array<f64: -7.000000e+04, 1.000000e+00>, nb.kept_float = "calibrated range [-70000, 1] with 4x headroom exceeds f16's largest finite value 65504"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: nb.mul %{{.+}}, %{{.+}} {nb.kept_float = "constant operand value 100000 exceeds f16's largest finite value 65504"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: nb.relu %[[BIG]] {nb.kept_float = "proved range [0, 100000] exceeds f16's largest finite value 65504", {{.+}}} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: nb.cast
func.func @calibrated_and_constants(%x: tensor<4xf32>, %big: tensor<4xf32> {nb.range = array<f64: 0.0, 1.0e5>}) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %c = nb.constant dense<1.0e5> : tensor<4xf32>
  %a = nb.add %x, %x {nb.calibrated_range = array<f64: -7.0e4, 1.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m = nb.mul %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = nb.relu %big {nb.range = array<f64: 0.0, 1.0e5>} : (tensor<4xf32>) -> tensor<4xf32>
  return %a, %m, %r : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Negative: ops with no half form here (quantization ops, Resize with its
// f32 scales) stay f32 with a note; integer ops and shapes are not touched.
// CHECK-LABEL: func.func @no_half_form
// CHECK: nb.dynamic_quantize_linear %{{.+}} {nb.kept_float = "no f16 form of this op"}
// CHECK: nb.shape %{{.+}} : (tensor<2x3xf16>) -> tensor<2xi64>
// CHECK: nb.neg %{{.+}} : (tensor<2x3xi32>) -> tensor<2x3xi32>
func.func @no_half_form(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>) -> (tensor<2x3xui8>, tensor<2xi64>, tensor<2x3xi32>) {
  %q, %s, %z = nb.dynamic_quantize_linear %x : (tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>)
  %shape = nb.shape %x : (tensor<2x3xf32>) -> tensor<2xi64>
  %n = nb.neg %i : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %q, %shape, %n : tensor<2x3xui8>, tensor<2xi64>, tensor<2x3xi32>
}
