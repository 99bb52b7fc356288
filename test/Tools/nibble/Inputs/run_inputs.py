"""Writes the model and input files of the `nibble run` tests into a folder:
named.onnx (y = pixels * scale, pixels float32[batch x 4], scale float32[4])
and .npz/.npy/.pb inputs, right and wrong."""

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

pixels = helper.make_tensor_value_info("pixels", onnx.TensorProto.FLOAT, ["batch", 4])
scale = helper.make_tensor_value_info("scale", onnx.TensorProto.FLOAT, [4])
y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["batch", 4])
graph = helper.make_graph([helper.make_node("Mul", ["pixels", "scale"], ["y"], name="mul")],
                          "named", [pixels, scale], [y])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
          os.path.join(out, "named.onnx"))

p = np.arange(8, dtype=np.float32).reshape(2, 4)
s = np.array([1, 2, 3, 4], dtype=np.float32)
np.savez(os.path.join(out, "good.npz"), pixels=p, scale=s)
# Keys in another order than the inputs: bound by name.
np.savez(os.path.join(out, "reordered.npz"), scale=s, pixels=p)
np.savez(os.path.join(out, "wrong_shape.npz"), pixels=np.ones((2, 5), np.float32), scale=s)
np.savez(os.path.join(out, "wrong_rank.npz"), pixels=np.ones((8,), np.float32), scale=s)
np.savez(os.path.join(out, "wrong_dtype.npz"), pixels=p.astype(np.float64), scale=s)
np.savez(os.path.join(out, "missing.npz"), pixels=p)
np.save(os.path.join(out, "first.npy"), p)
np.save(os.path.join(out, "second.npy"), s)
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(np.ones((2, 4), np.float32)))
with open(os.path.join(out, "garbage.npy"), "wb") as f:
    f.write(b"not an array")
dataset = os.path.join(out, "test_data_set_0")
os.makedirs(dataset, exist_ok=True)
for index, (name, value) in enumerate([("pixels", p), ("scale", s)]):
    with open(os.path.join(dataset, f"input_{index}.pb"), "wb") as f:
        f.write(numpy_helper.from_array(value, name).SerializeToString())
