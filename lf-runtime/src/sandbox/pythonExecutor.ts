/**
 * The Python LF executor: runs labeling-function files in pyodide inside locked-down worker processes.
 *
 * Datasets are split into contiguous shards, one per worker, when they are large enough to pay for a
 * second process (a pool sized to the cores); each worker holds its shard and runs every LF of a file over
 * it, so a file's run takes the time of the largest shard. Per-LF results are cached by the LF's code, the
 * code it depends on and the data, so an edit re-runs only what changed. The parent enforces each LF's
 * wall-clock budget and the memory cap by killing the worker, then restarts it (from the memory snapshot)
 * and carries on with the file's remaining LFs. Calls are serialized through one queue.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Row } from '../data/types.ts';
import { isScrubbedEnvironment, locateDist, planLaunch, type LaunchPlan } from './isolation.ts';
import { LfResultCache } from './resultCache.ts';
import { mergeShardOutcomes, type ShardRun } from './shardMerge.ts';
import { describeExit, SandboxProcess, type ExitInfo } from './sandboxProcess.ts';
import { defaultSnapshotDir, existingSnapshot, snapshotFileFor, storeSnapshot } from './snapshotCache.ts';
import type { ExecutorEvent, FileRunResult, IsolationReport, LfExecutor, RunFileOptions } from './types.ts';
import { asciiJson, type PreparedMessage, type RunRequest, type WorkerMessage } from './wireProtocol.ts';

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
  /** Reuse per-LF results when neither the LF's code, what it depends on, nor the data changed. */
  resultCache?: boolean;
  /** How long a worker may take to start before it is considered broken. */
  startTimeoutMs?: number;
  /** Start the first worker when the executor is created rather than on the first call (default true). */
  prestart?: boolean;
  /** Extra Node/V8 flags for worker processes. */
  nodeFlags?: string[];
}

/** Extra time past an LF's budget before the parent kills the worker (the runner stops on its own first). */
const KILL_GRACE_MS = 300;

interface DatasetRecord {
  key: string;
  fingerprint: string;
  ids: string[];
  shards: { start: number; end: number; payload: string }[];
}

class WorkerSlot {
  proc: SandboxProcess | null = null;
  starting: Promise<SandboxProcess> | null = null;
  /** The process being started, so dispose() can stop it before it is ready. */
  launching: SandboxProcess | null = null;
  /** Dataset key -> fingerprint of the shard loaded in the current process. */
  loaded = new Map<string, string>();
  bridgesRemoved = false;
}

export function createPythonExecutor(options: PythonExecutorOptions = {}): LfExecutor & {
  onEvent(listener: (event: ExecutorEvent) => void): () => void;
  /** Peak resident memory of each worker so far, in MB (Linux). */
  memoryUsageMb(): number[];
} {
  return new PythonExecutor(options);
}

class PythonExecutor implements LfExecutor {
  private readonly distDir: string;
  private readonly nodePath: string;
  private readonly poolSize: number;
  private readonly minRowsPerShard: number;
  private readonly memoryCapMb: number | null;
  private readonly slots: WorkerSlot[];
  private readonly datasets = new Map<string, DatasetRecord>();
  private readonly handlers = new Map<number, (m: WorkerMessage) => void>();
  private readonly listeners = new Set<(e: ExecutorEvent) => void>();
  private readonly cache: LfResultCache | null;
  private snapshotFile: string | null = null;
  private snapshotBroken = false;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lastPlan: LaunchPlan | null = null;

  constructor(private readonly options: PythonExecutorOptions) {
    this.distDir = locateDist(options.distDir);
    this.nodePath = options.nodePath ?? process.execPath;
    this.poolSize = Math.max(1, options.poolSize ?? Math.min(4, availableParallelism()));
    this.minRowsPerShard = Math.max(1, options.minRowsPerShard ?? 20_000);
    this.memoryCapMb = options.memoryCapMb === undefined ? 1536 : options.memoryCapMb;
    this.slots = Array.from({ length: this.poolSize }, () => new WorkerSlot());
    this.cache = options.resultCache === false ? null : new LfResultCache();
    if (options.snapshot !== false) {
      this.snapshotFile = snapshotFileFor(this.distDir, options.snapshotDir ?? defaultSnapshotDir());
    }
    if (options.prestart !== false) {
      // Start the first worker now, while the caller reads its data; a failure surfaces on the first call.
      this.ensureWorker(0).catch(() => undefined);
    }
  }

