"""Fidelity of each quantization scheme against the float32 model.

For every scheme: `nibble quantize` (calibrating on --calib-data where the
scheme needs ranges), `nibble run` of the quantized model on the test set,
and `nibble report` for its size. Outputs are compared with ONNX Runtime's
float32 outputs of the original model:

  SQNR (dB)  10 log10(sum ref^2 / sum (out - ref)^2) over all outputs
  cosine     cosine similarity of the flattened outputs
  max abs    largest |out - ref|
  top-1      accuracy against the test set's labels (when it has them) and
             agreement with the float model's argmax

A row named `fp32 (nibble)` runs the unquantized model through nibble, the
compiler's own error floor. A scheme that fails is reported with its error,
not left out.

  python -m nibble_tools.quantization.evaluate --model m.onnx \
      --calib-data calib.npz --test-data test.npz [--labels-key labels] \
      [--scheme-args 'int4-weight-only=--group-size 0'] [--json out.json] \
      [--peer-ort-static]

`run ms` is the wall time `nibble run` reports for running the whole test
set once (after its JIT compile). With --peer-ort-static a row for the peer
is added: onnxruntime.quantization.quantize_static (QDQ, uint8 activations,
int8 per-channel weights, MinMax on the same calibration data) run by ONNX
Runtime on one thread, its run time the median of 10 runs and its bytes the
initializers' bytes.
"""

import argparse
import json
import os
import re
import statistics
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

RUN_TIME = re.compile(r"\brun ([0-9.]+) ms")

SCHEMES = ["w8a8-static", "w8a8-dynamic", "int8-weight-only",
           "int4-weight-only", "fp16", "bf16", "fp8-e4m3", "fp8-e5m2"]
NEEDS_CALIBRATION = {"w8a8-static", "fp8-e4m3", "fp8-e5m2", "fp16", "bf16"}


def fidelity(out, ref):
    out = out.astype(np.float64).ravel()
    ref = ref.astype(np.float64).ravel()
    noise = np.sum((out - ref) ** 2)
    signal = np.sum(ref ** 2)
    sqnr = float("inf") if noise == 0 else 10 * np.log10(signal / noise)
    denom = np.linalg.norm(out) * np.linalg.norm(ref)
    cosine = float(np.dot(out, ref) / denom) if denom else float("nan")
    return {"sqnr_db": float(sqnr), "cosine": cosine,
            "max_abs": float(np.max(np.abs(out - ref)))}


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def first_error(text):
    for line in text.splitlines():
        if "error" in line:
            return line.strip()
    return text.strip().splitlines()[-1] if text.strip() else "failed"


def evaluate(args):
    import onnxruntime as ort

    test = np.load(args.test_data)
    session = ort.InferenceSession(args.model,
                                   providers=["CPUExecutionProvider"])
    feeds = {i.name: test[i.name] for i in session.get_inputs()}
    reference = session.run(None, feeds)[0]
    labels = test[args.labels_key] if args.labels_key in test.files else None
    ref_top1 = reference.reshape(reference.shape[0], -1).argmax(1)

    # Half-precision models keep float32 inputs and outputs, so the same
    # test arrays feed every scheme.
    scheme_args = {"fp16": ["--keep-io-types"], "bf16": ["--keep-io-types"]}
    for item in args.scheme_args:
        name, _, extra = item.partition("=")
        scheme_args[name] = extra.split()

    work = args.workdir or tempfile.mkdtemp(prefix="nibble-eval-")
    os.makedirs(work, exist_ok=True)
    table = None
    if any(s in NEEDS_CALIBRATION for s in args.schemes):
        table = os.path.join(work, "calib.json")
        code, text = run([args.nibble, "calibrate", args.model, "--data",
                          args.calib_data, "--method", args.calib_method,
                          "--quiet", "-o", table])
        if code:
            sys.exit("calibration failed: " + text)

    rows = []
    for scheme in ["fp32 (nibble)"] + args.schemes:
        row = {"scheme": scheme}
        model = args.model
        if scheme != "fp32 (nibble)":
            model = os.path.join(work, scheme + ".mlir")
            cmd = [args.nibble, "quantize", args.model, "--scheme", scheme,
                   "-o", model] + scheme_args.get(scheme, [])
            if scheme in NEEDS_CALIBRATION:
                cmd += ["--calib", table]
            start = time.perf_counter()
            code, text = run(cmd)
            row["quantize_s"] = time.perf_counter() - start
            row["command"] = " ".join(
                ["nibble"] + cmd[1:]).replace(work + os.sep, "")
            if code:
                row["error"] = first_error(text)
                rows.append(row)
                continue
        outputs = os.path.join(work, "out.npz")
        code, text = run([args.nibble, "run", model, "--inputs",
                          args.test_data, "--outputs", outputs])
        if code:
            row["error"] = first_error(text)
            rows.append(row)
            continue
        with np.load(outputs) as data:
            out = data[data.files[0]]
        timing = RUN_TIME.search(text)
        if timing:
            row["run_ms"] = float(timing.group(1))
        row.update(fidelity(out, reference))
        top1 = out.reshape(out.shape[0], -1).argmax(1)
        row["top1_agreement"] = float(np.mean(top1 == ref_top1))
        if labels is not None:
            row["accuracy"] = float(np.mean(top1 == labels))
        code, text = run([args.nibble, "report", model, "--format", "json"])
        if code == 0:
            report = json.loads(text)["model"]
            row["bytes"] = (report["parameter_bytes"] +
                            report["scales"]["bytes"] +
                            report["zero_points"]["bytes"])
            row["bits_per_parameter"] = report["bits_per_parameter"]
            macs = report["macs"]
            total = report["macs_total"] or 1
            row["macs"] = {k: v / total for k, v in macs.items()}
            row["kept_float"] = len(report["kept_float"])
        rows.append(row)

    if args.peer_ort_static:
        rows.append(ort_static_row(args, feeds, reference, ref_top1, labels,
                                   work))

    result = {"model": os.path.basename(args.model),
              "samples": int(reference.shape[0]),
              "fp32_accuracy": (float(np.mean(ref_top1 == labels))
                                if labels is not None else None),
              "rows": rows}
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return result


