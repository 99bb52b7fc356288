# Squeeze-excitation gates agree with ONNX Runtime: x * gate(x)[n, c, 0, 0],
# the gate a Conv with bias on a global average pool. The minimal reproducer
# of a PP-OCRv4 recognizer/detector bug: nb-cpu-fuse-elementwise fused the
# conv's in-place bias add (outs(conv) { out + bias }) into the broadcasting
# Mul, and the fused op added the bias once per (h, w) position. The gate was
# right whenever the conv result had another use, so each model is also run
# with the gate exposed as a second output.
#
# Error measure: max |nibble - ort| / max |ort| per output (as in
# ort-agreement.py); bound 1e-4, differences seen ~1e-7 (summation order).
# Before the fix: 0.7 to 100 for every model without the gate exposed.
#
# REQUIRES: onnx, onnxruntime, nibble-onnx-import
# RUN: %python %s --nibble nibble | FileCheck %s

import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper, TensorProto

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import nibble_run  # noqa: E402

BOUND = 1e-4

parser = argparse.ArgumentParser()
parser.add_argument("--nibble", required=True)
args = parser.parse_args()
seed = int(os.environ.get("NIBBLE_SEED", int.from_bytes(os.urandom(4), "little")))
print(f"seed {seed}")
rng = np.random.default_rng(seed)


def relative_error(actual, expected):
    actual = np.asarray(actual, np.float64)
    expected = np.asarray(expected, np.float64)
    scale = np.max(np.abs(expected))
    difference = np.max(np.abs(actual - expected))
    return float(difference / scale) if scale else float(difference)


def weight(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32), name)


def se_model(channels, reduced, gate, expose_gate, dynamic):
    """GlobalAveragePool -> Conv(+bias) [-> Relu -> Conv(+bias)] -> gate -> Mul."""
    nodes = [helper.make_node("GlobalAveragePool", ["x"], ["pooled"], name="pool")]
    initializers = []
    if reduced:
        nodes += [helper.make_node("Conv", ["pooled", "w1", "b1"], ["squeezed"], name="squeeze"),
                  helper.make_node("Relu", ["squeezed"], ["relu"], name="relu"),
                  helper.make_node("Conv", ["relu", "w2", "b2"], ["logit"], name="excite")]
        initializers += [weight("w1", reduced, channels, 1, 1), weight("b1", reduced),
                         weight("w2", channels, reduced, 1, 1), weight("b2", channels)]
    else:
        nodes.append(helper.make_node("Conv", ["pooled", "w2", "b2"], ["logit"], name="excite"))
        initializers += [weight("w2", channels, channels, 1, 1), weight("b2", channels)]
    if gate == "HardSigmoid":
        nodes.append(helper.make_node("HardSigmoid", ["logit"], ["gate"], alpha=1 / 6, beta=0.5))
    elif gate == "Sigmoid":
        nodes.append(helper.make_node("Sigmoid", ["logit"], ["gate"]))
    else:
        nodes.append(helper.make_node("Identity", ["logit"], ["gate"]))
    nodes.append(helper.make_node("Mul", ["x", "gate"], ["y"], name="scale"))
    shape = ["n", channels, "h", "w"] if dynamic else [2, channels, 6, 20]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)]
    if expose_gate:
        gate_shape = [shape[0], channels, 1, 1]
        outputs.append(helper.make_tensor_value_info("gate", TensorProto.FLOAT, gate_shape))
    graph = helper.make_graph(nodes, "se", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              outputs, initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def models():
    """(name, model, {input: array})"""
    for gate in ["HardSigmoid", "Sigmoid", "none"]:
        for reduced in [4, 0]:
            for expose_gate in [False, True]:
                name = f"{gate}-{'reduce4' if reduced else 'direct'}{'-gate-output' if expose_gate else ''}"
                model = se_model(16, reduced, gate, expose_gate, dynamic=False)
                yield name, model, {"x": rng.standard_normal((2, 16, 6, 20)).astype(np.float32)}
    # PP-OCRv4 rec's first SE block's shape, symbolic dimensions as there.
    model = se_model(240, 60, "HardSigmoid", False, dynamic=True)
    yield "ppocr-shape-dynamic", model, {"x": rng.standard_normal((1, 240, 6, 80)).astype(np.float32)}


worst = 0.0
with tempfile.TemporaryDirectory() as tmp:
    for name, model, inputs in models():
        path = os.path.join(tmp, f"{name}.onnx")
        onnx.save(model, path)
        session = ort.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        expected = session.run(None, inputs)
        outputs, _ = nibble_run.run(args.nibble, path, inputs)
        assert len(outputs) == len(expected), name
        assert all(a.shape == e.shape for a, e in zip(outputs, expected)), name
        error = max(relative_error(a, e) for a, e in zip(outputs, expected))
        worst = max(worst, error)
        print(f"{name}: max relative error {error:.2e} "
              f"({'ok' if error < BOUND else 'TOO LARGE'})")

print(f"worst {worst:.2e}, bound {BOUND:.0e}")
sys.exit(0 if worst < BOUND else 1)

# CHECK: seed {{[0-9]+}}
# CHECK: HardSigmoid-reduce4: max relative error {{.*}} (ok)
# CHECK: HardSigmoid-reduce4-gate-output: max relative error {{.*}} (ok)
# CHECK: HardSigmoid-direct: max relative error {{.*}} (ok)
# CHECK: HardSigmoid-direct-gate-output: max relative error {{.*}} (ok)
# CHECK: Sigmoid-reduce4: max relative error {{.*}} (ok)
# CHECK: Sigmoid-reduce4-gate-output: max relative error {{.*}} (ok)
# CHECK: Sigmoid-direct: max relative error {{.*}} (ok)
# CHECK: Sigmoid-direct-gate-output: max relative error {{.*}} (ok)
# CHECK: none-reduce4: max relative error {{.*}} (ok)
# CHECK: none-reduce4-gate-output: max relative error {{.*}} (ok)
# CHECK: none-direct: max relative error {{.*}} (ok)
# CHECK: none-direct-gate-output: max relative error {{.*}} (ok)
# CHECK: ppocr-shape-dynamic: max relative error {{.*}} (ok)
# CHECK: worst
