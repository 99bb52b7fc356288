#!/usr/bin/env python3
"""Builds the models of op-versions.test: one model per changed op family at
the opsets where its version changes (10, 22, 25, 28), and models whose op
versions the importer refuses.

    python3 versioned_models.py NAME OUTPUT.onnx
"""
import sys

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

from onnx_models import f32, i64, make, vi

MODELS = {}


def model(fn):
    MODELS[fn.__name__] = fn
    return fn


# --- Opset 10: the oldest forms the importer normalizes ----------------------

@model
def opset10_quantized():
    """ConvInteger-10 with Slice-10 and Resize-10 (nearest) around it."""
    nodes = [
        h.make_node("Slice", ["x", "starts", "ends", "axes"], ["s"], name="slice"),
        h.make_node("ConvInteger", ["s", "w", "xz"], ["c"], name="convint"),
        h.make_node("Resize", ["c_f", "scales"], ["y"], name="resize"),
        h.make_node("Cast", ["c"], ["c_f"], name="cast", to=T.FLOAT),
    ]
    inits = [i64("starts", [1]), i64("ends", [4]), i64("axes", [3]),
             nh.from_array(np.ones((1, 1, 2, 2), np.uint8), "w"),
             nh.from_array(np.array(3, np.uint8), "xz"),
             f32("scales", [1, 1, 2, 2])]
    return make(nodes, [vi("x", T.UINT8, [1, 1, 3, 4])], [vi("y", shape=[1, 1, 4, 4])],
                inits, opset=10)


@model
def opset10_attributes():
    """Clip-6, Pad-2, Softmax-1, Squeeze-1, Split-2 and ReduceMean-1 attributes."""
    nodes = [
        h.make_node("Clip", ["x"], ["clip"], name="clip", min=-1.0),
        h.make_node("Pad", ["clip"], ["pad"], name="pad", pads=[0, 1, 0, 1], value=0.5),
        h.make_node("Softmax", ["pad"], ["sm"], name="softmax"),
        h.make_node("Split", ["sm"], ["a", "b"], name="split", axis=1, split=[1, 4]),
        h.make_node("ReduceMean", ["b"], ["rm"], name="mean", axes=[1], keepdims=0),
        h.make_node("Squeeze", ["a"], ["y"], name="squeeze", axes=[1]),
    ]
    return make(nodes, [vi("x", shape=[2, 3])], [vi("y", shape=[2]), vi("rm", shape=[2])],
                opset=10)


@model
def opset10_resize_linear():
    return make([h.make_node("Resize", ["x", "scales"], ["y"], name="resize", mode="linear")],
                [vi("x", shape=[1, 1, 2, 2])], [vi("y", shape=[1, 1, 4, 4])],
                [f32("scales", [1, 1, 2, 2])], opset=10)


# --- Opset 22: bfloat16 admitted by Conv, pools and activations --------------

@model
def opset22_bf16():
    nodes = [
        h.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        h.make_node("HardSigmoid", ["c"], ["hs"], name="hsig"),
        h.make_node("MaxPool", ["hs"], ["y"], name="pool", kernel_shape=[2, 2]),
    ]
    return make(nodes, [vi("x", T.BFLOAT16, [1, 1, 3, 3]), vi("w", T.BFLOAT16, [1, 1, 3, 3])],
                [vi("y", T.BFLOAT16, [1, 1, 2, 2])], opset=22)


# --- Opset 25: 2-bit and float4 types through the data-movement ops ----------

@model
def opset25_small_types():
    four = np.array([0.5, 1.0, -2.0, 6.0], dtype=np.float32).astype(ml_dtypes.float4_e2m1fn)
    nodes = [
        h.make_node("Constant", [], ["f4"], name="const",
                    value=nh.from_array(four.reshape(2, 2), "f4")),
        h.make_node("Transpose", ["f4"], ["t"], name="transpose"),
        h.make_node("Flatten", ["t"], ["f"], name="flatten", axis=0),
        h.make_node("Cast", ["x"], ["i2"], name="cast", to=T.INT2),
        h.make_node("Unsqueeze", ["i2", "ax"], ["y"], name="unsqueeze"),
        h.make_node("Reshape", ["x4", "shape"], ["r4"], name="reshape"),
    ]
    return make(nodes, [vi("x", shape=[3]), vi("x4", T.FLOAT4E2M1, [2, 2])],
                [vi("y", T.INT2, [1, 3]), vi("f", T.FLOAT4E2M1, [1, 4]),
                 vi("r4", T.FLOAT4E2M1, [4])],
                [i64("ax", [0]), i64("shape", [4])], opset=25)


