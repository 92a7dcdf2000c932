// Weighted vote patterns: fitting on distinct vote patterns, each weighted by its row count, must give the
// same parameters and per-row posteriors as fitting on every row (up to floating-point summation order).
// A matrix with too many patterns is fitted on every row too, with EM started from a strided sample: the
// parameters must be the ones a fit from the usual start reaches. The fast paths of the EM loops (two
// classes, the own-vote shortcut) must equal the per-vote formulas they replace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildVoteIndex, compressVoteMatrix, expandRows, strideRows } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import type { VoteIndex } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import { fitMajorityVoteOnIndex } from '../../lf-runtime/src/labelModel/majorityVote.ts';
import { fitDawidSkeneOnIndex } from '../../lf-runtime/src/labelModel/dawidSkene.ts';
import { fitMatrixCompletionOnIndex } from '../../lf-runtime/src/labelModel/matrixCompletion.ts';
import { fitFlyingSquidOnIndex } from '../../lf-runtime/src/labelModel/flyingSquid.ts';
import { agreementModelFromFit, runAgreementModel } from '../../lf-runtime/src/labelModel/agreementModel.ts';
import { anchoredWeights, priorAnchoredModelFromFit, runPriorAnchoredModel } from '../../lf-runtime/src/labelModel/priorAnchoredModel.ts';
import { AGREEMENT_SHRINKAGE, fitCandidates, fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import { fitLargeIndex } from '../../lf-runtime/src/labelModel/parallelFit.ts';
import { voteWeights } from '../../lf-runtime/src/labelModel/oneCoinModel.ts';
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

function wrenchMatrix(name: string): { L: VoteMatrix; k: number } {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'wrench', name);
  const train = readWrenchVotes(join(dir, 'train.json'));
  return { L: train.L, k: readWrenchTask(dir, [train]).k };
}

// k = 3, k = 6, and a binary task (the models have two-class fast paths).
const compressible = { 'one-label LFs': detectorMatrix, trec: () => wrenchMatrix('trec'), sms: () => wrenchMatrix('sms') };
for (const [caseName, make] of Object.entries(compressible)) {
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
  assert.equal(fit.warmStartRows, 0, 'fitted on patterns: no sample needed');
});

test('a matrix with more distinct patterns than maxFitRows is still fitted on every row', () => {
  const { L } = drawSyntheticVotes(randomSpec(4000, 30, 2, 9));
  const fit = fitDefault(L, 2, { maxFitRows: 1000 });
  assert.equal(fit.fittedRows, L.n, 'every row counts');
  assert.equal(fit.fittedPatterns, L.n, 'indexed row by row: compression did not pay');
  assert.equal(fit.warmStartRows, 1000, 'EM started from a sample of every 4th row');
  assert.equal(fit.uncoveredRows, buildVoteIndex(L, 2, { compress: false }).uncoveredRows);
});

test('the strided sample holds every stride-th index row with its own votes', () => {
  const { L } = drawSyntheticVotes(randomSpec(1000, 20, 3, 5));
  const index = buildVoteIndex(L, 3, { compress: false });
  const sample = strideRows(index, 300);
  assert.equal(sample.n, 250, 'stride ceil(1000 / 300) = 4');
  assert.equal(sample.rows, 250);
  assert.equal(strideRows(index, 1000), index, 'small enough: the index itself');
  let uncovered = 0;
  for (let r = 0; r < sample.n; r++) {
    const i = r * 4;
    const votes = (ix: typeof index, row: number) => Array.from(ix.lf.subarray(ix.rowStart[row], ix.rowStart[row + 1]), (j, t) => [j, ix.label[ix.rowStart[row] + t]]);
    assert.deepEqual(votes(sample, r), votes(index, i), `sample row ${r}`);
    if (index.rowStart[i] === index.rowStart[i + 1]) uncovered++;
  }
  assert.equal(sample.uncoveredRows, uncovered);
  const perLf = new Float64Array(20 * 3);
  for (let t = 0; t < sample.lf.length; t++) perLf[sample.lf[t] * 3 + sample.label[t]]++;
  assertClose(sample.votesPerLf, perLf, 'votes per LF of the sample');
});

// EM stops when no parameter moves by 1e-5 (agreement, prior-anchored): two runs to the same fixed point from
// different starts agree to a few times that.
const FIXED_POINT_TOL = 1e-4;

