// RUN: nibble-opt %s --split-input-file --verify-diagnostics --nb-externalize-weights
// RUN: not nibble-opt %s --split-input-file --nb-externalize-weights=threshold=-1 2>&1 | FileCheck %s --check-prefix=NEGATIVE

// NEGATIVE: error: nb-externalize-weights: threshold must be >= 0, got -1

// expected-error @below {{the module already defines 'nibble_model_init_weights'; was nb-externalize-weights run twice?}}
module {
  llvm.func @nibble_model_init_weights(%arg0: !llvm.ptr) {
    llvm.return
  }
}
