/**
 * The one-coin model shared by the agreement model and the default: each LF has a single accuracy alpha_j
 * (P(vote = Y | votes)), wrong votes are spread evenly over the other classes, and whether an LF votes is
 * independent of the class. Fitting lives in agreementModel.ts; this module turns accuracies into vote
 * weights and posteriors.
 */
import { detectorPosterior, makeFittedModel } from './fittedModel.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import type { VoteIndex } from './voteIndex.ts';

/** Accuracies are kept inside (floor, ceiling) so a log-weight never becomes infinite. */
const ACCURACY_FLOOR = 1e-4;
const ACCURACY_CEILING = 1 - 1e-4;

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

/** P(Y | votes) under the one-coin model (weights per LF); uncovered rows get the class balance. */
export function weightedPosterior(index: VoteIndex, classBalance: number[], weights: Float64Array): Float64Array {
  const { m, k } = index;
  const perLabel = new Float64Array(m * k);
  for (let s = 0; s < m * k; s++) perLabel[s] = weights[Math.floor(s / k)];
  return detectorPosterior(index, classBalance, perLabel);
}
