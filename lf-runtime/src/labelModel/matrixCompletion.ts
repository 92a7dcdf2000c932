/**
 * Snorkel-style matrix completion (Ratner et al., AAAI 2019): fit mu[j*k+l][y] = P(LF j says l | Y = y) to
 * the observed vote co-occurrences O = Lind^T Lind / n, masking each LF's own block. This is what Snorkel
 * 0.9/0.10's LabelModel fits; here with Adam and early stopping instead of 500 epochs of SGD.
 */
import { independentPosterior, makeFittedModel } from './fittedModel.ts';
import { buildVoteIndex } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import { fitMajorityVoteOnIndex } from './majorityVote.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import { LabelModelInputError } from './types.ts';
import type { LabelModelOptions, VoteMatrix } from './types.ts';

export interface MatrixCompletionOptions extends LabelModelOptions {
  /** Assumed precision of every LF at the start (Snorkel's prec_init). */
  precisionInit?: number;
  /** Ridge pull towards the initial mu. */
  l2?: number;
  learningRate?: number;
  /** Class balance to assume; default: majority-vote estimate. */
  classBalance?: number[];
}

const MU_EPS = 1e-4;

/** Rows used to estimate co-occurrences; beyond this an evenly strided sample is used. */
export const MOMENT_SAMPLE_ROWS = 100_000;

/**
 * O = Lind^T Lind / n as a dense d x d array, d = m k. Cost is the sum over rows of (votes in row)^2, so
 * for very large matrices an evenly strided sample of `maxRows` rows is used: second moments from 100k rows
 * are accurate to ~0.003, far below the LF-dependence errors the models already live with.
 */
export function voteCooccurrence(index: VoteIndex, maxRows = MOMENT_SAMPLE_ROWS): Float64Array {
  const { n, m, k, rowStart, lf, label, weight } = index;
  const d = m * k;
  const O = new Float64Array(d * d);
  // A compressed index has few rows (patterns), so the stride is 1 and every weight counts.
  const stride = Math.max(1, Math.ceil(n / maxRows));
  let used = 0;
  for (let i = 0; i < n; i += stride) {
    const w = weight[i];
    used += w;
    const a = rowStart[i];
    const b = rowStart[i + 1];
    for (let s = a; s < b; s++) {
      const row = (lf[s] * k + label[s]) * d;
      for (let t = a; t < b; t++) O[row + lf[t] * k + label[t]] += w;
    }
  }
  const inv = used > 0 ? 1 / used : 0;
  for (let x = 0; x < O.length; x++) O[x] *= inv;
  return O;
}

/**
 * Most (LF, class) pairs matrix completion is fitted on: its co-occurrence matrix holds the square of their
 * number (4096 pairs: 134 MB of doubles; 671 LFs x 100 classes would need 36 GB).
 */
export const MAX_COMPLETION_PAIRS = 4096;

/** Whether matrix completion can be fitted on m LFs and k classes (MAX_COMPLETION_PAIRS). */
export function completionFits(m: number, k: number): boolean {
  return m * k <= MAX_COMPLETION_PAIRS;
}

export function fitMatrixCompletion(L: VoteMatrix, k: number, options: MatrixCompletionOptions = {}): IndexedLabelModel {
  const started = performance.now();
  return fitMatrixCompletionOnIndex(buildVoteIndex(L, k), options, started);
}

