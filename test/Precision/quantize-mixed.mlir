// nb-quantize-mixed on a plan that gives each of four ops another precision:
// each scheme pass takes only its own op, the others stay as they were.
// RUN: nibble-opt %s --pass-pipeline='builtin.module(nb-quantize-mixed{plan=%S/Inputs/mixed-plan.json})' | FileCheck %s

// The pipeline adds the passes the plan needs, nothing else.
// RUN: nibble-opt %s --dump-pass-pipeline -o /dev/null \
// RUN:   --pass-pipeline='builtin.module(nb-quantize-mixed{plan=%S/Inputs/mixed-plan.json table=t.json})' 2> %t.pipeline || true
// RUN: FileCheck %s --check-prefix=PIPELINE < %t.pipeline
// PIPELINE:      builtin.module(
// PIPELINE-NEXT:   nb-apply-precision-plan{plan={{.*}}mixed-plan.json},
// PIPELINE-NEXT:   nb-import-calibration-table{table=t.json},
// PIPELINE:        nb-annotate-ranges,
// PIPELINE-NEXT:   nb-convert-float-precision{{{.*}}keep-io-types=true {{.*}}type=f16 unknown-ranges=convert},
// PIPELINE-NEXT:   nb-insert-qdq{activation-type=u8 {{.*}}weight-type=i8},
// PIPELINE-NEXT:   nb-quantize-weights{bits=4 {{.*}}group-size=2 pad-groups=true {{.*}}},
// PIPELINE-NEXT:   nb-fuse-quantized-ops,
// PIPELINE-NEXT:   canonicalize

// mm1 (int8): a MatMul on quant types after fusion, u8 activations.
// mm2 (int4-weight, g2): i4 weight and a blocked dequantize, float MatMul.
// fc (fp16): an f16 Gemm between casts; the function keeps f32 at its edges.
// mm4 (fp32): untouched, listed as kept in float by the plan.
// CHECK: module attributes {nb.precision_plan = "mixed-mlp"}
// CHECK-LABEL: func.func @mixed(%arg0: tensor<2x4xf32>
// CHECK: %[[X:.+]] = nb.quantize_linear %arg0
// CHECK: %[[MM1:.+]] = nb.matmul %[[X]], %{{.+}} {{{.*}}nb.precision = "int8"{{.*}}} : (tensor<2x4x!quant.uniform<u8:f32, {{.+}}>>, tensor<4x4x!quant.uniform<i8:f32:1, {{.+}}>>) -> tensor<2x4x!quant.uniform<u8:f32, {{.+}}>>
// CHECK: %[[D1:.+]] = nb.dequantize_linear %[[MM1]]
// CHECK: %[[R:.+]] = nb.relu %[[D1]] {{.*}}: (tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK: quant.scast %{{.+}} : tensor<4x4xi4> to
// CHECK: %[[W2:.+]] = nb.dequantize_linear {{.+}} {axis = 0 : i64, block_size = 2 : i64} : ({{.+}}) -> tensor<4x4xf32>
// CHECK: %[[MM2:.+]] = nb.matmul %[[R]], %[[W2]] {nb.precision = "int4-weight-g2"{{.*}}} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[H:.+]] = nb.cast %[[MM2]] : (tensor<2x4xf32>) -> tensor<2x4xf16>
// CHECK: %[[FC:.+]] = nb.gemm %[[H]], %{{.+}}, %{{.+}} {nb.precision = "fp16"{{.*}}trans_b = true} : (tensor<2x4xf16>, tensor<3x4xf16>, tensor<3xf16>) -> tensor<2x3xf16>
// CHECK: %[[F:.+]] = nb.cast %[[FC]] : (tensor<2x3xf16>) -> tensor<2x3xf32>
// CHECK: %[[MM4:.+]] = nb.matmul %[[F]], %{{.+}} {nb.kept_float = "precision plan: fp32", nb.precision = "fp32"{{.*}}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
// CHECK: return %[[MM4]]
func.func @mixed(%x: tensor<2x4xf32> {nb.range = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w1 = nb.constant dense<[[1.0, -0.5, 0.25, 0.75], [0.5, 1.0, -1.0, 0.25], [-0.25, 0.5, 1.0, -0.75], [0.125, -1.0, 0.5, 1.0]]> : tensor<4x4xf32>
  %y1 = nb.matmul %x, %w1 {nb.calibrated_range = array<f64: -3.0, 3.0>} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc("mm1")
  %r = nb.relu %y1 : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("act")
  %w2 = nb.constant dense<[[0.5, -0.25, 1.0, 0.125], [1.0, 0.75, -0.5, 0.25], [-0.75, 0.5, 0.25, -1.0], [0.25, -0.125, 0.75, 0.5]]> : tensor<4x4xf32>
  %y2 = nb.matmul %r, %w2 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc("mm2")
  %w3 = nb.constant dense<[[1.0, 0.5, -0.5, 0.25], [0.25, -1.0, 0.75, 0.5], [-0.5, 0.25, 1.0, -0.25]]> : tensor<3x4xf32>
  %b3 = nb.constant dense<[0.5, -0.25, 0.125]> : tensor<3xf32>
  %y3 = nb.gemm %y2, %w3, %b3 {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("fc")
  %w4 = nb.constant dense<[[1.0, -1.0], [0.5, 0.25], [-0.25, 0.75]]> : tensor<3x2xf32>
  %y4 = nb.matmul %y3, %w4 : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32> loc("mm4")
  return %y4 : tensor<2x2xf32>
}