  onEvent(listener: (event: ExecutorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  memoryUsageMb(): number[] {
    return this.slots.map((s) => Math.round(Math.max(s.proc?.peakRssMb ?? 0, s.proc?.rssMb() ?? 0)));
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

  // ------------------------------------------------------------------------------------------------------
  // Workers
  // ------------------------------------------------------------------------------------------------------

  private async ensureWorker(index: number): Promise<SandboxProcess> {
    const slot = this.slots[index];
    if (slot.proc?.alive) return slot.proc;
    slot.starting ??= this.startWorker(index).finally(() => {
      slot.starting = null;
    });
    return slot.starting;
  }

  private async startWorker(index: number): Promise<SandboxProcess> {
    const slot = this.slots[index];
    slot.loaded.clear();
    const snapshot = this.snapshotFile && !this.snapshotBroken ? existingSnapshot(this.snapshotFile) : null;
    const plan = planLaunch({
      nodePath: this.nodePath,
      distDir: this.distDir,
      snapshotFile: snapshot,
      makeSnapshot: this.snapshotFile !== null && !this.snapshotBroken && snapshot === null,
      useNetworkNamespace: this.options.networkNamespace !== false,
      usePermissionModel: this.options.permissionModel !== false,
      // The JavaScript heap holds only the worker's own code; Python lives in wasm memory.
      maxOldSpaceMb: 512,
      extraNodeFlags: this.options.nodeFlags,
    });
    this.lastPlan = plan;
    const proc = new SandboxProcess(plan, (m) => this.route(m), this.memoryCapMb);
    slot.launching = proc;
    const startTimer = setTimeout(() => proc.kill('timeout'), this.options.startTimeoutMs ?? 60_000);
    let ready;
    try {
      ready = await proc.ready;
    } catch (err) {
      if (snapshot) {
        // A snapshot that does not load (corrupt, other build): start cold and stop using it.
        this.snapshotBroken = true;
        return this.startWorker(index);
      }
      throw new Error(
        `LF sandbox: the Python runtime did not start (${err instanceof Error ? err.message : String(err)}). ` +
          'Check that dist/ is complete (`npm run build`) and that Node can run with --experimental-permission.',
      );
    } finally {
      clearTimeout(startTimer);
      slot.launching = null;
    }
    if (this.disposed) {
      proc.kill('dispose');
      throw new Error('LF sandbox: the executor was disposed.');
    }
    slot.proc = proc;
    slot.bridgesRemoved = ready.bridgesRemoved;
    this.emit({ type: 'started', worker: index, loadMs: ready.loadMs, fromSnapshot: ready.fromSnapshot });
    for (const ds of this.datasets.values()) {
      if (index < ds.shards.length) await this.loadShard(index, proc, ds);
    }
    return proc;
  }

  private route(m: WorkerMessage): void {
    if (m.type === 'snapshot') {
      if (this.snapshotFile && typeof m.data === 'string') storeSnapshot(this.snapshotFile, m.data);
      return;
    }
    const id = (m as { id?: unknown }).id;
    if (typeof id === 'number') this.handlers.get(id)?.(m);
  }

  private loadShard(index: number, proc: SandboxProcess, ds: DatasetRecord): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const shard = ds.shards[index];
      this.handlers.set(id, (m) => {
        if (m.type === 'loaded' || m.type === 'failed') {
          this.handlers.delete(id);
          if (m.type === 'failed') reject(new Error(`LF sandbox could not load dataset ${ds.key}: ${m.message}`));
          else {
            this.slots[index].loaded.set(ds.key, ds.fingerprint);
            resolve();
          }
        }
      });
      proc.exited().then((info) => {
        if (this.handlers.delete(id)) reject(new Error(`LF sandbox process died while loading rows (${describeExit(info)})${info.stderrTail ? `: ${info.stderrTail.slice(-600)}` : ""}`));
      });
      proc.send({ type: 'load', id, key: ds.key, payload: true }, shard.payload);
    });
  }

  // ------------------------------------------------------------------------------------------------------
  // LfExecutor
  // ------------------------------------------------------------------------------------------------------

