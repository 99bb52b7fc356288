#!/usr/bin/env python3
"""Round-trips the ONNX backend node tests through Nibble's exporter.

Selects the same cases as import_node_tests.py (every node an op Nibble
supports, every opset). For each case it runs

    nibble-translate --import-onnx model.onnx -mlir-print-debuginfo -o model.mlir
    nibble-translate --export-onnx model.mlir -o exported.onnx

then `onnx.checker.check_model` on the export, runs it in ONNX Runtime on the
case's first data set and compares every output with the expected one the way
run_node_tests.py does (dtype, shape, then the case's rtol/atol for floats,
exact otherwise). A case is

  passed          the export checks and ORT's outputs match the expected ones
  failed          ORT ran the export but an output differs
  not imported    the importer refuses the model (see docs/conformance.md)
  export failed   the exporter refused or crashed
  checker failed  onnx.checker rejects the export
  ORT refused     ORT cannot run the export
  ORT limit       ORT cannot run the original model either (not the export's fault)

The last line printed is `passed N of M`; a markdown report goes to --output
(docs/conformance-export.md by default). With --floor FILE the exit code is 1
when fewer cases pass than the number in FILE (its last non-comment line).

    python3 python/nibble_tools/conformance/export_node_tests.py \\
        --nibble-translate build/bin/nibble-translate --jobs 2
"""

import argparse
import collections
import concurrent.futures
import dataclasses
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_node_tests as selection  # noqa: E402
import run_node_tests as runner  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TIMEOUT_S = 60

PASSED, FAILED, NOT_IMPORTED, EXPORT_FAILED, CHECKER_FAILED, ORT_REFUSED, ORT_LIMIT = (
    "passed", "failed", "not imported", "export failed", "checker failed", "ORT refused",
    "ORT limit")
STATUSES = (PASSED, FAILED, NOT_IMPORTED, EXPORT_FAILED, CHECKER_FAILED, ORT_REFUSED,
            ORT_LIMIT)


@dataclasses.dataclass
class Result:
    name: str
    ops: tuple
    status: str
    message: str = ""


def run_tool(command, cwd, timeout_s):
    """(returncode or a signal/timeout description, first line of stderr)."""
    proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"no exit after {timeout_s:g} s", ""
    stderr = stderr.decode("utf-8", errors="replace").replace(str(cwd) + os.sep, "")
    signame = selection.signal_name(proc.returncode)
    if signame:
        return signame, selection.first_line(stderr)
    return proc.returncode, selection.first_line(stderr)


def ort_run(model_bytes, feeds):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, {n: v for n, v in zip(names, feeds)})


def case_feeds(case):
    inputs, outputs = case.data_sets[0]
    if not all(runner.is_tensor(v) for v in list(inputs) + list(outputs)):
        return None
    from onnx import numpy_helper
    return [numpy_helper.to_array(v) if isinstance(v, onnx.TensorProto) else np.asarray(v)
            for v in inputs]


def run_one(translate, case, ops, workdir, timeout_s):
    case_dir = workdir / case.name
    case_dir.mkdir(parents=True, exist_ok=True)
    model_path = case_dir / "model.onnx"
    onnx.save_model(case.model, str(model_path))
    status, line = run_tool([translate, "--import-onnx", str(model_path),
                             "-mlir-print-debuginfo", "-o", str(case_dir / "model.mlir")],
                            case_dir, timeout_s)
    if status != 0:
        return Result(case.name, ops, NOT_IMPORTED, line or str(status))
    exported = case_dir / "exported.onnx"
    status, line = run_tool([translate, "--export-onnx", str(case_dir / "model.mlir"),
                             "-o", str(exported)], case_dir, timeout_s)
    if status != 0:
        return Result(case.name, ops, EXPORT_FAILED, f"{line} ({status})")
    if not exported.exists():
        return Result(case.name, ops, EXPORT_FAILED, "exit 0 but no output file")
    model = onnx.load(str(exported))
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as error:
        return Result(case.name, ops, CHECKER_FAILED, selection.first_line(str(error)))
    feeds = case_feeds(case)
    if feeds is None:
        return Result(case.name, ops, ORT_LIMIT, "inputs or outputs are not tensors")
    try:
        actual = ort_run(exported.read_bytes(), feeds)
    except Exception as error:  # ORT raises its own exception types
        try:
            ort_run(case.model.SerializeToString(), feeds)
        except Exception as original_error:
            return Result(case.name, ops, ORT_LIMIT,
                          selection.first_line(str(original_error))[:200])
        return Result(case.name, ops, ORT_REFUSED, selection.first_line(str(error))[:200])
    mismatch = runner.compare([np.asarray(a) for a in actual], runner.expected_outputs(case),
                              case.rtol, case.atol)
    if mismatch:
        try:
            original = ort_run(case.model.SerializeToString(), feeds)
            if runner.compare([np.asarray(a) for a in original], runner.expected_outputs(case),
                              case.rtol, case.atol):
                return Result(case.name, ops, ORT_LIMIT,
                              "ORT's result for the original model differs too: " + mismatch)
        except Exception:
            pass
        return Result(case.name, ops, FAILED, mismatch)
    return Result(case.name, ops, PASSED)


