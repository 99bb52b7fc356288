#!/usr/bin/env python3
"""Quantizes the bundled digits CNN with ONNX Runtime's quantize_static.

    python3 digits_qdq.py DIGITS_CNN.onnx CALIB_SET.npz OUTPUT.onnx

QDQ format, per-channel int8 weights, uint8 activations, calibrated (MinMax)
on the 256 samples of examples/digits/calib_set.npz in batches of 32.
"""
import os
import sys
import tempfile

import numpy as np
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                      quantize_static)
from onnxruntime.quantization.shape_inference import quant_pre_process


class Reader(CalibrationDataReader):
    def __init__(self, path):
        data = np.load(path)["input"]
        self.batches = iter([{"input": data[i:i + 32]} for i in range(0, len(data), 32)])

    def get_next(self):
        return next(self.batches, None)


def main():
    model, calib, output = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        prepared = os.path.join(tmp, "prepared.onnx")
        quant_pre_process(model, prepared, skip_symbolic_shape=True)
        quantize_static(prepared, output, Reader(calib), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8)


if __name__ == "__main__":
    main()
