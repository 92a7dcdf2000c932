/**
 * The sandbox worker: a separate Node process (bundled to dist/lfWorker.js) that hosts pyodide and runs
 * labeling functions. The parent starts it without its own environment, Node's permission model (read access
 * to dist/ and the snapshot only, no child processes, no writes) and, where possible, no network. Here we
 * add the interpreter-level layer: JavaScript bridges unregistered, function constructors neutered, the
 * Python guard installed (see python/lf_guard.py). Requests arrive as JSON lines on stdin (a `load` followed
 * by its binary frame of rows); replies go to stdout, which nothing else in this process may write to.
 */
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import { encodeRows } from '../rowPayload.ts';
import { RequestReader, type LoadFrame, type Received } from './requestReader.ts';
import { MAX_MISS_CHARS, MAX_MISSES, type ApplyRequest, type PrepareRequest, type PreparedMessage, type WorkerMessage, type WorkerRequest } from '../wireProtocol.ts';
import { PYTHON_FILES } from './pythonFiles.ts';

type LoadPyodide = (options: Record<string, unknown>) => Promise<PyodideAPI>;

// Keep the real stdout writer to ourselves: everything else that prints goes to stderr.
const stdoutWrite = process.stdout.write.bind(process.stdout);
console.log = console.info = console.warn = console.error;

function send(message: WorkerMessage): void {
  stdoutWrite(JSON.stringify(message) + '\n');
}

function arg(name: string): string | null {
  const prefix = `--${name}=`;
  const found = process.argv.find((a) => a.startsWith(prefix));
  return found ? found.slice(prefix.length) : null;
}

/** Emscripten asks process.binding('constants') for open flags; the permission model refuses binding(). */
function shimProcessBinding(): void {
  const proc = process as unknown as { binding: (name: string) => unknown };
  const original = proc.binding.bind(process);
  proc.binding = (name: string) => {
    if (name === 'constants') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return { fs: require('node:fs').constants, os: require('node:os').constants };
    }
    return original(name);
  };
}

/**
 * Any JavaScript function that reaches Python would hand it `fn.constructor` = Function, i.e. eval in the
 * worker. Remove that route for every kind of function, and freeze the stack-trace hooks.
 */
function neuterFunctionConstructors(): void {
  const prototypes = [
    Function.prototype,
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ];
  for (const proto of prototypes) {
    Object.defineProperty(proto, 'constructor', { value: undefined, writable: false, configurable: false });
  }
  Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
}

/**
 * After start-up pyodide still refers to buffers it no longer needs: the snapshot bytes (a copy of the
 * ~30 MB wasm memory, kept in its config) and the wasm binary (kept by the instantiation callback). Drop
 * them so the collector can return them to the system.
 */
function releaseStartupBuffers(py: PyodideAPI, options: Record<string, unknown>): void {
  delete options._loadSnapshot;
  const internals = py as unknown as { _api?: { config?: Record<string, unknown> }; _module?: Record<string, unknown> };
  if (internals._api?.config) delete internals._api.config._loadSnapshot;
  if (internals._module) {
    for (const key of ['instantiateWasm', 'wasmBinary', 'preRun']) delete internals._module[key];
  }
}

/**
 * A full collection, taken from a throwaway context so no collector function is ever reachable from this
 * context's globals. Used after a large dataset load and after the warm-up: each leaves tens of megabytes
 * of garbage (the payload line, its copies for Python) that V8 would otherwise keep until it next needs
 * room. Obtained on first use: changing V8 flags makes Node compile its own later-loaded modules without
 * their code cache, which start-up should not pay for.
 */
let collector: (() => void) | null = null;
function collectGarbage(): void {
  try {
    if (!collector) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const v8 = require('node:v8') as typeof import('node:v8');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const vm = require('node:vm') as typeof import('node:vm');
      v8.setFlagsFromString('--expose-gc');
      collector = vm.runInNewContext('gc') as () => void;
      v8.setFlagsFromString('--no-expose-gc');
    }
    collector();
  } catch {
    // Only memory is at stake: the collector still runs on its own.
    collector = () => undefined;
  }
}

/** A dataset frame above this size leaves enough garbage to be worth a collection (~20 ms) right away. */
const LARGE_FRAME_BYTES = 1024 * 1024;
/** Where a frame of rows waits, in the in-memory filesystem, while Python reads it. */
const ROWS_FILE = '/tmp/.lf-studio-rows';

