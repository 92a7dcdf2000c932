/**
 * Wraps a model's row scorer into the public FittedLabelModel: validation of new matrices, hard labels
 * under an explicit tie / no-vote policy, and seeded tie breaking so the same input gives the same output.
 */
import { buildVoteIndex, expandRows, softmaxRows } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import { LabelModelInputError } from './types.ts';
import type { FittedLabelModel, PredictPolicy, VoteMatrix } from './types.ts';

/** Probabilities closer than this count as a tie (majority vote produces exact ties; others rarely). */
const TIE_EPS = 1e-9;

export interface ModelParts {
  name: string;
  k: number;
  m: number;
  classBalance: number[];
  accuracyWhenVoting: (number | null)[];
  /** n x k posteriors for the index rows (vote patterns) of `index`; uncovered ones get the class balance. */
  scoreRows(index: VoteIndex): Float64Array;
  fitMs: number;
  seed: number;
}

/** Small, fast, seedable PRNG (mulberry32); Math.random would make predictions irreproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fitted model that can also score an already-built index (saves re-indexing a large matrix). */
export interface IndexedLabelModel extends FittedLabelModel {
  /** Posteriors per index row (per vote pattern of a compressed index); expandRows maps them to rows. */
  scoreIndex(index: VoteIndex): Float64Array;
}

export function makeFittedModel(parts: ModelParts): IndexedLabelModel {
  const { k, m } = parts;
  const indexOf = (L: VoteMatrix): VoteIndex => {
    if (L.m !== m) {
      throw new LabelModelInputError(
        `model "${parts.name}" was fitted on ${m} LFs but this matrix has ${L.m}; refit after adding or removing LFs`,
      );
    }
    return buildVoteIndex(L, k);
  };
  return {
    name: parts.name,
    k,
    classBalance: parts.classBalance,
    accuracyWhenVoting: parts.accuracyWhenVoting,
    fitMs: parts.fitMs,
    predictProba: (L) => {
      const index = indexOf(L);
      return expandRows(index, parts.scoreRows(index), k);
    },
    scoreIndex: (index) => parts.scoreRows(index),
    predict: (L, policy = 'prior') => {
      const index = indexOf(L);
      return hardLabels(index, parts.scoreRows(index), parts.classBalance, policy, parts.seed);
    },
  };
}

/**
 * Argmax per matrix row (proba is per index row), resolving ties and uncovered rows as `policy` says. Walks
 * the matrix rows in order, so seeded random tie breaking is the same whether or not the index is compressed.
 */
export function hardLabels(
  index: VoteIndex,
  proba: Float64Array,
  classBalance: number[],
  policy: PredictPolicy,
  seed: number,
): Int32Array {
  const { k, rowStart, rowPattern, rows } = index;
  const out = new Int32Array(rows);
  const rand = seededRandom(seed);
  const tied: number[] = [];
  let priorBest = 0;
  for (let c = 1; c < k; c++) if (classBalance[c] > classBalance[priorBest]) priorBest = c;
  for (let r = 0; r < rows; r++) {
    const i = rowPattern ? rowPattern[r] : r;
    if (rowStart[i] === rowStart[i + 1]) {
      out[r] = policy === 'abstain' ? -1 : policy === 'prior' ? priorBest : Math.floor(rand() * k);
      continue;
    }
    const o = i * k;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (proba[o + c] > mx) mx = proba[o + c];
    tied.length = 0;
    for (let c = 0; c < k; c++) if (proba[o + c] >= mx - TIE_EPS) tied.push(c);
    if (tied.length === 1) out[r] = tied[0];
    else if (policy === 'abstain') out[r] = -1;
    else if (policy === 'random') out[r] = tied[Math.floor(rand() * tied.length)];
    else {
      let best = tied[0];
      for (const c of tied) if (classBalance[c] > classBalance[best]) best = c;
      out[r] = best;
    }
  }
  return out;
}

/** Argmax per index row; -1 for uncovered rows and ties (no randomness, so no row order to respect). */
export function patternArgmax(index: VoteIndex, proba: Float64Array): Int32Array {
  const { n, k, rowStart } = index;
  const out = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (rowStart[i] === rowStart[i + 1]) continue;
    const o = i * k;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (proba[o + c] > mx) mx = proba[o + c];
    let ties = 0;
    let best = -1;
    for (let c = 0; c < k; c++) {
      if (proba[o + c] >= mx - TIE_EPS) {
        ties++;
        best = c;
      }
    }
    if (ties === 1) out[i] = best;
  }
  return out;
}

/**
 * P(Y | votes) of a log-linear model: log prior plus, per vote, weights[lf * k + label] on the class voted.
 * The one-coin models give every label of an LF the same weight; the prior-anchored model one per (LF, label).
 * Rows without votes get the prior.
 */
export function detectorPosterior(index: VoteIndex, classBalance: number[], weights: Float64Array): Float64Array {
  const { n, k, rowStart, lf, label } = index;
  const logPrior = classBalance.map((p) => Math.log(Math.max(p, 1e-12)));
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let c = 0; c < k; c++) out[o + c] = logPrior[c];
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) out[o + label[t]] += weights[lf[t] * k + label[t]];
  }
  softmaxRows(out, k);
  return out;
}

/** Posterior of a conditionally independent model: p(y) * prod_j P(vote_j | y), from log-tables. */
export function independentPosterior(
  index: VoteIndex,
  logPrior: ArrayLike<number>,
  /** logVote[(j * k + l) * k + y] = log P(LF j says l | Y = y) minus the abstain term, if modelled. */
  logVote: Float64Array,
  /** Per-class constant added to every row (e.g. sum of log P(abstain | y)); may be null. */
  base: Float64Array | null,
  /** True while fitting: uncovered rows then follow the model (all-abstain likelihood), not just the prior. */
  baseForUncovered = false,
): Float64Array {
  const { n, k, rowStart, lf, label } = index;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    // Uncovered rows are reported as such elsewhere; here they get the plain prior, not an abstain-pattern guess.
    const covered = rowStart[i] !== rowStart[i + 1];
    for (let c = 0; c < k; c++) out[o + c] = logPrior[c] + (base && (covered || baseForUncovered) ? base[c] : 0);
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      const r = (lf[t] * k + label[t]) * k;
      for (let c = 0; c < k; c++) out[o + c] += logVote[r + c];
    }
  }
  softmaxRows(out, k);
  return out;
}
