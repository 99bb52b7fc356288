#!/usr/bin/env python3
"""Writes DIR/model.onnx whose weight lives in external data, in one of
several (mostly hostile) layouts:

    python3 external_data.py MODE DIR

ok        weights.bin next to the model, at an offset, with a length
absolute  location is an absolute path
dotdot    location climbs out with '..'
symlink   location is a symlink inside DIR that points outside it
short     the file is shorter than the tensor needs
length    the declared length does not match the tensor's type
missing   the file does not exist
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h

SHAPE = (128, 128)  # 64 KiB: large enough for LLVM to memory-map it


def main():
    mode, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    data = np.arange(np.prod(SHAPE), dtype=np.float32).reshape(SHAPE)
    payload = b"\0" * 128 + data.tobytes()  # the offset below skips the padding
    outside = os.path.join(os.path.dirname(os.path.abspath(out)),
                           os.path.basename(os.path.abspath(out)) + "-outside.bin")
    location, offset, length = "weights.bin", 128, len(data.tobytes())
    if mode == "absolute":
        location = outside
    elif mode == "dotdot":
        location = os.path.join("..", os.path.basename(outside))
    elif mode == "symlink":
        location = "link.bin"
    elif mode == "short":
        payload = payload[: 128 + 100]
    elif mode == "length":
        length = 12
    elif mode == "missing":
        location = "nowhere.bin"
    with open(outside if mode in ("absolute", "dotdot", "symlink") else
              os.path.join(out, "weights.bin"), "wb") as f:
        f.write(payload)
    if mode == "symlink":
        link = os.path.join(out, "link.bin")
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(outside, link)

    weight = onnx.TensorProto(name="big_weight", data_type=T.FLOAT, dims=SHAPE,
                              data_location=onnx.TensorProto.EXTERNAL)
    for key, value in (("location", location), ("offset", offset), ("length", length)):
        weight.external_data.add(key=key, value=str(value))
    graph = h.make_graph([h.make_node("MatMul", ["x", "big_weight"], ["y"], name="mm")], "g",
                         [h.make_tensor_value_info("x", T.FLOAT, [2, 128])],
                         [h.make_tensor_value_info("y", T.FLOAT, [2, 128])], [weight])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)], ir_version=8)
    with open(os.path.join(out, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())


if __name__ == "__main__":
    main()
