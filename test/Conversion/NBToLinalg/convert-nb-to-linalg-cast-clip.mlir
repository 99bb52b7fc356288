// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file | FileCheck %s

// Float to int truncates toward zero through i64 and wraps.
// CHECK-LABEL: func.func @cast_float_to_i8
// CHECK: linalg.generic
// CHECK: %[[W:.+]] = arith.fptosi %{{.+}} : f32 to i64
// CHECK: arith.trunci %[[W]] : i64 to i8
func.func @cast_float_to_i8(%a: tensor<4xf32>) -> tensor<4xi8> {
  %0 = nb.cast %a : (tensor<4xf32>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// Unsigned sources zero-extend; the tensors are signless.
// CHECK-LABEL: func.func @cast_u8_to_i32
// CHECK-SAME: (%{{.+}}: tensor<4xi8>) -> tensor<4xi32>
// CHECK: arith.extui %{{.+}} : i8 to i32
func.func @cast_u8_to_i32(%a: tensor<4xui8>) -> tensor<4xi32> {
  %0 = nb.cast %a : (tensor<4xui8>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @cast_to_bool
// CHECK: arith.cmpf une
// CHECK: arith.cmpi ne
func.func @cast_to_bool(%a: tensor<4xf32>, %b: tensor<4xi64>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = nb.cast %a : (tensor<4xf32>) -> tensor<4xi1>
  %1 = nb.cast %b : (tensor<4xi64>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @cast_from_bool
// CHECK: arith.uitofp %{{.+}} : i1 to f32
// CHECK: arith.extui %{{.+}} : i1 to i32
func.func @cast_from_bool(%a: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = nb.cast %a : (tensor<4xi1>) -> tensor<4xf32>
  %1 = nb.cast %a : (tensor<4xi1>) -> tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// f16 and bf16 have the same width: through f32.
// CHECK-LABEL: func.func @cast_f16_to_bf16
// CHECK: %[[E:.+]] = arith.extf %{{.+}} : f16 to f32
// CHECK: arith.truncf %[[E]] : f32 to bf16
func.func @cast_f16_to_bf16(%a: tensor<4xf16>) -> tensor<4xbf16> {
  %0 = nb.cast %a : (tensor<4xf16>) -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// Saturation clamps to float8's largest finite value (448 for E4M3FN).
// CHECK-LABEL: func.func @cast_f8_saturate
// CHECK-DAG: %[[HI:.+]] = arith.constant 4.480000e+02 : f32
// CHECK-DAG: %[[LO:.+]] = arith.constant -4.480000e+02 : f32
// CHECK: %[[M:.+]] = arith.maximumf %{{.+}}, %[[LO]] : f32
// CHECK: %[[C:.+]] = arith.minimumf %[[M]], %[[HI]] : f32
// CHECK: arith.truncf %[[C]] : f32 to f8E4M3FN
func.func @cast_f8_saturate(%a: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %0 = nb.cast %a : (tensor<4xf32>) -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// Without saturation, overflow is the type's (NaN for E4M3FN).
// CHECK-LABEL: func.func @cast_f8_no_saturate
// CHECK-NOT: arith.minimumf
// CHECK: arith.truncf %{{.+}} : f32 to f8E5M2
func.func @cast_f8_no_saturate(%a: tensor<4xf32>) -> tensor<4xf8E5M2> {
  %0 = nb.cast %a {saturate = false} : (tensor<4xf32>) -> tensor<4xf8E5M2>
  return %0 : tensor<4xf8E5M2>
}

// -----

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @clip_float
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[SCALAR]], #[[ID]]]
// CHECK: ^bb0(%[[X:.+]]: f32, %[[LO:.+]]: f32, %[[HI:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[M:.+]] = arith.maximumf %[[X]], %[[LO]] : f32
// CHECK: arith.minimumf %[[M]], %[[HI]] : f32
func.func @clip_float(%a: tensor<?x3xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<?x3xf32> {
  %0 = nb.clip %a, %lo, %hi {operandSegmentSizes = array<i32: 1, 1, 1>} : (tensor<?x3xf32>, tensor<f32>, tensor<f32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Only a max; unsigned compares unsigned.
// CHECK-LABEL: func.func @clip_unsigned_max
// CHECK: arith.constant dense<-56> : tensor<i8>
// CHECK-NOT: arith.maxui
// CHECK: arith.minui
func.func @clip_unsigned_max(%a: tensor<4xui8>) -> tensor<4xui8> {
  %hi = nb.constant dense<200> : tensor<ui8>
  %0 = nb.clip %a, %hi {operandSegmentSizes = array<i32: 1, 0, 1>} : (tensor<4xui8>, tensor<ui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @clip_int_min
// CHECK: arith.maxsi
// CHECK-NOT: arith.minsi
func.func @clip_int_min(%a: tensor<4xi32>, %lo: tensor<1xi32>) -> tensor<4xi32> {
  %0 = nb.clip %a, %lo {operandSegmentSizes = array<i32: 1, 1, 0>} : (tensor<4xi32>, tensor<1xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
