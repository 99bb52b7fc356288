# REQUIRES: onnx
# RUN: %python %s nibble %t | FileCheck %s
#
# The pattern that crashed LLVM's x86 backend on the bf16 PP-OCR classifier
# (targets with AVX512-BF16): a stride-2 3x3 convolution with 96 output
# columns vectorizes to window reads of 65 bf16 elements. The model (strided
# conv, max pool, conv, matmul) is converted with
# `nibble quantize --scheme bf16 --keep-io-types` and run with `nibble run`;
# the reference is numpy in float64 on the same bf16-rounded input, weights
# and (after each op) activations. Tolerance: 2^-7 of the largest output,
# a bf16 rounding of the result plus f32 accumulation.
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

nibble, workdir = sys.argv[1], sys.argv[2]
os.makedirs(workdir, exist_ok=True)
seed = int.from_bytes(os.urandom(4), "little")
print(f"seed {seed}")
rng = np.random.default_rng(seed)


def bf16(x):
    """Rounds float32 values to the nearest bfloat16 (ties to even)."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def conv2d(x, w, stride, pad, group=1):
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // group
    for o in range(f):
        g = o // fg
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i:i + stride * oh:stride, j:j + stride * ow:stride]
                out[:, o] += np.einsum("nchw,c->nhw", patch, w[o, :, i, j])
    return out


x = rng.standard_normal((1, 3, 48, 192)).astype(np.float32)
w1 = (rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(np.float32)
w2 = (rng.standard_normal((8, 8, 3, 3)) * 0.2).astype(np.float32)
m = (rng.standard_normal((48, 5)) * 0.2).astype(np.float32)

nodes = [
    helper.make_node("Conv", ["x", "w1"], ["c1"], strides=[2, 2], pads=[1] * 4),
    helper.make_node("MaxPool", ["c1"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p", "w2"], ["c2"], pads=[1] * 4),
    helper.make_node("Reshape", ["c2", "shape"], ["r"]),
    helper.make_node("MatMul", ["r", "m"], ["y"]),
]
graph = helper.make_graph(
    nodes, "bf16_windows",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 48, 192])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [96, 5])],
    [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2"),
     numpy_helper.from_array(m, "m"),
     numpy_helper.from_array(np.array([96, 48], np.int64), "shape")])
model_path = os.path.join(workdir, "model.onnx")
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
          model_path)
np.save(os.path.join(workdir, "x.npy"), x)

bf16_path = os.path.join(workdir, "bf16.mlir")
out_path = os.path.join(workdir, "y.npy")
for cmd in ([nibble, "quantize", model_path, "--scheme", "bf16",
             "--keep-io-types", "-o", bf16_path],
            [nibble, "run", bf16_path, "--inputs", os.path.join(workdir, "x.npy"),
             "--outputs", out_path]):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print("FAIL", " ".join(cmd), proc.returncode, proc.stderr[-2000:])
        sys.exit(1)
y = np.load(out_path)

c1 = bf16(conv2d(bf16(x).astype(np.float64), bf16(w1), 2, 1))
p = c1.reshape(1, 8, 12, 2, 48, 2).max(axis=(3, 5))
c2 = bf16(conv2d(p, bf16(w2), 1, 1))
ref = bf16(c2.reshape(96, 48) @ bf16(m))

err = np.abs(y - ref).max()
bound = 2.0**-7 * np.abs(ref).max()
print(f"max abs error {err:.3g}, bound {bound:.3g}")
# CHECK: seed
# CHECK: PASS bf16 strided conv, pool, conv, matmul
print(("PASS" if err <= bound else "FAIL") +
      " bf16 strided conv, pool, conv, matmul")
