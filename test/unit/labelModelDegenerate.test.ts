// Degenerate and bad inputs: every model returns finite numbers (no NaN) or a clear error, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitDawidSkene } from '../../lf-runtime/src/labelModel/dawidSkene.ts';
import { fitFlyingSquid } from '../../lf-runtime/src/labelModel/flyingSquid.ts';
import { fitMajorityVote } from '../../lf-runtime/src/labelModel/majorityVote.ts';
import { fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import { NAMED_MODELS } from '../../lf-runtime/src/labelModel/namedModels.ts';
import { estimateLfAccuracies } from '../../lf-runtime/src/labelModel/estimate.ts';
import { drawSyntheticVotes, randomSpec } from '../../lf-runtime/src/labelModel/syntheticVotes.ts';
import { LabelModelInputError } from '../../lf-runtime/src/labelModel/types.ts';
import type { FittedLabelModel, VoteMatrix } from '../../lf-runtime/src/labelModel/types.ts';

const fitters: Record<string, (L: VoteMatrix, k: number) => FittedLabelModel> = {
  ...NAMED_MODELS,
  default: (L, k) => fitDefault(L, k).model,
};

function matrix(rows: number[][]): VoteMatrix {
  const m = rows[0]?.length ?? 0;
  return { n: rows.length, m, data: Int8Array.from(rows.flat()) };
}

function assertSane(model: FittedLabelModel, L: VoteMatrix, k: number, what: string): void {
  const proba = model.predictProba(L);
  assert.equal(proba.length, L.n * k, `${what}: one probability per row and class`);
  for (let i = 0; i < L.n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) {
      assert.ok(Number.isFinite(proba[i * k + c]), `${what}: row ${i} class ${c} is ${proba[i * k + c]}`);
      s += proba[i * k + c];
    }
    assert.ok(Math.abs(s - 1) < 1e-9, `${what}: row ${i} sums to ${s}`);
  }
  assert.ok(Math.abs(model.classBalance.reduce((a, b) => a + b, 0) - 1) < 1e-9, `${what}: class balance sums to 1`);
  for (const b of model.classBalance) assert.ok(Number.isFinite(b) && b >= 0, `${what}: class balance ${b}`);
  for (const a of model.accuracyWhenVoting) assert.ok(a === null || (Number.isFinite(a) && a >= 0 && a <= 1), `${what}: accuracy ${a}`);
  for (const y of model.predict(L, 'prior')) assert.ok(y >= 0 && y < k, `${what}: prediction ${y}`);
}

const degenerate: Record<string, { L: VoteMatrix; k: number }> = {
  'one LF': { L: matrix([[0], [1], [-1], [1], [0]]), k: 2 },
  'all abstain': { L: matrix([[-1, -1], [-1, -1], [-1, -1]]), k: 2 },
  'an LF that always votes': { L: matrix([[1, 1, -1], [1, 0, 0], [1, -1, 1], [1, 1, 1], [1, 0, -1]]), k: 2 },
  'a class no LF votes for': { L: matrix([[0, 1, -1], [1, 1, 0], [-1, 0, 0], [1, -1, 1], [0, 0, -1]]), k: 3 },
  'no rows': { L: { n: 0, m: 3, data: new Int8Array(0) }, k: 2 },
};

for (const [caseName, { L, k }] of Object.entries(degenerate)) {
  for (const [modelName, fit] of Object.entries(fitters)) {
    test(`${modelName} on ${caseName}: finite, normalised output`, () => {
      assertSane(fit(L, k), L, k, `${modelName} / ${caseName}`);
    });
  }
}

test('an LF that never votes gets a null accuracy, not a number', () => {
  const L = matrix([[0, -1, 1], [1, -1, 1], [0, -1, 0], [1, -1, 1]]);
  for (const [name, fit] of Object.entries(fitters)) assert.equal(fit(L, 2).accuracyWhenVoting[1], null, name);
});

