/**
 * The Python LF executor: runs labeling-function files in pyodide inside locked-down worker processes.
 *
 * Each unit of trust (one LF file with the modules it imports, or one LLM candidate) runs in workers that no
 * other unit has touched: clean workers, restored from the sealed memory snapshot and holding the data, are
 * kept ready (workerPool.ts), a unit takes fresh ones and they are killed when it is done (unitRun.ts).
 * Datasets are split into contiguous shards, one worker per shard, when they are large enough to pay for
 * a second process. Per-LF results are cached under keys the parent computes from the unit's source
 * (cacheKeys.ts), so an edit re-runs only what changed. Everything a worker says is checked
 * (replySchema.ts). Calls are serialized through one queue.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Row } from '../data/types.ts';
import { isScrubbedEnvironment, locateDist, planLaunch, type LaunchPlan } from './isolation.ts';
import { findInterpreter, planNativeLaunch, stateDirsAbove, type NativeLaunch, type PythonInterpreter } from './nativeRuntime.ts';
import { parseOnCleanWorker } from './parseStructure.ts';
import type { PythonParseOutcome, PythonParser } from './pythonStructure.ts';
import { LfResultCache } from './resultCache.ts';
import { defaultSnapshotDir, runtimeVersion, snapshotFileFor } from './snapshotCache.ts';
import type { ExecutorEvent, FileRunResult, IsolationReport, LfExecutor, RunFileOptions, RunUnitOptions } from './types.ts';
import { runUnit } from './unitRun.ts';
import { hintEnvironment, readsEnvironment } from './environmentHint.ts';
import { explainRefusals, hintOutsideWorkspace, hintRootRelative, MAX_RESOURCE_ROUNDS, WorkspaceFiles, workspaceFingerprint } from './workspaceFiles.ts';
import { encodeRows } from './rowPayload.ts';
import type { StatementSpan } from './wireProtocol.ts';
import { WorkerPool, type DatasetRecord } from './workerPool.ts';

export interface PythonExecutorOptions {
  /** Folder with lfWorker.js and pyodide/ (default: beside the running bundle, or the repository's dist/). */
  distDir?: string;
  /** Node binary for the worker (default: this process's). */
  nodePath?: string;
  /** Maximum worker processes (default: the number of cores, at most 4). */
  poolSize?: number;
  /** A dataset is split across workers only when every shard gets at least this many rows. */
  minRowsPerShard?: number;
  /** Resident-memory cap per worker in MB; a worker above it is killed (null: no cap). */
  memoryCapMb?: number | null;
  /** Use (and create) the pyodide memory snapshot for fast starts. */
  snapshot?: boolean;
  snapshotDir?: string;
  /** Cut the worker's network with `unshare -rn` where the OS allows it. */
  networkNamespace?: boolean;
  /** Node's permission model for the worker (file reads limited to dist/, no child processes). */
  permissionModel?: boolean;
  /**
   * Run files with the user's own CPython instead of pyodide (nativeRuntime.ts): the interpreter (a path, a
   * command on PATH, or one already probed), the workspace LF files may read, and whether to run without
   * bubblewrap where it is missing. Memory is capped by the interpreter's address-space limit (memoryMb,
   * default 4096) as well as the resident-memory watch.
   */
  python?: { interpreter: string | PythonInterpreter; workspace: string; allowUnsandboxed?: boolean; memoryMb?: number };
  /** Clean workers kept ready for the first shard (default 2): each unit of trust takes fresh ones. */
  spareWorkers?: number;
  /** Reuse per-LF results when neither the LF's code, what it depends on, nor the data changed. */
  resultCache?: boolean;
  /** How long a worker may take to start before it is considered broken. */
  startTimeoutMs?: number;
  /** Start the first worker when the executor is created rather than on the first call (default true). */
  prestart?: boolean;
  /**
   * Shard slots to start a worker for at once, before any data is loaded (default 1): a caller that knows its
   * data will be split (the CLI on a large file) has every shard's worker restore while it reads the data.
   */
  prestartSlots?: number;
  /**
   * How many units the caller will run, when it knows (the CLI: one per file). After the last one no spare is
   * started, so none competes with the caller's own work for the cores.
   */
  plannedUnits?: number;
  /** Extra Node/V8 flags for worker processes. */
  nodeFlags?: string[];
}

export function createPythonExecutor(options: PythonExecutorOptions = {}): LfExecutor & PythonParser & {
  onEvent(listener: (event: ExecutorEvent) => void): () => void;
  /** Peak resident memory per shard slot so far, over every worker that served there, in MB (Linux). */
  memoryUsageMb(): number[];
} {
  return new PythonExecutor(options);
}

