"""Compares run_digits' logits with ONNX Runtime and `nibble run`.

    compare_logits.py <model.onnx> <test_set.npz> <logits.bin> <nibble_run.npz>

Both references see all samples at once (dynamic batch); the compiled model
ran them in fixed batches. Tolerance: 1e-4 absolute (float32 sums of at most
a few hundred products, reassociated by vectorization).
"""
import sys

import numpy as np
import onnxruntime as ort

model, npz, logits_path, nibble_run_path = sys.argv[1:5]
data = np.load(npz)
images, labels = data["input"], data["labels"]
got = np.fromfile(logits_path, dtype="<f4").reshape(len(images), 10)
session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
feed = {session.get_inputs()[0].name: images}
reference = session.run(None, feed)[0]
jit = next(iter(np.load(nibble_run_path).values()))
for name, ref in (("onnxruntime", reference), ("nibble run", jit)):
    diff = float(np.abs(ref - got).max())
    agree = int((ref.argmax(1) == got.argmax(1)).sum())
    print(f"vs {name}: max |diff| {diff:.3g}, predictions agree {agree}/{len(images)}")
    if diff > 1e-4:
        sys.exit(f"logits differ from {name} by {diff}")
print(f"accuracy {(got.argmax(1) == labels).mean() * 100:.2f}%")