test('uncovered rows are counted and get the class balance, not a guess from the votes', () => {
  const L = matrix([[0, 0], [-1, -1], [1, 1], [-1, -1], [0, -1]]);
  const fit = fitDefault(L, 2);
  assert.equal(fit.uncoveredRows, 2);
  const p = fit.model.predictProba(L);
  assert.ok(Math.abs(p[2] - fit.model.classBalance[0]) < 1e-9);
  assert.equal(fit.model.predict(L, 'abstain')[1], -1);
});

test('estimateLfAccuracies handles an empty project', () => {
  const e = estimateLfAccuracies({ n: 0, m: 0, data: new Int8Array(0) }, 2);
  assert.deepEqual(e.accuracies, []);
  assert.equal(e.uncoveredRows, 0);
});

test('bad input names the problem and the fix', () => {
  const bad = { n: 2, m: 2, data: Int8Array.from([0, 1, 5, -1]) };
  assert.throws(() => fitDawidSkene(bad, 2), (e: unknown) => e instanceof LabelModelInputError && /row 1, LF 0/.test(e.message) && /-1 to abstain/.test(e.message));
  assert.throws(() => fitMajorityVote({ n: 2, m: 2, data: new Int8Array(3) }, 2), /n x m/);
  assert.throws(() => fitFlyingSquid(bad, 1), /cardinality/);
  const model = fitMajorityVote({ n: 1, m: 2, data: Int8Array.from([0, 1]) }, 2);
  assert.throws(() => model.predict({ n: 1, m: 3, data: Int8Array.from([0, 1, 1]) }), /refit/);
  const dev = { L: { n: 1, m: 2, data: Int8Array.from([0, 1]) }, gold: [0, 1] };
  assert.throws(() => fitDefault({ n: 1, m: 2, data: Int8Array.from([0, 1]) }, 2, { dev }), /gold labels/);
});

test('every model is deterministic: same input, same output', () => {
  const { L } = drawSyntheticVotes(randomSpec(3000, 8, 3, 5));
  for (const [name, fit] of Object.entries(fitters)) {
    const a = fit(L, 3);
    const b = fit(L, 3);
    assert.deepEqual(a.accuracyWhenVoting, b.accuracyWhenVoting, name);
    assert.deepEqual(a.classBalance, b.classBalance, name);
    assert.deepEqual(a.predictProba(L), b.predictProba(L), name);
    assert.deepEqual(a.predict(L, 'random'), b.predict(L, 'random'), name);
  }
});

test('majority vote tie policies: abstain, prior, seeded random', () => {
  const L = matrix([[0, 1], [0, 0], [-1, -1]]);
  const mv = fitMajorityVote(L, 2);
  assert.deepEqual(Array.from(mv.predict(L, 'abstain')), [-1, 0, -1]);
  const prior = mv.predict(L, 'prior');
  assert.equal(prior[0], mv.classBalance[0] >= mv.classBalance[1] ? 0 : 1);
  assert.equal(prior[1], 0);
});

test('many LFs of many classes (700 x 100, as a keyword-list factory writes them): the default and FlyingSquid fit, matrix completion says it is too large', () => {
  const k = 100;
  const m = 700;
  const n = 60;
  const data = new Int8Array(n * m).fill(-1);
  // Each row: the LFs of its class vote it (7 per class), and one LF of the next class votes that.
  for (let i = 0; i < n; i++) {
    const y = i % k;
    for (let j = y * 7; j < y * 7 + 7; j++) data[i * m + j] = y;
    data[i * m + ((y + 1) % k) * 7] = (y + 1) % k;
  }
  const L = { n, m, data };
  const fit = fitDefault(L, k);
  assertSane(fit.model, L, k, 'default');
  const labels = fit.model.predict(L);
  for (let i = 0; i < n; i++) assert.equal(labels[i], i % k, `row ${i}: seven votes of its class against one`);
  assertSane(fitFlyingSquid(L, k), L, k, 'flying-squid');
  assert.throws(
    () => NAMED_MODELS['matrix-completion'](L, k),
    (e: unknown) => e instanceof LabelModelInputError && /700 LFs x 100 classes is 70000 pairs, more than the 4096/.test(e.message),
  );
});
