# REQUIRES: nibble-opt
# RUN: %python %s nibble-opt | FileCheck %s
#
# Quantized Conv, MatMul and Gemm (q/dq form fused by nb-fuse-quantized-ops,
# lowered by convert-nb-to-linalg) run on the CPU against a numpy reference
# with ONNX QLinearConv/QLinearMatMul semantics: x quantized as
# saturate(round_half_even(x / x_scale) + x_zp), int32 accumulation of
# (x - x_zp) * (w - w_zp) plus the int32 bias, then
# saturate(round_half_even(acc * double(f32(f32(x_scale * w_scale) / y_scale)))
# + y_zp).
# Tolerances: requantize=float is bit-exact; requantize=fixed-point within
# 1 LSB (the count of differing elements is printed); the unfused q/dq form
# (float conv between dq and q) within 1 LSB of the fused one.
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import nb_function_runner as runner  # noqa: E402

import numpy as np  # noqa: E402

NIBBLE_OPT = sys.argv[1]
seed = int.from_bytes(os.urandom(4), "little")
print(f"seed {seed}")
rng = np.random.default_rng(seed)
f32 = np.float32
BASE = list(runner.PIPELINE[1:])


def lit(v):
    return repr(float(f32(v)))


def dense(a, element):
    text = runner._dense(a.astype({"i8": np.int8, "i32": np.int32}[element]))
    return text.split("arith.constant dense<", 1)[1].rsplit("> : ", 1)[0]


def quantize(x, scale, zp, lo, hi):
    return np.clip(np.rint(x / f32(scale)).astype(np.int64) + zp, lo, hi)


def requantize(acc, xs, ws, ys, yz, lo, hi):
    m = (f32(xs) * ws.astype(f32)) / f32(ys)
    return np.clip(np.rint(acc.astype(np.float64) * m.astype(np.float64)) + yz,
                   lo, hi).astype(np.int64)


def run(function, x, out_shape, passes):
    runner.PIPELINE = passes + BASE
    got, = runner.run(function, [x], [("i8", out_shape)], NIBBLE_OPT)
    return got


def check(name, function, x, out_shape, expected, unsigned_out):
    # The fused form must have no quantize_linear left (the chain became
    # one quant-typed op).
    fused = subprocess.run([NIBBLE_OPT, "--nb-fuse-quantized-ops"], input=function,
                           capture_output=True, text=True).stdout
    print(f"{name}: fused {'yes' if fused.count('nb.quantize_linear') == 1 else 'no'}")
    def decode(v):
        return v % 256 if unsigned_out else v
    results = {}
    for mode, passes in [("unfused", ["--convert-nb-to-linalg"]),
                         ("float", ["--nb-fuse-quantized-ops", "--convert-nb-to-linalg"]),
                         ("fixed-point", ["--nb-fuse-quantized-ops",
                                          "--convert-nb-to-linalg=requantize=fixed-point"])]:
        results[mode] = decode(run(function, x, out_shape, passes)).reshape(expected.shape)
    exact = np.array_equal(results["float"], expected)
    fixed = np.abs(results["fixed-point"] - expected)
    unfused = np.abs(results["unfused"] - results["float"])
    ok = exact and fixed.max() <= 1 and unfused.max() <= 1
    print(f"{'PASS' if ok else 'FAIL'} {name}: {expected.size} values; float "
          f"{'bit-exact' if exact else 'DIFFERS'}; fixed-point "
          f"{np.count_nonzero(fixed)} differ (max {fixed.max()}); unfused "
          f"{np.count_nonzero(unfused)} differ (max {unfused.max()})")
    if not exact:
        print(" expected", expected.ravel()[:16], "\n got     ",
              results["float"].ravel()[:16])