class PythonExecutor implements LfExecutor, PythonParser {
  private readonly distDir: string;
  private readonly poolSize: number;
  private readonly minRowsPerShard: number;
  private readonly memoryCapMb: number | null;
  private readonly runtime: string;
  private readonly pool: WorkerPool;
  private readonly datasets = new Map<string, DatasetRecord>();
  private readonly listeners = new Set<(e: ExecutorEvent) => void>();
  private readonly cache: LfResultCache | null;
  private readonly plannedUnits: number | null;
  private unitsRun = 0;
  /** Statement spans of sources parsed before, by digest (unitRun.ts). */
  private readonly parsed = new Map<string, StatementSpan[] | null>();
  /** Per workspace folder: the files its LF files read (pyodide units with `readRoot`). */
  private readonly workspaceFiles = new Map<string, WorkspaceFiles>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** The user's interpreter when this executor runs native Python, else null (pyodide). */
  readonly interpreter: PythonInterpreter | null = null;
  private readonly nativePlan: NativeLaunch | null = null;
  /** The user's Python: the files its workers are launched unable to read (RunFileOptions.hiddenFiles). */
  private nativeHidden: string[] = [];
  /** The user's Python: the .lfstudio folders of the folders above the LF file run (a project's, whatever its dev set). */
  private nativeStateDirs: string[] = [];

  constructor(options: PythonExecutorOptions) {
    this.distDir = locateDist(options.distDir);
    this.poolSize = Math.max(1, options.poolSize ?? Math.min(4, availableParallelism()));
    this.minRowsPerShard = Math.max(1, options.minRowsPerShard ?? 20_000);
    this.memoryCapMb = options.memoryCapMb === undefined ? 1536 : options.memoryCapMb;
    this.cache = options.resultCache === false ? null : new LfResultCache();
    this.plannedUnits = options.plannedUnits ?? null;
    const version = runtimeVersion(this.distDir);
    let plan: (snapshotFile: string | null, makeSnapshot: boolean) => LaunchPlan;
    if (options.python) {
      const py = options.python;
      this.interpreter = typeof py.interpreter === 'string' ? findInterpreter(py.interpreter) : py.interpreter;
      const interpreter = this.interpreter;
      const native = { interpreter, pythonDir: join(this.distDir, 'python'), workspace: py.workspace, memoryMb: py.memoryMb ?? 4096, allowUnsandboxed: py.allowUnsandboxed ?? false };
      // Fails now, with the fix, when bubblewrap is missing and running unsandboxed was not allowed.
      this.nativePlan = planNativeLaunch(native);
      for (const fd of this.nativePlan.extraFds ?? []) closeSync(fd);
      plan = () => planNativeLaunch({ ...native, hidden: this.nativeHidden, stateDirs: this.nativeStateDirs });
      this.runtime = `python-${interpreter.executable}-${interpreter.version}-${version.digest}`;
    } else {
      const launch = {
        nodePath: options.nodePath ?? process.execPath,
        distDir: this.distDir,
        useNetworkNamespace: options.networkNamespace !== false,
        usePermissionModel: options.permissionModel !== false,
        // The JavaScript heap holds only the worker's own code; Python lives in wasm memory.
        maxOldSpaceMb: 512,
        extraNodeFlags: options.nodeFlags,
      };
      plan = (snapshotFile, makeSnapshot) => planLaunch({ ...launch, snapshotFile, makeSnapshot });
      this.runtime = `${version.pyodide}-${version.digest}`;
    }
    this.pool = new WorkerPool(
      {
        plan,
        slots: this.poolSize,
        spares: Math.max(1, options.spareWorkers ?? 2),
        prestartSlots: Math.min(this.poolSize, Math.max(1, options.prestartSlots ?? 1)),
        memoryCapMb: this.memoryCapMb,
        snapshotFile: options.snapshot === false || options.python ? null : snapshotFileFor(this.distDir, options.snapshotDir ?? defaultSnapshotDir()),
        startTimeoutMs: options.startTimeoutMs ?? 60_000,
        emit: (e) => this.emit(e),
      },
      () => [...this.datasets.values()],
    );
    // Start the first workers now, while the caller reads its data (a failure surfaces on the first call);
    // on the next turn, so a listener added right after construction hears about the snapshot check.
    if (options.prestart !== false) setImmediate(() => this.pool.refill());
  }

  onEvent(listener: (event: ExecutorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  memoryUsageMb(): number[] {
    return this.pool.memoryUsageMb();
  }

  private emit(event: ExecutorEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not break a run.
      }
    }
  }

