#!/usr/bin/env bash
# Fetches the real pretrained models the tests and measurements use, into
# $NIBBLE_MODELS_DIR (default: <repo>/.models), once:
#   ppocr/  PP-OCR's text detector, direction classifier and recognizer
#           (ONNX, trained by PaddleOCR), taken from the rapidocr-onnxruntime
#           wheel on PyPI without its dependencies (about 15 MB).
# Tests that need a model are reported unsupported when it is missing, so a
# machine without network access still runs every other test; this script
# warns instead of failing when a download is refused.
#
#   scripts/fetch-models.sh
set -Eeuo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODELS_DIR="${NIBBLE_MODELS_DIR:-$REPO_ROOT/.models}"
PYTHON="${PYTHON:-python3}"
RAPIDOCR_VERSION=1.4.4
PPOCR_FILES=(ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx
             ch_ppocr_mobile_v2.0_cls_infer.onnx)

log() { printf '==> %s\n' "$*"; }

fetch_ppocr() {
  local dest="$MODELS_DIR/ppocr" missing=0 file
  for file in "${PPOCR_FILES[@]}"; do
    [[ -f "$dest/$file" ]] || missing=1
  done
  if [[ $missing -eq 0 ]]; then
    log "PP-OCR models present in $dest"
    return
  fi
  local tmp
  tmp="$(mktemp -d)"
  log "fetching rapidocr-onnxruntime==$RAPIDOCR_VERSION (PP-OCR models) from PyPI"
  if ! "$PYTHON" -m pip download --quiet --no-deps --dest "$tmp" \
      "rapidocr-onnxruntime==$RAPIDOCR_VERSION"; then
    log "warning: could not download the PP-OCR models; their tests will be unsupported"
    rm -rf "$tmp"
    return
  fi
  mkdir -p "$dest"
  # Extract the three models only; write each through a temporary name so
  # an interrupted run leaves no partial model behind.
  "$PYTHON" - "$tmp"/*.whl "$dest" "${PPOCR_FILES[@]}" <<'PY'
import os, sys, zipfile
wheel, dest, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as archive:
    members = {os.path.basename(m): m for m in archive.namelist()
               if m.startswith("rapidocr_onnxruntime/models/")}
    for name in names:
        if name not in members:
            sys.exit(f"{wheel}: no {name}")
        partial = os.path.join(dest, name + ".partial")
        with archive.open(members[name]) as src, open(partial, "wb") as out:
            out.write(src.read())
        os.replace(partial, os.path.join(dest, name))
PY
  rm -rf "$tmp"
  log "PP-OCR models in $dest"
}

fetch_ppocr
