// The one build script: bundles the extension (node/cjs, `vscode` external), the language server and CLI
// (node), the LF sandbox worker and the label-model worker thread (node), and the webviews (browser).
// `--production` minifies for the package; development builds carry source maps. Pyodide's runtime files are
// copied beside the bundles because the sandbox loads them from disk, offline. `--cli` builds only what the
// `lf-studio` command runs (the CLI, the sandbox and label-model workers, pyodide): bin/lf-studio.js uses it
// when dist/cli.js is missing or older than its sources.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const cliOnly = process.argv.includes('--cli');
/** The bundles `lf-studio` needs at run time. */
const cliEntries = new Set(['cli', 'lfWorker', 'labelModelWorker', 'anthropic-sdk']);
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

/**
 * @anthropic-ai/sdk is its own bundle, dist/anthropic-sdk.js, required only when a run talks to the model
 * (lf-runtime/src/llm/anthropicSdk.ts): it is more than half of dist/cli.js and dist/extension.js otherwise,
 * compiled at every start.
 */
const lazySdk = {
  name: 'lazy-anthropic-sdk',
  setup(build) {
    build.onResolve({ filter: /^@anthropic-ai\/sdk$/ }, (args) => {
      if (args.kind !== 'require-call' || !args.importer.endsWith('anthropicSdk.ts')) {
        return { errors: [{ text: `import @anthropic-ai/sdk through lf-runtime/src/llm/anthropicSdk.ts (from ${args.importer}), so it stays out of the main bundles` }] };
      }
      return { path: './anthropic-sdk.js', external: true };
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

// jsonc-parser's default (UMD) build loads its parts with a require() esbuild cannot follow: take ES modules
// where a package ships them.
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], plugins: [problemMatcher, lazySdk] };

const builds = [
  { ...node, entryPoints: { extension: 'extension/main.ts' }, external: ['vscode'], outdir: 'dist' },
  {
    ...node,
    entryPoints: {
      server: 'lf-runtime/src/server/main.ts',
      cli: 'lf-runtime/src/cli/main.ts',
      lfWorker: 'lf-runtime/src/sandbox/worker/main.ts',
      labelModelWorker: 'lf-runtime/src/labelModel/fitWorker.ts',
      'anthropic-sdk': relative(root, require.resolve('@anthropic-ai/sdk')),
    },
    outdir: 'dist',
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { dashboard: 'webview/dashboard/main.ts', review: 'webview/review/main.ts', examples: 'webview/examples/main.ts' },
    outdir: 'dist/webview',
    loader: { ...common.loader, '.ttf': 'file', '.css': 'css' },
  },
];

const pyodideFiles = ['package.json', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'pyodide.js', 'pyodide.mjs', 'pyodide-lock.json', 'python_stdlib.zip'];

function copyPyodide() {
  const src = dirname(require.resolve('pyodide/package.json'));
  const dest = join(root, 'dist', 'pyodide');
  // The CLI-only build leaves a complete copy of the same version alone: a running runtime may be reading it.
  if (cliOnly && isCurrentCopy(src, dest)) return;
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const f of pyodideFiles) cpSync(join(src, f), join(dest, f));
}

function isCurrentCopy(src, dest) {
  if (!pyodideFiles.every((f) => existsSync(join(dest, f)))) return false;
  const version = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  return version(src) === version(dest);
}

const present = builds
  .map((b) => ({
    ...b,
    entryPoints: Object.fromEntries(
      Object.entries(b.entryPoints).filter(([name, p]) => existsSync(join(root, p)) && (!cliOnly || cliEntries.has(name))),
    ),
  }))
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

/**
 * The Python side of the native runtime (the user's own CPython runs these files from dist/python): the shared
 * runner, the native worker and guard stand-in, and the snorkel stand-in package as shim/snorkel.
 */
function copyPythonRuntime() {
  const src = join(root, 'lf-runtime', 'src', 'sandbox', 'python');
  const dest = join(root, 'dist', 'python');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(join(dest, 'shim'), { recursive: true });
  for (const module of ['lf_runner.py', 'lf_apply.py', 'lf_errors.py', 'lf_finders.py', 'lf_rows.py', 'lf_row_class.py', 'lf_nested.py', 'lf_votes.py', 'lf_statements.py', 'lf_structure.py', 'lf_ast.py', 'lf_cache_markers.py']) {
    cpSync(join(src, module), join(dest, module));
  }
  cpSync(join(src, 'native'), join(dest, 'native'), { recursive: true });
  cpSync(join(src, 'snorkel'), join(dest, 'shim', 'snorkel'), { recursive: true });
}

copyPyodide();
copyPythonRuntime();
if (production) removeSourceMaps(join(root, 'dist'));
if (watch) {
  for (const b of present) await (await esbuild.context(b)).watch();
  console.log('watching for changes');
} else {
  await Promise.all(present.map((b) => esbuild.build(b)));
}