  /** Runs `task` after every earlier call; a call aborted while waiting never starts. */
  private enqueue<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.disposed) throw new Error('LF sandbox: the executor was disposed.');
      signal?.throwIfAborted();
      return task();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  loadRows(datasetKey: string, rows: Row[]): Promise<void> {
    const ds = this.buildDataset(datasetKey, rows);
    return this.enqueue(async () => {
      this.datasets.set(datasetKey, ds);
      this.pool.syncAll();
      // Ready when a clean worker for each shard holds the rows (a bad dataset fails here, not in a run).
      await Promise.all(ds.shards.map((_, slot) => this.pool.awaitClean(slot)));
    });
  }

  private buildDataset(key: string, rows: Row[]): DatasetRecord {
    if (typeof key !== 'string' || !key) throw new TypeError('loadRows: datasetKey must be a non-empty string.');
    if (!Array.isArray(rows)) throw new TypeError('loadRows: rows must be an array of { id, fields } objects.');
    const fields: string[] = [];
    const seen = new Set<string>();
    rows.forEach((r, i) => {
      if (!r || typeof r !== 'object' || typeof r.fields !== 'object' || r.fields === null) {
        throw new TypeError(`loadRows: row ${i} has no fields object; every row must look like { id: string, fields: { ... } }.`);
      }
      for (const f of Object.keys(r.fields)) {
        if (!seen.has(f)) {
          seen.add(f);
          fields.push(f);
        }
      }
    });
    const shardCount = Math.max(1, Math.min(this.poolSize, Math.floor(rows.length / this.minRowsPerShard)));
    const shards: DatasetRecord['shards'] = [];
    const hash = createHash('sha256');
    for (let s = 0; s < shardCount; s++) {
      const start = Math.floor((rows.length * s) / shardCount);
      const end = Math.floor((rows.length * (s + 1)) / shardCount);
      const shard = rows.slice(start, end);
      const columns = fields.map((f) => shard.map((r) => toJsonValue(r.fields[f])));
      const payload = encodeRows(fields, columns, end - start, floatMasks(fields, shard));
      for (const part of payload) hash.update(part);
      shards.push({ start, end, payload });
    }
    return { key, fingerprint: hash.digest('hex').slice(0, 24), ids: rows.map((r) => String(r.id)), shards };
  }

  runFile(o: RunFileOptions): Promise<FileRunResult> {
    return this.runUnit({ ...o, datasetKeys: [o.datasetKey] }).then((r) => r[0]!);
  }

  runUnit(o: RunUnitOptions): Promise<FileRunResult[]> {
    validateRunOptions(o);
    const reads = readsEnvironment([o.source, ...Object.values(o.siblingModules ?? {})]);
    return this.enqueue(async () => (await this.runWithFiles(o)).map((r) => hintEnvironment(r, reads)), o.signal);
  }

  /**
   * Pyodide reads no host files: a unit that may read the workspace (`readRoot`) runs with the files it read
   * before, and again with the ones its workers looked for and did not find, while there are new ones.
   */
  private async runWithFiles(o: RunUnitOptions): Promise<FileRunResult[]> {
    this.unitsRun++;
    const last = this.plannedUnits !== null && this.unitsRun >= this.plannedUnits;
    const ctx = {
      pool: this.pool,
      datasets: this.datasets,
      cache: this.cache,
      runtime: this.runtime,
      memoryCapMb: this.memoryCapMb,
      emit: (e: ExecutorEvent) => this.emit(e),
      parsed: this.parsed,
      refillAfter: !last,
    };
    if (this.interpreter) {
      // Workers are launched with the hidden files masked: a unit that hides others needs new ones.
      const hidden = [...new Set((o.hiddenFiles ?? []).map((h) => h.path))].sort();
      // The .lfstudio folders of a project holding the LF file, whatever its dev set (the workspace's own is
      // always hidden).
      const stateDirs = o.readRoot ? stateDirsAbove(o.file, o.readRoot).filter((d) => existsSync(d)) : [];
      if (hidden.join('\n') !== this.nativeHidden.join('\n') || stateDirs.join('\n') !== this.nativeStateDirs.join('\n')) {
        this.nativeHidden = hidden;
        this.nativeStateDirs = stateDirs;
        this.pool.invalidate();
      }
    }
    if (this.interpreter && o.readRoot && o.file.startsWith('/')) {
      const root = o.readRoot;
      // It reads any workspace file and reports none: cached results stand while the workspace is unchanged,
      // and a workspace too large to fingerprint is not cached.
      const fingerprint = this.cache ? workspaceFingerprint(root) : null;
      const unitCtx = fingerprint === null ? { ...ctx, cache: null } : ctx;
      return (await runUnit(unitCtx, { ...o, ...(fingerprint === null ? {} : { readsDigest: fingerprint }) })).map((r) => hintOutsideWorkspace(hintRootRelative(r, root), root));
    }
    if (this.interpreter || !o.readRoot || !o.file.startsWith('/')) return runUnit(ctx, o);
    const root = resolve(o.readRoot);
    let files = this.workspaceFiles.get(root);
    if (!files) this.workspaceFiles.set(root, (files = new WorkspaceFiles(root)));
    for (let round = 1; ; round++) {
      const { files: resources, refused } = files.read(o.file, o.hiddenFiles);
      const missed = new Set<string>();
      const results = await runUnit(ctx, { ...o, resources, watch: root, missed });
      const admitted = files.admit(o.file, missed, o.hiddenFiles);
      if (admitted.added.length === 0 || round >= MAX_RESOURCE_ROUNDS) {
        const reads = [...resources.keys()];
        return results.map((r) => ({ ...hintRootRelative(explainRefusals(r, [...refused, ...admitted.refused], files), root), ...(reads.length ? { workspaceReads: reads } : {}) }));
      }
    }
  }

  /** Python's parser on a clean worker (nothing runs), after every earlier call. */
  parsePython(sources: readonly string[], signal?: AbortSignal): Promise<PythonParseOutcome[]> {
    if (!Array.isArray(sources)) throw new TypeError('parsePython: sources must be an array of Python texts.');
    return this.enqueue(() => parseOnCleanWorker(this.pool, sources, signal), signal);
  }

  clearResults(): void {
    this.cache?.clear();
  }

  async isolation(): Promise<IsolationReport> {
    let bridges = false;
    try {
      if (!this.pool.lastReady) await this.enqueue(() => this.pool.awaitClean(0));
      bridges = this.pool.lastReady?.bridgesRemoved ?? false;
    } catch {
      bridges = false;
    }
    const plan = this.pool.lastPlan;
    if (this.nativePlan && this.interpreter) {
      return {
        separateProcess: true,
        environmentScrubbed: true,
        nodePermissionModel: false,
        networkNamespace: this.nativePlan.networkNamespace,
        pyodideBridgesRemoved: false,
        memoryCapMb: process.platform === 'linux' ? this.memoryCapMb : null,
        freshWorkerPerUnit: true,
        runtime: 'python',
        interpreter: `${this.interpreter.executable} (Python ${this.interpreter.version})`,
        osSandbox: this.nativePlan.osSandbox,
        noNewProcesses: this.nativePlan.noNewProcesses,
      };
    }
    return {
      separateProcess: true,
      environmentScrubbed: plan ? isScrubbedEnvironment(plan.env) : true,
      nodePermissionModel: plan?.nodePermissionModel ?? false,
      networkNamespace: plan?.networkNamespace ?? false,
      pyodideBridgesRemoved: bridges,
      memoryCapMb: process.platform === 'linux' ? this.memoryCapMb : null,
      freshWorkerPerUnit: true,
      runtime: 'sandbox',
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.pool.dispose();
  }
}

