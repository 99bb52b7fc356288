#!/usr/bin/env bash
# Nibble's first command: installs what is missing, builds Nibble (CMake +
# Ninja, Release) and runs it on the bundled model, a small CNN trained on
# scikit-learn's 8x8 handwritten digits (examples/digits/):
#   1. prints the model's summary: ops by type, parameters, bytes per precision;
#   2. runs the 450 held-out test images through `nibble run` (import, JIT
#      compile for this CPU, run);
#   3. compiles the model ahead of time (`nibble compile`: model.so,
#      weights.bin, model.h), installs Nibble into a prefix, builds the C
#      example examples/c against the installed runtime and runs the same
#      images through it;
#   4. runs ONNX Runtime on the same images and prints top-1 accuracy, how far
#      each of Nibble's logits is from ONNX Runtime's, and the wall times;
#   5. quantizes the model (`nibble calibrate` on the 256 calibration images,
#      then `nibble quantize` with static W8A8, dynamic W8A8, int4 weight-only
#      and fp16), runs each quantized model on the test images and prints,
#      per scheme, the output error against float32, accuracy, size (from
#      `nibble report`) and run time, next to ONNX Runtime's own
#      quantize_static on the same calibration data.
#
#   scripts/quickstart.sh
#
# Everything it writes goes to $NIBBLE_BUILD_DIR/quickstart/.
# Environment: as scripts/build.sh (NIBBLE_BUILD_DIR, NIBBLE_SKIP_DEPS,
# NIBBLE_JOBS), PYTHON.
set -Eeuo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${NIBBLE_BUILD_DIR:-$REPO_ROOT/build}"
PYTHON="${PYTHON:-python3}"
MODEL=examples/digits/digits_cnn.onnx
TEST_SET=examples/digits/test_set.npz
# The compiled model's fixed batch; run_digits pads the last batch.
BATCH=50

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
trap 'printf "error: %s failed (line %s, exit %s)\n" "$BASH_COMMAND" "$LINENO" "$?" >&2' ERR
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# nibble-opt and nibble-translate are built too: `cmake --install` below
# installs every tool.
"$REPO_ROOT/scripts/build.sh" nibble nibble-opt nibble-translate nibble_runtime

NIBBLE="$BUILD_DIR/bin/nibble"
OUT_DIR="$BUILD_DIR/quickstart"
mkdir -p "$OUT_DIR"
cd "$REPO_ROOT"   # paths relative to the repository read better below
[[ -f "$MODEL" && -f "$TEST_SET" ]] || die "$MODEL or $TEST_SET is missing"
command -v cc >/dev/null || die "no C compiler ('cc') for examples/c; install gcc"

log "1. nibble summary $MODEL"
"$NIBBLE" summary "$MODEL"

log "2. nibble run $MODEL on the 450 held-out images (JIT)"
# The test set also holds `labels`; nibble run binds `input` by name and
# notes the array it leaves out.
"$NIBBLE" run "$MODEL" --inputs "$TEST_SET" \
  --outputs "$OUT_DIR/nibble_run.npz" 2>&1 | tee "$OUT_DIR/nibble_run.log" | sed 's/^/   /'

log "3. nibble compile $MODEL --input-shape input=${BATCH}x1x8x8, then the C runtime"
start=$(now_ms)
"$NIBBLE" compile "$MODEL" --input-shape "input=${BATCH}x1x8x8" -o "$OUT_DIR/model" \
  | sed 's/^/   /'
compile_ms=$(( $(now_ms) - start ))
ls -l "$OUT_DIR/model" | awk 'NR > 1 { printf "   %-12s %8d bytes\n", $9, $5 }'
# examples/c builds against an installed Nibble, as a user's program would;
# it links libnibble_runtime.so only (no MLIR, no LLVM).
echo "   installing Nibble into ${OUT_DIR#"$REPO_ROOT"/}/prefix and building examples/c against it"
cmake --install "$BUILD_DIR" --prefix "$OUT_DIR/prefix" > "$OUT_DIR/install.log"
cmake -S examples/c -B "$OUT_DIR/c-example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$OUT_DIR/prefix" > "$OUT_DIR/c-example-configure.log"
cmake --build "$OUT_DIR/c-example" > "$OUT_DIR/c-example-build.log"
"$PYTHON" examples/c/prepare_digits.py "$TEST_SET" "$OUT_DIR/digits.bin"
start=$(now_ms)
"$OUT_DIR/c-example/run_digits" "$OUT_DIR/model" "$OUT_DIR/digits.bin" \
  "$OUT_DIR/runtime_logits.bin" > "$OUT_DIR/run_digits.log"
runtime_ms=$(( $(now_ms) - start ))
grep -v '^sample ' "$OUT_DIR/run_digits.log" | sed 's/^/   run_digits: /'

log "4. ONNX Runtime on the same images; accuracy, agreement, wall times"
"$PYTHON" scripts/quickstart_digits.py report --model "$MODEL" --data "$TEST_SET" \
  --nibble-outputs "$OUT_DIR/nibble_run.npz" --nibble-log "$OUT_DIR/nibble_run.log" \
  --runtime-logits "$OUT_DIR/runtime_logits.bin" --runtime-ms "$runtime_ms" \
  --runtime-batch "$BATCH" --compile-ms "$compile_ms"

log "5. nibble calibrate + nibble quantize: accuracy, size and speed per scheme"
"$PYTHON" -c 'import onnxruntime.quantization' 2>/dev/null \
  || die "onnxruntime.quantization is missing; run scripts/install-deps.sh"
rm -rf "$OUT_DIR/quantized"
PYTHONPATH="$REPO_ROOT/python${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m nibble_tools.quantization.evaluate \
  --nibble "$NIBBLE" --model "$MODEL" --calib-data examples/digits/calib_set.npz \
  --test-data "$TEST_SET" --schemes w8a8-static w8a8-dynamic int4-weight-only fp16 \
  --scheme-args 'int4-weight-only=--group-size 0' --peer-ort-static \
  --workdir "$OUT_DIR/quantized" --json "$OUT_DIR/quantized/figures.json" | sed 's/^/   /'
echo "   (SQNR, cosine and max abs against ONNX Runtime's float32 logits; bytes are"
echo "   weights + scales + zero points; run ms: the 450 images once, one thread.)"
echo "   The quantized models are in ${OUT_DIR#"$REPO_ROOT"/}/quantized/."

cat <<'NEXT'

==> What Nibble does today, and what is not done yet
   Today:   ONNX import (opsets 10-28) into the nb dialect; calibration
            (min/max, percentile, entropy, MSE) and static range analysis;
            quantization: static and dynamic W8A8, int8/int4 weight-only by
            channel or group, fp16/bf16, fp8, as q/dq IR fused into integer
            ops; automatic mixed precision under an accuracy target or a
            size budget (`nibble quantize --auto`); CPU code generation
            through linalg to LLVM, run by a JIT (`nibble run`) or compiled
            ahead of time for a small C runtime (`nibble compile`); export
            back to ONNX.
   Not yet: the model zoo, CUDA code generation, LLM weight algorithms
            (GPTQ, AWQ, SmoothQuant, ...). Nibble's
            generated code is not tuned yet: compare its run times with
            ONNX Runtime's above.
NEXT
