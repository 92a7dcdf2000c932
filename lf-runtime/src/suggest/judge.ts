/**
 * How good a set of LFs is, as the label model fitted on it answers:
 * - the project's default label model (labelModel/defaultModel.ts) is fitted on the unlabeled rows' votes,
 *   without gold labels (the labeled rows chose the LFs, so calibrating the same LFs with them would trust
 *   counts that mining made optimistic), and answers every row ('prior': a row without votes gets the class
 *   its class balance favours, as `lf-studio label --uncovered predict` gives);
 * - its accuracy on the labeled rows is counted, leaving out votes an LF owes to the row itself
 *   (leaveOneOutVotes);
 * - its answers on the unlabeled rows are judged by a second, simpler reading of the same votes: which LFs
 *   fire on a row, as a Bernoulli naive Bayes whose rates come from the labeled rows (P(LF fires | class),
 *   Laplace-smoothed). That judge knows what the label model cannot see, e.g. that rows no LF fires on are
 *   mostly of one class, so a set whose label model answers the wrong class on them (its class balance misled
 *   by LFs of one class) scores low, however many rows its LFs cover.
 * The score is the mean of the two accuracies.
 */
import { fitDefault } from '../labelModel/defaultModel.ts';
import type { FittedLabelModel, VoteMatrix } from '../labelModel/types.ts';
import type { Corpus } from './corpus.ts';
import type { MinedLf } from './mining.ts';

export interface SetScore {
  model: FittedLabelModel | null;
  /** Label-model posteriors on the labeled rows (nLabeled x k). */
  labeledProba: Float64Array;
  labeledAccuracy: number;
  /** Mean over unlabeled rows of the judge's probability that the label model's answer is right. */
  judgedAccuracy: number;
  /** Unlabeled rows some LF votes on. */
  coveredCount: number;
  objective: number;
}

/** Pseudo-count of the judge's firing rates. */
const JUDGE_SMOOTHING = 1;

function voteMatrices(corpus: Corpus, lfs: readonly MinedLf[]): { labeled: VoteMatrix; unlabeled: VoteMatrix } {
  const { nLabeled } = corpus;
  const nUnlabeled = corpus.n - nLabeled;
  const m = lfs.length;
  const labeled: VoteMatrix = { n: nLabeled, m, data: new Int8Array(nLabeled * m).fill(-1) };
  const unlabeled: VoteMatrix = { n: nUnlabeled, m, data: new Int8Array(nUnlabeled * m).fill(-1) };
  lfs.forEach(({ hits, spec }, j) => {
    for (const i of hits) {
      if (i < nLabeled) labeled.data[i * m + j] = spec.label;
      else unlabeled.data[(i - nLabeled) * m + j] = spec.label;
    }
  });
  return { labeled, unlabeled };
}

/** The class the labeled rows have most of (the lowest id on a tie). */
function majorityClass(corpus: Corpus): number {
  const counts = new Array<number>(corpus.k).fill(0);
  for (const g of corpus.gold) counts[g]++;
  return counts.indexOf(Math.max(...counts));
}

/** An LF of the set; `fragile` when it would not pass the pruning without one of the labeled rows it gets right. */
export interface SetMember {
  lf: MinedLf;
  fragile?: boolean;
}

/**
 * Labeled votes as they would be had each row been left out of the mining: a fragile LF's votes on the rows it
 * gets right are dropped (without that row it would not exist). So an LF that only explains its own few
 * rows earns no labeled accuracy, the leave-one-out reading of a count that mining made optimistic.
 */
function leaveOneOutVotes(corpus: Corpus, members: readonly SetMember[], labeled: VoteMatrix): VoteMatrix {
  const data = labeled.data.slice();
  members.forEach(({ lf, fragile }, j) => {
    if (!fragile) return;
    for (const i of lf.hits) {
      if (i >= corpus.nLabeled) break;
      if (corpus.gold[i] === lf.spec.label) data[i * labeled.m + j] = -1;
    }
  });
  return { ...labeled, data };
}