/** Per field, which rows hold it as a float (Row.floats), or null when none does. */
function floatMasks(fields: readonly string[], rows: readonly Row[]): (Uint8Array | null)[] | undefined {
  if (!rows.some((r) => r.floats !== undefined && r.floats.size > 0)) return undefined;
  return fields.map((f) => {
    if (!rows.some((r) => r.floats?.has(f))) return null;
    return Uint8Array.from(rows, (r) => (r.floats?.has(f) ? 1 : 0));
  });
}

function toJsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return v;
}

function validateRunOptions(o: RunUnitOptions): void {
  if (!o || typeof o.source !== 'string') throw new TypeError('runFile: source must be the file text (a string).');
  if (typeof o.file !== 'string' || !o.file) throw new TypeError('runFile: file must be the path of the LF file.');
  if (!Number.isInteger(o.cardinality) || o.cardinality < 1 || o.cardinality > 127) {
    throw new RangeError(`runFile: cardinality must be an integer number of classes between 1 and 127, got ${o.cardinality}.`);
  }
  if (!(typeof o.timeoutMs === 'number' && o.timeoutMs > 0 && Number.isFinite(o.timeoutMs))) {
    throw new RangeError(`runFile: timeoutMs must be a positive number of milliseconds, got ${o.timeoutMs}.`);
  }
  if (!Array.isArray(o.datasetKeys) || o.datasetKeys.length === 0 || o.datasetKeys.some((k) => typeof k !== 'string' || !k)) {
    throw new TypeError('runUnit: datasetKeys must name at least one dataset given to loadRows.');
  }
}
