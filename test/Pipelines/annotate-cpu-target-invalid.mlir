// RUN: nibble-opt %s --nb-annotate-cpu-target=target=pentium4 -verify-diagnostics

// expected-error @below {{unknown target 'pentium4'; expected one of x86-64-v3 | x86-64-v4 | native | generic}}
module {
  func.func @f() {
    return
  }
}