interface Runtime {
  py: PyodideAPI;
  /** Takes the path of a frame of rows (rowPayload.ts) in the in-memory filesystem. */
  loadDataset: PyProxy & ((framePath: string) => PyProxy);
  parse: PyProxy & ((source: string) => string);
  /** (JSON text, the unit or None): the unit goes back to runLf as is (lf_runner.prepare). */
  prepare: PyProxy & ((file: string, source: string, siblings: string, root: string) => PyProxy);
  runLf: PyProxy &
    ((dataset: PyProxy, unit: PyProxy, fresh: boolean, index: number, name: string, k: number, budgetS: number) => string);
  datasetSize: PyProxy & ((dataset: PyProxy) => number);
  /** The folders LF code listed, as a JSON list (lf_guard.listed_folders). */
  listedFolders: PyProxy & (() => string);
}

async function startRuntime(): Promise<Runtime> {
  const t0 = performance.now();
  const indexURL = arg('index-url');
  if (!indexURL) throw new Error('lfWorker: --index-url=<dist/pyodide/> is required');
  const snapshotPath = arg('snapshot');
  const makeSnapshot = process.argv.includes('--make-snapshot');
  shimProcessBinding();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadPyodide } = require(`${indexURL}pyodide.js`) as { loadPyodide: LoadPyodide };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  const options: Record<string, unknown> = {
    indexURL,
    // The `js` module would be globalThis; give Python an empty object instead.
    jsglobals: Object.create(null),
    env: {},
    stdin: () => null,
    stdout: () => undefined,
    stderr: () => undefined,
    checkAPIVersion: true,
  };
  let fromSnapshot = false;
  if (snapshotPath) {
    try {
      options._loadSnapshot = fs.readFileSync(snapshotPath);
      fromSnapshot = true;
    } catch {
      // Unreadable snapshot: start cold; the parent will notice fromSnapshot=false.
    }
  } else if (makeSnapshot) {
    options._makeSnapshot = true;
  }
  const py = await loadPyodide(options);
  releaseStartupBuffers(py, options);
  const tLoaded = performance.now();
  // From a snapshot every runtime module is already imported (the files live only in the JavaScript-side
  // filesystem, which snapshots do not keep, and nothing needs to read them again).
  if (!fromSnapshot) {
    const site = py.runPython('import sys; f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"') as string;
    for (const [rel, text] of Object.entries(PYTHON_FILES)) {
      const full = `${site}/${rel}`;
      py.FS.mkdirTree(full.slice(0, full.lastIndexOf('/')));
      py.FS.writeFile(full, text);
    }
  }
  const tFiles = performance.now();
  py.runPython('import lf_guard, lf_runner\nlf_guard.preload()');
  const tImports = performance.now();
  if (makeSnapshot && !fromSnapshot) {
    const bytes = py.makeMemorySnapshot();
    send({ type: 'snapshot', data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') });
  }
  const runner = py.pyimport('lf_runner') as PyProxy & Record<string, unknown>;
  const runtime: Runtime = {
    py,
    loadDataset: runner.load_dataset as Runtime['loadDataset'],
    parse: runner.parse_structure as Runtime['parse'],
    prepare: runner.prepare as Runtime['prepare'],
    runLf: runner.run_lf as Runtime['runLf'],
    datasetSize: py.runPython('lambda d: len(d[1])') as Runtime['datasetSize'],
    listedFolders: py.runPython('import lf_guard\nlf_guard.listed_folders') as Runtime['listedFolders'],
  };
  // `runner` stays alive: its attribute proxies above are borrowed from it.
  for (const name of ['js', 'pyodide_js']) {
    try {
      py.unregisterJsModule(name);
    } catch {
      // Not registered in this pyodide version: nothing to remove.
    }
  }
  let installError = py.runPython(
    "import lf_guard, traceback\ntry:\n    _e = 'ok ' + str(lf_guard.install())\n    _closed = lf_guard.bridges_closed()\nexcept BaseException:\n    _e = traceback.format_exc()\n    _closed = False\ndel lf_guard, traceback\nf'{_closed:d}{_e}'",
  ) as string;
  const bridgesRemoved = installError.startsWith('1');
  installError = installError.slice(1);
  if (!installError.startsWith('ok ')) throw new Error(`the sandbox guard did not install: ${installError}`);
  const tInstalled = performance.now();
  neuterFunctionConstructors();
  const mu = process.memoryUsage();
  const rss = `${Math.round(mu.rss / 1048576)} (heap ${Math.round(mu.heapUsed / 1048576)}, external ${Math.round(mu.external / 1048576)}, buffers ${Math.round(mu.arrayBuffers / 1048576)})`;
  const ms = (a: number, b: number): number => Math.round(b - a);
  process.stderr.write(
    `ready: pyodide ${ms(t0, tLoaded)} ms, files ${ms(tLoaded, tFiles)}, imports ${ms(tFiles, tImports)}, guard ${ms(tImports, tInstalled)} ${installError.slice(3)}, total ${ms(t0, performance.now())} ms, rss ${rss} MB\n`,
  );
  send({
    type: 'ready',
    loadMs: Math.round(performance.now() - t0),
    fromSnapshot,
    bridgesRemoved,
    pyodideVersion: py.version,
  });
  return runtime;
}

const datasets = new Map<string, PyProxy>();

/**
 * Python errors are caught inside the runner; anything that escapes to here is the interpreter itself
 * failing (os._exit, a fatal error, a blown stack). Its state can no longer be trusted: exit, and let the
 * parent mark the running LF as a crash and start a fresh process.
 */
function guarded<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    process.stderr.write(`python runtime failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(70);
  }
}

/**
 * The file the last `prepare` executed: `apply` runs its LFs (each in a fresh copy of the module). `unit` is
 * what lf_runner.prepare returned for them, held here rather than in a Python global that the file's code
 * could reach; `fresh` holds until an LF has run, so only the first one uses the execution prepare left.
 */
let preparedFile: { req: PrepareRequest; lfs: { name: string; line: number }[]; unit: PyProxy | null; fresh: boolean } | null = null;

/** lf_runner.prepare's (JSON text, unit or None), unpacked; the caller owns the unit's proxy. */
function callPrepare(rt: Runtime, file: string, source: string, siblings: string, root = ''): { text: string; unit: PyProxy | null } {
  const pair = rt.prepare(file, source, siblings, root);
  try {
    const unit = pair.get(1) as PyProxy | undefined;
    return { text: pair.get(0) as string, unit: unit ?? null };
  } finally {
    pair.destroy();
  }
}

/**
 * Workspace files for the unit: the parent sends those the file needs (pyodide reads no host files), and the
 * worker notes every path under the watched folder that Python looked up and did not find (open, stat,
 * exists...), so the parent can send those too and run the unit again. The wrapper is the JavaScript side
 * of the filesystem, out of reach of Python code.
 */
const missed = new Set<string>();
let watchPrefix = '';
let lookupWrapped = false;

interface EmscriptenFs {
  lookupPath(path: string, opts?: unknown): unknown;
  open(path: string, flags?: unknown, mode?: unknown): unknown;
  cwd(): string;
  mkdirTree(path: string): void;
  chdir(path: string): void;
  writeFile(path: string, data: Uint8Array | string): void;
  unlink(path: string): void;
}

function watchMisses(rt: Runtime, folder: string): void {
  const fs = rt.py.FS as unknown as EmscriptenFs;
  watchPrefix = folder ? `${folder.replace(/\/+$/, '')}/` : '';
  if (lookupWrapped || !watchPrefix) return;
  lookupWrapped = true;
  const note = (path: unknown, err: unknown): void => {
    if (!watchPrefix || typeof path !== 'string' || (err as { errno?: number } | null)?.errno !== 44) return;
    const full = path.startsWith('/') ? path : `${fs.cwd().replace(/\/+$/, '')}/${path}`;
    if (full.startsWith(watchPrefix) && full.length <= MAX_MISS_CHARS && missed.size < MAX_MISSES) missed.add(full);
  };
  // Every path lookup (stat, exists, listdir of a missing folder's parent...) and every open (which looks up
  // its last component leniently and fails on its own).
  for (const name of ['lookupPath', 'open'] as const) {
    const original = (fs[name] as (...args: unknown[]) => unknown).bind(fs);
    (fs as unknown as Record<string, unknown>)[name] = (path: unknown, ...rest: unknown[]): unknown => {
      try {
        return original(path, ...rest);
      } catch (err) {
        note(path, err);
        throw err;
      }
    };
  }
}

/**
 * The paths to report: those looked up and not found, and the folders under the watched one that LF code listed
 * (lf_guard notes them; the import system's own listings are not among them). A listed folder holds here
 * only the files sent so far: the parent sends its files, and those added to it since on later runs.
 */
function missedPaths(rt: Runtime): string[] {
  const out = new Set(missed);
  for (const path of JSON.parse(rt.listedFolders()) as unknown[]) {
    if (typeof path !== 'string' || out.size >= MAX_MISSES) continue;
    const folder = path.replace(/\/+$/, '') || '/';
    if (watchPrefix && `${folder}/`.startsWith(watchPrefix) && folder.length <= MAX_MISS_CHARS) out.add(folder);
  }
  return [...out];
}

function writeResources(rt: Runtime, req: PrepareRequest): void {
  const fs = rt.py.FS as unknown as EmscriptenFs;
  const dir = req.file.includes('/') ? req.file.slice(0, req.file.lastIndexOf('/')) : '';
  if (req.watch && dir.startsWith('/')) {
    // Relative paths to resource files resolve beside the LF file, as when Python runs it from its folder.
    fs.mkdirTree(dir);
    fs.chdir(dir);
  }
  if (!req.resources) return;
  for (const [path, b64] of Object.entries(JSON.parse(req.resources) as Record<string, string>)) {
    fs.mkdirTree(path.slice(0, path.lastIndexOf('/')) || '/');
    fs.writeFile(path, Buffer.from(b64, 'base64'));
  }
}

function prepareFile(rt: Runtime, req: PrepareRequest): void {
  watchMisses(rt, req.watch ?? '');
  writeResources(rt, req);
  const { text, unit } = guarded(() => callPrepare(rt, req.file, req.source, req.siblings, req.root ?? ''));
  const prepared = JSON.parse(text) as {
    fileError: null;
    lfs: { name: string; line: number; listed?: boolean }[];
    problems?: PreparedMessage['problems'];
  };
  preparedFile?.unit?.destroy();
  preparedFile = { req, lfs: prepared.lfs, unit, fresh: true };
  send({ type: 'prepared', id: req.id, fileError: prepared.fileError, lfs: prepared.lfs, ...(prepared.problems?.length ? { problems: prepared.problems } : {}) });
}

/** Runs the requested LFs synchronously: no event-loop turn between LFs where leftover callbacks could run. */
function applyLfs(rt: Runtime, req: ApplyRequest): void {
  const dataset = datasets.get(req.key);
  const prepared = preparedFile;
  if (!dataset || !prepared?.unit) {
    send({ type: 'failed', id: req.id, message: dataset ? 'no file was prepared in the worker' : `dataset ${req.key} is not loaded in the worker` });
    return;
  }
  const { lfs, unit } = prepared;
  for (const index of req.indices) {
    const lf = lfs[index];
    if (!lf) break;
    send({ type: 'lfStart', id: req.id, index });
    const t0 = performance.now();
    const fresh = prepared.fresh;
    prepared.fresh = false;
    const result = guarded(() => rt.runLf(dataset, unit, fresh, index, lf.name, req.cardinality, req.timeoutMs / 1000));
    const durationMs = Math.round((performance.now() - t0) * 10) / 10;
    // The runner's JSON is forwarded without re-parsing; the parent validates it.
    stdoutWrite(`{"type":"lfDone","id":${req.id},"durationMs":${durationMs},"result":${result}}\n`);
  }
  send({ type: 'applied', id: req.id });
}

/**
 * wasm functions are compiled on first use, so a fresh process runs its first real file slowly. Running a
 * small file through the same paths (JSON rows, module execution, regex and string LFs) right after start
 * moves that cost to a moment when the parent is usually still reading its data.
 */
const WARM_UP_SOURCE = `import re
from snorkel.labeling import labeling_function
@labeling_function()
def warm_keyword(x):
    return 1 if "my" in x.text.lower() or any(w in x["text"] for w in ("plz", "please")) else -1
@labeling_function()
def warm_regex(x):
    return 1 if re.search(r"check.*out", x.text, flags=re.I) else (0 if len(x.text.split()) < 5 else None)
`;

/** The rows of a frame (rowPayload.ts) as Python holds them. */
function loadFrame(rt: Runtime, frame: Buffer): PyProxy {
  // Python reads the frame from the in-memory filesystem: no JavaScript object reaches it.
  const fs = rt.py.FS as unknown as EmscriptenFs;
  fs.writeFile(ROWS_FILE, frame);
  try {
    return rt.loadDataset(ROWS_FILE);
  } finally {
    fs.unlink(ROWS_FILE);
  }
}

function warmUp(rt: Runtime): void {
  const texts = Array.from({ length: 400 }, (_, i) => (i % 3 ? `Check out my channel ${i} please` : `nice song ${i}`));
  const dataset = loadFrame(rt, Buffer.concat(encodeRows(['text'], [texts], texts.length)));
  rt.parse(WARM_UP_SOURCE);
  const { text, unit } = callPrepare(rt, '/warm_up.py', WARM_UP_SOURCE, '');
  const prepared = JSON.parse(text) as { lfs: { name: string }[] };
  if (unit) prepared.lfs.forEach((lf, i) => rt.runLf(dataset, unit, i === 0, i, lf.name, 2, 5));
  unit?.destroy();
  dataset.destroy();
  collectGarbage();
}

async function main(): Promise<void> {
  // Listen on stdin before pyodide loads: requests sent while it starts are queued, and the first one is
  // handled the moment the runtime is ready (attaching the listener afterwards cost ~100 ms of idle time
  // between `ready` and the first request in start-up probes).
  let rt: Runtime | null = null;
  const queued: Received[] = [];
  // Warm-up (trusted code only) runs once the worker is idle: after start-up and the dataset loads that
  // spare workers receive, unless a file request arrives first, which is then served at once.
  let warmPending = !process.argv.includes('--no-warm-up');
  let warmTimer: NodeJS.Timeout | null = null;
  const scheduleWarmUp = (): void => {
    if (!warmPending || !rt) return;
    if (warmTimer) clearTimeout(warmTimer);
    const runtime = rt;
    warmTimer = setTimeout(() => {
      warmTimer = null;
      if (!warmPending) return;
      warmPending = false;
      guarded(() => warmUp(runtime));
    }, 30);
  };
  const handleLoad = (runtime: Runtime, load: LoadFrame): void => {
    const { id, key, frame } = load;
    datasets.get(key)?.destroy();
    datasets.delete(key);
    try {
      // A large dataset's copies come on top of whatever garbage is still waiting (the snapshot bytes after
      // start-up, an earlier dataset): collect it first, so the peak is this load's own.
      if (frame.length > LARGE_FRAME_BYTES) collectGarbage();
      const proxy = loadFrame(runtime, frame);
      datasets.set(key, proxy);
      send({ type: 'loaded', id, rows: runtime.datasetSize(proxy) });
      if (frame.length > LARGE_FRAME_BYTES) collectGarbage();
    } catch (err) {
      send({ type: 'failed', id, message: err instanceof Error ? err.message : String(err) });
    }
  };
  const handleRequest = (runtime: Runtime, req: WorkerRequest): void => {
    if ((req.type === 'parse' && !req.staysSpare) || req.type === 'prepare' || req.type === 'apply') {
      warmPending = false;
      if (warmTimer) clearTimeout(warmTimer);
      warmTimer = null;
    }
    try {
      if (req.type === 'parse') stdoutWrite(`{"type":"parsed","id":${req.id},${guarded(() => runtime.parse(req.source)).slice(1)}\n`);
      else if (req.type === 'prepare') prepareFile(runtime, req);
      else if (req.type === 'apply') applyLfs(runtime, req);
      else if (req.type === 'misses') send({ type: 'missed', id: req.id, paths: missedPaths(runtime) });
      else if (req.type === 'drop') {
        datasets.get(req.key)?.destroy();
        datasets.delete(req.key);
      }
    } catch (err) {
      send({ type: 'failed', id: req.id, message: err instanceof Error ? err.message : String(err) });
    }
  };
  const handle = (runtime: Runtime, item: Received): void => ('req' in item ? handleRequest(runtime, item.req) : handleLoad(runtime, item.load));
  const reader = new RequestReader((item) => {
    if (rt) handle(rt, item);
    else queued.push(item);
  });
  process.stdin.on('data', (chunk: Buffer) => {
    if (warmTimer) {
      clearTimeout(warmTimer);
      warmTimer = null;
    }
    reader.push(chunk);
    if (!reader.busy) scheduleWarmUp();
  });
  // The parent closing our stdin means it is gone: stop.
  process.stdin.on('end', () => process.exit(0));
  const runtime = await startRuntime();
  rt = runtime;
  for (const item of queued.splice(0)) handle(runtime, item);
  if (!reader.busy) scheduleWarmUp();
}

main().catch((err: unknown) => {
  process.stderr.write(`lfWorker failed to start: ${err instanceof Error ? `${err.message}\n${err.stack}` : String(err)}\n`);
  process.exit(70);
});