# Conv: uint8 activations, per-channel int8 weights, int32 bias, pads and
# strides.
N, C, H, W, F, K = 2, 3, 7, 7, 4, 3
x = rng.standard_normal((N, C, H, W)).astype(f32) * 2
xs, xz = f32(0.031), 117
w = rng.integers(-127, 128, (F, C, K, K))
ws = rng.uniform(0.002, 0.02, F).astype(f32)
bias = rng.integers(-3000, 3000, F)
ys, yz = f32(0.09), 98
OH = (H + 2 - K) // 2 + 1
wtype = f"!quant.uniform<i8:f32:0, {{{', '.join(lit(s) for s in ws)}}}>"
btype = f"!quant.uniform<i32:f32:0, {{{', '.join(lit(f32(xs) * s) for s in ws)}}}>"
xtype = f"!quant.uniform<u8:f32, {lit(xs)}:{xz}>"
ytype = f"!quant.uniform<u8:f32, {lit(ys)}:{yz}>"
conv = f"""
func.func @f(%x: tensor<{N}x{C}x{H}x{W}xf32>) -> tensor<{N}x{F}x{OH}x{OH}xi8> {{
  %xs = nb.constant dense<{lit(xs)}> : tensor<f32>
  %xz = nb.constant dense<{xz}> : tensor<ui8>
  %w = nb.constant dense<{dense(w, 'i8')}> : tensor<{F}x{C}x{K}x{K}xi8>
  %ws = nb.constant dense<[{', '.join(lit(s) for s in ws)}]> : tensor<{F}xf32>
  %wz = nb.constant dense<0> : tensor<{F}xi8>
  %b = nb.constant dense<{dense(bias, 'i32')}> : tensor<{F}xi32>
  %bs = nb.constant dense<[{', '.join(lit(f32(xs) * s) for s in ws)}]> : tensor<{F}xf32>
  %bz = nb.constant dense<0> : tensor<{F}xi32>
  %ys = nb.constant dense<{lit(ys)}> : tensor<f32>
  %yz = nb.constant dense<{yz}> : tensor<ui8>
  %xq = nb.quantize_linear %x, %xs, %xz : (tensor<{N}x{C}x{H}x{W}xf32>, tensor<f32>, tensor<ui8>) -> tensor<{N}x{C}x{H}x{W}x{xtype}>
  %xd = nb.dequantize_linear %xq, %xs, %xz : (tensor<{N}x{C}x{H}x{W}x{xtype}>, tensor<f32>, tensor<ui8>) -> tensor<{N}x{C}x{H}x{W}xf32>
  %wq = quant.scast %w : tensor<{F}x{C}x{K}x{K}xi8> to tensor<{F}x{C}x{K}x{K}x{wtype}>
  %wd = nb.dequantize_linear %wq, %ws, %wz {{axis = 0 : i64}} : (tensor<{F}x{C}x{K}x{K}x{wtype}>, tensor<{F}xf32>, tensor<{F}xi8>) -> tensor<{F}x{C}x{K}x{K}xf32>
  %bq = quant.scast %b : tensor<{F}xi32> to tensor<{F}x{btype}>
  %bd = nb.dequantize_linear %bq, %bs, %bz {{axis = 0 : i64}} : (tensor<{F}x{btype}>, tensor<{F}xf32>, tensor<{F}xi32>) -> tensor<{F}xf32>
  %c = nb.conv %xd, %wd, %bd {{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<{N}x{C}x{H}x{W}xf32>, tensor<{F}x{C}x{K}x{K}xf32>, tensor<{F}xf32>) -> tensor<{N}x{F}x{OH}x{OH}xf32>
  %yq = nb.quantize_linear %c, %ys, %yz : (tensor<{N}x{F}x{OH}x{OH}xf32>, tensor<f32>, tensor<ui8>) -> tensor<{N}x{F}x{OH}x{OH}x{ytype}>
  %y = quant.scast %yq : tensor<{N}x{F}x{OH}x{OH}x{ytype}> to tensor<{N}x{F}x{OH}x{OH}xi8>
  return %y : tensor<{N}x{F}x{OH}x{OH}xi8>
}}
"""
xq = quantize(x, xs, xz, 0, 255)
padded = np.pad(xq - xz, ((0, 0), (0, 0), (1, 1), (1, 1)))
acc = np.zeros((N, F, OH, OH), np.int64)
for i in range(OH):
    for j in range(OH):
        patch = padded[:, :, 2 * i:2 * i + K, 2 * j:2 * j + K]
        acc[:, :, i, j] = np.einsum("nckl,fckl->nf", patch, w)
acc += bias[None, :, None, None]
expected = requantize(acc, xs, ws[None, :, None, None], ys, yz, 0, 255)
check("conv u8 x per-channel i8 w, bias", conv, x, [N, F, OH, OH], expected, True)
# CHECK: conv u8 x per-channel i8 w, bias: fused yes
# CHECK: PASS conv u8 x per-channel i8 w, bias: {{.*}} float bit-exact

