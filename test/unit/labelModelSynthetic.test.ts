// Recovery on data drawn from a known generative model: each label model must find the true LF accuracies
// and class balance within a tolerance, without seeing the labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawSyntheticVotes, randomSpec } from '../../lf-runtime/src/labelModel/syntheticVotes.ts';
import { fitDawidSkene } from '../../lf-runtime/src/labelModel/dawidSkene.ts';
import { fitMatrixCompletion } from '../../lf-runtime/src/labelModel/matrixCompletion.ts';
import { fitFlyingSquid, MAX_TRIPLET_PAIRS, nthSmallest, pairsOf } from '../../lf-runtime/src/labelModel/flyingSquid.ts';
import { fitMajorityVote } from '../../lf-runtime/src/labelModel/majorityVote.ts';
import { fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import { fitPriorAnchoredModel } from '../../lf-runtime/src/labelModel/priorAnchoredModel.ts';
import { drawDetectorVotes } from '../../lf-runtime/src/labelModel/syntheticVotes.ts';
import { accuracyEstimationError, scorePredictions, trueAccuracyWhenVoting } from '../../lf-runtime/src/labelModel/evaluation.ts';
import type { FittedLabelModel, VoteMatrix } from '../../lf-runtime/src/labelModel/types.ts';
import type { SyntheticSpec } from '../../lf-runtime/src/labelModel/syntheticVotes.ts';

function recoveryErrors(model: FittedLabelModel, spec: SyntheticSpec) {
  let sum = 0;
  model.accuracyWhenVoting.forEach((a, j) => {
    assert.ok(a !== null, `LF ${j} votes, so it needs an estimate`);
    sum += Math.abs(a - spec.accuracy[j]);
  });
  const accuracyMae = sum / spec.accuracy.length;
  const balanceError = Math.max(...model.classBalance.map((b, c) => Math.abs(b - spec.classBalance[c])));
  return { accuracyMae, balanceError };
}

type Fitter = (L: VoteMatrix, k: number) => FittedLabelModel;
const cases: { name: string; fit: Fitter; ks: number[]; accTol: number; balTol: number }[] = [
  { name: 'dawid-skene', fit: (L, k) => fitDawidSkene(L, k), ks: [2, 3], accTol: 0.03, balTol: 0.03 },
  { name: 'matrix-completion', fit: (L, k) => fitMatrixCompletion(L, k), ks: [2, 3], accTol: 0.03, balTol: 0.03 },
  { name: 'flying-squid', fit: (L, k) => fitFlyingSquid(L, k), ks: [2], accTol: 0.03, balTol: 0.03 },
  { name: 'prior-anchored', fit: (L, k) => fitPriorAnchoredModel(L, k), ks: [2, 3], accTol: 0.03, balTol: 0.05 },
  { name: 'default', fit: (L, k) => fitDefault(L, k).model, ks: [2, 3], accTol: 0.05, balTol: 0.05 },
];

for (const c of cases) {
  for (const k of c.ks) {
    test(`${c.name} recovers LF accuracies and class balance (k=${k})`, () => {
      const spec = randomSpec(20000, 10, k, 7);
      const { L } = drawSyntheticVotes(spec);
      const { accuracyMae, balanceError } = recoveryErrors(c.fit(L, k), spec);
      assert.ok(accuracyMae < c.accTol, `accuracy MAE ${accuracyMae.toFixed(4)} >= ${c.accTol}`);
      assert.ok(balanceError < c.balTol, `class balance error ${balanceError.toFixed(4)} >= ${c.balTol}`);
    });
  }
}

test('majority vote is beaten by Dawid-Skene at estimating accuracies on synthetic data', () => {
  const spec = randomSpec(20000, 10, 2, 11);
  const { L } = drawSyntheticVotes(spec);
  const mv = recoveryErrors(fitMajorityVote(L, 2), spec).accuracyMae;
  const ds = recoveryErrors(fitDawidSkene(L, 2), spec).accuracyMae;
  assert.ok(ds < mv, `Dawid-Skene MAE ${ds} should be below majority vote's ${mv}`);
});

test('posteriors put most mass on the true class for most rows', () => {
  const spec = randomSpec(5000, 12, 3, 3);
  const { L, gold } = drawSyntheticVotes(spec);
  const model = fitDawidSkene(L, 3);
  const pred = model.predict(L, 'prior');
  let right = 0;
  for (let i = 0; i < L.n; i++) if (pred[i] === gold[i]) right++;
  const mvPred = fitMajorityVote(L, 3).predict(L, 'prior');
  let mvRight = 0;
  for (let i = 0; i < L.n; i++) if (mvPred[i] === gold[i]) mvRight++;
  assert.ok(right >= mvRight, `Dawid-Skene (${right}) should label at least as many rows right as majority vote (${mvRight})`);
});

// One-label LFs on imbalanced classes (60/25/15), one of them firing on 85-95% of rows: the shape of trec's
// "what" rule. Column 10 and 11 optionally copy columns 3 and 6 (a dependency the models do not know about).
function detectorCase(copies: boolean) {
  return drawDetectorVotes({
    n: 20000,
    k: 3,
    classBalance: [0.6, 0.25, 0.15],
    label: [0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 1, 2],
    fireIfClass: [0.3, 0.2, 0.4, 0.3, 0.25, 0.35, 0.3, 0.4, 0.2, 0.95, 0.3, 0.3],
    fireOtherwise: [0.03, 0.02, 0.05, 0.02, 0.04, 0.03, 0.01, 0.02, 0.03, 0.85, 0.03, 0.02],
    copyOf: copies ? [null, null, null, null, null, null, null, null, null, null, 3, 6] : undefined,
    copyRate: 0.8,
    seed: 3,
  });
}

// Measured: default 0.061 / 0.086 (independent / with copies), prior-anchored 0.088 / 0.104.
for (const copies of [false, true]) {
  test(`one-label LFs, class imbalance, an LF on most rows${copies ? ', copied LFs' : ''}: accuracies recovered`, () => {
    const { L, gold } = detectorCase(copies);
    const truth = trueAccuracyWhenVoting(L, Array.from(gold));
    const def = accuracyEstimationError(fitDefault(L, 3).model.accuracyWhenVoting, truth) ?? 1;
    const anchored = fitPriorAnchoredModel(L, 3);
    const pa = accuracyEstimationError(anchored.accuracyWhenVoting, truth) ?? 1;
    assert.ok(def < (copies ? 0.095 : 0.07), `default MAE ${def}`);
    assert.ok(pa < (copies ? 0.115 : 0.1), `prior-anchored MAE ${pa}`);
    // The LF on most rows is barely better than the class prior; the anchored model must not rate it
    // like the precise rules (which the one-coin agreement model does, at 1.0).
    const broad = anchored.accuracyWhenVoting[9] ?? 1;
    assert.ok(broad < 0.75, `LF firing on most rows rated ${broad}`);
  });
}

// A broad rule of class 0 (fires on 90% / 60% of rows of its class / others) with six refinements nested
// inside it (they fire only where it does), of all three classes, beside three independent rules: the shape
// of trec's "what" rule and its sub-rules. Measured: prior-anchored covered accuracy 0.736 and broad-rule
// estimate 0.55 (true 0.38); majority vote 0.576; the default (agreement posteriors) 0.448, rating the broad
// rule 0.99 -- a known weakness, recorded here by the figures the default must not fall below.
function nestedCase() {
  return drawDetectorVotes({
    n: 20000,
    k: 3,
    classBalance: [0.3, 0.45, 0.25],
    label: [0, 0, 1, 2, 0, 1, 2, 1, 2, 0],
    fireIfClass: [0.9, 0.3, 0.25, 0.35, 0.4, 0.5, 0.45, 0.3, 0.3, 0.3],
    fireOtherwise: [0.6, 0.02, 0.03, 0.02, 0.05, 0.06, 0.04, 0.1, 0.08, 0.12],
    nestedIn: [null, null, null, null, 0, 0, 0, 0, 0, 0],
    seed: 5,
  });
}

test('refinements nested in a broad rule: they fire only inside it, and prior-anchored beats majority vote', () => {
  const { L, gold } = nestedCase();
  for (let i = 0; i < L.n; i++) {
    for (let j = 4; j < 10; j++) if (L.data[i * L.m + j] !== -1) assert.notEqual(L.data[i * L.m], -1, `row ${i}: LF ${j} outside its parent`);
  }
  const g = Array.from(gold);
  const covered = (model: FittedLabelModel) => scorePredictions(model.predict(L, 'prior'), g, L, 3).accuracyCovered;
  const anchored = fitPriorAnchoredModel(L, 3);
  const mv = fitMajorityVote(L, 3);
  assert.ok(covered(anchored) > 0.72, `prior-anchored covered accuracy ${covered(anchored)}`);
  assert.ok(covered(anchored) > covered(mv) + 0.1, `prior-anchored ${covered(anchored)} vs majority ${covered(mv)}`);
  const truth = trueAccuracyWhenVoting(L, g);
  const broad = anchored.accuracyWhenVoting[0] ?? 1;
  assert.ok(broad < 0.6, `broad rule rated ${broad}, true ${truth.accuracy[0]}`);
  assert.ok(covered(fitDefault(L, 3).model) >= 0.44, 'default must not fall below its measured 0.448');
});

test('FlyingSquid takes every pair of up to 200 LFs and evenly strided pairs beyond, and the middle estimate as sorting gives it', () => {
  const xs = new Int32Array(MAX_TRIPLET_PAIRS);
  const ys = new Int32Array(MAX_TRIPLET_PAIRS);
  const all = pairsOf(200, xs, ys);
  assert.equal(all, (200 * 199) / 2);
  assert.deepEqual([xs[0], ys[0], xs[1], ys[1], xs[all - 1], ys[all - 1]], [0, 1, 0, 2, 198, 199]);
  const some = pairsOf(1000, xs, ys);
  assert.equal(some, MAX_TRIPLET_PAIRS);
  const seen = new Set<number>();
  for (let t = 0; t < some; t++) {
    assert.ok(xs[t] >= 0 && xs[t] < ys[t] && ys[t] < 1000, `pair ${t}: ${xs[t]}, ${ys[t]}`);
    seen.add(xs[t] * 1000 + ys[t]);
  }
  assert.equal(seen.size, some, 'distinct pairs');
  assert.ok(xs[some - 1] >= 900, 'spread to the last LFs');
  let state = 7;
  for (const n of [1, 2, 5, 100, 1001]) {
    const values = Float64Array.from({ length: n }, () => ((state = (state * 48271) % 2147483647) % 50) / 7);
    const sorted = [...values].sort((a, b) => a - b);
    assert.equal(nthSmallest(values, n, n >> 1), sorted[n >> 1], `n ${n}`);
  }
});

test('FlyingSquid estimates 400 LFs from strided triplets about as well as from all of them', () => {
  const spec = randomSpec(3000, 400, 2, 5);
  const { L } = drawSyntheticVotes(spec);
  const { accuracyMae, balanceError } = recoveryErrors(fitFlyingSquid(L, 2), spec);
  assert.ok(accuracyMae < 0.05, `accuracy MAE ${accuracyMae.toFixed(4)}`);
  assert.ok(balanceError < 0.05, `class balance error ${balanceError.toFixed(4)}`);
});
