#!/usr/bin/env python3
"""Compares `nibble summary --format=lines` with summary_reference.py.

The driver counts `nb` ops, the reference counts ONNX op types; this maps the
reference's op types to nb op names (CamelCase to snake_case, plus the names
the nb dialect shortens) and then requires:
- the same count for every op, except `constant`: ONNX initializers are not
  nodes but become `nb.constant` ops, so the counts differ by design (the
  parameters and bytes below cover what those constants hold);
- exactly the same parameter count and bytes per element type.
Prints `match: ...` lines on success; on a mismatch prints every difference
to stderr and exits 1.
"""

import argparse
import re
import sys

# ONNX op types whose nb names are not the plain snake_case spelling.
NB_NAMES = {
    "BatchNormalization": "batch_norm",
    "LayerNormalization": "layer_norm",
    "com.microsoft.SimplifiedLayerNormalization": "simplified_layer_norm",
    "SimplifiedLayerNormalization": "simplified_layer_norm",
    "MatMul": "matmul",
    "MatMulInteger": "matmul_integer",
    "QLinearMatMul": "qlinear_matmul",
    "QLinearConv": "qlinear_conv",
}


def nb_name(onnx_type):
    if onnx_type in NB_NAMES:
        return NB_NAMES[onnx_type]
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", onnx_type)
    return name.lower()


def parse(path):
    ops, params, nbytes = {}, None, {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if len(fields) == 3 and fields[0] == "op":
                ops[fields[1]] = ops.get(fields[1], 0) + int(fields[2])
            elif len(fields) == 2 and fields[0] == "params":
                params = int(fields[1])
            elif len(fields) == 3 and fields[0] == "bytes":
                nbytes[fields[1]] = int(fields[2])
            elif fields:
                sys.exit(f"{path}:{number}: unexpected line: {line.rstrip()}")
    if params is None:
        sys.exit(f"{path}: no 'params' line")
    return ops, params, nbytes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nibble", required=True, help="output of nibble summary --format=lines")
    parser.add_argument("--reference", required=True, help="output of summary_reference.py")
    args = parser.parse_args()

    nibble_ops, nibble_params, nibble_bytes = parse(args.nibble)
    reference_ops_onnx, reference_params, reference_bytes = parse(args.reference)
    reference_ops = {}
    for onnx_type, count in reference_ops_onnx.items():
        name = nb_name(onnx_type)
        reference_ops[name] = reference_ops.get(name, 0) + count

    errors = []
    for name in sorted(set(nibble_ops) | set(reference_ops)):
        if name == "constant":
            continue
        ours, theirs = nibble_ops.get(name, 0), reference_ops.get(name, 0)
        if ours != theirs:
            errors.append(f"op {name}: nibble {ours}, reference {theirs}")
    if nibble_params != reference_params:
        errors.append(f"params: nibble {nibble_params}, reference {reference_params}")
    for name in sorted(set(nibble_bytes) | set(reference_bytes)):
        ours, theirs = nibble_bytes.get(name), reference_bytes.get(name)
        if ours != theirs:
            errors.append(f"bytes {name}: nibble {ours}, reference {theirs}")

    if errors:
        for error in errors:
            print(f"mismatch: {error}", file=sys.stderr)
        return 1
    compared = sorted(name for name in reference_ops if name != "constant")
    print(f"match: ops {' '.join(f'{n}={reference_ops[n]}' for n in compared)}")
    print(f"match: params {nibble_params}")
    for name in sorted(nibble_bytes):
        print(f"match: bytes {name} {nibble_bytes[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