# MatMul: int8 activations (zero point -5), per-column int8 weights, int8
# result.
M, Kd, Nn = 5, 16, 6
x = rng.standard_normal((M, Kd)).astype(f32)
xs, xz = f32(0.02), -5
w = rng.integers(-127, 128, (Kd, Nn))
ws = rng.uniform(0.002, 0.02, Nn).astype(f32)
ys, yz = f32(0.05), 3
wtype = f"!quant.uniform<i8:f32:1, {{{', '.join(lit(s) for s in ws)}}}>"
xtype = f"!quant.uniform<i8:f32, {lit(xs)}:{xz}>"
ytype = f"!quant.uniform<i8:f32, {lit(ys)}:{yz}>"
matmul = f"""
func.func @f(%x: tensor<{M}x{Kd}xf32>) -> tensor<{M}x{Nn}xi8> {{
  %xs = nb.constant dense<{lit(xs)}> : tensor<f32>
  %xz = nb.constant dense<{xz}> : tensor<i8>
  %w = nb.constant dense<{dense(w, 'i8')}> : tensor<{Kd}x{Nn}xi8>
  %ws = nb.constant dense<[{', '.join(lit(s) for s in ws)}]> : tensor<{Nn}xf32>
  %wz = nb.constant dense<0> : tensor<{Nn}xi8>
  %ys = nb.constant dense<{lit(ys)}> : tensor<f32>
  %yz = nb.constant dense<{yz}> : tensor<i8>
  %xq = nb.quantize_linear %x, %xs, %xz : (tensor<{M}x{Kd}xf32>, tensor<f32>, tensor<i8>) -> tensor<{M}x{Kd}x{xtype}>
  %xd = nb.dequantize_linear %xq, %xs, %xz : (tensor<{M}x{Kd}x{xtype}>, tensor<f32>, tensor<i8>) -> tensor<{M}x{Kd}xf32>
  %wq = quant.scast %w : tensor<{Kd}x{Nn}xi8> to tensor<{Kd}x{Nn}x{wtype}>
  %wd = nb.dequantize_linear %wq, %ws, %wz {{axis = 1 : i64}} : (tensor<{Kd}x{Nn}x{wtype}>, tensor<{Nn}xf32>, tensor<{Nn}xi8>) -> tensor<{Kd}x{Nn}xf32>
  %m = nb.matmul %xd, %wd : (tensor<{M}x{Kd}xf32>, tensor<{Kd}x{Nn}xf32>) -> tensor<{M}x{Nn}xf32>
  %yq = nb.quantize_linear %m, %ys, %yz : (tensor<{M}x{Nn}xf32>, tensor<f32>, tensor<i8>) -> tensor<{M}x{Nn}x{ytype}>
  %y = quant.scast %yq : tensor<{M}x{Nn}x{ytype}> to tensor<{M}x{Nn}xi8>
  return %y : tensor<{M}x{Nn}xi8>
}}
"""
acc = (quantize(x, xs, xz, -128, 127) - xz) @ w
expected = requantize(acc, xs, ws[None, :], ys, yz, -128, 127)
check("matmul i8 x per-column i8 w", matmul, x, [M, Nn], expected, False)
# CHECK: matmul i8 x per-column i8 w: fused yes
# CHECK: PASS matmul i8 x per-column i8 w: {{.*}} float bit-exact

