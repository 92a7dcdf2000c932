// Overrides: a narrow LF inside a broader one that votes differently is treated as an exception to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyWithSetAside, findOverrides, setAsideOverridden } from '../../lf-runtime/src/labelModel/overrides.ts';
import { buildVoteIndex } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import { seededRandom } from '../../lf-runtime/src/labelModel/fittedModel.ts';
import { fitCandidates, fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import { trueAccuracyWhenVoting } from '../../lf-runtime/src/labelModel/evaluation.ts';
import type { VoteMatrix } from '../../lf-runtime/src/labelModel/types.ts';

function matrix(rows: number[][]): VoteMatrix {
  return { n: rows.length, m: rows[0].length, data: Int8Array.from(rows.flat()) };
}

/**
 * A trec-like rule set, k = 3: `broad` votes 0 on 70% of rows whatever the class; `sibling` votes 0 on part of
 * broad's rows (its same-label relative); `exception` votes 1 only where both fire and the class is 1; two
 * precise rules per class, each firing on 10% of rows, anchor the classes elsewhere but rarely meet the exception.
 */
export function exceptionRuleSet(n: number, seed: number): { L: VoteMatrix; gold: number[] } {
  const rand = seededRandom(seed);
  const m = 9;
  const data = new Int8Array(n * m).fill(-1);
  const gold: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = Math.floor(rand() * 3);
    gold.push(y);
    const row = i * m;
    const broad = rand() < 0.7;
    if (broad) data[row] = 0;
    const sibling = broad && rand() < 0.5;
    if (sibling) data[row + 1] = 0;
    if (sibling && y === 1 && rand() < 0.6) data[row + 2] = 1;
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 2; r++) {
        if (rand() >= 0.1) continue;
        // Precise rule for class c: right 90% of the time it fires.
        data[row + 3 + c * 2 + r] = rand() < 0.9 ? y : (y + 1 + Math.floor(rand() * 2)) % 3;
      }
    }
  }
  return { L: { n, m, data }, gold };
}

test('a narrow LF inside a broader one that votes differently overrides it; same-label nesting does not', () => {
  const { L } = exceptionRuleSet(3000, 1);
  const overrides = findOverrides(buildVoteIndex(L, 3));
  const pairs = overrides.map((o) => `${o.narrow}->${o.broad}`);
  assert.deepEqual(pairs, ['2->0', '2->1'], 'the exception overrides the broad rule and its sibling, nothing else');
  for (const o of overrides) assert.equal(o.containment, 1);
});

test('containment that chance explains is not an override', () => {
  // LF 0 votes on 80% of rows; LF 1 (3 votes, all inside LF 0's rows) would be contained by chance half the time.
  const rows: number[][] = [];
  for (let i = 0; i < 100; i++) rows.push([i % 5 === 0 ? -1 : 0, i < 3 ? 1 : -1]);
  assert.deepEqual(findOverrides(buildVoteIndex(L(rows), 2)), []);
  // The same shape with 40 votes is no accident.
  const many: number[][] = [];
  for (let i = 0; i < 100; i++) many.push([i % 5 === 0 ? -1 : 0, i % 5 !== 0 && i < 50 ? 1 : -1]);
  assert.deepEqual(
    findOverrides(buildVoteIndex(L(many), 2)).map((o) => [o.narrow, o.broad]),
    [[1, 0]],
  );
  function L(r: number[][]): VoteMatrix {
    return matrix(r);
  }
});

test('an LF that votes everywhere contains everything by necessity and is never overridden', () => {
  const rows: number[][] = [];
  for (let i = 0; i < 200; i++) rows.push([0, i % 2 === 0 ? 1 : -1]);
  assert.deepEqual(findOverrides(buildVoteIndex(matrix(rows), 2)), []);
});

