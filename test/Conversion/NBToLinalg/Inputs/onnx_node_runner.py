"""Runs a single-node ONNX model through nibble's nb-to-linalg lowering and
MLIR's CPU codegen, and compares it with onnx.reference.

Used by the numerical lit tests of convert-nb-to-linalg (before the JIT
driver exists): the model is imported with nibble-translate, lowered with
`nibble-opt --convert-nb-to-linalg`, wrapped in a `main` that feeds the
inputs as constants (raw little-endian bytes, so values are exact) and prints
every result bit-exactly (floats as their f64 bit patterns), then compiled
with upstream passes and run with mlir-runner.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper
from onnx.reference import ReferenceEvaluator

LLVM_BIN = "/usr/lib/llvm-22/bin"
LLVM_LIB = "/usr/lib/llvm-22/lib"


def _tool(name):
    return shutil.which(name) or os.path.join(LLVM_BIN, name)


def _run(cmd, stdin=None):
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return proc.stdout


def make_model(op_type, inputs, outputs, attrs=None, initializers=(),
               domain="", opset=21):
    """A model of one node. `inputs`/`outputs`: (name, np dtype, shape)."""
    def info(name, dtype, shape):
        return helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), shape)
    init_names = {t.name for t in initializers}
    node = helper.make_node(op_type, [i[0] for i in inputs],
                            [o[0] for o in outputs], name="node",
                            domain=domain, **(attrs or {}))
    graph = helper.make_graph(
        [node], "g", [info(*i) for i in inputs if i[0] not in init_names],
        [info(*o) for o in outputs], initializer=list(initializers))
    opsets = [helper.make_opsetid("", opset)]
    if domain:
        opsets.append(helper.make_opsetid(domain, 1))
    return helper.make_model(graph, opset_imports=opsets)


# Arguments and results may carry attributes (`{nb.name = "x"}`); the
# signature ends with the line.
_SIGNATURE = re.compile(
    r"func\.func @graph\((.*?)\)(?: -> (.*?))?(?: attributes .*?)? \{$", re.M)
_TENSOR = re.compile(r"tensor<[^>]*>")


def _element(tensor_type):
    return tensor_type[len("tensor<"):-1].split("x")[-1]


def _widen(name, tensor_type):
    """MLIR that turns result `name` into an i64 tensor holding the exact
    value (ints sign-extended, floats as f64 bit patterns)."""
    elem = _element(tensor_type)
    wide = tensor_type.replace(elem + ">", "i64>")
    shape = tensor_type[len("tensor<"):-1].split("x")[:-1]
    rank = len(shape)
    dims = ", ".join(f"d{i}" for i in range(rank))
    if elem == "f64":
        body = "%w = arith.bitcast %x : f64 to i64"
    elif elem.startswith("f") or elem.startswith("bf"):
        body = (f"%f = arith.extf %x : {elem} to f64\n"
                "      %w = arith.bitcast %f : f64 to i64")
    elif elem == "i64":
        body = "%w = arith.addi %x, %c0 : i64"
    else:
        body = f"%w = arith.extsi %x : {elem} to i64"
    iters = ", ".join(['"parallel"'] * rank)
    return wide, f"""
    %e_{name} = tensor.empty() : {wide}
    %w_{name} = linalg.generic {{indexing_maps = [affine_map<({dims}) -> ({dims})>, affine_map<({dims}) -> ({dims})>], iterator_types = [{iters}]}}
        ins(%{name} : {tensor_type}) outs(%e_{name} : {wide}) {{
    ^bb0(%x: {elem}, %o: i64):
      %c0 = arith.constant 0 : i64
      {body}
      linalg.yield %w : i64
    }} -> {wide}
    %b_{name} = bufferization.to_buffer %w_{name} : {wide} to memref<{wide[len('tensor<'):-1]}>
    %u_{name} = memref.cast %b_{name} : memref<{wide[len('tensor<'):-1]}> to memref<*xi64>
    call @printMemrefI64(%u_{name}) : (memref<*xi64>) -> ()
