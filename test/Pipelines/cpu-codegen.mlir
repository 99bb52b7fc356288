// RUN: nibble-opt %s --nibble-cpu-codegen="target=x86-64-v3" --split-input-file | FileCheck %s
// RUN: nibble-opt %s --nibble-cpu-codegen="target=x86-64-v4" --split-input-file | FileCheck %s --check-prefix=V4

// nb in, LLVM dialect out, with the target on the module and 8-lane (AVX2)
// or 16-lane (AVX-512) vector arithmetic.
// CHECK: module attributes {llvm.target_triple = "{{.+}}", nibble.target = "x86-64-v3", nibble.target_cpu = "x86-64-v3"
// CHECK-LABEL: llvm.func @add_relu
// CHECK: llvm.fadd {{.+}} : vector<8xf32>
// CHECK: llvm.intr.maximum({{.+}}) : (vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK: llvm.store {{.+}} : vector<8xf32>, !llvm.ptr
// CHECK-LABEL: llvm.func @_mlir_ciface_add_relu
// V4-LABEL: llvm.func @add_relu
// V4: llvm.fadd {{.+}} : vector<16xf32>
func.func @add_relu(%a: tensor<4x64xf32>, %b: tensor<64xf32>) -> tensor<4x64xf32> attributes {llvm.emit_c_interface} {
  %0 = nb.add %a, %b : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  %1 = nb.relu %0 : (tensor<4x64xf32>) -> tensor<4x64xf32>
  return %1 : tensor<4x64xf32>
}

// -----

// A contraction: vector multiply-adds, and the result allocated with malloc
// for the caller to own.
// CHECK-LABEL: llvm.func @matmul
// CHECK: llvm.call @malloc
// CHECK: llvm.fmul {{.+}} : vector<{{[0-9]+}}xf32>
// CHECK: llvm.fadd {{.+}} : vector<8xf32>
// CHECK: llvm.return
func.func @matmul(%a: tensor<4x32xf32>, %b: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %0 = nb.matmul %a, %b : (tensor<4x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// f32 erf is a vector polynomial; f64 erf, which LLVM has no intrinsic for,
// calls libm.
// CHECK: llvm.func @erf(f64) -> f64
// CHECK-LABEL: llvm.func @erf_f32_f64(
// CHECK-NOT: llvm.call @erff
// CHECK: llvm.intr.fma({{.+}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK: llvm.call @erf({{.+}}) : (f64) -> f64
func.func @erf_f32_f64(%a: tensor<16xf32>, %b: tensor<4xf64>) -> (tensor<16xf32>, tensor<4xf64>) {
  %0 = nb.erf %a : (tensor<16xf32>) -> tensor<16xf32>
  %1 = nb.erf %b : (tensor<4xf64>) -> tensor<4xf64>
  return %0, %1 : tensor<16xf32>, tensor<4xf64>
}

// -----

// Returning an argument returns a copy the caller owns, never the argument.
// CHECK-LABEL: llvm.func @identity
// CHECK: llvm.call @malloc
// CHECK: "llvm.intr.memcpy"
func.func @identity(%a: tensor<16xf32>) -> tensor<16xf32> {
  return %a : tensor<16xf32>
}
