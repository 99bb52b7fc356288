#!/usr/bin/env python3
"""Runs the ONNX backend node tests through Nibble's importer.

The onnx wheel does not ship the node tests as data files, but
`onnx.backend.test.case.node.collect_testcases` builds them in memory. This
script keeps the cases whose every node (subgraphs included) is an op Nibble
supports (every opset by default; --min-opset and --max-opset narrow the
default-domain opset), writes each model to a temporary directory and runs

    nibble-translate --import-onnx model.onnx -o /dev/null

on it, classifying the result as imported, failed (non-zero exit; the first
line of stderr is kept), crashed (killed by a signal) or timed out. The last
line printed is `imported N of M`; a markdown report goes to --output.

    python3 python/nibble_tools/conformance/import_node_tests.py \\
        --nibble-translate build/bin/nibble-translate --output docs/conformance.md --jobs 2
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
import warnings
from pathlib import Path

import onnx

REPO_ROOT = Path(__file__).resolve().parents[3]

SUPPORTED_OPS = frozenset("""
    Conv ConvTranspose BatchNormalization Relu LeakyRelu Clip Sigmoid HardSigmoid HardSwish
    Mul Add Sub Div MaxPool AveragePool GlobalAveragePool Concat Resize Pad Flatten MatMul Gemm
    Softmax LayerNormalization Erf Gelu Tanh Pow Sqrt ReduceMean Gather Where Expand Equal Cast
    Shape Unsqueeze Squeeze Reshape Transpose Slice Split Range ConstantOfShape Neg Sin Cos
    Reciprocal Trilu QuantizeLinear DequantizeLinear DynamicQuantizeLinear QLinearConv
    QLinearMatMul MatMulInteger ConvInteger
    Constant Identity
