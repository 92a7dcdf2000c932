/**
 * Agreement model: a one-coin model (one accuracy per LF, wrong votes spread evenly) fitted by EM on the
 * rows where LFs meet, with a uniform class prior inside the evidence; LFs that share few rows are shrunk
 * towards the mean accuracy, and no LF may fall below 1/k + 0.05 (LFs beat random, which fixes what each
 * label means).
 *
 * Why not plain EM over all rows: when most LFs vote for one class only, "every row is the majority class"
 * explains the votes perfectly and EM with a learned class prior slides into it (measured: sms and youtube
 * collapse to one class). With a uniform prior a lone vote of LF b gives P(Y = its label) = alpha_b exactly,
 * so lone rows carry no information and the weights stay calibrated to "accuracy when voting", the figure
 * users see. On synthetic data from the one-coin model it recovers accuracies to ~0.007.
 */
import { accuracyModelFromParameters, voteWeights, weightedPosterior } from './oneCoinModel.ts';
import { hardLabels } from './fittedModel.ts';
import { buildVoteIndex, expandRows } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import type { LabelModelOptions, VoteMatrix } from './types.ts';

export interface AgreementOptions extends LabelModelOptions {
  /** Pseudo-rows of shrinkage towards the mean accuracy, for LFs with few shared rows. */
  shrinkage?: number;
  tolerance?: number;
  /** Accuracy every LF starts from. */
  initialAccuracy?: number;
  /** Lowest accuracy an LF may take; LFs are assumed to beat random (1/k), which fixes the label meaning. */
  accuracyFloor?: number;
  /**
   * true (default): the M-step uses the posterior with the LF's own vote; false: the pure leave-one-out
   * average, which drags every LF whose partners are weak towards 1/k (measured worse on all fixtures).
   */
  includeOwnVote?: boolean;
}

export interface AgreementFit {
  accuracy: Float64Array;
  classBalance: number[];
  /** Rows each LF shares with at least one other LF (its evidence). */
  sharedRows: Float64Array;
  iterations: number;
}

export function fitAgreementModel(L: VoteMatrix, k: number, options: AgreementOptions = {}): IndexedLabelModel {
  const started = performance.now();
  const index = buildVoteIndex(L, k);
  const fit = runAgreementModel(index, options);
  return agreementModelFromFit(index, fit, options.seed ?? 0, started);
}

/**
 * The accuracies are calibrated under a uniform class prior (a lone vote of LF j gives P(Y = its label) =
 * alpha_j), so predictions use a uniform prior too; the estimated balance is reported and breaks ties.
 */
export function agreementModelFromFit(index: VoteIndex, fit: AgreementFit, seed: number, started: number): IndexedLabelModel {
  const uniform = new Array<number>(index.k).fill(1 / index.k);
  const model = accuracyModelFromParameters('agreement', index, uniform, fit.accuracy, seed, started);
  const weights = voteWeights(fit.accuracy, index.k);
  const score = (rows: VoteIndex): Float64Array => {
    const proba = weightedPosterior(rows, uniform, weights);
    // Rows without votes carry no evidence: they get the estimated balance, like every other model.
    for (let i = 0; i < rows.n; i++) {
      if (rows.rowStart[i] !== rows.rowStart[i + 1]) continue;
      for (let c = 0; c < rows.k; c++) proba[i * rows.k + c] = fit.classBalance[c];
    }
    return proba;
  };
  const indexOf = (L: VoteMatrix): VoteIndex => {
    if (L.m !== index.m) model.predict(L); // raises the "refit" error
    return buildVoteIndex(L, index.k);
  };
  return {
    ...model,
    classBalance: fit.classBalance,
    scoreIndex: score,
    predictProba: (L) => {
      const rows = indexOf(L);
      return expandRows(rows, score(rows), index.k);
    },
    predict: (L, policy = 'prior') => {
      const rows = indexOf(L);
      return hardLabels(rows, score(rows), fit.classBalance, policy, seed);
    },
  };
}

