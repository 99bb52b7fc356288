# Lowered Cast (every int/float/bool pair we can feed, truncation toward
# zero, wrapping, x != 0) and Clip against onnx.reference.
# REQUIRES: onnx
# RUN: %python %s nibble-opt | FileCheck %s
# CHECK: all {{[0-9]+}} cases match
import os
import sys

import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import nb_function_runner as runner  # noqa: E402

NIBBLE_OPT = sys.argv[1]
seed = int(os.environ.get("NIBBLE_TEST_SEED", np.random.SeedSequence().entropy % 2**32))
print(f"seed {seed}")
rng = np.random.default_rng(seed)
cases = 0

MLIR = {np.float32: "f32", np.float64: "f64", np.float16: "f16", np.int64: "i64",
        np.int32: "i32", np.int16: "i16", np.int8: "i8", np.bool_: "i1"}
ONNX = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE,
        np.float16: TensorProto.FLOAT16, np.int64: TensorProto.INT64,
        np.int32: TensorProto.INT32, np.int16: TensorProto.INT16,
        np.int8: TensorProto.INT8, np.bool_: TensorProto.BOOL}


def reference(node, feeds, inputs, out_type):
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(n, ONNX[v.dtype.type], v.shape) for n, v in zip(inputs, feeds)],
        [helper.make_tensor_value_info("y", out_type, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    return ReferenceEvaluator(model).run(None, dict(zip(inputs, feeds)))[0]


def compare(name, got, expected):
    global cases
    if expected.dtype.kind == "f":
        ok = np.allclose(got, expected.astype(np.float64), rtol=1e-5, atol=0, equal_nan=True)
    else:
        ok = np.array_equal(got, expected.astype(np.int64))
    if not ok:
        print(f"MISMATCH {name}\nexpected {expected}\ngot {got}")
        sys.exit(1)
    cases += 1


def cast(x, to):
    src, dst = MLIR[x.dtype.type], MLIR[to]
    ty = runner.tensor_type(x.shape, src)
    out = runner.tensor_type(x.shape, dst)
    function = (f"func.func @f(%x: {ty}) -> {out} {{\n"
                f"  %0 = nb.cast %x : ({ty}) -> {out}\n  return %0 : {out}\n}}")
    got, = runner.run(function, [x], [(dst, x.shape)], NIBBLE_OPT)
    expected = reference(helper.make_node("Cast", ["x"], ["y"], to=ONNX[to]), [x], ["x"], ONNX[to])
    compare(f"cast {src} -> {dst}", got, expected)


# Floats in every target's range (out-of-range float -> int is undefined in
# ONNX), with halves, negative fractions and zeros.
floats = np.concatenate([rng.uniform(-120, 120, 20), [-2.5, -0.5, -0.0, 0.0, 0.5, 2.5, 127.9, -128.9]])
ints = rng.integers(-2**31, 2**31, 24)
for ftype in [np.float32, np.float64, np.float16]:
    x = floats.astype(ftype)
    for to in [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.bool_]:
        cast(x, to)
for itype in [np.int64, np.int32, np.int16, np.int8]:
    x = ints.astype(itype)  # wraps like the lowering should
    for to in [np.float32, np.float64, np.int64, np.int32, np.int16, np.int8, np.bool_]:
        cast(x, to)
b = rng.integers(0, 2, 12).astype(np.bool_)
for to in [np.float32, np.float16, np.int64, np.int8, np.bool_]:
    cast(b, to)

# Clip: both bounds, one bound, none; lo > hi gives hi.
for dtype in [np.float32, np.int32, np.int8]:
    x = (rng.standard_normal((3, 5)) * 50).astype(dtype)
    for lo, hi in [(-10, 20), (-10, None), (None, 5), (None, None), (7, 3)]:
        el = MLIR[dtype]
        ty = runner.tensor_type(x.shape, el)
        operands, types, body, inputs, feeds = ["%x"], [ty], [], ["x"], [x]
        for name, bound in [("lo", lo), ("hi", hi)]:
            inputs.append(name if bound is not None else "")
            if bound is None:
                continue
            literal = float(bound) if el.startswith("f") else bound
            body.append(f"  %{name} = nb.constant dense<{literal}> : tensor<{el}>")
            operands.append(f"%{name}")
            types.append(f"tensor<{el}>")
            feeds.append(np.array(bound, dtype=dtype))
        segments = f"1, {int(lo is not None)}, {int(hi is not None)}"
        function = "\n".join(
            [f"func.func @f(%x: {ty}) -> {ty} {{"] + body +
            [f"  %0 = nb.clip {', '.join(operands)} {{operandSegmentSizes = array<i32: {segments}>}} : ({', '.join(types)}) -> {ty}",
             f"  return %0 : {ty}\n}}"])
        got, = runner.run(function, [x], [(el, x.shape)], NIBBLE_OPT)
        while inputs and inputs[-1] == "":
            inputs.pop()
        node = helper.make_node("Clip", inputs, ["y"])
        named = [n for n in inputs if n]
        expected = reference(node, feeds, named, ONNX[dtype])
        compare(f"clip {el} {lo} {hi}", got, expected)

print(f"all {cases} cases match")
