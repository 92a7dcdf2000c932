// Weighted vote patterns: fitting on distinct vote patterns, each weighted by its row count, must give the
// same parameters and per-row posteriors as fitting on every row (up to floating-point summation order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildVoteIndex, compressVoteMatrix, expandRows } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import type { VoteIndex } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import { fitMajorityVoteOnIndex } from '../../lf-runtime/src/labelModel/majorityVote.ts';
import { fitDawidSkeneOnIndex } from '../../lf-runtime/src/labelModel/dawidSkene.ts';
import { fitMatrixCompletionOnIndex } from '../../lf-runtime/src/labelModel/matrixCompletion.ts';
import { fitFlyingSquidOnIndex } from '../../lf-runtime/src/labelModel/flyingSquid.ts';
import { agreementModelFromFit, runAgreementModel } from '../../lf-runtime/src/labelModel/agreementModel.ts';
import { priorAnchoredModelFromFit, runPriorAnchoredModel } from '../../lf-runtime/src/labelModel/priorAnchoredModel.ts';
import { fitCandidates, fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import { drawDetectorVotes, drawSyntheticVotes, randomSpec } from '../../lf-runtime/src/labelModel/syntheticVotes.ts';
import { readWrenchTask, readWrenchVotes } from '../../lf-runtime/src/labelModel/wrenchVotes.ts';
import type { IndexedLabelModel } from '../../lf-runtime/src/labelModel/fittedModel.ts';
import type { VoteMatrix } from '../../lf-runtime/src/labelModel/types.ts';

// Sums taken in a different order may differ in the last bits; nothing more is allowed.
const TOL = 1e-9;

const fitters: Record<string, (index: VoteIndex) => IndexedLabelModel> = {
  majority: (index) => fitMajorityVoteOnIndex(index, 0),
  'dawid-skene': (index) => fitDawidSkeneOnIndex(index),
  'matrix-completion': (index) => fitMatrixCompletionOnIndex(index),
  'flying-squid': (index) => fitFlyingSquidOnIndex(index),
  agreement: (index) => agreementModelFromFit(index, runAgreementModel(index), 0, 0),
  'prior-anchored': (index) => priorAnchoredModelFromFit(index, runPriorAnchoredModel(index), 0, 0),
};

function assertClose(a: ArrayLike<number | null>, b: ArrayLike<number | null>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null) assert.equal(x, y, `${what}[${i}]`);
    else assert.ok(Math.abs(x - y) <= TOL, `${what}[${i}]: ${x} vs ${y}`);
  }
}

function assertSameModel(compressed: IndexedLabelModel, plain: IndexedLabelModel, L: VoteMatrix, ci: VoteIndex, pi: VoteIndex, what: string): void {
  assertClose(compressed.accuracyWhenVoting, plain.accuracyWhenVoting, `${what} accuracy`);
  assertClose(compressed.classBalance, plain.classBalance, `${what} balance`);
  assertClose(expandRows(ci, compressed.scoreIndex(ci), ci.k), plain.scoreIndex(pi), `${what} posterior`);
  assert.deepEqual(compressed.predict(L, 'random'), plain.predict(L, 'random'), `${what} random-policy labels`);
  assert.deepEqual(compressed.predict(L, 'abstain'), plain.predict(L, 'abstain'), `${what} abstain-policy labels`);
}

function detectorMatrix(): { L: VoteMatrix; k: number } {
  const { L } = drawDetectorVotes({
    n: 6000,
    k: 3,
    classBalance: [0.5, 0.3, 0.2],
    label: [0, 0, 1, 1, 2, 2, 0],
    fireIfClass: [0.4, 0.3, 0.35, 0.3, 0.4, 0.3, 0.9],
    fireOtherwise: [0.05, 0.03, 0.04, 0.02, 0.03, 0.02, 0.7],
    seed: 4,
  });
  return { L, k: 3 };
}

function trecMatrix(): { L: VoteMatrix; k: number } {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'wrench', 'trec');
  const train = readWrenchVotes(join(dir, 'train.json'));
  return { L: train.L, k: readWrenchTask(dir, [train]).k };
}

for (const [caseName, make] of Object.entries({ 'one-label LFs': detectorMatrix, trec: trecMatrix })) {
  test(`${caseName}: the compressed index holds every row once, with its own votes`, () => {
    const { L, k } = make();
    const ci = buildVoteIndex(L, k);
    assert.ok(ci.rowPattern !== null && ci.n < L.n / 4, `${ci.n} patterns for ${L.n} rows`);
    assert.equal(ci.rows, L.n);
    assert.equal(ci.weight.reduce((s, w) => s + w, 0), L.n);
    const pi = buildVoteIndex(L, k, { compress: false });
    assert.equal(ci.uncoveredRows, pi.uncoveredRows);
    assertClose(ci.votesPerLf, pi.votesPerLf, 'votes per LF');
    for (let r = 0; r < L.n; r++) {
      const p = ci.rowPattern![r];
      const row = new Int8Array(L.m).fill(-1);
      for (let t = ci.rowStart[p]; t < ci.rowStart[p + 1]; t++) row[ci.lf[t]] = ci.label[t];
      assert.deepEqual(row, L.data.subarray(r * L.m, (r + 1) * L.m), `row ${r}`);
    }
  });

  for (const [name, fit] of Object.entries(fitters)) {
    test(`${caseName}: ${name} fitted on weighted patterns equals the fit on every row`, () => {
      const { L, k } = make();
      const ci = buildVoteIndex(L, k);
      const pi = buildVoteIndex(L, k, { compress: false });
      assertSameModel(fit(ci), fit(pi), L, ci, pi, name);
    });
  }

  test(`${caseName}: every default candidate is the same on patterns and on rows`, () => {
    const { L, k } = make();
    const ci = buildVoteIndex(L, k);
    const pi = buildVoteIndex(L, k, { compress: false });
    const a = fitCandidates(ci);
    const b = fitCandidates(pi);
    a.forEach((model, c) => assertSameModel(model, b[c], L, ci, pi, model.name));
  });
}

test('compression gives up once there are more distinct patterns than allowed', () => {
  const { L } = drawSyntheticVotes(randomSpec(2000, 30, 2, 9));
  assert.equal(compressVoteMatrix(L, 2, 100), null);
  const index = buildVoteIndex(L, 2);
  assert.equal(index.rowPattern, null, 'nearly all-distinct rows are indexed one by one');
  assert.equal(index.n, L.n);
});

test('fitDefault runs on all rows of a compressible matrix and says how many patterns it used', () => {
  const { L, k } = detectorMatrix();
  const fit = fitDefault(L, k, { maxFitRows: 1000 });
  assert.equal(fit.fittedRows, L.n, 'few patterns: no sampling even above maxFitRows rows');
  assert.ok(fit.fittedPatterns <= 1000);
  const { L: distinct } = drawSyntheticVotes(randomSpec(4000, 30, 2, 9));
  const sampled = fitDefault(distinct, 2, { maxFitRows: 1000 });
  assert.equal(sampled.fittedRows, 1000, 'all-distinct rows: the strided sample is kept');
});

test('a bad vote in a repeated pattern is still reported with its row and LF', () => {
  const L = { n: 3, m: 2, data: Int8Array.from([0, 1, 0, 1, 0, 7]) };
  assert.throws(() => buildVoteIndex(L, 2), /vote 7 at row 2, LF 1/);
});
