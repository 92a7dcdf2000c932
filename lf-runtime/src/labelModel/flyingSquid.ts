/**
 * FlyingSquid triplets (Fu et al., ICML 2020): closed-form accuracies from second moments of +-1 votes,
 * |a_j| = sqrt(|M_jk M_jl / M_kl|) over triplets, median-aggregated. Binary natively; k > 2 runs one
 * binary problem per class (one-vs-rest) and combines them. No iterations, so it is the fastest model.
 */
import { makeFittedModel } from './fittedModel.ts';
import { buildVoteIndex } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import { MOMENT_SAMPLE_ROWS } from './matrixCompletion.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import type { LabelModelOptions, VoteMatrix } from './types.ts';

export interface FlyingSquidOptions extends LabelModelOptions {
  /** Pairs (k, l) whose |M_kl| is below this are skipped: dividing by ~0 is what makes triplets explode. */
  minPairMoment?: number;
  /** Accuracy when voting assumed for an LF that shares no usable triplet with others. */
  fallbackAccuracy?: number;
}

interface BinaryProblem {
  /** P(Y = positive). */
  positiveRate: number;
  /** Accuracy when voting in this binary problem, per LF. */
  accuracy: Float64Array;
}

const ACC_MIN = 0.5 + 1e-3;
const ACC_MAX = 1 - 1e-3;
/**
 * Most pairs (a, b) whose triplet with an LF estimates its accuracy: every pair up to 200 co-voting LFs
 * (19 900 pairs), evenly strided pairs beyond, whose median stands for all of theirs. All pairs of m LFs make
 * the fit O(m^3): 500 LFs took 27 s and a file of 1000 froze the language server for minutes.
 */
export const MAX_TRIPLET_PAIRS = 20_000;

export function fitFlyingSquid(L: VoteMatrix, k: number, options: FlyingSquidOptions = {}): IndexedLabelModel {
  const started = performance.now();
  return fitFlyingSquidOnIndex(buildVoteIndex(L, k), options, started);
}

export function fitFlyingSquidOnIndex(
  index: VoteIndex,
  options: FlyingSquidOptions = {},
  started = performance.now(),
): IndexedLabelModel {
  return flyingSquidModelFromFit(index, solveFlyingSquid(index, options), options.seed ?? 0, started);
}

/** The fitted parameters: plain data, so a worker thread can fit them and post them back. */
export interface FlyingSquidFit {
  problems: BinaryProblem[];
  positives: number[];
  classBalance: number[];
  accuracyWhenVoting: (number | null)[];
}

export function solveFlyingSquid(index: VoteIndex, options: FlyingSquidOptions = {}): FlyingSquidFit {
  const { m, k, rows } = index;
  const minPair = options.minPairMoment ?? 1 / Math.max(Math.min(rows, MOMENT_SAMPLE_ROWS), 1);
  const fallback = options.fallbackAccuracy ?? 0.7;
  // k = 2 is one problem (class 1 positive); k > 2 is one problem per class.
  const positives = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  const problems: BinaryProblem[] = positives.map((c) => solveBinary(m, binaryMoments(index, c), minPair, fallback));

  const rates = k === 2 ? [1 - problems[0].positiveRate, problems[0].positiveRate] : problems.map((p) => p.positiveRate);
  const rateSum = rates.reduce((s, x) => s + x, 0);
  const classBalance = rates.map((r) => r / rateSum);

  // Multi-class accuracy of an LF: its per-class binary accuracies weighted by how often it votes each class.
  const accuracyWhenVoting: (number | null)[] = [];
  for (let j = 0; j < m; j++) {
    let votes = 0;
    let acc = 0;
    for (let l = 0; l < k; l++) {
      const v = index.votesPerLf[j * k + l];
      votes += v;
      acc += v * (k === 2 ? problems[0].accuracy[j] : problems[l].accuracy[j]);
    }
    accuracyWhenVoting.push(votes > 0 ? acc / votes : null);
  }
  return { problems, positives, classBalance, accuracyWhenVoting };
}

