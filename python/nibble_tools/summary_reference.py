#!/usr/bin/env python3
"""Reference summary of an ONNX model, computed with the onnx package alone.

Prints, one fact per line and sorted, what the model holds, so that a lit test
can check the C++ driver's `nibble summary` (lib/Analysis/ModelSummary.cpp)
against an independent count:

    op BatchNormalization 1        ops by ONNX type, subgraphs included
    op Conv 2
    params 3850                    elements of the initializers of rank >= 1
    bytes f32 15400                bytes of those initializers by element type
    bytes total 15400

Conventions shared with ModelSummary, so that the numbers compare:
- Rank-0 initializers are scalars of the graph (epsilons, axes, zero points of
  per-tensor quantization), not weights; they count in neither params nor bytes.
- Element types are spelled as MLIR prints them (f32, bf16, i8, ui8, i1, i4,
  f8E4M3FN, ...); sub-byte types count packed: ceil(elements * bits / 8).
Ops differ on purpose: this prints ONNX op types (a non-default domain is
prefixed, `com.microsoft.SimplifiedLayerNormalization`); the C++ side prints
`nb` op names. Constant nodes count as ops, not parameters.

    python3 python/nibble_tools/summary_reference.py examples/digits/digits_cnn.onnx
"""

import argparse
import collections
import sys

import onnx
from onnx import TensorProto

# ONNX element type -> (MLIR spelling, bits per element).
ELEMENT_TYPES = {
    TensorProto.FLOAT: ("f32", 32),
    TensorProto.DOUBLE: ("f64", 64),
    TensorProto.FLOAT16: ("f16", 16),
    TensorProto.BFLOAT16: ("bf16", 16),
    TensorProto.INT8: ("i8", 8),
    TensorProto.UINT8: ("ui8", 8),
    TensorProto.INT16: ("i16", 16),
    TensorProto.UINT16: ("ui16", 16),
    TensorProto.INT32: ("i32", 32),
    TensorProto.UINT32: ("ui32", 32),
    TensorProto.INT64: ("i64", 64),
    TensorProto.UINT64: ("ui64", 64),
    TensorProto.BOOL: ("i1", 1),
    TensorProto.COMPLEX64: ("complex<f32>", 64),
    TensorProto.COMPLEX128: ("complex<f64>", 128),
}
# Types newer than some onnx releases: added only when this onnx knows them.
for _name, _spelling, _bits in [
    ("INT4", "i4", 4), ("UINT4", "ui4", 4), ("INT2", "i2", 2), ("UINT2", "ui2", 2),
    ("FLOAT8E4M3FN", "f8E4M3FN", 8), ("FLOAT8E4M3FNUZ", "f8E4M3FNUZ", 8),
    ("FLOAT8E5M2", "f8E5M2", 8), ("FLOAT8E5M2FNUZ", "f8E5M2FNUZ", 8),
    ("FLOAT8E8M0", "f8E8M0FNU", 8), ("FLOAT4E2M1", "f4E2M1FN", 4),
]:
    if hasattr(TensorProto, _name):
        ELEMENT_TYPES[getattr(TensorProto, _name)] = (_spelling, _bits)


def op_counts(graph, counts=None):
    counts = collections.Counter() if counts is None else counts
    for node in graph.node:
        domain = "" if node.domain in ("", "ai.onnx") else node.domain
        counts[f"{domain}.{node.op_type}" if domain else node.op_type] += 1
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                op_counts(attr.g, counts)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    op_counts(sub, counts)
    return counts


def initializers(graph):
    """(name, element type, dims) of dense and sparse initializers (sparse at their dense shape)."""
    for tensor in graph.initializer:
        yield tensor.name, tensor.data_type, tuple(tensor.dims)
    for sparse in graph.sparse_initializer:
        yield sparse.values.name, sparse.values.data_type, tuple(sparse.dims)


def summarize(model):
    """Returns the summary's lines."""
    params = 0
    bytes_by_type = collections.Counter()
    for name, data_type, dims in initializers(model.graph):
        if len(dims) == 0:
            continue
        if data_type not in ELEMENT_TYPES:
            raise ValueError(f"initializer '{name}': element type "
                             f"{TensorProto.DataType.Name(data_type)} has no summary spelling")
        spelling, bits = ELEMENT_TYPES[data_type]
        elements = 1
        for d in dims:
            elements *= d
        params += elements
        bytes_by_type[spelling] += (elements * bits + 7) // 8

    lines = [f"op {op} {count}" for op, count in sorted(op_counts(model.graph).items())]
    lines.append(f"params {params}")
    lines += [f"bytes {spelling} {count}" for spelling, count in sorted(bytes_by_type.items())]
    lines.append(f"bytes total {sum(bytes_by_type.values())}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Print ops, parameter count and bytes per element type of an ONNX model.")
    parser.add_argument("model", help="ONNX file")
    args = parser.parse_args(argv)
    try:
        # The dims are in the protobuf; external weight files need not be present.
        model = onnx.load(args.model, load_external_data=False)
        lines = summarize(model)
    except OSError as err:
        print(f"{args.model}: error: {err.strerror or err}", file=sys.stderr)
        return 1
    except Exception as err:  # a malformed protobuf (DecodeError) or an unknown type
        print(f"{args.model}: error: {err}", file=sys.stderr)
        return 1
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
