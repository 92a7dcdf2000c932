// Matrix completion skips the (LF, label) rows that never occur; this checks it against the plain optimisation
// over every row (the definition in docs: minimise ||M o (O - mu P mu^T)||^2 + ||mu p - diag(O)||^2 with Adam,
// clamped to [eps, 1 - eps]), written out here without the shortcut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fitMatrixCompletionOnIndex, voteCooccurrence } from '../../lf-runtime/src/labelModel/matrixCompletion.ts';
import { fitMajorityVoteOnIndex } from '../../lf-runtime/src/labelModel/majorityVote.ts';
import { buildVoteIndex } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import type { VoteIndex } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import { readWrenchVotes } from '../../lf-runtime/src/labelModel/wrenchVotes.ts';
import { drawSyntheticVotes, randomSpec } from '../../lf-runtime/src/labelModel/syntheticVotes.ts';

const EPS = 1e-4;

/** mu (d x k) by the plain loop over all pairs of rows, 300 Adam steps at lr 0.01, prec_init 0.7. */
function referenceMu(index: VoteIndex): Float64Array {
  const { m, k } = index;
  const d = m * k;
  const p = fitMajorityVoteOnIndex(index, 0).classBalance;
  const O = voteCooccurrence(index);
  const mu0 = new Float64Array(d * k);
  for (let a = 0; a < d; a++) {
    const y = a % k;
    mu0[a * k + y] = Math.min(1, Math.max(0, (O[a * d + a] * 0.7) / p[y]));
  }
  const mu = Float64Array.from(mu0);
  const m1 = new Float64Array(d * k);
  const m2 = new Float64Array(d * k);
  let previous = Infinity;
  for (let it = 1; it <= 300; it++) {
    const grad = new Float64Array(d * k);
    let loss = 0;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        if (Math.floor(a / k) === Math.floor(b / k)) continue;
        let model = 0;
        for (let y = 0; y < k; y++) model += mu[a * k + y] * p[y] * mu[b * k + y];
        const r = O[a * d + b] - model;
        loss += r * r;
        for (let y = 0; y < k; y++) grad[a * k + y] -= 4 * r * p[y] * mu[b * k + y];
      }
      let marginal = 0;
      for (let y = 0; y < k; y++) marginal += mu[a * k + y] * p[y];
      const e = marginal - O[a * d + a];
      loss += e * e;
      for (let y = 0; y < k; y++) grad[a * k + y] += 2 * e * p[y];
    }
    for (let x = 0; x < mu.length; x++) {
      m1[x] = 0.9 * m1[x] + 0.1 * grad[x];
      m2[x] = 0.999 * m2[x] + 0.001 * grad[x] * grad[x];
      const step = (0.01 * (m1[x] / (1 - 0.9 ** it))) / (Math.sqrt(m2[x] / (1 - 0.999 ** it)) + 1e-8);
      mu[x] = Math.min(1 - EPS, Math.max(EPS, mu[x] - step));
    }
    if (Math.abs(previous - loss) < 1e-10 * Math.max(1, loss) + 1e-14) break;
    previous = loss;
  }
  return mu;
}

/** All orderings of 0..k-1. */
function permutations(k: number): number[][] {
  if (k === 1) return [[0]];
  return permutations(k - 1).flatMap((q) => Array.from({ length: k }, (_, i) => [...q.slice(0, i), k - 1, ...q.slice(i)]));
}

/** Accuracy when voting from mu, as the model reports it: columns in the order that makes LFs beat random. */
function accuracies(index: VoteIndex, raw: Float64Array): number[] {
  const { m, k } = index;
  const p = fitMajorityVoteOnIndex(index, 0).classBalance;
  let best = permutations(k)[0];
  let bestScore = -Infinity;
  for (const perm of permutations(k)) {
    let score = 0;
    for (let a = 0; a < m * k; a++) score += raw[a * k + perm[a % k]];
    if (score > bestScore + 1e-12) {
      best = perm;
      bestScore = score;
    }
  }
  const mu = raw.map((_, x) => raw[Math.floor(x / k) * k + best[x % k]]);
  const out: number[] = [];
  for (let j = 0; j < m; j++) {
    let votes = 0;
    let right = 0;
    for (let y = 0; y < k; y++) {
      votes += index.votesPerLf[j * k + y];
      right += mu[(j * k + y) * k + y] * p[y] * index.rows;
    }
    out.push(Math.min(1, right / votes));
  }
  return out;
}

for (const [name, index] of [
  ['trec (unipolar LFs: 340 of 408 rows never occur)', buildVoteIndex(readWrenchVotes(join(import.meta.dirname, '..', 'fixtures', 'wrench', 'trec', 'train.json')).L, 6)],
  ['synthetic k=3 (every LF votes every class)', buildVoteIndex(drawSyntheticVotes(randomSpec(5000, 8, 3, 4)).L, 3)],
] as const) {
  test(`matrix completion equals the plain optimisation over all rows: ${name}`, () => {
    const fast = fitMatrixCompletionOnIndex(index).accuracyWhenVoting;
    const reference = accuracies(index, referenceMu(index));
    fast.forEach((a, j) => assert.ok(Math.abs((a as number) - reference[j]) < 1e-5, `LF ${j}: ${a} vs ${reference[j]}`));
  });
}
