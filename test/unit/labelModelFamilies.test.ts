// Synthetic LF-set families (syntheticFamilies.ts): seeded, well-formed, and with the properties each family
// claims (many classes, LFs below 0.5, class-dependent accuracy and a favourite wrong class, sparse coverage,
// copied LFs), measured on drawn votes against their gold labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HELD_OUT_SEEDS,
  ROUND_1_SEEDS,
  ROUND_2_HELD_OUT_SEEDS,
  SYNTHETIC_FAMILIES,
  TUNE_SEEDS,
  detectorLf,
  drawEmissionVotes,
  drawFamilyCase,
  familyByName,
  tuningSeeds,
  voterLf,
} from '../../lf-runtime/src/labelModel/syntheticFamilies.ts';
import type { EmissionSpec } from '../../lf-runtime/src/labelModel/syntheticFamilies.ts';
import { trueAccuracyWhenVoting } from '../../lf-runtime/src/labelModel/evaluation.ts';
import type { VoteMatrix } from '../../lf-runtime/src/labelModel/types.ts';

const vote = (L: VoteMatrix, i: number, j: number) => L.data[i * L.m + j];

/** Per LF: share of its votes on its most frequent label. */
function topLabelShare(L: VoteMatrix, k: number): number[] {
  return Array.from({ length: L.m }, (_, j) => {
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < L.n; i++) if (vote(L, i, j) >= 0) counts[vote(L, i, j)]++;
    const total = counts.reduce((a, b) => a + b, 0);
    return total > 0 ? Math.max(...counts) / total : 0;
  });
}

test('every family is seeded, well formed, and draws different LF sets for different seeds', () => {
  assert.deepEqual(new Set(SYNTHETIC_FAMILIES.map((f) => f.split)), new Set(['tune', 'round-1', 'round-2', 'held-out']));
  assert.equal(new Set(SYNTHETIC_FAMILIES.map((f) => f.name)).size, SYNTHETIC_FAMILIES.length, 'family names are unique');
  // Tune, round-1 and both held-out seed sets never overlap.
  const seeds = [...TUNE_SEEDS, ...ROUND_1_SEEDS, ...HELD_OUT_SEEDS, ...ROUND_2_HELD_OUT_SEEDS];
  assert.equal(new Set(seeds).size, seeds.length);
  // Held-out families are never designed on; the others on their own seeds.
  for (const f of SYNTHETIC_FAMILIES) {
    const want = { tune: TUNE_SEEDS, 'round-1': ROUND_1_SEEDS, 'round-2': TUNE_SEEDS, 'held-out': [] }[f.split];
    assert.deepEqual(tuningSeeds(f), want, f.name);
  }
  for (const family of SYNTHETIC_FAMILIES) {
    const spec = family.spec(3);
    assert.equal(spec.classBalance.length, spec.k, family.name);
    assert.ok(Math.abs(spec.classBalance.reduce((a, b) => a + b, 0) - 1) < 1e-9, `${family.name}: balance sums to 1`);
    spec.lfs.forEach((lf, j) => {
      for (let y = 0; y < spec.k; y++) {
        const row = lf.emission.subarray(y * (spec.k + 1), (y + 1) * (spec.k + 1));
        assert.ok(row.every((p) => p >= 0 && p <= 1), `${family.name} LF ${j}: probabilities in [0, 1]`);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9, `${family.name} LF ${j} class ${y}: row sums to 1`);
      }
      for (const ref of [lf.copyOf, lf.gate]) if (ref !== undefined) assert.ok(ref < j, `${family.name} LF ${j} refers to a later column`);
    });
    const a = drawFamilyCase(family, 3, 500, 100);
    const b = drawFamilyCase(family, 3, 500, 100);
    assert.deepEqual(a.train.L.data, b.train.L.data, `${family.name}: same seed, same votes`);
    assert.deepEqual(a.test.gold, b.test.gold);
    assert.notDeepEqual(a.train.L.data, a.test.L.data, `${family.name}: train and test are different rows`);
    assert.notDeepEqual(drawFamilyCase(family, 4, 500, 100).train.L.data, a.train.L.data, `${family.name}: another seed, other votes`);
  }
  assert.throws(() => familyByName('no-such-family'), /no synthetic family 'no-such-family'/);
});

