// The one build script: bundles the extension (node/cjs, `vscode` external), the language server and CLI
// (node), the LF sandbox worker and the label-model worker thread (node), and the webviews (browser).
// `--production` minifies for the package; development builds carry source maps. Pyodide's runtime files are
// copied beside the bundles because the sandbox loads them from disk, offline.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);

/** Prints esbuild problems in the `file:line:col: error: text` form VS Code problem matchers read. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of [...result.errors, ...result.warnings]) {
        if (location) console.error(`${location.file}:${location.line}:${location.column}: error: ${text}`);
        else console.error(`error: ${text}`);
      }
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  loader: { '.py': 'text' },
  plugins: [problemMatcher],
  absWorkingDir: root,
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

const builds = [
  { ...node, entryPoints: { extension: 'extension/main.ts' }, external: ['vscode'], outdir: 'dist' },
  {
    ...node,
    entryPoints: {
      server: 'lf-runtime/src/server/main.ts',
      cli: 'lf-runtime/src/cli/main.ts',
      lfWorker: 'lf-runtime/src/sandbox/worker/main.ts',
      labelModelWorker: 'lf-runtime/src/labelModel/fitWorker.ts',
    },
    outdir: 'dist',
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { dashboard: 'webview/dashboard/main.ts', review: 'webview/review/main.ts' },
    outdir: 'dist/webview',
    loader: { ...common.loader, '.ttf': 'file', '.css': 'css' },
  },
];

function copyPyodide() {
  const src = dirname(require.resolve('pyodide/package.json'));
  const dest = join(root, 'dist', 'pyodide');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const f of ['package.json', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'pyodide.js', 'pyodide.mjs', 'pyodide-lock.json', 'python_stdlib.zip']) {
    cpSync(join(src, f), join(dest, f));
  }
}

const present = builds
  .map((b) => ({ ...b, entryPoints: Object.fromEntries(Object.entries(b.entryPoints).filter(([, p]) => existsSync(join(root, p)))) }))
  .filter((b) => Object.keys(b.entryPoints).length > 0);

/** A production build must not ship maps a development build left behind. */
function removeSourceMaps(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removeSourceMaps(path);
    else if (entry.name.endsWith('.map')) rmSync(path);
  }
}

copyPyodide();
if (production) removeSourceMaps(join(root, 'dist'));
if (watch) {
  for (const b of present) await (await esbuild.context(b)).watch();
  console.log('watching for changes');
} else {
  await Promise.all(present.map((b) => esbuild.build(b)));
}
