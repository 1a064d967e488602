#!/usr/bin/env bash
# Builds the npm package into pkg/ from pkg-template/ and the core crate's
# wasm: one wasm-bindgen build per target (nodejs, bundler for Deno, web for
# browsers and workerd), each shrunk by wasm-opt from npm.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

OUT="$ROOT/pkg"
WASM="$ROOT/target/wasm32-unknown-unknown/release/networked_webhooks.wasm"

cargo build --quiet --locked --release --target wasm32-unknown-unknown --features js --lib \
  -p networked-webhooks

rm -rf "$OUT"
mkdir -p "$OUT/wasm"
cp -R pkg-template/src pkg-template/*.mjs pkg-template/index.d.ts pkg-template/package.json \
  pkg-template/README.md "$OUT/"

for target in nodejs bundler web; do
  dir="$OUT/wasm/${target/nodejs/node}"
  "$WASM_BINDGEN_BIN" --target "$target" --out-dir "$dir" --no-typescript \
    --remove-name-section --remove-producers-section "$WASM"
  "$WASM_OPT_BIN" -Oz "$dir/networked_webhooks_bg.wasm" -o "$dir/networked_webhooks_bg.wasm"
done
# The nodejs glue is CommonJS inside a "type": "module" package.
echo '{ "type": "commonjs" }' > "$OUT/wasm/node/package.json"

"$ESBUILD_BIN" pkg-template/node-entry.js --bundle --format=cjs --platform=node \
  --external:./wasm/* --outfile="$OUT/index.cjs" --log-level=warning

raw=$(stat -c %s "$OUT/wasm/web/networked_webhooks_bg.wasm")
gzipped=$(gzip -9 -c "$OUT/wasm/web/networked_webhooks_bg.wasm" | wc -c)
echo "built pkg/: wasm $raw bytes raw, $gzipped bytes gzip -9" >&2
