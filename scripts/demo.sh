#!/usr/bin/env bash
# Runs the edge worker end to end on this machine. It installs what is
# missing, builds the worker and the npm package, and starts demo/origin.mjs
# and the worker (`wrangler dev --local`, workerd) on 127.0.0.1. Then
# demo/send.mjs sends a signed example of every catalogue event plus a
# forged, a stale, a replayed and an unsigned delivery, and prints what the
# worker returned and what the origin received. The script stops everything
# it started on exit, and exits non-zero if any outcome differs from the
# expected one.
#
# With --keep (or KEEP_RUNNING=1), the origin and the worker keep running
# after the deliveries, so that the playground's Send can post to the worker,
# until Ctrl+C. The worker allows the playground's default origin,
# http://127.0.0.1:8788, through CORS_ALLOW_ORIGINS.
#
# SKIP_CHROMIUM defaults to 1 here, because the demo needs no browser.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

KEEP_RUNNING="${KEEP_RUNNING:-0}"
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP_RUNNING=1 ;;
    *)
      printf 'usage: scripts/demo.sh [--keep]\n  --keep  keep the origin and the worker running after the deliveries, until Ctrl+C\n' >&2
      exit 2
      ;;
  esac
done
PLAYGROUND_ORIGIN="http://127.0.0.1:8788"

log() { printf '[demo] %s\n' "$*" >&2; }

log "setup"
SKIP_CHROMIUM="${SKIP_CHROMIUM:-1}" scripts/setup.sh
log "building the worker"
scripts/build-worker.sh
if [[ -x scripts/build-pkg.sh ]]; then
  log "building the npm package"
  scripts/build-pkg.sh
fi
if [[ ! -f pkg/index.mjs ]]; then
  log "pkg/index.mjs is missing, and the origin checks the hop with it; run scripts/build-pkg.sh"
  exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/networked-demo.XXXXXX")"
ORIGIN_PID=""
WRANGLER_PID=""

# Stops what this script started: the origin by its PID, and wrangler with
# its workerd children by the process group that setsid gave it.
cleanup() {
  local status=$?
  if [[ -n "$WRANGLER_PID" ]] && kill -0 "$WRANGLER_PID" 2>/dev/null; then
    kill -TERM -- "-$WRANGLER_PID" 2>/dev/null || true
  fi
  if [[ -n "$ORIGIN_PID" ]] && kill -0 "$ORIGIN_PID" 2>/dev/null; then
    kill -TERM "$ORIGIN_PID" 2>/dev/null || true
  fi
  for _ in $(seq 50); do
    if ! kill -0 "$WRANGLER_PID" 2>/dev/null && ! kill -0 "$ORIGIN_PID" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  if [[ -n "$WRANGLER_PID" ]]; then kill -KILL -- "-$WRANGLER_PID" 2>/dev/null || true; fi
  if [[ -n "$ORIGIN_PID" ]]; then kill -KILL "$ORIGIN_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints a TCP port on 127.0.0.1 that is free right now.
free_port() {
  node -e 'const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Prints a random secret with a recognisable prefix.
random_secret() {
  node -e 'console.log(process.argv[1] + require("node:crypto").randomBytes(24).toString("base64url"))' "$1"
}

# Returns success when nothing listens on 127.0.0.1:$1.
port_is_free() {
  node -e 'const s = require("node:net").createServer();
    s.once("error", () => process.exit(1));
    s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close());' "$1"
}

ORIGIN_PORT="$(free_port)"
# A kept worker takes the port the playground's Send field starts with.
if [[ "$KEEP_RUNNING" == 1 ]] && port_is_free 8787; then
  WORKER_PORT=8787
else
  WORKER_PORT="$(free_port)"
fi
while [[ "$WORKER_PORT" == "$ORIGIN_PORT" ]]; do WORKER_PORT="$(free_port)"; done
WEBHOOK_SECRET="$(random_secret whsec_demo_)"
FORWARD_SECRET="$(random_secret fwd_demo_)"

# The secrets go to wrangler in a file of this run, not on the command line
# and not in the developer's own .dev.vars.
(umask 077 && printf 'WEBHOOK_SECRETS=%s\nFORWARD_SECRET=%s\n' "$WEBHOOK_SECRET" \
  "$FORWARD_SECRET" >"$WORK/secrets.env")

log "origin on 127.0.0.1:$ORIGIN_PORT"
FORWARD_SECRET="$FORWARD_SECRET" node demo/origin.mjs --port "$ORIGIN_PORT" \
  --record "$WORK/origin.jsonl" >"$WORK/origin.log" 2>&1 &
ORIGIN_PID=$!

log "worker on 127.0.0.1:$WORKER_PORT (wrangler dev --local)"
setsid "$ROOT/node_modules/.bin/wrangler" dev --local --ip 127.0.0.1 --port "$WORKER_PORT" \
  --show-interactive-dev-session=false --env-file "$WORK/secrets.env" \
  --var "ORIGIN_URL:http://127.0.0.1:$ORIGIN_PORT/webhooks/networked" \
  --var "CORS_ALLOW_ORIGINS:$PLAYGROUND_ORIGIN" \
  --persist-to "$WORK/state" >"$WORK/wrangler.log" 2>&1 </dev/null &
WRANGLER_PID=$!

# The worker responds to a GET with 405, so a 405 means it is up.
ready=0
for _ in $(seq 120); do
  if ! kill -0 "$WRANGLER_PID" 2>/dev/null || ! kill -0 "$ORIGIN_PID" 2>/dev/null; then
    break
  fi
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WORKER_PORT/" || true)"
  if [[ "$code" == 405 ]]; then
    ready=1
    break
  fi
  sleep 0.5
done
if [[ "$ready" != 1 ]]; then
  log "the worker or the origin did not start; their output:"
  tail -n 40 "$WORK/origin.log" "$WORK/wrangler.log" >&2
  exit 1
fi

log "sending deliveries"
echo
status=0
WEBHOOK_SECRET="$WEBHOOK_SECRET" node demo/send.mjs --url "http://127.0.0.1:$WORKER_PORT/" \
  --record "$WORK/origin.jsonl" || status=$?

echo
echo "What the origin printed:"
sed 's/^/  /' "$WORK/origin.log"
echo
echo "The worker's log lines:"
grep -o '{"outcome".*}' "$WORK/wrangler.log" | sed 's/^/  /' || true

if grep -qF -e "$WEBHOOK_SECRET" -e "$FORWARD_SECRET" "$WORK/wrangler.log" "$WORK/origin.log"; then
  log "a secret appeared in the output of the worker or the origin"
  status=1
fi

if [[ "$KEEP_RUNNING" == 1 ]]; then
  echo
  echo "The worker keeps running at http://127.0.0.1:$WORKER_PORT/ in front of the origin."
  echo "Start the playground with scripts/serve-playground.sh, open $PLAYGROUND_ORIGIN/,"
  echo "sign with the secret below, and Send to http://127.0.0.1:$WORKER_PORT/."
  # The secret is random and used by this run only, so showing it is safe.
  echo "  WEBHOOK_SECRETS: $WEBHOOK_SECRET"
  echo "Press Ctrl+C to stop the worker and the origin."
  # Waits until Ctrl+C, or until the worker or the origin exits.
  while kill -0 "$WRANGLER_PID" 2>/dev/null && kill -0 "$ORIGIN_PID" 2>/dev/null; do
    sleep 1
  done
  log "the worker or the origin stopped; their output:"
  tail -n 20 "$WORK/origin.log" "$WORK/wrangler.log" >&2
  status=1
fi
exit "$status"
