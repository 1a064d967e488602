#!/usr/bin/env bash
# Builds the playground and serves playground/dist/ on 127.0.0.1, port PORT
# (default 8788). Prints the URL to open; Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-playground.sh
exec node scripts/static-server.mjs playground/dist
