/**
 * Gold-label evaluation of a fitted label model: what the `fit` command, the benchmark and the regression
 * tests report. Nothing here feeds back into fitting.
 */
import type { FittedLabelModel, PredictPolicy, VoteMatrix } from './types.ts';

export interface TestFigures {
  /** Fraction of rows with at least one vote. */
  coverage: number;
  /** Accuracy on covered rows (ties broken by the policy). */
  accuracyCovered: number;
  /** Accuracy on all rows under the policy; an abstained prediction counts as wrong. */
  accuracy: number;
  /** Mean F1 over the classes that occur in gold or predictions, on all rows. */
  macroF1: number;
}

export function rowIsCovered(L: VoteMatrix): Uint8Array {
  const out = new Uint8Array(L.n);
  for (let i = 0; i < L.n; i++) {
    const base = i * L.m;
    for (let j = 0; j < L.m; j++) {
      if (L.data[base + j] !== -1) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}

export function scorePredictions(pred: Int32Array, gold: number[], L: VoteMatrix, k: number): TestFigures {
  const covered = rowIsCovered(L);
  let nCovered = 0;
  let rightCovered = 0;
  let right = 0;
  const tp = new Float64Array(k);
  const fp = new Float64Array(k);
  const fn = new Float64Array(k);
  for (let i = 0; i < L.n; i++) {
    const ok = pred[i] === gold[i];
    if (covered[i]) {
      nCovered++;
      if (ok) rightCovered++;
    }
    if (ok) {
      right++;
      tp[gold[i]]++;
    } else {
      if (pred[i] >= 0) fp[pred[i]]++;
      if (gold[i] >= 0 && gold[i] < k) fn[gold[i]]++;
    }
  }
  let f1Sum = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    if (tp[c] + fp[c] + fn[c] === 0) continue;
    classes++;
    f1Sum += (2 * tp[c]) / (2 * tp[c] + fp[c] + fn[c]);
  }
  return {
    coverage: L.n > 0 ? nCovered / L.n : 0,
    accuracyCovered: nCovered > 0 ? rightCovered / nCovered : 0,
    accuracy: L.n > 0 ? right / L.n : 0,
    macroF1: classes > 0 ? f1Sum / classes : 0,
  };
}

export function evaluateOnSplit(
  model: FittedLabelModel,
  L: VoteMatrix,
  gold: number[],
  policy: PredictPolicy = 'prior',
): TestFigures {
  return scorePredictions(model.predict(L, policy), gold, L, model.k);
}

export interface TrueLfAccuracy {
  /** Fraction of an LF's votes that equal the gold label; null for an LF that never votes. */
  accuracy: (number | null)[];
  votes: number[];
}

export function trueAccuracyWhenVoting(L: VoteMatrix, gold: number[]): TrueLfAccuracy {
  const votes = new Array<number>(L.m).fill(0);
  const right = new Array<number>(L.m).fill(0);
  for (let i = 0; i < L.n; i++) {
    if (gold[i] < 0) continue; // a row without a gold label (WRENCH writes -1) says nothing of accuracy
    const base = i * L.m;
    for (let j = 0; j < L.m; j++) {
      const v = L.data[base + j];
      if (v === -1) continue;
      votes[j]++;
      if (v === gold[i]) right[j]++;
    }
  }
  return { accuracy: votes.map((v, j) => (v > 0 ? right[j] / v : null)), votes };
}

/**
 * Mean |estimated - true| accuracy when voting, over LFs with at least `minVotes` votes (fewer votes make
 * the "true" accuracy itself too noisy to score against). Null when no LF qualifies.
 */
export function accuracyEstimationError(
  estimated: (number | null)[],
  truth: TrueLfAccuracy,
  minVotes = 10,
): number | null {
  let sum = 0;
  let count = 0;
  for (let j = 0; j < estimated.length; j++) {
    const e = estimated[j];
    const t = truth.accuracy[j];
    if (e === null || t === null || truth.votes[j] < minVotes) continue;
    sum += Math.abs(e - t);
    count++;
  }
  return count > 0 ? sum / count : null;
}
