# REQUIRES: onnx
# RUN: %python %s nibble-opt nibble-translate | FileCheck %s
#
# QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear lowered by
# convert-nb-to-linalg and run on the CPU, bit for bit against
# onnx.reference (inputs include exact .5 ties and out-of-range values).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_node_runner import check, make_model, seeded_rng  # noqa: E402

import numpy as np  # noqa: E402

rng = seeded_rng()
f32 = np.float32


def io(feeds):
    return [(k, v.dtype, list(v.shape)) for k, v in feeds.items()]


x = (rng.integers(-600, 600, (3, 8)) * 0.5).astype(f32)  # many .5 ties
for dtype in (np.uint8, np.int8, np.uint16, np.int16):
    name = np.dtype(dtype).name
    info = np.iinfo(dtype)
    zp = np.array(rng.integers(max(info.min, -100), min(info.max, 100)), dtype)
    feeds = {"x": x, "s": np.array(0.5, f32), "z": zp}
    check(f"quantize per-tensor {name}",
          make_model("QuantizeLinear", io(feeds), [("y", dtype, [3, 8])]), feeds)
# CHECK: PASS quantize per-tensor uint8
# CHECK: PASS quantize per-tensor int8
# CHECK: PASS quantize per-tensor uint16
# CHECK: PASS quantize per-tensor int16

# CHECK: PASS quantize per-axis int8
feeds = {"x": x, "s": rng.uniform(0.01, 1, (8,)).astype(f32),
         "z": rng.integers(-10, 10, (8,)).astype(np.int8)}
check("quantize per-axis int8",
      make_model("QuantizeLinear", io(feeds), [("y", np.int8, [3, 8])], dict(axis=1)),
      feeds)

# CHECK: PASS quantize blocked uint8
feeds = {"x": x, "s": rng.uniform(0.5, 4, (3, 2)).astype(f32),
         "z": rng.integers(0, 255, (3, 2)).astype(np.uint8)}
check("quantize blocked uint8",
      make_model("QuantizeLinear", io(feeds), [("y", np.uint8, [3, 8])],
                 dict(axis=1, block_size=4)), feeds)

# CHECK: PASS dequantize per-axis uint8
q = rng.integers(0, 256, (2, 3, 4)).astype(np.uint8)
feeds = {"q": q, "s": rng.uniform(0.01, 1, (3,)).astype(f32),
         "z": rng.integers(0, 255, (3,)).astype(np.uint8)}
check("dequantize per-axis uint8",
      make_model("DequantizeLinear", io(feeds), [("y", f32, [2, 3, 4])]), feeds)

# CHECK: PASS dequantize blocked int8
q = rng.integers(-128, 128, (4, 6)).astype(np.int8)
feeds = {"q": q, "s": rng.uniform(0.01, 1, (2, 6)).astype(f32),
         "z": rng.integers(-5, 5, (2, 6)).astype(np.int8)}
check("dequantize blocked int8",
      make_model("DequantizeLinear", io(feeds), [("y", f32, [4, 6])],
                 dict(axis=0, block_size=2)), feeds)

# CHECK: PASS dynamic_quantize_linear
feeds = {"x": rng.standard_normal((4, 5)).astype(f32) * 3}
check("dynamic_quantize_linear",
      make_model("DynamicQuantizeLinear", io(feeds),
                 [("y", np.uint8, [4, 5]), ("s", f32, []), ("z", np.uint8, [])]), feeds)

# CHECK: PASS dynamic_quantize_linear positive
feeds = {"x": rng.uniform(1, 2, (7,)).astype(f32)}
check("dynamic_quantize_linear positive",
      make_model("DynamicQuantizeLinear", io(feeds),
                 [("y", np.uint8, [7]), ("s", f32, []), ("z", np.uint8, [])]), feeds)