  loadRows(datasetKey: string, rows: Row[]): Promise<void> {
    const ds = this.buildDataset(datasetKey, rows);
    return this.enqueue(async () => {
      this.datasets.set(datasetKey, ds);
      // Workers start and parse their shards in parallel.
      const loads: Promise<void>[] = [];
      for (let i = 0; i < this.slots.length; i++) {
        const slot = this.slots[i];
        if (i < ds.shards.length) {
          loads.push(
            this.ensureWorker(i).then(async (proc) => {
              if (slot.loaded.get(datasetKey) !== ds.fingerprint) await this.loadShard(i, proc, ds);
            }),
          );
        } else if (slot.loaded.has(datasetKey)) {
          slot.proc?.send({ type: 'drop', id: this.nextId++, key: datasetKey });
          slot.loaded.delete(datasetKey);
        }
      }
      await Promise.all(loads);
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
      const columns = fields.map((f) => rows.slice(start, end).map((r) => toJsonValue(r.fields[f])));
      const payload = asciiJson({ fields, columns, n: end - start });
      hash.update(payload);
      shards.push({ start, end, payload });
    }
    return { key, fingerprint: hash.digest('hex').slice(0, 24), ids: rows.map((r) => String(r.id)), shards };
  }

  runFile(o: RunFileOptions): Promise<FileRunResult> {
    validateRunOptions(o);
    return this.enqueue(() => this.runFileNow(o), o.signal);
  }

  private async runFileNow(o: RunFileOptions): Promise<FileRunResult> {
    const t0 = performance.now();
    const ds = this.datasets.get(o.datasetKey);
    if (!ds) throw new Error(`LF sandbox: no dataset "${o.datasetKey}" was loaded; call loadRows("${o.datasetKey}", rows) first.`);
    const scope = `${ds.fingerprint}|${o.cardinality}`;
    const skipKeys = this.cache ? this.cache.reusableKeys(scope) : [];
    const onAbort = (): void => {
      for (let i = 0; i < ds.shards.length; i++) this.slots[i].proc?.kill('abort');
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const runs = await Promise.all(ds.shards.map((_, i) => this.runShard(i, ds, o, skipKeys)));
      o.signal?.throwIfAborted();
      const result = mergeShardOutcomes(runs, ds, o, this.cache, scope);
      result.durationMs = Math.round(performance.now() - t0);
      return result;
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Runs the file on one shard, restarting the worker after each timeout or crash, until every LF is done. */
  private async runShard(index: number, ds: DatasetRecord, o: RunFileOptions, skipKeys: string[]): Promise<ShardRun> {
    const out: ShardRun = { prepared: null, outcomes: new Map(), fileCrash: null, rows: ds.shards[index].end - ds.shards[index].start };
    let startAt = 0;
    for (let attempt = 0; ; attempt++) {
      o.signal?.throwIfAborted();
      const proc = await this.ensureWorker(index);
      if (this.slots[index].loaded.get(ds.key) !== ds.fingerprint) await this.loadShard(index, proc, ds);
      // The worker may have been starting when the call was cancelled.
      o.signal?.throwIfAborted();
      const id = this.nextId++;
      let running = -1;
      let timer: NodeJS.Timeout | undefined;
      const outcome = await new Promise<'done' | ExitInfo>((resolve) => {
        // The file's top level runs before the first LF starts: it gets one LF's budget too.
        timer = setTimeout(() => proc.kill('timeout'), o.timeoutMs + KILL_GRACE_MS);
        this.handlers.set(id, (m) => {
          if (m.type === 'prepared') {
            clearTimeout(timer);
            out.prepared ??= sanitizePrepared(m);
          } else if (m.type === 'lfStart') {
            running = Number(m.index);
            clearTimeout(timer);
            timer = setTimeout(() => proc.kill('timeout'), o.timeoutMs + KILL_GRACE_MS);
          } else if (m.type === 'lfDone') {
            clearTimeout(timer);
            if (m.result && Number.isInteger(m.result.index)) out.outcomes.set(m.result.index, { kind: 'ok', outcome: m.result, durationMs: Number(m.durationMs) || 0 });
            running = -1;
          } else if (m.type === 'runDone' || m.type === 'failed') {
            clearTimeout(timer);
            if (m.type === 'failed') out.fileCrash = { message: String(m.message), killedFor: null };
            resolve('done');
          }
        });
        proc.exited().then(resolve);
        const request: RunRequest = {
          type: 'run', id, key: ds.key, file: o.file, source: o.source, siblings: o.siblingModules ? JSON.stringify(o.siblingModules) : '',
          cardinality: o.cardinality, timeoutMs: o.timeoutMs, startAt, skipKeys,
        };
        proc.send(request);
      });
      clearTimeout(timer);
      this.handlers.delete(id);
      if (outcome === 'done') return out;
      o.signal?.throwIfAborted();
      if (this.disposed) throw new Error('LF sandbox: the executor was disposed during the run.');
      const reason = outcome.killedFor === 'timeout' ? 'timeout' : outcome.killedFor === 'memory' ? 'memory' : 'crash';
      const lfName = running >= 0 ? (out.prepared?.lfs[running]?.name ?? null) : null;
      const what = lfName ?? `the top level of ${o.file}`;
      const message =
        reason === 'timeout'
          ? `${what} ran longer than ${o.timeoutMs} ms and was stopped; the runtime was restarted.`
          : reason === 'memory'
            ? `${what} used more than ${this.memoryCapMb} MB of memory; the runtime was stopped and restarted.`
            : `${what} crashed the runtime (${describeExit(outcome)}); it was restarted.`;
      this.emit({ type: 'restarted', worker: index, reason, file: o.file, lf: lfName, message });
      if (!out.prepared || running < 0 || attempt > (out.prepared?.lfs.length ?? 0) + 1) {
        out.fileCrash = { message, killedFor: outcome.killedFor };
        return out;
      }
      out.outcomes.set(running, { kind: reason === 'timeout' ? 'timeout' : 'crash', message, durationMs: o.timeoutMs });
      startAt = running + 1;
    }
  }

  async isolation(): Promise<IsolationReport> {
    let bridges = false;
    try {
      await this.enqueue(() => this.ensureWorker(0));
      bridges = this.slots[0].bridgesRemoved;
    } catch {
      bridges = false;
    }
    const plan = this.lastPlan;
    return {
      separateProcess: true,
      environmentScrubbed: plan ? isScrubbedEnvironment(plan.env) : true,
      nodePermissionModel: plan?.nodePermissionModel ?? false,
      networkNamespace: plan?.networkNamespace ?? false,
      pyodideBridgesRemoved: bridges,
      memoryCapMb: process.platform === 'linux' ? this.memoryCapMb : null,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const exits: Promise<unknown>[] = [];
    for (const slot of this.slots) {
      for (const proc of [slot.proc, slot.launching]) {
        if (proc) {
          proc.kill('dispose');
          exits.push(proc.exited());
        }
      }
    }
    await Promise.all(exits);
  }
}

function toJsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  return v;
}

function validateRunOptions(o: RunFileOptions): void {
  if (!o || typeof o.source !== 'string') throw new TypeError('runFile: source must be the file text (a string).');
  if (typeof o.file !== 'string' || !o.file) throw new TypeError('runFile: file must be the path of the LF file.');
  if (!Number.isInteger(o.cardinality) || o.cardinality < 1 || o.cardinality > 127) {
    throw new RangeError(`runFile: cardinality must be an integer number of classes between 1 and 127, got ${o.cardinality}.`);
  }
  if (!(typeof o.timeoutMs === 'number' && o.timeoutMs > 0 && Number.isFinite(o.timeoutMs))) {
    throw new RangeError(`runFile: timeoutMs must be a positive number of milliseconds, got ${o.timeoutMs}.`);
  }
}

/** The worker is untrusted: keep only well-formed LF entries. */
function sanitizePrepared(m: PreparedMessage): PreparedMessage {
  const lfs = Array.isArray(m.lfs)
    ? m.lfs
        .filter((l) => l && typeof l.name === 'string' && typeof l.key === 'string')
        .map((l) => ({ name: l.name.slice(0, 200), line: Number.isInteger(l.line) ? l.line : 0, key: l.key.slice(0, 64) }))
    : [];
  return { type: 'prepared', id: m.id, fileError: m.fileError ?? null, lfs };
}