export function fitMatrixCompletionOnIndex(
  index: VoteIndex,
  options: MatrixCompletionOptions = {},
  started = performance.now(),
): IndexedLabelModel {
  const { m, k } = index;
  const d = m * k;
  if (!completionFits(m, k)) {
    throw new LabelModelInputError(
      `matrix completion fits a matrix of (LFs x classes)^2 entries: ${m} LFs x ${k} classes is ${d} pairs, more than the ${MAX_COMPLETION_PAIRS} ` +
        'it is fitted on here; choose another model (the default, majority, dawid-skene, flying-squid)',
    );
  }
  const p = options.classBalance ?? fitMajorityVoteOnIndex(index, 0).classBalance;
  const precInit = options.precisionInit ?? 0.7;
  const l2 = options.l2 ?? 0;
  const lr = options.learningRate ?? 0.01;
  const maxIterations = options.maxIterations ?? 300;
  const O = voteCooccurrence(index);

  // Snorkel's initialisation: only the "says y when Y = y" entries start non-zero.
  const mu0 = new Float64Array(d * k);
  for (let j = 0; j < m; j++) {
    for (let y = 0; y < k; y++) {
      const a = j * k + y;
      mu0[a * k + y] = Math.min(1, Math.max(0, (O[a * d + a] * precInit) / p[y]));
    }
  }
  const mu = Float64Array.from(mu0);
  // Rows of (LF, label) pairs that never occur ("dead": an LF that only ever says DESC has k - 1 of them) have
  // an all-zero row in O. Every gradient on such a row pushes it down, so after the first clamp it sits at
  // MU_EPS in every column; before the first step it is 0. Their pairs with the live rows therefore have a
  // closed form (below), and the loop runs over live rows only: trec has 68 live rows of 408, so the pairs
  // shrink from 83k to 2.3k. The result is the full optimisation's, up to the order of summation.
  const live: number[] = [];
  const deadInBlock = new Int32Array(m);
  for (let a = 0; a < d; a++) {
    if (index.votesPerLf[a] > 0) live.push(a);
    else deadInBlock[Math.floor(a / k)]++;
  }
  const dead = d - live.length;
  const deadPairs = (dead * dead - deadInBlock.reduce((s, x) => s + x * x, 0)) / 2;
  const grad = new Float64Array(d * k);
  const mom1 = new Float64Array(d * k);
  const mom2 = new Float64Array(d * k);
  const muP = new Float64Array(d * k);
  let pSum = 0;
  for (let y = 0; y < k; y++) pSum += p[y];
  let previousLoss = Infinity;
  for (let it = 1; it <= maxIterations; it++) {
    const v = it === 1 ? 0 : MU_EPS;
    for (const a of live) for (let y = 0; y < k; y++) muP[a * k + y] = mu[a * k + y] * p[y];
    grad.fill(0);
    let loss = 0;
    // Residuals of M o (O - mu P mu^T) over live pairs b > a outside a's own LF block (the matrix is
    // symmetric, so each pair is visited once and feeds both gradient rows: d/dmu of r^2 twice is -4 r mu P).
    for (let ia = 0; ia < live.length; ia++) {
      const a = live[ia];
      const firstOutside = (Math.floor(a / k) + 1) * k;
      const ra = a * k;
      for (let ib = ia + 1; ib < live.length; ib++) {
        const b = live[ib];
        if (b < firstOutside) continue;
        const rb = b * k;
        let model = 0;
        for (let y = 0; y < k; y++) model += muP[ra + y] * mu[rb + y];
        const r = O[a * d + b] - model;
        if (r === 0) continue;
        loss += 2 * r * r;
        const g = 4 * r;
        for (let y = 0; y < k; y++) {
          grad[ra + y] -= g * muP[rb + y];
          grad[rb + y] -= g * muP[ra + y];
        }
      }
      // Its pairs with the dead rows outside its block: r = -v (p . mu_a) each, feeding only this row.
      const outside = dead - deadInBlock[Math.floor(a / k)];
      if (outside > 0 && v > 0) {
        let pMu = 0;
        for (let y = 0; y < k; y++) pMu += muP[ra + y];
        loss += 2 * outside * v * v * pMu * pMu;
        for (let y = 0; y < k; y++) grad[ra + y] += 4 * outside * v * v * pMu * p[y];
      }
    }
    // Dead rows with each other (r = -v^2 pSum) and their diagonal terms (e = v pSum): constants in the loss.
    loss += 2 * deadPairs * (v * v * pSum) ** 2 + dead * (v * pSum) ** 2;
    for (const a of live) {
      // Diagonal term: the model's marginal P(LF says l) must match the observed one.
      let marginal = 0;
      for (let y = 0; y < k; y++) marginal += muP[a * k + y];
      const e = marginal - O[a * d + a];
      loss += e * e;
      for (let y = 0; y < k; y++) grad[a * k + y] += 2 * e * p[y] + 2 * l2 * (mu[a * k + y] - mu0[a * k + y]);
    }
    // Adam step, then project back into the box Snorkel clamps to.
    const b1 = 0.9;
    const b2 = 0.999;
    for (const a of live) {
      for (let x = a * k; x < a * k + k; x++) {
        mom1[x] = b1 * mom1[x] + (1 - b1) * grad[x];
        mom2[x] = b2 * mom2[x] + (1 - b2) * grad[x] * grad[x];
        const step = (lr * (mom1[x] / (1 - b1 ** it))) / (Math.sqrt(mom2[x] / (1 - b2 ** it)) + 1e-8);
        mu[x] = Math.min(1 - MU_EPS, Math.max(MU_EPS, mu[x] - step));
      }
    }
    if (Math.abs(previousLoss - loss) < 1e-10 * Math.max(1, loss) + 1e-14) break;
    previousLoss = loss;
  }
  for (let a = 0; a < d; a++) if (index.votesPerLf[a] === 0) mu.fill(MU_EPS, a * k, a * k + k);
  const permuted = breakPermutationSymmetry(mu, m, k);

  const logVote = new Float64Array(m * k * k);
  for (let x = 0; x < permuted.length; x++) logVote[x] = Math.log(permuted[x]);
  const accuracyWhenVoting: (number | null)[] = [];
  for (let j = 0; j < m; j++) {
    let votes = 0;
    let right = 0;
    for (let y = 0; y < k; y++) {
      votes += O[(j * k + y) * d + j * k + y];
      right += permuted[(j * k + y) * k + y] * p[y];
    }
    accuracyWhenVoting.push(votes > 0 ? Math.min(1, right / votes) : null);
  }
  const logPrior = p.map((x) => Math.log(Math.max(x, 1e-12)));
  return makeFittedModel({
    name: 'matrix-completion',
    k,
    m,
    classBalance: [...p],
    accuracyWhenVoting,
    fitMs: performance.now() - started,
    seed: options.seed ?? 0,
    scoreRows: (rows) => independentPosterior(rows, logPrior, logVote, null),
  });
}

