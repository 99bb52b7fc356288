// RUN: nibble-opt %s --nb-cpu-expand-narrow-floats --split-input-file | FileCheck %s

// Extension: a lookup in a table of every bit pattern, hoisted to the
// function entry.
// CHECK-LABEL: func.func @extend
// CHECK-DAG: %[[TABLE8:.+]] = arith.constant dense<{{.+}}> : tensor<256xf32>
// CHECK-DAG: %[[TABLE4:.+]] = arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, -0.000000e+00, -5.000000e-01, -1.000000e+00, -1.500000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00]> : tensor<16xf32>
// CHECK: %[[BITS:.+]] = arith.bitcast %{{.+}} : f8E4M3FN to i8
// CHECK: %[[INDEX:.+]] = arith.index_castui %[[BITS]] : i8 to index
// CHECK: %[[VALUE:.+]] = tensor.extract %[[TABLE8]][%[[INDEX]]] : tensor<256xf32>
// CHECK: arith.truncf %[[VALUE]] : f32 to f16
// CHECK: arith.bitcast %{{.+}} : f4E2M1FN to i4
// CHECK: tensor.extract %[[TABLE4]]
// CHECK-NOT: arith.extf {{.+}} : f8
func.func @extend(%a: f8E4M3FN, %b: f4E2M1FN) -> (f16, f32) {
  %0 = arith.extf %a : f8E4M3FN to f16
  %1 = arith.extf %b : f4E2M1FN to f32
  return %0, %1 : f16, f32
}

// -----

// Truncation: scale, round to nearest even, re-encode; f16 sources widen
// to f32 first.
// CHECK-LABEL: func.func @truncate
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: math.roundeven
// CHECK: %[[BITS:.+]] = arith.trunci %{{.+}} : i32 to i8
// CHECK: arith.bitcast %[[BITS]] : i8 to f8E5M2
// CHECK-NOT: arith.truncf {{.+}} to f8E5M2
func.func @truncate(%a: f16) -> f8E5M2 {
  %0 = arith.truncf %a : f16 to f8E5M2
  return %0 : f8E5M2
}

// -----

// Negative: conversions between LLVM-representable types, vectors (the
// pass runs before vectorization) and the exponent-only f8E8M0FNU target
// are left alone.
// CHECK-LABEL: func.func @untouched
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: arith.extf %{{.+}} : vector<4xf8E4M3FN> to vector<4xf32>
// CHECK: arith.truncf %{{.+}} : f32 to f8E8M0FNU
func.func @untouched(%a: f32, %v: vector<4xf8E4M3FN>) -> (f16, vector<4xf32>, f8E8M0FNU) {
  %0 = arith.truncf %a : f32 to f16
  %1 = arith.extf %v : vector<4xf8E4M3FN> to vector<4xf32>
  %2 = arith.truncf %a : f32 to f8E8M0FNU
  return %0, %1, %2 : f16, vector<4xf32>, f8E8M0FNU
}
