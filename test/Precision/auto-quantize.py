# REQUIRES: onnx
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s nibble %t | FileCheck %s
#
# nibble quantize --auto on a three-MatMul MLP with a planted sensitive op:
# every column of mm_b's weight holds one outlier of 12 sigma, so per-channel
# int4 on it (scale = outlier / 7) rounds the rest of the column coarsely. The exact sensitivity must rank
# mm_b's int4-weight worst, the proxy must order the ops the same way, the
# plan must keep mm_b above int4 and meet its target on held-out samples
# (measured here again with `nibble run` against ONNX Runtime's fp32
# outputs), and the bad inputs must get their errors.
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

nibble, out = sys.argv[1:3]
seed = int.from_bytes(os.urandom(4), "little")
print(f"seed {seed}")
rng = np.random.default_rng(seed)

weights = {name: rng.normal(0, 0.25, (32, 32)).astype(np.float32)
           for name in ("w_a", "w_b", "w_c")}
# One outlier of 12 sigma in every column of w_b (rows drawn at random).
weights["w_b"][rng.integers(0, 32, 32), np.arange(32)] = 3.0
nodes = [helper.make_node("MatMul", ["x", "w_a"], ["h1"], name="mm_a"),
         helper.make_node("Relu", ["h1"], ["r1"], name="relu_a"),
         helper.make_node("MatMul", ["r1", "w_b"], ["h2"], name="mm_b"),
         helper.make_node("Relu", ["h2"], ["r2"], name="relu_b"),
         helper.make_node("MatMul", ["r2", "w_c"], ["y"], name="mm_c")]
graph = helper.make_graph(
    nodes, "planted",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 32])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 32])],
    [numpy_helper.from_array(w, n) for n, w in weights.items()])
model_path = os.path.join(out, "planted.onnx")
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
          model_path)
calib = os.path.join(out, "calib.npz")
held = os.path.join(out, "held.npz")
np.savez(calib, x=rng.normal(0, 1, (64, 32)).astype(np.float32))
held_x = rng.normal(0, 1, (200, 32)).astype(np.float32)
np.savez(held, x=held_x)


