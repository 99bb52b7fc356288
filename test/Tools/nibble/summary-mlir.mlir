// `nibble summary` on MLIR input, in its three formats.
// RUN: nibble summary --format=lines %s | FileCheck %s --check-prefix=LINES
// RUN: nibble summary %s | FileCheck %s --check-prefix=TABLE
// RUN: nibble summary --format=json %s | FileCheck %s --check-prefix=JSON
// RUN: nibble summary --json %s -o %t.json && FileCheck %s --check-prefix=JSON < %t.json

// LINES:      op cast 1
// LINES-NEXT: op constant 4
// LINES-NEXT: op conv 1
// LINES-NEXT: op relu 1
// LINES-NEXT: params 84
// LINES-NEXT: bytes f32 16
// LINES-NEXT: bytes i4 36
// LINES-NEXT: bytes i8 8
// LINES-NEXT: bytes total 60

// TABLE:      Model: {{.*}}summary-mlir.mlir
// TABLE:      Ops by type:
// TABLE-NEXT:   cast       1
// TABLE-NEXT:   constant   4
// TABLE-NEXT:   conv       1
// TABLE-NEXT:   relu       1
// TABLE-NEXT:   ------------
// TABLE-NEXT:   total      7
// TABLE:      Parameters: 84
// TABLE:      Bytes by precision:
// TABLE-NEXT:   f32       16  16 B   26.7 %
// TABLE-NEXT:   i4        36  36 B   60.0 %
// TABLE-NEXT:   i8         8   8 B   13.3 %
// TABLE-NEXT:   ------------
// TABLE-NEXT:   total     60  60 B

// JSON:      "ops": {
// JSON-NEXT:   "cast": 1,
// JSON-NEXT:   "constant": 4,
// JSON-NEXT:   "conv": 1,
// JSON-NEXT:   "relu": 1
// JSON-NEXT: },
// JSON-NEXT: "params": 84,
// JSON-NEXT: "bytes": {
// JSON-NEXT:   "f32": 16,
// JSON-NEXT:   "i4": 36,
// JSON-NEXT:   "i8": 8
// JSON-NEXT: },
// JSON-NEXT: "bytes_total": 60

func.func @summary(%x: tensor<1x2x8x8xf32>) -> tensor<1x4x6x6xf32> {
  %w = nb.constant dense<1> : tensor<4x2x3x3xi4>
  %b = nb.constant dense<1.0> : tensor<4xf32>
  %z = nb.constant dense<0> : tensor<8xi8>
  // Rank 0: a scalar of the graph, not a parameter.
  %s = nb.constant dense<1.0> : tensor<f32>
  %wf = nb.cast %w : (tensor<4x2x3x3xi4>) -> tensor<4x2x3x3xf32>
  %0 = nb.conv %x, %wf, %b : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %1 = nb.relu %0 : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %1 : tensor<1x4x6x6xf32>
}
