// Near-copies (nearCopies.ts): found from votes alone, exact duplicates left to the agreement check, shared votes
// set aside and counted again in the copy's accuracy; and on the near-copies family the default counts them once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CHANCE_RATIO,
  CHANCE_Z,
  CORRELATED_SHARE,
  MIN_COPY_VOTES,
  NEAR_COPY_SHARE,
  findNearCopies,
  setAsideCopies,
  withCopies,
} from '../../lf-runtime/src/labelModel/nearCopies.ts';
import { buildVoteIndex, pairCounts } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import { makeFittedModel } from '../../lf-runtime/src/labelModel/fittedModel.ts';
import { fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import { ROUND_1_SEEDS, TUNE_SEEDS, drawEmissionVotes, drawFamilyCase, familyByName } from '../../lf-runtime/src/labelModel/syntheticFamilies.ts';
import type { EmissionLf } from '../../lf-runtime/src/labelModel/syntheticFamilies.ts';
import { fitMajorityVoteOnIndex } from '../../lf-runtime/src/labelModel/majorityVote.ts';
import { evaluateFamilyCase, majorityOf } from '../../lf-runtime/src/labelModel/familyEvaluation.ts';
import { readWrenchTask, readWrenchVotes } from '../../lf-runtime/src/labelModel/wrenchVotes.ts';
import type { VoteMatrix } from '../../lf-runtime/src/labelModel/types.ts';

/**
 * 30 rows, 5 LFs, k = 2. LF 0 and LF 1 both vote 1 on rows 0-9; LF 0 also votes 0 on row 11, LF 1 votes 0 on
 * row 10: each casts 10 of its 11 votes as the other does (0.91). LF 2 votes 1 on rows 0-4 and 0 on rows 20-29;
 * LF 3 is an exact duplicate of LF 2; LF 4 votes 1 on rows 0-8 only (9 votes, too few to count).
 */
function copiesMatrix(): VoteMatrix {
  const n = 30;
  const m = 5;
  const data = new Int8Array(n * m).fill(-1);
  const set = (i: number, j: number, l: number) => (data[i * m + j] = l);
  for (let i = 0; i < 10; i++) {
    set(i, 0, 1);
    set(i, 1, 1);
  }
  set(11, 0, 0);
  set(10, 1, 0);
  for (let i = 0; i < 5; i++) set(i, 2, 1);
  for (let i = 20; i < 30; i++) set(i, 2, 0);
  for (let i = 0; i < n; i++) set(i, 3, data[i * m + 2]);
  for (let i = 0; i < 9; i++) set(i, 4, 1);
  return { n, m, data };
}

test('pairCounts: rows two LFs both vote on, and with the same label', () => {
  const index = buildVoteIndex(copiesMatrix(), 2);
  const m = 5;
  const same = pairCounts(index, true);
  const any = pairCounts(index, false);
  assert.equal(same.get(0 * m + 1), 10);
  assert.equal(same.get(0 * m + 2), 5);
  assert.equal(same.get(2 * m + 3), 15);
  assert.equal(same.get(0 * m + 4), 9);
  // Rows 10 and 11 hold one vote each, so no pair gains a co-vote of different labels there.
  assert.equal(any.get(0 * m + 1), 10);
  assert.equal(same.get(1 * m + 0), undefined, 'keys are a * m + b with a < b');
  const onlyFirstTwo = pairCounts(index, true, Uint8Array.from([1, 1, 0, 0, 0]));
  assert.deepEqual([...onlyFirstTwo.entries()], [[1, 10]]);
});

test('findNearCopies: nine in ten votes shared both ways; exact duplicates and LFs with few votes are left alone', () => {
  assert.equal(NEAR_COPY_SHARE, 0.9);
  assert.equal(MIN_COPY_VOTES, 10);
  for (const compress of [true, false]) {
    const index = buildVoteIndex(copiesMatrix(), 2, { compress });
    const copies = findNearCopies(index);
    assert.deepEqual(
      copies.map(({ lf, of, rows }) => ({ lf, of, rows })),
      [{ lf: 1, of: 0, rows: 0 }],
      `compress ${compress}`,
    );
    assert.ok(Math.abs(copies[0].shared - 10 / 11) < 1e-12);
    // At a share just above 10/11 neither LF counts as the other's copy.
    assert.deepEqual(findNearCopies(index, 10 / 11 + 1e-9), []);
  }
});

test('setAsideCopies: the copy\'s vote is set aside where a member ranked above it votes the same label, nowhere else', () => {
  const L = copiesMatrix();
  const index = buildVoteIndex(L, 2, { compress: false });
  const apart = setAsideCopies(index, findNearCopies(index));
  assert.equal(apart.copies[0].rows, 10, 'rows 0-9');
  assert.deepEqual(Array.from(apart.row), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(Array.from(apart.lf).every((j) => j === 1));
  // LF 1 keeps its own vote (0 on row 10); LF 0 keeps all 11.
  assert.deepEqual(Array.from(apart.index.votesPerLf.slice(0, 4)), [1, 10, 1, 0]);
  assert.equal(apart.index.rows, index.rows);
  assert.deepEqual(setAsideCopies(index, []).index, index, 'no copies, the index unchanged');
});

test('withCopies: set-aside votes count in the copy\'s accuracy at the model\'s probability of their label, and new rows are scored without them', () => {
  const L = copiesMatrix();
  const index = buildVoteIndex(L, 2);
  const apart = setAsideCopies(index, findNearCopies(index));
  // A stand-in model: P(class 1) = votes / (votes + 1) on every row, and LF 1 estimated at 0.5 on its own vote.
  const stub = makeFittedModel({
    name: 'stub',
    k: 2,
    m: 5,
    classBalance: [0.5, 0.5],
    accuracyWhenVoting: [0.9, 0.5, 0.7, 0.7, 0.8],
    fitMs: 0,
    seed: 0,
    scoreRows: (rows) => {
      const out = new Float64Array(rows.n * 2);
      for (let i = 0; i < rows.n; i++) {
        const v = rows.rowStart[i + 1] - rows.rowStart[i];
        out[2 * i + 1] = v / (v + 1);
        out[2 * i] = 1 - out[2 * i + 1];
      }
      return out;
    },
  });
  const whole = withCopies(stub, index, apart, 0);
  // LF 1: one kept vote at 0.5, and ten set-aside votes of 1 on rows 0-9. Rows 0-4 keep LFs 0, 2, 3, 4 (four
  // votes: P(1) = 4/5), rows 5-8 keep LFs 0 and 4 (2/3), row 9 keeps LF 0 (1/2).
  const expected = (0.5 + 5 * (4 / 5) + 4 * (2 / 3) + 1 / 2) / 11;
  assert.ok(Math.abs((whole.accuracyWhenVoting[1] as number) - expected) < 1e-12, `${whole.accuracyWhenVoting[1]} vs ${expected}`);
  assert.deepEqual([0, 2, 3, 4].map((j) => whole.accuracyWhenVoting[j]), [0.9, 0.7, 0.7, 0.8], 'other LFs keep their estimate');
  // A new row where LFs 0 and 1 both vote 1: the copy's vote is set aside, so the stand-in sees one vote.
  const row: VoteMatrix = { n: 1, m: 5, data: Int8Array.from([1, 1, -1, -1, -1]) };
  assert.deepEqual(Array.from(whole.predictProba(row)), [0.5, 0.5]);
  assert.deepEqual(Array.from(stub.predictProba(row)), [1 - 2 / 3, 2 / 3]);
});

test('near-copies family (designed on in round 2): the default counts each group once in its estimates and judges, and is not below majority vote', () => {
  for (const seed of TUNE_SEEDS.slice(0, 3)) {
    const f = evaluateFamilyCase(drawFamilyCase(familyByName('near-copies'), seed));
    const mv = majorityOf(f);
    assert.ok(f.fit.nearCopies.length >= 2, `seed ${seed}: ${f.fit.nearCopies.length} near-copies found`);
    assert.equal(f.fit.agreementCheck?.nearCopies, f.fit.nearCopies.length);
    assert.ok(f.default.covered >= mv.covered - 0.01, `seed ${seed}: default ${f.default.covered} vs majority ${mv.covered}`);
    // Every candidate fitted with each copy counted is far off; counted once, the estimates are close.
    const worstSingle = Math.min(...f.models.filter((m) => m.name !== 'majority').map((m) => m.estimationError ?? 1));
    assert.ok((f.default.estimationError ?? 1) < 0.05, `seed ${seed}: error ${f.default.estimationError}`);
    assert.ok(worstSingle > 0.1, `seed ${seed}: the best candidate fitted on every vote errs by ${worstSingle}`);
  }
});

test('trec: its exact duplicates are not near-copies (the agreement check leaves them out of its judges); its contained variant is', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'wrench', 'trec');
  const train = readWrenchVotes(join(dir, 'train.json'));
  const fit = fitDefault(train.L, readWrenchTask(dir, [train]).k);
  assert.deepEqual(
    fit.nearCopies.map(({ lf, of }) => ({ lf, of })),
    [{ lf: 49, of: 13 }],
  );
  assert.deepEqual(
    fit.agreementCheck?.duplicates.map((d) => d.lf),
    [39, 62, 63],
  );
});