test('EM started from a tiny strided sample reaches the parameters of EM started as usual', () => {
  const { L } = drawSyntheticVotes(randomSpec(4000, 30, 2, 9));
  const index = buildVoteIndex(L, 2, { compress: false });
  // One thread, so the warm-started path is the one this thread runs (the two-thread split: labelModelParallel.test.ts).
  const large = fitLargeIndex(index, {}, 200, null);
  assert.equal(large.warmStartRows, 200, 'more rows than the sample');
  const usual = fitCandidates(index);
  const started = large.candidates;
  // The sample alone is far off: the test could tell a sample fit from a full one.
  const sampleAgreement = runAgreementModel(strideRows(index, 200), { shrinkage: AGREEMENT_SHRINKAGE }).accuracy;
  const fromSample = runAgreementModel(index, { maxIterations: 0, initialAccuracies: sampleAgreement }).accuracy;
  const usualAgreement = usual.find((c) => c.name === 'agreement')!.accuracyWhenVoting;
  const gap = Math.max(...Array.from(fromSample, (a, j) => Math.abs(a - usualAgreement[j]!)));
  assert.ok(gap > 20 * FIXED_POINT_TOL, `sample fit differs from the full fit by ${gap}`);
  usual.forEach((model, c) => {
    assert.equal(started[c].name, model.name);
    for (const [what, a, b] of [
      ['accuracy', started[c].accuracyWhenVoting, model.accuracyWhenVoting],
      ['balance', started[c].classBalance, model.classBalance],
    ] as const) {
      a.forEach((x, j) => assert.ok(Math.abs(x! - b[j]!) <= FIXED_POINT_TOL, `${model.name} ${what}[${j}]: ${x} vs ${b[j]}`));
    }
  });
  // Through fitDefault: the warm-started fit on rows against the usual fit on (all distinct) patterns.
  const warm = fitDefault(L, 2, { maxFitRows: 200 });
  const plain = fitDefault(L, 2, { maxFitRows: L.n });
  assert.equal(warm.warmStartRows, 200);
  assert.equal(plain.warmStartRows, 0);
  warm.model.accuracyWhenVoting.forEach((x, j) => {
    const y = plain.model.accuracyWhenVoting[j]!;
    assert.ok(Math.abs(x! - y) <= FIXED_POINT_TOL, `default accuracy[${j}]: ${x} vs ${y}`);
  });
  assert.deepEqual(warm.model.predict(L, 'prior'), plain.model.predict(L, 'prior'));
});

test('the warm-started fit is deterministic', () => {
  const { L } = drawSyntheticVotes(randomSpec(3000, 25, 2, 3));
  const a = fitDefault(L, 2, { maxFitRows: 500 });
  const b = fitDefault(L, 2, { maxFitRows: 500 });
  assert.deepEqual(a.model.accuracyWhenVoting, b.model.accuracyWhenVoting);
  assert.deepEqual(a.model.classBalance, b.model.classBalance);
  assert.deepEqual(a.model.predictProba(L), b.model.predictProba(L));
});

/** The agreement model's EM as first written: per-class sums, and two divisions per vote for the own-vote term. */
function referenceAgreement(index: VoteIndex, shrinkage: number, iterations: number): Float64Array {
  const { n, m, k, rowStart, lf, label, weight } = index;
  const accuracy = new Float64Array(m).fill(0.7);
  const floor = 1 / k + 0.05;
  for (let it = 0; it < iterations; it++) {
    const w = voteWeights(accuracy, k);
    const support = new Float64Array(m);
    const shared = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const a = rowStart[i];
      const b = rowStart[i + 1];
      if (b - a < 2) continue;
      const total = new Float64Array(k);
      for (let t = a; t < b; t++) total[label[t]] += w[lf[t]];
      const mx = Math.max(...total);
      const e = total.map((x) => Math.exp(x - mx));
      const z = e.reduce((s, x) => s + x, 0);
      for (let t = a; t < b; t++) {
        const own = e[label[t]] * Math.exp(-w[lf[t]]);
        const q = own / (z - e[label[t]] + own);
        const al = accuracy[lf[t]];
        support[lf[t]] += (weight[i] * q * al) / (q * al + ((1 - q) * (1 - al)) / (k - 1));
        shared[lf[t]] += weight[i];
      }
    }
    const mean = support.reduce((s, x) => s + x, 0) / shared.reduce((s, x) => s + x, 0);
    for (let j = 0; j < m; j++) accuracy[j] = Math.max(floor, (support[j] + shrinkage * mean) / (shared[j] + shrinkage));
  }
  return accuracy;
}

