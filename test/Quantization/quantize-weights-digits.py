# REQUIRES: onnx
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s nibble-translate nibble-opt nibble %nibble_src_root/examples/digits %t | FileCheck %s
#
# Weight-only quantization of the bundled digits CNN (conv1 reduces over
# 1*3*3 = 9, conv2 over 8*3*3 = 72, fc over 256): accuracy on the 450
# held-out digits and logit SQNR against fp32 for int8 per channel and int4
# per channel and in groups (8 and 32, conv reductions padded), run through
# the JIT; then the int4 g8 model compiled ahead of time: weights.bin holds
# its weights packed two per byte (conv1's 9 padded to 16 per channel; at
# least 7.5x under fp32's weight bytes) and the runtime's logits match the
# JIT's.
#
# Floors: int8 within 1 point of fp32's accuracy, int4 within 3 points,
# logit SQNR >= 30 dB for int8 and >= 12 dB for int4.
import os
import struct
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Target", "CPU",
                                "Inputs"))
from compiled_model import run as run_compiled  # noqa: E402

translate, opt, nibble, digits, out = sys.argv[1:6]
test_set = np.load(os.path.join(digits, "test_set.npz"))
images, labels = test_set["input"], test_set["labels"]
model = os.path.join(out, "digits.mlir")
subprocess.run([translate, "--import-onnx", os.path.join(digits, "digits_cnn.onnx"),
                "-o", model], check=True)


def run_jit(program):
    outputs = os.path.join(out, "logits.npz")
    subprocess.run([nibble, "run", program, "--inputs",
                    os.path.join(digits, "test_set.npz"), "--outputs", outputs],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return np.load(outputs)["logits"].astype(np.float64)


def quantize(options, name):
    program = os.path.join(out, name)
    subprocess.run([opt, model, f"--nb-quantize-weights={options}",
                    "--emit-bytecode", "-o", program], check=True)
    return program


fp32 = run_jit(model)
fp32_accuracy = np.mean(fp32.argmax(1) == labels) * 100
print(f"fp32: accuracy {fp32_accuracy:.2f}%")
# CHECK: fp32: accuracy {{9[0-9]\.[0-9]+}}%

CONFIGS = [("int8 per-channel", "bits=8 group-size=0", 1, 30),
           ("int4 per-channel", "bits=4 group-size=0", 3, 12),
           ("int4 g8", "bits=4 group-size=8 pad-groups=true", 3, 12),
           ("int4 g32", "bits=4 group-size=32 pad-groups=true", 3, 12)]
programs = {}
for label, options, max_drop, min_sqnr in CONFIGS:
    programs[label] = quantize(options, label.replace(" ", "_") + ".mlirbc")
    logits = run_jit(programs[label])
    accuracy = np.mean(logits.argmax(1) == labels) * 100
    sqnr = 10 * np.log10(np.sum(fp32 ** 2) / np.sum((logits - fp32) ** 2))
    agree = np.sum(logits.argmax(1) == fp32.argmax(1))
    ok = accuracy >= fp32_accuracy - max_drop and sqnr >= min_sqnr
    print(f"{'PASS' if ok else 'FAIL'} {label}: accuracy {accuracy:.2f}%, "
          f"logit SQNR {sqnr:.1f} dB, predictions agree with fp32 {agree}/450")
# CHECK: PASS int8 per-channel: accuracy
# CHECK: PASS int4 per-channel: accuracy
# CHECK: PASS int4 g8: accuracy
# CHECK: PASS int4 g32: accuracy


# Ahead of time: weights.bin sizes with every weight in the payload.
def compile_model(program, name):
    directory = os.path.join(out, name)
    subprocess.run([nibble, "compile", program, "--input-shape", "input=450x1x8x8",
                    "--weights-threshold", "64", "-o", directory],
                   check=True, stdout=subprocess.DEVNULL)
    return directory


def payload_entries(directory):
    """(symbol, bytes) of each weights.bin entry (nibble-c/model_abi.h)."""
    with open(os.path.join(directory, "weights.bin"), "rb") as f:
        data = f.read()
    count = struct.unpack_from("<I", data, 12)[0]
    entries, cursor = [], 40
    for _ in range(count):
        _, size, length = struct.unpack_from("<QQI", data, cursor)
        entries.append((data[cursor + 20:cursor + 20 + length].decode(), size))
        cursor += 20 + length
    return entries, len(data)


fp32_entries, fp32_bytes = payload_entries(compile_model(model, "fp32"))
int4_dir = compile_model(programs["int4 g8"], "int4_g8")
int4_entries, int4_bytes = payload_entries(int4_dir)
# Weights are the entries of rank > 1 (constants are named by their type:
# __constant_16x72xi4); the rest are biases and scales.
fp32_weights = sum(size for name, size in fp32_entries if name.count("x") > 1)
packed = {name: size for name, size in int4_entries if name.endswith("xi4")}
elements = {name: np.prod([int(d) for d in name.split("_")[-1].split("x")[:-1]])
            for name in packed}
scales = sum(size for name, size in int4_entries
                            if not name.endswith("xi4"))
print(f"weights.bin: fp32 {fp32_bytes} bytes (weights {fp32_weights}); int4 g8 "
      f"{int4_bytes} bytes (packed weights {sum(packed.values())}, f32 scales "
      f"and biases {scales})")
ok = (len(packed) == 3 and
      all(packed[n] == (elements[n] + 1) // 2 for n in packed) and
      sum(packed.values()) * 7.5 <= fp32_weights)
print(f"{'PASS' if ok else 'FAIL'} int4 weights packed two per byte in weights.bin "
      f"({fp32_weights / sum(packed.values()):.1f}x smaller than fp32's)")
# CHECK: PASS int4 weights packed two per byte in weights.bin

(compiled,) = run_compiled(nibble, int4_dir, [images])
jit = run_jit(programs["int4 g8"])
difference = np.abs(compiled - jit).max() / np.abs(jit).max()
ok = difference < 1e-5
print(f"{'PASS' if ok else 'FAIL'} int4 g8 through the runtime: max relative "
      f"difference to the JIT {difference:.1e}")
# CHECK: PASS int4 g8 through the runtime
# CHECK-NOT: FAIL
