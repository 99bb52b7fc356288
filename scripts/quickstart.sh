#!/usr/bin/env bash
# Nibble's first command: installs what is missing, builds Nibble (CMake +
# Ninja, Release) and runs it on the bundled model, a small CNN trained on
# scikit-learn's 8x8 handwritten digits (examples/digits/):
#   1. imports examples/digits/digits_cnn.onnx into the nb dialect,
#   2. prints its summary: ops by type, parameter count, bytes per precision,
#   3. prints the float model's accuracy on the held-out test set under ONNX
#      Runtime: the baseline quantized models will be measured against.
# Nibble cannot execute or quantize models yet; the script says so instead
# of pretending.
#
#   scripts/quickstart.sh
#
# Environment: as scripts/build.sh (NIBBLE_BUILD_DIR, NIBBLE_SKIP_DEPS,
# NIBBLE_JOBS).
set -Eeuo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${NIBBLE_BUILD_DIR:-$REPO_ROOT/build}"
PYTHON="${PYTHON:-python3}"
MODEL="$REPO_ROOT/examples/digits/digits_cnn.onnx"
TEST_SET="$REPO_ROOT/examples/digits/test_set.npz"

log() { printf '\n==> %s\n' "$*"; }
trap 'printf "error: %s failed (line %s, exit %s)\n" "$BASH_COMMAND" "$LINENO" "$?" >&2' ERR

"$REPO_ROOT/scripts/build.sh" nibble nibble-opt

NIBBLE="$BUILD_DIR/bin/nibble"
OUT_DIR="$BUILD_DIR/quickstart"
mkdir -p "$OUT_DIR"
# Paths relative to the repository read better in the output.
cd "$REPO_ROOT"
MODEL_REL="${MODEL#"$REPO_ROOT"/}"

log "1. nibble import $MODEL_REL -o ${OUT_DIR#"$REPO_ROOT"/}/digits_cnn.mlir"
"$NIBBLE" import "$MODEL_REL" -o "$OUT_DIR/digits_cnn.mlir"
lines=$(wc -l < "$OUT_DIR/digits_cnn.mlir")
echo "   $lines lines of nb dialect IR; the ops, weights elided:"
# One op per line, constants' payloads cut, so the graph fits on a screen.
sed -E -n 's/dense(_resource)?<[^>]*>/dense<...>/; /nb\.|func\.func|return/p' \
  "$OUT_DIR/digits_cnn.mlir" | cut -c1-110 | sed 's/^/   /'

log "2. nibble summary $MODEL_REL"
"$NIBBLE" summary "$MODEL_REL"

log "3. float baseline on the held-out test set (ONNX Runtime)"
"$PYTHON" "$REPO_ROOT/scripts/evaluate_onnxruntime.py" "$MODEL_REL" "${TEST_SET#"$REPO_ROOT"/}"

cat <<'NEXT'

==> What Nibble does today, and what comes next
   Today:   ONNX import into the nb dialect, graph-level verification, the
            model summary above, nibble-opt for nb passes.
   Planned: execution on CPU (so the accuracy above is measured by Nibble
            itself), calibration, int8/int4 quantization, mixed precision,
            a model zoo, CUDA code generation, and LLM weight quantization
            methods. Quantized accuracy, size and speed will be printed here,
            next to the float baseline, as each lands.
NEXT
