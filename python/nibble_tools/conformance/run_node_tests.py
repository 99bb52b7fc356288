#!/usr/bin/env python3
"""Runs the ONNX backend node tests through `nibble run` and checks numerics.

Selects the same cases as import_node_tests.py (every node an op Nibble
supports, default-domain opset in [11, 21]), writes each model and its first
data set as an ONNX test data set folder (test_data_set_0/input_<i>.pb,
output_<i>.pb) to a temporary directory and runs

    nibble run model.onnx --inputs test_data_set_0 --outputs outputs.npz

comparing every output with the expected one the way ONNX's backend test
runner does: same dtype and shape, then numpy.testing.assert_allclose at the
case's rtol/atol (1e-3 / 1e-7 unless the case sets them) for floats and exact
equality otherwise. A case is

  passed         outputs match
  failed         nibble ran but an output differs (dtype, shape or values)
  not supported  nibble refused the model (import or lowering error, exit 1)
  crashed        killed by a signal
  timed out      no exit within --timeout

The last line printed is `passed N of M`; a markdown report goes to --output
(docs/conformance-run.md by default). With --floor FILE the exit code is 1
when fewer cases pass than the number in FILE.

    python3 python/nibble_tools/conformance/run_node_tests.py \\
        --nibble build/bin/nibble --jobs 2
"""

import argparse
import collections
import concurrent.futures
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_node_tests as selection  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TIMEOUT_S = 120

PASSED, FAILED, UNSUPPORTED, CRASHED, TIMED_OUT = (
    "passed", "failed", "not supported", "crashed", "timed out")
STATUSES = (PASSED, FAILED, UNSUPPORTED, CRASHED, TIMED_OUT)


@dataclasses.dataclass
class Result:
    name: str
    ops: tuple
    status: str
    message: str = ""


# Why the cases still refused are refused, by test-name prefix: the report
# shows the reason next to each; a refused case with no entry here is new and
# shows "(unexplained)".
KNOWN_LIMITS = [
    ("test_batchnorm_", "training mode: Nibble compiles inference graphs only"),
    ("test_cast_e8m0_", "Cast-28 round_mode 'up' into FLOAT8E8M0: nb.cast rounds to nearest even only"),
    ("test_equal_string", "string tensors: no string element type in nb or the CPU runner"),
    ("test_identity_opt", "optional values: nb functions take and return tensors only"),
    ("test_identity_sequence", "sequence values: nb functions take and return tensors only"),
    ("test_maxpool_with_argmax_", "MaxPool's argmax output (Indices) is not lowered yet"),
    ("test_quantizelinear_float4e2m1", "float4 E2M1 storage in (De)QuantizeLinear is not lowered yet"),
    ("test_dequantizelinear_float4e2m1", "float4 E2M1 storage in (De)QuantizeLinear is not lowered yet"),
    ("test_resize_tf_crop_and_resize", "Resize tf_crop_and_resize (roi cropping, extrapolation) is not lowered yet"),
    ("test_resize_downsample_", "antialiased Resize downsampling (scale-stretched filters) is not lowered yet"),
]


def known_limit(name):
    for prefix, reason in KNOWN_LIMITS:
        if name.startswith(prefix):
            return reason
    return "(unexplained)"


def is_tensor(value):
    return isinstance(value, (np.ndarray, np.generic, onnx.TensorProto))


def to_tensor_proto(value, name):
    if isinstance(value, onnx.TensorProto):
        tensor = onnx.TensorProto()
        tensor.CopyFrom(value)
        tensor.name = name
        return tensor
    return numpy_helper.from_array(np.asarray(value), name)


def expected_outputs(case):
    """The expected outputs as numpy arrays (some cases give TensorProtos)."""
    return [numpy_helper.to_array(v) if isinstance(v, onnx.TensorProto) else np.asarray(v)
            for v in case.data_sets[0][1]]


def write_case(case, case_dir):
    """The model and test_data_set_0; None when the data is not all tensors
    (numpy scalars are rank-0 tensors; sequences and optionals are not)."""
    inputs, outputs = case.data_sets[0]
    if not all(is_tensor(v) for v in list(inputs) + list(outputs)):
        return None
    graph = case.model.graph
    initializers = {i.name for i in graph.initializer}
    input_names = [i.name for i in graph.input if i.name not in initializers]
    data_dir = case_dir / "test_data_set_0"
    data_dir.mkdir(parents=True, exist_ok=True)
    onnx.save_model(case.model, str(case_dir / "model.onnx"))
    for index, value in enumerate(inputs):
        name = input_names[index] if index < len(input_names) else f"input_{index}"
        tensor = to_tensor_proto(value, name)
        (data_dir / f"input_{index}.pb").write_bytes(tensor.SerializeToString())
    return data_dir


