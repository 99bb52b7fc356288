#!/usr/bin/env python3
"""Checks the importer's op version table against onnx's schemas.

    python3 check_op_versions.py lib/Importer/ONNX/Convert*.cpp

Every `table.add(domain, op, {versions...}, ...)` must list exactly the
since_versions that onnx.defs knows for the op (onnx's newest opset is the
importer's upper bound, so the lists are complete). Ops onnx has no schema for (ORT's
contrib ops) are reported and skipped. Prints one line per mismatch and a
summary; exits 1 on any mismatch.
"""
import re
import sys

import onnx.defs

ADD = re.compile(r'table\.add\(\s*"([^"]*)",\s*"(\w+)",\s*\{([\d,\s]*)\}')


def main(paths):
    newest = onnx.defs.onnx_opset_version()
    history = {}
    for schema in onnx.defs.get_all_schemas_with_history():
        domain = "" if schema.domain == "ai.onnx" else schema.domain
        history.setdefault((domain, schema.name), set()).add(schema.since_version)
    checked, skipped, bad = 0, [], 0
    for path in paths:
        with open(path) as f:
            text = f.read()
        for domain, op, versions in ADD.findall(text):
            listed = [int(v) for v in versions.replace(" ", "").split(",") if v]
            expected = history.get((domain, op))
            if expected is None:
                skipped.append(f"{domain or 'ai.onnx'}.{op}")
                continue
            checked += 1
            if listed != sorted(expected):
                bad += 1
                print(f"MISMATCH {domain or 'ai.onnx'}.{op}: table {listed}, "
                      f"onnx {sorted(expected)}")
    print(f"checked {checked} ops against onnx {onnx.__version__} (opset {newest}); "
          f"no onnx schema: {', '.join(sorted(skipped))}; mismatches: {bad}")
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
