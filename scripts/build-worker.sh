#!/usr/bin/env bash
# Builds the edge worker with worker-build (release profile) into
# worker/build/: index.js, which wrangler.toml names as `main`, and
# index_bg.wasm. The build is skipped when no input changed since the last
# one, so wrangler's `[build]` step costs nothing on a second `wrangler dev`.
#
# Needs the tools that scripts/setup.sh installs; downloads nothing, because
# WASM_BINDGEN_BIN, WASM_OPT_BIN and ESBUILD_BIN (from scripts/env.sh) point
# worker-build at local copies.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

log() { printf '[build-worker] %s\n' "$*" >&2; }

for tool in "$WORKER_BUILD_BIN" "$WASM_BINDGEN_BIN" "$WASM_OPT_BIN" "$ESBUILD_BIN"; do
  if [[ ! -x "$tool" ]]; then
    log "missing $tool; run scripts/setup.sh first"
    exit 1
  fi
done

OUT="$ROOT/worker/build"
STAMP="$OUT/.inputs.sha256"

# Everything the output depends on: both crates' sources and manifests, the
# lock file, the tool versions and this script.
inputs_hash() {
  {
    find src worker/src -type f -name '*.rs' -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock worker/Cargo.toml README.md scripts/build-worker.sh
    printf '%s\n' "$WORKER_BUILD_BIN" "$WASM_BINDGEN_BIN" "$WASM_OPT_BIN" "$ESBUILD_BIN"
  } | sha256sum | cut -d' ' -f1
}

hash="$(inputs_hash)"
if [[ -f "$OUT/index.js" && -f "$OUT/index_bg.wasm" && -f "$STAMP" ]] \
  && [[ "$(cat "$STAMP")" == "$hash" ]]; then
  log "up to date ($OUT)"
  exit 0
fi

log "building (release)"
(cd worker && "$WORKER_BUILD_BIN" --release)
printf '%s\n' "$hash" >"$STAMP"
log "built $(wc -c <"$OUT/index_bg.wasm") bytes of wasm into $OUT"
