/**
 * Whether the agreement model may label rows on an LF set, without gold labels: the check behind the
 * default's choice between the agreement model and majority vote (defaultModel.ts).
 *
 * The agreement model assumes one accuracy per LF, wrong votes spread evenly over the other classes, and
 * (inside its evidence) equally likely classes. youtube, sms and trec bend those assumptions without breaking
 * them; LF sets with many skewed classes, one-label LFs that are wrong on most of their votes, or mostly lone
 * votes break them, and there its labels fall below majority vote's (syntheticFamilies.ts; a 10-class WRENCH
 * set with 26 LFs: 0.510 against 0.570 on covered test rows). Two tests, either of which sends the default
 * to majority vote, which assumes nothing about accuracies:
 *
 * 1. Errors that all land on one class. An LF that votes (almost) only one label and is wrong on most of its
 *    votes puts every wrong vote on that label: the opposite of "spread evenly". When a quarter or more of the
 *    LFs with at least MIN_VOTES votes are like that, by the median estimate of majority vote, the
 *    prior-anchored model and matrix completion (the candidates that can rate an LF below 0.5), the agreement
 *    model's weights rest on a failed assumption. trec, where it works well, has 10 such LFs of 68 (15%, true
 *    accuracies); a quarter leaves room for estimation noise above that.
 * 2. Judges. The two labellings differ only on the rows where their labels differ, so the question is which
 *    of the two labels is more likely right there. A judge's expected gain is the mean over covered rows of
 *    P_judge(agreement's label) - P_judge(majority's label); when a judge that counts expects the agreement
 *    model to get fewer rows right, majority vote labels. The sign decides: there is no threshold.
 *    - The prior-anchored model always counts: it is the agreement model without the two assumptions in
 *      question (it has one accuracy per LF and label, measured against the class prior).
 *    - Dawid-Skene with abstains as evidence (abstainJudge.ts) counts when its own assumption, that which LFs
 *      vote together depends only on the class, fits the co-votes. It sees what the vote-only models cannot:
 *      a rare class's rules that are mostly wrong where they fire alone (rare-positive-class).
 *    Both judge a view of the rows in which LFs that vote exactly like an earlier LF are left out and
 *    near-copies (nearCopies.ts) count once: one piece of evidence counted several times, which a judge
 *    assuming independent LFs would believe. Matrix completion was tried as a judge and left out: it labels
 *    trec far worse than majority vote (0.495 against 0.593), and its verdict there flips sign when three
 *    duplicate LFs are removed.
 *
 * How the tests were chosen without tuning to the figures reported, and what they still miss, is in
 * syntheticFamilies.ts and in the family tables of bench/labelModels.bench.ts.
 */
import type { IndexedLabelModel } from './fittedModel.ts';
import { priorAnchoredModelFromFit, runPriorAnchoredModel } from './priorAnchoredModel.ts';
import type { AbstainJudge, CoVoteFit } from './abstainJudge.ts';
import { duplicateColumns, setAsideCopies } from './nearCopies.ts';
import type { NearCopy } from './nearCopies.ts';
import { strideRows } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import type { FittedLabelModel } from './types.ts';

export { duplicateColumns } from './nearCopies.ts';

/**
 * Rows of a row-by-row index the check looks at: the gains are means over rows, which an evenly strided
 * sample of this many estimates to a few tenths of a percent.
 */
export const CHECK_ROWS = 50_000;

/** The rows to check on: every index row of a compressed index, an evenly strided sample of a large row-by-row one. */
export function checkRows(index: VoteIndex): VoteIndex {
  return index.rowPattern === null && index.n > CHECK_ROWS ? strideRows(index, CHECK_ROWS) : index;
}

/** Probabilities closer than this count as a tie, as in the models' own hard labels (fittedModel.ts). */
const TIE_EPS = 1e-9;
/** Share of an LF's votes on its most frequent label from which it counts as a one-label LF. */
export const ONE_LABEL_SHARE = 0.9;
/**
 * Share of the LFs with at least MIN_VOTES votes that may be one-label and estimated below 0.5 before the
 * agreement model is set aside.
 */
export const BIASED_LOW_SHARE = 0.25;
/**
 * Votes an LF needs before its estimate counts in test 1 (the evaluation's own threshold: below it even the
 * true accuracy is noise). Fitted on trec's 500 valid rows, 12 of the 13 LFs estimated below 0.5 had 1-8 votes.
 */
export const MIN_VOTES = 10;

export interface JudgeGain {
  /** The judging candidate. */
  judge: string;
  /**
   * (rows the agreement model labels right - rows majority vote labels right) / covered rows, both counted
   * under the judge's P(Y | votes).
   */
  gain: number;
}

