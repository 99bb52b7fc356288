# REQUIRES: cc
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s nibble %t | FileCheck %s
#
# int4 (and int2) weights in a compiled model: nb-externalize-weights packs
# them two (four) per byte into weights.bin and the init function unpacks
# them (LLVM keeps one element per byte in memory). An element count that is
# neither even nor a multiple of 4 exercises the last, partly used byte. The
# model runs through the C runtime and is compared with numpy.
import os
import struct
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from compiled_model import run  # noqa: E402

nibble, out = sys.argv[1], sys.argv[2]
seed = int.from_bytes(os.urandom(4), "little")
print(f"seed {seed}")
rng = np.random.default_rng(seed)

K, N = 255, 33  # 8415 elements: odd, and not a multiple of 4
x = rng.standard_normal((2, K)).astype(np.float32)


def dense(a):
    if a.ndim == 1:
        return "[" + ", ".join(repr(v) for v in a.tolist()) + "]"
    return "[" + ", ".join(dense(r) for r in a) + "]"


def check(bits):
    q = rng.integers(-2 ** (bits - 1), 2 ** (bits - 1), (K, N))
    scale = rng.uniform(0.01, 0.1, (N,)).astype(np.float32)
    element = f"i{bits}"
    model = f"""func.func @main(%x: tensor<2x{K}xf32>) -> tensor<2x{N}xf32> {{
  %w = nb.constant dense<{dense(q)}> : tensor<{K}x{N}x{element}>
  %s = nb.constant dense<{dense(scale)}> : tensor<{N}xf32>
  %d = nb.dequantize_linear %w, %s {{axis = 1 : i64}} : (tensor<{K}x{N}x{element}>, tensor<{N}xf32>) -> tensor<{K}x{N}xf32>
  %y = nb.matmul %x, %d : (tensor<2x{K}xf32>, tensor<{K}x{N}xf32>) -> tensor<2x{N}xf32>
  return %y : tensor<2x{N}xf32>
}}
"""
    directory = os.path.join(out, f"model_{element}")
    path = directory + ".mlir"
    with open(path, "w") as f:
        f.write(model)
    subprocess.run([nibble, "compile", path, "--weights-threshold", "64",
                    "-o", directory], check=True, stdout=subprocess.DEVNULL)

    # weights.bin: two payload entries, the packed weight (K*N*bits/8 bytes,
    # rounded up) and the f32 scales, each in a 64-byte aligned slot.
    with open(os.path.join(directory, "weights.bin"), "rb") as f:
        data = f.read()
    magic, _, entries = struct.unpack_from("<8sII", data)
    sizes, cursor = [], 40
    for _ in range(entries):
        _, size, length = struct.unpack_from("<QQI", data, cursor)
        sizes.append(size)
        cursor += 20 + length
    packed = -(-K * N * bits // 8)
    fp32 = K * N * 4
    print(f"{element}: entries {sorted(sizes)} (packed weight {packed}, scales "
          f"{N * 4}), weights.bin {len(data)} bytes, fp32 weight {fp32} bytes")
    assert magic == b"NBWEIGHT", magic
    assert sorted(sizes) == sorted([packed, N * 4]), sizes
    assert len(data) <= fp32 * bits / 32 + N * 4 + 256, len(data)
    print(f"PASS {element} packed {8 // bits} per byte")

    (y,) = run(nibble, directory, [x])
    reference = x.astype(np.float64) @ (q * scale.astype(np.float64))
    error = np.abs(y - reference).max() / np.abs(reference).max()
    print(f"{element}: max relative error {error:.2e}")
    assert error < 1e-5, error
    print(f"PASS {element} model runs from the packed payload")


check(4)
# CHECK: PASS i4 packed 2 per byte
# CHECK: PASS i4 model runs from the packed payload
check(2)
# CHECK: PASS i2 packed 4 per byte
# CHECK: PASS i2 model runs from the packed payload
