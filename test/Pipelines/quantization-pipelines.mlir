// The scheme pipelines expand into the quantization passes with the options
// translated (include/nibble/Pipelines/QuantizationPipelines.h). The dump
// comes before the passes run; a pass failing on this empty module (the
// table below does not exist) does not matter here, hence `|| true`.

// RUN: nibble-opt %s --dump-pass-pipeline -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-w8a8-static{table=t.json activation-type=i8 per-tensor-weights=true exclude-op-types=Gemm,MatMul exclude-nodes=fc.* strict=true overrides=o.json})' \
// RUN:   2> %t.static || true
// RUN: FileCheck %s --check-prefix=STATIC < %t.static
// STATIC:      builtin.module(
// STATIC-NEXT:   nb-import-calibration-table{table=t.json},
// STATIC-NEXT:   nb-reconcile-ranges,
// STATIC-NEXT:   nb-insert-qdq{activation-type=i8 exclude-nodes=fc.* exclude-op-types={Gemm,MatMul} overrides=o.json per-tensor-weights=true quantize-all-ops=true strict=true symmetric-activations=false weight-type=i8},
// STATIC-NEXT:   nb-fuse-quantized-ops,
// STATIC-NEXT:   canonicalize

// Without a table the module's own ranges are used (nothing to import or
// reconcile); fuse=false stops at q/dq.
// RUN: nibble-opt %s --dump-pass-pipeline -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-w8a8-static{fuse=false symmetric-activations=true})' \
// RUN:   2> %t.qdq || true
// RUN: FileCheck %s --check-prefix=QDQ < %t.qdq
// QDQ:      builtin.module(
// QDQ-NEXT:   nb-insert-qdq{activation-type=u8 {{.*}} symmetric-activations=true weight-type=i8},
// QDQ-NEXT:   canonicalize

// RUN: nibble-opt %s --dump-pass-pipeline -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-w8a8-dynamic{per-tensor-weights=true})' \
// RUN:   2> %t.dynamic || true
// RUN: FileCheck %s --check-prefix=DYNAMIC < %t.dynamic
// DYNAMIC:      builtin.module(
// DYNAMIC-NEXT:   nb-quantize-dynamic{exclude-nodes= per-tensor-weights=true strict=false},
// DYNAMIC-NEXT:   canonicalize

// RUN: nibble-opt %s --dump-pass-pipeline -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-weight-only{bits=8 group-size=32 symmetric=false scale-type=f16 pad-groups=true})' \
// RUN:   2> %t.weights || true
// RUN: FileCheck %s --check-prefix=WEIGHTS < %t.weights
// WEIGHTS:      builtin.module(
// WEIGHTS-NEXT:   nb-quantize-weights{bits=8 exclude-nodes= group-size=32 pad-groups=true scale-type=f16 strict=false symmetric=false},
// WEIGHTS-NEXT:   canonicalize

// RUN: nibble-opt %s --dump-pass-pipeline -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-weight-only)' \
// RUN:   2> %t.int4 || true
// RUN: FileCheck %s --check-prefix=INT4 < %t.int4
// INT4: nb-quantize-weights{bits=4 exclude-nodes= group-size=128 pad-groups=false scale-type=f32 strict=false symmetric=true}

// RUN: nibble-opt %s --dump-pass-pipeline -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-float16{type=bf16 keep-io-types=true table=t.json})' \
// RUN:   2> %t.half || true
// RUN: FileCheck %s --check-prefix=HALF < %t.half
// HALF:      builtin.module(
// HALF-NEXT:   nb-import-calibration-table{table=t.json},
// HALF-NEXT:   nb-reconcile-ranges,
// HALF-NEXT:   nb-annotate-ranges,
// HALF-NEXT:   nb-convert-float-precision{calibrated-headroom=4.000000e+00 exclude-nodes= keep-io-types=true strict=false type=bf16 unknown-ranges=convert},
// HALF-NEXT:   canonicalize

// RUN: nibble-opt %s --dump-pass-pipeline -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-fp8{format=e5m2 table=t.json})' \
// RUN:   2> %t.fp8 || true
// RUN: FileCheck %s --check-prefix=FP8 < %t.fp8
// FP8:      builtin.module(
// FP8-NEXT:   nb-import-calibration-table{table=t.json},
// FP8-NEXT:   nb-reconcile-ranges,
// FP8-NEXT:   nb-insert-qdq{activation-type=f8e5m2 {{.*}} symmetric-activations=true weight-type=f8e5m2},
// FP8-NEXT:   canonicalize

// A format the storage types do not have is refused by the option parser.
// RUN: not nibble-opt %s -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-fp8{format=e6m2})' 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BADFORMAT
// BADFORMAT: Cannot find option named 'e6m2'!
// BADFORMAT: failed to add `nb-quantize-fp8` with options `format=e6m2`

module {
}
