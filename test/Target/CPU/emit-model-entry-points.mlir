// RUN: nibble-opt %s --split-input-file --nb-emit-model-entry-points | FileCheck %s

// One rank-2 input, two outputs returning the same buffer twice (freed once).
// CHECK-LABEL: llvm.func internal @main(
// CHECK: llvm.mlir.global external constant @nibble_model_manifest("nibble-model 1\0Afunction main\0Atarget x86-64-v3\0Ainput 2 2x3 pixels in\0Aoutput 1 3 out_0\0Aoutput 1 3 out_1\0A\00")
// CHECK-LABEL: llvm.func @nibble_model_run(%arg0: !llvm.ptr, %arg1: !llvm.ptr)
// CHECK: %[[SLOT:.+]] = llvm.getelementptr %arg0[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[IN:.+]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[C0:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: %[[C2:.+]] = llvm.mlir.constant(2 : i64) : i64
// CHECK: %[[C3:.+]] = llvm.mlir.constant(3 : i64) : i64
// CHECK: %[[S1:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: %[[S0:.+]] = llvm.mlir.constant(3 : i64) : i64
// CHECK: %[[R:.+]] = llvm.call @main(%[[IN]], %[[IN]], %[[C0]], %[[C2]], %[[C3]], %[[S0]], %[[S1]])
// CHECK: %[[D0:.+]] = llvm.extractvalue %[[R]][0]
// CHECK: %[[A0:.+]] = llvm.extractvalue %[[D0]][0]
// CHECK: %[[AL0:.+]] = llvm.extractvalue %[[D0]][1]
// CHECK: %[[OFF0:.+]] = llvm.extractvalue %[[D0]][2]
// CHECK: %[[SRC0:.+]] = llvm.getelementptr %[[AL0]][%[[OFF0]]] : (!llvm.ptr, i64) -> !llvm.ptr, i32
// CHECK: %[[OUT0:.+]] = llvm.load
// CHECK: %[[LEN:.+]] = llvm.mlir.constant(12 : i64)
// CHECK: "llvm.intr.memcpy"(%[[OUT0]], %[[SRC0]], %[[LEN]])
// CHECK: %[[D1:.+]] = llvm.extractvalue %[[R]][1]
// CHECK: %[[A1:.+]] = llvm.extractvalue %[[D1]][0]
// CHECK: "llvm.intr.memcpy"
// CHECK: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.call @free(%[[A0]])
// CHECK: %[[SAME:.+]] = llvm.icmp "eq" %[[A1]], %[[A0]]
// CHECK: %[[FREE1:.+]] = llvm.select %[[SAME]], %[[NULL]], %[[A1]]
// CHECK: llvm.call @free(%[[FREE1]])
// CHECK: llvm.return
module attributes {nibble.target = "x86-64-v3", nibble.signature = {function = "main", inputs = [{name = "pixels in", type = tensor<2x3xui8>}], outputs = [{name = "out_0", type = tensor<3xf32>}, {name = "out_1", type = tensor<3xf32>}]}} {
  llvm.func @main(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: i64, %arg3: i64, %arg4: i64, %arg5: i64, %arg6: i64) -> !llvm.struct<(struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>)> {
    %0 = llvm.mlir.poison : !llvm.struct<(struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>)>
    llvm.return %0 : !llvm.struct<(struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>)>
  }
}

// -----

// A scalar output and no inputs: the rank-0 descriptor has no size arrays.
// CHECK-LABEL: llvm.func internal @f(
// CHECK: llvm.mlir.global external constant @nibble_model_manifest("nibble-model 1\0Afunction f\0Atarget unknown\0Aoutput 7 scalar y\0A\00")
// CHECK: llvm.func @free(!llvm.ptr)
// CHECK-LABEL: llvm.func @nibble_model_run
// CHECK: %[[R:.+]] = llvm.call @f() : () -> !llvm.struct<(ptr, ptr, i64)>
// CHECK: %[[A:.+]] = llvm.extractvalue %[[R]][0]
// CHECK: llvm.mlir.constant(8 : i64)
// CHECK: llvm.call @free(%[[A]])
module attributes {nibble.signature = {function = "f", inputs = [], outputs = [{name = "y", type = tensor<i64>}]}} {
  llvm.func @f() -> !llvm.struct<(ptr, ptr, i64)> {
    %0 = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64)>
    llvm.return %0 : !llvm.struct<(ptr, ptr, i64)>
  }
}
