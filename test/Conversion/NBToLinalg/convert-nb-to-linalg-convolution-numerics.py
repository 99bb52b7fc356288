# REQUIRES: onnx
# RUN: %python %s nibble-opt nibble-translate | FileCheck %s
#
# Conv, ConvTranspose, ConvInteger and QLinearConv lowered by
# convert-nb-to-linalg and run on the CPU, against onnx.reference: floats
# within rtol 1e-4, integers bit for bit.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_node_runner import check, make_model, seeded_rng  # noqa: E402

import numpy as np  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

rng = seeded_rng()
f32 = np.float32
tol = dict(rtol=1e-4, atol=1e-5)


def io(feeds):
    return [(k, v.dtype, list(v.shape)) for k, v in feeds.items()]


def rand(*shape):
    return rng.standard_normal(shape).astype(f32)


def conv(case, op, feeds, out, out_dtype=f32, **attrs):
    check(case, make_model(op, io(feeds), [("y", out_dtype, out)], attrs), feeds,
          **(tol if out_dtype == f32 else {}))


# CHECK: PASS conv 2-D pads strides bias
conv("conv 2-D pads strides bias", "Conv", {"x": rand(2, 3, 7, 6), "w": rand(4, 3, 3, 3), "b": rand(4)},
     [2, 4, 4, 3], pads=[1, 1, 1, 1], strides=[2, 2])
# CHECK: PASS conv 2-D grouped dilated SAME_UPPER
conv("conv 2-D grouped dilated SAME_UPPER", "Conv", {"x": rand(1, 4, 6, 6), "w": rand(6, 2, 2, 3)},
     [1, 6, 6, 6], group=2, dilations=[2, 1], auto_pad="SAME_UPPER")
# CHECK: PASS conv 1-D depthwise
conv("conv 1-D depthwise", "Conv", {"x": rand(2, 3, 9), "w": rand(3, 1, 3)}, [2, 3, 7], group=3)
# CHECK: PASS conv 3-D
conv("conv 3-D", "Conv", {"x": rand(1, 2, 4, 5, 4), "w": rand(3, 2, 2, 3, 2)}, [1, 3, 3, 5, 3],
     pads=[0, 1, 0, 0, 1, 0])
# CHECK: PASS conv_transpose 2-D strides pads output_padding
conv("conv_transpose 2-D strides pads output_padding", "ConvTranspose",
     {"x": rand(1, 2, 3, 4), "w": rand(2, 3, 3, 3), "b": rand(3)}, [1, 3, 6, 8],
     strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])
# onnx.reference mis-reshapes grouped ConvTranspose weights; the expected
# values are its group=1 results per group, concatenated.
# CHECK: PASS conv_transpose grouped dilated
feeds = {"x": rand(1, 4, 3, 3), "w": rand(4, 1, 3, 3)}
expected = np.concatenate([
    ReferenceEvaluator(make_model("ConvTranspose", [("x", f32, [1, 2, 3, 3]), ("w", f32, [2, 1, 3, 3])],
                                  [("y", f32, [1, 1, 7, 5])], dict(dilations=[2, 1])))
    .run(None, {"x": feeds["x"][:, 2 * g:2 * g + 2], "w": feeds["w"][2 * g:2 * g + 2]})[0]
    for g in range(2)], axis=1)
check("conv_transpose grouped dilated",
      make_model("ConvTranspose", io(feeds), [("y", f32, [1, 2, 7, 5])], dict(group=2, dilations=[2, 1])),
      feeds, expected=[expected], **tol)

# CHECK: PASS conv_integer u8 zero point pads
x = rng.integers(0, 256, (1, 2, 5, 5)).astype(np.uint8)
w = rng.integers(0, 256, (3, 2, 3, 3)).astype(np.uint8)
conv("conv_integer u8 zero point pads", "ConvInteger",
     {"x": x, "w": w, "xz": np.array(100, np.uint8), "wz": np.array(7, np.uint8)},
     [1, 3, 5, 5], np.int32, pads=[1, 1, 1, 1])

for dtype, lo, hi in ((np.uint8, 0, 256), (np.int8, -128, 128)):
    name = f"qlinear_conv {np.dtype(dtype).name} per-channel"
    feeds = {
        "x": rng.integers(lo, hi, (1, 4, 6, 6)).astype(dtype), "xs": np.array(0.5, f32),
        "xz": np.array(rng.integers(lo, hi), dtype),
        "w": rng.integers(-128, 128, (4, 2, 3, 3)).astype(np.int8),
        "ws": rng.uniform(0.01, 0.1, (4,)).astype(f32), "wz": np.zeros(4, np.int8),
        "ys": np.array(8.0, f32), "yz": np.array(rng.integers(lo, hi), dtype),
        "b": rng.integers(-1000, 1000, (4,)).astype(np.int32)}
    conv(name, "QLinearConv", feeds, [1, 4, 3, 3], dtype, group=2, strides=[2, 2],
         pads=[1, 1, 0, 0])
# CHECK: PASS qlinear_conv uint8 per-channel
# CHECK: PASS qlinear_conv int8 per-channel
