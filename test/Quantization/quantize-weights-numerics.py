# REQUIRES: onnx
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s nibble-translate nibble-opt nibble %t | FileCheck %s
#
# nb-quantize-weights against a numpy reference that quantizes the same way
# (ONNX Runtime's compute_scale_zp arithmetic: parameters in double, scale
# stored as float, w / scale in float, round half to even, saturation), on a
# random model with a MatMul, a Gemm (trans_b) and a Conv, for int8/int4,
# per channel and groups of 32/128 (pad-groups for the Conv's reduction of
# 288), symmetric and asymmetric, f32 and f16 scales:
#   - the stored integers, scales and zero points equal the reference's
#     (integers bit for bit, scales to the float type's precision);
#   - the outputs of the quantized program run through the JIT (nibble run)
#     equal the reference (x times dequantized weights, in float64) within a
#     normwise relative error of 1e-5 (float32 accumulation);
#   - SQNR against the fp32 model is printed and must clear a floor per
#     width (int8 >= 30 dB, int4 >= 9 dB: a few dB under the lowest these
#     spread-out weights reach over many seeds, int8 33-40 and int4 13-19
#     dB, and far above the few dB of a wrong scale), and groups of 32 must beat per channel for
#     int4 (by 4-5 dB on these weights, whose magnitude varies along the
#     reduction axis).
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

translate, opt, nibble, out = sys.argv[1:5]
seed = int.from_bytes(os.urandom(4), "little")
print(f"seed {seed}")
rng = np.random.default_rng(seed)
f32 = np.float32


