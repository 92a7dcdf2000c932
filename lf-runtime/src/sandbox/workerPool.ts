/**
 * Clean sandbox workers, kept ready. A worker is clean until it is handed out: it has loaded data and run
 * the runtime's own warm-up, never a line of user code. Each unit of trust (one LF file with the modules
 * it imports, or one LLM candidate) takes fresh workers, one per data shard, and they are killed when the
 * unit is done: no interpreter ever serves two units. Spares are refilled in the background, one start at a
 * time per shard slot, so an edit is served by a worker that is already warm.
 *
 * The pyodide memory snapshot that makes a start fast is made by a process of its own that runs no user
 * code and is never handed out (see snapshotCache.ts for how it is sealed and checked).
 */
import type { LaunchPlan } from './isolation.ts';
import { checkLoaded } from './replySchema.ts';
import { describeExit, SandboxProcess, type ExitInfo } from './sandboxProcess.ts';
import { checkSnapshot, deleteSnapshot, storeSnapshot } from './snapshotCache.ts';
import type { ExecutorEvent } from './types.ts';
import type { ReadyMessage, WorkerMessage, WorkerRequest } from './wireProtocol.ts';

export interface DatasetShard {
  start: number;
  end: number;
  /** The rows as the worker loads them (rowPayload.ts): pieces sent one after another. */
  payload: Buffer[];
}

export interface DatasetRecord {
  key: string;
  fingerprint: string;
  ids: string[];
  shards: DatasetShard[];
}

/** Thrown by Worker.next() when the process is gone. */
export class WorkerExited extends Error {
  constructor(readonly info: ExitInfo) {
    super(`the sandbox worker ${describeExit(info)}`);
  }
}

/** One worker process and the messages it sent that nobody has read yet. */
export class Worker {
  readonly proc: SandboxProcess;
  private readonly inbox: unknown[] = [];
  private waiter: ((m: unknown) => void) | null = null;
  /** Dataset key -> fingerprint of the shard this worker holds. */
  readonly loaded = new Map<string, string>();
  /** Loads in flight; a unit waits for them before it uses the worker. */
  pending: Promise<void> = Promise.resolve();
  /** How many of those loads are still in flight. */
  loading = 0;
  ready: ReadyMessage | null = null;
  /** The pool's generation when it started: a worker of an older one was launched with another plan. */
  generation = 0;
  private nextId = 1;

  constructor(plan: LaunchPlan, memoryCapMb: number | null, readonly slot: number) {
    this.proc = new SandboxProcess(plan, (m) => this.push(m), memoryCapMb);
  }

  /**
   * Unbounded here: SandboxProcess passes on only the replies that the requests sent still wait for, each
   * within its type's size cap, so what waits in the inbox is at most what the requests asked for. It does
   * wait: one read of the pipe can hold hundreds of replies (an lfStart and an lfDone per LF of a fast
   * file), all pushed before the run takes the first.
   */
  private push(m: WorkerMessage): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(m);
    } else {
      this.inbox.push(m);
    }
  }

  id(): number {
    return this.nextId++;
  }

  send(request: WorkerRequest, payload?: Buffer[]): void {
    this.proc.send(request, payload);
  }

  /** The next message, or WorkerExited once the process is gone and every message was read. */
  next(): Promise<unknown> {
    if (this.inbox.length) return Promise.resolve(this.inbox.shift());
    if (!this.proc.alive) return this.proc.exited().then((info) => Promise.reject(new WorkerExited(info)));
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      void this.proc.exited().then((info) => {
        if (this.waiter === resolve) {
          this.waiter = null;
          reject(new WorkerExited(info));
        }
      });
    });
  }

  kill(reason: NonNullable<ExitInfo['killedFor']>): void {
    this.proc.kill(reason);
  }
}

export interface PoolOptions {
  /** The command line for a worker: restored from `snapshotFile`, or the snapshot maker. */
  plan: (snapshotFile: string | null, makeSnapshot: boolean) => LaunchPlan;
  slots: number;
  /** Clean workers kept ready for slot 0 (other slots keep one when a dataset has a shard there). */
  spares: number;
  /** Slots below this keep one worker ready even before a dataset has a shard there (default 1). */
  prestartSlots?: number;
  memoryCapMb: number | null;
  /** Snapshot file to use and make, or null for cold starts. */
  snapshotFile: string | null;
  startTimeoutMs: number;
  emit: (event: ExecutorEvent) => void;
}

