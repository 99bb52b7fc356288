"""Data, models and numpy references for the nibble calibrate lit tests.

  model OUT.onnx                 x[1,3,4,4] -> Relu -> y; Add(y, 1) -> z
                                 (static batch 1, three observed tensors)
  two-inputs OUT.onnx            a[?,2] + b[?,2] -> s
  samples SEED|fresh N DIR            N samples of x in DIR: x.npy, stored.npz,
                                 deflated.npz (np.savez_compressed), test
                                 data set folders sets/test_data_set_<i>
                                 (unnamed TensorProtos), prints the seed
  check-minmax DATA.npy TABLE    table ranges == numpy min/max of x,
                                 relu(x), relu(x) + 1 (float32 exact)
  per-channel MODEL DATA TABLE   every per_channel entry of TABLE ==
                                 numpy per-channel min/max of the tensor
                                 as ONNX Runtime computes it
  big N DIR                      N samples of x[1,3,64,64] (48 KiB each) in
                                 DIR/big.npz, deflated
"""
import json
import os
import sys

import numpy as np


def save_model(graph, path):
    import onnx
    from onnx import helper
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def model(path, shape=(1, 3, 4, 4)):
    from onnx import TensorProto, helper
    one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu"),
         helper.make_node("Add", ["y", "one"], ["z"], name="add")],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, list(shape))],
        initializer=[one])
    save_model(graph, path)


def two_inputs(path):
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["s"], name="add")], "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["n", 2]) for n in "ab"],
        [helper.make_tensor_value_info("s", TensorProto.FLOAT, ["n", 2])])
    save_model(graph, path)


def samples(seed, n, out):
    from onnx import numpy_helper
    print(f"seed {seed}")
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, 3, 4, 4)) * 2).astype(np.float32)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "x.npy"), x)
    np.savez(os.path.join(out, "stored.npz"), x=x, label=np.arange(n))
    np.savez_compressed(os.path.join(out, "deflated.npz"), x=x, label=np.arange(n))
    for i in range(n):
        d = os.path.join(out, "sets", f"test_data_set_{i}")
        os.makedirs(d, exist_ok=True)
        tensor = numpy_helper.from_array(x[i:i + 1])
        tensor.name = ""
        with open(os.path.join(d, "input_0.pb"), "wb") as f:
            f.write(tensor.SerializeToString())


def check_minmax(data, table_path):
    x = np.load(data)
    table = json.load(open(table_path))["tensors"]
    y = np.maximum(x, 0)
    expected = {"x": x, "y": y, "z": y + np.float32(1)}
    for name, value in expected.items():
        got = (table[name]["min"], table[name]["max"])
        want = (float(value.min()), float(value.max()))
        if got != want:
            sys.exit(f"{name}: nibble {got}, numpy {want}")
    print(f"minmax of {len(expected)} tensors equal numpy's")


def per_channel(model_path, data, table_path):
    import onnx
    import onnxruntime as ort
    whole = json.load(open(table_path))
    table = whole["tensors"]
    model = onnx.load(model_path)
    inputs = {i.name for i in model.graph.input}
    # Every node output becomes a graph output so ORT hands back each
    # tensor the table names.
    outputs = {o.name for o in model.graph.output}
    for node in model.graph.node:
        for name in node.output:
            if name in table and name not in outputs:
                model.graph.output.append(onnx.ValueInfoProto(name=name))
                outputs.add(name)
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    arrays = np.load(data)
    feeds = {k: arrays[k] for k in inputs}
    n = next(iter(feeds.values())).shape[0]
    names = [o.name for o in session.get_outputs()]
    values = {k: [] for k in names}
    for i in range(n):
        for k, v in zip(names, session.run(None, {k: a[i:i + 1] for k, a in feeds.items()})):
            values[k].append(v)
    values = {k: np.concatenate(v) for k, v in values.items()}
    values.update(feeds)
    checked, worst = 0, 0.0
    for name, entry in sorted(table.items()):
        pc = entry.get("per_channel")
        if pc is None:
            continue
        v = values[name]
        axis = pc["axis"]
        other = tuple(a for a in range(v.ndim) if a != axis)
        lo, hi = v.min(axis=other), v.max(axis=other)
        for ours, ref in ((pc["min"], lo), (pc["max"], hi)):
            diff = np.abs(np.asarray(ours) - ref.astype(np.float64))
            scale = np.maximum(np.abs(ref), 1e-6)
            # Float32 kernels differ in summation order: 1e-5 relative.
            if len(ours) != len(ref) or np.any(diff > 1e-5 * scale + 1e-6):
                sys.exit(f"{name}: per-channel nibble {ours} vs numpy {ref.tolist()}")
            worst = max(worst, float(np.max(diff / scale)))
        # Per-channel ranges are min/max whatever the method: under minmax
        # the per-tensor range is their hull.
        if whole["method"] == "minmax" and not whole["symmetric"]:
            assert (entry["min"], entry["max"]) == (min(pc["min"]), max(pc["max"])), name
        checked += 1
    print(f"per-channel ranges of {checked} tensors match numpy over ORT, "
          f"max relative difference {worst:.2e}")


def big(n, out):
    rng = np.random.default_rng(0)
    os.makedirs(out, exist_ok=True)
    x = rng.standard_normal((n, 3, 64, 64)).astype(np.float32)
    np.savez_compressed(os.path.join(out, "big.npz"), x=x)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "model":
        model(args[0], tuple(int(d) for d in args[1:]) or (1, 3, 4, 4))
    elif command == "two-inputs":
        two_inputs(args[0])
    elif command == "samples":
        seed = int.from_bytes(os.urandom(4), "little") if args[0] == "fresh" else int(args[0])
        samples(seed, int(args[1]), args[2])
    elif command == "check-minmax":
        check_minmax(*args)
    elif command == "per-channel":
        per_channel(*args)
    elif command == "big":
        big(int(args[0]), args[1])
    else:
        sys.exit(f"unknown command {command}")
