/**
 * Turns what the workers reported for each shard into the FileRunResult callers see: votes concatenated
 * in row order, counts summed, row indices mapped to row ids, timeouts and crashes as errors on the LF
 * that caused them, cached LFs filled in. What arrives here was already checked against the protocol
 * (replySchema.ts); cache keys come from the parent (cacheKeys.ts).
 */
import type { Prepared } from './replySchema.ts';
import type { LfResultCache } from './resultCache.ts';
import type { FileRunResult, LfErrorInfo, LfRunResult } from './types.ts';
import type { LfOutcome } from './wireProtocol.ts';

export type ShardOutcome =
  | { kind: 'ok'; outcome: LfOutcome; votes: Int8Array; durationMs: number }
  | { kind: 'timeout' | 'crash'; message: string; durationMs: number };

export interface ShardRun {
  prepared: Prepared | null;
  outcomes: Map<number, ShardOutcome>;
  /** Set when the worker died outside any LF (top-level code) or refused the run. */
  fileCrash: { message: string; killedFor: string | null } | null;
  rows: number;
}

interface DatasetShape {
  ids: string[];
  shards: { start: number; end: number }[];
}

const MAX_ERROR_ROW_IDS = 100;

export function mergeShardOutcomes(
  runs: ShardRun[],
  ds: DatasetShape,
  o: { file: string; timeoutMs: number },
  cache: LfResultCache | null,
  scope: string,
  keys: string[],
): FileRunResult {
  const first = runs[0];
  const crashed = runs.find((r) => r.fileCrash);
  if (crashed?.fileCrash) {
    const kind = crashed.fileCrash.killedFor === 'timeout' ? 'timeout' : 'crash';
    return { file: o.file, lfs: [], fileError: { kind, message: crashed.fileCrash.message, line: null, traceback: null }, durationMs: 0 };
  }
  if (!first.prepared) {
    return { file: o.file, lfs: [], fileError: { kind: 'crash', message: 'The runtime did not report the file’s labeling functions.', line: null, traceback: null }, durationMs: 0 };
  }
  if (first.prepared.fileError) {
    return { file: o.file, lfs: [], fileError: first.prepared.fileError, durationMs: 0, ...(first.prepared.problems.length ? { problems: first.prepared.problems } : {}) };
  }
  const total = ds.ids.length;
  const lfs: LfRunResult[] = first.prepared.lfs.map((lf, index) => {
    const key = keys[index]!;
    const cached = cache?.get(key, scope);
    const fresh = runs.every((r) => r.outcomes.has(index));
    const listed = { ...(lf.listed === undefined ? {} : { listed: lf.listed }), ...(lf.definedIn === undefined ? {} : { definedIn: lf.definedIn }) };
    if (cached && !fresh) return { ...cached, name: lf.name, line: lf.line, durationMs: 0, ...listed };
    const result: LfRunResult = {
      name: lf.name, line: lf.line, votes: new Int8Array(total).fill(-1), errors: 0, errorRowIds: [], firstError: null,
      noneCount: 0, timedOut: false, durationMs: 0, ...listed,
    };
    let failure: LfErrorInfo | null = null;
    runs.forEach((run, s) => {
      const got = run.outcomes.get(index);
      const { start, end } = ds.shards[s];
      if (!got) {
        failure ??= { kind: 'crash', message: `${lf.name} produced no result (the runtime stopped before reaching it).`, line: lf.line, traceback: null };
        return;
      }
      result.durationMs = Math.max(result.durationMs, got.durationMs);
      if (got.kind !== 'ok') {
        failure ??= { kind: got.kind, message: got.message, line: lf.line, traceback: null };
        if (got.kind === 'timeout') result.timedOut = true;
        return;
      }
      const out = got.outcome;
      if (out.timedOut) {
        result.timedOut = true;
        failure ??= { kind: 'timeout', message: `${lf.name} ran longer than ${o.timeoutMs} ms over the data and was stopped.`, line: lf.line, traceback: null };
        return;
      }
      result.votes.set(got.votes, start);
      result.errors += out.errors;
      result.noneCount += out.noneCount;
      for (const r of out.errorRows) {
        const id = r < end - start ? ds.ids[start + r] : undefined;
        if (id !== undefined && result.errorRowIds.length < MAX_ERROR_ROW_IDS) result.errorRowIds.push(id);
      }
      if (out.firstError && !result.firstError) result.firstError = out.firstError;
    });
    if (failure) {
      // A stopped LF has no trustworthy votes: every row abstains. One that crashed its worker (or was never
      // reached) failed on every row, and is counted so (figures, the CLI's failures), not as one error; a
      // timeout says so in `timedOut`.
      result.votes.fill(-1);
      result.firstError = failure;
      if (!result.timedOut) {
        result.errors = total;
        result.errorRowIds = ds.ids.slice(0, MAX_ERROR_ROW_IDS);
      }
    } else {
      cache?.put(key, scope, result);
    }
    return result;
  });
  return { file: o.file, lfs, fileError: null, durationMs: 0, ...(first.prepared.problems.length ? { problems: first.prepared.problems } : {}) };
}