export function flyingSquidModelFromFit(index: VoteIndex, fit: FlyingSquidFit, seed: number, started: number): IndexedLabelModel {
  return makeFittedModel({
    name: 'flying-squid',
    k: index.k,
    m: index.m,
    classBalance: fit.classBalance,
    accuracyWhenVoting: fit.accuracyWhenVoting,
    fitMs: performance.now() - started,
    seed,
    scoreRows: (rows) => combinePosteriors(rows, fit.problems, fit.positives, fit.classBalance),
  });
}

/**
 * Moments of the +-1 votes of one binary problem: lambda = +1 for a vote of the positive class, -1 for any
 * other vote, 0 for an abstain.
 */
interface BinaryMoments {
  /** M[a * m + b] = E[lambda_a lambda_b], a != b. */
  M: Float64Array;
  /** E[lambda_a]. */
  firstMoment: Float64Array;
  /** P(LF a votes). */
  coverage: Float64Array;
}

/**
 * The moments of one class against the rest (`positive`: a vote for it is +1, for any other class -1) straight
 * from the votes, over the same evenly strided rows as voteCooccurrence: each pair once, into an m x m table
 * instead of the (mk)^2 co-occurrence table, which halves the cost that dominates FlyingSquid on large
 * matrices (1M x 100: ~90M vote pairs) and keeps many LFs of many classes in memory (671 LFs x 100 classes:
 * 3.6 MB, where the co-occurrence table would take 36 GB).
 */
function binaryMoments(index: VoteIndex, positive: number): BinaryMoments {
  const { n, m, k, rowStart, lf, label, weight } = index;
  // +1 for the positive class, -1 for the others (a multiplication, not a branch: labels are ~random).
  const sign = new Float64Array(k).fill(-1);
  sign[positive] = 1;
  const M = new Float64Array(m * m);
  const firstMoment = new Float64Array(m);
  const coverage = new Float64Array(m);
  const stride = Math.max(1, Math.ceil(n / MOMENT_SAMPLE_ROWS));
  let used = 0;
  for (let i = 0; i < n; i += stride) {
    const w = weight[i];
    used += w;
    const a0 = rowStart[i];
    const a1 = rowStart[i + 1];
    for (let s = a0; s < a1; s++) {
      const a = lf[s];
      // lambda w: +w for the positive class, -w for another.
      const wa = w * sign[label[s]];
      firstMoment[a] += wa;
      coverage[a] += w;
      const row = a * m;
      for (let t = s + 1; t < a1; t++) M[row + lf[t]] += wa * sign[label[t]];
    }
  }
  const inv = used > 0 ? 1 / used : 0;
  for (let a = 0; a < m; a++) {
    firstMoment[a] *= inv;
    coverage[a] *= inv;
    // Each pair was added once, on whichever side of the diagonal its vote order put it.
    for (let b = a + 1; b < m; b++) {
      const v = (M[a * m + b] + M[b * m + a]) * inv;
      M[a * m + b] = v;
      M[b * m + a] = v;
    }
  }
  return { M, firstMoment, coverage };
}

