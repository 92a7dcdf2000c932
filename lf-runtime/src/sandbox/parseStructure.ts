/**
 * Python's own parser for runtime code that needs a text's structure (LLM candidates, insertions, the LFs of
 * a file): the `parse` request that unit runs send first (lf_runner.parse_structure), on a clean worker of the
 * pool. Parsing executes none of the text, so the worker stays clean and stays in the pool; the executor's
 * queue keeps units from taking it meanwhile. Every reply is checked like any other (replySchema.ts); a worker
 * that answers wrongly, crashes or takes too long is killed.
 */
import { splitLines } from './cacheKeys.ts';
import { checkStructure, ProtocolViolation, WorkerFailed } from './replySchema.ts';
import type { PythonParseOutcome } from './pythonStructure.ts';
import { WorkerExited, type WorkerPool } from './workerPool.ts';

/** A bound on a pathological text; parsing runs no user code. */
const PARSE_BUDGET_MS = 10_000;

export async function parseOnCleanWorker(pool: WorkerPool, sources: readonly string[], signal?: AbortSignal): Promise<PythonParseOutcome[]> {
  const outcomes: PythonParseOutcome[] = [];
  for (const source of sources) {
    signal?.throwIfAborted();
    if (typeof source !== 'string') throw new TypeError('parsePython: every source must be a string.');
    const w = await pool.awaitClean(0);
    const id = w.id();
    w.send({ type: 'parse', id, source, staysSpare: true });
    const timer = setTimeout(() => w.kill('timeout'), PARSE_BUDGET_MS);
    try {
      const parsed = checkStructure(await w.next(), id, splitLines(source).length);
      outcomes.push(parsed.statements === null ? { ok: false, error: parsed.error.message, line: parsed.error.line } : { ok: true, structure: { statements: parsed.statements, lfs: parsed.lfs } });
    } catch (err) {
      pool.retire(w, err instanceof ProtocolViolation ? 'protocol' : 'done');
      pool.refill();
      if (err instanceof ProtocolViolation) throw new Error(`LF sandbox: a clean worker answered a parse request wrongly (${err.message}).`);
      if (err instanceof WorkerFailed) throw new Error(`LF sandbox: Python's parser failed: ${err.message}`);
      if (err instanceof WorkerExited && err.info.killedFor === 'timeout') {
        outcomes.push({ ok: false, error: `Python's parser took longer than ${PARSE_BUDGET_MS / 1000} s on this text`, line: null });
        continue;
      }
      if (err instanceof WorkerExited) throw new Error(`LF sandbox: the worker parsing Python ${err.message.replace(/^the sandbox worker /, '')}.`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
  return outcomes;
}
