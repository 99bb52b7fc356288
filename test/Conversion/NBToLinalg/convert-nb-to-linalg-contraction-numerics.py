# REQUIRES: onnx
# RUN: %python %s nibble-opt nibble-translate | FileCheck %s
#
# MatMul, Gemm, MatMulInteger and QLinearMatMul lowered by
# convert-nb-to-linalg and run on the CPU, against onnx.reference: floats
# within rtol 1e-5, integers bit for bit.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_node_runner import check, make_model, seeded_rng  # noqa: E402

import numpy as np  # noqa: E402

rng = seeded_rng()
f32 = np.float32


def rand(*shape):
    return rng.standard_normal(shape).astype(f32)


# CHECK: PASS matmul 2-D
a, b = rand(4, 3), rand(3, 5)
check("matmul 2-D", make_model("MatMul", [("a", f32, a.shape), ("b", f32, b.shape)],
                               [("y", f32, [4, 5])]), {"a": a, "b": b}, rtol=1e-5, atol=1e-6)

# CHECK: PASS matmul broadcast batch and 1-D rhs
a, b = rand(2, 1, 4, 3), rand(3)
check("matmul broadcast batch and 1-D rhs",
      make_model("MatMul", [("a", f32, a.shape), ("b", f32, b.shape)], [("y", f32, [2, 1, 4])]),
      {"a": a, "b": b}, rtol=1e-5, atol=1e-6)

# CHECK: PASS matmul 1-D lhs, batched rhs
a, b = rand(3), rand(6, 3, 5)
check("matmul 1-D lhs, batched rhs",
      make_model("MatMul", [("a", f32, a.shape), ("b", f32, b.shape)], [("y", f32, [6, 5])]),
      {"a": a, "b": b}, rtol=1e-5, atol=1e-6)

# CHECK: PASS gemm trans_a trans_b alpha beta
a, b, c = rand(3, 4), rand(5, 3), rand(4, 1)
check("gemm trans_a trans_b alpha beta",
      make_model("Gemm", [("a", f32, a.shape), ("b", f32, b.shape), ("c", f32, c.shape)],
                 [("y", f32, [4, 5])],
                 dict(alpha=0.5, beta=-2.0, transA=1, transB=1)),
      {"a": a, "b": b, "c": c}, rtol=1e-5, atol=1e-6)

# onnx.reference broadcasts a 1-D a_zero_point along the last axis, not per
# row as the operator's definition says: numpy gives the expected values.
# CHECK: PASS matmul_integer u8 x i8 per-row zero point
a = rng.integers(0, 256, (2, 4, 7)).astype(np.uint8)
b = rng.integers(-128, 128, (7, 5)).astype(np.int8)
az = rng.integers(0, 256, (4,)).astype(np.uint8)
bz = np.array(-3, np.int8)
check("matmul_integer u8 x i8 per-row zero point",
      make_model("MatMulInteger",
                 [("a", np.uint8, a.shape), ("b", np.int8, b.shape),
                  ("az", np.uint8, az.shape), ("bz", np.int8, [])],
                 [("y", np.int32, [2, 4, 5])]),
      {"a": a, "b": b, "az": az, "bz": bz},
      expected=[np.matmul(a.astype(np.int32) - az.astype(np.int32)[:, None],
                          b.astype(np.int32) - np.int32(bz))])

# Scales chosen so that many products land on .5 ties and saturate.
for dtype, lo, hi in ((np.uint8, 0, 256), (np.int8, -128, 128)):
    name = f"qlinear_matmul {np.dtype(dtype).name}"
    a = rng.integers(lo, hi, (3, 8)).astype(dtype)
    b = rng.integers(lo, hi, (8, 6)).astype(dtype)
    feeds = {
        "a": a, "as": np.array(0.25, f32), "az": np.array(rng.integers(lo, hi), dtype),
        "b": b, "bs": np.array(0.5, f32), "bz": np.array(rng.integers(lo, hi), dtype),
        "ys": np.array(64.0, f32), "yz": np.array(rng.integers(lo, hi), dtype)}
    inputs = [(k, v.dtype, list(v.shape)) for k, v in feeds.items()]
    check(name, make_model("QLinearMatMul", inputs, [("y", dtype, [3, 6])]), feeds)
# CHECK: PASS qlinear_matmul uint8
# CHECK: PASS qlinear_matmul int8

# The backend node test's data (onnx/backend/test/case/node/qlinearmatmul.py).
a = np.array([[208, 236, 0, 238], [3, 214, 255, 29]], dtype=np.uint8)
b = np.array([[152, 51, 244], [60, 26, 255], [0, 127, 246], [127, 254, 247]], dtype=np.uint8)
feeds = {"a": a, "as": np.array([0.0066], f32), "az": np.array([113], np.uint8),
         "b": b, "bs": np.array([0.00705], f32), "bz": np.array([114], np.uint8),
         "ys": np.array([0.0107], f32), "yz": np.array([118], np.uint8)}
inputs = [(k, v.dtype, list(v.shape)) for k, v in feeds.items()]
# CHECK: PASS qlinear_matmul backend node test
check("qlinear_matmul backend node test",
      make_model("QLinearMatMul", inputs, [("y", np.uint8, [2, 3])]), feeds)
