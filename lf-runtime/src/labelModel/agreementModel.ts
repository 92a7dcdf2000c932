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
import { buildVoteIndex, expandRows, lfVoteCount } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import type { LabelModelOptions, VoteMatrix } from './types.ts';

export interface AgreementOptions extends LabelModelOptions {
  /** Pseudo-rows of shrinkage towards the mean accuracy, for LFs with few shared rows. */
  shrinkage?: number;
  tolerance?: number;
  /** Accuracy every LF starts from. */
  initialAccuracy?: number;
  /**
   * Per-LF starting accuracies (overrides initialAccuracy), e.g. a fit on a sample of the rows: EM then
   * needs fewer passes over all of them to reach the same fixed point.
   */
  initialAccuracies?: Float64Array;
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
  /**
   * P(Y | votes) of every covered row of the index fitted on, under the final accuracies (uncovered rows 0):
   * the class balance needs them anyway, and keeping them saves the model a pass when it scores that index.
   */
  posterior: { index: VoteIndex; values: Float64Array };
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
    const proba = rows === fit.posterior.index ? fit.posterior.values.slice() : weightedPosterior(rows, uniform, weights);
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
  if (options.initialAccuracies) accuracy.set(options.initialAccuracies);
  const floor = options.accuracyFloor ?? 1 / k + 0.05;
  const includeOwnVote = options.includeOwnVote ?? true;
  const support = new Float64Array(m);
  // Rows each LF shares with another: all its votes but the lone ones. The same in every iteration, and
  // (weights being row counts) exact in any order of summation.
  const shared = new Float64Array(m);
  for (let j = 0; j < m; j++) shared[j] = lfVoteCount(index, j);
  for (let i = 0; i < n; i++) {
    const a = rowStart[i];
    if (rowStart[i + 1] - a === 1) shared[lf[a]] -= weight[i];
  }
  const total = new Float64Array(k);
  const posterior = new Float64Array(k);
  // ownVoteExact[j] = 1 where adding LF j's own vote back to the leave-one-out posterior gives the full
  // posterior exactly (see below), 0 where its weight was clamped and the long formula is needed.
  const ownVoteExact = new Uint8Array(m);
  const signedW = new Float64Array(2 * m);
  let iterations = 0;
  const expScore = new Float64Array(k);
  for (; iterations < maxIterations; iterations++) {
    const w = voteWeights(accuracy, k);
    const expMinusW = w.map((x) => Math.exp(-x));
    let allExact = true;
    for (let j = 0; j < m; j++) {
      // The leave-one-out posterior q of the LF's label, with its own vote added back at odds
      // alpha (k - 1) / (1 - alpha), is the full posterior whenever exp(w) equals those odds, i.e. unless
      // voteWeights clamped alpha. That saves two divisions per vote.
      const al = accuracy[j];
      const odds = (al * (k - 1)) / (1 - al);
      ownVoteExact[j] = includeOwnVote && Math.abs(expMinusW[j] * odds - 1) < 1e-12 ? 1 : 0;
      if (ownVoteExact[j] === 0) allExact = false;
      signedW[2 * j] = w[j];
      signedW[2 * j + 1] = -w[j];
    }
    support.fill(0);
    for (let i = 0; i < n; i++) {
      const a = rowStart[i];
      const b = rowStart[i + 1];
      if (b - a < 2) continue;
      const rowWeight = weight[i];
      let z = 0;
      if (k === 2) {
        // Two classes: one log-odds sum (w for class 0, -w for class 1) kept in a register instead of
        // per-class sums in memory; about twice as fast over 1M rows. Same softmax, shifted by the larger.
        let logOdds = 0;
        for (let t = a; t < b; t++) logOdds += signedW[2 * lf[t] + label[t]];
        const e = Math.exp(-Math.abs(logOdds));
        expScore[0] = logOdds >= 0 ? 1 : e;
        expScore[1] = logOdds >= 0 ? e : 1;
        z = 1 + e;
      } else {
        total.fill(0);
        for (let t = a; t < b; t++) total[label[t]] += w[lf[t]];
        let mx = -Infinity;
        for (let c = 0; c < k; c++) if (total[c] > mx) mx = total[c];
        for (let c = 0; c < k; c++) {
          expScore[c] = Math.exp(total[c] - mx);
          z += expScore[c];
        }
      }
      for (let c = 0; c < k; c++) posterior[c] = (rowWeight * expScore[c]) / z;
      if (allExact) {
        for (let t = a; t < b; t++) support[lf[t]] += posterior[label[t]];
        continue;
      }
      for (let t = a; t < b; t++) {
        const j = lf[t];
        if (ownVoteExact[j] === 1) {
          support[j] += posterior[label[t]];
          continue;
        }
        // Evidence from the other LFs only: removing LF t's weight scales its class's term by exp(-w), so
        // the leave-one-out posterior needs no further exponentials.
        const own = expScore[label[t]] * expMinusW[j];
        const q = own / (z - expScore[label[t]] + own);
        if (includeOwnVote) {
          // Posterior with the LF's own vote added back: uninformative partners (q = 1/k) leave alpha
          // unchanged instead of dragging it towards 1/k, which the pure leave-one-out average does.
          const al = accuracy[j];
          support[j] += (rowWeight * q * al) / (q * al + ((1 - q) * (1 - al)) / (k - 1));
        } else support[j] += rowWeight * q;
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
  const values = posteriorOfCovered(index, accuracy);
  return { accuracy, classBalance: balanceOf(index, values), sharedRows: shared, iterations, posterior: { index, values } };
}

/** P(Y | votes) of the covered rows under the fitted weights (uniform prior inside); uncovered rows stay 0. */
function posteriorOfCovered(index: VoteIndex, accuracy: Float64Array): Float64Array {
  const { n, k, rowStart, lf, label } = index;
  const w = voteWeights(accuracy, k);
  const signedW = new Float64Array(2 * w.length);
  for (let j = 0; j < w.length; j++) {
    signedW[2 * j] = w[j];
    signedW[2 * j + 1] = -w[j];
  }
  const out = new Float64Array(n * k);
  const score = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const a = rowStart[i];
    const b = rowStart[i + 1];
    if (a === b) continue;
    const o = i * k;
    if (k === 2) {
      // As in the EM loop: one log-odds sum for two classes.
      let logOdds = 0;
      for (let t = a; t < b; t++) logOdds += signedW[2 * lf[t] + label[t]];
      const e = Math.exp(-Math.abs(logOdds));
      out[o] = (logOdds >= 0 ? 1 : e) / (1 + e);
      out[o + 1] = (logOdds >= 0 ? e : 1) / (1 + e);
      continue;
    }
    score.fill(0);
    for (let t = a; t < b; t++) score[label[t]] += w[lf[t]];
    let mx = -Infinity;
    for (let c = 0; c < k; c++) mx = Math.max(mx, score[c]);
    let s = 0;
    for (let c = 0; c < k; c++) {
      score[c] = Math.exp(score[c] - mx);
      s += score[c];
    }
    for (let c = 0; c < k; c++) out[o + c] = score[c] / s;
  }
  return out;
}

/** Class balance = mean posterior over covered rows, smoothed by one pseudo-row per class. */
function balanceOf(index: VoteIndex, posterior: Float64Array): number[] {
  const { n, k, rowStart, weight } = index;
  const mass = new Float64Array(k);
  let covered = 0;
  for (let i = 0; i < n; i++) {
    if (rowStart[i] === rowStart[i + 1]) continue;
    covered += weight[i];
    for (let c = 0; c < k; c++) mass[c] += weight[i] * posterior[i * k + c];
  }
  return Array.from(mass, (x) => (x + 1) / (covered + k));
}
