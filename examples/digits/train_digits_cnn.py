#!/usr/bin/env python3
"""Trains Nibble's bundled example: a small CNN on scikit-learn's 8x8 digits.

Pure numpy (forward and backward written out, convolutions through im2col),
deterministic (fixed seeds, single-threaded BLAS), and a few seconds on one
core. Writes, next to this script unless --out-dir says otherwise:

  digits_cnn.onnx   the model, opset 17, BatchNormalization kept as its own node
  test_set.npz      held-out split: "input" float32 [N,1,8,8], "labels" int64 [N]
  calib_set.npz     calibration samples from the training split, same keys

The input is the digits' pixel values scaled from 0..16 to 0..1.

  python3 examples/digits/train_digits_cnn.py
"""

import os

# Single-threaded BLAS: the summation order, and so every bit of the trained
# weights, must not depend on how many cores the machine has.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import io
import time
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
SPLIT_SEED = 42
TEST_FRACTION = 0.25
CALIB_SAMPLES = 256
EPOCHS = 30
BATCH = 32
LEARNING_RATE = 3e-3
WEIGHT_DECAY = 1e-4
BN_EPSILON = 1e-5
BN_MOMENTUM = 0.9  # ONNX convention: running = momentum * running + (1 - momentum) * batch
OPSET = 17
IR_VERSION = 8  # the IR version of opset 17's release, readable by ONNX 1.12's C++ library

C1, C2, CLASSES = 8, 16, 10


# ---------------------------------------------------------------- layers ---

def im2col_3x3(x):
    """[N,C,H,W] -> [N*H*W, C*9] for a 3x3 window, stride 1, zero padding 1.

    Column order is (c, ky, kx), matching ONNX's [M, C, kH, kW] weight layout.
    """
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    patches = np.stack([xp[:, :, ky:ky + h, kx:kx + w]
                        for ky in range(3) for kx in range(3)], axis=2)  # N,C,9,H,W
    return patches.transpose(0, 3, 4, 1, 2).reshape(n * h * w, c * 9)


def col2im_3x3(cols, shape):
    """Adjoint of im2col_3x3: scatters [N*H*W, C*9] back into [N,C,H,W]."""
    n, c, h, w = shape
    patches = cols.reshape(n, h, w, c, 9).transpose(0, 3, 4, 1, 2)
    xp = np.zeros((n, c, h + 2, w + 2), dtype=cols.dtype)
    for k in range(9):
        ky, kx = divmod(k, 3)
        xp[:, :, ky:ky + h, kx:kx + w] += patches[:, :, k]
    return xp[:, :, 1:-1, 1:-1]


def conv_forward(x, weight, bias):
    n, _, h, w = x.shape
    m = weight.shape[0]
    cols = im2col_3x3(x)
    out = cols @ weight.reshape(m, -1).T + bias
    return out.reshape(n, h, w, m).transpose(0, 3, 1, 2), cols


def conv_backward(dout, cols, weight, x_shape):
    m = weight.shape[0]
    d = dout.transpose(0, 2, 3, 1).reshape(-1, m)
    dweight = (d.T @ cols).reshape(weight.shape)
    dbias = d.sum(axis=0)
    dx = col2im_3x3(d @ weight.reshape(m, -1), x_shape)
    return dx, dweight, dbias


def batchnorm_train(x, gamma, beta):
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    inv_std = 1.0 / np.sqrt(var + BN_EPSILON)
    xhat = (x - mean) * inv_std
    out = gamma[None, :, None, None] * xhat + beta[None, :, None, None]
    return out, (xhat, inv_std), mean.ravel(), var.ravel()


def batchnorm_backward(dout, cache, gamma):
    xhat, inv_std = cache
    count = dout.shape[0] * dout.shape[2] * dout.shape[3]
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dbeta = dout.sum(axis=(0, 2, 3))
    dxhat = dout * gamma[None, :, None, None]
    dx = (inv_std / count) * (count * dxhat
                              - dxhat.sum(axis=(0, 2, 3), keepdims=True)
                              - xhat * (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True))
    return dx, dgamma, dbeta


def batchnorm_infer(x, gamma, beta, mean, var):
    scale = gamma / np.sqrt(var + BN_EPSILON)
    return x * scale[None, :, None, None] + (beta - mean * scale)[None, :, None, None]


