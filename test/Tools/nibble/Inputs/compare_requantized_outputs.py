"""Compares the outputs of one quantized model run with float and with
fixed-point requantization (nibble run --requantize=...).

usage: compare_requantized_outputs.py MODEL.mlir FLOAT.npz FIXED.npz

The model's last quantized op (its result type's scale, read from the
.mlir) sets the output step: fixed point rounds the multiplier to 31 bits
and the product once more, so each dequantized output may differ by at most
one step. Prints the step, how many outputs differ and the largest
difference in steps, then PASS or FAIL.
"""
import re
import sys

import numpy as np

model, float_path, fixed_path = sys.argv[1:4]
with open(model) as f:
    text = f.read()
# Result scale of every quantized conv/matmul/gemm; the last one feeds the
# model's output.
scales = re.findall(
    r"= nb\.(?:conv|matmul|gemm) .*-> tensor<[^>]*!quant\.uniform<[iu]8:f32, ([0-9.eE+-]+)(?::-?[0-9]+)?>>",
    text)
if not scales:
    sys.exit("no quantized conv/matmul/gemm in " + model)
step = float(scales[-1])

with np.load(float_path) as a, np.load(fixed_path) as b:
    assert a.files == b.files, (a.files, b.files)
    ok = True
    for name in a.files:
        x, y = a[name].astype(np.float64), b[name].astype(np.float64)
        steps = np.abs(x - y) / step
        differ = int(np.count_nonzero(steps > 1e-3))
        worst = float(steps.max())
        # One step plus the float rounding of dequantized values.
        good = x.shape == y.shape and worst <= 1 + 1e-3
        ok = ok and good
        print(f"{name}: {x.size} values, output step {step:.6g}, "
              f"{differ} differ, max {worst:.3f} steps")
print("PASS" if ok else "FAIL")
