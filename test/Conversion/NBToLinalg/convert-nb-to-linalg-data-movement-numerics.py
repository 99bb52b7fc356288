# Lowered Slice (negative steps, clamping), Gather (negative indices, any
# axis), Pad (all modes, cropping), Trilu and Resize (nearest modes, linear,
# cubic, every coordinate transformation) against onnx.reference.
# REQUIRES: onnx
# RUN: %python %s nibble-opt | FileCheck %s
# CHECK: all {{[0-9]+}} cases match
import os
import sys

import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import nb_function_runner as lowered_runner  # noqa: E402

NIBBLE_OPT = sys.argv[1]
seed = int(os.environ.get("NIBBLE_TEST_SEED", np.random.SeedSequence().entropy % 2**32))
print(f"seed {seed}")
rng = np.random.default_rng(seed)
cases = 0


def ttype(shape, element="f32"):
    return lowered_runner.tensor_type(shape, element)


def dense(values, element="i64"):
    values = np.asarray(values)
    return f"nb.constant dense<{values.tolist()}> : {ttype(values.shape, element)}"


def check(name, mlir_op, onnx_node, x, out_shape, consts=(), attrs="",
          element="f32", onnx_inputs=None, reference="onnx"):
    """`mlir_op` is the nb op mnemonic; `consts` the constant operands as
    (numpy array, mlir element type) after the data operand."""
    global cases
    lines = [f"func.func @f(%x: {ttype(x.shape, element)}) -> {ttype(out_shape, element)} {{"]
    operands, types = ["%x"], [ttype(x.shape, element)]
    for i, (value, el) in enumerate(consts):
        if value is None:
            continue
        lines.append(f"  %c{i} = {dense(value, el)}")
        operands.append(f"%c{i}")
        types.append(ttype(np.asarray(value).shape, el))
    lines.append(f"  %0 = {mlir_op} {', '.join(operands)} {attrs} : ({', '.join(types)}) -> {ttype(out_shape, element)}")
    lines.append(f"  return %0 : {ttype(out_shape, element)}\n}}")
    got, = lowered_runner.run("\n".join(lines), [x], [(element, out_shape)], NIBBLE_OPT)
    feeds = {"x": x}
    feeds.update(onnx_inputs or {})
    if reference == "onnxruntime":
        import onnxruntime
        session = onnxruntime.InferenceSession(onnx_node.SerializeToString(),
                                               providers=["CPUExecutionProvider"])
        expected, = session.run(None, feeds)
    else:
        expected, = ReferenceEvaluator(onnx_node).run(None, feeds)
    if expected.shape != tuple(out_shape) or not np.allclose(got, expected, rtol=1e-5, atol=1e-5):
        print(f"MISMATCH {name}\nexpected {expected}\ngot {got}")
        sys.exit(1)
    cases += 1


def model(op_type, inputs, attrs=None, const_inputs=()):
    """A one-node ONNX model; `const_inputs` become initializers."""
    inits = [helper.make_tensor(n, dt, np.asarray(v).shape, np.asarray(v).reshape(-1).tolist())
             for n, dt, v in const_inputs]
    node = helper.make_node(op_type, inputs, ["y"], **(attrs or {}))
    graph = helper.make_graph([node], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])


x = rng.standard_normal((4, 6, 5)).astype(np.float32)

# Slice: negative steps, out-of-range starts/ends, negative axes.
for starts, ends, axes, steps in [
        ([3, 5], [0, -100], [0, 1], [-1, -2]),
        ([-1], [-6], [-1], [-1]),
        ([100, 1], [-100, 5], [1, 2], [-3, 2]),
        ([0, 2], [4, 100], [0, 2], [2, 1]),
        ([1], [1], [0], [1])]:
    expected = ReferenceEvaluator(model(
        "Slice", ["x", "s", "e", "a", "t"], const_inputs=[
            ("s", TensorProto.INT64, starts), ("e", TensorProto.INT64, ends),
            ("a", TensorProto.INT64, axes), ("t", TensorProto.INT64, steps)])).run(None, {"x": x})[0]
    check(f"slice {starts} {ends} {axes} {steps}", "nb.slice",
          model("Slice", ["x", "s", "e", "a", "t"], const_inputs=[
              ("s", TensorProto.INT64, starts), ("e", TensorProto.INT64, ends),
              ("a", TensorProto.INT64, axes), ("t", TensorProto.INT64, steps)]),
          x, expected.shape, consts=[(starts, "i64"), (ends, "i64"), (axes, "i64"), (steps, "i64")],
          attrs="{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>}")

