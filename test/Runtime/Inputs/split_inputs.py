"""Writes the model-input part of a digits .npz (the `input` array alone)."""
import sys

import numpy as np

np.savez(sys.argv[2], input=np.load(sys.argv[1])["input"])