def compare(actual, expected, rtol, atol):
    """None when `actual` matches `expected` as ONNX's runner decides, else why."""
    if len(actual) != len(expected):
        return f"{len(actual)} outputs, expected {len(expected)}"
    for index, (got, want) in enumerate(zip(actual, expected)):
        want = np.asarray(want)
        # numpy has no bfloat16, float8, int4...: nibble writes them as void
        # (<V2, |V1), the expected arrays use ml_dtypes' types.
        if got.dtype.kind == "V" and got.dtype.itemsize == want.dtype.itemsize:
            got = got.view(want.dtype)
        if got.dtype != want.dtype:
            return f"output {index}: dtype {got.dtype}, expected {want.dtype}"
        if got.shape != want.shape:
            return f"output {index}: shape {got.shape}, expected {want.shape}"
        try:
            if want.dtype.kind == "V" or want.dtype.type.__module__.startswith("ml_dtypes"):
                # ml_dtypes' narrow types (float8, int4...): compare their values.
                is_float = "float" in want.dtype.name
                got, want = got.astype(np.float32), want.astype(np.float32)
                if is_float:
                    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
                else:
                    np.testing.assert_array_equal(got, want)
            elif np.issubdtype(want.dtype, np.floating):
                np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
            else:
                np.testing.assert_array_equal(got, want)
        except AssertionError as error:
            lines = [l.strip() for l in str(error).splitlines() if l.strip()]
            detail = "; ".join(l for l in lines if l.startswith(("Mismatched", "Max")))
            return f"output {index}: {detail or lines[0]}"
    return None


