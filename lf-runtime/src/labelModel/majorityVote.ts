/**
 * Majority vote: the baseline every other model must beat. P(Y | votes) is the share of votes per class;
 * ties and uncovered rows are resolved by the PredictPolicy the caller chooses, never silently.
 */
import { makeFittedModel, patternArgmax } from './fittedModel.ts';
import { buildVoteIndex, majorityShares } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import type { LabelModelOptions, VoteMatrix } from './types.ts';

export function fitMajorityVote(L: VoteMatrix, k: number, options: LabelModelOptions = {}): IndexedLabelModel {
  const started = performance.now();
  const seed = options.seed ?? 0;
  const index = buildVoteIndex(L, k);
  return fitMajorityVoteOnIndex(index, seed, started);
}

export function fitMajorityVoteOnIndex(index: VoteIndex, seed: number, started = performance.now()): IndexedLabelModel {
  const { n, m, k, rowStart, lf, label, weight } = index;
  const uniform = new Array<number>(k).fill(1 / k);
  const shares = majorityShares(index, uniform);

  // Class balance: how often each class wins among covered rows, ties split evenly (no gold needed).
  // Wins are counted per (class, tie size) in whole rows and divided at the end, so the balance is the same
  // to the last bit whether rows come one by one or as weighted patterns.
  const winsByTies = new Float64Array(k * (k + 1));
  let covered = 0;
  for (let i = 0; i < n; i++) {
    if (rowStart[i] === rowStart[i + 1]) continue;
    const w = weight[i];
    covered += w;
    let mx = 0;
    for (let c = 0; c < k; c++) mx = Math.max(mx, shares[i * k + c]);
    let ties = 0;
    for (let c = 0; c < k; c++) if (shares[i * k + c] === mx) ties++;
    for (let c = 0; c < k; c++) if (shares[i * k + c] === mx) winsByTies[c * (k + 1) + ties] += w;
  }
  const wins = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let t = 1; t <= k; t++) wins[c] += winsByTies[c * (k + 1) + t] / t;
  const classBalance = Array.from(wins, (w) => (covered > 0 ? (w + 1) / (covered + k) : 1 / k));

  // Accuracy when voting: agreement with the row's majority label, on rows where the majority is not a tie.
  const provisional = patternArgmax(index, shares);
  const agree = new Float64Array(m);
  const counted = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const y = provisional[i];
    if (y < 0) continue;
    const w = weight[i];
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      counted[lf[t]] += w;
      if (label[t] === y) agree[lf[t]] += w;
    }
  }
  const accuracyWhenVoting = Array.from(counted, (c, j) => (c > 0 ? agree[j] / c : null));

  return makeFittedModel({
    name: 'majority',
    k,
    m,
    classBalance,
    accuracyWhenVoting,
    fitMs: performance.now() - started,
    seed,
    scoreRows: (rows) => majorityShares(rows, classBalance),
  });
}