test('drawn votes follow the LF tables: a detector\'s precision, a voter\'s accuracy per class and favourite, copies and gates', () => {
  const k = 3;
  const classBalance = [0.6, 0.3, 0.1];
  const spec: EmissionSpec = {
    k,
    classBalance,
    lfs: [
      detectorLf(k, classBalance, 2, 0.5, 0.4, [1, 1, 0]),
      voterLf(k, [0.5, 0.5, 0.5], [0.9, 0.3, 0.6], 0, 0.8),
      { ...detectorLf(k, classBalance, 2, 0.1, 0.9, [1, 1, 0]), copyOf: 0, copyRate: 1 },
      { ...detectorLf(k, classBalance, 1, 0.8, 0.9, [1, 0, 1]), gate: 1 },
    ],
  };
  const { L, gold } = drawEmissionVotes(spec, 60_000, 9);
  const g = Array.from(gold);
  const truth = trueAccuracyWhenVoting(L, g);
  assert.ok(Math.abs((truth.accuracy[0] as number) - 0.4) < 0.02, `detector precision ${truth.accuracy[0]}`);
  // The voter: right on 90% / 30% / 60% of its votes on classes 0 / 1 / 2, and 80% of its wrong votes on
  // class-1 and class-2 rows name class 0.
  const right = [0, 0, 0];
  const voted = [0, 0, 0];
  let wrong = 0;
  let wrongToFavourite = 0;
  for (let i = 0; i < L.n; i++) {
    const v = vote(L, i, 1);
    if (v < 0) continue;
    voted[g[i]]++;
    if (v === g[i]) right[g[i]]++;
    else if (g[i] !== 0) {
      wrong++;
      if (v === 0) wrongToFavourite++;
    }
  }
  [0.9, 0.3, 0.6].forEach((want, y) => assert.ok(Math.abs(right[y] / voted[y] - want) < 0.03, `voter accuracy on class ${y}: ${right[y] / voted[y]}`));
  assert.ok(Math.abs(wrongToFavourite / wrong - 0.8) < 0.02, `share of wrong votes on the favourite ${wrongToFavourite / wrong}`);
  for (let i = 0; i < L.n; i++) {
    assert.equal(vote(L, i, 2), vote(L, i, 0), `row ${i}: a copy at rate 1 votes exactly like its source`);
    if (vote(L, i, 3) !== -1) assert.notEqual(vote(L, i, 1), -1, `row ${i}: the gated LF votes only where its gate does`);
  }
});

/** Properties measured on the tune seeds of a family, gold labels known. */
function measured(name: string, seed: number) {
  const c = drawFamilyCase(familyByName(name), seed);
  const { L, gold } = c.train;
  const truth = trueAccuracyWhenVoting(L, Array.from(gold));
  const acc = truth.accuracy.filter((a): a is number => a !== null);
  let covered = 0;
  let lone = 0;
  for (let i = 0; i < L.n; i++) {
    let votes = 0;
    for (let j = 0; j < L.m; j++) if (vote(L, i, j) >= 0) votes++;
    if (votes > 0) covered++;
    if (votes === 1) lone++;
  }
  const coverage = Array.from({ length: L.m }, (_, j) => truth.votes[j] / L.n).sort((a, b) => a - b);
  return {
    c,
    truth,
    belowHalf: acc.filter((a) => a < 0.5).length / acc.length,
    oneLabel: topLabelShare(L, c.k).filter((s) => s === 1).length / L.m,
    loneShare: lone / covered,
    medianCoverage: coverage[coverage.length >> 1],
  };
}

test('many-classes-detectors: 6-12 classes, one-label LFs, a fifth or more of them below 0.5', () => {
  for (const seed of TUNE_SEEDS.slice(0, 3)) {
    const f = measured('many-classes-detectors', seed);
    assert.ok(f.c.k >= 6 && f.c.k <= 12, `k = ${f.c.k}`);
    assert.equal(f.oneLabel, 1, 'every LF votes one label');
    assert.ok(f.belowHalf >= 0.2, `seed ${seed}: ${f.belowHalf} of LFs below 0.5`);
  }
});

