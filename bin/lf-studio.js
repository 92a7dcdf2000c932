#!/usr/bin/env node
// The `lf-studio` command: runs the bundled CLI in dist/. In a checkout (lf-runtime/src present) it first builds
// that bundle when it is missing or older than its sources (`node scripts/build.mjs --cli`, a few seconds), so the
// command works right after `npm ci` and never runs code older than the sources.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
/** The other bundles the command loads: the sandbox and label-model workers, and the SDK (on first use). */
const companions = ['lfWorker.js', 'labelModelWorker.js', 'anthropic-sdk.js'].map((name) => join(root, 'dist', name));
const buildScript = join(root, 'scripts', 'build.mjs');
/** What dist/cli.js and the workers it starts are built from. */
const sources = [join(root, 'lf-runtime', 'src'), buildScript, join(root, 'package-lock.json')];

const fail = (message) => {
  process.stderr.write(`lf-studio: ${message}\n`);
  process.exit(2);
};

/** The most recently modified file under `paths` (files or folders). */
function newestFile(paths) {
  let newest = { path: '', mtimeMs: -Infinity };
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    const found = stat.isDirectory()
      ? newestFile(readdirSync(path).map((name) => join(path, name)))
      : { path, mtimeMs: stat.mtimeMs };
    if (found.mtimeMs > newest.mtimeMs) newest = found;
  }
  return newest;
}

/** Why dist/cli.js must be built first, or null when it is current (or there are no sources to build from). */
function reasonToBuild() {
  if (!existsSync(sources[0]) || !existsSync(buildScript)) return null;
  for (const bundle of [cli, ...companions]) if (!existsSync(bundle)) return `${relative(root, bundle)} is missing`;
  const newest = newestFile(sources);
  if (newest.mtimeMs > statSync(cli).mtimeMs) return `${relative(root, newest.path)} is newer than ${relative(root, cli)}`;
  return null;
}

function esbuildInstalled() {
  try {
    require.resolve('esbuild', { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

const reason = reasonToBuild();
if (reason !== null) {
  if (!esbuildInstalled()) {
    if (!existsSync(cli)) fail(`${reason} and esbuild (a dev dependency) is not installed; run \`npm ci\` in ${root}.`);
    process.stderr.write(`lf-studio: warning: ${reason}, but esbuild is not installed to rebuild it; running the old build.\n`);
  } else {
    process.stderr.write(`lf-studio: ${reason}; building it (node scripts/build.mjs --cli)\n`);
    // The build's own output goes to stderr, so stdout carries only the command's result.
    const build = spawnSync(process.execPath, [buildScript, '--cli'], { cwd: root, stdio: ['ignore', 2, 2] });
    if (build.status !== 0) fail(`building ${relative(root, cli)} failed (see above).`);
  }
}
if (!existsSync(cli)) fail(`${cli} is missing; run \`npm run build\` in ${root} first.`);
require(cli);