def ort_static_row(args, feeds, reference, ref_top1, labels, work):
    """The peer: ONNX Runtime's own static W8A8 on the same calibration
    data, run by ONNX Runtime."""
    import onnx
    import onnxruntime as ort
    from onnxruntime import quantization as q

    import logging
    logging.getLogger().setLevel(logging.ERROR)  # its pre-processing advice
    row = {"scheme": "ORT quantize_static (peer)"}
    calib = np.load(args.calib_data)
    names = list(feeds)

    class Reader(q.CalibrationDataReader):
        def __init__(self):
            count = calib[names[0]].shape[0]
            self.samples = iter([{n: calib[n][i:i + 1] for n in names}
                                 for i in range(count)])

        def get_next(self):
            return next(self.samples, None)

    path = os.path.join(work, "ort_static.onnx")
    try:
        q.quantize_static(args.model, path, Reader(),
                          quant_format=q.QuantFormat.QDQ, per_channel=True,
                          activation_type=q.QuantType.QUInt8,
                          weight_type=q.QuantType.QInt8,
                          calibrate_method=q.CalibrationMethod.MinMax)
    except Exception as error:  # report the peer's failure, don't hide it
        row["error"] = f"quantize_static: {error}"
        return row
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options,
                                   providers=["CPUExecutionProvider"])
    out = session.run(None, feeds)[0]
    runs = []
    for _ in range(10):
        begin = time.perf_counter()
        session.run(None, feeds)
        runs.append(1e3 * (time.perf_counter() - begin))
    row["run_ms"] = statistics.median(runs)
    row.update(fidelity(out, reference))
    top1 = out.reshape(out.shape[0], -1).argmax(1)
    row["top1_agreement"] = float(np.mean(top1 == ref_top1))
    if labels is not None:
        row["accuracy"] = float(np.mean(top1 == labels))
    model = onnx.load(path)
    row["bytes"] = sum(onnx.numpy_helper.to_array(t).nbytes
                       for t in model.graph.initializer)
    return row


def to_markdown(result):
    lines = [f"{result['model']}, {result['samples']} test samples"
             + (f", fp32 (ONNX Runtime) accuracy {result['fp32_accuracy']:.4f}"
                if result["fp32_accuracy"] is not None else ""), "",
             "| scheme | SQNR dB | cosine | max abs | accuracy | top-1 = fp32 "
             "| bytes | bits/param | compute | kept float | run ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for row in result["rows"]:
        if "error" in row:
            lines.append(f"| {row['scheme']} | failed: {row['error']} "
                         "| | | | | | | | | |")
            continue
        compute = ", ".join(f"{k} {100 * v:.0f}%"
                            for k, v in sorted(row.get("macs", {}).items(),
                                               key=lambda kv: -kv[1]))
        accuracy = (f"{row['accuracy']:.4f}" if "accuracy" in row else "-")
        bits = (f"{row['bits_per_parameter']:.2f}"
                if "bits_per_parameter" in row else "-")
        run_ms = f"{row['run_ms']:.2f}" if "run_ms" in row else "-"
        lines.append(
            f"| {row['scheme']} | {row['sqnr_db']:.1f} | {row['cosine']:.6f} "
            f"| {row['max_abs']:.3g} | {accuracy} | {row['top1_agreement']:.4f} "
            f"| {row.get('bytes', '-')} | {bits} "
            f"| {compute or '-'} | {row.get('kept_float', '-')} | {run_ms} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nibble", default=shutil.which("nibble") or "nibble")
    parser.add_argument("--model", required=True)
    parser.add_argument("--calib-data", required=True)
    parser.add_argument("--calib-method", default="minmax")
    parser.add_argument("--test-data", required=True)
    parser.add_argument("--labels-key", default="labels")
    parser.add_argument("--schemes", nargs="+", default=SCHEMES)
    parser.add_argument("--scheme-args", action="append", default=[],
                        help="SCHEME=ARGS: extra nibble quantize arguments")
    parser.add_argument("--workdir", help="keep the quantized models here")
    parser.add_argument("--json", help="write the figures as JSON here")
    parser.add_argument("--peer-ort-static", action="store_true",
                        help="add ONNX Runtime's quantize_static as a row")
    args = parser.parse_args()
    result = evaluate(args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    print(to_markdown(result))


if __name__ == "__main__":
    main()
