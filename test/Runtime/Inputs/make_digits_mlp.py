"""Trains a small MLP on the digits calibration split and saves it as ONNX.

    make_digits_mlp.py <examples/digits> <out.onnx>

A stand-in for the bundled CNN while Conv/MaxPool have no CPU lowering: only
MatMul, Add, Relu and Reshape, which do. Input `input` float32 [batch,1,8,8]
like the CNN's, output `logits` [batch,10]. Deterministic (fixed seed,
full-batch gradient descent), a second or so.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    digits_dir, out = sys.argv[1], sys.argv[2]
    data = np.load(os.path.join(digits_dir, "calib_set.npz"))
    x = data["input"].reshape(-1, 64).astype(np.float64)
    y = data["labels"]
    rng = np.random.default_rng(1234)
    w1 = rng.standard_normal((64, 32)) * 0.2
    b1 = np.zeros(32)
    w2 = rng.standard_normal((32, 10)) * 0.2
    b2 = np.zeros(10)
    onehot = np.eye(10)[y]
    for _ in range(400):
        h = np.maximum(x @ w1 + b1, 0)
        z = h @ w2 + b2
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        g = (p - onehot) / len(x)
        gw2, gb2 = h.T @ g, g.sum(0)
        gh = (g @ w2.T) * (h > 0)
        gw1, gb1 = x.T @ gh, gh.sum(0)
        for param, grad in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2)):
            param -= 0.5 * grad

    f32 = lambda a, name: numpy_helper.from_array(a.astype(np.float32), name)
    shape = numpy_helper.from_array(np.array([-1, 64], np.int64), "flat_shape")
    nodes = [
        helper.make_node("Reshape", ["input", "flat_shape"], ["flat"], name="flatten"),
        helper.make_node("MatMul", ["flat", "w1"], ["h"], name="fc1"),
        helper.make_node("Add", ["h", "b1"], ["h1"], name="bias1"),
        helper.make_node("Relu", ["h1"], ["r"], name="relu1"),
        helper.make_node("MatMul", ["r", "w2"], ["z"], name="fc2"),
        helper.make_node("Add", ["z", "b2"], ["logits"], name="bias2"),
    ]
    graph = helper.make_graph(
        nodes, "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])],
        [shape, f32(w1, "w1"), f32(b1, "b1"), f32(w2, "w2"), f32(b2, "b2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main()
