// RUN: nibble-opt %s -split-input-file -canonicalize | FileCheck %s

// The ONNX Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain folds to
// a constant shape when the input shape is static.
// CHECK-LABEL: func.func @shape_chain
// CHECK-DAG: %[[SHAPE:.*]] = nb.constant dense<[2, 12]> : tensor<2xi64>
// CHECK: nb.reshape %{{.*}}, %[[SHAPE]]
// CHECK-NOT: nb.shape
// CHECK-NOT: nb.gather
// CHECK-NOT: nb.concat
func.func @shape_chain(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %shape = nb.shape %x : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %i0 = nb.constant dense<0> : tensor<i64>
  %d0 = nb.gather %shape, %i0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %axes = nb.constant dense<[0]> : tensor<1xi64>
  %u0 = nb.unsqueeze %d0, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %tail = nb.constant dense<[12]> : tensor<1xi64>
  %new = nb.concat %u0, %tail {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = nb.reshape %x, %new : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  return %r : tensor<2x12xf32>
}

// -----

// Dynamic dims keep nb.shape.
// CHECK-LABEL: func.func @shape_dynamic
// CHECK: nb.shape
func.func @shape_dynamic(%x: tensor<?x3xf32>) -> tensor<2xi64> {
  %0 = nb.shape %x : (tensor<?x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @shape_slice_of_dynamic
// CHECK: nb.constant dense<3> : tensor<1xi64>
func.func @shape_slice_of_dynamic(%x: tensor<?x3xf32>) -> tensor<1xi64> {
  %0 = nb.shape %x {start = -1 : i64} : (tensor<?x3xf32>) -> tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

// CHECK-LABEL: func.func @integer_arithmetic
// CHECK: %[[C:.*]] = nb.constant dense<[6, 2, -2, 3]> : tensor<4xi64>
// CHECK: return %[[C]]
func.func @integer_arithmetic() -> tensor<4xi64> {
  %a = nb.constant dense<[6, 4, -6, 8]> : tensor<4xi64>
  %b = nb.constant dense<2> : tensor<i64>
  %one = nb.constant dense<1> : tensor<i64>
  %0 = nb.div %a, %b : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  %1 = nb.mul %0, %b : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  %2 = nb.sub %1, %0 : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %3 = nb.add %2, %one : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  %m = nb.constant dense<[3, 0, 1, -1]> : tensor<4xi64>
  %4 = nb.add %3, %m : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %5 = nb.sub %4, %b : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  %6 = nb.add %5, %one : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  return %6 : tensor<4xi64>
}

// -----

// Integer division by zero is left for runtime.
// CHECK-LABEL: func.func @div_by_zero
// CHECK: nb.div
func.func @div_by_zero() -> tensor<2xi64> {
  %a = nb.constant dense<[6, 4]> : tensor<2xi64>
  %z = nb.constant dense<[1, 0]> : tensor<2xi64>
  %0 = nb.div %a, %z : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @float_arithmetic
// CHECK: nb.constant dense<[1.500000e+00, 3.000000e+00]> : tensor<2xf32>
func.func @float_arithmetic() -> tensor<2xf32> {
  %a = nb.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = nb.constant dense<0.5> : tensor<f32>
  %0 = nb.mul %a, %b : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %1 = nb.add %0, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// Large constants are weights, not shape math: no folding.
// CHECK-LABEL: func.func @no_fold_large
// CHECK: nb.add
func.func @no_fold_large(%x: tensor<8192xf32>) -> tensor<8192xf32> {
  %a = nb.constant dense<1.0> : tensor<8192xf32>
  %0 = nb.add %a, %a : (tensor<8192xf32>, tensor<8192xf32>) -> tensor<8192xf32>
  return %0 : tensor<8192xf32>
}

// -----

// CHECK-LABEL: func.func @equal_where
// CHECK: nb.constant dense<[5, 0, 7]> : tensor<3xi64>
func.func @equal_where() -> tensor<3xi64> {
  %a = nb.constant dense<[1, -1, 3]> : tensor<3xi64>
  %m = nb.constant dense<-1> : tensor<i64>
  %c = nb.equal %a, %m : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %x = nb.constant dense<0> : tensor<i64>
  %y = nb.constant dense<[5, 6, 7]> : tensor<3xi64>
  %0 = nb.where %c, %x, %y : (tensor<3xi1>, tensor<i64>, tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @where_splat_condition
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>)
// CHECK: return %[[Y]]
func.func @where_splat_condition(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %c = nb.constant dense<false> : tensor<3xi1>
  %0 = nb.where %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @neg_neg(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = nb.neg %x : (tensor<3xf32>) -> tensor<3xf32>
  %1 = nb.neg %0 : (tensor<3xf32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @single_neg
// CHECK: nb.neg
func.func @single_neg(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = nb.neg %x : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @cast_constants
// CHECK-DAG: nb.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: nb.constant dense<[1, 254]> : tensor<2xi64>
// CHECK-DAG: nb.constant dense<[true, false]> : tensor<2xi1>
func.func @cast_constants() -> (tensor<2xf32>, tensor<2xi64>, tensor<2xi1>) {
  %a = nb.constant dense<[1, -2]> : tensor<2xi64>
  %0 = nb.cast %a : (tensor<2xi64>) -> tensor<2xf32>
  %u = nb.constant dense<[1, 254]> : tensor<2xui8>
  %1 = nb.cast %u : (tensor<2xui8>) -> tensor<2xi64>
  %b = nb.constant dense<[3, 0]> : tensor<2xi64>
  %2 = nb.cast %b : (tensor<2xi64>) -> tensor<2xi1>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xi64>, tensor<2xi1>
}

// -----

// Float to integer casts are not folded (saturation rules vary).
// CHECK-LABEL: func.func @cast_float_to_int
// CHECK: nb.cast
func.func @cast_float_to_int() -> tensor<2xi64> {
  %a = nb.constant dense<[1.5, -2.5]> : tensor<2xf32>
  %0 = nb.cast %a : (tensor<2xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @cast_identity
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @cast_identity(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = nb.cast %x : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @gather_slice_concat
// CHECK-DAG: nb.constant dense<[3, 1]> : tensor<2xi64>
// CHECK-DAG: nb.constant dense<[20, 30]> : tensor<2xi64>
// CHECK-DAG: nb.constant dense<[1, 2, 3, 7]> : tensor<4xi64>
func.func @gather_slice_concat() -> (tensor<2xi64>, tensor<2xi64>, tensor<4xi64>) {
  %d = nb.constant dense<[1, 2, 3]> : tensor<3xi64>
  %i = nb.constant dense<[2, -3]> : tensor<2xi64>
  %0 = nb.gather %d, %i : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  %e = nb.constant dense<[10, 20, 30, 40]> : tensor<4xi64>
  %s = nb.constant dense<[1]> : tensor<1xi64>
  %n = nb.constant dense<[-1]> : tensor<1xi64>
  %1 = nb.slice %e, %s, %n {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %seven = nb.constant dense<[7]> : tensor<1xi64>
  %2 = nb.concat %d, %seven {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<4xi64>
  return %0, %1, %2 : tensor<2xi64>, tensor<2xi64>, tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @slice_2d_negative_step
// CHECK: nb.constant dense<{{\[}}[6, 4], [3, 1]]> : tensor<2x2xi64>
func.func @slice_2d_negative_step() -> tensor<2x2xi64> {
  %d = nb.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %s = nb.constant dense<[-1, 5]> : tensor<2xi64>
  %e = nb.constant dense<[-3, -4]> : tensor<2xi64>
  %st = nb.constant dense<[-1, -2]> : tensor<2xi64>
  %a = nb.constant dense<[0, 1]> : tensor<2xi64>
  %0 = nb.slice %d, %s, %e, %a, %st {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<2x3xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// Gather with an out-of-range index is left for runtime.
// CHECK-LABEL: func.func @gather_out_of_range
// CHECK: nb.gather
func.func @gather_out_of_range() -> tensor<i64> {
  %d = nb.constant dense<[1, 2, 3]> : tensor<3xi64>
  %i = nb.constant dense<3> : tensor<i64>
  %0 = nb.gather %d, %i : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// Concat of non-constants stays.
// CHECK-LABEL: func.func @concat_values
// CHECK: nb.concat
func.func @concat_values(%x: tensor<1xi64>) -> tensor<2xi64> {
  %c = nb.constant dense<[7]> : tensor<1xi64>
  %0 = nb.concat %x, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @range_and_constant_of_shape
// CHECK-DAG: nb.constant dense<[0, 3, 6]> : tensor<3xi64>
// CHECK-DAG: nb.constant dense<0.000000e+00> : tensor<2x3xf32>
func.func @range_and_constant_of_shape() -> (tensor<3xi64>, tensor<2x3xf32>) {
  %s = nb.constant dense<0> : tensor<i64>
  %l = nb.constant dense<8> : tensor<i64>
  %d = nb.constant dense<3> : tensor<i64>
  %0 = nb.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  %shape = nb.constant dense<[2, 3]> : tensor<2xi64>
  %1 = nb.constant_of_shape %shape {value = dense<0.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<2x3xf32>
  return %0, %1 : tensor<3xi64>, tensor<2x3xf32>
}

// -----

// constant_of_shape with a dynamic result type is left to nb-infer-shapes.
// CHECK-LABEL: func.func @constant_of_shape_dynamic
// CHECK: nb.constant_of_shape
func.func @constant_of_shape_dynamic(%shape: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nb.constant_of_shape %shape {value = dense<0.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_like_identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @reshape_like_identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %s = nb.constant dense<[2, 3]> : tensor<2xi64>
  %0 = nb.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %1 = nb.expand %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %2 = nb.flatten %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %empty = nb.constant dense<> : tensor<0xi64>
  %3 = nb.squeeze %x, %empty : (tensor<2x3xf32>, tensor<0xi64>) -> tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constants
// CHECK-DAG: nb.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi64>
// CHECK-DAG: nb.constant dense<5> : tensor<1xi64>
// CHECK-DAG: nb.constant dense<1.000000e+00> : tensor<1x2xf32>
func.func @reshape_constants() -> (tensor<2x2xi64>, tensor<1xi64>, tensor<1x2xf32>) {
  %c = nb.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
  %s = nb.constant dense<[2, 2]> : tensor<2xi64>
  %0 = nb.reshape %c, %s : (tensor<4xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  %five = nb.constant dense<5> : tensor<i64>
  %axes = nb.constant dense<[0]> : tensor<1xi64>
  %1 = nb.unsqueeze %five, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %one = nb.constant dense<1.0> : tensor<2xf32>
  %es = nb.constant dense<[1, 2]> : tensor<2xi64>
  %2 = nb.expand %one, %es : (tensor<2xf32>, tensor<2xi64>) -> tensor<1x2xf32>
  return %0, %1, %2 : tensor<2x2xi64>, tensor<1xi64>, tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.*]] = nb.reshape %[[X]]
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %s1 = nb.constant dense<[6, 4]> : tensor<2xi64>
  %0 = nb.reshape %x, %s1 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %s2 = nb.constant dense<[4, -1]> : tensor<2xi64>
  %1 = nb.reshape %0, %s2 : (tensor<6x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A 0 in the outer shape copies a dim of the intermediate value: keep both.
// CHECK-LABEL: func.func @reshape_of_reshape_zero
// CHECK: nb.reshape
// CHECK: nb.reshape
func.func @reshape_of_reshape_zero(%x: tensor<2x3x4xf32>) -> tensor<6x2x2xf32> {
  %s1 = nb.constant dense<[6, 4]> : tensor<2xi64>
  %0 = nb.reshape %x, %s1 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %s2 = nb.constant dense<[0, 2, -1]> : tensor<3xi64>
  %1 = nb.reshape %0, %s2 : (tensor<6x4xf32>, tensor<3xi64>) -> tensor<6x2x2xf32>
  return %1 : tensor<6x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @transposes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.*]] = nb.transpose %[[X]] {perm = array<i64: 2, 0, 1>}
// CHECK-NEXT: return %[[T]], %[[X]]
func.func @transposes(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<2x3x4xf32>) {
  %0 = nb.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = nb.transpose %0 {perm = array<i64: 1, 2, 0>} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
  %2 = nb.transpose %1 {perm = array<i64: 1, 2, 0>} : (tensor<4x2x3xf32>) -> tensor<2x3x4xf32>
  return %1, %2 : tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_constant
// CHECK: nb.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
func.func @transpose_constant() -> tensor<3x2xi64> {
  %c = nb.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = nb.transpose %c {perm = array<i64: 1, 0>} : (tensor<2x3xi64>) -> tensor<3x2xi64>
  return %0 : tensor<3x2xi64>
}

// -----

// CHECK-LABEL: func.func @transpose_keep
// CHECK: nb.transpose
func.func @transpose_keep(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = nb.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @conv_same_upper
// CHECK: nb.conv
// CHECK-SAME: pads = array<i64: 0, 0, 1, 1>
// CHECK-SAME: strides = array<i64: 2, 2>
// CHECK-NOT: auto_pad
func.func @conv_same_upper(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nb.conv %x, %w {auto_pad = #nb<auto_pad same_upper>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_same_lower
// CHECK: nb.conv
// CHECK-SAME: pads = array<i64: 1, 2, 1, 1>
func.func @conv_same_lower(%x: tensor<1x3x7x8xf32>, %w: tensor<4x3x3x4xf32>) -> tensor<1x4x7x8xf32> {
  %0 = nb.conv %x, %w {auto_pad = #nb<auto_pad same_lower>} : (tensor<1x3x7x8xf32>, tensor<4x3x3x4xf32>) -> tensor<1x4x7x8xf32>
  return %0 : tensor<1x4x7x8xf32>
}

// -----

// CHECK-LABEL: func.func @conv_valid
// CHECK: nb.conv
// CHECK-SAME: pads = array<i64: 0, 0, 0, 0>
func.func @conv_valid(%x: tensor<1x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x?x?xf32> {
  %0 = nb.conv %x, %w {auto_pad = #nb<auto_pad valid>} : (tensor<1x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

// SAME padding of a dynamic spatial dim cannot be resolved.
// CHECK-LABEL: func.func @conv_same_dynamic
// CHECK: auto_pad = #nb<auto_pad same_upper>
func.func @conv_same_dynamic(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x?x8xf32> {
  %0 = nb.conv %x, %w {auto_pad = #nb<auto_pad same_upper>} : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x8xf32>
  return %0 : tensor<1x4x?x8xf32>
}

// -----

// CHECK-LABEL: func.func @pool_same
// CHECK: nb.max_pool
// CHECK-SAME: pads = array<i64: 0, 0, 1, 1>
func.func @pool_same(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  %0 = nb.max_pool %x {auto_pad = #nb<auto_pad same_upper>, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}
