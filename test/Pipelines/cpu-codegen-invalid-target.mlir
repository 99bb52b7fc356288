// RUN: nibble-opt %s --nibble-cpu-codegen="target=pentium4" -verify-diagnostics

// expected-error @below {{unknown target 'pentium4'; expected one of x86-64-v3 | x86-64-v4 | native | generic}}
module {
  func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
    return %a : tensor<4xf32>
  }
}