def weight(shape, channel_axis, reduction_axis):
    # Channels of different magnitude, so per-channel scales matter, and
    # stretches of the reduction axis of different magnitude (as outlier
    # input features make them in trained weights), so that groups along it
    # beat one scale per channel by a margin no draw closes: with i.i.d.
    # values along the reduction axis the two differ by a fraction of a dB
    # and the comparison below would be a coin toss.
    def along(axis, low, stretch):
        scale_shape = [1] * len(shape)
        scale_shape[axis] = shape[axis]
        levels = np.exp(rng.uniform(low, 1, -(-shape[axis] // stretch)))
        return np.repeat(levels, stretch)[:shape[axis]].reshape(scale_shape)

    # Stretches of 16 along K (MatMul/Gemm); for Conv one level per input
    # channel, i.e. stretches of kh*kw in the flattened reduction.
    spread = along(channel_axis, -2, 1) * along(reduction_axis, -2, 16
                                                if len(shape) == 2 else 1)
    return (rng.standard_normal(shape) * spread).astype(f32)


W1 = weight((256, 48), 1, 0)         # MatMul B [K, N]
W2 = weight((40, 128), 0, 1)         # Gemm B [N, K], trans_b
C2 = rng.standard_normal(40).astype(f32)
W3 = weight((24, 32, 3, 3), 0, 1)    # Conv W [M, C, kh, kw], reduction 288
B3 = rng.standard_normal(24).astype(f32)
inputs = {
    "x1": rng.standard_normal((4, 256)).astype(f32),
    "x2": rng.standard_normal((4, 128)).astype(f32),
    "x3": rng.standard_normal((1, 32, 6, 6)).astype(f32),
}

graph = helper.make_graph(
    [helper.make_node("MatMul", ["x1", "W1"], ["y1"], name="matmul"),
     helper.make_node("Gemm", ["x2", "W2", "C2"], ["y2"], name="gemm", transB=1),
     helper.make_node("Conv", ["x3", "W3", "B3"], ["y3"], name="conv",
                      pads=[1, 1, 1, 1])],
    "weights",
    [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v.shape))
     for k, v in inputs.items()],
    [helper.make_tensor_value_info("y1", TensorProto.FLOAT, [4, 48]),
     helper.make_tensor_value_info("y2", TensorProto.FLOAT, [4, 40]),
     helper.make_tensor_value_info("y3", TensorProto.FLOAT, [1, 24, 6, 6])],
    [numpy_helper.from_array(a, n) for n, a in
     [("W1", W1), ("W2", W2), ("C2", C2), ("W3", W3), ("B3", B3)]])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
onnx.save(model, os.path.join(out, "model.onnx"))
np.savez(os.path.join(out, "inputs.npz"), **inputs)
subprocess.run([translate, "--import-onnx", os.path.join(out, "model.onnx"),
                "-o", os.path.join(out, "model.mlir")], check=True)


# --- numpy reference -------------------------------------------------------

def quantize_rows(w, bits, group, symmetric, half):
    """Quantizes a [channels, reduction] matrix per row (group 0) or per
    group of `group` along the row, the row zero-padded to a multiple.
    Returns q [C, Rp], scales and zero points [C, G], dequantized [C, R]."""
    channels, reduction = w.shape
    size = group or reduction
    padded = -(-reduction // size) * size
    wp = np.zeros((channels, padded), f32)
    wp[:, :reduction] = w
    blocks = wp.reshape(channels, padded // size, size)
    if symmetric:
        qmax = 2 ** (bits - 1) - 1
        qmin = -qmax
    else:
        qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo = np.minimum(blocks.min(axis=2).astype(np.float64), 0.0)
    hi = np.maximum(blocks.max(axis=2).astype(np.float64), 0.0)
    if symmetric:
        m = np.maximum(np.abs(lo), np.abs(hi))
        lo, hi = -m, m
    scale = (hi - lo) / (qmax - qmin)
    tiny = ~(scale >= np.finfo(f32).tiny)
    if symmetric:
        zero = np.zeros_like(scale)
    else:
        zero = np.clip(np.rint(qmin - lo / np.where(tiny, 1.0, scale)), qmin, qmax)
    scale = np.where(tiny, 1.0, scale).astype(f32)
    zero = np.where(tiny, 0, zero).astype(np.int64)
    if half:
        scale = scale.astype(np.float16).astype(f32)
    q = np.clip(np.rint(blocks / scale[:, :, None]) + zero[:, :, None], qmin, qmax)
    q = q.astype(np.int64)
    centered = q - zero[:, :, None]
    if half:
        deq = (centered.astype(np.float16) * scale.astype(np.float16)[:, :, None])
    else:
        deq = centered.astype(f32) * scale[:, :, None]
    deq = deq.astype(f32).reshape(channels, padded)[:, :reduction]
    return q.reshape(channels, padded), scale, zero, deq


def reference(bits, group, symmetric, half):
    """Per weight: (stored integers, scales, zero points) in the layout the
    pass stores them, and the dequantized weight in the op's layout."""
    result = {}
    # MatMul [K, N]: rows are columns of W1; stored [Kp, N], params [G, N].
    q, s, z, d = quantize_rows(W1.T, bits, group, symmetric, half)
    result["W1"] = (q.T, s.T if group else s[:, 0], z.T if group else z[:, 0], d.T)
    # Gemm [N, K] with trans_b: rows are rows; params [N, G].
    q, s, z, d = quantize_rows(W2, bits, group, symmetric, half)
    result["W2"] = (q, s if group else s[:, 0], z if group else z[:, 0], d)
    # Conv: rows are output channels over C*kh*kw; per channel stays 4-D.
    q, s, z, d = quantize_rows(W3.reshape(24, -1), bits, group, symmetric, half)
    stored = q if group else q.reshape(W3.shape)
    result["W3"] = (stored, s if group else s[:, 0], z if group else z[:, 0],
                    d.reshape(W3.shape))
    return result


def run_float(w1, w2, w3):
    """The model in float64 with the given weights."""
    x1, x2, x3 = (inputs[k].astype(np.float64) for k in ("x1", "x2", "x3"))
    y1 = x1 @ w1
    y2 = x2 @ w2.astype(np.float64).T + C2
    xp = np.pad(x3, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack([xp[0, :, i:i + 6, j:j + 6] for i in range(3) for j in range(3)],
                    axis=1)  # [C, 9, 6, 6]
    y3 = np.einsum("mck,ckhw->mhw", w3.reshape(24, 32, 9).astype(np.float64),
                   cols)[None] + B3[None, :, None, None]
    return [y1, y2, y3]


fp32_outputs = run_float(W1, W2, W3)


# --- reading the pass's output ---------------------------------------------

CONSTANT = re.compile(r"^\s*(%\w+) = nb\.constant dense<(.*)> : tensor<([\dx]+)x(\w+)>$")
SCAST = re.compile(r"^\s*(%\w+) = quant\.scast (%\w+)")
DEQUANT = re.compile(r"^\s*%\w+ = nb\.dequantize_linear (%\w+), (%\w+), (%\w+)")


def parse_dense(body, shape, element):
    numbers = re.findall(r"-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?", body.replace("[", " ").replace("]", " "))
    dtype = np.float64 if element.startswith("f") else np.int64
    values = np.array([float(n) for n in numbers], dtype=np.float64).astype(dtype)
    if element == "f16":  # printed to f16 precision: round back exactly
        values = values.astype(np.float16).astype(np.float64)
    return np.broadcast_to(values, shape) if values.size == 1 else values.reshape(shape)


def quantized_weights(text):
    """(stored integers, scales, zero points) of every dequantized weight, in
    program order."""
    constants, casts, found = {}, {}, []
    for line in text.splitlines():
        if m := CONSTANT.match(line):
            shape = [int(d) for d in m.group(3).split("x")]
            constants[m.group(1)] = parse_dense(m.group(2), shape, m.group(4))
        elif m := SCAST.match(line):
            casts[m.group(1)] = m.group(2)
        elif m := DEQUANT.match(line):
            data, scale, zero = m.groups()
            found.append((constants[casts[data]], constants[scale], constants[zero]))
    return found


def sqnr(reference_output, output):
    noise = np.sum((output - reference_output) ** 2)
    return 10 * np.log10(np.sum(reference_output ** 2) / noise)


CONFIGS = [(bits, group, symmetric, "f32")
           for bits in (8, 4) for group in (0, 32, 128) for symmetric in (True, False)]
CONFIGS += [(4, 32, True, "f16"), (8, 0, False, "f16")]
names = ("matmul", "gemm", "conv")
int4_sqnr = {}
failures = 0
for bits, group, symmetric, scale_type in CONFIGS:
    label = (f"int{bits} {'g' + str(group) if group else 'per-channel'} "
             f"{'sym' if symmetric else 'asym'} {scale_type}")
    options = (f"bits={bits} group-size={group} symmetric={str(symmetric).lower()} "
               f"scale-type={scale_type} pad-groups=true")
    source = os.path.join(out, "model.mlir")
    text = subprocess.run(
        [opt, source, f"--nb-quantize-weights={options}",
         "--mlir-print-elementsattrs-with-hex-if-larger=-1"],
        check=True, capture_output=True, text=True).stdout
    # The program runs from bytecode: it keeps the quant types exactly as
    # built (text prints f16 sub-channel scales rounded).
    program = os.path.join(out, "quantized.mlirbc")
    subprocess.run([opt, source, f"--nb-quantize-weights={options}",
                    "--emit-bytecode", "-o", program], check=True)
    outputs = os.path.join(out, "outputs.npz")
    subprocess.run([nibble, "run", program, "--inputs",
                    os.path.join(out, "inputs.npz"), "--outputs", outputs],
                   check=True, stdout=subprocess.DEVNULL)

    ref = reference(bits, group, symmetric, scale_type == "f16")
    found = quantized_weights(text)
    ok = len(found) == 3
    for (name, (q, s, z, _)), got in zip(ref.items(), found):
        gq, gs, gz = got
        if gq.shape != q.shape or not np.array_equal(gq, q):
            bad = -1 if gq.shape != q.shape else int(np.sum(gq != q))
            print(f"  {name}: stored integers differ ({bad} elements, shapes {gq.shape} {q.shape})")
            ok = False
        if gs.shape != s.shape or not np.allclose(gs, s, rtol=1e-6, atol=0):
            print(f"  {name}: scales differ")
            ok = False
        if gz.shape != z.shape or not np.array_equal(gz, z):
            print(f"  {name}: zero points differ")
            ok = False

    got = np.load(outputs)
    expected = run_float(*(ref[k][3] for k in ("W1", "W2", "W3")))
    figures = []
    for i, name in enumerate(names):
        y = got[f"y{i + 1}"].astype(np.float64)
        error = np.linalg.norm(y - expected[i]) / np.linalg.norm(expected[i])
        quality = sqnr(fp32_outputs[i], y)
        floor = 30 if bits == 8 else 9
        figures.append(f"{name} {quality:.1f} dB")
        if error > 1e-5:
            print(f"  {name}: output differs from the reference by {error:.2e}")
            ok = False
        if quality < floor:
            print(f"  {name}: SQNR {quality:.1f} dB below {floor} dB")
            ok = False
        if bits == 4 and symmetric and scale_type == "f32":
            int4_sqnr[(name, group)] = quality
    print(f"{'PASS' if ok else 'FAIL'} {label}: SQNR vs fp32 {', '.join(figures)}")
    failures += not ok

for name in names:
    if not int4_sqnr[(name, 32)] > int4_sqnr[(name, 0)]:
        print(f"FAIL int4 {name}: groups of 32 ({int4_sqnr[(name, 32)]:.1f} dB) do not "
              f"beat per channel ({int4_sqnr[(name, 0)]:.1f} dB)")
        failures += 1
print(f"{len(CONFIGS) - failures if failures <= len(CONFIGS) else 0} of {len(CONFIGS)} configurations pass, {failures} failures")
sys.exit(1 if failures else 0)

# CHECK: PASS int8 per-channel sym f32
# CHECK: PASS int8 per-channel asym f32
# CHECK: PASS int8 g32 sym f32
# CHECK: PASS int8 g32 asym f32
# CHECK: PASS int8 g128 sym f32
# CHECK: PASS int8 g128 asym f32
# CHECK: PASS int4 per-channel sym f32
# CHECK: PASS int4 per-channel asym f32
# CHECK: PASS int4 g32 sym f32
# CHECK: PASS int4 g32 asym f32
# CHECK: PASS int4 g128 sym f32
# CHECK: PASS int4 g128 asym f32
# CHECK: PASS int4 g32 sym f16
# CHECK: PASS int8 per-channel asym f16
# CHECK-NOT: FAIL
# CHECK: 14 of 14 configurations pass, 0 failures
