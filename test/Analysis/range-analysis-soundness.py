# REQUIRES: onnx, onnxruntime, numpy
# RUN: %python %s --model %nibble_src_root/examples/digits/digits_cnn.onnx \
# RUN:   --nibble-translate nibble-translate --nibble-opt nibble-opt | FileCheck %s
#
# Soundness of nb-annotate-ranges on the bundled digits CNN: with the input
# declared in [0, 1], every node output ONNX Runtime computes on random,
# constant and binary inputs in that range lies inside the interval the
# analysis proved for the op imported from that node (matched by the node
# name each op carries as its location).
#
# CHECK: checked 8 node outputs
# CHECK-NOT: VIOLATION
# CHECK: sound

import argparse
import re
import struct
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort


def parse_double(text):
    if text.startswith("0x"):
        return struct.unpack(">d", bytes.fromhex(text[2:]))[0]
    return float(text)


def proved_ranges(model_path, translate, opt):
    imported = subprocess.run(
        [translate, "--import-onnx", "--mlir-print-debuginfo", model_path],
        check=True, capture_output=True, text=True).stdout
    imported = imported.replace(
        '{nb.name = "input"}',
        '{nb.name = "input", nb.range = array<f64: 0.0, 1.0>}', 1)
    annotated = subprocess.run(
        [opt, "--nb-annotate-ranges", "--mlir-print-debuginfo"],
        input=imported, check=True, capture_output=True, text=True).stdout
    aliases = dict(re.findall(r'^(#loc\d+) = loc\("([^"]+)"', annotated, re.M))
    ranges = {}
    for line in annotated.splitlines():
        m = re.search(r"nb\.range = array<f64: ([^,]+), ([^>]+)>.*loc\((#loc\d+)\)$",
                      line)
        if m and "nb.constant" not in line and m.group(3) in aliases:
            ranges[aliases[m.group(3)]] = (parse_double(m.group(1)),
                                           parse_double(m.group(2)))
    return ranges


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--nibble-translate", default="nibble-translate")
    parser.add_argument("--nibble-opt", default="nibble-opt")
    args = parser.parse_args()

    ranges = proved_ranges(args.model, args.nibble_translate, args.nibble_opt)
    model = onnx.shape_inference.infer_shapes(onnx.load(args.model))
    infos = {vi.name: vi for vi in model.graph.value_info}
    outputs = {o.name for o in model.graph.output}
    checked = {}
    for node in model.graph.node:
        if node.name in ranges:
            out = node.output[0]
            checked[out] = ranges[node.name]
            if out not in outputs:
                model.graph.output.append(infos[out])
    print(f"checked {len(checked)} node outputs")

    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    seed = 20261125
    rng = np.random.default_rng(seed)
    batches = [rng.random((256, 1, 8, 8), dtype=np.float32),
               (rng.random((256, 1, 8, 8)) < 0.5).astype(np.float32),
               np.zeros((1, 1, 8, 8), np.float32),
               np.ones((1, 1, 8, 8), np.float32)]
    ok = True
    for batch in batches:
        results = dict(zip(names, session.run(None, {"input": batch})))
        for out, (lo, hi) in checked.items():
            value = results[out]
            if value.min() < lo or value.max() > hi:
                ok = False
                print(f"VIOLATION (seed {seed}): {out} in "
                      f"[{value.min()}, {value.max()}] outside [{lo}, {hi}]")
    print("sound" if ok else "unsound")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
