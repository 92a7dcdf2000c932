#!/usr/bin/env bash
# `npm run example`: builds LF Studio, installs it into a private code-server (a real VS Code in the
# browser) and opens the YouTube spam example there. Works on a fresh machine: installs npm dependencies
# and code-server as needed. Runs in the foreground; Ctrl-C stops code-server and everything it started.
#
#   PORT=8080 npm run example      # port on 127.0.0.1 (default 8080)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${PORT:-8080}"
state="${LFSTUDIO_EXAMPLE_HOME:-$HOME/.cache/lf-studio/example}"
workspace="$root/examples/youtube-spam"
vsix="$root/dist/lf-studio.vsix"

# Who started this (npm, and the shell npm runs it in): when they are gone (npm killed without a Ctrl-C to the
# whole terminal), code-server is stopped too rather than left answering on the port.
launchers="$PPID $(ps -o ppid= -p "$PPID" 2>/dev/null | tr -d ' ' || true)"

log() { echo "[example] $*" >&2; }
phase() { log "$1"; phase_started=$SECONDS; }
done_phase() { log "  done in $((SECONDS - phase_started)) s"; }

if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  log "PORT must be a number from 1 to 65535 (got '$port')"
  exit 2
fi
# Fail early with a useful message instead of code-server's EADDRINUSE stack trace.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  log "port $port on 127.0.0.1 is already in use; pick another one: PORT=8081 npm run example"
  exit 1
fi

cd "$root"
if [ ! -d node_modules ]; then
  phase "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  done_phase
fi

phase "checking code-server (installed once into ~/.cache/lf-studio/tools)"
bash "$root/scripts/ensure-e2e-tools.sh" --no-browser
code_server="$(bash "$root/scripts/install-code-server.sh")"
done_phase

if [ -n "${LFSTUDIO_VSIX:-}" ]; then
  # A package built elsewhere (e.g. a release artifact) skips the build.
  vsix="$LFSTUDIO_VSIX"
  [ -f "$vsix" ] || { log "LFSTUDIO_VSIX points to $vsix, which does not exist"; exit 1; }
else
  phase "building the extension package (npm run package)"
  if ! npm run --silent package || [ ! -f "$vsix" ]; then
    log "npm run package did not produce $vsix; fix the build errors above and run this again"
    exit 1
  fi
  done_phase
fi

mkdir -p "$state/user-data/User" "$state/extensions"
# Quiet, offline-friendly defaults; written once so the user's own changes survive later runs.
settings="$state/user-data/User/settings.json"
if [ ! -f "$settings" ]; then
  cat >"$settings" <<'JSON'
{
  "chat.disableAIFeatures": true,
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "security.workspace.trust.enabled": false
}
JSON
fi
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" >"$state/config.yaml"

# Inside a VS Code terminal this variable would send code-server's CLI to that other VS Code.
unset VSCODE_IPC_HOOK_CLI
phase "installing the extension into $state/extensions"
"$code_server" --user-data-dir "$state/user-data" --extensions-dir "$state/extensions" \
  --install-extension "$vsix" --force >&2
done_phase

# setsid: code-server leads its own process group, so cleanup can stop it and every helper it spawns
# (extension hosts, file watchers, the LF runtime) with one signal.
setsid "$code_server" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --reconnection-grace-time 10 \
  --user-data-dir "$state/user-data" --extensions-dir "$state/extensions" --config "$state/config.yaml" \
  "$workspace" >"$state/code-server.log" 2>&1 &
server_pid=$!

cleanup() {
  trap - INT TERM EXIT
  if kill -0 "$server_pid" 2>/dev/null; then
    log "stopping code-server"
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  kill -KILL -- "-$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

url="http://127.0.0.1:$port/?folder=$workspace"
# Wait for the health endpoint (code-server answers within a second or two; allow a minute).
healthy=0
for _ in $(seq 200); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    log "code-server exited during startup; its log ($state/code-server.log):"
    tail -n 30 "$state/code-server.log" >&2
    exit 1
  fi
  if node -e "fetch('http://127.0.0.1:$port/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    healthy=1
    break
  fi
  sleep 0.2
done
if [ "$healthy" = 0 ]; then
  log "code-server did not answer on port $port within a minute; its log ($state/code-server.log):"
  tail -n 30 "$state/code-server.log" >&2
  exit 1
fi

echo
echo "LF Studio is running in VS Code (code-server). Open this URL in a browser:"
echo
echo "    $url"
echo
echo "Open lfs.py to see each labeling function's coverage above it; 'LF Studio: Open Dashboard' in the"
echo "command palette shows the whole table. Log: $state/code-server.log. Press Ctrl-C to stop."
while kill -0 "$server_pid" 2>/dev/null; do
  for pid in $launchers; do
    if [ "$pid" -gt 1 ] && ! kill -0 "$pid" 2>/dev/null; then
      log "the command that started this has stopped"
      exit 0
    fi
  done
  sleep 1
done
log "code-server stopped; its log: $state/code-server.log"
exit 1