/**
 * The loss is unchanged when the columns of mu are permuted; pick the column order that puts most mass on
 * "LF says y when Y = y" (LFs better than random). Exhaustive up to k = 7, greedy beyond.
 */
function breakPermutationSymmetry(mu: Float64Array, m: number, k: number): Float64Array {
  const d = m * k;
  const score = (perm: number[]): number => {
    let s = 0;
    for (let j = 0; j < m; j++) for (let y = 0; y < k; y++) s += mu[(j * k + y) * k + perm[y]];
    return s;
  };
  let best = Array.from({ length: k }, (_, y) => y);
  let bestScore = score(best);
  if (k <= 7) {
    for (const perm of permutations(k)) {
      const s = score(perm);
      if (s > bestScore + 1e-12) {
        best = perm;
        bestScore = s;
      }
    }
  }
  const out = new Float64Array(d * k);
  for (let a = 0; a < d; a++) for (let y = 0; y < k; y++) out[a * k + y] = mu[a * k + best[y]];
  return out;
}

function* permutations(k: number): Generator<number[]> {
  const perm = Array.from({ length: k }, (_, y) => y);
  const c = new Array<number>(k).fill(0);
  yield [...perm];
  let i = 0;
  while (i < k) {
    if (c[i] < i) {
      const swap = i % 2 === 0 ? 0 : c[i];
      [perm[swap], perm[i]] = [perm[i], perm[swap]];
      yield [...perm];
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}