# Gemm with trans_b and a per-tensor weight, bias, uint8 result.
w = rng.integers(-127, 128, (Nn, Kd))
wsc = f32(0.011)
bias = rng.integers(-2000, 2000, Nn)
xs, xz = f32(0.02), 0
ys, yz = f32(0.04), 128
xtype = f"!quant.uniform<i8:f32, {lit(xs)}>"
wtype = f"!quant.uniform<i8:f32, {lit(wsc)}>"
btype = f"!quant.uniform<i32:f32, {lit(f32(xs) * wsc)}>"
ytype = f"!quant.uniform<u8:f32, {lit(ys)}:{yz}>"
gemm = f"""
func.func @f(%x: tensor<{M}x{Kd}xf32>) -> tensor<{M}x{Nn}xi8> {{
  %xs = nb.constant dense<{lit(xs)}> : tensor<f32>
  %xz = nb.constant dense<0> : tensor<i8>
  %w = nb.constant dense<{dense(w, 'i8')}> : tensor<{Nn}x{Kd}xi8>
  %ws = nb.constant dense<{lit(wsc)}> : tensor<f32>
  %b = nb.constant dense<{dense(bias, 'i32')}> : tensor<{Nn}xi32>
  %bs = nb.constant dense<{lit(f32(xs) * wsc)}> : tensor<f32>
  %ys = nb.constant dense<{lit(ys)}> : tensor<f32>
  %yz = nb.constant dense<{yz}> : tensor<ui8>
  %xq = nb.quantize_linear %x, %xs, %xz : (tensor<{M}x{Kd}xf32>, tensor<f32>, tensor<i8>) -> tensor<{M}x{Kd}x{xtype}>
  %xd = nb.dequantize_linear %xq, %xs, %xz : (tensor<{M}x{Kd}x{xtype}>, tensor<f32>, tensor<i8>) -> tensor<{M}x{Kd}xf32>
  %wq = quant.scast %w : tensor<{Nn}x{Kd}xi8> to tensor<{Nn}x{Kd}x{wtype}>
  %wd = nb.dequantize_linear %wq, %ws : (tensor<{Nn}x{Kd}x{wtype}>, tensor<f32>) -> tensor<{Nn}x{Kd}xf32>
  %bq = quant.scast %b : tensor<{Nn}xi32> to tensor<{Nn}x{btype}>
  %bd = nb.dequantize_linear %bq, %bs : (tensor<{Nn}x{btype}>, tensor<f32>) -> tensor<{Nn}xf32>
  %g = nb.gemm %xd, %wd, %bd {{trans_b = true}} : (tensor<{M}x{Kd}xf32>, tensor<{Nn}x{Kd}xf32>, tensor<{Nn}xf32>) -> tensor<{M}x{Nn}xf32>
  %yq = nb.quantize_linear %g, %ys, %yz : (tensor<{M}x{Nn}xf32>, tensor<f32>, tensor<ui8>) -> tensor<{M}x{Nn}x{ytype}>
  %y = quant.scast %yq : tensor<{M}x{Nn}x{ytype}> to tensor<{M}x{Nn}xi8>
  return %y : tensor<{M}x{Nn}xi8>
}}
"""
acc = quantize(x, xs, 0, -128, 127) @ w.T + bias
expected = requantize(acc, xs, np.full(Nn, wsc, f32)[None, :], ys, yz, 0, 255)
check("gemm trans_b per-tensor w, bias, u8 result", gemm, x, [M, Nn], expected, True)
# CHECK: gemm trans_b per-tensor w, bias, u8 result: fused yes
# CHECK: PASS gemm trans_b per-tensor w, bias, u8 result: {{.*}} float bit-exact