def write_report(path, results, translate):
    counts = collections.Counter(r.status for r in results)
    lines = [
        "# ONNX backend node tests: export conformance",
        "",
        "Generated by `python/nibble_tools/conformance/export_node_tests.py`: each ONNX backend "
        "node test of a supported op is imported (`nibble-translate --import-onnx`), exported "
        "(`nibble-translate --export-onnx`, opset 21), checked with `onnx.checker.check_model` "
        f"and run in ONNX Runtime {ort_version()}, whose outputs are compared with the test's "
        "expected outputs at the test's rtol/atol (exact for integers). "
        "`test/Exporter/ONNX/conformance-floor.txt` holds the count that must keep passing.",
        "",
        f"**passed {counts[PASSED]} of {len(results)}** ("
        + ", ".join(f"{s} {counts[s]}" for s in STATUSES[1:]) + ")",
        "",
        "*ORT limit*: ONNX Runtime cannot run, or gets a different result for, the original "
        "model too, so the export is not to blame; *not imported*: the importer's known "
        "limits (docs/conformance.md).",
        "",
        f"- onnx {onnx.__version__}; exporter `{runner.display_path(translate)}`",
        "",
        "## Not passed",
        "",
    ]
    others = [r for r in results if r.status != PASSED]
    if others:
        lines += ["| test | status | message |", "|------|--------|---------|"]
        lines += [f"| {r.name} | {r.status} | {selection.md_escape(r.message)} |"
                  for r in others]
    else:
        lines.append("None.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def ort_version():
    try:
        import onnxruntime
        return onnxruntime.__version__
    except ImportError:
        return "(not installed)"


def read_floor(path):
    values = [line.strip() for line in Path(path).read_text().splitlines()
              if line.strip() and not line.lstrip().startswith("#")]
    return int(values[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Import, export and run in ONNX Runtime the ONNX backend node tests.")
    parser.add_argument("--nibble-translate", default=selection.default_translate())
    parser.add_argument("--output", type=Path,
                        default=REPO_ROOT / "docs" / "conformance-export.md")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S)
    parser.add_argument("--keep-dir", type=Path)
    parser.add_argument("--filter", default="", help="only cases whose name contains this")
    parser.add_argument("--floor", type=Path,
                        help="fail when fewer cases pass than this file's number")
    args = parser.parse_args(argv)
    if os.sep in args.nibble_translate:
        args.nibble_translate = str(Path(args.nibble_translate).resolve())

    selected, _, _ = selection.select(selection.collect_cases(), selection.DEFAULT_MIN_OPSET,
                                      selection.DEFAULT_MAX_OPSET)
    selected = [(c, o) for c, o in selected if args.filter in c.name]
    print(f"round-tripping {len(selected)} node tests with {args.nibble_translate}", flush=True)
    with tempfile.TemporaryDirectory(prefix="nibble-export-tests-") as tmp:
        workdir = args.keep_dir.resolve() if args.keep_dir else Path(tmp)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run_one, args.nibble_translate, case, ops, workdir,
                                   args.timeout) for case, ops in selected]
            results = sorted((f.result() for f in futures), key=lambda r: r.name)
    for r in results:
        if r.status != PASSED:
            print(f"{r.status.upper()}: {r.name}: {r.message}")
    write_report(args.output, results, args.nibble_translate)
    passed = sum(r.status == PASSED for r in results)
    print(f"report: {args.output}")
    print(f"passed {passed} of {len(results)}")
    if args.floor:
        floor = read_floor(args.floor)
        print(f"floor {floor}")
        if passed < floor:
            print(f"below the floor: {passed} < {floor}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