interface Slot {
  idle: Worker[];
  starting: Promise<Worker> | null;
}

/** How long after a unit took a spare its replacement starts, when another spare is ready (replenish()). */
const REPLENISH_DELAY_MS = 150;

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly live = new Set<Worker>();
  private snapshotPromise: Promise<string | null> | null = null;
  private snapshotFailures = 0;
  private noSnapshot = false;
  private snapshotMaker: SandboxProcess | null = null;
  private disposed = false;
  /** A replenish() waiting for the unit that took a worker to hand its results back. */
  private replenishTimer: NodeJS.Timeout | null = null;
  /** Peak resident memory seen per slot (MB), over every worker that served there. */
  readonly peakMb: number[];
  lastPlan: LaunchPlan | null = null;
  lastReady: ReadyMessage | null = null;
  /** Start failures are reported to the next take(). */
  private startError: Error | null = null;
  /** Bumped by invalidate(): clean workers launched before are not handed out. */
  private generation = 0;

  constructor(
    private readonly o: PoolOptions,
    private readonly datasets: () => DatasetRecord[],
  ) {
    this.slots = Array.from({ length: o.slots }, () => ({ idle: [], starting: null }));
    this.peakMb = new Array<number>(o.slots).fill(0);
  }

  private target(slot: number): number {
    if (slot === 0) return this.o.spares;
    if (this.datasets().length === 0) return slot < (this.o.prestartSlots ?? 1) ? 1 : 0;
    return this.datasets().some((d) => d.shards.length > slot) ? 1 : 0;
  }

  /**
   * Replaces taken spares: at once where a slot that keeps spares has none ready or starting (a burst of units
   * needs them), else REPLENISH_DELAY_MS after the latest call (the unit's end, as it calls again then).
   * Starting a worker forks this process (tens of milliseconds of its event loop, for a process holding the
   * datasets), sends it every dataset, and its restore takes a core for ~0.6 s. Done while a unit runs, on two
   * cores, that made a save's updated lens ~35 ms later (10k rows x 20 LFs, every save re-running the edited
   * LF, interleaved runs of 24 saves: p50 130 and 140 ms with the start during the unit, 96 and 101 ms after).
   */
  replenish(): void {
    if (this.disposed) return;
    const short = this.slots.some((s, i) => s.idle.length === 0 && !s.starting && this.target(i) > 0);
    if (short) {
      this.refill();
      return;
    }
    // Counted from the latest call: the unit that took the spare calls again when it is done.
    if (this.replenishTimer) clearTimeout(this.replenishTimer);
    this.replenishTimer = setTimeout(() => {
      this.replenishTimer = null;
      this.refill();
    }, REPLENISH_DELAY_MS);
    this.replenishTimer.unref();
  }

  /** Starts spares up to each slot's target, one start at a time per slot. */
  refill(): void {
    if (this.disposed) return;
    this.slots.forEach((s, i) => {
      if (s.starting || s.idle.length >= this.target(i)) return;
      s.starting = this.start(i).then(
        (w) => {
          s.starting = null;
          if (this.disposed) {
            w.kill('dispose');
          } else {
            s.idle.push(w);
            this.refill();
          }
          return w;
        },
        (err: unknown) => {
          s.starting = null;
          this.startError = err instanceof Error ? err : new Error(String(err));
          throw this.startError;
        },
      );
      s.starting.catch(() => undefined);
    });
  }

  /**
   * A clean worker for `slot` holding every dataset's shard for that slot; nobody else will get it. With
   * `refill` false, replacements wait for the caller's next refill() (when the unit that takes it uses every
   * core, a spare starting beside it would only slow it down).
   */
  async take(slot: number, refill = true): Promise<Worker> {
    for (;;) {
      const w = await this.awaitClean(slot, refill);
      const idle = this.slots[slot]!.idle;
      const at = idle.indexOf(w);
      if (at < 0) continue; // another caller took it meanwhile
      idle.splice(at, 1);
      if (refill) this.replenish();
      return w;
    }
  }

  /**
   * Waits until a clean worker for `slot` is ready with every dataset loaded, leaving it in the pool (started
   * here when the slot has none, even a slot that keeps no spare). `refill` as for take().
   */
  async awaitClean(slot: number, refill = true): Promise<Worker> {
    for (;;) {
      if (this.disposed) throw new Error('LF sandbox: the executor was disposed.');
      const s = this.slots[slot]!;
      const w = s.idle[0];
      if (w && w.generation !== this.generation) {
        s.idle.shift();
        this.retire(w, 'done');
        continue;
      }
      if (w) {
        this.syncDatasets(w);
        await w.pending;
        if (w.proc.alive) return w;
        const at = s.idle.indexOf(w);
        if (at >= 0) s.idle.splice(at, 1);
        continue;
      }
      this.startError = null;
      if (refill) this.refill();
      if (!s.starting) {
        s.starting = this.start(slot).then(
          (started) => {
            s.starting = null;
            s.idle.push(started);
            return started;
          },
          (err: unknown) => {
            s.starting = null;
            this.startError = err instanceof Error ? err : new Error(String(err));
            throw this.startError;
          },
        );
      }
      await s.starting.catch(() => undefined);
      if (this.startError && s.idle.length === 0) throw this.startError;
    }
  }

  /**
   * A clean worker of `slot` ready right now (started, every dataset loaded), left in the pool; null when
   * none is. For work that keeps a worker clean (parsing), beside a unit that took another one.
   */
  readyNow(slot: number): Worker | null {
    const datasets = this.datasets();
    return (
      this.slots[slot]?.idle.find(
        (w) => w.proc.alive && w.generation === this.generation && w.ready !== null && w.loading === 0 && datasets.every((ds) => !ds.shards[slot] || w.loaded.get(ds.key) === ds.fingerprint),
      ) ?? null
    );
  }

  /**
   * The launch plan changed (the files the user's Python may not read, say): the clean workers started under
   * the old one are retired, and those still starting are when they are next looked at.
   */
  invalidate(): void {
    this.generation++;
    for (const s of this.slots) for (const w of s.idle.splice(0)) this.retire(w, 'done');
    this.refill();
  }

  /** Loads (or replaces, or drops) datasets in every clean worker so they match the current ones. */
  syncAll(): void {
    for (const s of this.slots) for (const w of s.idle) this.syncDatasets(w);
    this.refill();
  }

  private syncDatasets(w: Worker): void {
    for (const ds of this.datasets()) {
      const shard = ds.shards[w.slot];
      if (!shard) {
        if (w.loaded.has(ds.key)) {
          w.send({ type: 'drop', id: w.id(), key: ds.key });
          w.loaded.delete(ds.key);
        }
        continue;
      }
      if (w.loaded.get(ds.key) === ds.fingerprint) continue;
      w.loaded.set(ds.key, ds.fingerprint);
      w.loading++;
      w.pending = w.pending.then(() => this.load(w, ds, shard)).finally(() => w.loading--);
      // Whoever takes the worker awaits this; a spare disposed while loading must not crash the process.
      w.pending.catch(() => undefined);
    }
  }

  private async load(w: Worker, ds: DatasetRecord, shard: DatasetShard): Promise<void> {
    const id = w.id();
    w.send({ type: 'load', id, key: ds.key, bytes: shard.payload.reduce((n, part) => n + part.length, 0) }, shard.payload);
    try {
      checkLoaded(await w.next(), id, shard.end - shard.start);
    } catch (err) {
      w.kill('protocol');
      w.loaded.delete(ds.key);
      throw new Error(`LF sandbox could not load dataset ${ds.key}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async start(slot: number): Promise<Worker> {
    const snapshotFile = await this.snapshot();
    if (this.disposed) throw new Error('LF sandbox: the executor was disposed.');
    const generation = this.generation;
    const plan = this.o.plan(snapshotFile, false);
    this.lastPlan = plan;
    const w = new Worker(plan, this.o.memoryCapMb, slot);
    w.generation = generation;
    this.live.add(w);
    void w.proc.exited().then(() => {
      this.live.delete(w);
      this.peakMb[slot] = Math.max(this.peakMb[slot]!, Math.round(w.proc.peakRssMb));
    });
    const timer = setTimeout(() => w.kill('timeout'), this.o.startTimeoutMs);
    try {
      w.ready = await w.proc.ready;
      this.lastReady = w.ready;
    } catch (err) {
      if (this.disposed) throw new Error('LF sandbox: the executor was disposed.');
      if (snapshotFile) {
        // A sealed snapshot that still does not load (another build of Node, a bad disk): make a new one
        // once; if that one fails too, start cold from then on.
        if (this.snapshotFailures++ > 0) this.noSnapshot = true;
        this.dropSnapshot(snapshotFile, 'the runtime snapshot did not load');
        return this.start(slot);
      }
      throw new Error(
        `LF sandbox: the Python runtime did not start (${err instanceof Error ? err.message : String(err)}). ` +
          'Check that dist/ is complete (`npm run build`) and that Node can run with --experimental-permission.',
      );
    } finally {
      clearTimeout(timer);
    }
    this.o.emit({ type: 'started', worker: slot, loadMs: w.ready.loadMs, fromSnapshot: w.ready.fromSnapshot });
    this.syncDatasets(w);
    return w;
  }

  private dropSnapshot(file: string, why: string): void {
    deleteSnapshot(file);
    this.snapshotPromise = null;
    this.o.emit({ type: 'snapshot', state: 'rebuilt', message: `LF sandbox: ${why}; it was deleted and is being rebuilt (the next start is slower).` });
  }

  /** A checked snapshot file to start from, made first when there is none; null means start cold. */
  private snapshot(): Promise<string | null> {
    const file = this.o.snapshotFile;
    if (!file || this.noSnapshot) return Promise.resolve(null);
    if (this.snapshotPromise) {
      return this.snapshotPromise.then((f) => {
        if (f === null) return null;
        const check = checkSnapshot(f);
        if (check === 'ok') return f;
        if (check === 'invalid') this.dropSnapshot(f, 'the runtime snapshot failed its integrity check');
        else this.snapshotPromise = null;
        return this.snapshot();
      });
    }
    const check = checkSnapshot(file);
    if (check === 'ok') {
      this.snapshotPromise = Promise.resolve(file);
    } else {
      if (check === 'invalid') {
        this.o.emit({
          type: 'snapshot',
          state: 'rebuilt',
          message: 'LF sandbox: the runtime snapshot failed its integrity check; it was deleted and is being rebuilt (the next start is slower).',
        });
      }
      this.snapshotPromise = this.makeSnapshot(file);
    }
    return this.snapshotPromise;
  }

  /** Runs a process that only starts pyodide and sends its memory image; it is never given a request. */
  private makeSnapshot(file: string): Promise<string | null> {
    return new Promise((resolve) => {
      const plan = this.o.plan(null, true);
      let stored = false;
      const maker = new SandboxProcess(
        plan,
        (m) => {
          if (m.type === 'snapshot' && !stored && typeof m.data === 'string') {
            stored = storeSnapshot(file, Buffer.from(m.data, 'base64'));
            maker.kill('done');
          } else {
            maker.kill('protocol');
          }
        },
        this.o.memoryCapMb,
      );
      this.snapshotMaker = maker;
      const timer = setTimeout(() => maker.kill('timeout'), this.o.startTimeoutMs);
      void maker.exited().then(() => {
        clearTimeout(timer);
        this.snapshotMaker = null;
        // Without a snapshot every start is cold, which still works.
        resolve(stored && checkSnapshot(file) === 'ok' ? file : null);
      });
    });
  }

  /** Ends a unit's worker: it is never reused. */
  retire(w: Worker, reason: NonNullable<ExitInfo['killedFor']> = 'done'): void {
    this.peakMb[w.slot] = Math.max(this.peakMb[w.slot]!, Math.round(w.proc.peakRssMb), Math.round(w.proc.rssMb() ?? 0));
    w.kill(reason);
  }

  /** Kills every worker (clean or not) and stops refilling; used by dispose and "Restart Runtime". */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.replenishTimer) clearTimeout(this.replenishTimer);
    this.replenishTimer = null;
    const exits: Promise<unknown>[] = [];
    for (const w of this.live) {
      w.kill('dispose');
      exits.push(w.proc.exited());
    }
    if (this.snapshotMaker) {
      this.snapshotMaker.kill('dispose');
      exits.push(this.snapshotMaker.exited());
    }
    for (const s of this.slots) {
      if (s.starting) exits.push(s.starting.catch(() => undefined));
    }
    await Promise.all(exits);
  }

  /** Current and peak resident memory per slot, MB. */
  memoryUsageMb(): number[] {
    const now = [...this.peakMb];
    for (const w of this.live) now[w.slot] = Math.max(now[w.slot]!, Math.round(w.proc.peakRssMb), Math.round(w.proc.rssMb() ?? 0));
    return now;
  }
}
