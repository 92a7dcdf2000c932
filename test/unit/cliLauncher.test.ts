// bin/lf-studio.js in a fresh checkout: no dist/ yet, then a dist/ older than the sources, then no esbuild.
// Each case runs the launcher in a temporary copy of what it needs, so the repository's own dist/ is never touched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const repo = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'lf-launcher-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A checkout without dist/: the launcher, the build script, the runtime sources and (optionally) node_modules. */
function checkout(name: string, withDependencies: boolean): string {
  const dir = join(scratch, name);
  for (const path of ['bin/lf-studio.js', 'scripts/build.mjs', 'lf-runtime', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    cpSync(join(repo, path), join(dir, path), { recursive: true });
  }
  if (withDependencies) symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

const lfStudio = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(dir, 'bin', 'lf-studio.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });

/** Moves the times of a file (or of every file under a folder) back by `seconds`, so anything written since is newer. */
function age(path: string, seconds = 60): void {
  const past = new Date(Date.now() - seconds * 1000);
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), past, past);
    }
  } else {
    utimesSync(path, past, past);
  }
}

describe('lf-studio launcher', () => {
  const dir = checkout('fresh', true);
  const cli = join(dir, 'dist', 'cli.js');

  it('builds dist/ when it is missing, then runs the command', () => {
    assert.equal(existsSync(cli), false);
    const r = lfStudio(dir, '--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: lf-studio <command>/);
    for (const command of ['analyze', 'fit', 'generate']) assert.match(r.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.match(r.stderr, /dist\/cli\.js is missing; building it/);
    for (const file of ['cli.js', 'lfWorker.js', 'labelModelWorker.js', 'anthropic-sdk.js', 'pyodide/package.json', 'pyodide/pyodide.asm.wasm']) {
      assert.ok(existsSync(join(dir, 'dist', file)), `dist/${file} is built`);
    }
  });

  it('runs a current build without building again', () => {
    for (const source of ['lf-runtime', 'scripts/build.mjs', 'package-lock.json']) age(join(dir, source), 120);
    age(cli);
    const before = statSync(cli).mtimeMs;
    const run = lfStudio(dir, '--help');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.equal(statSync(cli).mtimeMs, before, 'dist/cli.js is not rewritten');
  });

  it('rebuilds when a bundle the command loads is missing though dist/cli.js is current', () => {
    for (const source of ['lf-runtime', 'scripts/build.mjs', 'package-lock.json']) age(join(dir, source), 120);
    rmSync(join(dir, 'dist', 'anthropic-sdk.js'));
    const r = lfStudio(dir, '--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /dist\/anthropic-sdk\.js is missing; building it/);
    assert.ok(existsSync(join(dir, 'dist', 'anthropic-sdk.js')));
  });

  it('rebuilds when a source is newer than dist/cli.js, so the output follows the edit', () => {
    const main = join(dir, 'lf-runtime', 'src', 'cli', 'main.ts');
    const marker = `edited at ${Date.now()}`;
    writeFileSync(main, `${readFileSync(main, 'utf8')}\nprocess.stdout.write(${JSON.stringify(marker + '\n')});\n`);
    age(cli);
    const r = lfStudio(dir, '--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /lf-runtime\/src\/cli\/main\.ts is newer than dist\/cli\.js; building it/);
    assert.ok(r.stdout.includes(marker), `the rebuilt CLI prints the marker; stdout: ${r.stdout}`);
    assert.match(r.stdout, /lf-studio <command>/);
  });

  it('without esbuild: a stale build runs with a warning, a missing one is a one-line error', () => {
    const bare = checkout('no-dependencies', false);
    const missing = lfStudio(bare, '--help');
    assert.equal(missing.status, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^lf-studio: dist\/cli\.js is missing and esbuild \(a dev dependency\) is not installed; run `npm ci` in .+\.\n$/);

    cpSync(join(dir, 'dist'), join(bare, 'dist'), { recursive: true });
    age(join(bare, 'dist', 'cli.js'));
    const stale = lfStudio(bare, '--help');
    assert.equal(stale.status, 0, stale.stderr);
    assert.match(stale.stderr, /warning: .* is newer than dist\/cli\.js, but esbuild is not installed to rebuild it; running the old build/);
    assert.match(stale.stdout, /lf-studio <command>/);
  });
});
