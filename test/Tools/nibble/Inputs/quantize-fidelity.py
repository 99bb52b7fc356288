"""Checks a quantized model's outputs against the float model under ONNX
Runtime: SQNR (dB) at least --min-sqnr and top-1 accuracy at most
--max-accuracy-drop below the float model's; with --onnx, also runs that
exported quantized model under ONNX Runtime and requires it to agree with
nibble's outputs (normwise relative difference at most --onnx-rtol).

usage: quantize-fidelity.py float.onnx test.npz outputs.npz
         [--min-sqnr DB] [--max-accuracy-drop D] [--onnx q.onnx --onnx-rtol R]
"""
import argparse
import sys

import numpy as np
import onnxruntime as ort

parser = argparse.ArgumentParser()
parser.add_argument("model")
parser.add_argument("test")
parser.add_argument("outputs")
parser.add_argument("--min-sqnr", type=float, default=30.0)
parser.add_argument("--max-accuracy-drop", type=float, default=0.01)
parser.add_argument("--onnx")
parser.add_argument("--onnx-rtol", type=float, default=1e-5)
args = parser.parse_args()

test = np.load(args.test)
feeds = {"input": test["input"]}
ref = ort.InferenceSession(args.model).run(None, feeds)[0].astype(np.float64)
with np.load(args.outputs) as data:
    out = data[data.files[0]].astype(np.float64)
sqnr = 10 * np.log10(np.sum(ref ** 2) / np.sum((out - ref) ** 2))
cosine = np.dot(out.ravel(), ref.ravel()) / (np.linalg.norm(out) *
                                             np.linalg.norm(ref))
acc_ref = np.mean(ref.argmax(1) == test["labels"])
acc = np.mean(out.argmax(1) == test["labels"])
print(f"SQNR {sqnr:.1f} dB, cosine {cosine:.6f}, max abs "
      f"{np.abs(out - ref).max():.4f}, accuracy {acc:.4f} (fp32 {acc_ref:.4f})")
ok = sqnr >= args.min_sqnr and acc >= acc_ref - args.max_accuracy_drop
if args.onnx:
    exported = ort.InferenceSession(args.onnx).run(None, feeds)[0]
    rel = np.linalg.norm(exported - out) / np.linalg.norm(out)
    print(f"exported ONNX under ONNX Runtime vs nibble: relative difference "
          f"{rel:.2e}")
    ok = ok and rel <= args.onnx_rtol
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
