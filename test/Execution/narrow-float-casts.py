# Casts to and from float8/float4 through nibble run match ONNX's reference
# implementation bit for bit (nb-cpu-expand-narrow-floats): every bit
# pattern of each type to float32, and float32 edge cases (ties, subnormals,
# overflow, inf, NaN, signed zeros) plus random values to each type, with
# and without saturation.
# REQUIRES: onnx, nibble-onnx-import
# RUN: %python %s --nibble nibble | FileCheck %s

import argparse
import os
import sys
import tempfile

import ml_dtypes
import numpy as np
import onnx
from onnx import helper, TensorProto
from onnx.reference import ReferenceEvaluator

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import nibble_run  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--nibble", required=True)
args = parser.parse_args()
seed = int.from_bytes(os.urandom(4), "little")
print(f"seed {seed}")
rng = np.random.default_rng(seed)

TYPES = [("FLOAT8E4M3FN", TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn),
         ("FLOAT8E4M3FNUZ", TensorProto.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz),
         ("FLOAT8E5M2", TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2),
         ("FLOAT8E5M2FNUZ", TensorProto.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz),
         ("FLOAT4E2M1", TensorProto.FLOAT4E2M1, ml_dtypes.float4_e2m1fn)]


def cast_model(source, target, saturate=None):
    attrs = {"to": target}
    if saturate is not None:
        attrs["saturate"] = saturate
    node = helper.make_node("Cast", ["x"], ["y"], name="cast", **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", source, [None])],
                              [helper.make_tensor_value_info("y", target, [None])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])


def same_values(actual, expected):
    a, e = actual.astype(np.float32), expected.astype(np.float32)
    return bool(np.all((a == e) & (np.signbit(a) == np.signbit(e)) | (np.isnan(a) & np.isnan(e))))


edges = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30, 1e30, 448.0, 449.0, 464.0, 465.0,
         480.0, 57344.0, 61440.0, 61441.0, 65536.0, 6.0, 6.5, 7.0, 0.25, 0.75, 2.0 ** -9,
         2.0 ** -10, 3 * 2.0 ** -11, 2.0 ** -16, 2.0 ** -17, 2.0 ** -18, 1.0625, 1.125, 1.1875]
values = np.concatenate([np.array(edges + [-v for v in edges], np.float32),
                        (rng.standard_normal(500) * rng.choice([1e-3, 1, 100, 1e4], 500)).astype(np.float32)])

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "cast.onnx")
    for name, onnx_type, dtype in TYPES:
        # Every bit pattern to float32.
        if "FLOAT4" in name:  # ml_dtypes keeps float4 in a byte: list the 16 values
            x = np.array([0, .5, 1, 1.5, 2, 3, 4, 6, -0.0, -.5, -1, -1.5, -2, -3, -4, -6],
                         np.float32).astype(dtype)
        else:
            x = np.arange(256, dtype=np.uint8).view(dtype)
        model = cast_model(onnx_type, TensorProto.FLOAT)
        onnx.save(model, path)
        expected = ReferenceEvaluator(model).run(None, {"x": x})[0]
        (out,), _ = nibble_run.run(args.nibble, path, {"x": x}, fmt="pb")
        assert same_values(out, expected), (name, "to float")
        print(f"{name} -> FLOAT: all {len(x)} patterns exact")

        # float32 to the type, saturating and not (float4 always saturates).
        for saturate in ([1] if "FLOAT4" in name else [0, 1]):
            model = cast_model(TensorProto.FLOAT, onnx_type, saturate)
            onnx.save(model, path)
            expected = ReferenceEvaluator(model).run(None, {"x": values})[0]
            (out,), _ = nibble_run.run(args.nibble, path, {"x": values}, fmt="pb")
            out = out.view(expected.dtype)
            bad = [(float(v), float(a), float(e)) for v, a, e in
                   zip(values, out.astype(np.float32), expected.astype(np.float32))
                   if not same_values(np.array([a]), np.array([e]))]
            assert not bad, (name, saturate, bad[:5])
            print(f"FLOAT -> {name} saturate={saturate}: {len(values)} values exact")

# CHECK: seed
# CHECK: FLOAT8E4M3FN -> FLOAT: all 256 patterns exact
# CHECK: FLOAT -> FLOAT8E4M3FN saturate=0: {{[0-9]+}} values exact
# CHECK: FLOAT -> FLOAT8E4M3FN saturate=1: {{[0-9]+}} values exact
# CHECK: FLOAT8E4M3FNUZ -> FLOAT: all 256 patterns exact
# CHECK: FLOAT -> FLOAT8E4M3FNUZ saturate=0
# CHECK: FLOAT -> FLOAT8E4M3FNUZ saturate=1
# CHECK: FLOAT8E5M2 -> FLOAT: all 256 patterns exact
# CHECK: FLOAT -> FLOAT8E5M2 saturate=0
# CHECK: FLOAT -> FLOAT8E5M2 saturate=1
# CHECK: FLOAT8E5M2FNUZ -> FLOAT: all 256 patterns exact
# CHECK: FLOAT -> FLOAT8E5M2FNUZ saturate=0
# CHECK: FLOAT -> FLOAT8E5M2FNUZ saturate=1
# CHECK: FLOAT4E2M1 -> FLOAT: all 16 patterns exact
# CHECK: FLOAT -> FLOAT4E2M1 saturate=1