# Residual block (PP-OCR's classifier): the conv's input dequantize also
# feeds a float Add, y = q(dq(x) + dq(q(conv(dq(x), w)))). The conv fuses
# (its input dequantize stays for the Add), so both read the same integers.
# Tolerances: the conv result is bit-exact with the QLinearConv reference;
# the Add runs in f32 (dequantize, add, quantize), where float summation
# order may move a tie, so it is within 1 LSB of numpy; unfused within 1 LSB
# of fused.
N, C, H, W, F = 2, 4, 5, 5, 4
x = rng.standard_normal((N, C, H, W)).astype(f32) * 2
xs, xz = f32(0.029), 121
w = rng.integers(-127, 128, (F, C, 1, 1))
ws = rng.uniform(0.002, 0.02, F).astype(f32)
cs, cz = f32(0.07), 130
os_, oz = f32(0.1), 127
wtype = f"!quant.uniform<i8:f32:0, {{{', '.join(lit(s) for s in ws)}}}>"
xtype = f"!quant.uniform<u8:f32, {lit(xs)}:{xz}>"
ctype = f"!quant.uniform<u8:f32, {lit(cs)}:{cz}>"
otype = f"!quant.uniform<u8:f32, {lit(os_)}:{oz}>"
T = f"{N}x{C}x{H}x{W}"
residual = f"""
func.func @f(%x: tensor<{T}xf32>) -> (tensor<{T}xi8>, tensor<{T}xi8>) {{
  %xs = nb.constant dense<{lit(xs)}> : tensor<f32>
  %xz = nb.constant dense<{xz}> : tensor<ui8>
  %w = nb.constant dense<{dense(w, 'i8')}> : tensor<{F}x{C}x1x1xi8>
  %ws = nb.constant dense<[{', '.join(lit(s) for s in ws)}]> : tensor<{F}xf32>
  %wz = nb.constant dense<0> : tensor<{F}xi8>
  %cs = nb.constant dense<{lit(cs)}> : tensor<f32>
  %cz = nb.constant dense<{cz}> : tensor<ui8>
  %os = nb.constant dense<{lit(os_)}> : tensor<f32>
  %oz = nb.constant dense<{oz}> : tensor<ui8>
  %xq = nb.quantize_linear %x, %xs, %xz : (tensor<{T}xf32>, tensor<f32>, tensor<ui8>) -> tensor<{T}x{xtype}>
  %xd = nb.dequantize_linear %xq, %xs, %xz : (tensor<{T}x{xtype}>, tensor<f32>, tensor<ui8>) -> tensor<{T}xf32>
  %wq = quant.scast %w : tensor<{F}x{C}x1x1xi8> to tensor<{F}x{C}x1x1x{wtype}>
  %wd = nb.dequantize_linear %wq, %ws, %wz {{axis = 0 : i64}} : (tensor<{F}x{C}x1x1x{wtype}>, tensor<{F}xf32>, tensor<{F}xi8>) -> tensor<{F}x{C}x1x1xf32>
  %c = nb.conv %xd, %wd : (tensor<{T}xf32>, tensor<{F}x{C}x1x1xf32>) -> tensor<{T}xf32>
  %cq = nb.quantize_linear %c, %cs, %cz : (tensor<{T}xf32>, tensor<f32>, tensor<ui8>) -> tensor<{T}x{ctype}>
  %cd = nb.dequantize_linear %cq, %cs, %cz : (tensor<{T}x{ctype}>, tensor<f32>, tensor<ui8>) -> tensor<{T}xf32>
  %s = nb.add %xd, %cd : (tensor<{T}xf32>, tensor<{T}xf32>) -> tensor<{T}xf32>
  %sq = nb.quantize_linear %s, %os, %oz : (tensor<{T}xf32>, tensor<f32>, tensor<ui8>) -> tensor<{T}x{otype}>
  %ci = quant.scast %cq : tensor<{T}x{ctype}> to tensor<{T}xi8>
  %si = quant.scast %sq : tensor<{T}x{otype}> to tensor<{T}xi8>
  return %ci, %si : tensor<{T}xi8>, tensor<{T}xi8>
}}
"""
fused = subprocess.run([NIBBLE_OPT, "--nb-fuse-quantized-ops"], input=residual,
                       capture_output=True, text=True).stdout
conv_line = next((l for l in fused.splitlines() if "nb.conv" in l), "")
print(f"residual: conv fused {'yes' if 'quant.uniform' in conv_line else 'no'}")
xq = quantize(x, xs, xz, 0, 255)
acc = np.einsum("nchw,fc->nfhw", xq - xz, w[:, :, 0, 0])
conv_ref = requantize(acc, xs, ws[None, :, None, None], ys=cs, yz=cz, lo=0, hi=255)
summed = ((xq - xz).astype(f32) * xs) + ((conv_ref - cz).astype(f32) * cs)
sum_ref = quantize(summed.astype(f32), os_, oz, 0, 255)
got = {}
for mode, passes in [("unfused", ["--convert-nb-to-linalg"]),
                     ("fused", ["--nb-fuse-quantized-ops", "--convert-nb-to-linalg"])]:
    runner.PIPELINE = passes + BASE
    got[mode] = [v % 256 for v in runner.run(residual, [x], [("i8", [N, C, H, W])] * 2,
                                             NIBBLE_OPT)]
conv_exact = np.array_equal(got["fused"][0], conv_ref)
sum_diff = np.abs(got["fused"][1] - sum_ref)
unfused_diff = max(np.abs(got["unfused"][i] - got["fused"][i]).max() for i in range(2))
ok = conv_exact and sum_diff.max() <= 1 and unfused_diff <= 1
print(f"{'PASS' if ok else 'FAIL'} residual: conv "
      f"{'bit-exact' if conv_exact else 'DIFFERS'}; add {np.count_nonzero(sum_diff)} "
      f"of {sum_ref.size} differ (max {sum_diff.max()}); unfused max diff {unfused_diff}")
# CHECK: residual: conv fused yes
# CHECK: PASS residual: conv bit-exact
