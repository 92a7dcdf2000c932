/**
 * Turns what the workers reported for each shard into the FileRunResult callers see: votes concatenated
 * in row order, counts summed, row indices mapped to row ids, timeouts and crashes as errors on the LF
 * that caused them, cached LFs filled in. Worker output is validated here (vote range, lengths) because
 * the worker runs hostile code.
 */
import type { LfResultCache } from './resultCache.ts';
import type { FileRunResult, LfErrorInfo, LfRunResult, RunFileOptions } from './types.ts';
import type { LfOutcome, PreparedMessage } from './wireProtocol.ts';

export type ShardOutcome =
  | { kind: 'ok'; outcome: LfOutcome; durationMs: number }
  | { kind: 'timeout' | 'crash'; message: string; durationMs: number };

export interface ShardRun {
  prepared: PreparedMessage | null;
  outcomes: Map<number, ShardOutcome>;
  /** Set when the worker died outside any LF (top-level code) or refused the run. */
  fileCrash: { message: string; killedFor: string | null } | null;
  rows: number;
}

interface DatasetShape {
  ids: string[];
  shards: { start: number; end: number }[];
}

const MAX_ERROR_ROW_IDS = 5;

export function mergeShardOutcomes(runs: ShardRun[], ds: DatasetShape, o: RunFileOptions, cache: LfResultCache | null, scope: string): FileRunResult {
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
    return { file: o.file, lfs: [], fileError: sanitizeError(first.prepared.fileError), durationMs: 0 };
  }
  const total = ds.ids.length;
  const lfs: LfRunResult[] = first.prepared.lfs.map((lf, index) => {
    const cached = cache?.get(lf.key, scope);
    const fresh = runs.every((r) => r.outcomes.has(index));
    if (cached && !fresh) return { ...cached, name: lf.name, line: lf.line, durationMs: 0 };
    const result: LfRunResult = {
      name: lf.name, line: lf.line, votes: new Int8Array(total).fill(-1), errors: 0, errorRowIds: [], firstError: null,
      noneCount: 0, timedOut: false, durationMs: 0,
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
      const votes = decodeVotes(out.votes, end - start, o.cardinality);
      if (!votes) {
        failure ??= { kind: 'crash', message: `${lf.name}: the runtime returned malformed votes.`, line: lf.line, traceback: null };
        return;
      }
      result.votes.set(votes, start);
      result.errors += nonNegativeInt(out.errors);
      result.noneCount += nonNegativeInt(out.noneCount);
      for (const r of Array.isArray(out.errorRows) ? out.errorRows : []) {
        const id = Number.isInteger(r) && r >= 0 && r < end - start ? ds.ids[start + r] : undefined;
        if (id !== undefined && result.errorRowIds.length < MAX_ERROR_ROW_IDS) result.errorRowIds.push(id);
      }
      if (out.firstError && !result.firstError) result.firstError = sanitizeError(out.firstError);
    });
    if (failure) {
      // A stopped LF has no trustworthy votes: every row abstains.
      result.votes.fill(-1);
      result.firstError = failure;
      if (!result.timedOut) result.errors = Math.max(result.errors, 1);
    } else {
      cache?.put(lf.key, scope, result);
    }
    return result;
  });
  return { file: o.file, lfs, fileError: null, durationMs: 0 };
}

function decodeVotes(b64: unknown, expected: number, k: number): Int8Array | null {
  if (typeof b64 !== 'string') return null;
  const buf = Buffer.from(b64, 'base64');
  if (buf.length !== expected) return null;
  const votes = new Int8Array(buf.buffer, buf.byteOffset, buf.length);
  for (let i = 0; i < votes.length; i++) if (votes[i] < -1 || votes[i] >= k) return null;
  return new Int8Array(votes);
}

function nonNegativeInt(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
}

const KINDS = new Set(['syntax', 'import', 'missing-package', 'exception', 'invalid-return', 'timeout', 'crash']);

function sanitizeError(e: LfErrorInfo): LfErrorInfo {
  return {
    kind: KINDS.has(e?.kind) ? e.kind : 'exception',
    message: String(e?.message ?? 'error').slice(0, 2000),
    line: Number.isInteger(e?.line) ? e.line : null,
    traceback: typeof e?.traceback === 'string' && e.traceback ? e.traceback.slice(0, 8000) : null,
  };
}
