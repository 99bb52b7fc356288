#!/usr/bin/env python3
"""Writes a QDQ model with narrow storage types and a seeded input.

    python3 qdq_narrow.py OUTPUT.onnx INPUTS.npz

x (1x16, float) -> Q/DQ uint8 -> MatMul with an int4 weight (16x8, blocked
along the reduction axis, block 4) -> Q/DQ float8e4m3fn -> MatMul with a
uint4 weight (8x4, per output channel) -> y. Opset 21, so every narrow type
is a standard ONNX QDQ form that ONNX Runtime runs.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh


def main():
    output, inputs = sys.argv[1:3]
    rng = np.random.default_rng(5)
    w1 = rng.integers(-8, 8, size=(16, 8))
    w1_scale = rng.uniform(0.01, 0.1, size=(4, 8)).astype(np.float32)
    w2 = rng.integers(0, 16, size=(8, 4))
    w2_scale = rng.uniform(0.01, 0.1, size=(4,)).astype(np.float32)
    w2_zero = rng.integers(0, 16, size=(4,))
    inits = [
        h.make_tensor("w1", T.INT4, [16, 8], w1.flatten().tolist()),
        nh.from_array(w1_scale, "w1_scale"),
        h.make_tensor("w2", T.UINT4, [8, 4], w2.flatten().tolist()),
        nh.from_array(w2_scale, "w2_scale"),
        h.make_tensor("w2_zero", T.UINT4, [4], w2_zero.tolist()),
        nh.from_array(np.array(0.02, np.float32), "x_scale"),
        nh.from_array(np.array(128, np.uint8), "x_zero"),
        nh.from_array(np.array(0.5, np.float32), "h_scale"),
        h.make_tensor("h_zero", T.FLOAT8E4M3FN, [], [0.0]),
    ]
    nodes = [
        h.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["xq"], name="x_q"),
        h.make_node("DequantizeLinear", ["xq", "x_scale", "x_zero"], ["xd"], name="x_dq"),
        h.make_node("DequantizeLinear", ["w1", "w1_scale"], ["w1d"], name="w1_dq", axis=0,
                    block_size=4),
        h.make_node("MatMul", ["xd", "w1d"], ["h"], name="mm1"),
        h.make_node("QuantizeLinear", ["h", "h_scale", "h_zero"], ["hq"], name="h_q"),
        h.make_node("DequantizeLinear", ["hq", "h_scale", "h_zero"], ["hd"], name="h_dq"),
        h.make_node("DequantizeLinear", ["w2", "w2_scale", "w2_zero"], ["w2d"], name="w2_dq",
                    axis=1),
        h.make_node("MatMul", ["hd", "w2d"], ["y"], name="mm2"),
    ]
    graph = h.make_graph(nodes, "narrow", [h.make_tensor_value_info("x", T.FLOAT, [1, 16])],
                         [h.make_tensor_value_info("y", T.FLOAT, [1, 4])], inits)
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 21)], ir_version=10)
    onnx.checker.check_model(model)
    onnx.save_model(model, output)
    np.savez(inputs, x=rng.uniform(-2, 2, size=(1, 16)).astype(np.float32))


if __name__ == "__main__":
    main()
