// RUN: nibble-opt %s --nibble-cpu-codegen="target=x86-64-v3" -split-input-file -verify-diagnostics

// An op no lowering handles fails the pipeline at its location.
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{failed to legalize operation 'nb.opaque' that was explicitly marked illegal}}
  %0 = nb.opaque "Foo"(%a) {domain = "", version = 17 : i64, onnx_attributes = {}} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
