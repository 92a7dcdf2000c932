/**
 * Leave-one-out agreement model: an LF's accuracy is how often the other LFs, weighted by their own
 * accuracies, back its vote on the rows they share; LFs that share few rows are shrunk towards the mean.
 *
 * Why not plain EM: when most LFs vote for one class only, "every row is the majority class" explains the
 * votes perfectly and EM slides into it (measured: sms and youtube collapse to one class). Leaving the LF
 * out of its own evidence, and using no class prior inside that evidence, removes the self-reinforcement.
 * With a uniform prior a lone vote of LF b gives P(Y = its label) = alpha_b exactly, so the weights stay
 * calibrated to "accuracy when voting", the figure users see.
 */
import { accuracyModelFromParameters, voteWeights } from './accuracyEm.ts';
import { buildVoteIndex } from './voteIndex.ts';
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
  return accuracyModelFromParameters('agreement', index, fit.classBalance, fit.accuracy, options.seed ?? 0, started);
}

export function runAgreementModel(index: VoteIndex, options: AgreementOptions = {}): AgreementFit {
  const { n, m, k, rowStart, lf, label } = index;
  const shrinkage = options.shrinkage ?? 5;
  const tolerance = options.tolerance ?? 1e-5;
  const maxIterations = options.maxIterations ?? 100;
  const accuracy = new Float64Array(m).fill(options.initialAccuracy ?? 0.7);
  const floor = options.accuracyFloor ?? 1 / k + 0.05;
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
        support[lf[t]] += own / (z - expScore[label[t]] + own);
        shared[lf[t]]++;
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
  const { n, k, rowStart, lf, label } = index;
  const w = voteWeights(accuracy, k);
  const mass = new Float64Array(k);
  const score = new Float64Array(k);
  let covered = 0;
  for (let i = 0; i < n; i++) {
    const a = rowStart[i];
    const b = rowStart[i + 1];
    if (a === b) continue;
    covered++;
    score.fill(0);
    for (let t = a; t < b; t++) score[label[t]] += w[lf[t]];
    let mx = -Infinity;
    for (let c = 0; c < k; c++) mx = Math.max(mx, score[c]);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(score[c] - mx);
    for (let c = 0; c < k; c++) mass[c] += Math.exp(score[c] - mx) / s;
  }
  return Array.from(mass, (x) => (x + 1) / (covered + k));
}
