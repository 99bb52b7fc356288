// Each RUN line writes one bad plan and checks the error that names it.
// RUN: rm -rf %t && mkdir -p %t

// RUN: not nibble-opt %s -nb-apply-precision-plan 2>&1 | FileCheck %s --check-prefix=NOPLAN
// NOPLAN: error: nb-apply-precision-plan: give the plan file (plan=FILE)

// RUN: not nibble-opt %s -nb-apply-precision-plan=plan=%t/missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: nb-apply-precision-plan: cannot read precision plan '{{.*}}missing.json'

// RUN: echo '{"version": 1, "ops": [' > %t/json.json
// RUN: not nibble-opt %s -nb-apply-precision-plan=plan=%t/json.json 2>&1 | FileCheck %s --check-prefix=JSON
// JSON: error: nb-apply-precision-plan: {{.*}}json.json: not valid JSON

// RUN: echo '{"version": 2, "ops": []}' > %t/version.json
// RUN: not nibble-opt %s -nb-apply-precision-plan=plan=%t/version.json 2>&1 | FileCheck %s --check-prefix=VERSION
// VERSION: error: nb-apply-precision-plan: {{.*}}version.json: version 2 is not supported (this build reads version 1)

// RUN: echo '{"version": 1, "ops": [{"node": "mm", "precision": "int3"}]}' > %t/unknown.json
// RUN: not nibble-opt %s -nb-apply-precision-plan=plan=%t/unknown.json 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: nb-apply-precision-plan: {{.*}}unknown.json: ops[0] (node 'mm'): unknown precision 'int3' (fp32, fp16, bf16, fp8-e4m3, fp8-e5m2, int8, int8-dynamic, int8-weight, int4-weight)

// RUN: echo '{"version": 1, "default": "int2-weight", "ops": []}' > %t/default.json
// RUN: not nibble-opt %s -nb-apply-precision-plan=plan=%t/default.json 2>&1 | FileCheck %s --check-prefix=DEFAULT
// DEFAULT: error: nb-apply-precision-plan: {{.*}}default.json: "default": unknown precision 'int2-weight'

// RUN: echo '{"version": 1, "ops": [{"node": "act", "precision": "fp16", "group_size": 32}]}' > %t/group.json
// RUN: not nibble-opt %s -nb-apply-precision-plan=plan=%t/group.json 2>&1 | FileCheck %s --check-prefix=GROUP
// GROUP: error: nb-apply-precision-plan: {{.*}}group.json: ops[0] (node 'act'): group_size applies to int8-weight and int4-weight only, not to 'fp16'

// RUN: echo '{"version": 1, "ops": [{"node": "mm", "precision": "int8"}, {"node": "act", "precision": "fp16"}, {"node": "mm", "precision": "int4-weight", "group_size": 32}]}' > %t/contradict.json
// RUN: not nibble-opt %s -nb-apply-precision-plan=plan=%t/contradict.json 2>&1 | FileCheck %s --check-prefix=CONTRADICT
// CONTRADICT: error: nb-apply-precision-plan: {{.*}}contradict.json: contradictory entries for node 'mm': ops[0] says int8, ops[2] says int4-weight-g32

// Every bad entry is reported, not only the first.
// RUN: echo '{"version": 1, "ops": [{"node": "mm2", "precision": "int8"}, {"node": "mm", "op_type": "Conv", "precision": "int8"}, {"node": "act", "precision": "int4-weight"}, {"node": "fc", "precision": "int8"}]}' > %t/nodes.json
// RUN: not nibble-opt %s -nb-apply-precision-plan=plan=%t/nodes.json 2>&1 | FileCheck %s --check-prefix=NODES
// NODES-DAG: error: precision plan '{{.*}}nodes.json': node 'mm2' is not in the module
// NODES-DAG: error: {{.*}}precision plan '{{.*}}nodes.json': node 'mm' is a MatMul, the plan says Conv (a plan for another model?)
// NODES-DAG: error: {{.*}}precision plan '{{.*}}nodes.json': node 'act' (Relu) cannot take int4-weight: it applies to Conv, MatMul and Gemm with constant weights
// NODES-DAG: error: {{.*}}node 'fc' already has nb.precision = "int8-dynamic"; the plan says "int8"

func.func @plan_errors(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = nb.constant dense<[[1.0, -2.0], [0.25, 1.0], [-1.0, 0.25], [0.125, -0.75]]> : tensor<4x2xf32>
  %y = nb.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32> loc("mm")
  %r = nb.relu %y : (tensor<2x2xf32>) -> tensor<2x2xf32> loc("act")
  %w2 = nb.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %g = nb.gemm %r, %w2 {trans_b = true, nb.precision = "int8-dynamic"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc")
  return %g : tensor<2x2xf32>
}
