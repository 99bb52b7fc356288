"""Calibration and test sets for PP-OCR's text direction classifier.

The classifier (ch_ppocr_mobile_v2.0_cls_infer.onnx, shipped in the
rapidocr-onnxruntime wheel, trained by PaddleOCR) tells upright text lines
(class 0) from lines rotated by 180 degrees (class 1). The lines here are
real handwriting: six of scikit-learn's 8x8 digits (2, 3, 4, 5, 7) side by side, scaled 4x
to 32x192, dark ink on light paper padded to the classifier's 48x192, half
of them rotated by 180 degrees. Preprocessing follows RapidOCR's: pixels
scaled to [0, 1], then (x - 0.5) / 0.5, three equal channels.

  python -m nibble_tools.quantization.ppocr_cls_data OUT_DIR [--seed 0]
writes OUT_DIR/calib.npz (x: 64 lines) and OUT_DIR/test.npz (x: 256 lines,
labels), from disjoint digit images.
"""
import argparse
import os

import numpy as np


def make_lines(images, count, rng):
    lines = np.empty((count, 3, 48, 192), np.float32)
    labels = rng.integers(0, 2, count)
    for i in range(count):
        picks = images[rng.choice(len(images), 6, replace=False)]
        row = np.concatenate([np.kron(p, np.ones((4, 4))) for p in picks], 1)
        ink = row / 16.0
        page = np.ones((48, 192))
        page[8:40, :] = 1.0 - ink
        if labels[i]:
            page = page[::-1, ::-1]
        lines[i] = (page - 0.5) / 0.5
    return lines, labels.astype(np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from sklearn.datasets import load_digits

    digits = load_digits()
    # 0, 1 and 8 read the same upside down and 6 and 9 become each other:
    # lines of them have no direction to find.
    keep = np.isin(digits.target, [2, 3, 4, 5, 7])
    images = digits.images[keep]
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(images))
    calib_images, test_images = images[order[:300]], images[order[300:]]
    os.makedirs(args.out, exist_ok=True)
    x, _ = make_lines(calib_images, 64, rng)
    np.savez(os.path.join(args.out, "calib.npz"), x=x)
    x, labels = make_lines(test_images, 256, rng)
    np.savez(os.path.join(args.out, "test.npz"), x=x, labels=labels)
    print(f"seed {args.seed}: 64 calibration and 256 test lines in {args.out}")


if __name__ == "__main__":
    main()
