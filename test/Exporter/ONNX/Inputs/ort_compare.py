#!/usr/bin/env python3
"""Runs an original and an exported model in ONNX Runtime and compares them.

    python3 ort_compare.py ORIGINAL.onnx EXPORTED.onnx DATA.npz (--exact | --atol A --rtol R)

The exported model must pass onnx.checker.check_model. Every array of
DATA.npz named like a graph input is fed to both models (same names: the
exporter keeps graph input and output names); every output is compared,
bit for bit with --exact, else with numpy.allclose(atol, rtol). Prints
`outputs N, max abs diff D` and `match` or `MISMATCH` (exit 1).
"""
import argparse
import sys

import numpy as np
import onnx
import onnxruntime as ort


def run(path, data):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {i.name: data[i.name] for i in session.get_inputs()}
    names = [o.name for o in session.get_outputs()]
    return names, session.run(None, feeds)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("original")
    parser.add_argument("exported")
    parser.add_argument("data")
    parser.add_argument("--exact", action="store_true")
    parser.add_argument("--atol", type=float, default=0.0)
    parser.add_argument("--rtol", type=float, default=0.0)
    args = parser.parse_args()
    onnx.checker.check_model(onnx.load(args.exported))
    data = dict(np.load(args.data))
    names, expected = run(args.original, data)
    exported_names, actual = run(args.exported, data)
    if names != exported_names:
        print(f"MISMATCH: output names {exported_names}, expected {names}")
        return 1
    worst, ok = 0.0, True
    for want, got in zip(expected, actual):
        if want.dtype != got.dtype or want.shape != got.shape:
            print(f"MISMATCH: {got.dtype}{got.shape}, expected {want.dtype}{want.shape}")
            return 1
        worst = max(worst, float(np.max(np.abs(want.astype(np.float64) - got))))
        ok &= (np.array_equal(want, got) if args.exact
               else np.allclose(got, want, atol=args.atol, rtol=args.rtol))
    print(f"outputs {len(expected)}, max abs diff {worst:g}")
    print("match" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