def run_one(nibble, case, ops, workdir, timeout_s):
    case_dir = workdir / case.name
    data_dir = write_case(case, case_dir)
    if data_dir is None:
        return Result(case.name, ops, UNSUPPORTED, "inputs or outputs are not tensors")
    out = case_dir / "outputs.npz"
    command = [str(nibble), "run", str(case_dir / "model.onnx"), "--outputs", str(out)]
    # A model without inputs (test_constant) runs on none; an empty data set
    # folder is an error to nibble run.
    if any(data_dir.glob("input_*.pb")):
        command += ["--inputs", str(data_dir)]
    try:
        proc = subprocess.Popen(command, cwd=case_dir, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as err:
        return Result(case.name, ops, UNSUPPORTED, f"cannot run {nibble}: {err.strerror}")
    try:
        _, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return Result(case.name, ops, TIMED_OUT, f"no exit after {timeout_s:g} s")
    # Name files relative to the case folder: the folder is temporary.
    stderr = stderr.decode("utf-8", errors="replace").replace(str(case_dir) + os.sep, "")
    signame = selection.signal_name(proc.returncode)
    if signame:
        line = selection.first_line(stderr)
        return Result(case.name, ops, CRASHED, signame + (f": {line}" if line else ""))
    if proc.returncode != 0:
        return Result(case.name, ops, UNSUPPORTED,
                      selection.first_line(stderr) or f"exit code {proc.returncode}")
    with np.load(out) as archive:
        actual = [archive[key] for key in archive.files]
    mismatch = compare(actual, expected_outputs(case), case.rtol, case.atol)
    if mismatch:
        return Result(case.name, ops, FAILED, mismatch)
    return Result(case.name, ops, PASSED)


def write_report(path, results, stats, opset_range, timeout_s, nibble):
    counts = collections.Counter(r.status for r in results)
    per_op = collections.defaultdict(collections.Counter)
    for r in results:
        for op in r.ops:
            per_op[op][r.status] += 1
    lines = [
        "# ONNX backend node tests: execution conformance",
        "",
        "Generated by `python/nibble_tools/conformance/run_node_tests.py`: each selected ONNX "
        "backend node test runs through `nibble run model.onnx --inputs test_data_set_0` "
        "(no `--inputs` for a model without inputs) "
        "(import, `nibble-cpu-codegen` for the host CPU, JIT) and its outputs are compared "
        "with the expected ones as ONNX's backend runner does (dtype, shape, then "
        "`assert_allclose` at the case's rtol/atol, 1e-3/1e-7 by default; exact for "
        f"non-floats). {timeout_s:g} s limit per case. Import alone is covered by "
        "`docs/conformance.md`.",
        "",
        f"**passed {counts[PASSED]} of {len(results)}** (failed {counts[FAILED]}, "
        f"not supported {counts[UNSUPPORTED]}, crashed {counts[CRASHED]}, "
        f"timed out {counts[TIMED_OUT]})",
        "",
        "*Not supported*: nibble refused the model with an error (an op the importer or the "
        "CPU lowering does not handle yet). *Failed*: it ran and an output differs.",
        "",
        "## Selection",
        "",
        f"- onnx {onnx.__version__}: {stats['total']} node test cases",
        f"- {stats['supported']} use only ops the importer supports; "
        f"{stats['opset_excluded']} of those excluded for a default-domain opset outside "
        f"[{opset_range[0]}, {opset_range[1]}]",
        f"- {len(results)} run with `{display_path(nibble)}`",
        "",
        "## Per op",
        "",
        "A test counts for every op among its nodes.",
        "",
        "| op | passed | failed | not supported | crashed / timed out | total |",
        "|----|-------:|-------:|--------------:|--------------------:|------:|",
    ]
    for op in sorted(per_op):
        c = per_op[op]
        lines.append(f"| {op} | {c[PASSED]} | {c[FAILED]} | {c[UNSUPPORTED]} | "
                     f"{c[CRASHED] + c[TIMED_OUT]} | {sum(c.values())} |")
    for title, status in [("Failed", FAILED), ("Crashed or timed out", (CRASHED, TIMED_OUT)),
                          ("Not supported", UNSUPPORTED)]:
        wanted = status if isinstance(status, tuple) else (status,)
        rows = [r for r in results if r.status in wanted]
        lines += ["", f"## {title}", ""]
        if rows and status == UNSUPPORTED:
            lines += ["| test | why | message |", "|------|-----|---------|"]
            lines += [f"| {r.name} | {selection.md_escape(known_limit(r.name))} | "
                      f"{selection.md_escape(r.message)} |" for r in rows]
        elif rows:
            lines += ["| test | message |", "|------|---------|"]
            lines += [f"| {r.name} | {selection.md_escape(r.message)} |" for r in rows]
        else:
            lines.append("None.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def display_path(path):
    """`path` relative to the repository when inside it (reports are committed)."""
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return Path(path).name


def default_nibble():
    return shutil.which("nibble") or str(REPO_ROOT / "build" / "bin" / "nibble")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run the ONNX backend node tests of supported ops with nibble run.")
    parser.add_argument("--nibble", default=default_nibble(),
                        help="path of nibble (default: on PATH, else build/bin/)")
    parser.add_argument("--output", type=Path,
                        default=REPO_ROOT / "docs" / "conformance-run.md",
                        help="markdown report to write (default: docs/conformance-run.md)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep-dir", type=Path,
                        help="write the cases here and keep them (default: a temporary dir)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                        help=f"seconds per case (default {DEFAULT_TIMEOUT_S})")
    parser.add_argument("--min-opset", type=int, default=selection.DEFAULT_MIN_OPSET)
    parser.add_argument("--max-opset", type=int, default=selection.DEFAULT_MAX_OPSET)
    parser.add_argument("--filter", default="",
                        help="run only cases whose name contains this text")
    parser.add_argument("--floor", type=Path,
                        help="file holding the least number of cases that must pass")
    args = parser.parse_args(argv)
    if os.sep in args.nibble:  # cases run in their own folders
        args.nibble = str(Path(args.nibble).resolve())
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    selected, stats, _ = selection.select(selection.collect_cases(),
                                          args.min_opset, args.max_opset)
    selected = [(case, ops) for case, ops in selected if args.filter in case.name]
    print(f"{stats['total']} node tests; running {len(selected)} with {args.nibble}",
          flush=True)

    with tempfile.TemporaryDirectory(prefix="nibble-run-node-tests-") as tmp:
        workdir = args.keep_dir.resolve() if args.keep_dir else Path(tmp)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_one, args.nibble, case, ops, workdir, args.timeout)
                       for case, ops in selected]
            results = [f.result() for f in futures]

    results.sort(key=lambda r: r.name)
    for r in results:
        if r.status in (FAILED, CRASHED, TIMED_OUT):
            print(f"{r.status.upper()}: {r.name}: {r.message}")
    write_report(args.output, results, stats, (args.min_opset, args.max_opset),
                 args.timeout, args.nibble)
    passed = sum(r.status == PASSED for r in results)
    print(f"report: {args.output}")
    summary = f"passed {passed} of {len(results)}"
    if args.floor:
        floor = int(args.floor.read_text().split()[0])
        summary += f"; floor {floor}"
        print(summary)
        if passed < floor:
            print(f"error: {passed} passed, fewer than the floor of {floor} in {args.floor}")
            return 1
        return 0
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
