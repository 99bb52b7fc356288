// RUN: nibble-opt %s -nb-instrument-observers -verify-diagnostics | FileCheck %s

// A function of several blocks is left alone, with a warning.
// CHECK-LABEL: func.func @blocks
// CHECK-SAME: -> tensor<4xf32>
// expected-warning @+1 {{only single-block functions ending in func.return are instrumented}}
func.func @blocks(%x: tensor<4xf32>) -> tensor<4xf32> {
  cf.br ^bb1
^bb1:
  %a = nb.relu %x {nb.output_names = ["r_out"]} : (tensor<4xf32>) -> tensor<4xf32> loc("r")
  return %a : tensor<4xf32>
}
