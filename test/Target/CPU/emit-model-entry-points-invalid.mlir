// RUN: nibble-opt %s --split-input-file --verify-diagnostics --nb-emit-model-entry-points

// expected-error @below {{the module has no nibble.signature attribute (recordModelSignature sets it before lowering)}}
module {
}

// -----

// expected-error @below {{no lowered function 'main' (the LLVM dialect function nibble.signature names)}}
module attributes {nibble.signature = {function = "main", inputs = [], outputs = []}} {
}

// -----

module attributes {nibble.signature = {function = "main", inputs = [{name = "x", type = tensor<4xf32>}], outputs = []}} {
  // expected-error @below {{has type '!llvm.func<void (ptr, ptr, i64)>', but its recorded signature implies '!llvm.func<void (ptr, ptr, i64, i64, i64)>'}}
  llvm.func @main(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: i64) {
    llvm.return
  }
}

// -----

// expected-error @below {{nibble.signature 'inputs' entries must be {name = string, type = static tensor type}}}
module attributes {nibble.signature = {function = "main", inputs = [{name = "x", type = tensor<?xf32>}], outputs = []}} {
}

// -----

// expected-error @below {{the module already defines 'nibble_model_run'}}
module attributes {nibble.signature = {function = "main", inputs = [], outputs = []}} {
  llvm.func @main() {
    llvm.return
  }
  llvm.func @nibble_model_run(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
    llvm.return
  }
}
