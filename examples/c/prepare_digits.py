#!/usr/bin/env python3
"""Writes digits.bin for run_digits.c from an .npz of the digits example.

    prepare_digits.py examples/digits/test_set.npz digits.bin [--limit N]

Format (little-endian): int32 N, N*64 float32 pixels (0..1), N int32 labels.
"""
import argparse

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("npz")
    parser.add_argument("output")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    data = np.load(args.npz)
    images = data["input"].reshape(len(data["input"]), 64).astype("<f4")
    labels = data["labels"].astype("<i4")
    if args.limit is not None:
        images, labels = images[: args.limit], labels[: args.limit]
    with open(args.output, "wb") as f:
        f.write(np.int32(len(images)).astype("<i4").tobytes())
        f.write(images.tobytes())
        f.write(labels.tobytes())


if __name__ == "__main__":
    main()