test('chemprot-like (designed on at its round-1 seeds): LFs sharing half of each other\'s votes count once in the judge\'s estimates', () => {
  assert.equal(CORRELATED_SHARE, 0.5);
  for (const seed of ROUND_1_SEEDS.slice(0, 2)) {
    const f = evaluateFamilyCase(drawFamilyCase(familyByName('chemprot-like'), seed));
    // Its three keyword variants copy a rule's votes on 50-80% of its rows: below NEAR_COPY_SHARE, above half.
    assert.ok(f.fit.correlatedCopies >= 3, `seed ${seed}: ${f.fit.correlatedCopies} LFs counted once`);
    assert.match(f.fit.chosenBy, /cast half of their votes or more as another LF does, and it theirs, counted once/);
    // The judge fitted on every vote (as the round-4 default used it) rates each copy pair as accurate.
    const judge = f.models.find((m) => m.name === 'abstain-judge')!;
    assert.ok(f.default.estimationError! < judge.estimationError! - 0.02, `seed ${seed}: ${f.default.estimationError} vs ${judge.estimationError}`);
    assert.ok(f.default.covered >= majorityOf(f).covered - 0.02);
  }
});

/**
 * k = 2, balanced, 6000 rows. LFs 0 and 1: broad rules of label 0, independent given the class, firing on 80% of
 * class 0 and 60% of class 1: each shares about 0.71 of its votes with the other, all of it chance given the
 * class. LFs 2-7: voters of accuracy 0.85 on half of the rows. LF 8: a rule of label 1 (30% of class 1, 10% of
 * class 0); LF 9 repeats LF 8's vote on 75% of rows and otherwise fires as LF 8 does. Drawn with seed 7: LFs 0
 * and 1 share 2959 votes (0.71 of each one's), 1.00 times what independence given the class predicts under
 * majority vote's posterior; LFs 8 and 9 share 989 (0.81), 3.15 times that and 38 standard deviations above it.
 */