def maxpool2_forward(x):
    n, c, h, w = x.shape
    windows = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    windows = windows.reshape(n, c, h // 2, w // 2, 4)
    arg = windows.argmax(axis=-1)
    return np.take_along_axis(windows, arg[..., None], axis=-1)[..., 0], arg


def maxpool2_backward(dout, arg, x_shape):
    n, c, h, w = x_shape
    dwin = np.zeros((n, c, h // 2, w // 2, 4), dtype=dout.dtype)
    np.put_along_axis(dwin, arg[..., None], dout[..., None], axis=-1)
    dwin = dwin.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    return dwin.reshape(x_shape)


def softmax_cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.log(probs[np.arange(n), labels] + 1e-12).mean()
    dlogits = probs
    dlogits[np.arange(n), labels] -= 1.0
    return loss, dlogits / n


# ----------------------------------------------------------------- model ---

def init_params(rng):
    def he(shape, fan_in):
        return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
    return {
        "conv1.weight": he((C1, 1, 3, 3), 9),
        "conv1.bias": np.zeros(C1),
        "bn1.scale": np.ones(C1),
        "bn1.bias": np.zeros(C1),
        "conv2.weight": he((C2, C1, 3, 3), C1 * 9),
        "conv2.bias": np.zeros(C2),
        "fc.weight": he((CLASSES, C2 * 16), C2 * 16),
        "fc.bias": np.zeros(CLASSES),
    }


def train_step(p, x, labels):
    """One forward/backward pass in training mode; returns loss, grads, batch stats."""
    c1, cols1 = conv_forward(x, p["conv1.weight"], p["conv1.bias"])
    b1, bn_cache, bmean, bvar = batchnorm_train(c1, p["bn1.scale"], p["bn1.bias"])
    r1 = np.maximum(b1, 0.0)
    m1, arg1 = maxpool2_forward(r1)
    c2, cols2 = conv_forward(m1, p["conv2.weight"], p["conv2.bias"])
    r2 = np.maximum(c2, 0.0)
    flat = r2.reshape(r2.shape[0], -1)
    logits = flat @ p["fc.weight"].T + p["fc.bias"]

    loss, dlogits = softmax_cross_entropy(logits, labels)
    g = {"fc.weight": dlogits.T @ flat, "fc.bias": dlogits.sum(axis=0)}
    dr2 = (dlogits @ p["fc.weight"]).reshape(r2.shape) * (c2 > 0)
    dm1, g["conv2.weight"], g["conv2.bias"] = conv_backward(dr2, cols2, p["conv2.weight"], m1.shape)
    dr1 = maxpool2_backward(dm1, arg1, r1.shape) * (b1 > 0)
    dc1, g["bn1.scale"], g["bn1.bias"] = batchnorm_backward(dr1, bn_cache, p["bn1.scale"])
    _, g["conv1.weight"], g["conv1.bias"] = conv_backward(dc1, cols1, p["conv1.weight"], x.shape)
    return loss, g, bmean, bvar


def infer(p, stats, x):
    """Inference-mode forward pass, the computation the ONNX graph describes."""
    c1, _ = conv_forward(x, p["conv1.weight"], p["conv1.bias"])
    b1 = batchnorm_infer(c1, p["bn1.scale"], p["bn1.bias"], stats["bn1.mean"], stats["bn1.var"])
    m1, _ = maxpool2_forward(np.maximum(b1, 0.0))
    c2, _ = conv_forward(m1, p["conv2.weight"], p["conv2.bias"])
    flat = np.maximum(c2, 0.0).reshape(x.shape[0], -1)
    return flat @ p["fc.weight"].T + p["fc.bias"]


def train(x_train, y_train, rng):
    params = init_params(rng)
    stats = {"bn1.mean": np.zeros(C1), "bn1.var": np.ones(C1)}
    adam_m = {k: np.zeros_like(v) for k, v in params.items()}
    adam_v = {k: np.zeros_like(v) for k, v in params.items()}
    beta1, beta2, step = 0.9, 0.999, 0
    n = x_train.shape[0]
    for epoch in range(EPOCHS):
        order = rng.permutation(n)
        lr = LEARNING_RATE * 0.5 * (1.0 + np.cos(np.pi * epoch / EPOCHS))  # cosine decay
        total = 0.0
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            if idx.size < 2:  # batch statistics need more than one sample
                continue
            loss, grads, bmean, bvar = train_step(params, x_train[idx], y_train[idx])
            total += loss * idx.size
            count = idx.size * 64
            stats["bn1.mean"] = BN_MOMENTUM * stats["bn1.mean"] + (1 - BN_MOMENTUM) * bmean
            stats["bn1.var"] = (BN_MOMENTUM * stats["bn1.var"]
                                + (1 - BN_MOMENTUM) * bvar * count / (count - 1))
            step += 1
            for k in params:
                grad = grads[k]
                if k.endswith(".weight"):
                    grad = grad + WEIGHT_DECAY * params[k]
                adam_m[k] = beta1 * adam_m[k] + (1 - beta1) * grad
                adam_v[k] = beta2 * adam_v[k] + (1 - beta2) * grad * grad
                mhat = adam_m[k] / (1 - beta1 ** step)
                vhat = adam_v[k] / (1 - beta2 ** step)
                params[k] = params[k] - lr * mhat / (np.sqrt(vhat) + 1e-8)
        if epoch % 5 == 4 or epoch == EPOCHS - 1:
            print(f"epoch {epoch + 1:2d}  loss {total / n:.4f}")
    return params, stats


# ---------------------------------------------------------------- export ---

def build_onnx(params, stats):
    tensors = {**params, **stats}
    # Deterministic initializer order: the graph's order of use.
    init_names = ["conv1.weight", "conv1.bias", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var",
                  "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"]
    initializers = [numpy_helper.from_array(tensors[k].astype(np.float32), name=k)
                    for k in init_names]
    conv_attrs = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["conv1_out"],
                         name="conv1", **conv_attrs),
        helper.make_node("BatchNormalization",
                         ["conv1_out", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"],
                         ["bn1_out"], name="bn1", epsilon=BN_EPSILON, momentum=BN_MOMENTUM),
        helper.make_node("Relu", ["bn1_out"], ["relu1_out"], name="relu1"),
        helper.make_node("MaxPool", ["relu1_out"], ["pool1_out"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["pool1_out", "conv2.weight", "conv2.bias"], ["conv2_out"],
                         name="conv2", **conv_attrs),
        helper.make_node("Relu", ["conv2_out"], ["relu2_out"], name="relu2"),
        helper.make_node("Flatten", ["relu2_out"], ["flatten_out"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flatten_out", "fc.weight", "fc.bias"], ["logits"],
                         name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "digits_cnn",
        inputs=[helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 8, 8])],
        outputs=[helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", CLASSES])],
        initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="nibble-examples", producer_version="1",
                              ir_version=IR_VERSION)
    model.doc_string = ("Small CNN on scikit-learn's 8x8 digits; input is pixels/16 in [0,1]. "
                        "Made by examples/digits/train_digits_cnn.py.")
    onnx.checker.check_model(model, full_check=True)
    return model


def save_npz(path, **arrays):
    """Like np.savez_compressed, but with fixed zip timestamps so the bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, value in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buf.getvalue())


def ort_logits(model_bytes, x):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    return session.run(["logits"], {"input": x})[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # [N,1,8,8] in [0,1]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_FRACTION, stratify=y, random_state=SPLIT_SEED)
    print(f"digits: {len(x_train)} train, {len(x_test)} test samples")

    rng = np.random.default_rng(SEED)
    params, stats = train(x_train.astype(np.float64), y_train, rng)
    train_seconds = time.perf_counter() - t0

    # Evaluate the numpy model with the float32 weights that go into the ONNX file.
    params32 = {k: v.astype(np.float32) for k, v in params.items()}
    stats32 = {k: v.astype(np.float32) for k, v in stats.items()}
    numpy_logits = infer(params32, stats32, x_test)
    numpy_acc = float((numpy_logits.argmax(axis=1) == y_test).mean())

    model = build_onnx(params, stats)
    model_bytes = model.SerializeToString()
    onnx_logits = ort_logits(model_bytes, x_test)
    onnx_acc = float((onnx_logits.argmax(axis=1) == y_test).mean())
    max_diff = float(np.abs(onnx_logits - numpy_logits).max())

    n_params = sum(t.size for t in params.values()) + sum(t.size for t in stats.values())
    print(f"trained in {train_seconds:.1f} s; {n_params} parameters")
    print(f"numpy model test accuracy:       {numpy_acc:.4f} ({len(y_test)} samples)")
    print(f"onnxruntime model test accuracy: {onnx_acc:.4f}")
    print(f"max |logits difference|: {max_diff:.2e}")
    if onnx_acc != numpy_acc or max_diff > 1e-3:
        raise SystemExit("error: onnxruntime disagrees with the numpy model")
    if onnx_acc < 0.95:
        raise SystemExit(f"error: test accuracy {onnx_acc:.4f} is below 0.95")

    calib_idx = np.sort(np.random.default_rng(SEED + 1).permutation(len(x_train))[:CALIB_SAMPLES])
    (args.out_dir / "digits_cnn.onnx").write_bytes(model_bytes)
    save_npz(args.out_dir / "test_set.npz", input=x_test, labels=y_test)
    save_npz(args.out_dir / "calib_set.npz", input=x_train[calib_idx], labels=y_train[calib_idx])
    print(f"wrote digits_cnn.onnx ({len(model_bytes)} bytes), test_set.npz ({len(y_test)}), "
          f"calib_set.npz ({CALIB_SAMPLES}) to {args.out_dir}")


if __name__ == "__main__":
    main()
