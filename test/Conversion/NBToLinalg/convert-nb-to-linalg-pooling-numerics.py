# REQUIRES: onnx
# RUN: %python %s nibble-opt nibble-translate | FileCheck %s
#
# MaxPool, AveragePool and GlobalAveragePool lowered by convert-nb-to-linalg
# and run on the CPU, against onnx.reference (max exactly, averages within
# rtol 1e-5).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_node_runner import check, make_model, seeded_rng  # noqa: E402

import numpy as np  # noqa: E402

rng = seeded_rng()
f32 = np.float32
tol = dict(rtol=1e-5, atol=1e-6)


def pool(case, op, shape, out, **attrs):
    x = rng.standard_normal(shape).astype(f32)
    check(case, make_model(op, [("x", f32, shape)], [("y", f32, out)], attrs), {"x": x},
          **tol)


# CHECK: PASS max_pool 2-D pads strides
pool("max_pool 2-D pads strides", "MaxPool", [1, 2, 7, 6], [1, 2, 4, 3],
     kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
# CHECK: PASS max_pool 2-D ceil_mode dilations
pool("max_pool 2-D ceil_mode dilations", "MaxPool", [1, 1, 8, 8], [1, 1, 3, 3],
     kernel_shape=[2, 2], strides=[3, 3], dilations=[2, 2], ceil_mode=1)
# CHECK: PASS max_pool 1-D SAME_UPPER
pool("max_pool 1-D SAME_UPPER", "MaxPool", [2, 3, 9], [2, 3, 5],
     kernel_shape=[4], strides=[2], auto_pad="SAME_UPPER")
# CHECK: PASS max_pool 3-D
pool("max_pool 3-D", "MaxPool", [1, 2, 4, 5, 6], [1, 2, 3, 4, 5], kernel_shape=[2, 2, 2])
# CHECK: PASS average_pool exclude pad
pool("average_pool exclude pad", "AveragePool", [1, 2, 5, 5], [1, 2, 3, 3],
     kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
# CHECK: PASS average_pool include pad
pool("average_pool include pad", "AveragePool", [1, 2, 5, 5], [1, 2, 3, 3],
     kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2], count_include_pad=1)
# CHECK: PASS average_pool ceil_mode
pool("average_pool ceil_mode", "AveragePool", [1, 1, 6, 6], [1, 1, 3, 3],
     kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
# CHECK: PASS average_pool SAME_LOWER 3-D
pool("average_pool SAME_LOWER 3-D", "AveragePool", [1, 1, 4, 5, 3], [1, 1, 2, 3, 2],
     kernel_shape=[2, 3, 2], strides=[2, 2, 2], auto_pad="SAME_LOWER")
# CHECK: PASS global_average_pool
pool("global_average_pool", "GlobalAveragePool", [2, 3, 4, 5], [2, 3, 1, 1])
