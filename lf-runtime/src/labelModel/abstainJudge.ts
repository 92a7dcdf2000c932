/**
 * A second judge for the agreement check (agreementCheck.ts), for LF sets whose silences are evidence.
 *
 * The agreement model and the prior-anchored judge read only the votes cast, and learn accuracies where LFs
 * meet. When the rules for a class fire far more often on that class than elsewhere and there are many of
 * them, the rows where they meet are mostly of that class, so every such rule looks accurate there, however
 * often it fires alone on other rows; a rule firing alone while a dozen rules of its class stay silent is
 * then mostly wrong, and a rare class's rules out-vote a common class's precise ones. That, not the class
 * balance estimate, is why the default lost to majority vote on rare-positive-class (syntheticFamilies.ts):
 * the prior-anchored model, started at the true accuracies, or fitted with the true class balance held
 * fixed, drifts to the same view (covered accuracy 0.26-0.60; at the true accuracies it would be 0.82-0.86).
 * With two classes, "wrong votes spread evenly" says nothing, so it is not the cause either.
 *
 * Dawid-Skene with abstain as an observed symbol and a learned class balance reads the silences too. It is a
 * poor model of real LF sets, whose LFs abstain together for reasons other than the class (trec's rules for one
 * question word; measured on the train splits: it expects the agreement model to lose on trec and youtube,
 * where the agreement model gains), so it counts only where its own assumption holds: whether two LFs vote on
 * the same row depends on nothing but the class. That is checked on the votes, by comparing how often each
 * pair of LFs votes on the same row with what the fitted model expects (Pearson's statistic over the pairs
 * expected to meet at least MIN_EXPECTED times): a model that fits leaves about 1 per pair.
 * - As a judge it counts when the mean is at most MAX_MEAN_CHI_SQUARE over at least MIN_PAIRS pairs (`fits`).
 * - Its accuracy estimates replace the candidates' only when, in addition, every LF with MIN_VOTES votes or
 *   more is in one of those pairs (`fitsEveryLf`): an LF that rarely meets another is rated by its silences
 *   alone, which the check cannot confirm. On sms the pairs it can test fit, but 14 of its 26 LFs with ten
 *   votes or more are in none, and its estimates would be far off (mean error 0.20 against 0.03).
 * The youtube, sms and trec train splits have a mean of 8.2, 0.1 (12 pairs) and 24.2; the synthetic families
 * without copies or gates, drawn independently given the class, about 1.
 */
import { dawidSkeneModelFromFit, runDawidSkeneEm } from './dawidSkene.ts';
import type { DawidSkeneFit } from './dawidSkene.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import { pairCounts } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';

/** Pairs expected to share fewer rows than this are left out of the statistic (the usual chi-square rule). */
export const MIN_EXPECTED = 5;
/** Votes from which an LF must be in a tested pair (the agreement check's MIN_VOTES). */
export const MIN_VOTES = 10;
/** Pairs the statistic needs before a fit can count as confirmed. */
export const MIN_PAIRS = 10;
/** Mean Pearson statistic per pair up to which the model counts as fitting the co-votes. */
export const MAX_MEAN_CHI_SQUARE = 2;

export interface CoVoteFit {
  /** LF pairs expected to vote together on at least MIN_EXPECTED rows. */
  pairs: number;
  /** Mean over those pairs of (observed - expected)^2 / expected rows on which both vote. */
  meanChiSquare: number;
  /** Per LF: 1 when it is in one of those pairs (its co-votes were checked), else 0. */
  tested: Uint8Array;
  /** Per LF: how many of those pairs it is in. */
  pairsPerLf: Int32Array;
  /** LFs with at least MIN_VOTES votes that are in none of those pairs. */
  untested: number;
  /** Whether the model's assumption counts as holding: enough pairs, and the mean small enough. */
  fits: boolean;
  /** Whether it holds for every LF: it fits, and no LF with MIN_VOTES votes or more is untested. */
  fitsEveryLf: boolean;
}

export interface AbstainJudge {
  model: IndexedLabelModel;
  coVotes: CoVoteFit;
}

/** Dawid-Skene fitted on `rows` with a learned class balance, and how well it explains which LFs vote together. */
export function fitAbstainJudge(rows: VoteIndex, seed: number): AbstainJudge {
  const started = performance.now();
  const fit = runDawidSkeneEm(rows, { learnClassBalance: true });
  return { model: { ...dawidSkeneModelFromFit(rows, fit, seed, started), name: 'dawid-skene' }, coVotes: coVoteFit(rows, fit) };
}

/** Observed against expected co-votes of every LF pair under a Dawid-Skene fit (abstain as a symbol). */
export function coVoteFit(rows: VoteIndex, fit: DawidSkeneFit): CoVoteFit {
  const { m, k } = rows;
  const k1 = k + 1;
  const observed = pairCounts(rows, false);
  const voting = new Float64Array(m * k);
  for (let j = 0; j < m; j++) for (let c = 0; c < k; c++) voting[j * k + c] = 1 - fit.theta[(j * k + c) * k1 + k];
  const tested = new Uint8Array(m);
  const pairsPerLf = new Int32Array(m);
  let pairs = 0;
  let sum = 0;
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      let expected = 0;
      for (let c = 0; c < k; c++) expected += fit.classBalance[c] * voting[a * k + c] * voting[b * k + c];
      expected *= rows.rows;
      if (expected < MIN_EXPECTED) continue;
      pairs++;
      tested[a] = tested[b] = 1;
      pairsPerLf[a]++;
      pairsPerLf[b]++;
      sum += ((observed.get(a * m + b) ?? 0) - expected) ** 2 / expected;
    }
  }
  let untested = 0;
  for (let j = 0; j < m; j++) {
    let votes = 0;
    for (let l = 0; l < k; l++) votes += rows.votesPerLf[j * k + l];
    if (votes >= MIN_VOTES && !tested[j]) untested++;
  }
  const meanChiSquare = pairs > 0 ? sum / pairs : 0;
  const fits = pairs >= MIN_PAIRS && meanChiSquare <= MAX_MEAN_CHI_SQUARE;
  return { pairs, meanChiSquare, tested, pairsPerLf, untested, fits, fitsEveryLf: fits && untested === 0 };
}

/**
 * Accuracy when voting of every LF as a model sees it: the mean, over the LF's votes in `votes`, of the
 * probability `posterior` gives the label voted. `posterior` is per index row of an index with the same rows as
 * `votes` (some of whose votes the model may not have seen: exact duplicates, near-copies, overridden votes).
 */
export function expectedAccuracies(votes: VoteIndex, posterior: Float64Array): (number | null)[] {
  const { n, m, k, rowStart, lf, label, weight } = votes;
  const right = new Float64Array(m);
  const cast = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      cast[lf[t]] += weight[i];
      right[lf[t]] += weight[i] * posterior[i * k + label[t]];
    }
  }
  return Array.from(cast, (c, j) => (c > 0 ? right[j] / c : null));
}
