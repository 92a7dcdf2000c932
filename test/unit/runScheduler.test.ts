import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunScheduler } from '../../lf-runtime/src/server/runScheduler.ts';

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
    });
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
    });
    for (let i = 0; i < 5; i++) s.request(['a.py'], 20);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(batches, [['a.py']]);
    s.dispose();
  });
});
