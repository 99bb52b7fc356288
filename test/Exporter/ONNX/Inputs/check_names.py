#!/usr/bin/env python3
"""Prints the structure of an export of names.mlir and checks its numerics.

    python3 check_names.py MODEL.onnx

Prints inputs, outputs, nodes (name: op type inputs -> outputs), and
initializers with where their data lives; runs the model in ONNX Runtime
and compares with numpy (x @ 0.5 + 2, exact up to float rounding: 1e-5).
"""
import sys

import numpy as np
import onnx
import onnxruntime as ort

path = sys.argv[1]
model = onnx.load(path, load_external_data=False)
onnx.checker.check_model(path)
g = model.graph
print("inputs", [i.name for i in g.input])
print("outputs", [o.name for o in g.output])
for n in g.node:
    print(f"node {n.name}: {n.op_type} {list(n.input)} -> {list(n.output)}")
for t in g.initializer:
    where = "external " + ",".join(f"{e.key}={e.value}" for e in t.external_data) \
        if t.data_location == onnx.TensorProto.EXTERNAL else f"inline {len(t.raw_data)} bytes"
    print(f"initializer {t.name}: {where}")
x = np.random.default_rng(3).standard_normal((2, 64)).astype(np.float32)
y, x_again, bias, y_twice = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
    None, {"x": x})
expected = x @ np.full((64, 64), 0.5, np.float32) + 2.0
ok = (np.allclose(y, expected, rtol=1e-5, atol=1e-5) and np.array_equal(y, y_twice)
      and np.array_equal(x_again, x) and np.array_equal(bias, np.full(64, 2.0, np.float32)))
print("numerics", "match" if ok else "MISMATCH")