export interface AgreementCheck {
  /** The judges that count: prior-anchored, then Dawid-Skene with abstains when its model fits. */
  gains: JudgeGain[];
  /**
   * Dawid-Skene with abstains as evidence: how well it explains which LFs vote together, and its expected
   * gain (null when the two labellings agree everywhere). It counts as a judge only when `fits`.
   */
  abstainJudge: (Omit<CoVoteFit, 'tested' | 'pairsPerLf'> & { gain: number | null }) | null;
  /** Share of covered rows on which the agreement model and majority vote give different labels. */
  disagreement: number;
  /** Covered rows the judges looked at (an evenly strided sample of a very large matrix). */
  checkedRows: number;
  /** LFs left out of the judges' fits because they vote exactly like an earlier LF on the checked rows. */
  duplicates: { lf: number; sameAs: number }[];
  /** Near-copies whose shared votes the judges counted once (nearCopies.ts). */
  nearCopies: number;
  /**
   * LFs that vote one label and are estimated right on fewer than half of their votes (test 1; see
   * biasedLowLfs for the LFs it may leave out when they cannot change the outcome).
   */
  biasedLow: number[];
  /** LFs with at least MIN_VOTES votes: the LFs test 1 counts. */
  votingLfs: number;
  /** Which tests failed; empty when the agreement model labels. */
  failed: ('biased-low' | 'judges')[];
  fallBack: boolean;
}

export interface AgreementCheckInput {
  /**
   * Rows to judge on: the index the candidates were fitted on (overrides already set aside), or an evenly
   * strided sample of a very large one (checkRows).
   */
  rows: VoteIndex;
  /** The same rows as the judges see them (judgeView). */
  view: JudgeView;
  /** Candidates fitted on `index`, before overrides were added back: their scores are on its rows. */
  agreement: IndexedLabelModel;
  majority: IndexedLabelModel;
  anchored: IndexedLabelModel;
  /** Dawid-Skene with abstains, fitted on view.rows (fitAbstainJudge); null to leave it out. */
  abstain: AbstainJudge | null;
  /**
   * Per-LF accuracy estimates (all votes counted) of majority vote and prior-anchored, and matrix completion
   * fitted on demand: it is only needed for an LF the other two place on either side of 0.5.
   */
  estimates: [FittedLabelModel, FittedLabelModel, () => FittedLabelModel | null];
  /** Votes per (LF, label) of the fitted matrix, set-aside votes included. */
  votesPerLf: Float64Array;
  seed: number;
}

/** Checked rows as the judges see them: exact duplicates left out, near-copies' shared votes set aside. */
export interface JudgeView {
  rows: VoteIndex;
  duplicates: { lf: number; sameAs: number }[];
  nearCopies: NearCopy[];
  /** Whether the view differs from the checked rows (then the prior-anchored judge is fitted on it again). */
  changed: boolean;
}

export function judgeView(rows: VoteIndex, nearCopies: NearCopy[]): JudgeView {
  const sameAs = duplicateColumns(rows);
  const duplicates: { lf: number; sameAs: number }[] = [];
  sameAs.forEach((s, j) => s >= 0 && duplicates.push({ lf: j, sameAs: s }));
  const apart = setAsideCopies(rows, nearCopies);
  const changed = duplicates.length > 0 || apart.row.length > 0;
  return { rows: duplicates.length > 0 ? withoutColumns(apart.index, sameAs) : apart.index, duplicates, nearCopies, changed };
}

export function checkAgreement(input: AgreementCheckInput): AgreementCheck {
  const { rows, view, seed } = input;
  const { m, k } = rows;
  let votingLfs = 0;
  for (let j = 0; j < m; j++) {
    let v = 0;
    for (let l = 0; l < k; l++) v += input.votesPerLf[j * k + l];
    if (v >= MIN_VOTES) votingLfs++;
  }
  const needed = BIASED_LOW_SHARE * votingLfs;
  const biasedLow = biasedLowLfs(input.votesPerLf, m, k, input.estimates, needed);
  const a = patternLabels(rows, input.agreement.scoreIndex(rows), input.agreement.classBalance);
  const mv = patternLabels(rows, input.majority.scoreIndex(rows), input.majority.classBalance);
  let covered = 0;
  let differ = 0;
  for (let i = 0; i < rows.n; i++) {
    if (rows.rowStart[i] === rows.rowStart[i + 1]) continue;
    covered += rows.weight[i];
    if (a[i] !== mv[i]) differ += rows.weight[i];
  }
  // Both judges score view.rows: the checked rows with some votes left out, in the same order.
  const gainOf = (judge: IndexedLabelModel): JudgeGain => {
    let gain = 0;
    const p = judge.scoreIndex(view.rows);
    for (let i = 0; i < rows.n; i++) if (a[i] !== mv[i]) gain += rows.weight[i] * (p[i * k + a[i]] - p[i * k + mv[i]]);
    return { judge: judge.name, gain: covered > 0 ? gain / covered : 0 };
  };
  const gains: JudgeGain[] = [];
  let abstainJudge: AgreementCheck['abstainJudge'] = null;
  if (differ === 0) gains.push({ judge: input.anchored.name, gain: 0 });
  else {
    const anchored = view.changed ? priorAnchoredModelFromFit(view.rows, runPriorAnchoredModel(view.rows), seed, performance.now()) : input.anchored;
    gains.push(gainOf(anchored));
  }
  if (input.abstain) {
    const gain = differ > 0 ? gainOf(input.abstain.model) : null;
    const { tested: _tested, pairsPerLf: _pairsPerLf, ...coVotes } = input.abstain.coVotes;
    abstainJudge = { ...coVotes, gain: gain?.gain ?? null };
    if (gain && input.abstain.coVotes.fits) gains.push(gain);
  }
  const failed: AgreementCheck['failed'] = [];
  if (votingLfs > 0 && biasedLow.length >= needed) failed.push('biased-low');
  if (gains.some((g) => g.gain < 0)) failed.push('judges');
  return {
    gains,
    abstainJudge,
    disagreement: covered > 0 ? differ / covered : 0,
    checkedRows: covered,
    duplicates: view.duplicates,
    nearCopies: view.nearCopies.length,
    biasedLow,
    votingLfs,
    failed,
    fallBack: failed.length > 0,
  };
}

