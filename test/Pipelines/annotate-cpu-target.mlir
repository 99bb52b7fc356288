// RUN: nibble-opt %s --nb-annotate-cpu-target=target=x86-64-v3 | FileCheck %s --check-prefix=V3
// RUN: nibble-opt %s --nb-annotate-cpu-target=target=x86-64-v4 | FileCheck %s --check-prefix=V4
// RUN: nibble-opt %s --nb-annotate-cpu-target=target=generic | FileCheck %s --check-prefix=GENERIC
// RUN: nibble-opt %s --nb-annotate-cpu-target | FileCheck %s --check-prefix=NATIVE

// V3: module attributes {llvm.target_triple = "{{.+}}", nibble.target = "x86-64-v3", nibble.target_cpu = "x86-64-v3", nibble.target_features = "", nibble.vector_bits = 256 : i64}
// V4: module attributes {llvm.target_triple = "{{.+}}", nibble.target = "x86-64-v4", nibble.target_cpu = "x86-64-v4", nibble.target_features = "", nibble.vector_bits = 512 : i64}
// GENERIC: module attributes {llvm.target_triple = "{{.+}}", nibble.target = "generic", nibble.target_cpu = "x86-64", nibble.target_features = "", nibble.vector_bits = 128 : i64}
// The host's CPU name and its feature string, whatever they are.
// NATIVE: module attributes {llvm.target_triple = "{{.+}}", nibble.target = "native", nibble.target_cpu = "{{.+}}", nibble.target_features = "{{.*}}+sse2{{.*}}", nibble.vector_bits = {{128|256|512}} : i64}
module {
  func.func @f() {
    return
  }
}