test('class-biased-voters: accuracy depends on the true class, and wrong votes favour one class', () => {
  const f = measured('class-biased-voters', 1);
  const { L, gold } = f.c.train;
  const k = f.c.k;
  let biased = 0;
  let classDependent = 0;
  for (let j = 0; j < L.m; j++) {
    const right = new Array<number>(k).fill(0);
    const voted = new Array<number>(k).fill(0);
    const wrongTo = new Array<number>(k).fill(0);
    for (let i = 0; i < L.n; i++) {
      const v = vote(L, i, j);
      if (v < 0) continue;
      voted[gold[i]]++;
      if (v === gold[i]) right[gold[i]]++;
      else wrongTo[v]++;
    }
    const rates = right.map((r, y) => (voted[y] >= 30 ? r / voted[y] : null)).filter((x): x is number => x !== null);
    if (Math.max(...rates) - Math.min(...rates) > 0.25) classDependent++;
    const wrong = wrongTo.reduce((a, b) => a + b, 0);
    // Evenly spread, the top wrong label would get about 1/(k-1) of the wrong votes.
    if (wrong >= 30 && Math.max(...wrongTo) / wrong > 2 / (k - 1)) biased++;
  }
  assert.ok(classDependent >= L.m / 2, `${classDependent} of ${L.m} LFs with accuracy varying by > 0.25 across classes`);
  assert.ok(biased >= L.m / 2, `${biased} of ${L.m} LFs with wrong votes concentrated on one class`);
  assert.ok(f.belowHalf >= 0.2, `${f.belowHalf} of LFs below 0.5`);
});

test('sparse-coverage: narrow LFs, and about half the covered rows or more have a single vote', () => {
  for (const seed of TUNE_SEEDS.slice(0, 3)) {
    const f = measured('sparse-coverage', seed);
    assert.ok(f.medianCoverage < 0.05, `seed ${seed}: median LF coverage ${f.medianCoverage}`);
    assert.ok(f.loneShare > 0.45, `seed ${seed}: ${f.loneShare} of covered rows have one vote`);
  }
});

test('correlated-groups: copied LFs fire together far more often than their coverage explains', () => {
  const f = measured('correlated-groups', 1);
  const { L } = f.c.train;
  const spec = familyByName('correlated-groups').spec(1);
  const copies = spec.lfs.map((lf, j) => [j, lf.copyOf] as const).filter(([, s]) => s !== undefined) as [number, number][];
  assert.ok(copies.length >= 4, `${copies.length} copied LFs`);
  for (const [j, s] of copies) {
    let both = 0;
    for (let i = 0; i < L.n; i++) if (vote(L, i, j) >= 0 && vote(L, i, s) >= 0) both++;
    const lift = both / L.n / ((f.truth.votes[j] / L.n) * (f.truth.votes[s] / L.n));
    assert.ok(lift > 2, `LF ${j} with its source ${s}: lift ${lift}`);
  }
  // Their sources are weak: the groups vote together, and are mostly wrong.
  for (const s of new Set(copies.map(([, src]) => src))) assert.ok((f.truth.accuracy[s] as number) < 0.7, `source ${s}: ${f.truth.accuracy[s]}`);
});

test('chemprot-like and ten-class-relations: ten classes, one-label LFs, many below 0.5', () => {
  for (const [name, seed] of [['chemprot-like', ROUND_1_SEEDS[0]], ['ten-class-relations', HELD_OUT_SEEDS[0]]] as const) {
    const f = measured(name, seed);
    assert.equal(f.c.k, 10, name);
    assert.ok(f.belowHalf >= 0.3, `${name}: ${f.belowHalf} of LFs below 0.5`);
    assert.equal(f.oneLabel, 1, `${name}: every LF votes one label`);
  }
});

test('near-copies: each copy repeats its source\'s vote on 90-99% of rows, and the sources are mediocre', () => {
  for (const seed of TUNE_SEEDS.slice(0, 2)) {
    const spec = familyByName('near-copies').spec(seed);
    const f = measured('near-copies', seed);
    const { L } = f.c.train;
    const copies = spec.lfs.map((lf, j) => [j, lf.copyOf] as const).filter(([, s]) => s !== undefined) as [number, number][];
    assert.ok(copies.length >= 2, `seed ${seed}: ${copies.length} copies`);
    for (const [j, s] of copies) {
      let same = 0;
      for (let i = 0; i < L.n; i++) if (vote(L, i, j) === vote(L, i, s)) same++;
      assert.ok(same / L.n >= 0.88, `seed ${seed}: LF ${j} votes as its source ${s} on ${same / L.n} of rows`);
      assert.ok(same < L.n, `seed ${seed}: LF ${j} is a near-copy, not an exact one`);
    }
    for (const s of new Set(copies.map(([, src]) => src))) {
      const a = f.truth.accuracy[s] as number;
      assert.ok(a > 0.35 && a < 0.75, `seed ${seed}: source ${s} accuracy ${a}`);
    }
  }
});
