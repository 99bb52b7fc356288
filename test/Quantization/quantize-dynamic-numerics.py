# Dynamic W8A8 (nb-quantize-dynamic) run through nibble run, against
# onnxruntime.quantization.quantize_dynamic's model run in ONNX Runtime on
# the same inputs, and against fp32.
#
# Model: x[B, 16] -> MatMul W1[16, 24] -> Relu -> Gemm(W2[10, 24], trans_b,
# bias) -> y, plus a Conv model (per-channel weights, bias, padding, stride).
# Seeded random weights and inputs (the seed is printed; NIBBLE_SEED replays).
#
# Against ORT (which turns Gemm into MatMul + Add before quantizing it):
# both compute the same uint8 x int8 products with int32 accumulation and
# the same sequence of f32 multiplies, so the bound is 1e-6 * max|y| (float
# rounding only; the outputs seen are bit-identical).
# ORT quantizes Conv weights per tensor even with per_channel=True
# (ConvInteger.quantize calls quantize_weight without op_level_per_channel),
# so our per-channel Conv has no ORT counterpart; it is checked against fp32
# only (and prints ORT's per-tensor SQNR beside it).
# Against fp32: SQNR >= 30 dB, for per-channel and per-tensor weights.
#
# REQUIRES: onnx, nibble, nibble-translate
# RUN: %python %s --nibble nibble --nibble-opt nibble-opt --nibble-translate nibble-translate | FileCheck %s

import argparse
import logging
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic

logging.getLogger().setLevel(logging.ERROR)  # ORT's pre-processing advice

parser = argparse.ArgumentParser()
parser.add_argument("--nibble", required=True)
parser.add_argument("--nibble-opt", required=True)
parser.add_argument("--nibble-translate", required=True)
args = parser.parse_args()
seed = int(os.environ.get("NIBBLE_SEED", int.from_bytes(os.urandom(4), "little")))
print(f"seed {seed}")
rng = np.random.default_rng(seed)

ORT_BOUND = 1e-6
SQNR_BOUND = 30.0


def mlp_model():
    w1 = (rng.standard_normal((16, 24)) * 0.3).astype(np.float32)
    w2 = (rng.standard_normal((10, 24)) * 0.3).astype(np.float32)
    b2 = (rng.standard_normal(10) * 0.1).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"], name="fc1"),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("Gemm", ["r", "w2", "b2"], ["y"], name="fc2", transB=1)]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 10])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2"),
         numpy_helper.from_array(b2, "b2")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def conv_model():
    w = (rng.standard_normal((6, 3, 3, 3)) * 0.4).astype(np.float32)
    b = (rng.standard_normal(6) * 0.1).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv",
                            pads=[1, 1, 1, 1], strides=[2, 2])
    graph = helper.make_graph(
        [node], "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 9, 9])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 6, 5, 5])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run_tool(command, **kwargs):
    proc = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr}")
    return proc.stdout


def run_nibble(tmp, model_path, options, x):
    imported = run_tool([args.nibble_translate, "--import-onnx", model_path])
    quantized = run_tool([args.nibble_opt, f"--nb-quantize-dynamic={options}"],
                         input=imported)
    assert "nb.dynamic_quantize_linear" in quantized, quantized
    mlir = os.path.join(tmp, "quantized.mlir")
    with open(mlir, "w") as f:
        f.write(quantized)
    inputs, outputs = os.path.join(tmp, "in.npz"), os.path.join(tmp, "out.npz")
    np.savez(inputs, x=x)
    run_tool([args.nibble, "run", mlir, "--inputs", inputs, "--outputs", outputs])
    with np.load(outputs) as archive:
        return archive[archive.files[0]]


def run_ort(path, x):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def sqnr(actual, reference):
    noise = np.sum((actual.astype(np.float64) - reference) ** 2)
    return 10 * np.log10(np.sum(reference.astype(np.float64) ** 2) / noise)


def compare(name, model, x, ort_per_channel=True):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        onnx.save(model, path)
        reference = run_ort(path, x)
        for per_channel in (True, False):
            weights = "channel" if per_channel else "tensor"
            options = "" if per_channel else "per-tensor-weights"
            ort_path = os.path.join(tmp, f"ort_{weights}.onnx")
            quantize_dynamic(path, ort_path, per_channel=per_channel,
                             weight_type=QuantType.QInt8)
            expected = run_ort(ort_path, x)
            actual = run_nibble(tmp, path, options, x)
            if per_channel and not ort_per_channel:
                print(f"SKIP {name} per-{weights} vs ORT quantize_dynamic: ORT quantizes "
                      "this op's weight per tensor")
            else:
                error = float(np.max(np.abs(actual - expected)) / np.max(np.abs(expected)))
                verdict = "PASS" if error <= ORT_BOUND else "FAIL"
                print(f"{verdict} {name} per-{weights} vs ORT quantize_dynamic: "
                      f"max |nibble - ort| / max |ort| = {error:.3g} (bound {ORT_BOUND:g}), "
                      f"bit-identical {np.array_equal(actual, expected)}")
            ours, theirs = sqnr(actual, reference), sqnr(expected, reference)
            verdict = "PASS" if ours >= SQNR_BOUND else "FAIL"
            print(f"{verdict} {name} per-{weights} vs fp32: SQNR nibble {ours:.1f} dB "
                  f"(ORT {theirs:.1f} dB), max abs {np.max(np.abs(actual - reference)):.3g}")


x = rng.standard_normal((8, 16)).astype(np.float32)
compare("mlp", mlp_model(), x)
# CHECK: PASS mlp per-channel vs ORT
# CHECK: PASS mlp per-channel vs fp32
# CHECK: PASS mlp per-tensor vs ORT
# CHECK: PASS mlp per-tensor vs fp32
x = rng.uniform(-1, 2, (2, 3, 9, 9)).astype(np.float32)
compare("conv", conv_model(), x, ort_per_channel=False)
# CHECK: SKIP conv per-channel vs ORT
# CHECK: PASS conv per-channel vs fp32
# CHECK: PASS conv per-tensor vs ORT
# CHECK: PASS conv per-tensor vs fp32
