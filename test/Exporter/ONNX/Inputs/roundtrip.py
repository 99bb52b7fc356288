#!/usr/bin/env python3
"""Import -> export -> import round trips of the importer's test models.

    python3 roundtrip.py NIBBLE_TRANSLATE WORKDIR MODEL...

Each MODEL is a name from test/Importer/ONNX/Inputs/onnx_models.py. For each:

    ir1 = import(model)                (printed without locations)
    exported = export(import(model) printed with locations)
    ir2 = import(exported)
    ir3 = import(export(ir2 with locations))

Every export must pass onnx.checker.check_model. Prints one line per model:
`NAME: same` when ir2 == ir1, `NAME: fixpoint` when only ir3 == ir2 (the
first import materialized constants for attributes of an older opset in the
middle of the function; the exported model has them as initializers, which
the importer puts first), and `NAME: DIFFERENT` with a diff otherwise.
"""
import difflib
import subprocess
import sys
from pathlib import Path

import onnx

HERE = Path(__file__).resolve().parent
MODELS = HERE.parents[2] / "Importer" / "ONNX" / "Inputs" / "onnx_models.py"


def run(*args):
    subprocess.run([str(a) for a in args], check=True)


def import_ir(translate, path, out, locations=False):
    run(translate, "--import-onnx", path, "-o", out, *(["-mlir-print-debuginfo"] if locations else []))
    return Path(out).read_text()


def export(translate, mlir, out):
    run(translate, "--export-onnx", mlir, "-o", out)
    onnx.checker.check_model(onnx.load(str(out)))


def main():
    translate, workdir, names = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    workdir.mkdir(parents=True, exist_ok=True)
    status = 0
    for name in names:
        base = workdir / name
        run(sys.executable, MODELS, name, f"{base}.onnx")
        ir1 = import_ir(translate, f"{base}.onnx", f"{base}.1.mlir")
        import_ir(translate, f"{base}.onnx", f"{base}.1.loc.mlir", locations=True)
        export(translate, f"{base}.1.loc.mlir", f"{base}.2.onnx")
        ir2 = import_ir(translate, f"{base}.2.onnx", f"{base}.2.mlir")
        import_ir(translate, f"{base}.2.onnx", f"{base}.2.loc.mlir", locations=True)
        export(translate, f"{base}.2.loc.mlir", f"{base}.3.onnx")
        ir3 = import_ir(translate, f"{base}.3.onnx", f"{base}.3.mlir")
        if ir2 == ir1:
            print(f"{name}: same")
        elif ir3 == ir2:
            print(f"{name}: fixpoint")
        else:
            status = 1
            print(f"{name}: DIFFERENT")
            sys.stdout.writelines(difflib.unified_diff(
                ir2.splitlines(True), ir3.splitlines(True), "ir2", "ir3"))
    return status


if __name__ == "__main__":
    sys.exit(main())
