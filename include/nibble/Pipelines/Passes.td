//===- Passes.td - CPU codegen passes ----------------------*- tablegen -*-===//
//
// The passes of Nibble's own that the codegen pipelines need beside the
// upstream ones. Each lives in lib/Pipelines/<PassName>.cpp and is tested in
// test/Pipelines/<command-line-name>.mlir.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_PIPELINES_PASSES_TD
#define NIBBLE_PIPELINES_PASSES_TD

include "mlir/Pass/PassBase.td"

def AnnotateCPUTarget : Pass<"nb-annotate-cpu-target", "::mlir::ModuleOp"> {
  let summary = "Record the CPU a module is compiled for as module attributes";
  let description = [{
    Sets `llvm.target_triple` (the host's triple), `nibble.target` (the
    target name), `nibble.target_cpu` and `nibble.target_features` (what LLVM
    gets when the module is compiled) and `nibble.vector_bits` (the widest
    vector register, which tiling uses to size vector tiles) on the module.

    Targets: `x86-64-v3` (AVX2 + FMA, 256-bit vectors), `x86-64-v4`
    (AVX-512, 512-bit vectors), `generic` (x86-64 baseline, 128-bit) and
    `native` (the CPU this runs on). The JIT reads these attributes back, so
    a module lowered once always runs with the features it was tiled for.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"native\"",
           "x86-64-v3 | x86-64-v4 | native | generic">
  ];
}

def CPUExpandNarrowFloats : Pass<"nb-cpu-expand-narrow-floats"> {
  let summary = "Expand conversions from and to 8- and 4-bit floats";
  let description = [{
    LLVM has no float8 or float4 types (their values travel as i8), so
    `arith.extf` and `arith.truncf` involving `f8E4M3FN`, `f8E5M2`, their
    FNUZ variants, `f8E8M0FNU` (extension only) or `f4E2M1FN` become
    integer and f32 arithmetic:

    - extension decodes the bit fields with integer arithmetic (exponent
      rebiased into f32's, mantissa shifted, subnormals as mantissa times
      2^(1-bias-m) in f32) and selects, by code, the values this gets wrong
      (NaN and infinity encodings, f8E8M0FNU's 2^-127), which are found by
      comparing every bit pattern with APFloat at compile time; so NaN
      encodings, subnormals and signed zeros are exact, and the expansion
      is elementwise code that vectorizes (a table lookup became a gather
      and sent the vectorizer's index analysis into exponential time);
    - truncation rounds to nearest even: the magnitude is scaled by a power
      of two so the target's last mantissa bit is the unit, rounded with
      `math.roundeven`, and re-encoded. Values beyond the largest finite
      value become infinity where the type has one, else NaN, else (f4) the
      largest value; NaN becomes the NaN code, or (f4, which has none) the
      zero of the opposite sign, as ONNX's reference implementation does; sources wider than f32
      are truncated to f32 first (a second rounding).

    Scalar conversions only (run before vectorization, inside linalg
    bodies); the expansions then vectorize like any elementwise code.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
  ];
}

def CPUComputeBF16InF32 : Pass<"nb-cpu-compute-bf16-in-f32"> {
  let summary = "Convolutions, poolings and contractions on bf16 compute in f32";
  let description = [{
    x86 has no bf16 arithmetic (AVX512-BF16 converts and takes dot products
    into f32 accumulators), so a linalg convolution, pooling or contraction
    whose operands are bf16 is rewritten to extend its bf16 operands to f32
    (elementwise `linalg.generic`s), compute the named op in f32 and
    truncate its result back to bf16. Storage between ops stays bf16.

    Two reasons beyond speed: accumulation in f32 is what bf16 hardware and
    ONNX Runtime do (a bf16 accumulator loses a bit per 256 terms), and the
    window reads that convolution vectorization makes (`(w-1)*s+k`
    elements: 65 for 32 outputs of a stride-2 3x3 convolution) would
    otherwise be bf16 vectors of 32k+1 elements, which LLVM 22's x86
    backend cannot legalize on targets with AVX512-BF16 ("Do not know how to
    soft promote this operator's operand"): a crash, not an error.

    Generic ops and ops without bf16 operands are left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def CPUFuseElementwise : Pass<"nb-cpu-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg producers into their consumers";
  let description = [{
    `linalg-fuse-elementwise-ops` with a cost model for the CPU pipeline:
    elementwise producers with a single use fuse into their consumer, and
    reshapes fold into linalg ops by expanding their iteration spaces.

    One fusion is refused: a producer that reads its own init operand (an
    in-place update such as `conv += bias`) into a consumer that visits one
    producer element more than once, i.e. whose indexing map for the fused
    operand is not a permutation (a broadcast such as squeeze-excitation's
    `x * gate[n, c, 0, 0]`, or a contraction's `(d0, d2)`) or that has
    reduction loops. The fused op would carry the producer's init as an
    output indexed through that map, read it back after its own write, and
    apply the update once per visit (upstream's fusion gets this wrong in
    MLIR 22).
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def CPUTileAndVectorize
    : Pass<"nb-cpu-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile linalg ops to vector-sized tiles and vectorize them";
  let description = [{
    Tiles every linalg op with static loop bounds on tensors with `scf.for`
    loops (TilingInterface): every parallel dimension but the innermost to 1,
    the innermost parallel dimension to the widest divisor of its size that
    fits the vector register (`nibble.vector_bits` on the module, 256 by
    default), reduction dimensions to at most 16 elements. Tiles keep static
    shapes, so `linalg::vectorize` turns each into vector transfers and
    vector arithmetic (`vector.contract` for contractions) without masks.

    Ops the vectorizer does not handle stay linalg ops on their tiles (the
    pipeline lowers them to loops later), as do ops that read or write tensors
    of sub-byte elements (`i1`, `i4`, `f4E2M1FN`...): LLVM packs vectors of
    them into bits in memory, while scalar elements take a byte each. Ops indexing an operand by a decreasing
    or non-linear expression (`2 - d3`, `d0 mod 4`) are not tiled: tiling
    derives operand slices from a tile's first and last index, which is
    wrong for them.
  }];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def CPUApproximateMath : Pass<"nb-cpu-approximate-math"> {
  let summary = "Replace f32 tanh and erf with polynomial approximations";
  let description = [{
    LLVM has no intrinsic for `tanh` and `erf`, so they would become libm
    calls, one per vector lane. MLIR's polynomial approximations compute them
    with vector arithmetic instead (accurate to a few ulp in f32). Only f32
    and vectors of f32 are rewritten: f64 keeps libm's precision, and f16/bf16
    are widened to f32 before this pass runs in the pipeline.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // NIBBLE_PIPELINES_PASSES_TD
