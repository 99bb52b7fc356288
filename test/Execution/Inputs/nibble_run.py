"""Helpers for execution tests: run `nibble run` on a model and read back the
outputs it writes, with numpy inputs written in any of the input formats."""

import os
import subprocess
import tempfile
import zipfile

import numpy as np


def write_inputs(directory, arrays, fmt):
    """Writes `arrays` ({name: ndarray}, ordered) in `fmt`; returns the paths.

    fmt: npz (stored), npz-deflate, npy (one file per array, by position),
    npy-v2 (format 2.0 headers), pb (one raw_data TensorProto per array),
    pb-typed (typed-field TensorProtos), dataset (an ONNX test data set
    folder).
    """
    names = list(arrays)
    if fmt == "npz":
        path = os.path.join(directory, "inputs.npz")
        np.savez(path, **arrays)
        return [path]
    if fmt == "npz-deflate":
        path = os.path.join(directory, "inputs.npz")
        np.savez_compressed(path, **arrays)
        with zipfile.ZipFile(path) as archive:
            assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
        return [path]
    if fmt == "npy-v2":
        paths = []
        for index, name in enumerate(names):
            paths.append(os.path.join(directory, f"arg{index}.npy"))
            with open(paths[-1], "wb") as f:
                np.lib.format.write_array(f, arrays[name], version=(2, 0))
        return paths
    if fmt == "pb-typed":
        # TensorProtos with typed fields (float_data, int32_data...), not raw_data.
        from onnx import helper, numpy_helper
        paths = []
        for index, name in enumerate(names):
            array = arrays[name]
            data_type = helper.np_dtype_to_tensor_dtype(array.dtype)
            tensor = helper.make_tensor(name, data_type, array.shape, array.flatten().tolist())
            paths.append(os.path.join(directory, f"input_{index}.pb"))
            with open(paths[-1], "wb") as f:
                f.write(tensor.SerializeToString())
        return paths
    if fmt == "npy":
        paths = []
        for index, name in enumerate(names):
            # Named by position: the stems match no input name.
            paths.append(os.path.join(directory, f"arg{index}.npy"))
            np.save(paths[-1], arrays[name])
        return paths
    if fmt in ("pb", "dataset"):
        from onnx import numpy_helper
        folder = os.path.join(directory, "test_data_set_0")
        os.makedirs(folder, exist_ok=True)
        paths = []
        for index, name in enumerate(names):
            paths.append(os.path.join(folder, f"input_{index}.pb"))
            tensor = numpy_helper.from_array(arrays[name], name)
            with open(paths[-1], "wb") as f:
                f.write(tensor.SerializeToString())
        return [folder] if fmt == "dataset" else paths
    raise ValueError(fmt)


def run(nibble, model, arrays, fmt="npz", extra=(), check=True):
    """Runs nibble on `model`; returns (outputs as a list, completed process)."""
    with tempfile.TemporaryDirectory() as directory:
        paths = write_inputs(directory, arrays, fmt)
        out = os.path.join(directory, "outputs.npz")
        command = [nibble, "run", model, "--outputs", out, *extra]
        for path in paths:
            command += ["--inputs", path]
        proc = subprocess.run(command, capture_output=True, text=True)
        if proc.returncode != 0:
            if check:
                raise SystemExit(f"nibble run failed ({proc.returncode}):\n{proc.stderr}")
            return None, proc
        with np.load(out) as archive:
            outputs = [archive[key] for key in archive.files]
        return outputs, proc


def write_model(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def max_relative_error(actual, expected):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.maximum(np.abs(expected), 1e-6)
    return float(np.max(np.abs(actual - expected) / scale)) if expected.size else 0.0
