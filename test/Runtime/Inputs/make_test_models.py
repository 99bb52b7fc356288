"""Small ONNX models for the compile and runtime tests.

    make_test_models.py mlp <out.onnx>          x[batch,64] -> MatMul/Add/Relu -> [batch,10]
    make_test_models.py mlp-other-weights <out.onnx>   the same with other weights
    make_test_models.py unsupported <out.onnx>  a node of an op type no lowering knows
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(nodes, inputs, outputs, initializers, path, domains=()):
    graph = helper.make_graph(nodes, "test", inputs, outputs, initializers)
    opsets = [helper.make_opsetid("", 17)] + [helper.make_opsetid(d, 1) for d in domains]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    onnx.save(model, path)


def mlp(path, seed=7):
    rng = np.random.default_rng(seed)
    weights = {
        "W1": rng.standard_normal((64, 32)).astype(np.float32) * 0.2,
        "b1": rng.standard_normal(32).astype(np.float32),
        "W2": rng.standard_normal((32, 10)).astype(np.float32) * 0.2,
        "b2": rng.standard_normal(10).astype(np.float32),
    }
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["h"], name="fc1"),
        helper.make_node("Add", ["h", "b1"], ["h1"], name="bias1"),
        helper.make_node("Relu", ["h1"], ["r"], name="relu1"),
        helper.make_node("MatMul", ["r", "W2"], ["o"], name="fc2"),
        helper.make_node("Add", ["o", "b2"], ["logits"], name="bias2"),
    ]
    save(nodes,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
         [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])],
         [numpy_helper.from_array(v, k) for k, v in weights.items()], path)


def unsupported(path):
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu1"),
        helper.make_node("Mystery", ["r"], ["y"], name="mystery_node",
                         domain="com.example"),
    ]
    save(nodes,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
         [], path, domains=["com.example"])


if __name__ == "__main__":
    makers = {"mlp": mlp, "mlp-other-weights": lambda p: mlp(p, seed=8),
              "unsupported": unsupported}
    makers[sys.argv[1]](sys.argv[2])
