"""The bundled digits CNN quantized by ONNX Runtime (QDQ format), run by
nibble and by ONNX Runtime on the test set.

    quantized_digits.py --nibble NIBBLE --nibble-translate T --nibble-opt O
        --examples DIR [--fuse]

Prints, for FileCheck: how many quantize results nibble-translate --lift-qdq
made quant-typed, the agreement of the logits with ORT in units of the
logits' quantization step (LSB), and both top-1 accuracies.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat,
                                      QuantType, quantize_static)


class CalibrationReader(CalibrationDataReader):
    def __init__(self, path, batch=32):
        data = np.load(path)["input"]
        self.batches = iter([{"input": data[i:i + batch]}
                             for i in range(0, len(data), batch)])

    def get_next(self):
        return next(self.batches, None)


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return proc.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nibble", required=True)
    parser.add_argument("--nibble-translate", required=True)
    parser.add_argument("--nibble-opt", required=True)
    parser.add_argument("--examples", required=True)
    parser.add_argument("--fuse", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        qdq = os.path.join(tmp, "digits_qdq.onnx")
        quantize_static(os.path.join(args.examples, "digits_cnn.onnx"), qdq,
                        CalibrationReader(os.path.join(args.examples, "calib_set.npz")),
                        quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, per_channel=True)
        lifted = run([args.nibble_translate, "--import-onnx", "--lift-qdq", qdq])
        quant_results = len(re.findall(
            r"= nb\.quantize_linear .*-> tensor<[^>]*!quant\.uniform", lifted))
        print(f"quant-typed quantize results: {quant_results}")
        module = os.path.join(tmp, "model.mlir")
        if args.fuse:
            proc = subprocess.run([args.nibble_opt, "--nb-fuse-quantized-ops"],
                                  input=lifted, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"nb-fuse-quantized-ops failed:\n{proc.stderr}")
            lifted = proc.stdout
            fused = len(re.findall(
                r"= nb\.(conv|gemm|matmul) [^\n]*-> tensor<[^>]*!quant\.uniform",
                lifted))
            print(f"fused quantized ops: {fused}")
        with open(module, "w") as f:
            f.write(lifted)

        test_set = np.load(os.path.join(args.examples, "test_set.npz"))
        inputs, labels = test_set["input"], test_set["labels"]
        outputs = os.path.join(tmp, "out.npz")
        command = [args.nibble, "run", module, "--inputs",
                   os.path.join(args.examples, "test_set.npz"),
                   "--outputs", outputs]
        run(command)
        with np.load(outputs) as result:
            got = result[result.files[0]]

        session = ort.InferenceSession(qdq, providers=["CPUExecutionProvider"])
        want = session.run(None, {"input": inputs})[0]
        # The logits are dequantized uint8: both sides lie on the same grid
        # of step `scale`, so differences count whole quantization steps.
        model = onnx.load(qdq)
        inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        last = next(n for n in reversed(model.graph.node)
                    if n.op_type == "DequantizeLinear")
        step = float(inits[last.input[1]])
        lsb = np.rint(np.abs(got.astype(np.float64) - want) / step).astype(np.int64)
        print(f"logits: {got.size} values, {np.count_nonzero(lsb)} differ, "
              f"max {lsb.max()} LSB")
        ours = (got.argmax(1) == labels).mean() * 100
        theirs = (want.argmax(1) == labels).mean() * 100
        disagree = int((got.argmax(1) != want.argmax(1)).sum())
        print(f"top-1 accuracy: nibble {ours:.2f} %, onnxruntime {theirs:.2f} %, "
              f"{disagree} of {len(labels)} predictions differ")
        # Tolerances (stated in the test that runs this).
        ok = lsb.max() <= 1 and np.count_nonzero(lsb) <= got.size // 100 and \
            disagree <= len(labels) // 100
        print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