function chanceAndCopies(): VoteMatrix {
  const k = 2;
  const table = (rows: number[][]): Float64Array => Float64Array.from(rows.flat());
  const broad: EmissionLf = { emission: table([[0.8, 0, 0.2], [0.6, 0, 0.4]]) };
  const voter: EmissionLf = { emission: table([[0.425, 0.075, 0.5], [0.075, 0.425, 0.5]]) };
  const rule: EmissionLf = { emission: table([[0, 0.1, 0.9], [0, 0.3, 0.7]]) };
  const lfs = [broad, broad, voter, voter, voter, voter, voter, voter, rule, { ...rule, copyOf: 8, copyRate: 0.75 }];
  return drawEmissionVotes({ k, classBalance: [0.5, 0.5], lfs }, 6000, 7).L;
}

test('findNearCopies with a posterior: LFs that share half of their votes by chance given the class are not copies; LFs that copy are', () => {
  assert.equal(CHANCE_RATIO, 1.5);
  assert.equal(CHANCE_Z, 10);
  const index = buildVoteIndex(chanceAndCopies(), 2);
  const majority = fitMajorityVoteOnIndex(index, 0);
  const pairs = (copies: { lf: number; of: number }[]) => copies.map(({ lf, of }) => [Math.min(lf, of), Math.max(lf, of)]);
  // On share alone both pairs count.
  assert.deepEqual(pairs(findNearCopies(index, CORRELATED_SHARE)), [[0, 1], [8, 9]]);
  const asked: number[] = [];
  const posterior = (rows: typeof index) => {
    asked.push(rows.n);
    return majority.scoreIndex(rows);
  };
  assert.deepEqual(pairs(findNearCopies(index, CORRELATED_SHARE, posterior)), [[8, 9]]);
  assert.deepEqual(asked, [index.n], 'the posterior is asked for once, on the rows counted');
  // Pairs at NEAR_COPY_SHARE or above are near-copies whatever the posterior, and it is not asked for.
  assert.deepEqual(findNearCopies(index, NEAR_COPY_SHARE, posterior), []);
  assert.equal(asked.length, 1);
});

test('broad-and-narrow at seed 101 (tuning): two broad rules that overlap by chance are not counted once, and the default stays within 0.02 of the best candidate', () => {
  const f = evaluateFamilyCase(drawFamilyCase(familyByName('broad-and-narrow'), 101));
  assert.equal(f.fit.correlatedCopies, 0);
  const best = Math.min(...f.models.map((m) => m.estimationError ?? 1));
  assert.ok(f.default.estimationError! <= best + 0.02, `error ${f.default.estimationError} vs best candidate ${best}`);
  assert.ok(f.default.covered >= majorityOf(f).covered - 0.02);
});