/** The prior-anchored EM as first written: per-class softmax for every number of classes. */
function referenceAnchored(index: VoteIndex, iterations: number): { accuracy: Float64Array; balance: number[] } {
  const { n, m, k, rowStart, lf, label, weight, votesPerLf } = index;
  const d = m * k;
  const classTotals = new Float64Array(k);
  for (let s = 0; s < d; s++) classTotals[s % k] += votesPerLf[s];
  const totalVotes = classTotals.reduce((s, x) => s + x, 0);
  let balance = Array.from(classTotals, (x) => (x + 1) / (totalVotes + k));
  const accuracy = new Float64Array(d);
  for (let s = 0; s < d; s++) accuracy[s] = votesPerLf[s] > 0 ? Math.max(0.7, balance[s % k] + 0.05 * (1 - balance[s % k])) : Number.NaN;
  let covered = 0;
  for (let i = 0; i < n; i++) if (rowStart[i] !== rowStart[i + 1]) covered += weight[i];
  for (let it = 0; it < iterations; it++) {
    const w = anchoredWeights(accuracy, balance, k);
    const support = new Float64Array(d);
    const shared = new Float64Array(d);
    const mass = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const a = rowStart[i];
      const b = rowStart[i + 1];
      if (a === b) continue;
      const score = balance.map((p) => Math.log(Math.max(p, 1e-12)));
      for (let t = a; t < b; t++) score[label[t]] += w[lf[t] * k + label[t]];
      const mx = Math.max(...score);
      const e = score.map((x) => Math.exp(x - mx));
      const z = e.reduce((s, x) => s + x, 0);
      for (let c = 0; c < k; c++) mass[c] += (weight[i] * e[c]) / z;
      if (b - a < 2) continue;
      for (let t = a; t < b; t++) {
        support[lf[t] * k + label[t]] += (weight[i] * e[label[t]]) / z;
        shared[lf[t] * k + label[t]] += weight[i];
      }
    }
    const mean = support.reduce((s, x) => s + x, 0) / shared.reduce((s, x) => s + x, 0);
    balance = Array.from(mass, (x) => (x + 1) / (covered + k));
    for (let s = 0; s < d; s++) {
      if (Number.isNaN(accuracy[s])) continue;
      const p = balance[s % k];
      const cap = Math.min(1, (covered * p) / votesPerLf[s]);
      const floor = Math.min(cap, p + 0.05 * (1 - p));
      accuracy[s] = Math.min(cap, Math.max(floor, (support[s] + 20 * mean) / (shared[s] + 20)));
    }
  }
  return { accuracy, balance };
}

for (const k of [2, 3]) {
  test(`k=${k}: the EM loops equal their per-vote formulas, with and without clamped accuracies`, () => {
    // Three LFs that are always right on 90% of rows drive their accuracies past the 1 - 1e-4 clamp of
    // voteWeights when nothing shrinks them; the others stay in range.
    const { L } = drawSyntheticVotes({
      n: 3000,
      k,
      classBalance: k === 2 ? [0.4, 0.6] : [0.3, 0.3, 0.4],
      coverage: [0.9, 0.9, 0.9, 0.3, 0.4, 0.2, 0.35],
      accuracy: [1, 1, 1, 0.7, 0.8, 0.65, 0.75],
      seed: 11,
    });
    const index = buildVoteIndex(L, k, { compress: false });
    for (const shrinkage of [0, 20]) {
      const got = runAgreementModel(index, { shrinkage, maxIterations: 15, tolerance: 0 }).accuracy;
      const want = referenceAgreement(index, shrinkage, 15);
      if (shrinkage === 0) assert.ok(got[0] > 1 - 1e-4, `LF 0 clamped: ${got[0]}`);
      assertClose(got, want, `agreement accuracy, shrinkage ${shrinkage}`);
    }
    const anchored = runPriorAnchoredModel(index, { maxIterations: 15, tolerance: 0 });
    const want = referenceAnchored(index, 15);
    assertClose(anchored.accuracy.map((x) => (Number.isNaN(x) ? -1 : x)), want.accuracy.map((x) => (Number.isNaN(x) ? -1 : x)), 'anchored accuracy');
    assertClose(anchored.classBalance, want.balance, 'anchored balance');
  });
}

test('a bad vote in a repeated pattern is still reported with its row and LF', () => {
  const L = { n: 3, m: 2, data: Int8Array.from([0, 1, 0, 1, 0, 7]) };
  assert.throws(() => buildVoteIndex(L, 2), /vote 7 at row 2, LF 1/);
});
