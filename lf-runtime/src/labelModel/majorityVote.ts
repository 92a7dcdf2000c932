/**
 * Majority vote: the baseline every other model must beat. P(Y | votes) is the share of votes per class;
 * ties and uncovered rows are resolved by the PredictPolicy the caller chooses, never silently.
 */
import { makeFittedModel } from './fittedModel.ts';
import { buildVoteIndex, lfVoteCount, majorityShares } from './voteIndex.ts';
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

  // One pass over the votes, with each row's vote counts in a k-array: on 1M rows, materialising n x k
  // shares and walking the votes again for the argmax costs more than the counting itself. Counts tie
  // exactly when the shares do (equal counts over the same row length), so the figures are the same.
  // Class balance: how often each class wins among covered rows, ties split evenly (no gold needed).
  // Wins are counted per (class, tie size) in whole rows and divided at the end, so the balance is the same
  // to the last bit whether rows come one by one or as weighted patterns.
  const winsByTies = new Float64Array(k * (k + 1));
  // Accuracy when voting: agreement with the row's majority label, on rows where the majority is not a tie.
  // counted starts at every vote and loses those on tied rows (weights are row counts, so this is exact).
  const agree = new Float64Array(m);
  const counted = new Float64Array(m);
  for (let j = 0; j < m; j++) counted[j] = lfVoteCount(index, j);
  const count = new Int32Array(k);
  // hit[c] = the row's weight for the majority class, 0 for the others: an addition per vote, no branch.
  const hit = new Float64Array(k);
  let covered = 0;
  for (let i = 0; i < n; i++) {
    const a = rowStart[i];
    const b = rowStart[i + 1];
    if (a === b) continue;
    const w = weight[i];
    covered += w;
    if (k === 2) {
      // Two classes: the count of 1s is a plain sum, kept in a register.
      let ones = 0;
      for (let t = a; t < b; t++) ones += label[t];
      count[0] = b - a - ones;
      count[1] = ones;
    } else {
      count.fill(0);
      for (let t = a; t < b; t++) count[label[t]]++;
    }
    let mx = 0;
    for (let c = 0; c < k; c++) if (count[c] > mx) mx = count[c];
    let ties = 0;
    let y = -1;
    for (let c = 0; c < k; c++) {
      if (count[c] !== mx) continue;
      ties++;
      y = c;
    }
    for (let c = 0; c < k; c++) if (count[c] === mx) winsByTies[c * (k + 1) + ties] += w;
    if (ties !== 1) {
      for (let t = a; t < b; t++) counted[lf[t]] -= w;
      continue;
    }
    hit[y] = w;
    for (let t = a; t < b; t++) agree[lf[t]] += hit[label[t]];
    hit[y] = 0;
  }
  const wins = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let t = 1; t <= k; t++) wins[c] += winsByTies[c * (k + 1) + t] / t;
  const classBalance = Array.from(wins, (w) => (covered > 0 ? (w + 1) / (covered + k) : 1 / k));
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
