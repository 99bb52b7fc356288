// RUN: nibble-opt %s --split-input-file --nb-externalize-weights="threshold=16" | FileCheck %s

// A 32-byte constant moves (zero-initialized, mutable, copied in by the init
// function from its 64-aligned slot); the 8-byte one and the splat stay.
// CHECK-LABEL: module attributes {nibble.weights = {checksum = {{-?[0-9]+}} : i64, entries = [{offset = 0 : i64, symbol = @big, value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> : tensor<8xf32>}, {offset = 64 : i64, symbol = @blob, value = dense_resource<blob> : tensor<5xi32>}], size = 84 : i64}}
// CHECK: llvm.mlir.global private @big(dense<0.000000e+00> : tensor<8xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<8 x f32>
// CHECK: llvm.mlir.global private constant @small(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>)
// CHECK: llvm.mlir.global private constant @splat(dense<1.000000e+00> : tensor<64xf32>)
// CHECK: llvm.mlir.global private @blob(dense<0> : tensor<5xi32>)
// CHECK: llvm.mlir.global external constant @nibble_model_weights_size(84 : i64)
// CHECK: llvm.mlir.global external constant @nibble_model_weights_checksum(
// CHECK-LABEL: llvm.func @nibble_model_init_weights(%arg0: !llvm.ptr)
// CHECK: %[[BIG:.+]] = llvm.mlir.addressof @big
// CHECK: %[[OFF0:.+]] = llvm.mlir.constant(0 : i64)
// CHECK: %[[SRC0:.+]] = llvm.getelementptr %arg0[%[[OFF0]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK: %[[LEN0:.+]] = llvm.mlir.constant(32 : i64)
// CHECK: "llvm.intr.memcpy"(%[[BIG]], %[[SRC0]], %[[LEN0]]) <{isVolatile = false}>
// CHECK: %[[BLOB:.+]] = llvm.mlir.addressof @blob
// CHECK: %[[OFF1:.+]] = llvm.mlir.constant(64 : i64)
// CHECK: %[[SRC1:.+]] = llvm.getelementptr %arg0[%[[OFF1]]]
// CHECK: %[[LEN1:.+]] = llvm.mlir.constant(20 : i64)
// CHECK: "llvm.intr.memcpy"(%[[BLOB]], %[[SRC1]], %[[LEN1]])
// CHECK: llvm.return
module {
  llvm.mlir.global private constant @big(dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<8 x f32>
  llvm.mlir.global private constant @small(dense<[1.0, 2.0]> : tensor<2xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<2 x f32>
  llvm.mlir.global private constant @splat(dense<1.0> : tensor<64xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<64 x f32>
  llvm.mlir.global private constant @blob(dense_resource<blob> : tensor<5xi32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<5 x i32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000100000002000000030000000400000005000000"
    }
  }
#-}

// -----

// Nothing to move: the contract's symbols exist all the same.
// CHECK-LABEL: module attributes {nibble.weights = {checksum = -3750763034362895579 : i64, entries = [], size = 0 : i64}}
// CHECK: llvm.mlir.global private constant @bools(dense<true> : tensor<64xi1>)
// CHECK: llvm.mlir.global external constant @nibble_model_weights_size(0 : i64)
// CHECK: llvm.func @nibble_model_init_weights(%arg0: !llvm.ptr)
// CHECK-NEXT: llvm.return
module {
  llvm.mlir.global private constant @bools(dense<true> : tensor<64xi1>) : !llvm.array<64 x i1>
}