export function scoreSet(corpus: Corpus, members: readonly SetMember[], seed: number): SetScore {
  const lfs = members.map((m) => m.lf);
  const { k, nLabeled } = corpus;
  const nUnlabeled = corpus.n - nLabeled;
  let model: FittedLabelModel | null = null;
  let labeledPred: Int32Array;
  let unlabeledPred: Int32Array;
  let labeledProba: Float64Array;
  if (lfs.length === 0) {
    // No LFs: every row gets the labeled rows' most frequent class.
    const c = majorityClass(corpus);
    labeledPred = new Int32Array(nLabeled).fill(c);
    unlabeledPred = new Int32Array(nUnlabeled).fill(c);
    labeledProba = new Float64Array(nLabeled * k);
    for (let i = 0; i < nLabeled; i++) labeledProba[i * k + c] = 1;
  } else {
    const L = voteMatrices(corpus, lfs);
    model = fitDefault(L.unlabeled, k, { seed }).model;
    labeledPred = model.predict(leaveOneOutVotes(corpus, members, L.labeled), 'prior');
    unlabeledPred = model.predict(L.unlabeled, 'prior');
    labeledProba = model.predictProba(L.labeled);
  }
  let right = 0;
  for (let i = 0; i < nLabeled; i++) if (labeledPred[i] === corpus.gold[i]) right++;
  const labeledAccuracy = nLabeled > 0 ? right / nLabeled : 0;
  const { judged, covered } = judge(corpus, lfs, unlabeledPred);
  return { model, labeledProba, labeledAccuracy, judgedAccuracy: judged, coveredCount: covered, objective: (labeledAccuracy + judged) / 2 };
}

/** The judge's mean probability that `predicted` (one class per unlabeled row) is right, and the rows covered. */
export function judge(corpus: Corpus, lfs: readonly MinedLf[], predicted: Int32Array): { judged: number; covered: number } {
  const { k, nLabeled } = corpus;
  const nUnlabeled = corpus.n - nLabeled;
  if (nUnlabeled === 0) return { judged: 0, covered: 0 };
  const classCount = new Float64Array(k);
  for (const g of corpus.gold) classCount[g]++;
  // Log-odds each LF adds when it fires, and the log-probability of every LF staying silent.
  const base = new Float64Array(k);
  for (let c = 0; c < k; c++) base[c] = Math.log((classCount[c] + JUDGE_SMOOTHING) / (nLabeled + k * JUDGE_SMOOTHING));
  const fireBonus: Float64Array[] = lfs.map((lf) => {
    const fires = new Float64Array(k);
    for (const i of lf.hits) {
      if (i >= nLabeled) break;
      fires[corpus.gold[i]]++;
    }
    const bonus = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const rate = (fires[c] + JUDGE_SMOOTHING) / (classCount[c] + 2 * JUDGE_SMOOTHING);
      base[c] += Math.log(1 - rate);
      bonus[c] = Math.log(rate) - Math.log(1 - rate);
    }
    return bonus;
  });
  const score = new Float64Array(nUnlabeled * k);
  for (let r = 0; r < nUnlabeled; r++) score.set(base, r * k);
  const covered = new Uint8Array(nUnlabeled);
  lfs.forEach((lf, j) => {
    for (const i of lf.hits) {
      if (i < nLabeled) continue;
      const r = i - nLabeled;
      covered[r] = 1;
      for (let c = 0; c < k; c++) score[r * k + c] += fireBonus[j][c];
    }
  });
  let total = 0;
  let coveredCount = 0;
  for (let r = 0; r < nUnlabeled; r++) {
    coveredCount += covered[r];
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, score[r * k + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(score[r * k + c] - max);
    const y = predicted[r];
    total += y >= 0 ? Math.exp(score[r * k + y] - max) / sum : 0;
  }
  return { judged: total / nUnlabeled, covered: coveredCount };
}
