#!/usr/bin/env bash
# The README's first command, checked as a new user meets it: `npm run example` exactly as written, on a
# clean HOME (so it installs code-server itself), until it prints its URL; then Chromium loads that URL, opens
# lfs.py and must see a CodeLens with figures; then the example is stopped the way a user stops it.
#
#   bash scripts/check-first-run.sh [HOME_DIR]   # HOME_DIR defaults to a new temporary folder
#
# CI runs it on a fresh clone (.ci/run). Artifacts: test-results/first-run-example.log, first-run.png.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${1:-$(mktemp -d /tmp/lf-studio-first-run-home.XXXXXX)}"
mkdir -p "$home" "$root/test-results"
log="$root/test-results/first-run-example.log"
: >"$log"
log_line() { echo "[first-run] $*" >&2; }

log_line "HOME=$home npm run example (log: $log)"
# Its own session, so one signal reaches npm, the example script and everything they started.
(cd "$root" && exec env HOME="$home" setsid npm run example </dev/null >"$log" 2>&1) &
example_pid=$!

stop_example() {
  if kill -0 "$example_pid" 2>/dev/null; then
    log_line "stopping the example (SIGTERM to its process group)"
    kill -TERM -- "-$example_pid" 2>/dev/null || kill -TERM "$example_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$example_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$example_pid" 2>/dev/null || true
  fi
}
trap stop_example EXIT

url=""
# A clean HOME installs code-server (several minutes on 2 cores): allow 40 minutes in all.
deadline=$((SECONDS + 2400))
while [ -z "$url" ]; do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/?folder=[^[:space:]]*' "$log" | head -n 1 || true)"
  [ -n "$url" ] && break
  if ! kill -0 "$example_pid" 2>/dev/null; then
    log_line "npm run example exited before printing its URL; the end of its output:"
    tail -n 40 "$log" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    log_line "npm run example printed no URL within 40 minutes; the end of its output:"
    tail -n 40 "$log" >&2
    exit 1
  fi
  sleep 1
done
log_line "the example printed $url"

cd "$root"
node --import tsx test/e2e/firstRun.check.ts "$url"
