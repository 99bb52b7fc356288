//===- Passes.td - nb dialect passes -----------------------*- tablegen -*-===//
//
// Each pass lives in lib/Dialect/NB/Transforms/<PassName>.cpp and is tested in
// test/Dialect/NB/Transforms/<command-line-name>.mlir.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_TD
#define NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrintModelSummary : Pass<"nb-print-model-summary", "ModuleOp"> {
  let summary = "Print ops by type, parameter count and bytes per precision";
  let description = [{
    Counts the `nb` ops of the module by name, the parameters held in
    constants (elements of `nb.constant` results of rank >= 1) and their
    bytes by element type (sub-byte types packed, quantized types by storage
    type). Prints a stable plain-text report to stdout (or `-o`), leaving
    the IR unchanged. The `nibble summary` driver command prints the same.
  }];
  let options = [
    Option<"outputFile", "o", "std::string", /*default=*/"\"-\"",
           "Where to write the summary ('-' for stdout)">
  ];
}

#endif // NIBBLE_DIALECT_NB_TRANSFORMS_PASSES_TD
