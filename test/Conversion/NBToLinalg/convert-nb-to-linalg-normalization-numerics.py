# REQUIRES: onnx
# RUN: %python %s nibble-opt nibble-translate | FileCheck %s
#
# BatchNormalization, LayerNormalization, Softmax and ReduceMean lowered by
# convert-nb-to-linalg and run on the CPU, against onnx.reference within
# rtol 1e-5 (summation order differs).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_node_runner import check, make_model, seeded_rng  # noqa: E402

import numpy as np  # noqa: E402
from onnx import numpy_helper  # noqa: E402

rng = seeded_rng()
f32 = np.float32
tol = dict(rtol=1e-5, atol=1e-5)


def io(feeds):
    return [(k, v.dtype, list(v.shape)) for k, v in feeds.items()]


# CHECK: PASS batch_norm
feeds = {"x": rng.standard_normal((2, 3, 4, 5)).astype(f32),
         "scale": rng.standard_normal(3).astype(f32),
         "bias": rng.standard_normal(3).astype(f32),
         "mean": rng.standard_normal(3).astype(f32),
         "var": rng.uniform(0.5, 2, 3).astype(f32)}
check("batch_norm", make_model("BatchNormalization", io(feeds), [("y", f32, [2, 3, 4, 5])],
                               dict(epsilon=1e-3)), feeds, **tol)

# CHECK: PASS layer_norm axis -1 with mean and inv_std_dev
feeds = {"x": rng.standard_normal((3, 4, 8)).astype(f32),
         "scale": rng.standard_normal(8).astype(f32),
         "bias": rng.standard_normal(8).astype(f32)}
check("layer_norm axis -1 with mean and inv_std_dev",
      make_model("LayerNormalization", io(feeds),
                 [("y", f32, [3, 4, 8]), ("mean", f32, [3, 4, 1]), ("inv", f32, [3, 4, 1])]),
      feeds, **tol)

# CHECK: PASS layer_norm axis 1 no bias
feeds = {"x": rng.standard_normal((3, 4, 8)).astype(f32),
         "scale": rng.standard_normal((4, 8)).astype(f32)}
check("layer_norm axis 1 no bias",
      make_model("LayerNormalization", io(feeds), [("y", f32, [3, 4, 8])], dict(axis=1)),
      feeds, **tol)

# CHECK: PASS softmax axis 1
feeds = {"x": (rng.standard_normal((2, 5, 3)) * 10).astype(f32)}
check("softmax axis 1", make_model("Softmax", io(feeds), [("y", f32, [2, 5, 3])], dict(axis=1)),
      feeds, **tol)

# CHECK: PASS reduce_mean axes [0, 2] keepdims
x = rng.standard_normal((3, 4, 5)).astype(f32)
axes = numpy_helper.from_array(np.array([0, -1], np.int64), "axes")
check("reduce_mean axes [0, 2] keepdims",
      make_model("ReduceMean", [("x", f32, [3, 4, 5]), ("axes", np.int64, [2])],
                 [("y", f32, [1, 4, 1])], initializers=[axes]), {"x": x}, **tol)

# CHECK: PASS reduce_mean all axes no keepdims
check("reduce_mean all axes no keepdims",
      make_model("ReduceMean", [("x", f32, [3, 4, 5])], [("y", f32, [])], dict(keepdims=0)),
      {"x": x}, **tol)
