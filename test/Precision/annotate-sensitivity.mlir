// nb-annotate-sensitivity: the proxy sensitivity (docs/precision-plan.md,
// "Sensitivity") of each Conv/ConvTranspose/MatMul/Gemm with a constant
// weight, as nb.sensitivity = {<precision> = <estimated output SQNR dB>}.
// RUN: nibble-opt %s -split-input-file --nb-annotate-sensitivity | FileCheck %s
// RUN: nibble-opt %s -split-input-file \
// RUN:   --nb-annotate-sensitivity='candidates=int8-dynamic,int4-weight' \
// RUN:   | FileCheck %s --check-prefix=CANDIDATES

// The expected values, worked by hand from the formula (noise-to-signal
// ratios add; SQNR = -10 log10(NSR)):
// - weight columns [1, -0.5] and [0.5, 1] (MatMul: one scale per column).
//   int8: step 1/127, 0.5 -> 64/127, error 0.5/127 twice over a signal of
//   2.5: NSR 1.2400e-5. Input range [-1, 1] and result range [-3, 3] each
//   add (2m/255)^2/12 / (m^2/3) = 1/65025 = 1.5379e-5: 4.3158e-5, 43.649 dB.
//   int4 (group 32 > K = 2: one group per column): step 1/7, 0.5 -> 4/7,
//   error 1/14 twice over 2.5: NSR 4.0816e-3, 23.892 dB.
//   fp16: the weight is exact; input and result each 2^-20/12: 67.988 dB.
// CHECK-LABEL: func.func @matmul
// CHECK: nb.matmul {{.*}}nb.sensitivity = {fp16 = 67.9875{{[0-9]*}} : f64, "int4-weight-g32" = 23.8916{{[0-9]*}} : f64, int8 = 43.6494{{[0-9]*}} : f64}
// - int8-dynamic: the weight and the input only: 2.7779e-5, 45.563 dB.
// CANDIDATES-LABEL: func.func @matmul
// CANDIDATES: nb.matmul {{.*}}nb.sensitivity = {"int4-weight" = 23.8916{{[0-9]*}} : f64, "int8-dynamic" = 45.5628{{[0-9]*}} : f64}
func.func @matmul(%x: tensor<2x2xf32> {nb.range = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w = nb.constant dense<[[1.0, 0.5], [-0.5, 1.0]]> : tensor<2x2xf32>
  %y = nb.matmul %x, %w {nb.calibrated_range = array<f64: -3.0, 3.0>} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("mm")
  return %y : tensor<2x2xf32>
}

// -----

// Gemm with trans_b: the output channels are the weight's rows, [1, 0.5]
// and [0.25, 0.125]; per row both round like the column above (int4 NSR
// 4.0816e-3, 23.892 dB). Scales per column instead would give
// [1, 0.25] -> 2/7 and [0.5, 0.125] -> 1/7: NSR 1.2004e-3, 29.21 dB.
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK: nb.gemm {{.*}}"int4-weight-g32" = 23.8916{{[0-9]*}} : f64
// CANDIDATES-LABEL: func.func @gemm_trans_b
// CANDIDATES: nb.gemm {{.*}}"int4-weight" = 23.8916{{[0-9]*}} : f64
func.func @gemm_trans_b(%x: tensor<3x2xf32> {nb.range = array<f64: -1.0, 1.0>}) -> tensor<3x2xf32> {
  %w = nb.constant dense<[[1.0, 0.5], [0.25, 0.125]]> : tensor<2x2xf32>
  %b = nb.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %y = nb.gemm %x, %w, %b {trans_b = true} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32> loc("fc")
  return %y : tensor<3x2xf32>
}

// -----

// No constant weight, no precision to choose: nothing is written.
// CHECK-LABEL: func.func @activations_only
// CHECK-NOT: nb.sensitivity
// CANDIDATES-LABEL: func.func @activations_only
// CANDIDATES-NOT: nb.sensitivity
func.func @activations_only(%x: tensor<2x2xf32>, %w: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %y = nb.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("mm")
  %r = nb.relu %y : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}