function solveBinary(m: number, moments: BinaryMoments, minPair: number, fallback: number): BinaryProblem {
  const { M, firstMoment, coverage } = moments;
  const accuracy = new Float64Array(m);
  const amplitude = new Float64Array(m);
  const others = new Int32Array(m);
  const xs = new Int32Array(MAX_TRIPLET_PAIRS);
  const ys = new Int32Array(MAX_TRIPLET_PAIRS);
  const found = new Float64Array(MAX_TRIPLET_PAIRS);
  for (let j = 0; j < m; j++) {
    let p = 0;
    for (let a = 0; a < m; a++) if (a !== j && M[j * m + a] !== 0) others[p++] = a;
    const pairs = pairsOf(p, xs, ys);
    let e = 0;
    for (let t = 0; t < pairs; t++) {
      const a = others[xs[t]];
      const b = others[ys[t]];
      const pair = M[a * m + b];
      if (Math.abs(pair) >= minPair) found[e++] = Math.sqrt(Math.abs((M[j * m + a] * M[j * m + b]) / pair));
    }
    if (coverage[j] === 0) {
      accuracy[j] = fallback;
      continue;
    }
    if (e === 0) {
      accuracy[j] = fallback;
      amplitude[j] = (2 * fallback - 1) * coverage[j];
      continue;
    }
    // The middle estimate (the upper one of an even count), as sorting them would give.
    const median = nthSmallest(found, e, e >> 1);
    // |E[lambda Y]| cannot exceed P(vote); the sign is fixed by assuming the LF beats random.
    amplitude[j] = Math.min(median, coverage[j]);
    accuracy[j] = Math.min(ACC_MAX, Math.max(ACC_MIN, (coverage[j] + amplitude[j]) / (2 * coverage[j])));
  }
  // E[lambda_j] = a_j E[Y] under the model: least squares over LFs gives E[Y], hence the class balance.
  let num = 0;
  let den = 0;
  for (let j = 0; j < m; j++) {
    num += amplitude[j] * firstMoment[j];
    den += amplitude[j] * amplitude[j];
  }
  const meanY = den > 0 ? Math.max(-0.98, Math.min(0.98, num / den)) : 0;
  return { positiveRate: (1 + meanY) / 2, accuracy };
}

/**
 * The pairs x < y of p items into xs, ys, in order, and how many: every pair when there are at most
 * MAX_TRIPLET_PAIRS (xs.length), else that many of them evenly strided over that order.
 */
export function pairsOf(p: number, xs: Int32Array, ys: Int32Array): number {
  const most = xs.length;
  const total = (p * (p - 1)) / 2;
  let t = 0;
  if (total <= most) {
    for (let x = 0; x < p; x++) {
      for (let y = x + 1; y < p; y++) {
        xs[t] = x;
        ys[t++] = y;
      }
    }
    return t;
  }
  // Pair number s is (x, y) with rowStart(x) <= s < rowStart(x + 1), rows of p - 1 - x pairs each.
  let x = 0;
  let rowStart = 0;
  for (; t < most; t++) {
    const s = Math.floor((t * total) / most);
    while (s >= rowStart + (p - 1 - x)) {
      rowStart += p - 1 - x;
      x++;
    }
    xs[t] = x;
    ys[t] = x + 1 + (s - rowStart);
  }
  return t;
}

/** The q-th smallest (0-based) of values[0..n), reordering them: Hoare's selection, O(n) expected. */
export function nthSmallest(values: Float64Array, n: number, q: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const tmp = values[i];
        values[i] = values[j];
        values[j] = tmp;
        i++;
        j--;
      }
    }
    if (q <= j) hi = j;
    else if (q >= i) lo = i;
    else return values[q];
  }
  return values[q];
}

function combinePosteriors(
  index: VoteIndex,
  problems: BinaryProblem[],
  positives: number[],
  classBalance: number[],
): Float64Array {
  const { n, k, rowStart, lf, label } = index;
  const out = new Float64Array(n * k);
  const logOdds = new Float64Array(problems.length);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    if (rowStart[i] === rowStart[i + 1]) {
      for (let c = 0; c < k; c++) out[o + c] = classBalance[c];
      continue;
    }
    for (let q = 0; q < problems.length; q++) {
      const pr = problems[q].positiveRate;
      logOdds[q] = Math.log(Math.max(pr, 1e-9)) - Math.log(Math.max(1 - pr, 1e-9));
    }
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      for (let q = 0; q < problems.length; q++) {
        const a = problems[q].accuracy[lf[t]];
        const w = Math.log(a) - Math.log(1 - a);
        logOdds[q] += label[t] === positives[q] ? w : -w;
      }
    }
    if (k === 2) {
      const p1 = 1 / (1 + Math.exp(-logOdds[0]));
      out[o] = 1 - p1;
      out[o + 1] = p1;
      continue;
    }
    // One-vs-rest: each class's "is c" probability, renormalised across classes.
    let s = 0;
    for (let c = 0; c < k; c++) {
      out[o + c] = 1 / (1 + Math.exp(-logOdds[c]));
      s += out[o + c];
    }
    for (let c = 0; c < k; c++) out[o + c] /= s;
  }
  return out;
}
