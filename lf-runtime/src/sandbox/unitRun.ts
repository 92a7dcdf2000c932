/**
 * One unit of trust run to the end: an LF file (with the sibling modules it may import) or an LLM candidate,
 * over one or more datasets. The unit takes fresh workers from the pool, one per data shard, and they are
 * killed when it is done, whatever happened. In each worker:
 *
 *   parse (slot 0 only, before any user code: the statement spans behind the cache keys)
 *   -> prepare (runs the file's top level; reports its LFs)
 *   -> apply, per dataset, the LFs whose results are not cached (one lfStart/lfDone pair per LF)
 *
 * Every reply is checked against what was asked (replySchema.ts); a reply that does not fit fails the unit
 * with a clear message and the worker is killed. A worker killed for time or memory, or that crashed, is
 * replaced by another fresh one that carries on with the LFs after the one that was running.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { lfCacheKeys, splitLines } from './cacheKeys.ts';
import { checkApplied, checkMissed, checkLfDone, checkLfStart, checkParsed, checkPrepared, ProtocolViolation, WorkerFailed, type Prepared } from './replySchema.ts';
import type { LfResultCache } from './resultCache.ts';
import { describeExit } from './sandboxProcess.ts';
import { mergeShardOutcomes, type ShardRun } from './shardMerge.ts';
import type { ExecutorEvent, FileRunResult, HiddenFile } from './types.ts';
import { WorkerExited, type DatasetRecord, type Worker, type WorkerPool } from './workerPool.ts';
import { fileIdentity, hiddenReason } from './workspaceFiles.ts';
import type { StatementSpan } from './wireProtocol.ts';

/** Extra time past an LF's budget before the parent kills the worker (the runner stops on its own first). */
const KILL_GRACE_MS = 300;
/**
 * Replacing a worker (after an LF crashed, timed out or ran out of memory) re-runs the file's top level, which
 * may take up to one LF's budget: without a bound a file of LFs that all kill their worker costs (LFs + 1) x
 * budget per dataset. Per shard slot of one unit, workers are replaced at most MAX_RESTARTS times and only
 * while the replacements so far took less than RESTART_BUDGETS x the LF budget; the LFs left are then
 * reported as not run, each failing on every row.
 */
const MAX_RESTARTS = 16;
const RESTART_BUDGETS = 2;
/** Parsing runs no user code; this only bounds a pathological text. */
const PARSE_BUDGET_MS = 10_000;

export interface UnitOptions {
  file: string;
  source: string;
  siblingModules?: Record<string, string>;
  datasetKeys: string[];
  cardinality: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Pyodide: workspace files the unit may read (absolute path -> content), written into its workers. */
  resources?: Map<string, Buffer>;
  /** Pyodide: the folder whose missing paths the workers note; they are added to `missed` after the run. */
  watch?: string;
  missed?: Set<string>;
  /** The workspace folder the file may read (RunFileOptions.readRoot). */
  readRoot?: string;
  /** Files no LF may read (the user's Python refuses to open them; pyodide is never given them). */
  hiddenFiles?: HiddenFile[];
  /** The user's Python: the workspace's fingerprint (workspaceFingerprint), part of the cache keys. */
  readsDigest?: string;
}

export interface UnitContext {
  pool: WorkerPool;
  datasets: Map<string, DatasetRecord>;
  cache: LfResultCache | null;
  /** Runtime version: part of every cache scope. */
  runtime: string;
  memoryCapMb: number | null;
  emit: (e: ExecutorEvent) => void;
  /** Statement spans by digest of the source, from earlier parses (trusted: made by clean workers). */
  parsed?: Map<string, StatementSpan[] | null>;
  /** Start spares once the unit is done (default true; false after the caller's last planned unit). */
  refillAfter?: boolean;
}

/** At most this many parses are remembered. */
const PARSED_KEPT = 64;

class UnitFailure extends Error {
  constructor(
    message: string,
    readonly killedFor: string | null,
  ) {
    super(message);
  }
}

