// RUN: nibble-opt %s --nb-cpu-approximate-math --split-input-file | FileCheck %s

// f32 tanh and erf, scalar or vector, become polynomial arithmetic.
// CHECK-LABEL: func.func @f32_vector
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: arith.mulf {{.+}} : vector<8xf32>
// CHECK: math.fma {{.+}} : vector<8xf32>
func.func @f32_vector(%x: vector<8xf32>) -> (vector<8xf32>, vector<8xf32>) {
  %0 = math.tanh %x : vector<8xf32>
  %1 = math.erf %x : vector<8xf32>
  return %0, %1 : vector<8xf32>, vector<8xf32>
}

// CHECK-LABEL: func.func @f32_scalar
// CHECK-NOT: math.tanh
func.func @f32_scalar(%x: f32) -> f32 {
  %0 = math.tanh %x : f32
  return %0 : f32
}

// -----

// Negative: f64 keeps libm's precision; other functions are left alone.
// CHECK-LABEL: func.func @untouched
// CHECK: math.tanh {{.+}} : vector<4xf64>
// CHECK: math.erf {{.+}} : f64
// CHECK: math.sin {{.+}} : vector<8xf32>
func.func @untouched(%x: vector<4xf64>, %y: f64, %z: vector<8xf32>) -> (vector<4xf64>, f64, vector<8xf32>) {
  %0 = math.tanh %x : vector<4xf64>
  %1 = math.erf %y : f64
  %2 = math.sin %z : vector<8xf32>
  return %0, %1, %2 : vector<4xf64>, f64, vector<8xf32>
}
