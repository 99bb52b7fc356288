# nibble run and ONNX Runtime agree on the bundled example and on small
# generated models, on the same random inputs (the seed is printed; set
# NIBBLE_SEED to replay one).
#
# Error measure: max |nibble - ort| / max |ort| over each output (normwise
# relative error). Elementwise relative error is no measure here: an output
# near zero that is the sum of terms of size ~1 carries an f32 rounding error
# of ~1e-7 in any summation order, and nibble and ORT sum in different orders
# (both are that far from a float64 reference). Bound: 1e-4 for every model;
# the differences seen are ~1e-7 (summation order, libm's erf/tanh/exp vs
# ORT's approximations).
#
# REQUIRES: onnx, onnxruntime, nibble-onnx-import
# RUN: %python %s --nibble nibble --digits %nibble_src_root/examples/digits/digits_cnn.onnx | FileCheck %s

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
parser.add_argument("--digits", required=True)
args = parser.parse_args()
seed = int(os.environ.get("NIBBLE_SEED", int.from_bytes(os.urandom(4), "little")))
print(f"seed {seed}")
rng = np.random.default_rng(seed)


def relative_error(actual, expected):
    actual = np.asarray(actual, np.float64)
    expected = np.asarray(expected, np.float64)
    scale = np.max(np.abs(expected)) if expected.size else 0.0
    difference = np.max(np.abs(actual - expected)) if expected.size else 0.0
    return float(difference / scale) if scale else float(difference)


def weight(name, *shape, scale=0.3):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def make_model(nodes, inputs, outputs, initializers, opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def value(name, *shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def models():
    """(name, model, {input: array})"""
    # An MLP: MatMul + Add + Relu, Gemm (transposed weight), Sigmoid.
    mlp = make_model(
        [helper.make_node("MatMul", ["x", "w1"], ["h"], name="fc1"),
         helper.make_node("Add", ["h", "b1"], ["hb"], name="bias1"),
         helper.make_node("Relu", ["hb"], ["r"], name="relu"),
         helper.make_node("Gemm", ["r", "w2", "b2"], ["logits"], transB=1, name="fc2"),
         helper.make_node("Sigmoid", ["logits"], ["y"], name="sigmoid")],
        [value("x", "batch", 64)], [value("y", "batch", 10)],
        [weight("w1", 64, 32), weight("b1", 32), weight("w2", 10, 32), weight("b2", 10)])
    yield "mlp", mlp, {"x": rng.standard_normal((8, 64)).astype(np.float32)}
    # The same model at another batch size: a second specialization.
    yield "mlp-batch-1", mlp, {"x": rng.standard_normal((1, 64)).astype(np.float32)}

    # A GELU block: MatMul, Gelu (erf form), Tanh, LeakyRelu.
    gelu = make_model(
        [helper.make_node("MatMul", ["x", "w"], ["h"], name="proj"),
         helper.make_node("Gelu", ["h"], ["g"], name="gelu"),
         helper.make_node("Tanh", ["g"], ["t"], name="tanh"),
         helper.make_node("LeakyRelu", ["t"], ["y"], alpha=0.1, name="leaky")],
        [value("x", 4, 16, 32)], [value("y", 4, 16, 48)], [weight("w", 32, 48)], opset=20)
    yield "gelu-block", gelu, {"x": rng.standard_normal((4, 16, 32)).astype(np.float32)}

    # Broadcasting arithmetic: Div, Sub, Mul, Pow, Sqrt, Neg, Where, Erf.
    arith = make_model(
        [helper.make_node("Mul", ["a", "a"], ["a2"], name="square"),
         helper.make_node("Add", ["a2", "one"], ["pos"], name="shift"),
         helper.make_node("Sqrt", ["pos"], ["s"], name="sqrt"),
         helper.make_node("Div", ["b", "s"], ["d"], name="div"),
         helper.make_node("Sub", ["d", "c"], ["e"], name="sub"),
         helper.make_node("Pow", ["pos", "half"], ["p"], name="pow"),
         helper.make_node("Neg", ["p"], ["n"], name="neg"),
         helper.make_node("Erf", ["e"], ["f"], name="erf"),
         helper.make_node("Equal", ["b", "b"], ["m"], name="eq"),
         helper.make_node("Where", ["m", "f", "n"], ["y"], name="where")],
        [value("a", 3, 1, 5), value("b", 4, 5), value("c", 5)], [value("y", 3, 4, 5)],
        [numpy_helper.from_array(np.array(1.0, np.float32), "one"),
         numpy_helper.from_array(np.array(0.5, np.float32), "half")])
    yield "broadcast-arith", arith, {
        "a": rng.standard_normal((3, 1, 5)).astype(np.float32),
        "b": rng.standard_normal((4, 5)).astype(np.float32),
        "c": rng.standard_normal((5,)).astype(np.float32)}

    digits = onnx.load(args.digits)
    yield "digits", digits, {"input": rng.random((32, 1, 8, 8)).astype(np.float32)}


worst = 0.0
with tempfile.TemporaryDirectory() as tmp:
    for name, model, inputs in models():
        path = os.path.join(tmp, f"{name}.onnx")
        onnx.save(model, path)
        session = ort.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        expected = session.run(None, inputs)
        outputs, proc = nibble_run.run(args.nibble, path, inputs)
        errors = [relative_error(a, e) for a, e in zip(outputs, expected)]
        assert all(a.shape == e.shape for a, e in zip(outputs, expected)), name
        error = max(errors)
        worst = max(worst, error)
        verdict = "ok" if error < BOUND else "TOO LARGE"
        print(f"{name}: max relative error {error:.2e} ({verdict})")
        if name == "digits":
            timing = [l for l in proc.stdout.splitlines() if l.startswith("time:")]
            print(f"digits {timing[0] if timing else ''}")

    # The bundled model on every target this CPU can run.
    digits_path = os.path.join(tmp, "digits.onnx")
    inputs = {"input": rng.random((16, 1, 8, 8)).astype(np.float32)}
    expected = ort.InferenceSession(args.digits, providers=["CPUExecutionProvider"]).run(
        None, inputs)
    for target in ["generic", "x86-64-v3", "x86-64-v4"]:
        outputs, proc = nibble_run.run(args.nibble, digits_path, inputs,
                                       extra=["--target", target], check=False)
        if outputs is None and "cannot run code for target" in proc.stderr:
            print(f"digits --target {target}: this CPU cannot run it")
            continue
        if outputs is None:
            raise SystemExit(f"digits --target {target}: nibble run failed:\n{proc.stderr}")
        error = relative_error(outputs[0], expected[0])
        worst = max(worst, error)
        print(f"digits --target {target}: max relative error {error:.2e} "
              f"({'ok' if error < BOUND else 'TOO LARGE'})")

print(f"worst {worst:.2e}, bound {BOUND:.0e}")
sys.exit(0 if worst < BOUND else 1)

# CHECK: seed {{[0-9]+}}
# CHECK: mlp: max relative error {{.*}} (ok)
# CHECK: mlp-batch-1: max relative error {{.*}} (ok)
# CHECK: gelu-block: max relative error {{.*}} (ok)
# CHECK: broadcast-arith: max relative error {{.*}} (ok)
# CHECK: digits: max relative error {{.*}} (ok)
# CHECK: digits --target generic: max relative error {{.*}} (ok)
# CHECK: digits --target x86-64-v3: max relative error {{.*}} (ok)
# CHECK: digits --target x86-64-v4: {{max relative error .* \(ok\)|this CPU cannot run it}}