""".split())
# Ops accepted from a domain other than the default one.
SUPPORTED_DOMAIN_OPS = {"com.microsoft": frozenset({"SimplifiedLayerNormalization"})}
DEFAULT_DOMAINS = ("", "ai.onnx")
# No opset filter by default: every node test of a supported op counts.
DEFAULT_MIN_OPSET, DEFAULT_MAX_OPSET = 1, onnx.defs.onnx_opset_version()
DEFAULT_TIMEOUT_S = 60

IMPORTED, FAILED, CRASHED, TIMED_OUT = "imported", "failed", "crashed", "timed out"

# Why the node tests that nb cannot represent on purpose fail, by test name
# prefix; the report shows it next to the importer's message.
KNOWN_LIMITS = {
    "test_batchnorm_epsilon_training_mode": "BatchNormalization training mode: nb is inference only",
    "test_batchnorm_example_training_mode": "BatchNormalization training mode: nb is inference only",
    "test_cast_e8m0_": "Cast-24 `round_mode` to float8e8m0: nb.cast has no rounding-mode "
                       "attribute (it rounds to nearest even)",
    "test_equal_string": "string tensors: nb has no string element type",
    "test_identity_opt": "optional types: nb holds tensors only",
    "test_identity_sequence": "sequence types: nb holds tensors only",
    "test_maxpool_2d_uint8": "MaxPool-12 on uint8: the nb.max_pool verifier admits float and "
                             "quantized element types only",
}


def known_limit(name):
    for prefix, reason in KNOWN_LIMITS.items():
        if name.startswith(prefix):
            return reason
    return ""


@dataclasses.dataclass
class Result:
    name: str
    ops: tuple
    opset: int
    status: str
    message: str = ""


def node_ops(graph):
    """(domain, op_type) of every node in graph and its subgraphs."""
    for node in graph.node:
        domain = "" if node.domain in DEFAULT_DOMAINS else node.domain
        yield domain, node.op_type
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from node_ops(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    yield from node_ops(sub)


def is_supported(domain, op):
    if domain == "":
        return op in SUPPORTED_OPS
    return op in SUPPORTED_DOMAIN_OPS.get(domain, ())


def op_label(domain, op):
    return op if domain == "" else f"{domain}.{op}"


def default_opset(model):
    versions = [o.version for o in model.opset_import if o.domain in DEFAULT_DOMAINS]
    return max(versions) if versions else None


def collect_cases():
    from onnx.backend.test.case import node
    import numpy as np
    # Building the cases evaluates reference implementations on purpose-made
    # overflows and divisions by zero; their warnings are noise here.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return node.collect_testcases(None)


def select(cases, min_opset, max_opset):
    """Keeps the cases with only supported ops and a default-domain opset in range.

    Returns (selected [(case, ops)], stats, excluded_per_op), where
    excluded_per_op counts, per op, the supported cases dropped for their opset.
    """
    stats = collections.Counter(total=len(cases))
    excluded_per_op = collections.Counter()
    selected = []
    for case in cases:
        ops = set(node_ops(case.model.graph))
        if not ops or not all(is_supported(d, o) for d, o in ops):
            continue
        stats["supported"] += 1
        labels = tuple(sorted(op_label(d, o) for d, o in ops))
        opset = default_opset(case.model)
        if opset is None or not min_opset <= opset <= max_opset:
            stats["opset_excluded"] += 1
            excluded_per_op.update(labels)
            continue
        selected.append((case, labels))
    return selected, stats, excluded_per_op


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def signal_name(returncode):
    """The signal that ended the process, or None if it exited.

    A negative code is a signal seen directly; 128 + N is how a shell wrapper
    reports that its child died of signal N.
    """
    if returncode < 0:
        number, via = -returncode, ""
    elif 128 < returncode < 128 + signal.NSIG:
        number, via = returncode - 128, f" (exit code {returncode})"
    else:
        return None
    try:
        return signal.Signals(number).name + via
    except ValueError:
        return f"signal {number}{via}"


def run_one(translate, case, ops, workdir, timeout_s):
    opset = default_opset(case.model)
    case_dir = workdir / case.name
    case_dir.mkdir(parents=True, exist_ok=True)
    model_path = case_dir / "model.onnx"
    onnx.save_model(case.model, str(model_path))
    command = [str(translate), "--import-onnx", str(model_path), "-o", os.devnull]
    try:
        # A session of its own, so that a timeout kills the whole process group,
        # not only a wrapper script whose children would keep the pipes open.
        proc = subprocess.Popen(command, cwd=case_dir, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as err:  # missing or not executable: the C++ side is not built yet
        return Result(case.name, ops, opset, FAILED, f"cannot run {translate}: {err.strerror}")
    try:
        _, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return Result(case.name, ops, opset, TIMED_OUT, f"no exit after {timeout_s:g} s")
    # Name the model by its file name only: the folder is temporary.
    stderr = stderr.decode("utf-8", errors="replace").replace(str(model_path), "model.onnx")
    if proc.returncode == 0:
        return Result(case.name, ops, opset, IMPORTED)
    signame = signal_name(proc.returncode)
    if signame:
        message = signame + (f": {first_line(stderr)}" if first_line(stderr) else "")
        return Result(case.name, ops, opset, CRASHED, message)
    return Result(case.name, ops, opset, FAILED,
                  first_line(stderr) or f"exit code {proc.returncode}, empty stderr")


def md_escape(text):
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")


def write_report(path, results, stats, excluded_per_op, opset_range, timeout_s, translate):
    counts = collections.Counter(r.status for r in results)
    by_opset = collections.Counter(r.opset for r in results)
    shown_translate = translate
    if Path(translate).is_absolute() and Path(translate).is_relative_to(REPO_ROOT):
        shown_translate = str(Path(translate).relative_to(REPO_ROOT))
    per_op = {op: [0, 0] for op in sorted(SUPPORTED_OPS)}
    for domain, ops in SUPPORTED_DOMAIN_OPS.items():
        per_op.update({op_label(domain, op): [0, 0] for op in ops})
    for r in results:
        for op in r.ops:
            per_op[op][1] += 1
            per_op[op][0] += r.status == IMPORTED

    lines = [
        "# ONNX backend node tests: import conformance",
        "",
        "Generated by `python/nibble_tools/conformance/import_node_tests.py`: each selected "
        "ONNX backend node test model goes through `nibble-translate --import-onnx model.onnx "
        f"-o /dev/null` ({timeout_s:g} s limit per model). This checks import only, not numerics.",
        "The importer accepts models of opsets 10 through 28 and converts each node by its op "
        "version, resolved from the model's opset for the node's domain (the newest schema "
        "whose since_version is at most that opset).",
        "",
        f"**imported {counts[IMPORTED]} of {len(results)}** "
        f"(failed {counts[FAILED]}, crashed {counts[CRASHED]}, timed out {counts[TIMED_OUT]})",
        "",
        "## Selection",
        "",
        f"- onnx {onnx.__version__}: {stats['total']} node test cases",
        f"- {stats['supported']} use only supported ops (every node, subgraphs and "
        "`_expanded` function bodies included; Constant and Identity allowed as helpers)",
        f"- {stats['opset_excluded']} of those excluded because their default-domain opset "
        f"is outside [{opset_range[0]}, {opset_range[1]}]",
        f"- {len(results)} run; by default-domain opset: "
        + ", ".join(f"{opset}: {count}" for opset, count in sorted(by_opset.items())),
        f"- importer: `{shown_translate}`",
        "",
        "## Per op",
        "",
        "A test counts for every op among its nodes. *Opset-excluded*: tests of the op "
        "that use only supported ops but were not run because of their opset.",
        "",
        "| op | imported | total | opset-excluded |",
        "|----|---------:|------:|---------------:|",
    ]
    lines += [f"| {op} | {ok} | {total} | {excluded_per_op[op]} |"
              for op, (ok, total) in sorted(per_op.items())]
    lines += ["", "## Not imported", ""]
    failures = [r for r in results if r.status != IMPORTED]
    if failures:
        lines += ["| test | status | why | message |", "|------|--------|-----|---------|"]
        lines += [f"| {r.name} | {r.status} | {md_escape(known_limit(r.name)) or 'not known'} "
                  f"| {md_escape(r.message)} |" for r in failures]
    else:
        lines.append("None.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def default_translate():
    return shutil.which("nibble-translate") or str(REPO_ROOT / "build" / "bin" / "nibble-translate")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Import the ONNX backend node tests of supported ops with nibble-translate.")
    parser.add_argument("--nibble-translate", default=default_translate(),
                        help="path of nibble-translate (default: on PATH, else build/bin/)")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "docs" / "conformance.md",
                        help="markdown report to write (default: docs/conformance.md)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep-dir", type=Path,
                        help="write the models here and keep them (default: a temporary dir)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                        help=f"seconds per model (default {DEFAULT_TIMEOUT_S})")
    parser.add_argument("--min-opset", type=int, default=DEFAULT_MIN_OPSET,
                        help=f"lowest default-domain opset to run (default {DEFAULT_MIN_OPSET})")
    parser.add_argument("--max-opset", type=int, default=DEFAULT_MAX_OPSET,
                        help=f"highest default-domain opset to run (default {DEFAULT_MAX_OPSET})")
    parser.add_argument("--strict", action="store_true",
                        help="exit with 1 unless every selected test imports")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    # Each model runs in its own folder: a relative path must not depend on it.
    if os.sep in args.nibble_translate:
        args.nibble_translate = str(Path(args.nibble_translate).resolve())

    selected, stats, excluded_per_op = select(collect_cases(), args.min_opset, args.max_opset)
    print(f"{stats['total']} node tests; {stats['supported']} with only supported ops; "
          f"{stats['opset_excluded']} excluded for opset outside "
          f"[{args.min_opset}, {args.max_opset}]; "
          f"running {len(selected)} with {args.nibble_translate}", flush=True)

    with tempfile.TemporaryDirectory(prefix="nibble-node-tests-") as tmp:
        workdir = args.keep_dir.resolve() if args.keep_dir else Path(tmp)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_one, args.nibble_translate, case, ops, workdir,
                                   args.timeout)
                       for case, ops in selected]
            results = [f.result() for f in futures]

    results.sort(key=lambda r: r.name)
    for r in results:
        if r.status != IMPORTED:
            print(f"{r.status.upper()}: {r.name}: {r.message}")
    write_report(args.output, results, stats, excluded_per_op,
                 (args.min_opset, args.max_opset), args.timeout, args.nibble_translate)
    imported = sum(r.status == IMPORTED for r in results)
    print(f"report: {args.output}")
    print(f"imported {imported} of {len(results)}")
    return 1 if args.strict and imported != len(results) else 0


if __name__ == "__main__":
    sys.exit(main())