# --- Opset 28: new attributes spelled as casts --------------------------------

@model
def opset28_attributes():
    nodes = [
        h.make_node("QuantizeLinear", ["x", "s"], ["q"], name="quant",
                    output_dtype=T.INT8, precision=T.FLOAT16),
        h.make_node("DequantizeLinear", ["q", "s"], ["dq"], name="dequant",
                    output_dtype=T.FLOAT16),
        h.make_node("Range", ["start", "limit", "delta"], ["r"], name="range"),
        h.make_node("Cast", ["x"], ["f6"], name="cast", to=T.FLOAT6E2M3),
    ]
    scalars = [vi(name, T.FLOAT16, []) for name in ("start", "limit", "delta")]
    return make(nodes, [vi("x", shape=[4])] + scalars,
                [vi("dq", T.FLOAT16, [4]), vi("r", T.FLOAT16, [None]),
                 vi("f6", T.FLOAT6E2M3, [4])],
                [f32("s", 0.5)], opset=28)


@model
def quantize_scalar_zero_point():
    """A [1] zero point with a scalar scale, as onnx's own node tests have."""
    zp = nh.from_array(np.array([3], np.int8), "zp")
    return make([h.make_node("QuantizeLinear", ["x", "s", "zp"], ["y"], name="quant")],
                [vi("x", shape=[4])], [vi("y", T.INT8, [4])], [f32("s", 0.5), zp], opset=25)


# --- Refused versions ---------------------------------------------------------

@model
def cast24_e8m0():
    return make([h.make_node("Cast", ["x"], ["y"], name="cast", to=T.FLOAT8E8M0,
                             round_mode="nearest")],
                [vi("x", shape=[4])], [vi("y", T.FLOAT8E8M0, [4])], opset=24)


@model
def range_opset10():
    return make([h.make_node("Range", ["a", "b", "c"], ["y"], name="range")],
                [vi("a", T.INT64, []), vi("b", T.INT64, []), vi("c", T.INT64, [])],
                [vi("y", T.INT64, [None])], opset=10)


@model
def range27_int_stash():
    return make([h.make_node("Range", ["a", "b", "c"], ["y"], name="range",
                             stash_type=T.INT32)],
                [vi("a", T.FLOAT16, []), vi("b", T.FLOAT16, []), vi("c", T.FLOAT16, [])],
                [vi("y", T.FLOAT16, [None])], opset=27)


@model
def quantize23_int_precision():
    return make([h.make_node("QuantizeLinear", ["x", "s"], ["y"], name="quant",
                             precision=T.INT32)],
                [vi("x", shape=[4])], [vi("y", T.UINT8, [4])], [f32("s", 0.5)], opset=23)


@model
def pad2_wrap():
    return make([h.make_node("Pad", ["x"], ["y"], name="pad", pads=[1, 1], mode="wrap")],
                [vi("x", shape=[3])], [vi("y", shape=[5])], opset=10)


@model
def batchnorm9_training():
    inits = [f32(n, np.ones(2)) for n in ("s", "b", "m", "v")]
    return make([h.make_node("BatchNormalization", ["x", "s", "b", "m", "v"],
                             ["y", "rm", "rv"], name="bn")],
                [vi("x", shape=[1, 2, 2])], [vi("y", shape=[1, 2, 2])], inits, opset=10)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODELS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(sorted(MODELS))}}} OUTPUT.onnx")
    onnx.save_model(MODELS[sys.argv[1]](), sys.argv[2])


if __name__ == "__main__":
    main()
