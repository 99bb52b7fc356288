//===- Passes.td - ahead-of-time CPU compilation passes -----*- tablegen -*-===//
//
// Passes that turn a module lowered by nibble-cpu-codegen (LLVM dialect)
// into what `nibble compile --target cpu` links into model.so. Each lives in
// lib/Target/CPU/<PassName>.cpp and is tested in
// test/Target/CPU/<command-line-name>.mlir.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_TARGET_CPU_PASSES_TD
#define NIBBLE_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExternalizeWeights : Pass<"nb-externalize-weights", "::mlir::ModuleOp"> {
  let summary = "Move large constant globals out of the code into a weights "
                "payload initialized at load time";
  let description = [{
    Every `llvm.mlir.global` constant initialized with a dense or
    dense_resource elements attribute of at least `threshold` bytes becomes a
    zero-initialized mutable global (it lands in .bss, costing no file
    space), and its bytes are assigned a 64-byte aligned slot in a weights
    payload. The pass adds

      * `llvm.func @nibble_model_init_weights(!llvm.ptr)`: copies each slot
        of the payload into its global (one memcpy each);
      * `@nibble_model_weights_size` and `@nibble_model_weights_checksum`
        (i64 constants): the payload size and its FNV-1a 64 checksum, so a
        runtime can refuse a weights file built for another model;
      * the module attribute `nibble.weights`: one `{symbol, offset, value}`
        dictionary per slot, from which the compiler writes weights.bin.

    Splat constants stay in the code (LLVM emits them compactly).
    Sub-byte integers (i1, i2, i4: int4 weights) are one byte per element in
    LLVM's memory layout; in the payload they are packed 8/width per byte
    (element 2k of an i4 tensor in the low nibble of byte k) and the init
    function unpacks them with a loop instead of a memcpy, so weights.bin
    holds int4 weights at half a byte each. The init function and the two globals
    are always created, so the runtime's contract holds for models without
    large constants too.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"threshold", "threshold", "int64_t", /*default=*/"1024",
           "Constants of at least this many bytes move to the payload">
  ];
}

def EmitModelEntryPoints
    : Pass<"nb-emit-model-entry-points", "::mlir::ModuleOp"> {
  let summary = "Add the C entry point and manifest of a compiled model";
  let description = [{
    Reads the module's `nibble.signature` attribute (the entry function, its
    inputs' and outputs' names and static tensor types, recorded before
    lowering) and adds, in the LLVM dialect:

      * `llvm.func @nibble_model_run(%inputs: !llvm.ptr, %outputs: !llvm.ptr)`:
        builds a memref descriptor for each input pointer `inputs[i]`, calls
        the lowered entry function, copies each result into `outputs[j]` and
        frees the result buffers (which the generated code allocated and the
        caller owns), so callers deal in plain buffers only;
      * `@nibble_model_manifest`: the signature as NUL-terminated text
        (include/nibble-c/model_abi.h has the format).

    The lowered entry function becomes internal: a shared library exports
    the `nibble_model_*` symbols and nothing else. Fails when the signature
    is missing or does not match the lowered function.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // NIBBLE_TARGET_CPU_PASSES_TD
