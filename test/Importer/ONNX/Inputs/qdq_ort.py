#!/usr/bin/env python3
"""Writes a QDQ model quantized by ONNX Runtime's quantize_static.

    python3 qdq_ort.py OUTPUT.onnx

A tiny conv net (Conv -> Relu -> Conv, per-channel int8 weights, uint8
activations) is built with onnx.helper, calibrated on a few seeded random
batches and quantized by onnxruntime.quantization, so the test reads what ORT
really emits.
"""
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                      quantize_static)


class Reader(CalibrationDataReader):
    def __init__(self):
        rng = np.random.default_rng(1)
        self.batches = iter([{"x": rng.standard_normal((1, 3, 8, 8)).astype(np.float32)}
                             for _ in range(4)])

    def get_next(self):
        return next(self.batches, None)


def float_model():
    rng = np.random.default_rng(0)
    inits = [nh.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w1"),
             nh.from_array(rng.standard_normal(4).astype(np.float32), "b1"),
             nh.from_array(rng.standard_normal((2, 4, 1, 1)).astype(np.float32), "w2"),
             nh.from_array(rng.standard_normal(2).astype(np.float32), "b2")]
    nodes = [h.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             h.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             h.make_node("Conv", ["r1", "w2", "b2"], ["y"], name="conv2")]
    graph = h.make_graph(nodes, "tiny", [h.make_tensor_value_info("x", T.FLOAT, [1, 3, 8, 8])],
                         [h.make_tensor_value_info("y", T.FLOAT, [1, 2, 8, 8])], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 13)], ir_version=8)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "float.onnx")
        onnx.save_model(float_model(), path)
        quantize_static(path, sys.argv[1], Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8)


if __name__ == "__main__":
    main()
