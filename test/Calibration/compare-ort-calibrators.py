# Feeds the same samples to ONNX Runtime's calibrators and to
# NibbleCalibration (through the test-only nibble-calib-stats driver) and
# checks that the ranges agree within one histogram bin (float precision for
# min/max). Prints the largest difference per method.
#
# With `--digits MODEL DATA NIBBLE TMP` it compares whole tables instead:
# `nibble calibrate` on a model against ORT's calibrators on the same model
# and samples, per method (test/Tools/nibble/calibrate-ort-methods.test).
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

digits_mode = sys.argv[1] == "--digits"
tmp = sys.argv[-1]
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


class FeedReader(CalibrationDataReader):
    """One feed dictionary, then the end."""

    def __init__(self, feed):
        self.it = iter([feed])

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


def synthetic():
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


def digits(model_path, data_path, nibble):
    """nibble calibrate vs ORT's calibrators on a model, per method. ORT is
    fed one sample per collect_data call, so that its histograms grow the
    way a streamed calibration's do (one merge per sample)."""
    import json
    from onnxruntime.quantization.calibrate import CalibrationMethod, create_calibrator
    data = np.load(data_path)
    model = onnx.load(model_path)
    names = [i.name for i in model.graph.input]
    n = data[names[0]].shape[0]
    # Table keys are tensor names; older tables used node names.
    tensor_of = {}
    for node in model.graph.node:
        for i, out in enumerate(node.output):
            tensor_of.setdefault(node.name, out)
            tensor_of[f"{node.name}:{i}"] = out

    def ort_ranges(method, **options):
        cal = create_calibrator(model_path, augmented_model_path=os.path.join(tmp, "aug.onnx"),
                                calibrate_method=method, extra_options=options)
        with contextlib.redirect_stdout(io.StringIO()):
            for i in range(n):
                cal.collect_data(FeedReader({k: data[k][i:i + 1] for k in names}))
            result = cal.compute_data()
        ranges = {k: (float(np.ravel(r.range_value[0])[0]), float(np.ravel(r.range_value[1])[0]))
                  for k, r in result.data.items()}
        collector = getattr(cal, "collector", None)
        hists = collector.histogram_dict if collector is not None else {}
        return ranges, hists

    def table(method, *flags):
        out = os.path.join(tmp, method.replace("=", "-") + "".join(flags) + ".json")
        subprocess.run([nibble, "calibrate", model_path, "--data", data_path, "--method", method,
                        "--quiet", "-o", out, *flags], check=True, capture_output=True)
        return {tensor_of.get(k, k): (v["min"], v["max"]) for k, v in json.load(open(out))["tensors"].items()}

    def compare(name, ours, ref, hists=None, mse=False):
        common = sorted(set(ours) & set(ref))
        worst, worst_bins, bad = 0.0, 0.0, []
        for k in common:
            r = numpy_mse(hists[k]) if mse else ref[k]
            diff = max(abs(ours[k][0] - r[0]), abs(ours[k][1] - r[1]))
            if hists:
                width = float(hists[k][1][1] - hists[k][1][0])
                tol = width * (1 + 1e-6)
                worst_bins = max(worst_bins, diff / width)
            else:
                tol = 1e-5 * max(abs(r[0]), abs(r[1]), 1e-30)
            worst = max(worst, diff)
            if diff > tol:
                bad.append(f"{k}: nibble {ours[k]} ort {r}")
        unit = f", {worst_bins:.3g} bins" if hists else ""
        print(f"{name}: {len(common)} tensors, max diff {worst:.3g}{unit}")
        if len(common) < len(ref) or bad:
            failures.append(name)
            print("\n".join(bad) or f"{name}: tensors missing: {sorted(set(ref) - set(ours))}")

    ref, _ = ort_ranges(CalibrationMethod.MinMax)
    compare("minmax", table("minmax"), ref)
    ref, _ = ort_ranges(CalibrationMethod.MinMax, symmetric=True)
    compare("minmax-symmetric", table("minmax", "--symmetric"), ref)
    ref, hists = ort_ranges(CalibrationMethod.Percentile, percentile=99.99, symmetric=True)
    # ORT clamps [-e, e] to the observed min/max (a Relu output gets
    # [0, e]); `nibble calibrate --symmetric` makes every table range
    # symmetric after that, so ORT's is made symmetric the same way.
    ref = {k: (-max(abs(lo), abs(hi)), max(abs(lo), abs(hi))) for k, (lo, hi) in ref.items()}
    compare("percentile-symmetric", table("percentile=99.99", "--symmetric"), ref, hists)
    ref, hists = ort_ranges(CalibrationMethod.Percentile, percentile=99.9, symmetric=False)
    compare("percentile-asymmetric", table("percentile=99.9"), ref, hists)
    # ORT's Entropy calibrator defaults to 128 bins; nibble (and ORT's
    # Percentile) use 2048, so ORT is asked for those.
    ref, hists = ort_ranges(CalibrationMethod.Entropy, num_bins=2048, num_quantized_bins=128)
    compare("entropy", table("entropy"), ref, hists)
    # ORT has no MSE calibrator: the numpy reference over ORT's entropy
    # (value) histograms, which are the ones MSE reads.
    compare("mse (numpy over ORT histograms)", table("mse"), ref, hists, mse=True)
    # ORT's fourth method, Distribution, yields a mean and deviation (for
    # float8), not a range: nothing to compare.


if digits_mode:
    digits(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    synthetic()
print("FAILED: " + ", ".join(failures) if failures else "ALL AGREE")
