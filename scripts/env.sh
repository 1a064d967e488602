# Shared settings for the build, demo and test scripts. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"

# wasm-bindgen-cli must match the wasm-bindgen crate that Cargo.lock pins.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print }' \
  "$ROOT/Cargo.lock")"
WORKER_BUILD_VERSION="0.8.7"

export WASM_BINDGEN_BIN="$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION/bin/wasm-bindgen"
export WORKER_BUILD_BIN="$TOOLS/worker-build-$WORKER_BUILD_VERSION/bin/worker-build"
# wasm-opt and esbuild come from npm; Debian's binaryen 108 breaks wasm-bindgen output.
export WASM_OPT_BIN="$ROOT/node_modules/binaryen/bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/esbuild/bin/esbuild"
export DENO_BIN="$ROOT/node_modules/.bin/deno"
export CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

# Keep wrangler, Miniflare and Deno offline and quiet.
export WRANGLER_SEND_METRICS=false
export WRANGLER_SEND_ERROR_REPORTS=false
export WRANGLER_HIDE_BANNER=true
export CLOUDFLARE_CF_FETCH_ENABLED=false
export DENO_NO_UPDATE_CHECK=1