export async function runUnit(ctx: UnitContext, o: UnitOptions): Promise<FileRunResult[]> {
  const t0 = performance.now();
  const dsList = o.datasetKeys.map((key) => {
    const ds = ctx.datasets.get(key);
    if (!ds) throw new Error(`LF sandbox: no dataset "${key}" was loaded; call loadRows("${key}", rows) first.`);
    return ds;
  });
  const scopes = dsList.map((ds) => `${ctx.runtime}|${ds.fingerprint}|${o.cardinality}`);
  const siblings = o.siblingModules ? JSON.stringify(o.siblingModules) : '';
  const resources = o.resources?.size ? JSON.stringify(Object.fromEntries([...o.resources].map(([p, b]) => [p, b.toString('base64')]))) : '';
  const resourceDigest = o.resources?.size ? digestResources(o.resources) : (o.readsDigest ?? '');
  const taken = new Set<Worker>();
  const onAbort = (): void => {
    for (const w of taken) w.kill('abort');
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  // Spares start beside the unit only while it leaves a core free; otherwise once it is done.
  const slotsUsed = Math.max(...dsList.map((ds) => ds.shards.length));
  const refillDuring = ctx.refillAfter !== false && slotsUsed < availableParallelism();
  const take = async (slot: number): Promise<Worker> => {
    o.signal?.throwIfAborted();
    const w = await ctx.pool.take(slot, refillDuring);
    taken.add(w);
    if (o.signal?.aborted) w.kill('abort');
    o.signal?.throwIfAborted();
    return w;
  };
  // runs[d][slot]: what each shard of each dataset produced.
  const runs: ShardRun[][] = dsList.map((ds) => ds.shards.map((sh) => ({ prepared: null, outcomes: new Map(), fileCrash: null, rows: sh.end - sh.start })));
  let reference: Prepared | null = null;
  let keys: string[] | null = null;
  let statements: StatementSpan[] | null = null;
  // The spans behind the cache keys; needed once the first prepare has answered.
  let spans: Promise<void> = Promise.resolve();

  const timed = async <T>(w: Worker, budgetMs: number, work: (reset: () => void) => Promise<T>): Promise<T> => {
    let timer = setTimeout(() => w.kill('timeout'), budgetMs);
    try {
      return await work(() => {
        clearTimeout(timer);
        timer = setTimeout(() => w.kill('timeout'), budgetMs);
      });
    } finally {
      clearTimeout(timer);
    }
  };

  const prepareOn = async (w: Worker): Promise<Prepared> => {
    const id = w.id();
    w.send({
      type: 'prepare',
      id,
      file: o.file,
      source: o.source,
      siblings,
      ...(resources ? { resources } : {}),
      ...(o.watch ? { watch: o.watch } : {}),
      ...(o.readRoot ? { root: resolve(o.readRoot) } : {}),
      ...(o.hiddenFiles?.length ? { hidden: o.hiddenFiles.map((h) => ({ path: h.path, reason: hiddenReason(h), id: fileIdentity(h.path) })) } : {}),
    });
    // The file's top level runs before the first LF starts: it gets one LF's budget too.
    const prep = await timed(w, o.timeoutMs + KILL_GRACE_MS, async () => checkPrepared(await w.next(), id));
    if (reference === null) {
      reference = prep;
    } else if (JSON.stringify(prep) !== JSON.stringify(reference)) {
      throw new UnitFailure(`${o.file} defines different labeling functions each time it runs, so its results cannot be trusted.`, 'protocol');
    }
    if (!prep.fileError && keys === null) await spans;
    if (!prep.fileError && keys === null) keys = lfCacheKeys({ file: o.file, source: o.source, siblings: o.siblingModules, resources: resourceDigest }, statements, prep.lfs, '');
    return prep;
  };

  const runSlot = async (slot: number, first: Worker | null): Promise<void> => {
    const here = dsList.map((ds, d) => (ds.shards[slot] ? d : -1)).filter((d) => d >= 0);
    let w = first ?? (await take(slot));
    let prep: Prepared;
    try {
      prep = await prepareOn(w);
    } catch (err) {
      o.signal?.throwIfAborted();
      const failure = asFailure(err, `the top level of ${o.file}`, o, ctx.memoryCapMb, null, BEFORE_ANY_LF);
      for (const d of here) runs[d]![slot]!.fileCrash = failure;
      if (!(err instanceof UnitFailure)) ctx.emit({ type: 'restarted', worker: slot, reason: reasonOf(failure.killedFor), file: o.file, lf: null, message: failure.message });
      return;
    }
    for (const d of here) runs[d]![slot]!.prepared = prep;
    if (prep.fileError) return;
    const unitKeys = keys!;
    let restarts = 0;
    let restartMs = 0;
    // LFs that crashed their worker (or blew its memory) on one dataset are not run again on the next: the
    // same failure, another restart and re-run of the top level.
    const crashed = new Map<number, string>();
    // LFs that gave results on a dataset of this slot.
    const ranFine = new Set<number>();
    // Set once this slot stops replacing workers: why the LFs left were not run. One more worker may still
    // serve later datasets, for the LFs that gave results on an earlier one (`lastWorker`).
    let stopped: string | null = null;
    let lastWorker = false;
    // The worker is gone: the next apply needs a replacement.
    let dead = false;
    for (const d of here) {
      const ds = dsList[d]!;
      const shard = ds.shards[slot]!;
      const out = runs[d]![slot]!;
      const scope = scopes[d]!;
      let todo = prep.lfs.map((_, i) => i).filter((i) => !ctx.cache?.get(unitKeys[i]!, scope));
      for (const [index, message] of crashed) {
        if (!todo.includes(index)) continue;
        out.outcomes.set(index, { kind: 'crash', message, durationMs: 0 });
        todo = todo.filter((i) => i !== index);
      }
      const notRun = (indices: number[]): void => {
        for (const index of indices) out.outcomes.set(index, { kind: 'crash', message: `${prep.lfs[index]!.name} was not run: ${stopped}`, durationMs: 0 });
      };
      while (todo.length) {
        o.signal?.throwIfAborted();
        if (dead) {
          if (stopped !== null) {
            const fine = todo.filter((i) => ranFine.has(i));
            if (lastWorker || fine.length === 0) {
              notRun(todo);
              break;
            }
            lastWorker = true;
            notRun(todo.filter((i) => !ranFine.has(i)));
            todo = fine;
          }
          // Carry on in a fresh worker: the one that failed held this unit's state and is gone. What counts
          // against the file is re-running its top level, not the wait for a worker to start.
          w = await take(slot);
          const restartAt = performance.now();
          try {
            await prepareOn(w);
            restartMs += performance.now() - restartAt;
            dead = false;
          } catch (again) {
            o.signal?.throwIfAborted();
            const f = asFailure(again, `the top level of ${o.file}`, o, ctx.memoryCapMb, null);
            if (again instanceof UnitFailure) {
              for (const dd of here) runs[dd]![slot]!.fileCrash ??= f;
              return;
            }
            // The LFs already run keep their results; the rest say why they have none.
            ctx.pool.retire(w, 'protocol');
            stopped = `the file's top level failed when it was re-run in a fresh sandbox worker after an LF stopped the previous one: ${f.message}`;
            lastWorker = true;
            continue;
          }
        }
        let running = -1;
        let rssAtStart: number | null = null;
        try {
          const id = w.id();
          w.send({ type: 'apply', id, key: ds.key, indices: todo, cardinality: o.cardinality, timeoutMs: o.timeoutMs });
          await timed(w, o.timeoutMs + KILL_GRACE_MS, async (reset) => {
            for (const index of todo) {
              checkLfStart(await w.next(), id, index);
              running = index;
              rssAtStart = w.proc.rssMb();
              reset();
              const done = checkLfDone(await w.next(), id, index, shard.end - shard.start, o.cardinality);
              out.outcomes.set(index, { kind: 'ok', outcome: done.outcome, votes: done.votes, durationMs: done.durationMs });
              ranFine.add(index);
              running = -1;
              reset();
            }
            checkApplied(await w.next(), id);
          });
          todo = [];
        } catch (err) {
          o.signal?.throwIfAborted();
          const lfName = running >= 0 ? prep.lfs[running]!.name : null;
          const failure = asFailure(err, lfName ?? `the top level of ${o.file}`, o, ctx.memoryCapMb, rssAtStart);
          ctx.pool.retire(w, 'protocol');
          if (err instanceof WorkerExited) {
            ctx.emit({ type: 'restarted', worker: slot, reason: reasonOf(failure.killedFor), file: o.file, lf: lfName, message: failure.message });
          }
          if (!(err instanceof WorkerExited) || running < 0) {
            for (const dd of here) runs[dd]![slot]!.fileCrash ??= failure;
            return;
          }
          const kind = failure.killedFor === 'timeout' ? 'timeout' : 'crash';
          out.outcomes.set(running, { kind, message: failure.message, durationMs: o.timeoutMs });
          if (kind === 'crash') crashed.set(running, failure.message);
          todo = todo.slice(todo.indexOf(running) + 1);
          dead = true;
          // Each replacement re-runs the file's top level (up to one LF's budget): bounded per file.
          if (stopped === null && (++restarts > MAX_RESTARTS || restartMs >= RESTART_BUDGETS * o.timeoutMs)) {
            stopped =
              `earlier LFs of ${o.file} stopped their sandbox worker ${restarts} times (crashed, ran out of time or memory), and each replacement ` +
              `re-runs the file's top level (${(restartMs / 1000).toFixed(1)} s in all so far), so its remaining LFs were not run, to bound the time one file takes. Fix the LFs that failed first.`;
          }
        }
      }
    }
  };

  // Python's parser on a clean worker (it runs nothing, so the worker stays clean): a spare that stays in the
  // pool when one is ready, so parsing runs beside the unit's own first steps, else the unit's first worker
  // before it runs any user code.
  const parseOn = async (w: Worker, staysSpare: boolean): Promise<void> => {
    try {
      const id = w.id();
      w.send({ type: 'parse', id, source: o.source, ...(staysSpare ? { staysSpare } : {}) });
      statements = await timed(w, PARSE_BUDGET_MS, async () => checkParsed(await w.next(), id, splitLines(o.source).length));
      remember(ctx, sourceDigest, statements);
    } catch (err) {
      if (staysSpare) ctx.pool.retire(w, err instanceof ProtocolViolation ? 'protocol' : 'done');
      o.signal?.throwIfAborted();
      if (err instanceof ProtocolViolation) throw new Error(`LF sandbox: a clean worker answered a parse request wrongly (${err.message}).`);
      // Without spans every LF is keyed by the whole unit: still correct, only less reuse across edits.
      statements = null;
    }
  };
  const sourceDigest = createHash('sha256').update(o.source).digest('hex');
  try {
    const first = await take(0);
    if (ctx.parsed?.has(sourceDigest)) {
      statements = ctx.parsed.get(sourceDigest)!;
    } else {
      const spare = ctx.pool.readyNow(0);
      if (spare) {
        spans = parseOn(spare, true);
        // Failing here only stops the unit when the first prepare awaits it.
        spans.catch(() => undefined);
      } else {
        await parseOn(first, false);
      }
    }
    const firstAlive = first.proc.alive ? first : null;
    await Promise.all(Array.from({ length: slotsUsed }, (_, slot) => runSlot(slot, slot === 0 ? firstAlive : null)));
    await spans;
    o.signal?.throwIfAborted();
    if (o.watch && o.missed) await collectMisses([...taken], o.missed, timed);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    for (const w of taken) ctx.pool.retire(w);
    if (ctx.refillAfter !== false) ctx.pool.replenish();
  }
  const elapsed = Math.round(performance.now() - t0);
  return dsList.map((ds, d) => {
    const result = mergeShardOutcomes(runs[d]!, ds, o, ctx.cache, scopes[d]!, keys ?? []);
    result.durationMs = elapsed;
    result.runtime = ctx.runtime.startsWith('python-') ? 'python' : 'sandbox';
    return result;
  });
}

function remember(ctx: UnitContext, digest: string, statements: StatementSpan[] | null): void {
  if (!ctx.parsed) return;
  ctx.parsed.delete(digest);
  ctx.parsed.set(digest, statements);
  while (ctx.parsed.size > PARSED_KEPT) ctx.parsed.delete(ctx.parsed.keys().next().value!);
}

/** Asks every worker of the unit still alive which watched paths it looked for and did not find. */
async function collectMisses(workers: Worker[], into: Set<string>, timed: <T>(w: Worker, ms: number, work: () => Promise<T>) => Promise<T>): Promise<void> {
  for (const w of workers) {
    if (!w.proc.alive) continue;
    try {
      const id = w.id();
      w.send({ type: 'misses', id });
      for (const path of await timed(w, 2000, async () => checkMissed(await w.next(), id))) into.add(path);
    } catch {
      // A worker that cannot answer: its misses are not known, so nothing more is sent for them.
    }
  }
}

function digestResources(resources: Map<string, Buffer>): string {
  const h = createHash('sha256');
  for (const [path, bytes] of [...resources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${path.length}:${path}${bytes.length}:`).update(bytes);
  return h.digest('hex');
}

function reasonOf(killedFor: string | null): 'timeout' | 'crash' | 'memory' {
  return killedFor === 'timeout' ? 'timeout' : killedFor === 'memory' ? 'memory' : 'crash';
}

const OTHERS_WENT_ON = "the file's other LFs went on in a fresh one";
/** When the file's top level fails before any of its LFs is listed (statements outside functions run first). */
const BEFORE_ANY_LF = 'none of its LFs could be listed: the cause is a statement outside any function';

function asFailure(
  err: unknown,
  what: string,
  o: UnitOptions,
  capMb: number | null,
  rssAtStart: number | null,
  after: string = OTHERS_WENT_ON,
): { message: string; killedFor: string | null } {
  if (err instanceof UnitFailure) return { message: err.message, killedFor: err.killedFor };
  if (err instanceof ProtocolViolation) {
    return {
      message: `The sandbox worker running ${o.file} sent a reply that breaks the protocol (${err.message}); the run was stopped and the worker discarded. Code in this file may be tampering with the runtime.`,
      killedFor: 'protocol',
    };
  }
  if (err instanceof WorkerFailed) return { message: `LF sandbox refused ${o.file}: ${err.message}`, killedFor: null };
  if (err instanceof WorkerExited) {
    const info = err.info;
    if (info.killedFor === 'timeout') return { message: `${what} ran longer than ${o.timeoutMs} ms and was stopped; its sandbox worker was discarded and ${after}.`, killedFor: 'timeout' };
    if (info.killedFor === 'memory') {
      const held = rssAtStart !== null && capMb !== null && rssAtStart > capMb / 2 ? ` (the worker already held ${Math.round(rssAtStart)} MB when it started, kept by code of this same file that ran before it)` : '';
      return { message: `${what} used more than ${capMb} MB of memory${held}; it was stopped, its sandbox worker was discarded and ${after}.`, killedFor: 'memory' };
    }
    if (info.stderrTail && /Maximum call stack size exceeded|Fatal Python error: Cannot recover from stack overflow/.test(info.stderrTail)) {
      // Deep recursion overflows the interpreter's own stack (wasm in pyodide) before Python's recursion limit
      // can stop it, when a file raises that limit: say so, not which wasm function it crashed in.
      return {
        message: `${what} recursed too deeply and overflowed the interpreter's stack (infinite recursion, a recursion limit raised with sys.setrecursionlimit, or an expression too long or too deeply nested for Python's compiler: split it); its sandbox worker was discarded and ${after}.`,
        killedFor: info.killedFor,
      };
    }
    // Without the worker's own start-up line ("ready: pyodide 1522 ms, ..."), which says nothing about the crash.
    const said = info.stderrTail.replace(/^ready: [^\n]*\n?/m, '').trim();
    const tail = said ? `: ${said.slice(-600)}` : '';
    return { message: `${what} crashed its sandbox worker (${describeExit(info)})${tail}; the worker was discarded and ${after}.`, killedFor: info.killedFor };
  }
  return { message: `LF sandbox: ${err instanceof Error ? err.message : String(err)}`, killedFor: null };
}
