#!/usr/bin/env python3
"""Builds the ONNX models the importer's lit tests read.

    python3 onnx_models.py NAME OUTPUT.onnx

NAME is one of the functions registered with @model below; each returns a
ModelProto built with onnx.helper (no binary blobs are checked in). Models are
saved without ONNX's checker on purpose: several are malformed for the error
tests.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

MODELS = {}


def model(fn):
    MODELS[fn.__name__] = fn
    return fn


def make(nodes, inputs, outputs, inits=(), opset=13, extra_opsets=(), ir=8,
         value_info=()):
    graph = h.make_graph(nodes, "g", inputs, outputs, list(inits),
                         value_info=list(value_info))
    opsets = [h.make_opsetid("", opset)] + [h.make_opsetid(d, v) for d, v in extra_opsets]
    return h.make_model(graph, opset_imports=opsets, ir_version=ir)


def vi(name, elem=T.FLOAT, shape=None):
    return h.make_tensor_value_info(name, elem, shape)


def i64(name, values):
    return nh.from_array(np.array(values, dtype=np.int64), name)


def f32(name, values):
    return nh.from_array(np.array(values, dtype=np.float32), name)


# --- Elementwise ------------------------------------------------------------

@model
def elementwise():
    unary = ["Relu", "Sigmoid", "Tanh", "Erf", "Sqrt", "Neg", "Sin", "Cos", "Exp",
             "Log", "Abs", "Reciprocal", "HardSwish"]
    nodes, prev = [], "x"
    for op in unary:
        nodes.append(h.make_node(op, [prev], [op.lower()], name=op.lower()))
        prev = op.lower()
    nodes += [
        h.make_node("LeakyRelu", [prev], ["lrelu"], name="lrelu", alpha=0.2),
        h.make_node("HardSigmoid", ["lrelu"], ["hsig"], name="hsig", alpha=0.3, beta=0.4),
        h.make_node("Add", ["hsig", "x"], ["add"], name="add"),
        h.make_node("Sub", ["add", "x"], ["sub"], name="sub"),
        h.make_node("Mul", ["sub", "x"], ["mul"], name="mul"),
        h.make_node("Div", ["mul", "x"], ["div"], name="div"),
        h.make_node("Pow", ["div", "two"], ["pow"], name="pow"),
        h.make_node("Equal", ["pow", "x"], ["eq"], name="eq"),
        h.make_node("Where", ["eq", "pow", "x"], ["where"], name="where"),
        h.make_node("Clip", ["where", "lo", "hi"], ["clip"], name="clip"),
        h.make_node("Cast", ["clip"], ["y"], name="cast", to=T.FLOAT16),
    ]
    return make(nodes, [vi("x", shape=[2, 3])], [vi("y", T.FLOAT16, [2, 3])],
                [f32("two", 2.0), f32("lo", 0.0), f32("hi", 6.0)], opset=14)


@model
def gelu20():
    return make([h.make_node("Gelu", ["x"], ["y"], name="gelu", approximate="tanh")],
                [vi("x", shape=[4])], [vi("y", shape=[4])], opset=20)


@model
def gelu_contrib():
    return make([h.make_node("Gelu", ["x"], ["y"], name="gelu", domain="com.microsoft")],
                [vi("x", shape=[4])], [vi("y", shape=[4])], opset=17,
                extra_opsets=[("com.microsoft", 1)])


@model
def clip11():
    return make([h.make_node("Clip", ["x", "", "hi"], ["y"], name="clip")],
                [vi("x", shape=[4])], [vi("y", shape=[4])], [f32("hi", 6.0)], opset=11)


def cast_model(opset, to, saturate=None):
    attrs = {"to": to}
    if saturate is not None:
        attrs["saturate"] = saturate
    return make([h.make_node("Cast", ["x"], ["y"], name="cast", **attrs)],
                [vi("x", shape=[4])], [vi("y", to, [4])], opset=opset)


@model
def cast13():
    return cast_model(13, T.INT8)


@model
def cast19_nosat():
    return cast_model(19, T.FLOAT8E4M3FN, saturate=0)


@model
def cast21_sat():
    return cast_model(21, T.FLOAT8E5M2, saturate=1)


@model
def cast21_int4():
    return cast_model(21, T.INT4)


# --- Convolution, normalization, pooling, linear algebra ---------------------

@model
def nn():
    rng = np.random.default_rng(0)
    inits = [nh.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w"),
             f32("b", np.zeros(4)),
             nh.from_array(rng.standard_normal((4, 2, 2, 2)).astype(np.float32), "wt"),
             f32("scale", np.ones(4)), f32("bias", np.zeros(4)), f32("mean", np.zeros(4)),
             f32("var", np.ones(4)), f32("gw", np.ones((2, 5))), f32("gc", np.zeros(5)),
             f32("ln_s", np.ones(5)), f32("ln_b", np.zeros(5))]
    nodes = [
        h.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1],
                    strides=[1, 1], dilations=[1, 1], group=1, kernel_shape=[3, 3]),
        h.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["bn"],
                    name="bn", epsilon=1e-3),
        h.make_node("ConvTranspose", ["bn", "wt"], ["ct"], name="ct", strides=[2, 2],
                    output_padding=[1, 1]),
        h.make_node("MaxPool", ["ct"], ["mp", "mpi"], name="mp", kernel_shape=[2, 2],
                    strides=[2, 2], ceil_mode=1),
        h.make_node("AveragePool", ["mp"], ["ap"], name="ap", kernel_shape=[3, 3],
                    auto_pad="SAME_UPPER", count_include_pad=1),
        h.make_node("GlobalAveragePool", ["ap"], ["gap"], name="gap"),
        h.make_node("Flatten", ["gap"], ["flat"], name="flat"),
        h.make_node("Gemm", ["flat", "gw", "gc"], ["gemm"], name="gemm", alpha=0.5, transB=0),
        h.make_node("MatMul", ["gemm", "mm"], ["mmo"], name="mm"),
        h.make_node("LayerNormalization", ["mmo", "ln_s", "ln_b"], ["ln", "ln_mean"], name="ln",
                    axis=-1, epsilon=1e-6),
        h.make_node("Softmax", ["ln"], ["y"], name="softmax", axis=1),
    ]
    inits.append(f32("mm", np.eye(5)))
    return make(nodes, [vi("x", shape=[1, 3, 8, 8])], [vi("y", shape=[1, 5]),
                vi("mpi", T.INT64, None)], inits, opset=17)


@model
def rmsnorm():
    nodes = [h.make_node("SimplifiedLayerNormalization", ["x", "s"], ["a"], name="rms_ms",
                         domain="com.microsoft", axis=-1, epsilon=1e-6),
             h.make_node("SimplifiedLayerNormalization", ["a", "s"], ["y"], name="rms_onnx",
                         axis=-1, epsilon=1e-5)]
    return make(nodes, [vi("x", shape=[2, 8])], [vi("y", shape=[2, 8])],
                [f32("s", np.ones(8))], opset=17, extra_opsets=[("com.microsoft", 1)])


@model
def quant_ops():
    u8, i8 = np.uint8, np.int8
    inits = [f32("xs", 0.1), nh.from_array(np.array(128, u8), "xz"),
             nh.from_array(np.ones((2, 3, 1, 1), i8), "w"), f32("ws", [0.5, 0.25]),
             nh.from_array(np.zeros(2, i8), "wz"), f32("ys", 0.2),
             nh.from_array(np.array(0, u8), "yz"),
             nh.from_array(np.ones((3, 2), u8), "b8"), nh.from_array(np.array(3, u8), "bz")]
    nodes = [
        h.make_node("DynamicQuantizeLinear", ["x"], ["q", "qs", "qz"], name="dql"),
        h.make_node("QLinearConv", ["q", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["qc"],
                    name="qconv"),
        h.make_node("ConvInteger", ["q", "w", "qz"], ["ci"], name="convint"),
        h.make_node("MatMulInteger", ["m", "b8", "mz", "bz"], ["mi"], name="mmint"),
        h.make_node("QLinearMatMul", ["m", "xs", "mz", "b8", "ys", "bz", "xs", "xz"], ["qm"],
                    name="qmm"),
    ]
    return make(nodes, [vi("x", shape=[1, 3, 4, 4]), vi("m", T.UINT8, [2, 3]),
                        vi("mz", T.UINT8, [])],
                [vi("qc", T.UINT8, None), vi("ci", T.INT32, None), vi("mi", T.INT32, None),
                 vi("qm", T.UINT8, None), vi("qs", T.FLOAT, [])], inits, opset=13)


# --- Shape and data movement --------------------------------------------------

@model
def shape_ops():
    nodes = [
        h.make_node("Shape", ["x"], ["s"], name="shape", start=1, end=3),
        h.make_node("Transpose", ["x"], ["t"], name="transpose", perm=[0, 2, 1]),
        h.make_node("Transpose", ["t"], ["t2"], name="transpose_default"),
        h.make_node("Concat", ["t2", "t2"], ["cat"], name="concat", axis=-1),
        h.make_node("Gather", ["cat", "idx"], ["gat"], name="gather", axis=1),
        h.make_node("Slice", ["gat", "st", "en", "ax", "sp"], ["sl"], name="slice"),
        h.make_node("Expand", ["sl", "eshape"], ["ex"], name="expand"),
        h.make_node("Range", ["r0", "r1", "r2"], ["rng"], name="range"),
        h.make_node("ConstantOfShape", ["s"], ["cos"], name="cos",
                    value=h.make_tensor("v", T.INT32, [1], [7])),
        h.make_node("Trilu", ["x", "k"], ["tri"], name="trilu", upper=0),
        h.make_node("Identity", ["tri"], ["y"], name="identity"),
    ]
    inits = [i64("idx", [0, 2]), i64("st", [0]), i64("en", [1]), i64("ax", [1]), i64("sp", [1]),
             i64("eshape", [3, 2, 4]), f32("r0", 0), f32("r1", 5), f32("r2", 1), i64("k", 1)]
    return make(nodes, [vi("x", shape=[2, 3, 4])],
                [vi("y", shape=[2, 3, 4]), vi("ex"), vi("rng"), vi("cos", T.INT32)],
                inits, opset=15)


@model
def fold_shape_chain():
    nodes = [
        h.make_node("Relu", ["x"], ["r"], name="relu"),
        h.make_node("Shape", ["r"], ["s"], name="shape"),
        h.make_node("Gather", ["s", "zero"], ["batch"], name="gather", axis=0),
        h.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"], name="unsqueeze"),
        h.make_node("Concat", ["batch1", "minus1"], ["newshape"], name="concat", axis=0),
        h.make_node("Reshape", ["r", "newshape"], ["y"], name="reshape"),
    ]
    # Opset 18 keeps ONNX 1.12's shape inference out: the static result
    # shape must come from folding and nb's own inference.
    return make(nodes, [vi("x", shape=[2, 3, 4])], [vi("y")],
                [i64("zero", 0), i64("axes0", [0]), i64("minus1", [-1])], opset=18)


@model
def locations():
    nodes = [h.make_node("Relu", ["x"], ["a"], name="first_relu"),
             h.make_node("Neg", ["a"], ["y"])]
    return make(nodes, [vi("x", shape=[3])], [vi("y", shape=[3])])


@model
def output_names():
    # An alias (Identity), a node expanded into several ops (Softmax-11 on a
    # non-last axis), a multi-output node and an unnamed node.
    nodes = [h.make_node("Relu", ["x"], ["r"], name="relu"),
             h.make_node("Identity", ["r"], ["r_alias"], name="alias"),
             h.make_node("Softmax", ["r_alias"], ["sm"], name="softmax", axis=1),
             h.make_node("Split", ["sm"], ["a", "b"], name="split", axis=2, split=[1, 3]),
             h.make_node("Neg", ["b"], ["y"])]
    return make(nodes, [vi("x", shape=[2, 3, 4])], [vi("a"), vi("y")], opset=11)


# --- Opset normalization ---------------------------------------------------------

@model
def squeeze11():
    return make([h.make_node("Squeeze", ["x"], ["s"], name="squeeze", axes=[0]),
                 h.make_node("Unsqueeze", ["s"], ["y"], name="unsqueeze", axes=[1])],
                [vi("x", shape=[1, 3])], [vi("y", shape=[3, 1])], opset=11)


@model
def squeeze13():
    return make([h.make_node("Squeeze", ["x", "a0"], ["s"], name="squeeze"),
                 h.make_node("Unsqueeze", ["s", "a1"], ["y"], name="unsqueeze")],
                [vi("x", shape=[1, 3])], [vi("y", shape=[3, 1])],
                [i64("a0", [0]), i64("a1", [1])], opset=13)


def softmax_model(opset, axis):
    return make([h.make_node("Softmax", ["x"], ["y"], name="softmax", axis=axis)],
                [vi("x", shape=[2, 3, 4])], [vi("y", shape=[2, 3, 4])], opset=opset)


@model
def softmax11_axis1():
    return softmax_model(11, 1)


@model
def softmax11_last():
    return softmax_model(11, 2)


@model
def softmax13_axis1():
    return softmax_model(13, 1)


def split_model(opset, **attrs):
    inputs = ["x"] + (["sizes"] if opset >= 13 and "split" not in attrs and
                      "num_outputs" not in attrs else [])
    inits = [i64("sizes", [1, 3])] if len(inputs) == 2 else []
    return make([h.make_node("Split", inputs, ["a", "b"], name="split", axis=1, **attrs)],
                [vi("x", shape=[2, 4])], [vi("a"), vi("b")], inits, opset=opset)


@model
def split11():
    return split_model(11, split=[1, 3])


@model
def split13():
    return split_model(13)


@model
def split18():
    return split_model(18, num_outputs=2)


@model
def reducemean13():
    return make([h.make_node("ReduceMean", ["x"], ["y"], name="rm", axes=[1], keepdims=0)],
                [vi("x", shape=[2, 3])], [vi("y", shape=[2])], opset=13)


@model
def reducemean18():
    return make([h.make_node("ReduceMean", ["x", "axes"], ["y"], name="rm", keepdims=1,
                             noop_with_empty_axes=1)],
                [vi("x", shape=[2, 3])], [vi("y", shape=[2, 1])], [i64("axes", [1])],
                opset=18)


@model
def pad11():
    return make([h.make_node("Pad", ["x", "pads", "cv"], ["y"], name="pad", mode="constant")],
                [vi("x", shape=[2, 3])], [vi("y", shape=[4, 5])],
                [i64("pads", [1, 1, 1, 1]), f32("cv", 0.5)], opset=11)


@model
def pad18():
    return make([h.make_node("Pad", ["x", "pads", "", "axes"], ["y"], name="pad", mode="reflect")],
                [vi("x", shape=[2, 3])], [vi("y", shape=[2, 5])],
                [i64("pads", [1, 1]), i64("axes", [1])], opset=18)


@model
def resize11():
    return make([h.make_node("Resize", ["x", "roi", "scales"], ["y"], name="resize",
                             mode="nearest", coordinate_transformation_mode="asymmetric",
                             nearest_mode="floor")],
                [vi("x", shape=[1, 1, 2, 2])], [vi("y", shape=[1, 1, 4, 4])],
                [f32("roi", np.zeros(0)), f32("scales", [1, 1, 2, 2])], opset=11)


@model
def resize13():
    return make([h.make_node("Resize", ["x", "", "", "sizes"], ["y"], name="resize",
                             mode="linear")],
                [vi("x", shape=[1, 1, 2, 2])], [vi("y", shape=[1, 1, 3, 3])],
                [i64("sizes", [1, 1, 3, 3])], opset=13)


@model
def resize19():
    return make([h.make_node("Resize", ["x", "", "scales"], ["y"], name="resize",
                             mode="cubic", coordinate_transformation_mode="half_pixel_symmetric",
                             antialias=1, axes=[2, 3], keep_aspect_ratio_policy="stretch")],
                [vi("x", shape=[1, 1, 2, 2])], [vi("y", shape=[1, 1, 4, 4])],
                [f32("scales", [2, 2])], opset=19)


@model
def slice13():
    return make([h.make_node("Slice", ["x", "st", "en"], ["y"], name="slice")],
                [vi("x", shape=[4, 4])], [vi("y", shape=[2, 4])],
                [i64("st", [1]), i64("en", [3])], opset=13)


def qdq_model(opset, zp_dtype, scale_shape, q_attrs=None, dq_attrs=None, zp_shape=None):
    zp_shape = scale_shape if zp_shape is None else zp_shape
    scale = np.full(scale_shape, 0.05, np.float32)
    if scale.size > 1:
        scale = (np.arange(scale.size, dtype=np.float32) + 1).reshape(scale_shape) / 64
    inits = [nh.from_array(scale, "s"),
             h.make_tensor("z", zp_dtype, zp_shape, np.full(int(np.prod(zp_shape)), 3).tolist())]
    nodes = [h.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q", **(q_attrs or {})),
             h.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq", **(dq_attrs or {}))]
    return make(nodes, [vi("x", shape=[4, 6])], [vi("y", shape=[4, 6])], inits, opset=opset)


@model
def quantize13_per_axis():
    return qdq_model(13, T.INT8, [6], {"axis": 1}, {"axis": 1})


@model
def quantize19_fp8():
    return qdq_model(19, T.FLOAT8E4M3FN, [], {"saturate": 0})


@model
def quantize21_blocked():
    return qdq_model(21, T.INT4, [4, 2], {"axis": 1, "block_size": 3},
                     {"axis": 1, "block_size": 3})


@model
def quantize21_output_dtype():
    nodes = [h.make_node("QuantizeLinear", ["x", "s"], ["y"], name="q", output_dtype=T.UINT16)]
    return make(nodes, [vi("x", shape=[4])], [vi("y", T.UINT16, [4])], [f32("s", 0.5)], opset=21)


# --- Constants and tensor data ----------------------------------------------------

@model
def constants():
    sparse = h.make_sparse_tensor(h.make_tensor("vals", T.FLOAT, [2], [1.5, 2.5]),
                                  h.make_tensor("idx", T.INT64, [2], [1, 4]), [2, 3])
    outputs, nodes = [], []
    for i, (attr, value, elem) in enumerate([
            ("value", h.make_tensor("t", T.FLOAT, [2], [1.0, 2.0]), T.FLOAT),
            ("value_float", 0.25, T.FLOAT), ("value_floats", [1.0, 2.0, 3.0], T.FLOAT),
            ("value_int", 7, T.INT64), ("value_ints", [4, 5], T.INT64),
            ("sparse_value", sparse, T.FLOAT)]):
        outputs.append(vi(f"c{i}", elem))
        nodes.append(h.make_node("Constant", [], [f"c{i}"], name=attr, **{attr: value}))
    return make(nodes, [], outputs, opset=13)


@model
def dtypes():
    # Every supported dtype, in every data field form that can hold it.
    inits = [
        nh.from_array(np.array([1.5, -2], np.float32), "f32_raw"),
        h.make_tensor("f32_field", T.FLOAT, [2], [1.5, -2]),
        h.make_tensor("f16_field", T.FLOAT16, [2], [1.5, -2]),
        nh.from_array(np.array([1.5, -2], np.float16), "f16_raw"),
        h.make_tensor("bf16_field", T.BFLOAT16, [2], [1.5, -2]),
        h.make_tensor("f64_field", T.DOUBLE, [2], [1.5, -2]),
        nh.from_array(np.array([1.5, -2], np.float64), "f64_raw"),
        h.make_tensor("i8_field", T.INT8, [2], [-3, 4]),
        nh.from_array(np.array([250, 4], np.uint8), "u8_raw"),
        h.make_tensor("u8_field", T.UINT8, [2], [250, 4]),
        h.make_tensor("i16_field", T.INT16, [2], [-300, 4]),
        h.make_tensor("u16_field", T.UINT16, [2], [60000, 4]),
        h.make_tensor("i32_field", T.INT32, [2], [-70000, 4]),
        h.make_tensor("u32_field", T.UINT32, [2], [4000000000, 4]),
        h.make_tensor("i64_field", T.INT64, [2], [-5000000000, 4]),
        h.make_tensor("u64_field", T.UINT64, [2], [10000000000000000000, 4]),
        h.make_tensor("bool_field", T.BOOL, [3], [True, False, True]),
        nh.from_array(np.array([True, False, True]), "bool_raw"),
        h.make_tensor("e4m3fn", T.FLOAT8E4M3FN, [2], [1.0, -2.0]),
        h.make_tensor("e4m3fnuz", T.FLOAT8E4M3FNUZ, [2], [1.0, -2.0]),
        h.make_tensor("e5m2", T.FLOAT8E5M2, [2], [1.0, -2.0]),
        h.make_tensor("e5m2fnuz", T.FLOAT8E5M2FNUZ, [2], [1.0, -2.0]),
        h.make_tensor("i4_field", T.INT4, [3], [-8, 7, -1]),
        h.make_tensor("u4_raw", T.UINT4, [3], bytes([0x21, 0x0F]), raw=True),
        nh.from_array(np.array([np.nan, np.inf, -np.inf], np.float32), "nan_weights"),
        nh.from_array(np.arange(100, dtype=np.float32), "big_raw"),
        h.make_tensor("big_field", T.FLOAT, [100], np.arange(100, dtype=np.float32).tolist()),
    ]
    outputs = [vi(t.name, t.data_type, list(t.dims)) for t in inits]
    nodes = [h.make_node("Identity", [t.name], [t.name + "_out"]) for t in inits]
    for o in outputs:
        o.name += "_out"
    return make(nodes, [], outputs, inits, opset=21, ir=10)


# --- Errors -------------------------------------------------------------------------

def relu_model(**kwargs):
    return make([h.make_node("Relu", ["x"], ["y"], name="relu")],
                [vi("x", shape=[2])], [vi("y", shape=[2])], **kwargs)


@model
def relu_ok():
    return relu_model()


@model
def opset9():
    return relu_model(opset=9)


@model
def opset29():
    return relu_model(opset=29)


@model
def cycle():
    return make([h.make_node("Add", ["x", "b"], ["a"], name="add_a"),
                 h.make_node("Relu", ["a"], ["b"], name="relu_b")],
                [vi("x", shape=[2])], [vi("b", shape=[2])])


@model
def undefined_input():
    return make([h.make_node("Add", ["x", "nowhere"], ["y"], name="add")],
                [vi("x", shape=[2])], [vi("y", shape=[2])])


@model
def duplicate_output():
    return make([h.make_node("Relu", ["x"], ["y"], name="relu1"),
                 h.make_node("Neg", ["x"], ["y"], name="neg1")],
                [vi("x", shape=[2])], [vi("y", shape=[2])])


@model
def wrong_attr_type():
    return make([h.make_node("LeakyRelu", ["x"], ["y"], name="lrelu", alpha="big")],
                [vi("x", shape=[2])], [vi("y", shape=[2])])


@model
def bad_initializer_size():
    # onnx.helper refuses to build it; assemble the proto by hand.
    bad = onnx.TensorProto(name="w", data_type=T.FLOAT, dims=[2, 3],
                           raw_data=np.zeros(5, np.float32).tobytes())
    return make([h.make_node("Add", ["x", "w"], ["y"], name="add")],
                [vi("x", shape=[2, 3])], [vi("y", shape=[2, 3])], [bad])


@model
def bad_field_count():
    bad = onnx.TensorProto(name="w", data_type=T.INT64, dims=[4], int64_data=[1, 2, 3])
    return make([h.make_node("Add", ["x", "w"], ["y"], name="add")],
                [vi("x", T.INT64, [4])], [vi("y", T.INT64, [4])], [bad])


@model
def unsupported_op():
    return make([h.make_node("Relu", ["x"], ["r"], name="relu"),
                 h.make_node("TopK", ["r", "k"], ["v", "i"], name="topk", axis=0, largest=1)],
                [vi("x", shape=[4])], [vi("v", shape=[2]), vi("i", T.INT64, [2])],
                [i64("k", [2])])


@model
def io_names():
    # IR 3 lists the initializer `w` among the inputs: it stays a weight. The
    # second output is a graph input returned as is.
    return make([h.make_node("Add", ["input:0", "w"], ["logits/out"], name="add")],
                [vi("input:0", shape=[2]), vi("w", shape=[2])],
                [vi("logits/out", shape=[2]), vi("input:0", shape=[2])],
                [f32("w", [1, 2])], ir=3)


@model
def training_batchnorm():
    inits = [f32(n, np.ones(2)) for n in ("s", "b", "m", "v")]
    return make([h.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"],
                             name="bn", training_mode=1)],
                [vi("x", shape=[1, 2, 2])], [vi("y", shape=[1, 2, 2])], inits, opset=15)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODELS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(sorted(MODELS))}}} OUTPUT.onnx")
    onnx.save_model(MODELS[sys.argv[1]](), sys.argv[2])


if __name__ == "__main__":
    main()
