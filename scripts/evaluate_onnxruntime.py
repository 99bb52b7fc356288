#!/usr/bin/env python3
"""Top-1 accuracy of an ONNX classifier on a labelled .npz set, under ONNX Runtime.

The float baseline the quickstart prints for the bundled model; the numbers
Nibble's quantized models will be compared against once Nibble can run them.

    python3 scripts/evaluate_onnxruntime.py examples/digits/digits_cnn.onnx \\
        examples/digits/test_set.npz
"""

import argparse
import os
import sys
import time

import numpy as np
import onnxruntime as ort


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="ONNX file with one input and logits as first output")
    parser.add_argument("dataset", help=".npz with arrays 'input' and 'labels'")
    parser.add_argument("--batch", type=int, default=64, help="batch size (default 64)")
    args = parser.parse_args(argv)

    data = np.load(args.dataset)
    inputs, labels = data["input"], data["labels"]
    if len(inputs) != len(labels) or len(inputs) == 0:
        print(f"{args.dataset}: 'input' and 'labels' must be non-empty and of equal length",
              file=sys.stderr)
        return 1

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name

    predictions = []
    start = time.perf_counter()
    for begin in range(0, len(inputs), args.batch):
        logits = session.run(None, {input_name: inputs[begin:begin + args.batch]})[0]
        predictions.append(np.argmax(logits, axis=1))
    elapsed = time.perf_counter() - start
    correct = int(np.sum(np.concatenate(predictions) == labels))

    print(f"  model:     {args.model} ({os.path.getsize(args.model):,} bytes on disk)")
    print(f"  data:      {args.dataset} ({len(labels)} samples)")
    print(f"  top-1:     {100.0 * correct / len(labels):.2f} % ({correct} of {len(labels)})")
    print(f"  time:      {1e6 * elapsed / len(labels):.1f} us per sample "
          f"(ONNX Runtime {ort.__version__}, 1 thread, batch {args.batch})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
