"""Checks a `nibble calibrate --method minmax` table against ONNX Runtime's
MinMaxCalibrater on the same samples. Table keys are ONNX node names (graph
inputs by name); ORT keys are tensor names, mapped through each node's
outputs (see docs/calibration-table.md)."""
import json
import sys
import tempfile

import numpy as np
import onnx
from onnxruntime.quantization.calibrate import (CalibrationDataReader,
                                                CalibrationMethod,
                                                create_calibrator)

model_path, data_path, table_path = sys.argv[1:4]
table = json.load(open(table_path))
data = np.load(data_path)
model = onnx.load(model_path)
input_names = [i.name for i in model.graph.input]


class Reader(CalibrationDataReader):
    def __init__(self):
        n = data[input_names[0]].shape[0]
        self.samples = iter([{k: data[k][i:i + 1] for k in input_names}
                             for i in range(n)])

    def get_next(self):
        return next(self.samples, None)


with tempfile.TemporaryDirectory() as tmp:
    calibrator = create_calibrator(
        model_path, augmented_model_path=tmp + "/augmented.onnx",
        calibrate_method=CalibrationMethod.MinMax)
    calibrator.collect_data(Reader())
    ort = {name: (float(np.asarray(r.range_value[0]).item()),
                  float(np.asarray(r.range_value[1]).item()))
           for name, r in calibrator.compute_data().data.items()}

tensor_of = {n: n for n in input_names}
for node in model.graph.node:
    outputs = list(node.output)
    if len(outputs) == 1:
        tensor_of[node.name] = outputs[0]
    for i, out in enumerate(outputs):
        tensor_of[f"{node.name}:{i}"] = out

assert table["version"] == 1 and table["method"] == "minmax", table
assert table["samples"] == data[input_names[0]].shape[0], table["samples"]
compared, worst = 0, 0.0
for name, entry in sorted(table["tensors"].items()):
    tensor = tensor_of.get(name)
    if tensor not in ort:
        continue
    for ours, theirs in zip((entry["min"], entry["max"]), ort[tensor]):
        rel = abs(ours - theirs) / max(abs(theirs), 1e-30)
        if abs(ours - theirs) > 1e-30 and rel > 1e-5:
            sys.exit(f"{name} ({tensor}): nibble {ours} vs ORT {theirs}")
        worst = max(worst, rel if abs(ours - theirs) > 1e-30 else 0.0)
    compared += 1
print(f"compared {compared} tensors with ORT MinMaxCalibrater, "
      f"max relative difference {worst:.2e}")
