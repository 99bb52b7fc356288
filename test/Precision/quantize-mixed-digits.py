# REQUIRES: onnx
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s nibble-translate nibble-opt nibble %nibble_src_root/examples/digits %t | FileCheck %s
#
# nb-quantize-mixed on the bundled digits CNN (conv1, conv2, fc), run through
# the JIT on the 450 held-out digits:
# 1. A plan that gives only conv2 int4-weight g8 must compute exactly what
#    nb-quantize-weights does with conv1 and fc excluded by name: the plan
#    selects the same op the exclusions leave (logits bit-identical).
# 2. A plan mixing int8 (conv1), int4-weight g8 (conv2) and fp16 (fc): each op
#    is in its precision in the IR, and the logits stay within the floors:
#    SQNR >= 20 dB against fp32 and accuracy within 3 points.
import json
import os
import subprocess
import sys

import numpy as np

translate, opt, nibble, digits, out = sys.argv[1:6]
test_data = os.path.join(digits, "test_set.npz")
labels = np.load(test_data)["labels"]
model = os.path.join(out, "digits.mlir")
# Node names live in the locations: keep them in the text.
subprocess.run([translate, "--import-onnx", os.path.join(digits, "digits_cnn.onnx"),
                "--mlir-print-debuginfo", "-o", model], check=True)
table = os.path.join(out, "table.json")
subprocess.run([nibble, "calibrate", os.path.join(digits, "digits_cnn.onnx"), "--data",
                os.path.join(digits, "calib_set.npz"), "--quiet", "-o", table], check=True)


def run_jit(program):
    outputs = os.path.join(out, "logits.npz")
    subprocess.run([nibble, "run", program, "--inputs", test_data, "--outputs", outputs],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return np.load(outputs)["logits"].astype(np.float64)


def mixed(name, ops):
    plan = os.path.join(out, name + ".json")
    with open(plan, "w") as f:
        json.dump({"version": 1, "model": "digits_cnn.onnx", "ops": ops}, f)
    program = os.path.join(out, name + ".mlirbc")
    subprocess.run([opt, model, "--emit-bytecode", "-o", program, "--pass-pipeline",
                    f"builtin.module(nb-quantize-mixed{{plan={plan} table={table}}})"],
                   check=True, stderr=subprocess.DEVNULL)
    text = subprocess.run([opt, program], check=True, capture_output=True, text=True).stdout
    return program, text


def sqnr(x, ref):
    return 10 * np.log10(np.sum(ref ** 2) / np.sum((x - ref) ** 2))


fp32 = run_jit(model)
fp32_accuracy = np.mean(fp32.argmax(1) == labels) * 100

# 1. Plan selection = exclusion selection.
only_conv2, _ = mixed("only-conv2", [{"node": "conv2", "precision": "int4-weight",
                                      "group_size": 8}])
excluded = os.path.join(out, "excluded.mlirbc")
subprocess.run([opt, model, "--emit-bytecode", "-o", excluded,
                "--nb-quantize-weights=bits=4 group-size=8 pad-groups=true "
                "exclude-nodes=conv1|fc"], check=True)
a, b = run_jit(only_conv2), run_jit(excluded)
print(f"{'PASS' if np.array_equal(a, b) else 'FAIL'} plan conv2=int4-weight-g8 equals "
      f"exclusions: {np.sum(a != b)} of {a.size} logits differ, "
      f"SQNR {sqnr(a, fp32):.1f} dB")
# CHECK: PASS plan conv2=int4-weight-g8 equals exclusions: 0 of 4500 logits differ

# 2. Three precisions in one program.
program, text = mixed("mixed", [
    {"node": "conv1", "op_type": "Conv", "precision": "int8"},
    {"node": "conv2", "op_type": "Conv", "precision": "int4-weight", "group_size": 8},
    {"node": "fc", "op_type": "Gemm", "precision": "fp16"}])
in_precision = {
    "conv1": "nb.conv" in text and "x!quant.uniform<u8:f32" in text,
    "conv2": "xi4>" in text,
    "fc": "tensor<10x256xf16>" in text,
}
print("ops in their precision:", " ".join(f"{k}={v}" for k, v in in_precision.items()))
# CHECK: ops in their precision: conv1=True conv2=True fc=True
logits = run_jit(program)
accuracy = np.mean(logits.argmax(1) == labels) * 100
value = sqnr(logits, fp32)
ok = value >= 20 and accuracy >= fp32_accuracy - 3
print(f"{'PASS' if ok else 'FAIL'} mixed int8/int4-weight-g8/fp16: SQNR {value:.1f} dB, "
      f"accuracy {accuracy:.2f}% (fp32 {fp32_accuracy:.2f}%)")
# CHECK: PASS mixed int8/int4-weight-g8/fp16
