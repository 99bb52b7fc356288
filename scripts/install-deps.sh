#!/usr/bin/env bash
# Installs Nibble's build and test dependencies on Debian 12 (bookworm).
#
#   scripts/install-deps.sh            # apt packages, python/requirements.txt, then
#                                      # the real models tests use (scripts/fetch-models.sh)
#   PYTHON=python3.11 scripts/install-deps.sh
#
# Idempotent: apt is skipped entirely when every package is already installed,
# and pip only installs what is missing. Uses sudo only when not run as root.
set -Eeuo pipefail

APT_PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libonnx-dev libprotobuf-dev protobuf-compiler
  ninja-build cmake g++ python3-pip libgtest-dev zlib1g-dev
)
# Packages that must come from apt.llvm.org when the distribution lacks them.
LLVM_PACKAGES=(llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools)
LLVM_REPO_LINE="deb [signed-by=/etc/apt/keyrings/apt.llvm.org.asc] http://apt.llvm.org/bookworm/ llvm-toolchain-bookworm-22 main"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
trap 'printf "error: %s failed (line %s, exit %s)\n" "$BASH_COMMAND" "$LINENO" "$?" >&2' ERR

if [[ "$(id -u)" -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()  # decided below: only an error if apt actually has work to do
fi

run_root() {
  if [[ "$(id -u)" -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
    die "need root or sudo to run: $*"
  fi
  log "$*"
  "${SUDO[@]}" "$@"
}

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

apt_candidate() {
  apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'
}

llvm_available() {
  local pkg cand
  for pkg in "${LLVM_PACKAGES[@]}"; do
    cand="$(apt_candidate "$pkg")"
    if [[ -z "$cand" || "$cand" == "(none)" ]]; then
      return 1
    fi
  done
}

add_llvm_repo() {
  log "LLVM 22 is not in this machine's apt sources; adding apt.llvm.org (llvm-toolchain-bookworm-22)"
  if ! command -v curl >/dev/null 2>&1; then
    run_root env DEBIAN_FRONTEND=noninteractive apt-get install -y ca-certificates curl
  fi
  run_root install -d -m 0755 /etc/apt/keyrings
  log "fetching https://apt.llvm.org/llvm-snapshot.gpg.key"
  curl -fsSL https://apt.llvm.org/llvm-snapshot.gpg.key \
    | "${SUDO[@]}" tee /etc/apt/keyrings/apt.llvm.org.asc >/dev/null
  log "writing /etc/apt/sources.list.d/llvm-22.list"
  echo "$LLVM_REPO_LINE" | "${SUDO[@]}" tee /etc/apt/sources.list.d/llvm-22.list >/dev/null
  run_root apt-get update
  llvm_available || die "LLVM 22 packages still unavailable after adding apt.llvm.org"
}

install_apt_packages() {
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg not found: this script targets Debian 12"
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "apt: all ${#APT_PACKAGES[@]} packages already installed, skipping apt"
    return
  fi
  log "apt: missing ${missing[*]}"
  run_root apt-get update
  if ! llvm_available; then
    add_llvm_repo
  else
    log "apt: llvm-22-dev candidate $(apt_candidate llvm-22-dev) from the configured sources"
  fi
  run_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${APT_PACKAGES[@]}"
  for pkg in "${APT_PACKAGES[@]}"; do
    is_installed "$pkg" || die "apt package $pkg is not installed after apt-get install"
  done
}

install_python_packages() {
  local req="$REPO_ROOT/python/requirements.txt" out status
  [[ -f "$req" ]] || die "missing $req"
  command -v "$PYTHON" >/dev/null 2>&1 || die "python interpreter '$PYTHON' not found"
  log "$PYTHON -m pip install -r $req"
  # Capture pip's output so a PEP 668 refusal can be told from a real failure.
  out="$(mktemp)"
  set +e
  "$PYTHON" -m pip install -r "$req" 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  set -e
  if [[ $status -ne 0 ]]; then
    if grep -q "externally-managed-environment" "$out"; then
      log "pip refused (PEP 668 externally managed environment); retrying with --break-system-packages"
      "$PYTHON" -m pip install --break-system-packages -r "$req"
    else
      rm -f "$out"
      die "pip install failed (exit $status)"
    fi
  fi
  rm -f "$out"
  log "checking the python modules import"
  "$PYTHON" -c 'import onnx, onnxruntime, numpy, sklearn, lit; print("onnx", onnx.__version__, "| onnxruntime", onnxruntime.__version__, "| numpy", numpy.__version__, "| scikit-learn", sklearn.__version__, "| lit", lit.__version__)'
}

install_apt_packages
install_python_packages
# Real pretrained models for the tests that need them (a warning, not a
# failure, when the download is refused).
"$REPO_ROOT/scripts/fetch-models.sh"
log "done"
