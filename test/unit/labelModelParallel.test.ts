// Large fits on two threads (parallelFit.ts): the worker's share must give exactly what one thread gives, and a
// failed worker must fall back to fitting on this thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawSyntheticVotes, randomSpec } from '../../lf-runtime/src/labelModel/syntheticVotes.ts';
import { buildVoteIndex } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import { fitLargeIndex, locateWorkerBundle } from '../../lf-runtime/src/labelModel/parallelFit.ts';
import { fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import type { IndexedLabelModel } from '../../lf-runtime/src/labelModel/fittedModel.ts';

const { L } = drawSyntheticVotes(randomSpec(30_000, 20, 3, 11));
const index = buildVoteIndex(L, 3, { compress: false });

function sameFits(a: IndexedLabelModel[], b: IndexedLabelModel[]): void {
  assert.deepEqual(a.map((c) => c.name), ['majority', 'dawid-skene-step', 'agreement', 'prior-anchored', 'flying-squid']);
  assert.deepEqual(a.map((c) => c.name), b.map((c) => c.name));
  a.forEach((c, i) => {
    assert.deepEqual(c.accuracyWhenVoting, b[i].accuracyWhenVoting, c.name);
    assert.deepEqual(c.classBalance, b[i].classBalance, c.name);
    assert.deepEqual(c.scoreIndex(index), b[i].scoreIndex(index), c.name);
  });
}

test('the worker bundle is built beside the others (npm run test:unit builds first)', () => {
  assert.ok(locateWorkerBundle(), 'dist/labelModelWorker.js');
});

test('two threads give exactly the one-thread fit', () => {
  const two = fitLargeIndex(index, {}, 2000);
  const one = fitLargeIndex(index, {}, 2000, null);
  assert.equal(two.threads, 2);
  assert.equal(one.threads, 1);
  assert.equal(two.warmStartRows, one.warmStartRows);
  assert.ok(two.warmStartRows > 0 && two.warmStartRows <= 2000);
  sameFits(two.candidates, one.candidates);
});

test('a worker that reports a failure is replaced by fitting on this thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lf-studio-worker-'));
  const failing = join(dir, 'failing.js');
  writeFileSync(
    failing,
    "const { workerData } = require('node:worker_threads');\n" +
      "workerData.port.postMessage({ ok: false, error: 'out of memory' });\n" +
      'Atomics.store(workerData.done, 0, 1);\nAtomics.notify(workerData.done, 0);\n',
  );
  const fallback = fitLargeIndex(index, {}, 2000, failing);
  assert.equal(fallback.threads, 1);
  sameFits(fallback.candidates, fitLargeIndex(index, {}, 2000, null).candidates);
});

test('fitDefault takes the two-thread path for a matrix with too many vote patterns', () => {
  const fit = fitDefault(L, 3, { maxFitRows: 2000 });
  assert.equal(fit.threads, 2);
  assert.equal(fit.fittedRows, L.n);
  assert.equal(fitDefault(L, 3).threads, 1, 'compressible: one thread');
});
