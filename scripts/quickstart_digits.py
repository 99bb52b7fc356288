#!/usr/bin/env python3
"""The quickstart's numbers for the bundled digits CNN.

    quickstart_digits.py report --model M.onnx --data TEST_SET.npz \\
        --nibble-outputs OUT.npz --nibble-log RUN.log \\
        [--runtime-logits LOGITS.bin --runtime-ms MS --compile-ms MS]
        runs ONNX Runtime on the same images and prints, for ONNX Runtime,
        `nibble run` and the compiled model under the C runtime: top-1
        accuracy, how far the logits are from ONNX Runtime's, and wall times.

The logit difference is normwise: max |nibble - ort| / max |ort| over the
whole [450, 10] array (the measure test/Execution/ort-agreement.py uses),
next to the largest absolute difference.
"""

import argparse
import re
import statistics
import sys
import time

import numpy as np


def accuracy(logits, labels):
    correct = int((logits.argmax(axis=1) == labels).sum())
    return f"{100.0 * correct / len(labels):6.2f} % ({correct}/{len(labels)})"


def difference(logits, reference):
    absolute = float(np.abs(logits.astype(np.float64) - reference).max())
    relative = absolute / float(np.abs(reference).max())
    agree = int((logits.argmax(axis=1) == reference.argmax(axis=1)).sum())
    return relative, absolute, agree


def run_onnxruntime(model, images, repeats=10):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # Nibble's code runs on one thread too.
    start = time.perf_counter()
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    loaded = time.perf_counter()
    feed = {session.get_inputs()[0].name: images}
    logits = session.run(None, feed)[0]
    first = time.perf_counter()
    runs = []
    for _ in range(repeats):
        begin = time.perf_counter()
        session.run(None, feed)
        runs.append(time.perf_counter() - begin)
    times = {"load": 1e3 * (loaded - start), "first": 1e3 * (first - loaded),
             "median": 1e3 * statistics.median(runs)}
    return logits, times, ort.__version__


def report(args):
    data = np.load(args.data)
    images, labels = data["input"], data["labels"]
    reference, ort_ms, ort_version = run_onnxruntime(args.model, images)

    outputs = np.load(args.nibble_outputs)
    if "logits" not in outputs.files:
        sys.exit(f"{args.nibble_outputs}: no 'logits' array (has {', '.join(outputs.files)}); "
                 "nibble run names its outputs after the ONNX graph's")
    jit = outputs["logits"]
    match = re.search(r"^time: (.*)$", open(args.nibble_log).read(), re.MULTILINE)
    jit_time = match.group(1) if match else "(no time line in the log)"

    rows = [("ONNX Runtime " + ort_version, reference, None),
            ("nibble run (JIT)", jit, difference(jit, reference))]
    if args.runtime_logits:
        compiled = np.fromfile(args.runtime_logits, dtype="<f4").reshape(reference.shape)
        rows.append(("nibble compile + C runtime", compiled, difference(compiled, reference)))

    print(f"  {len(labels)} held-out images ({args.data})\n")
    print(f"  {'':28} {'top-1 accuracy':20} logits vs ONNX Runtime: max|diff|/max|ort|")
    for name, logits, diff in rows:
        versus = "(reference)" if diff is None else (
            f"{diff[0]:.1e} (max|diff| {diff[1]:.1e}), same top-1 {diff[2]}/{len(labels)}")
        print(f"  {name:28} {accuracy(logits, labels):20} {versus}")

    print("\n  wall times")
    print(f"  {'ONNX Runtime':28} load {ort_ms['load']:.1f} ms, first run {ort_ms['first']:.2f} ms, "
          f"median of 10 more {ort_ms['median']:.2f} ms (1 thread, one batch of {len(labels)})")
    print(f"  {'nibble run (JIT)':28} {jit_time} (1 thread, one batch of {len(labels)})")
    if args.runtime_logits:
        print(f"  {'nibble compile + C runtime':28} compile {args.compile_ms:.0f} ms; run_digits "
              f"{args.runtime_ms:.0f} ms for the whole process (load, {len(labels)} images "
              f"in batches of {args.runtime_batch}, printing)")

    worst = max(diff[0] for _, _, diff in rows[1:])
    if worst > 1e-4:
        print(f"\nerror: Nibble's logits differ from ONNX Runtime's by {worst:.2e} (relative), "
              "more than the 1e-4 the tests allow", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("report", help="compare with ONNX Runtime")
    summary.add_argument("--model", required=True)
    summary.add_argument("--data", required=True, help=".npz with 'input' and 'labels'")
    summary.add_argument("--nibble-outputs", required=True, help="nibble run's --outputs .npz")
    summary.add_argument("--nibble-log", required=True, help="nibble run's printed output")
    summary.add_argument("--runtime-logits", help="run_digits' logits.bin (float32 [N, 10])")
    summary.add_argument("--runtime-ms", type=float, default=0.0)
    summary.add_argument("--runtime-batch", type=int, default=0)
    summary.add_argument("--compile-ms", type=float, default=0.0)
    summary.set_defaults(run=report)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
