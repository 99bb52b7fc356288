"""Runs an nb function lowered by convert-nb-to-linalg on the CPU.

Until the JIT driver exists, numerical lit tests lower a function @f with
nibble-opt's upstream CPU pipeline, call it from a generated @main with
constant inputs, run it with mlir-runner and parse what the runner utils
print. Integer results are printed as i64 and floats as f64, so values come
back exactly (floats to the runner's 6 significant digits; compare with a
relative tolerance of 1e-5).
"""
import os
import re
import shutil
import subprocess
import sys

import numpy as np

PIPELINE = [
    "--convert-nb-to-linalg",
    "--one-shot-bufferize=bufferize-function-boundaries",
    "--convert-linalg-to-loops",
    "--expand-strided-metadata",
    "--lower-affine",
    "--convert-scf-to-cf",
    "--convert-math-to-libm",
    "--convert-to-llvm",
    "--reconcile-unrealized-casts",
]

_MLIR_TYPES = {
    np.dtype(np.float32): "f32", np.dtype(np.float64): "f64",
    np.dtype(np.float16): "f16", np.dtype(np.int64): "i64",
    np.dtype(np.int32): "i32", np.dtype(np.int16): "i16",
    np.dtype(np.int8): "i8", np.dtype(np.bool_): "i1",
}


def tensor_type(shape, element):
    dims = "".join(f"{d}x" for d in shape)
    return f"tensor<{dims}{element}>"


def _dense(array):
    element = _MLIR_TYPES[array.dtype]
    if array.dtype == np.bool_:
        flat = ["true" if v else "false" for v in array.reshape(-1)]
    elif array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            raise ValueError("inputs must be finite")
        flat = [repr(float(v)) for v in array.reshape(-1)]
    else:
        flat = [str(int(v)) for v in array.reshape(-1)]
    if array.ndim:
        body = _nested(np.array(flat, dtype=object).reshape(array.shape))
    else:
        body = flat[0]
    return f"arith.constant dense<{body}> : {tensor_type(array.shape, element)}"


def _nested(a):
    if a.ndim == 1:
        return "[" + ", ".join(a) + "]"
    if a.shape[0] == 0:
        return "[]"
    return "[" + ", ".join(_nested(x) for x in a) + "]"


def _print_result(index, element, shape):
    """MLIR lines converting result `index` to i64/f64 and printing it."""
    src = tensor_type(shape, element)
    is_float = element.startswith("f") or element.startswith("bf")
    wide = "f64" if is_float else "i64"
    dst = tensor_type(shape, wide)
    if element == "f64" or element == "i64":
        op = None
    elif is_float:
        op = "arith.extf %in : {} to f64".format(element)
    elif element == "i1":
        op = "arith.extui %in : i1 to i64"
    else:
        op = "arith.extsi %in : {} to i64".format(element)
    rank = len(shape)
    iterators = ", ".join(['"parallel"'] * rank)
    dims = ", ".join(f"d{i}" for i in range(rank))
    lines = []
    value = f"%r{index}"
    if op:
        lines += [
            f"%e{index} = tensor.empty() : {dst}",
            f"%w{index} = linalg.generic {{indexing_maps = [affine_map<({dims}) -> ({dims})>, affine_map<({dims}) -> ({dims})>], "
            f"iterator_types = [{iterators}]}} ins({value} : {src}) outs(%e{index} : {dst}) {{",
            f"^bb0(%in: {element}, %out: {wide}):",
            f"  %c = {op}",
            "  linalg.yield %c : " + wide,
            f"}} -> {dst}",
        ]
        value = f"%w{index}"
    memref = dst.replace("tensor", "memref")
    lines += [
        f"%m{index} = bufferization.to_buffer {value} : {dst} to {memref}",
        f"%u{index} = memref.cast %m{index} : {memref} to memref<*x{wide}>",
        f"func.call @printMemref{'F64' if is_float else 'I64'}(%u{index}) : (memref<*x{wide}>) -> ()",
    ]
    return lines


def run(function, inputs, results, nibble_opt=None, extra_passes=()):
    """Runs `function` (MLIR text defining @f) on numpy `inputs`.

    `results` lists (mlir element type, shape) per result of @f. Returns the
    results as numpy arrays of int64 or float64.
    """
    nibble_opt = nibble_opt or shutil.which("nibble-opt")
    runner = shutil.which("mlir-runner") or "/usr/lib/llvm-22/bin/mlir-runner"
    libdir = os.path.join(os.path.dirname(os.path.dirname(runner)), "lib")
    main = ["func.func @main() {"]
    args = []
    for i, array in enumerate(inputs):
        main.append(f"  %a{i} = {_dense(array)}")
        args.append((f"%a{i}", tensor_type(array.shape, _MLIR_TYPES[array.dtype])))
    result_types = [tensor_type(s, e) for e, s in results]
    names = ", ".join(f"%r{i}" for i in range(len(results)))
    main.append(f"  {names} = func.call @f({', '.join(a for a, _ in args)}) : "
                f"({', '.join(t for _, t in args)}) -> ({', '.join(result_types)})")
    for i, (element, shape) in enumerate(results):
        main += ["  " + line for line in _print_result(i, element, shape)]
    main.append("  return\n}")
    decls = ("func.func private @printMemrefF64(memref<*xf64>)\n"
             "func.func private @printMemrefI64(memref<*xi64>)\n")
    module = function + "\n" + decls + "\n".join(main) + "\n"
    lowered = subprocess.run([nibble_opt, *PIPELINE, *extra_passes], input=module,
                             capture_output=True, text=True)
    if lowered.returncode:
        sys.stderr.write(module)
        raise RuntimeError(lowered.stderr)
    ran = subprocess.run(
        [runner, "-e", "main", "-entry-point-result=void",
         f"-shared-libs={libdir}/libmlir_runner_utils.so,{libdir}/libmlir_c_runner_utils.so"],
        input=lowered.stdout, capture_output=True, text=True)
    if ran.returncode:
        raise RuntimeError(ran.stderr)
    outputs = []
    chunks = ran.stdout.split("Unranked Memref")[1:]
    for (element, shape), chunk in zip(results, chunks):
        is_float = element.startswith("f") or element.startswith("bf")
        if 0 in shape:
            outputs.append(np.zeros(shape, np.float64 if is_float else np.int64))
            continue
        data = chunk.split("data =", 1)[1]
        numbers = re.findall(r"-?nan|-?inf|[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?", data)
        values = np.array([float(n) for n in numbers],
                          dtype=np.float64 if is_float else np.int64)
        outputs.append(values.reshape(shape))
    return outputs
