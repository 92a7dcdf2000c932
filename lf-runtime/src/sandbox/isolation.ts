/**
 * How the sandbox process is started on this platform: where dist/ is, which Node permission flag exists,
 * whether an unprivileged network namespace (`unshare -rn`) works, and the command line that combines them.
 * Probes run once per parent process and never throw: a layer that is unavailable is reported as inactive.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { IsolationReport } from './types.ts';

/** Finds the folder holding lfWorker.js and pyodide/: beside the running bundle, or the repository's dist/. */
export function locateDist(explicit?: string): string {
  if (explicit) {
    const dir = resolve(explicit);
    if (!existsSync(join(dir, 'lfWorker.js'))) {
      throw new Error(`LF sandbox: ${dir} has no lfWorker.js. Run \`npm run build\`, or pass the dist folder as distDir.`);
    }
    return dir;
  }
  // In dist/server.js and dist/cli.js __dirname is dist/ itself; from source (tsx) walk up to the repo root.
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'lfWorker.js')) && existsSync(join(dir, 'pyodide'))) return dir;
    const candidate = join(dir, 'dist');
    if (existsSync(join(candidate, 'lfWorker.js'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('LF sandbox: cannot find dist/lfWorker.js. Run `npm run build` first (npm run test:unit does).');
}

/** `--permission` on newer Node, `--experimental-permission` on Node 20, or null where neither exists. */
export function permissionFlag(): string | null {
  const flags = process.allowedNodeEnvironmentFlags;
  if (flags.has('--permission')) return '--permission';
  if (flags.has('--experimental-permission')) return '--experimental-permission';
  return null;
}

let unsharePath: string | null | undefined;

/** Absolute path of `unshare` (the worker's empty environment has no PATH to search). */
function findUnshare(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  for (const d of dirs) {
    if (d && existsSync(join(d, 'unshare'))) return join(d, 'unshare');
  }
  return null;
}

/** The unshare binary when `unshare -rn` works here (Linux, unprivileged user namespaces), else null. */
export function networkNamespaceCommand(): string | null {
  if (unsharePath !== undefined) return unsharePath;
  unsharePath = null;
  const bin = process.platform === 'linux' ? findUnshare() : null;
  if (!bin) return unsharePath;
  try {
    // Entering the namespaces is what can fail; running unshare itself inside them is the cheapest check.
    const r = spawnSync(bin, ['-rn', bin, '--version'], { env: {}, timeout: 10_000, stdio: 'ignore' });
    if (r.status === 0) unsharePath = bin;
  } catch {
    unsharePath = null;
  }
  return unsharePath;
}

export interface LaunchPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Descriptors handed to the child as fds 3, 4, ... (closed in the parent once it is spawned). */
  extraFds?: number[];
  nodePermissionModel: boolean;
  networkNamespace: boolean;
}

export interface LaunchOptions {
  nodePath: string;
  distDir: string;
  /** Snapshot file to load (made readable to the worker), or null. */
  snapshotFile: string | null;
  makeSnapshot: boolean;
  useNetworkNamespace: boolean;
  usePermissionModel: boolean;
  maxOldSpaceMb: number;
  /** Extra V8/Node flags for the worker (e.g. wasm compilation tuning). */
  extraNodeFlags?: string[];
}

/**
 * The worker's whole environment: constants that carry nothing of the parent's (Electron-hosted Node also
 * gets ELECTRON_RUN_AS_NODE=1 to behave as plain Node). glibc's allocator by default raises its mmap
 * threshold each time a large block is freed, so after the ~30 MB snapshot buffer is released, later
 * multi-megabyte buffers (dataset lines) come from heaps that are never given back: ~40 MB more resident
 * memory per worker for the rest of its life. A fixed threshold and two arenas keep the worker at its
 * working size (100k rows, 20 LFs, 2 workers: peak 186 -> 168-180 MB each in the worker probe).
 * Those mmap'd blocks are asked for as transparent huge pages where the system offers them on request
 * (glibc 2.35+, THP "madvise" mode, the common default): a start reads ~45 MB (snapshot, wasm binary, Python's
 * standard library) into fresh blocks, and 2 MB pages halve the page faults (43k -> 21k) and cut the start from
 * ~0.9 s to ~0.6 s alone (worker probe, 3 runs each). Other C libraries, and older glibc, ignore these names.
 */
export const WORKER_FIXED_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_ARENA_MAX: '2',
  GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
});

/** True when a worker environment holds nothing but the fixed values above. */
export function isScrubbedEnvironment(env: Record<string, string>): boolean {
  return Object.entries(env).every(([k, v]) =>
    k === 'ELECTRON_RUN_AS_NODE' ? v === '1' : Object.prototype.hasOwnProperty.call(WORKER_FIXED_ENV, k) && WORKER_FIXED_ENV[k] === v,
  );
}

