import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunScheduler } from '../../lf-runtime/src/server/runScheduler.ts';

const noErrors = (err: unknown): void => {
  throw new Error(`unexpected run failure: ${String(err)}`);
};

describe('RunScheduler', () => {
  it('coalesces requests and never runs two batches at once', async () => {
    const batches: string[][] = [];
    let active = 0;
    let maxActive = 0;
    let release: (() => void) | null = null;
    const s = new RunScheduler(async (files) => {
      active++;
      maxActive = Math.max(maxActive, active);
      batches.push(files);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      active--;
    }, noErrors);
    const first = s.runNow(['a.py']);
    await new Promise((r) => setImmediate(r));
    // Two edits arrive while the first batch runs: they must form one later batch, not be lost.
    s.request(['b.py'], 0);
    s.request(['b.py', 'c.py'], 0);
    await new Promise((r) => setTimeout(r, 10));
    release!();
    await first;
    await s.runNow([]);
    assert.equal(maxActive, 1);
    assert.deepEqual(batches, [['a.py'], ['b.py', 'c.py']]);
  });

  it('debounces typing into one run', async () => {
    const batches: string[][] = [];
    const s = new RunScheduler(async (files) => {
      batches.push(files);
    }, noErrors);
    for (let i = 0; i < 5; i++) s.request(['a.py'], 20);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(batches, [['a.py']]);
    s.dispose();
  });

  it('hands a failing batch to onError without rejecting, and keeps running later batches', async () => {
    const batches: string[][] = [];
    const failures: [string, string[]][] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const s = new RunScheduler(
        async (files) => {
          batches.push(files);
          if (files.includes('broken.py')) throw new Error('vote column 0 has 3 entries but the matrix has 4 rows');
        },
        (err, files) => failures.push([(err as Error).message, files]),
      );
      s.request(['broken.py'], 0); // the timer path, as typing takes
      await new Promise((r) => setTimeout(r, 20));
      await s.runNow(['ok.py']);
      assert.deepEqual(batches, [['broken.py'], ['ok.py']]);
      assert.deepEqual(failures, [['vote column 0 has 3 entries but the matrix has 4 rows', ['broken.py']]]);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
