// RUN: nibble-opt %s --nb-annotate-ranges -split-input-file -verify-diagnostics | FileCheck %s
//
// Intervals below were worked out by hand; widened bounds (rounding slack of
// a few f32 ulps) are matched by their leading digits.

// CHECK-LABEL: func.func @entry_ranges
// CHECK: nb.neg %{{.*}} {nb.range = array<f64: -3.000000e+00, 2.000000e+00>}
// Unbounded float argument: |x| is only known to be >= 0.
// CHECK: nb.abs %{{.*}} {nb.range = array<f64: 0.000000e+00, 0x7FF0000000000000>}
// -(-128) wraps in i8, so the whole storage range.
// CHECK: nb.neg %{{.*}} {nb.range = array<f64: -1.280000e+02, 1.270000e+02>}
func.func @entry_ranges(%x: tensor<4xf32> {nb.range = array<f64: -2.0, 3.0>}, %f: tensor<4xf32>, %q: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi8>) {
  %0 = nb.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = nb.abs %f : (tensor<4xf32>) -> tensor<4xf32>
  %2 = nb.neg %q : (tensor<4xi8>) -> tensor<4xi8>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi8>
}

// -----

// CHECK-LABEL: func.func @activations
// CHECK: nb.relu {{.*}}nb.range = array<f64: 0.000000e+00, 3.000000e+00>
// sigmoid(-2) = 0.1192029, sigmoid(3) = 0.9525741
// CHECK: nb.sigmoid {{.*}}nb.range = array<f64: 0.119202{{[0-9]*}}, 0.952574{{[0-9]*}}>
// CHECK: nb.tanh {{.*}}nb.range = array<f64: -0.964028{{[0-9]*}}, 0.995055{{[0-9]*}}>
// CHECK: nb.erf {{.*}}nb.range = array<f64: -0.995322{{[0-9]*}}, 0.99997{{[0-9]*}}>
// 0.2 * -2 + 0.5 = 0.1; 0.2 * 3 + 0.5 clamps to 1
// CHECK: nb.hard_sigmoid {{.*}}nb.range = array<f64: 0.09999{{[0-9]*}}, 1.000000e+00>
// minimum -0.375 at x = -1.5
// CHECK: nb.hard_swish {{.*}}nb.range = array<f64: -0.37500{{[0-9]*}}, 3.00000{{[0-9]*}}>
// CHECK: nb.leaky_relu {{.*}}nb.range = array<f64: -1.00000{{[0-9]*}}, 3.00000{{[0-9]*}}>
// gelu: -0.17 below, 3 * Phi(3) = 2.99595 above (plus 1e-3 tanh-approximation slack)
// CHECK: nb.gelu {{.*}}nb.range = array<f64: -0.170{{[0-9]*}}, 2.996{{[0-9]*}}>
// CHECK: nb.softmax {{.*}}nb.range = array<f64: 0.000000e+00, 1.000000e+00>
// CHECK: nb.exp {{.*}}nb.range = array<f64: 0.135323{{[0-9]*}}, 20.0855{{[0-9]*}}>
// CHECK: nb.sqrt {{.*}}nb.range = array<f64: 0.000000e+00, 1.73205{{[0-9]*}}>
// CHECK: nb.log {{.*}}nb.range = array<f64: 0xFFF0000000000000, 1.09861{{[0-9]*}}>
// CHECK: nb.abs {{.*}}nb.range = array<f64: 0.000000e+00, 3.000000e+00>
func.func @activations(%x: tensor<4xf32> {nb.range = array<f64: -2.0, 3.0>}) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = nb.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = nb.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  %2 = nb.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  %3 = nb.erf %x : (tensor<4xf32>) -> tensor<4xf32>
  %4 = nb.hard_sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  %5 = nb.hard_swish %x : (tensor<4xf32>) -> tensor<4xf32>
  %6 = nb.leaky_relu %x {alpha = 0.5 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %7 = nb.gelu %x : (tensor<4xf32>) -> tensor<4xf32>
  %8 = nb.softmax %x : (tensor<4xf32>) -> tensor<4xf32>
  %9 = nb.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %10 = nb.sqrt %x : (tensor<4xf32>) -> tensor<4xf32>
  %11 = nb.log %x : (tensor<4xf32>) -> tensor<4xf32>
  %12 = nb.abs %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @arith
// CHECK: nb.add {{.*}}nb.range = array<f64: -1.00000{{[0-9]*}}, 7.00000{{[0-9]*}}>
// CHECK: nb.sub {{.*}}nb.range = array<f64: -6.00000{{[0-9]*}}, 2.00000{{[0-9]*}}>
// CHECK: nb.mul {{.*}}nb.range = array<f64: -8.00000{{[0-9]*}}, 12.00000{{[0-9]*}}>
// CHECK: nb.div {{.*}}nb.range = array<f64: -2.00000{{[0-9]*}}, 3.00000{{[0-9]*}}>
// Division by an interval containing 0 is unbounded.
// CHECK: nb.div {{.*}}nb.range = array<f64: 0xFFF0000000000000, 0x7FF0000000000000>
// CHECK: nb.pow {{.*}}nb.range = array<f64: 0.000000e+00, 9.00000{{[0-9]*}}>
// CHECK: nb.clip {{.*}}nb.range = array<f64: -1.000000e+00, 3.000000e+00>
func.func @arith(%x: tensor<4xf32> {nb.range = array<f64: -2.0, 3.0>}, %y: tensor<4xf32> {nb.range = array<f64: 1.0, 4.0>}) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = nb.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nb.sub %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = nb.mul %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = nb.div %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = nb.div %y, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %two = nb.constant dense<2.0> : tensor<f32>
  %5 = nb.pow %x, %two : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %lo = nb.constant dense<-1.0> : tensor<f32>
  %hi = nb.constant dense<6.0> : tensor<f32>
  %6 = nb.clip %x, %lo, %hi {operandSegmentSizes = array<i32: 1, 1, 1>} : (tensor<4xf32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}


// -----

// CHECK-LABEL: func.func @data_movement
// CHECK: nb.transpose {{.*}}nb.range = array<f64: -2.000000e+00, 3.000000e+00>
// CHECK: nb.concat {{.*}}nb.range = array<f64: -2.000000e+00, 7.000000e+00>
// The pad value 9 joins [5, 7].
// CHECK: nb.pad {{.*}}nb.range = array<f64: 5.000000e+00, 9.000000e+00>
// CHECK: nb.reshape {{.*}}nb.range = array<f64: 5.000000e+00, 7.000000e+00>
func.func @data_movement(%x: tensor<2x3xf32> {nb.range = array<f64: -2.0, 3.0>}, %y: tensor<2x3xf32> {nb.range = array<f64: 5.0, 7.0>}) -> (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<6xf32>) {
  %0 = nb.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = nb.concat %x, %y {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %pads = nb.constant dense<[1, 0, 1, 0]> : tensor<4xi64>
  %c = nb.constant dense<9.0> : tensor<f32>
  %2 = nb.pad %y, %pads, %c {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x3xf32>
  %shape = nb.constant dense<[6]> : tensor<1xi64>
  %3 = nb.reshape %y, %shape : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
  return %0, %1, %2, %3 : tensor<3x2xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<6xf32>
}

// -----

// Blob floats: -1, 2, 2.5, -2.
// CHECK-LABEL: func.func @resource_constant
// CHECK: nb.constant {nb.range = array<f64: -2.000000e+00, 2.500000e+00>} dense_resource<blob>
func.func @resource_constant() -> tensor<4xf32> {
  %0 = nb.constant dense_resource<blob> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x04000000000080BF0000004000002040000000C0"
    }
  }
#-}

// -----

// Input [0, 1] (padding adds 0). Channel 0: w = [1, -1, 2, 0.5], b = 0.5:
// [-1 + 0.5, 3.5 + 0.5] = [-0.5, 4]. Channel 1: w = [-3, 0, 0, -1], b = -1:
// [-4 - 1, 0 - 1] = [-5, -1]. Hull [-5, 4].
// CHECK-LABEL: func.func @conv
// CHECK: nb.conv {{.*}}nb.range = array<f64: -5.00000{{[0-9]*}}, 4.00000{{[0-9]*}}>
func.func @conv(%x: tensor<1x1x3x3xf32> {nb.range = array<f64: 0.0, 1.0>}) -> tensor<1x2x3x3xf32> {
  %w = nb.constant dense<[[[[1.0, -1.0], [2.0, 0.5]]], [[[-3.0, 0.0], [0.0, -1.0]]]]> : tensor<2x1x2x2xf32>
  %b = nb.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %0 = nb.conv %x, %w, %b {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// x in [-1, 1], rows of B^T: [1, 2, -1] -> 2 * [-4, 4] + 10 = [2, 18];
// [0.5, 0.5, 0.5] -> 2 * [-1.5, 1.5] - 10 = [-13, -7]. Hull [-13, 18].
// CHECK-LABEL: func.func @gemm
// CHECK: nb.gemm {{.*}}nb.range = array<f64: -13.00000{{[0-9]*}}, 18.00000{{[0-9]*}}>
func.func @gemm(%x: tensor<2x3xf32> {nb.range = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w = nb.constant dense<[[1.0, 2.0, -1.0], [0.5, 0.5, 0.5]]> : tensor<2x3xf32>
  %c = nb.constant dense<[10.0, -10.0]> : tensor<2xf32>
  %0 = nb.gemm %x, %w, %c {alpha = 2.0 : f32, trans_b = true} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// batch_norm on [0, 2]: channel 0 y = x + 1 in [1, 3], channel 1
// y = -x + 1 in [-1, 1]. layer_norm over N = 4: |z| <= sqrt(3), scale in
// [-2, 1], bias 0.25: [-3.2141, 3.7141].
// CHECK-LABEL: func.func @norms
// CHECK: nb.relu {{.*}}nb.range = array<f64: 0.000000e+00, 0x7FF0000000000000>
// CHECK: nb.clip {{.*}}nb.range = array<f64: 0.000000e+00, 2.000000e+00>
// CHECK: nb.batch_norm {{.*}}nb.range = array<f64: -1.00000{{[0-9]*}}, 3.00000{{[0-9]*}}>
// CHECK: nb.layer_norm {{.*}}nb.range = array<f64: -3.21410{{[0-9]*}}, 3.71410{{[0-9]*}}>
func.func @norms(%x: tensor<1x2x4xf32>) -> (tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  %s = nb.constant dense<[2.0, -0.5]> : tensor<2xf32>
  %b = nb.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %m = nb.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %v = nb.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %r = nb.relu %x : (tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %two = nb.constant dense<2.0> : tensor<f32>
  %c = nb.clip %r, %two {operandSegmentSizes = array<i32: 1, 0, 1>} : (tensor<1x2x4xf32>, tensor<f32>) -> tensor<1x2x4xf32>
  %0 = nb.batch_norm %c, %s, %b, %m, %v {epsilon = 0.0 : f32} : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4xf32>
  %ls = nb.constant dense<[1.0, -2.0, 0.5, 0.0]> : tensor<4xf32>
  %lb = nb.constant dense<0.25> : tensor<4xf32>
  %1 = nb.layer_norm %x, %ls, %lb {operandSegmentSizes = array<i32: 1, 1, 1>, resultSegmentSizes = array<i32: 1, 0, 0>} : (tensor<1x2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x2x4xf32>
  return %0, %1 : tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// i8 x i8 over K = 140000: 128 * 128 * 140000 = 2293760000 > 2^31 - 1.
// (K = 70000 would give 1146880000, which fits.) u8 minus zero point 128
// is [-128, 127]; times i8 over K = 64: 128 * 128 * 64 = 1048576.
// CHECK-LABEL: func.func @accumulators
// CHECK: nb.matmul_integer {{.*}}{nb.accumulator_bound = 2293760000 : i64, nb.accumulator_may_overflow, nb.range = array<f64: 0xC1E0000000000000, 0x41DFFFFFFFC00000>
// CHECK: nb.matmul_integer {{.*}}{nb.accumulator_bound = 1048576 : i64, nb.range =
// CHECK-NOT: nb.accumulator_may_overflow
func.func @accumulators(%a: tensor<1x140000xi8>, %b: tensor<140000x4xi8>, %c: tensor<1x64xui8>, %d: tensor<64x4xi8>) -> (tensor<1x4xi32>, tensor<1x4xi32>) {
  // expected-warning @below {{int32 accumulator of 'nb.matmul_integer' may overflow: worst-case |accumulator| 2293760000 over 140000 products exceeds 2147483647}}
  %0 = nb.matmul_integer %a, %b {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x140000xi8>, tensor<140000x4xi8>) -> tensor<1x4xi32>
  %zp = nb.constant dense<128> : tensor<ui8>
  %1 = nb.matmul_integer %c, %d, %zp {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<1x64xui8>, tensor<64x4xi8>, tensor<ui8>) -> tensor<1x4xi32>
  return %0, %1 : tensor<1x4xi32>, tensor<1x4xi32>
}

// -----

// round(x / 0.5) + 3 for x in [-1, 2]: [1, 7]; (q - 3) * 0.5: [-1, 2].
// CHECK-LABEL: func.func @qdq
// CHECK: nb.quantize_linear {{.*}}nb.range = array<f64: 1.000000e+00, 7.000000e+00>
// CHECK: nb.dequantize_linear {{.*}}nb.range = array<f64: -1.00000{{[0-9]*}}, 2.00000{{[0-9]*}}>
func.func @qdq(%x: tensor<4xf32> {nb.range = array<f64: -1.0, 2.0>}) -> tensor<4xf32> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<3> : tensor<i8>
  %q = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  %0 = nb.dequantize_linear %q, %s, %z : (tensor<4xi8>, tensor<f32>, tensor<i8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Constant weight, per output channel, x - 128 in [-128, 127], K = 2:
// channel 0, w = [10, -20], bias 1000: [-1280 - 2540, 1270 + 2560] + 1000
// = [-2820, 4830]; channel 1, w = [127, 127], bias -5: [-32512, 32258] - 5
// = [-32517, 32253]. Worst case 32517. The requantized output keeps its
// storage range.
// CHECK-LABEL: func.func @qlinear_conv
// CHECK: nb.qlinear_conv {{.*}}{nb.accumulator_bound = 32517 : i64, nb.range = array<f64: 0.000000e+00, 2.550000e+02>}
func.func @qlinear_conv(%x: tensor<1x1x4x4xui8>) -> tensor<1x2x4x3xui8> {
  %xs = nb.constant dense<0.1> : tensor<f32>
  %xz = nb.constant dense<128> : tensor<ui8>
  %w = nb.constant dense<[[[[10, -20]]], [[[127, 127]]]]> : tensor<2x1x1x2xi8>
  %ws = nb.constant dense<0.05> : tensor<f32>
  %wz = nb.constant dense<0> : tensor<i8>
  %ys = nb.constant dense<0.2> : tensor<f32>
  %yz = nb.constant dense<0> : tensor<ui8>
  %b = nb.constant dense<[1000, -5]> : tensor<2xi32>
  %0 = nb.qlinear_conv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b : (tensor<1x1x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x1x2xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>, tensor<2xi32>) -> tensor<1x2x4x3xui8>
  return %0 : tensor<1x2x4x3xui8>
}

// -----

// Multi-result ops get one interval per result; max_pool indices are not
// tracked (i64 is wider than the analysis bounds integer types).
// CHECK-LABEL: func.func @multi_result
// CHECK: nb.max_pool {{.*}}nb.result_ranges = [array<f64: -1.000000e+00, 5.000000e-01>, array<f64: 0xFFF0000000000000, 0x7FF0000000000000>]
// CHECK: nb.split {{.*}}nb.result_ranges = [array<f64: -1.000000e+00, 5.000000e-01>, array<f64: -1.000000e+00, 5.000000e-01>]
func.func @multi_result(%x: tensor<1x1x4x4xf32> {nb.range = array<f64: -1.0, 0.5>}) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32>) {
  %0:2 = nb.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
  %1:2 = nb.split %x {axis = 2 : i64} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32>)
  return %0#0, %0#1, %1#0, %1#1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32>
}