def auto(*args, tag="run"):
    cmd = [nibble, "quantize", model_path, "--auto", "--data", calib, "--check-data", held,
           "--group-size", "0", "-o", os.path.join(out, tag + ".mlir"),
           "--plan-out", os.path.join(out, tag + ".json"), *args]
    result = subprocess.run(cmd, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def sqnr(x, ref):
    return 10 * np.log10(np.sum(ref ** 2) / np.sum((x - ref) ** 2))


# 1. Exact sensitivity and a plan for 17 dB.
rc, text = auto("--target-sqnr", "17", "--candidates", "int4-weight,int8,fp32", tag="exact")
plan = json.load(open(os.path.join(out, "exact.json")))
ops = {op["node"]: op for op in plan["ops"]}
int4 = {node: op["sensitivity"]["int4-weight"]["sqnr_db"] for node, op in ops.items()}
exact_order = sorted(int4, key=int4.get)
print(f"rc {rc}; exact int4-weight SQNR by op: " +
      ", ".join(f"{n} {int4[n]:.1f} dB" for n in exact_order))
print(f"{'PASS' if exact_order[0] == 'mm_b' else 'FAIL'} exact ranks mm_b most sensitive")
# CHECK: rc 0;
# CHECK: PASS exact ranks mm_b most sensitive
print(f"{'PASS' if ops['mm_b']['precision'] != 'int4-weight' else 'FAIL'} "
      f"mm_b kept above int4: {ops['mm_b']['precision']}")
# CHECK: PASS mm_b kept above int4
smaller = sum(op["precision"] == "int4-weight" for op in ops.values())
print(f"{'PASS' if smaller >= 1 else 'FAIL'} another op goes to int4 ({smaller})")
# CHECK: PASS another op goes to int4

# The target on held-out data, measured independently of the tool.
reference = ort.InferenceSession(model_path).run(None, {"x": held_x})[0]
outputs = os.path.join(out, "held-out.npz")
subprocess.run([nibble, "run", os.path.join(out, "exact.mlir"), "--inputs", held,
                "--outputs", outputs], check=True, capture_output=True)
got = np.load(outputs)["y"].reshape(reference.shape)
value = sqnr(got.astype(np.float64), reference.astype(np.float64))
tool_value = plan["summary"]["sqnr_db"]
print(f"{'PASS' if value >= 17 and abs(value - tool_value) < 0.5 else 'FAIL'} held-out "
      f"SQNR {value:.2f} dB vs ONNX Runtime (tool says {tool_value:.2f} dB), target 17")
# CHECK: PASS held-out SQNR
print(f"{'PASS' if os.path.exists(os.path.join(out, 'exact.svg')) else 'FAIL'} curve SVG written")
# CHECK: PASS curve SVG written

# 2. The proxy ranks the planted op first, as the exact measure does.
rc, text = auto("--target-sqnr", "17", "--candidates", "int4-weight,int8,fp32",
                "--sensitivity", "proxy", tag="proxy")
proxy = {op["node"]: op["sensitivity"]["int4-weight"]["sqnr_db"]
         for op in json.load(open(os.path.join(out, "proxy.json")))["ops"]}
proxy_order = sorted(proxy, key=proxy.get)
# (The two unplanted ops are alike; their order is a coin toss.)
print(f"{'PASS' if proxy_order[0] == exact_order[0] == 'mm_b' else 'FAIL'} proxy order "
      f"{proxy_order}, exact order {exact_order}: both put mm_b first; rc {rc}")
# CHECK: PASS proxy order

# 3. Unreachable without fp32: the best plan and its error, non-zero exit.
rc, text = auto("--target-sqnr", "250", "--candidates", "int4-weight,int8", tag="unreachable")
print(f"unreachable rc {rc}")
print(text)
# CHECK: unreachable rc 1
# CHECK: NOT met output SQNR >= 250
# CHECK: error: no plan meets output SQNR >= 250 dB; the best plan found (mm_a=int8 mm_b=int8 mm_c=int8) gives SQNR
rc, text = auto("--target-sqnr", "250", "--candidates", "int4-weight,int8", "--best-effort",
                tag="best-effort")
print(f"best-effort rc {rc}")
# CHECK: best-effort rc 0

# 4. Size budgets.
rc, text = auto("--size-budget", "0.0001", tag="tiny")
print(f"tiny budget rc {rc}: {text.strip().splitlines()[-1]}")
# CHECK: tiny budget rc 1: nibble quantize --auto: error: the size budget of 100 bytes is below the smallest plan
rc, text = auto("--bits-per-param", "6", "--candidates", "int4-weight,int8,fp16,fp32",
                tag="budget")
budget_plan = json.load(open(os.path.join(out, "budget.json")))
bytes_used = budget_plan["summary"]["parameter_bytes"]
print(f"{'PASS' if rc == 0 and bytes_used <= 6 * 3 * 32 * 32 / 8 else 'FAIL'} 6 bits/param: "
      f"{bytes_used} bytes <= {6 * 3 * 32 * 32 // 8}")
# CHECK: PASS 6 bits/param

# 5. Pins: honored, and contradictions refused.
rc, text = auto("--target-sqnr", "10", "--pin", "mm_a=fp16", "--candidates", "int4-weight",
                tag="pinned")
pinned = {op["node"]: op["precision"]
          for op in json.load(open(os.path.join(out, "pinned.json")))["ops"]}
print(f"pinned rc {rc}: mm_a={pinned['mm_a']}")
# CHECK: pinned rc 0: mm_a=fp16
rc, text = auto("--target-sqnr", "10", "--pin", "mm_b=int8", "--pin", "MatMul=fp16",
                tag="contradiction")
print(f"contradiction rc {rc}: {text.strip().splitlines()[-1]}")
# CHECK: contradiction rc 1: nibble quantize --auto: error: --pin 'MatMul=fp16' and --pin 'mm_b=int8' contradict each other on node 'mm_b' (fp16 vs int8)

# 6. The knapsack search meets the target too; a bad --search is refused.
rc, text = auto("--target-sqnr", "17", "--candidates", "int4-weight,int8,fp32",
                "--sensitivity", "proxy", "--search", "knapsack", tag="knapsack")
summary = json.load(open(os.path.join(out, "knapsack.json")))["summary"]
print(f"{'PASS' if rc == 0 and summary['search'] == 'knapsack' and summary['sqnr_db'] >= 17 else 'FAIL'} "
      f"knapsack rc {rc}: {summary['sqnr_db']:.2f} dB, {summary['parameter_bytes']} bytes")
# CHECK: PASS knapsack rc 0
rc, text = auto("--target-sqnr", "17", "--search", "exhaustive", tag="bad-search")
print(f"bad search rc {rc}: {text.strip().splitlines()[-1]}")
# CHECK: bad search rc 1: nibble quantize --auto: error: --search 'exhaustive': expected greedy or knapsack

# 7. The curves are well-formed SVG (the budget one's target reads
# "parameters <= ... bytes", which must be escaped) with a point per
# measured plan.
import xml.etree.ElementTree as ET
for tag in ("exact", "budget", "knapsack"):
    root = ET.parse(os.path.join(out, tag + ".svg")).getroot()
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    chosen = [t for t in texts if t.startswith("chosen (")]
    print(f"{'PASS' if len(chosen) == 1 else 'FAIL'} {tag}.svg parses, chosen point labelled: {chosen}")
# CHECK: PASS exact.svg parses
# CHECK: PASS budget.svg parses
# CHECK: PASS knapsack.svg parses
