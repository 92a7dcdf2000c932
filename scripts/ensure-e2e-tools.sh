#!/usr/bin/env bash
# Makes sure the end-to-end tools exist: Debian's chromium (the browser the tests drive) and libkrb5-dev
# (headers code-server's kerberos module builds against), then code-server itself in a cached tools folder.
# Idempotent and a fast no-op when everything is present.
#
#   bash scripts/ensure-e2e-tools.sh              # everything the e2e tests need
#   bash scripts/ensure-e2e-tools.sh --no-browser # code-server only (npm run example)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
need_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) need_browser=0 ;;
    *) echo "ensure-e2e-tools: unknown option '$arg' (expected --no-browser)" >&2; exit 2 ;;
  esac
done

log() { echo "[ensure-e2e-tools] $*" >&2; }

# Debian packages to install, each paired with a file that proves it is present.
missing=()
[ -e /usr/include/krb5.h ] || missing+=(libkrb5-dev)
command -v g++ >/dev/null && command -v make >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
if [ "$need_browser" = 1 ] && [ ! -x /usr/bin/chromium ] && [ -z "${LFSTUDIO_CHROMIUM:-}" ]; then
  missing+=(chromium)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "install them as root, then run this again:  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  if ! command -v apt-get >/dev/null; then
    log "missing packages (${missing[*]}) and no apt-get here; install their equivalents with your package manager"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh container has no package lists; refresh them only when an install fails for that reason.
  if ! apt-get install -y -qq "${missing[@]}" >&2; then
    apt-get update -qq >&2
    apt-get install -y -qq "${missing[@]}" >&2
  fi
fi

code_server="$(bash "$here/install-code-server.sh")"
if [ "$need_browser" = 1 ]; then
  log "ready: $code_server, ${LFSTUDIO_CHROMIUM:-/usr/bin/chromium}"
else
  log "ready: $code_server"
fi
