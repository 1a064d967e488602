#!/usr/bin/env bash
# Installs everything the build, demo and tests need on a fresh machine:
# the Rust targets, wasm-bindgen-cli and worker-build at pinned versions
# (into .tools/, reused when the version matches), the npm packages from
# package-lock.json, and Debian's chromium for the browser tests.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

log() { printf '[setup] %s\n' "$*" >&2; }

log "rust targets"
rustup target add wasm32-unknown-unknown thumbv7em-none-eabi >/dev/null

if [[ ! -x "$WASM_BINDGEN_BIN" ]]; then
  log "wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  # Without --locked: the tool's own lock file names a crate version the
  # registry does not have.
  cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
    --root "$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION"
fi

if [[ ! -x "$WORKER_BUILD_BIN" ]]; then
  log "worker-build $WORKER_BUILD_VERSION (about 3 minutes)"
  cargo install --quiet worker-build --version "$WORKER_BUILD_VERSION" \
    --root "$TOOLS/worker-build-$WORKER_BUILD_VERSION"
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [[ "${SKIP_CHROMIUM:-0}" != 1 ]] && ! command -v "$CHROMIUM_BIN" >/dev/null; then
  log "chromium from Debian"
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium \
    >/dev/null
fi

log "done"