/**
 * V8 settings for the worker, each measured with the sandbox benchmark:
 * - The worker's JavaScript is small (Python lives in wasm memory), but loading a dataset briefly makes
 *   megabytes of strings; V8's default young generation (up to 3 x 16 MB) kept ~30 MB of that resident per
 *   worker. 1 MB semi-spaces keep it small at no measured cost in speed.
 * - A hot wasm function moves from the baseline compiler to the optimizing one after a budget of executed
 *   code. Optimizing pyodide's interpreter loop takes long enough that, on two cores, a unit run in a fresh
 *   worker mostly pays for the compile and rarely profits from it. With a 333x budget (600M) a save's unit at
 *   10k rows x 20 LFs took p50 ~90 ms against ~117 ms at 33x and ~192 ms at the default, and `analyze` on
 *   100k rows x 10 LFs 5.3-5.9 s against 6.3-6.5 s at 33x (scratch A/B runs, same machine). A V8 flag
 *   unknown to some other Node would stop the worker, so it is passed only to the Node running this code
 *   (Node 20+, whose V8 has it).
 */
function workerV8Flags(nodePath: string): string[] {
  const flags = ['--max-semi-space-size=1'];
  if (nodePath === process.execPath) flags.push('--wasm-tiering-budget=600000000');
  return flags;
}

export function planLaunch(o: LaunchOptions): LaunchPlan {
  const flag = o.usePermissionModel ? permissionFlag() : null;
  const nodeArgs: string[] = ['--no-warnings', `--max-old-space-size=${o.maxOldSpaceMb}`, ...workerV8Flags(o.nodePath), ...(o.extraNodeFlags ?? [])];
  if (flag) {
    nodeArgs.push(flag, `--allow-fs-read=${o.distDir}`);
    if (o.snapshotFile) nodeArgs.push(`--allow-fs-read=${o.snapshotFile}`);
  }
  nodeArgs.push(join(o.distDir, 'lfWorker.js'), `--index-url=${join(o.distDir, 'pyodide')}/`);
  if (o.snapshotFile) nodeArgs.push(`--snapshot=${o.snapshotFile}`);
  else if (o.makeSnapshot) nodeArgs.push('--make-snapshot');
  // No variable of the parent's environment reaches the worker: only fixed values (see WORKER_FIXED_ENV).
  const env: Record<string, string> = { ...WORKER_FIXED_ENV, ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
  const unshare = o.useNetworkNamespace ? networkNamespaceCommand() : null;
  return unshare
    ? { command: unshare, args: ['-rn', o.nodePath, ...nodeArgs], env, nodePermissionModel: !!flag, networkNamespace: true }
    : { command: o.nodePath, args: nodeArgs, env, nodePermissionModel: !!flag, networkNamespace: false };
}

/**
 * The active layers as short labels for the status item and the CLI (RuntimeStatus.isolation), strongest
 * first; a missing label means that layer is not available on this platform.
 */
export function describeIsolation(report: IsolationReport): string[] {
  const labels: string[] = [];
  if (report.runtime === 'python') {
    labels.push(`your Python: ${report.interpreter ?? 'python3'}`);
    if (report.separateProcess) labels.push('separate process per file');
    if (report.osSandbox === 'bubblewrap') {
      labels.push('bubblewrap: read-only workspace and interpreter, no home, private /tmp, no environment variables');
      labels.push('no network (network namespace)');
    } else {
      labels.push('WITHOUT an OS sandbox (allowed for this workspace): your LF files run with your permissions');
    }
    if (report.noNewProcesses) labels.push('no new processes (seccomp)');
    if (report.memoryCapMb !== null) labels.push(`memory cap ${report.memoryCapMb} MB`);
    return labels;
  }
  if (report.separateProcess) labels.push(report.freshWorkerPerUnit ? 'separate process per file and candidate' : 'separate process');
  if (report.environmentScrubbed) labels.push('no environment variables');
  if (report.nodePermissionModel) labels.push('no file access or child processes (Node permission model)');
  if (report.networkNamespace) labels.push('no network (network namespace)');
  if (report.pyodideBridgesRemoved) labels.push('no JavaScript bridges or ctypes');
  if (report.memoryCapMb !== null) labels.push(`memory cap ${report.memoryCapMb} MB`);
  if (report.python) labels.push(`files that need your packages: ${describeIsolation(report.python).join(', ')}`);
  else if (report.pythonPlanned) labels.push(report.pythonPlanned);
  return labels;
}
