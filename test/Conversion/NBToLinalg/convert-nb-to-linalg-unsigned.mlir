// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// Tensors of signed/unsigned integers become signless at function
// boundaries and in every lowered op; the signedness picks the arithmetic.

// CHECK-LABEL: func.func @div_unsigned
// CHECK-SAME: (%[[A:.+]]: tensor<3xi8>, %[[B:.+]]: tensor<3xi8>) -> tensor<3xi8>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<3xi8>, tensor<3xi8>)
// CHECK: arith.divui
// CHECK-NOT: unrealized_conversion_cast
func.func @div_unsigned(%a: tensor<3xui8>, %b: tensor<3xui8>) -> tensor<3xui8> {
  %0 = nb.div %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

// CHECK-LABEL: func.func @relu_unsigned
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[^:]+]]: i16, %{{[^:]+}}: i16):
// CHECK-NEXT: linalg.yield %[[X]] : i16
func.func @relu_unsigned(%a: tensor<4xui16>) -> tensor<4xui16> {
  %0 = nb.relu %a : (tensor<4xui16>) -> tensor<4xui16>
  return %0 : tensor<4xui16>
}

// -----

// An unsigned constant is reinterpreted as signless: 200 is -56 in i8.
// CHECK-LABEL: func.func @constant_and_data_movement
// CHECK-DAG: arith.constant dense<-56> : tensor<2x3xi8>
// CHECK: linalg.transpose
// CHECK: tensor.collapse_shape
// CHECK: return %{{.+}} : tensor<6xi8>
func.func @constant_and_data_movement(%a: tensor<3x2xui8>) -> tensor<6xui8> {
  %c = nb.constant dense<200> : tensor<2x3xui8>
  %t = nb.transpose %a {perm = array<i64: 1, 0>} : (tensor<3x2xui8>) -> tensor<2x3xui8>
  %s = nb.add %t, %c : (tensor<2x3xui8>, tensor<2x3xui8>) -> tensor<2x3xui8>
  %shape = nb.constant dense<6> : tensor<1xi64>
  %r = nb.reshape %s, %shape : (tensor<2x3xui8>, tensor<1xi64>) -> tensor<6xui8>
  return %r : tensor<6xui8>
}

// -----

// CHECK-LABEL: func.func @constant_of_shape_unsigned
// CHECK: %[[V:.+]] = arith.constant -1 : i32
// CHECK: linalg.fill ins(%[[V]] : i32) outs(%{{.+}} : tensor<?xi32>)
func.func @constant_of_shape_unsigned(%s: tensor<1xi64>) -> tensor<?xui32> {
  %0 = nb.constant_of_shape %s {value = dense<4294967295> : tensor<1xui32>} : (tensor<1xi64>) -> tensor<?xui32>
  return %0 : tensor<?xui32>
}

// -----

// Integer bases are raised in f64 and truncated back.
// CHECK-LABEL: func.func @pow_integer
// CHECK: arith.sitofp %{{.+}} : i32 to f64
// CHECK: arith.uitofp %{{.+}} : i64 to f64
// CHECK: math.powf %{{.+}}, %{{.+}} : f64
// CHECK: arith.fptosi %{{.+}} : f64 to i32
func.func @pow_integer(%a: tensor<3xi32>, %b: tensor<3xui64>) -> tensor<3xi32> {
  %0 = nb.pow %a, %b : (tensor<3xi32>, tensor<3xui64>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}
