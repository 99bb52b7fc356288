#!/usr/bin/env bash
# Installs what is missing, builds Nibble and runs every test: lit, the
# GoogleTest unit tests and the installed-package consumer test (all three
# through `check-nibble`), then the ONNX backend node-test import
# conformance run when nibble-translate is built. Exits non-zero on any
# failure. This is what CI runs (.ci/run).
#
#   scripts/test.sh
#
# Environment: as scripts/build.sh (NIBBLE_BUILD_DIR, NIBBLE_SKIP_DEPS,
# NIBBLE_JOBS).
set -Eeuo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${NIBBLE_BUILD_DIR:-$REPO_ROOT/build}"
JOBS="${NIBBLE_JOBS:-$(nproc 2>/dev/null || echo 2)}"
PYTHON="${PYTHON:-python3}"

log() { printf '==> %s\n' "$*"; }
trap 'printf "error: %s failed (line %s, exit %s)\n" "$BASH_COMMAND" "$LINENO" "$?" >&2' ERR

"$REPO_ROOT/scripts/build.sh"

log "check-nibble: lit, unit tests, package consumer"
cmake --build "$BUILD_DIR" --parallel "$JOBS" --target check-nibble

CONFORMANCE="$REPO_ROOT/python/nibble_tools/conformance/import_node_tests.py"
if [[ -x "$BUILD_DIR/bin/nibble-translate" && -f "$CONFORMANCE" ]]; then
  log "ONNX backend node tests through the importer (report: $BUILD_DIR/conformance.md)"
  "$PYTHON" "$CONFORMANCE" --nibble-translate "$BUILD_DIR/bin/nibble-translate" \
    --output "$BUILD_DIR/conformance.md" --jobs "$JOBS"
fi

log "all tests passed"
