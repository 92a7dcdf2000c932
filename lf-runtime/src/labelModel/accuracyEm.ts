/**
 * "One-coin" EM: each LF has a single accuracy alpha_j (P(vote = Y | votes)), wrong votes spread evenly, and
 * whether an LF votes is independent of the class. Far fewer parameters than full Dawid-Skene (m instead of
 * m k (k+1)), so it stays stable where LFs rarely overlap (sms) or one LF covers most rows (trec), and it
 * estimates exactly the figure the editor shows: accuracy when voting.
 */
import { makeFittedModel } from './fittedModel.ts';
import { buildVoteIndex, majorityShares } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import type { LabelModelOptions, VoteMatrix } from './types.ts';

export interface AccuracyEmOptions extends LabelModelOptions {
  /** Beta pseudo-counts on each accuracy: `correctPrior` right votes and `wrongPrior` wrong ones. */
  correctPrior?: number;
  wrongPrior?: number;
  tolerance?: number;
  initialPosterior?: Float64Array;
  /** Hold the class balance at this value instead of re-estimating it (stops collapse onto one class). */
  fixedClassBalance?: number[];
  /**
   * Lowest accuracy an LF may take. With one-class LFs, "every row is one class" explains the votes
   * perfectly; requiring LFs to beat random (1/k) rules that degenerate answer out.
   */
  accuracyFloor?: number;
}

export interface AccuracyEmFit {
  classBalance: number[];
  accuracy: Float64Array;
  posterior: Float64Array;
  iterations: number;
}

/** Accuracies are kept inside (floor, ceiling) so a log-weight never becomes infinite. */
const ACCURACY_FLOOR = 1e-4;
const ACCURACY_CEILING = 1 - 1e-4;

export function fitAccuracyEm(L: VoteMatrix, k: number, options: AccuracyEmOptions = {}): IndexedLabelModel {
  const started = performance.now();
  return fitAccuracyEmOnIndex(buildVoteIndex(L, k), options, started);
}

export function fitAccuracyEmOnIndex(
  index: VoteIndex,
  options: AccuracyEmOptions = {},
  started = performance.now(),
): IndexedLabelModel {
  const fit = runAccuracyEm(index, options);
  return accuracyModelFromParameters('accuracy-em', index, fit.classBalance, fit.accuracy, options.seed ?? 0, started);
}

/** Any model whose parameters are (class balance, one accuracy per LF) predicts the same way. */
export function accuracyModelFromParameters(
  name: string,
  index: VoteIndex,
  classBalance: number[],
  accuracy: Float64Array,
  seed: number,
  started: number,
): IndexedLabelModel {
  const { m, k } = index;
  const weights = voteWeights(accuracy, k);
  const accuracyWhenVoting: (number | null)[] = [];
  for (let j = 0; j < m; j++) {
    let votes = 0;
    for (let l = 0; l < k; l++) votes += index.votesPerLf[j * k + l];
    accuracyWhenVoting.push(votes > 0 ? accuracy[j] : null);
  }
  return makeFittedModel({
    name,
    k,
    m,
    classBalance,
    accuracyWhenVoting,
    fitMs: performance.now() - started,
    seed,
    scoreRows: (rows) => weightedPosterior(rows, classBalance, weights),
  });
}

/** log(alpha / ((1 - alpha) / (k - 1))): the evidence one vote adds for the class it names. */
export function voteWeights(accuracy: Float64Array, k: number): Float64Array {
  return accuracy.map((a) => {
    const c = Math.min(ACCURACY_CEILING, Math.max(ACCURACY_FLOOR, a));
    return Math.log(c) - Math.log((1 - c) / (k - 1));
  });
}

/** P(Y | votes) under the one-coin model; uncovered rows get the class balance. */
export function weightedPosterior(index: VoteIndex, classBalance: number[], weights: Float64Array): Float64Array {
  const { n, k, rowStart, lf, label } = index;
  const logPrior = classBalance.map((p) => Math.log(Math.max(p, 1e-12)));
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let c = 0; c < k; c++) out[o + c] = logPrior[c];
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) out[o + label[t]] += weights[lf[t]];
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (out[o + c] > mx) mx = out[o + c];
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(out[o + c] - mx);
      out[o + c] = e;
      s += e;
    }
    for (let c = 0; c < k; c++) out[o + c] /= s;
  }
  return out;
}

export function runAccuracyEm(index: VoteIndex, options: AccuracyEmOptions = {}): AccuracyEmFit {
  const { n, m, k, rowStart, lf, label } = index;
  const correctPrior = options.correctPrior ?? 2;
  const wrongPrior = options.wrongPrior ?? 1;
  const tolerance = options.tolerance ?? 1e-6;
  const maxIterations = options.maxIterations ?? 200;

  let posterior = options.initialPosterior ?? majorityShares(index, new Array<number>(k).fill(1 / k));
  const accuracy = new Float64Array(m).fill(0.7);
  const right = new Float64Array(m);
  const votes = new Float64Array(m);
  const mass = new Float64Array(k);
  const fixed = options.fixedClassBalance;
  const floor = options.accuracyFloor ?? 1 / k + 0.05;
  let classBalance = fixed ? [...fixed] : new Array<number>(k).fill(1 / k);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    right.fill(0);
    votes.fill(0);
    mass.fill(0);
    let covered = 0;
    for (let i = 0; i < n; i++) {
      const a = rowStart[i];
      const b = rowStart[i + 1];
      if (a === b) continue; // uncovered rows carry no information about accuracies or balance
      covered++;
      const o = i * k;
      for (let c = 0; c < k; c++) mass[c] += posterior[o + c];
      for (let t = a; t < b; t++) {
        votes[lf[t]]++;
        right[lf[t]] += posterior[o + label[t]];
      }
    }
    let change = 0;
    for (let j = 0; j < m; j++) {
      const next = Math.max(floor, (right[j] + correctPrior) / (votes[j] + correctPrior + wrongPrior));
      change = Math.max(change, Math.abs(next - accuracy[j]));
      accuracy[j] = next;
    }
    const nextBalance = fixed ? classBalance : Array.from(mass, (s) => (s + 1) / (covered + k));
    for (let c = 0; c < k; c++) change = Math.max(change, Math.abs(nextBalance[c] - classBalance[c]));
    classBalance = nextBalance;
    posterior = weightedPosterior(index, classBalance, voteWeights(accuracy, k));
    if (change < tolerance) {
      iterations++;
      break;
    }
  }
  return { classBalance, accuracy, posterior, iterations };
}
