// RUN: nibble-opt %s --nb-cpu-expand-narrow-floats --split-input-file | FileCheck %s

// Extension: decoded by integer arithmetic (exponent field rebiased into
// f32's, mantissa shifted into place, subnormals as mantissa * 2^(1-bias-m)
// in f32, sign bit moved to bit 31), then the codes that decoding gets wrong
// selected by code: f8E4M3FN's two NaNs (0x7F, 0xFF); f4E2M1FN has none.
// No table, no tensor.extract: it vectorizes as elementwise code.
// CHECK-LABEL: func.func @extend
// CHECK-NOT: tensor.extract
// CHECK: %[[BITS:.+]] = arith.bitcast %{{.+}} : f8E4M3FN to i8
// CHECK: %[[CODE:.+]] = arith.extui %[[BITS]] : i8 to i32
// CHECK: %[[EXP:.+]] = arith.andi %{{.+}}, %c15_i32 : i32
// CHECK: %[[MANT:.+]] = arith.andi %[[CODE]], %c7_i32 : i32
// CHECK: arith.shli %[[MANT]], %c20_i32 : i32
// CHECK: arith.addi %[[EXP]], %c120_i32 : i32
// CHECK: arith.uitofp %[[MANT]] : i32 to f32
// CHECK: arith.mulf %{{.+}}, %cst{{.*}} : f32
// CHECK: arith.cmpi eq, %[[EXP]], %c0_i32 : i32
// CHECK: %[[VALUE:.+]] = arith.bitcast %{{.+}} : i32 to f32
// CHECK: %[[NAN1:.+]] = arith.cmpi eq, %[[CODE]], %c127_i32 : i32
// CHECK: %[[SEL1:.+]] = arith.select %[[NAN1]], %{{.+}}, %[[VALUE]] : f32
// CHECK: %[[NAN2:.+]] = arith.cmpi eq, %[[CODE]], %c255_i32 : i32
// CHECK: %[[SEL2:.+]] = arith.select %[[NAN2]], %{{.+}}, %[[SEL1]] : f32
// CHECK: arith.truncf %[[SEL2]] : f32 to f16
// CHECK: %[[BITS4:.+]] = arith.bitcast %{{.+}} : f4E2M1FN to i4
// CHECK: arith.extui %[[BITS4]] : i4 to i32
// CHECK-NOT: arith.select %{{.+}}, %cst{{.*}}, %{{.+}} : f32
// CHECK: %[[VALUE4:.+]] = arith.bitcast %{{.+}} : i32 to f32
// CHECK-NEXT: return %{{.+}}, %[[VALUE4]] : f16, f32
// CHECK-NOT: arith.extf {{.+}} : f8
func.func @extend(%a: f8E4M3FN, %b: f4E2M1FN) -> (f16, f32) {
  %0 = arith.extf %a : f8E4M3FN to f16
  %1 = arith.extf %b : f4E2M1FN to f32
  return %0, %1 : f16, f32
}

// -----

// f8E5M2 is IEEE-like: its two infinities and six NaNs are the selected
// codes. f8E8M0FNU has no sign, zero or subnormals: code 0 is 2^-127 (an
// f32 subnormal, which rebiasing cannot make) and 0xFF is NaN.
// CHECK-LABEL: func.func @extend_special_codes
// CHECK-COUNT-8: arith.select %{{.+}}, %cst{{.*}}, %{{.+}} : f32
// CHECK: arith.bitcast %{{.+}} : f8E8M0FNU to i8
// CHECK: arith.cmpi eq, %{{.+}}, %c0_i32 : i32
// CHECK: arith.select %{{.+}}, %cst{{.*}}, %{{.+}} : f32
// CHECK: arith.cmpi eq, %{{.+}}, %c255_i32 : i32
// CHECK: arith.select %{{.+}}, %cst{{.*}}, %{{.+}} : f32
// CHECK-NEXT: return
func.func @extend_special_codes(%a: f8E5M2, %b: f8E8M0FNU) -> (f32, f32) {
  %0 = arith.extf %a : f8E5M2 to f32
  %1 = arith.extf %b : f8E8M0FNU to f32
  return %0, %1 : f32, f32
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
