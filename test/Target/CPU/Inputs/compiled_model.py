"""Runs a model compiled by `nibble compile` through the runtime's C API
(libnibble_runtime.so, via ctypes): float32 inputs and outputs only."""
import ctypes
import os

import numpy as np

NIBBLE_DTYPE_FLOAT32 = 1


class _TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_size_t),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("num_elements", ctypes.c_size_t),
                ("size_bytes", ctypes.c_size_t)]


class _Buffer(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("data", ctypes.c_void_p),
                ("size_bytes", ctypes.c_size_t)]


def _runtime(nibble):
    """libnibble_runtime.so of the build that `nibble` (bin/nibble) is in."""
    lib = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(nibble))),
                       "lib", "libnibble_runtime.so")
    runtime = ctypes.CDLL(lib)
    runtime.nibble_last_error.restype = ctypes.c_char_p
    return runtime


def run(nibble, model_dir, inputs):
    """Loads `model_dir`, runs it on the float32 arrays `inputs` (in the
    model's order) and returns its float32 outputs."""
    runtime = _runtime(nibble)
    model = ctypes.c_void_p()
    status = runtime.nibble_model_load(model_dir.encode(), ctypes.byref(model))
    if status:
        raise RuntimeError(runtime.nibble_last_error().decode())
    try:
        runtime.nibble_model_num_outputs.restype = ctypes.c_size_t
        count = runtime.nibble_model_num_outputs(model)
        arrays = [np.ascontiguousarray(a, dtype=np.float32) for a in inputs]
        in_buffers = (_Buffer * len(arrays))(*[
            _Buffer(NIBBLE_DTYPE_FLOAT32, a.ctypes.data, a.nbytes) for a in arrays])
        outputs = []
        for i in range(count):
            info = _TensorInfo()
            if runtime.nibble_model_output_info(model, ctypes.c_size_t(i),
                                                ctypes.byref(info)):
                raise RuntimeError(runtime.nibble_last_error().decode())
            shape = [info.shape[d] for d in range(info.rank)]
            outputs.append(np.zeros(shape, np.float32))
        out_buffers = (_Buffer * count)(*[
            _Buffer(NIBBLE_DTYPE_FLOAT32, a.ctypes.data, a.nbytes) for a in outputs])
        if runtime.nibble_model_run(model, in_buffers, ctypes.c_size_t(len(arrays)),
                                    out_buffers, ctypes.c_size_t(count)):
            raise RuntimeError(runtime.nibble_last_error().decode())
        return outputs
    finally:
        runtime.nibble_model_free(model)