test('set-aside votes are removed only where the narrow LF disagrees, and counted per pair', () => {
  const rows: number[][] = [];
  // 60 rows: broad (LF 0) votes 0; narrow (LF 1) votes 1 on 20 of them, 0 on 10; LF 2 votes 1 on 5 rows.
  for (let i = 0; i < 60; i++) rows.push([0, i < 20 ? 1 : i < 30 ? 0 : -1, i >= 55 ? 1 : -1]);
  for (let i = 0; i < 40; i++) rows.push([-1, -1, i < 10 ? 1 : -1]);
  const L = matrix(rows);
  for (const compress of [true, false]) {
    const index = buildVoteIndex(L, 2, { compress });
    const overrides = findOverrides(index);
    assert.deepEqual(overrides.map((o) => [o.narrow, o.broad]), [[1, 0]]);
    const aside = setAsideOverridden(index, overrides);
    assert.equal(aside.overrides[0].rows, 20, 'the broad vote is set aside on the 20 rows of disagreement');
    let setAside = 0;
    for (let s = 0; s < aside.row.length; s++) setAside += index.weight[aside.row[s]];
    assert.equal(setAside, 20);
    assert.equal(aside.index.votesPerLf[0 * 2 + 0], 40, 'broad keeps its 40 other votes');
    assert.equal(aside.index.votesPerLf[1 * 2 + 1], 20, 'the narrow LF keeps every vote');
    // Accuracy over all 60 votes of the broad LF: 0.8 on the 40 kept, and each set-aside vote right with the
    // posterior probability of its label (0.25 here).
    const posterior = new Float64Array(aside.index.n * 2);
    for (let i = 0; i < aside.index.n; i++) posterior.set([0.25, 0.75], i * 2);
    const acc = accuracyWithSetAside([0.8, 0.9, 0.7], index, aside, posterior);
    assert.ok(Math.abs((acc[0] as number) - (0.8 * 40 + 0.25 * 20) / 60) < 1e-12);
    assert.equal(acc[1], 0.9);
    assert.equal(acc[2], 0.7);
  }
});

test('containment is checked on every row of a large uncompressed index', () => {
  const { L } = exceptionRuleSet(120_000, 3);
  const full = buildVoteIndex(L, 3, { compress: false });
  assert.equal(full.n, 120_000);
  const found = findOverrides(full).map((o) => `${o.narrow}->${o.broad}:${o.containment}`);
  assert.deepEqual(found, ['2->0:1', '2->1:1']);
  // Break containment on 2000 of the exception's ~4000 rows, all on rows 1 mod 3 (a strided look at every
  // third row from 0 would still see full containment).
  const broken = { ...L, data: new Int8Array(L.data) };
  let moved = 0;
  for (let i = 1; i < L.n && moved < 2000; i += 3) {
    if (broken.data[i * L.m + 2] === 1) {
      broken.data[i * L.m + 0] = -1;
      broken.data[i * L.m + 1] = -1;
      moved++;
    }
  }
  const after = findOverrides(buildVoteIndex(broken, 3, { compress: false }));
  assert.deepEqual(after, []);
});

test('the default model rates an exception by its own record instead of letting the rules it refines out-vote it', () => {
  const { L, gold } = exceptionRuleSet(6000, 5);
  const truth = trueAccuracyWhenVoting(L, gold);
  const fit = fitDefault(L, 3);
  assert.deepEqual(
    fit.overrides.map((o) => [o.narrow, o.broad]),
    [
      [2, 0],
      [2, 1],
    ],
  );
  const exception = fit.model.accuracyWhenVoting[2] as number;
  assert.ok(Math.abs(exception - (truth.accuracy[2] as number)) < 0.1, `exception estimated ${exception}, true ${truth.accuracy[2]}`);
  // Rows where the exception fires are predicted as its class.
  const pred = fit.model.predict(L);
  let right = 0;
  let fired = 0;
  for (let i = 0; i < L.n; i++) {
    if (L.data[i * L.m + 2] === -1) continue;
    fired++;
    if (pred[i] === gold[i]) right++;
  }
  assert.ok(right / fired > 0.9, `exception rows predicted right ${right}/${fired}`);

  // Without setting the broad votes aside the same candidates rate the exception far below its record: the
  // case above is one the overrides decide.
  const plain = fitCandidates(buildVoteIndex(L, 3));
  const plainMedian = plain.map((c) => c.accuracyWhenVoting[2] as number).sort((a, b) => a - b)[2];
  assert.ok(plainMedian < 0.7, `without overrides the exception is estimated ${plainMedian}`);
});
