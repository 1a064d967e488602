#!/usr/bin/env bash
# Builds the playground and serves playground/dist/ on 127.0.0.1, port PORT
# (default 8788). Prints the URL to open; Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Installs the build tools on a fresh machine; the page itself needs no browser here.
SKIP_CHROMIUM="${SKIP_CHROMIUM:-1}" scripts/setup.sh
scripts/build-playground.sh
exec node scripts/static-server.mjs playground/dist
