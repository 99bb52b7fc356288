// RUN: nibble-opt %s --split-input-file --nb-externalize-weights="threshold=24" | FileCheck %s
//
// Sub-byte integers (int4 weights) in the weights payload.

// i4 elements travel packed, two per byte (51 elements: 26 bytes, the size
// compared with the threshold), and the init function unpacks them: a loop
// over the 25 full bytes storing the low then the high nibble as i4 values,
// then the low nibble of the last byte.
// CHECK-LABEL: module attributes {nibble.weights = {checksum = {{-?[0-9]+}} : i64, entries = [{offset = 0 : i64, symbol = @w4, value = dense<[-8, -3, 2, 7, -4, 1, 6, -5, 0, 5, -6, -1, 4, -7, -2, 3, -8, -3, 2, 7, -4, 1, 6, -5, 0, 5, -6, -1, 4, -7, -2, 3, -8, -3, 2, 7, -4, 1, 6, -5, 0, 5, -6, -1, 4, -7, -2, 3, -8, -3, 2]> : tensor<51xi4>}], size = 26 : i64}}
// CHECK: llvm.mlir.global private @w4(dense<0> : tensor<51xi4>)
// CHECK: llvm.mlir.global external constant @nibble_model_weights_size(26 : i64)
// CHECK-LABEL: llvm.func @nibble_model_init_weights(%arg0: !llvm.ptr)
// CHECK: %[[W:.+]] = llvm.mlir.addressof @w4
// CHECK: %[[SRC:.+]] = llvm.getelementptr %arg0[{{.+}}] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK: llvm.br ^[[HEADER:.+]](%{{.+}} : i64)
// CHECK: ^[[HEADER]](%[[I:.+]]: i64):
// CHECK: %[[FULL:.+]] = llvm.mlir.constant(25 : i64)
// CHECK: %[[MORE:.+]] = llvm.icmp "ult" %[[I]], %[[FULL]]
// CHECK: llvm.cond_br %[[MORE]], ^[[BODY:.+]], ^[[EXIT:.+]]
// CHECK: ^[[BODY]]:
// CHECK: %[[BYTEADDR:.+]] = llvm.getelementptr %[[SRC]][%[[I]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK: %[[BYTE:.+]] = llvm.load %[[BYTEADDR]] : !llvm.ptr -> i8
// CHECK: %[[LOW:.+]] = llvm.trunc %[[BYTE]] : i8 to i4
// CHECK: %[[DST0:.+]] = llvm.getelementptr %[[W]][%{{.+}}] : (!llvm.ptr, i64) -> !llvm.ptr, i4
// CHECK: llvm.store %[[LOW]], %[[DST0]] : i4, !llvm.ptr
// CHECK: %[[FOUR:.+]] = llvm.mlir.constant(4 : i8)
// CHECK: %[[SHIFTED:.+]] = llvm.lshr %[[BYTE]], %[[FOUR]] : i8
// CHECK: %[[HIGH:.+]] = llvm.trunc %[[SHIFTED]] : i8 to i4
// CHECK: llvm.store %[[HIGH]], %{{.+}} : i4, !llvm.ptr
// CHECK: llvm.br ^[[HEADER]]
// CHECK: ^[[EXIT]]:
// CHECK: %[[LAST:.+]] = llvm.mlir.constant(25 : i64)
// CHECK: llvm.getelementptr %[[SRC]][%[[LAST]]]
// CHECK: llvm.trunc %{{.+}} : i8 to i4
// CHECK: llvm.store %{{.+}}, %{{.+}} : i4, !llvm.ptr
// CHECK-NEXT: llvm.return
module {
  llvm.mlir.global private constant @w4(dense<[-8, -3, 2, 7, -4, 1, 6, -5, 0, 5, -6, -1, 4, -7, -2, 3, -8, -3, 2, 7, -4, 1, 6, -5, 0, 5, -6, -1, 4, -7, -2, 3, -8, -3, 2, 7, -4, 1, 6, -5, 0, 5, -6, -1, 4, -7, -2, 3, -8, -3, 2]> : tensor<51xi4>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<51 x i4>
}

// -----

// Packed sizes decide against the threshold: 40 i4 elements are 20 payload
// bytes, under threshold=24 (unpacked they would be 40), so they stay; a
// splat i4 stays too.
// CHECK-LABEL: module attributes {nibble.weights = {checksum = {{-?[0-9]+}} : i64, entries = [], size = 0 : i64}}
// CHECK: llvm.mlir.global private constant @small4(dense<{{.+}}> : tensor<40xi4>)
// CHECK: llvm.mlir.global private constant @splat4(dense<3> : tensor<128xi4>)
module {
  llvm.mlir.global private constant @small4(dense<[1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5]> : tensor<40xi4>) : !llvm.array<40 x i4>
  llvm.mlir.global private constant @splat4(dense<3> : tensor<128xi4>) : !llvm.array<128 x i4>
}

// -----

// i2 elements pack four per byte: 101 elements are 26 bytes (25 full, one
// element in the last); each full byte stores shifts 0, 2, 4 and 6.
// CHECK-LABEL: module attributes {nibble.weights = {checksum = {{-?[0-9]+}} : i64, entries = [{offset = 0 : i64, symbol = @w2, value = dense<{{.+}}> : tensor<101xi2>}], size = 26 : i64}}
// CHECK-LABEL: llvm.func @nibble_model_init_weights
// CHECK: llvm.mlir.constant(25 : i64)
// CHECK: llvm.trunc %{{.+}} : i8 to i2
// CHECK: llvm.mlir.constant(2 : i8)
// CHECK: llvm.mlir.constant(4 : i8)
// CHECK: llvm.mlir.constant(6 : i8)
// CHECK-NOT: llvm.mlir.constant(8 : i8)
// CHECK: llvm.br
// CHECK: llvm.store %{{.+}}, %{{.+}} : i2, !llvm.ptr
// CHECK-NEXT: llvm.return
module {
  llvm.mlir.global private constant @w2(dense<[-2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2, -1, 0, 1, -2]> : tensor<101xi2>) : !llvm.array<101 x i2>
}