/**
 * LFs with at least MIN_VOTES votes that cast at least ONE_LABEL_SHARE of them for one label and whose
 * accuracy, by the median of the three `estimates`, is below 0.5: most of their votes are wrong, and the wrong ones all name the same
 * class. Two of three estimates below 0.5 make the median below 0.5, and two at or above make it at or
 * above, so the third (matrix completion, the slowest to fit) is fitted only when the LFs the first two
 * place on either side of 0.5 could decide whether `needed` LFs are reached (where it cannot be fitted, the
 * third gives null and the median is of the first two). When they cannot, those LFs
 * are left out of the list, which then holds the LFs both first estimates place below 0.5.
 */
export function biasedLowLfs(
  votesPerLf: Float64Array,
  m: number,
  k: number,
  estimates: [FittedLabelModel, FittedLabelModel, () => FittedLabelModel | null],
  needed = 0,
): number[] {
  const [first, second, third] = estimates;
  const below: number[] = [];
  const split: number[] = [];
  for (let j = 0; j < m; j++) {
    let votes = 0;
    let top = 0;
    for (let l = 0; l < k; l++) {
      votes += votesPerLf[j * k + l];
      top = Math.max(top, votesPerLf[j * k + l]);
    }
    if (votes < MIN_VOTES || top < ONE_LABEL_SHARE * votes) continue;
    const a = first.accuracyWhenVoting[j];
    const b = second.accuracyWhenVoting[j];
    if (a !== null && b !== null && Number.isFinite(a) && Number.isFinite(b) && a < 0.5 === b < 0.5) {
      if (a < 0.5) below.push(j);
    } else split.push(j);
  }
  if (split.length === 0 || below.length >= needed || below.length + split.length < needed) return below;
  const extra = third();
  for (const j of split) {
    // Without the third (too many LFs x classes for matrix completion), the median of the first two: their mean.
    const values = [first.accuracyWhenVoting[j], second.accuracyWhenVoting[j], extra ? extra.accuracyWhenVoting[j] : null];
    const finite = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((x, y) => x - y);
    if (finite.length === 0) continue;
    const h = finite.length >> 1;
    const median = finite.length % 2 ? finite[h] : (finite[h - 1] + finite[h]) / 2;
    if (median < 0.5) below.push(j);
  }
  return below.sort((x, y) => x - y);
}

/** The same rows without the votes of every LF j with drop[j] >= 0 (the LF keeps its column, with no votes). */
export function withoutColumns(index: VoteIndex, drop: Int32Array): VoteIndex {
  const { n, m, k, rowStart, lf, label, weight } = index;
  const starts = new Int32Array(n + 1);
  const keptLf = new Uint16Array(lf.length);
  const keptLabel = new Uint8Array(label.length);
  const votesPerLf = new Float64Array(m * k);
  let t2 = 0;
  for (let i = 0; i < n; i++) {
    starts[i] = t2;
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      if (drop[lf[t]] >= 0) continue;
      keptLf[t2] = lf[t];
      keptLabel[t2] = label[t];
      votesPerLf[lf[t] * k + label[t]] += weight[i];
      t2++;
    }
  }
  starts[n] = t2;
  return { ...index, rowStart: starts, lf: keptLf.slice(0, t2), label: keptLabel.slice(0, t2), votesPerLf };
}

/**
 * The label a model gives each index row under the 'prior' policy (argmax; ties to the class its balance
 * favours), -1 for rows without votes: what hardLabels gives every matrix row of the pattern.
 */
export function patternLabels(index: VoteIndex, proba: Float64Array, classBalance: number[]): Int32Array {
  const { n, k, rowStart } = index;
  const out = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (rowStart[i] === rowStart[i + 1]) continue;
    const o = i * k;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (proba[o + c] > mx) mx = proba[o + c];
    let best = -1;
    for (let c = 0; c < k; c++) {
      if (proba[o + c] < mx - TIE_EPS) continue;
      if (best === -1 || classBalance[c] > classBalance[best]) best = c;
    }
    out[i] = best;
  }
  return out;
}