export function runAgreementModel(index: VoteIndex, options: AgreementOptions = {}): AgreementFit {
  const { n, m, k, rowStart, lf, label, weight } = index;
  const shrinkage = options.shrinkage ?? 20;
  const tolerance = options.tolerance ?? 1e-5;
  const maxIterations = options.maxIterations ?? 100;
  const accuracy = new Float64Array(m).fill(options.initialAccuracy ?? 0.7);
  const floor = options.accuracyFloor ?? 1 / k + 0.05;
  const includeOwnVote = options.includeOwnVote ?? true;
  const support = new Float64Array(m);
  const shared = new Float64Array(m);
  const total = new Float64Array(k);
  let iterations = 0;
  const expScore = new Float64Array(k);
  for (; iterations < maxIterations; iterations++) {
    const w = voteWeights(accuracy, k);
    const expMinusW = w.map((x) => Math.exp(-x));
    support.fill(0);
    shared.fill(0);
    for (let i = 0; i < n; i++) {
      const a = rowStart[i];
      const b = rowStart[i + 1];
      if (b - a < 2) continue;
      const rowWeight = weight[i];
      total.fill(0);
      for (let t = a; t < b; t++) total[label[t]] += w[lf[t]];
      let mx = -Infinity;
      for (let c = 0; c < k; c++) if (total[c] > mx) mx = total[c];
      let z = 0;
      for (let c = 0; c < k; c++) {
        expScore[c] = Math.exp(total[c] - mx);
        z += expScore[c];
      }
      // Evidence from the other LFs only: removing LF t's weight scales its class's term by exp(-w), so
      // the leave-one-out posterior needs no further exponentials.
      for (let t = a; t < b; t++) {
        const own = expScore[label[t]] * expMinusW[lf[t]];
        const q = own / (z - expScore[label[t]] + own);
        if (includeOwnVote) {
          // Posterior with the LF's own vote added back: uninformative partners (q = 1/k) leave alpha
          // unchanged instead of dragging it towards 1/k, which the pure leave-one-out average does.
          const al = accuracy[lf[t]];
          support[lf[t]] += (rowWeight * q * al) / (q * al + ((1 - q) * (1 - al)) / (k - 1));
        } else support[lf[t]] += rowWeight * q;
        shared[lf[t]] += rowWeight;
      }
    }
    // Empirical-Bayes shrinkage target: the evidence-weighted mean accuracy of all LFs.
    let sSum = 0;
    let nSum = 0;
    for (let j = 0; j < m; j++) {
      sSum += support[j];
      nSum += shared[j];
    }
    const mean = nSum > 0 ? sSum / nSum : (options.initialAccuracy ?? 0.7);
    let change = 0;
    for (let j = 0; j < m; j++) {
      const next = Math.max(floor, (support[j] + shrinkage * mean) / (shared[j] + shrinkage));
      change = Math.max(change, Math.abs(next - accuracy[j]));
      accuracy[j] = next;
    }
    if (change < tolerance) {
      iterations++;
      break;
    }
  }
  return { accuracy, classBalance: balanceFromPosterior(index, accuracy), sharedRows: shared, iterations };
}

/** Class balance = mean posterior over covered rows under the fitted weights (uniform prior inside). */
function balanceFromPosterior(index: VoteIndex, accuracy: Float64Array): number[] {
  const { n, k, rowStart, lf, label, weight } = index;
  const w = voteWeights(accuracy, k);
  const mass = new Float64Array(k);
  const score = new Float64Array(k);
  let covered = 0;
  for (let i = 0; i < n; i++) {
    const a = rowStart[i];
    const b = rowStart[i + 1];
    if (a === b) continue;
    covered += weight[i];
    score.fill(0);
    for (let t = a; t < b; t++) score[label[t]] += w[lf[t]];
    let mx = -Infinity;
    for (let c = 0; c < k; c++) mx = Math.max(mx, score[c]);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(score[c] - mx);
    for (let c = 0; c < k; c++) mass[c] += (weight[i] * Math.exp(score[c] - mx)) / s;
  }
  return Array.from(mass, (x) => (x + 1) / (covered + k));
}