"""


def run_lowered(model, feeds, nibble_opt, nibble_translate, workdir):
    path = os.path.join(workdir, "model.onnx")
    onnx.save(model, path)
    imported = _run([nibble_translate, "--import-onnx", path,
                     "--onnx-function-name=graph"])
    lowered = _run([nibble_opt, "--convert-nb-to-linalg"], stdin=imported)
    match = _SIGNATURE.search(lowered)
    arg_types = _TENSOR.findall(match.group(1))
    result_types = _TENSOR.findall(match.group(2) or "")
    names = [i.name for i in model.graph.input]
    lines = []
    for index, (name, type_) in enumerate(zip(names, arg_types)):
        data = np.ascontiguousarray(feeds[name]).tobytes().hex().upper()
        lines.append(f'    %a{index} = arith.constant dense<"0x{data}"> : {type_}')
    args = ", ".join(f"%a{i}" for i in range(len(arg_types)))
    results = ", ".join(f"%r{i}" for i in range(len(result_types)))
    call = f"call @graph({args}) : ({', '.join(arg_types)}) -> ({', '.join(result_types)})"
    lines.append(f"    {results} = {call}" if results else f"    {call}")
    for i, type_ in enumerate(result_types):
        lines.append(_widen(f"r{i}", type_)[1])
    wrapper = "\n".join([
        "  func.func private @printMemrefI64(memref<*xi64>) attributes {llvm.emit_c_interface}",
        "  func.func @main() {", *lines, "    return", "  }"])
    module = lowered.rstrip()
    assert module.endswith("}")
    module = module[:-1] + wrapper + "\n}\n"
    with open(os.path.join(workdir, "lowered.mlir"), "w") as f:
        f.write(module)
    llvm_ir = _run([_tool("mlir-opt"),
                    "--one-shot-bufferize=bufferize-function-boundaries",
                    "--convert-linalg-to-loops", "--expand-strided-metadata",
                    "--lower-affine", "--convert-scf-to-cf",
                    "--convert-math-to-llvm", "--convert-math-to-libm",
                    "--convert-to-llvm", "--reconcile-unrealized-casts"],
                   stdin=module)
    output = _run([_tool("mlir-runner"), "-e", "main",
                   "-entry-point-result=void",
                   f"-shared-libs={LLVM_LIB}/libmlir_runner_utils.so,"
                   f"{LLVM_LIB}/libmlir_c_runner_utils.so"], stdin=llvm_ir)
    values = []
    for chunk in output.split("Unranked Memref")[1:]:
        sizes = [int(s) for s in re.search(r"sizes = \[([^\]]*)\]", chunk)
                 .group(1).replace(",", " ").split()]
        data = chunk.split("data =", 1)[1]
        values.append(np.array([int(v) for v in re.findall(r"-?\d+", data)],
                               dtype=np.int64).reshape(sizes))
    return values


def _decode(raw, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return raw.view(np.float64).astype(dtype)
    bits = dtype.itemsize * 8
    if dtype.kind == "u":
        return (raw % (1 << bits)).astype(dtype)
    return raw.astype(dtype)


def check(case, model, feeds, rtol=0.0, atol=0.0, expected=None):
    """Runs `model` through the lowering and compares with `expected`, by
    default onnx.reference's results; prints and returns whether they agree."""
    nibble_opt, nibble_translate = sys.argv[1], sys.argv[2]
    if expected is None:
        expected = ReferenceEvaluator(model).run(None, feeds)
    with tempfile.TemporaryDirectory() as workdir:
        try:
            raw = run_lowered(model, feeds, nibble_opt, nibble_translate,
                              workdir)
        except RuntimeError as error:
            print(f"FAIL {case}: {error}")
            return False
    ok = len(raw) == len(expected)
    for want, got_raw in zip(expected, raw):
        want = np.asarray(want)
        got = _decode(got_raw, want.dtype).reshape(want.shape)
        if want.dtype.kind == "f":
            good = np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        else:
            good = np.array_equal(got, want)
        if not good:
            print(f"FAIL {case}: max abs diff "
                  f"{np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))}")
            print(" expected", want.ravel()[:16], "\n got     ", got.ravel()[:16])
        ok = ok and good
    if ok:
        print(f"PASS {case}")
    return ok


def seeded_rng():
    seed = int.from_bytes(os.urandom(4), "little")
    print(f"seed {seed}")
    return np.random.default_rng(seed)
