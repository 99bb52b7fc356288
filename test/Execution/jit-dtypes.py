# The JIT binds inputs and outputs of every element type and rank, from
# every input format, and specializes dynamic dimensions per call.
# REQUIRES: numpy, onnx
# RUN: %python %s --nibble nibble | FileCheck %s

import argparse
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import nibble_run  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--nibble", required=True)
args = parser.parse_args()
seed = int.from_bytes(os.urandom(4), "little")
print(f"seed {seed}")
rng = np.random.default_rng(seed)

# (MLIR element type, numpy dtype)
DTYPES = [("f32", np.float32), ("f16", np.float16), ("f64", np.float64),
          ("i8", np.int8), ("i16", np.int16), ("i32", np.int32), ("i64", np.int64),
          ("ui8", np.uint8), ("i1", np.bool_)]


def random_array(shape, dtype):
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -100), min(info.max, 100), size=shape, dtype=dtype)
    return rng.standard_normal(shape).astype(dtype)


def tensor(shape, element):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


with tempfile.TemporaryDirectory() as tmp:
    # Identity functions: the output is a copy the runner owns.
    for element, dtype in DTYPES:
        for shape in [(), (7,), (2, 3, 4, 5)]:
            t = tensor(shape, element)
            model = nibble_run.write_model(tmp, "identity.mlir", f"""
func.func @main(%a: {t}) -> {t} {{
  return %a : {t}
}}""")
            x = random_array(shape, dtype)
            (out,), _ = nibble_run.run(args.nibble, model, {"a": x})
            assert out.dtype == x.dtype and out.shape == x.shape, (element, shape, out.dtype, out.shape)
            assert np.array_equal(out, x), (element, shape)
    # CHECK: identity: all dtypes and ranks match
    print("identity: all dtypes and ranks match")

    # Every input format binds the same arrays.
    model = nibble_run.write_model(tmp, "sub.mlir", """
func.func @main(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nb.sub %a, %b : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}""")
    a, b = random_array((3, 4), np.float32), random_array((3, 4), np.float32)
    for fmt in ["npz", "npz-deflate", "npy", "npy-v2", "pb", "pb-typed", "dataset"]:
        (out,), _ = nibble_run.run(args.nibble, model, {"a": a, "b": b}, fmt=fmt)
        assert np.array_equal(out, a - b), fmt
        print(f"format {fmt}: ok")
    # CHECK: format npz: ok
    # CHECK: format npz-deflate: ok
    # CHECK: format npy: ok
    # CHECK: format npy-v2: ok
    # CHECK: format pb: ok
    # CHECK: format pb-typed: ok
    # CHECK: format dataset: ok

    # Narrow types (ml_dtypes arrays, packed in TensorProtos, 1-byte void in
    # the output .npz): float8 variants, float4, int4/uint4, int2/uint2.
    import ml_dtypes
    NARROW = [("f8E4M3FN", ml_dtypes.float8_e4m3fn), ("f8E5M2", ml_dtypes.float8_e5m2),
              ("f8E4M3FNUZ", ml_dtypes.float8_e4m3fnuz), ("f8E5M2FNUZ", ml_dtypes.float8_e5m2fnuz),
              ("f4E2M1FN", ml_dtypes.float4_e2m1fn), ("i4", ml_dtypes.int4),
              ("ui4", ml_dtypes.uint4), ("i2", ml_dtypes.int2), ("ui2", ml_dtypes.uint2)]
    for element, dtype in NARROW:
        t = tensor((3, 5), element)
        model = nibble_run.write_model(tmp, "identity.mlir", f"""
func.func @main(%a: {t}) -> {t} {{
  return %a : {t}
}}""")
        info = ml_dtypes.finfo(dtype) if "f" in element else ml_dtypes.iinfo(dtype)
        values = rng.uniform(float(info.min), float(info.max), size=(3, 5))
        x = values.astype(dtype)
        (out,), _ = nibble_run.run(args.nibble, model, {"a": x}, fmt="pb")
        out = out.view(dtype)
        assert out.shape == x.shape and np.array_equal(out.astype(np.float32),
                                                       x.astype(np.float32)), element
    # CHECK: narrow types: all match
    print("narrow types: all match")

    # Integer and f64 arithmetic.
    for element, dtype in [("i32", np.int32), ("i64", np.int64), ("f64", np.float64)]:
        t = tensor((5, 16), element)
        model = nibble_run.write_model(tmp, "mul.mlir", f"""
func.func @main(%a: {t}, %b: {t}) -> {t} {{
  %0 = nb.mul %a, %b : ({t}, {t}) -> {t}
  return %0 : {t}
}}""")
        a, b = random_array((5, 16), dtype), random_array((5, 16), dtype)
        (out,), _ = nibble_run.run(args.nibble, model, {"a": a, "b": b})
        assert out.dtype == dtype and np.array_equal(out, a * b), element
    # CHECK: arithmetic: i32 i64 f64 exact
    print("arithmetic: i32 i64 f64 exact")

    # Typed-field TensorProtos of every element type (int32_data holds the
    # 8- and 16-bit integers, bool and the bits of f16).
    for element, dtype in DTYPES:
        t = tensor((2, 3), element)
        model = nibble_run.write_model(tmp, "identity.mlir", f"""
func.func @main(%a: {t}) -> {t} {{
  return %a : {t}
}}""")
        x = random_array((2, 3), dtype)
        (out,), _ = nibble_run.run(args.nibble, model, {"a": x}, fmt="pb-typed")
        assert out.dtype == x.dtype and np.array_equal(out, x), element
    # CHECK: typed TensorProtos: all dtypes match
    print("typed TensorProtos: all dtypes match")

    # Several outputs, and a dynamic batch compiled once per batch size.
    model = nibble_run.write_model(tmp, "dynamic.mlir", """
func.func @main(%a: tensor<?x8xf32>, %b: tensor<8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %0 = nb.add %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %1 = nb.tanh %0 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0, %1 : tensor<?x8xf32>, tensor<?x8xf32>
}""")
    for batch in [1, 3, 64]:
        a, b = random_array((batch, 8), np.float32), random_array((8,), np.float32)
        (s, t), _ = nibble_run.run(args.nibble, model, {"a": a, "b": b})
        assert s.shape == (batch, 8) and np.allclose(s, a + b, rtol=1e-6, atol=0)
        assert nibble_run.max_relative_error(t, np.tanh(a + b)) < 1e-5
        print(f"dynamic batch {batch}: ok")
    # CHECK: dynamic batch 1: ok
    # CHECK: dynamic batch 3: ok
    # CHECK: dynamic batch 64: ok

    # Each target compiles and agrees.
    a, b = random_array((4, 8), np.float32), random_array((8,), np.float32)
    for target in ["generic", "x86-64-v3", "native"]:
        (s, t), proc = nibble_run.run(args.nibble, model, {"a": a, "b": b},
                                      extra=["--target", target])
        assert np.allclose(s, a + b, rtol=1e-6, atol=0), target
        print(f"target {target}: ok")
    # CHECK: target generic: ok
    # CHECK: target x86-64-v3: ok
    # CHECK: target native: ok
