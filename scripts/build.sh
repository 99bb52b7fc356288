#!/usr/bin/env bash
# Installs what is missing, then configures (CMake + Ninja, Release) and
# builds Nibble. Used by quickstart.sh and test.sh; fine to run alone.
#
#   scripts/build.sh                 # everything
#   scripts/build.sh nibble          # only these targets
#
# Environment:
#   NIBBLE_BUILD_DIR   build directory (default: <repo>/build); an existing
#                      one is reused, whatever generator configured it
#   NIBBLE_SKIP_DEPS=1 do not run scripts/install-deps.sh
#   NIBBLE_JOBS        parallel build jobs (default: all cores)
set -Eeuo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${NIBBLE_BUILD_DIR:-$REPO_ROOT/build}"
JOBS="${NIBBLE_JOBS:-$(nproc 2>/dev/null || echo 2)}"

log() { printf '==> %s\n' "$*"; }
trap 'printf "error: %s failed (line %s, exit %s)\n" "$BASH_COMMAND" "$LINENO" "$?" >&2' ERR

if [[ "${NIBBLE_SKIP_DEPS:-0}" != 1 ]]; then
  "$REPO_ROOT/scripts/install-deps.sh"
fi

if [[ -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  # Re-running cmake on an existing tree is cheap and picks up new files; the
  # generator and options it was configured with are kept.
  log "reusing $BUILD_DIR"
  cmake -S "$REPO_ROOT" -B "$BUILD_DIR" >/dev/null
else
  log "configuring $BUILD_DIR (Ninja, Release)"
  cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi

if [[ $# -gt 0 ]]; then
  log "building $* ($JOBS jobs)"
  cmake --build "$BUILD_DIR" --parallel "$JOBS" --target "$@"
else
  log "building everything ($JOBS jobs)"
  cmake --build "$BUILD_DIR" --parallel "$JOBS"
fi