# Gather: negative indices, every axis, scalar and 2-D indices.
for axis in [0, 1, -1]:
    dim = x.shape[axis]
    for indices in [np.array([-1, 0, 2, -dim]), np.array(1 - dim), rng.integers(-dim, dim, (2, 3))]:
        expected_shape = np.take(x, indices % dim, axis=axis).shape
        check(f"gather axis {axis} {indices.tolist()}", "nb.gather",
              model("Gather", ["x", "i"], {"axis": axis},
                    [("i", TensorProto.INT64, indices)]),
              x, expected_shape, consts=[(indices, "i64")], attrs=f"{{axis = {axis} : i64}}")

# Pad: every mode, pads larger than the axis, cropping (negative pads).
for mode in ["constant", "reflect", "edge", "wrap"]:
    for pads, axes in [([1, 2, 0, 2, 0, 3], None), ([2, -1, 1, 3], [1, -1]),
                       ([5, 6], [2]) if mode in ("wrap", "edge", "constant") else ([4, 4], [2])]:
        n = [i for i in range(3)] if axes is None else [a % 3 for a in axes]
        out = list(x.shape)
        for j, a in enumerate(n):
            out[a] += pads[j] + pads[j + len(n)]
        inputs = ["x", "p", "v"] + (["a"] if axes else [])
        consts = [("p", TensorProto.INT64, pads), ("v", TensorProto.FLOAT, 0.5)]
        if axes:
            consts.append(("a", TensorProto.INT64, axes))
        mlir_consts = [(pads, "i64"), (np.float32(0.5), "f32")] + ([(axes, "i64")] if axes else [])
        check(f"pad {mode} {pads} {axes}", "nb.pad",
              model("Pad", inputs, {"mode": mode}, consts), x, out, consts=mlir_consts,
              attrs=f"{{mode = #nb<pad_mode {mode}>, operandSegmentSizes = array<i32: 1, 1, 1, {1 if axes else 0}>}}",
              # onnx.reference's Pad (numpy.pad) cannot crop.
              reference="onnxruntime" if min(pads) < 0 else "onnx")

# Trilu: both triangles, several k.
m = rng.standard_normal((2, 4, 5)).astype(np.float32)
for upper in [0, 1]:
    for k in [-2, 0, 1, 4]:
        check(f"trilu upper={upper} k={k}", "nb.trilu",
              model("Trilu", ["x", "k"], {"upper": upper}, [("k", TensorProto.INT64, k)]),
              m, m.shape, consts=[(np.int64(k), "i64")],
              attrs=f"{{upper = {'true' if upper else 'false'}}}")

# Resize: nearest in every nearest_mode, linear and cubic, with every
# coordinate transformation, up and down, from scales and from sizes.
img = rng.standard_normal((1, 2, 4, 5)).astype(np.float32)
transforms = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "half_pixel_symmetric"]
for mode, nearest_modes in [("nearest", ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]),
                            ("linear", [None]), ("cubic", [None])]:
    for ctm in transforms:
        for nearest_mode in nearest_modes:
            for scales, sizes in [([1.0, 1.0, 2.0, 1.5], None), ([1.0, 1.0, 0.5, 0.6], None),
                                  (None, [1, 2, 7, 3]), ([1.0, 1.0, 1.7, 2.3], None)]:
                attrs = {"mode": mode, "coordinate_transformation_mode": ctm}
                mlir_attrs = [f"mode = #nb<resize_mode {mode}>",
                              f"coordinate_transformation_mode = #nb<coordinate_transformation_mode {ctm}>"]
                if nearest_mode:
                    attrs["nearest_mode"] = nearest_mode
                    mlir_attrs.append(f"nearest_mode = #nb<nearest_mode {nearest_mode}>")
                if mode == "cubic" and ctm == "asymmetric":
                    attrs["exclude_outside"] = 1
                    mlir_attrs.append("exclude_outside = true")
                if scales:
                    onnx_consts = [("s", TensorProto.FLOAT, scales)]
                    inputs = ["x", "", "s"]
                    out = [int(np.floor(d * s)) for d, s in zip(img.shape, scales)]
                    mlir_consts = [(np.array(scales, np.float32), "f32")]
                    segments = "1, 0, 1, 0"
                else:
                    onnx_consts = [("s", TensorProto.INT64, sizes)]
                    inputs = ["x", "", "", "s"]
                    out = sizes
                    mlir_consts = [(sizes, "i64")]
                    segments = "1, 0, 0, 1"
                mlir_attrs.append(f"operandSegmentSizes = array<i32: {segments}>")
                check(f"resize {mode} {ctm} {nearest_mode} {scales} {sizes}", "nb.resize",
                      model("Resize", inputs, attrs, onnx_consts), img, out,
                      consts=mlir_consts, attrs="{" + ", ".join(mlir_attrs) + "}")

print(f"all {cases} cases match")
