"""Checks a `nibble calibrate --method minmax` table against ONNX Runtime's
MinMaxCalibrater on the same samples. Both are keyed by ONNX tensor name
(docs/calibration-table.md), so the key sets must agree and the ranges are
compared directly."""
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

assert table["version"] == 1 and table["method"] == "minmax", table
assert table["samples"] == data[input_names[0]].shape[0], table["samples"]
ours_only = sorted(set(table["tensors"]) - set(ort))
ort_only = sorted(set(ort) - set(table["tensors"]))
if ours_only or ort_only:
    sys.exit(f"tensor names differ: only nibble {ours_only}, only ORT {ort_only}")
compared, worst = 0, 0.0
for name, entry in sorted(table["tensors"].items()):
    for ours, theirs in zip((entry["min"], entry["max"]), ort[name]):
        rel = abs(ours - theirs) / max(abs(theirs), 1e-30)
        if abs(ours - theirs) > 1e-30 and rel > 1e-5:
            sys.exit(f"{name}: nibble {ours} vs ORT {theirs}")
        worst = max(worst, rel if abs(ours - theirs) > 1e-30 else 0.0)
    compared += 1
print(f"compared {compared} tensors with ORT MinMaxCalibrater, "
      f"max relative difference {worst:.2e}")
