#!/usr/bin/env bash
# Runs every check and test on a fresh machine. It installs what is missing,
# then lints and tests the core crate and its no_std builds. It builds the npm
# package and tests it in Node, Deno and workerd, then tests the edge worker in
# workerd and the playground in headless Chromium.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step() { printf '\n== %s\n' "$*" >&2; }

step "setup"
scripts/setup.sh

step "format and lints"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p networked-webhooks --all-targets --features js -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --locked --quiet --no-deps -p networked-webhooks

step "core crate tests"
cargo test --locked -p networked-webhooks

step "no_std builds (default features off)"
for target in wasm32-unknown-unknown thumbv7em-none-eabi; do
  cargo rustc --locked --quiet --lib --release -p networked-webhooks --no-default-features \
    --target "$target" --crate-type rlib
  echo "built for $target" >&2
done

step "npm package in Node and Deno"
scripts/build-pkg.sh
node --test tests/js/ tests/workerd/
# --no-check: the tests are plain JavaScript, and type checking would look for @types/node.
"$DENO_BIN" test --quiet --no-check tests/deno/
"$DENO_BIN" check --quiet tests/deno/types.ts

step "edge worker in workerd"
scripts/build-worker.sh
node --test tests/worker/

step "playground in Chromium"
scripts/build-playground.sh
node --test tests/playground/

step "all tests passed"
