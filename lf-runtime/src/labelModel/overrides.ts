/**
 * Overrides: a narrow LF whose votes fall inside a broader LF's, and that votes differently, is an exception
 * its author wrote to the broader rule. trec: `what ... stand for` -> ABBR lies inside `what ... does` -> DESC
 * and `what` -> DESC. On the rows where the narrow LF fires, the broad LF fires because the same words matched,
 * not because of the class, so its vote there is no evidence. Counting it anyway lets a broad rule and its
 * same-label relatives out-vote the exceptions written to correct them, and then every model rates the
 * exception as wrong (trec's ABBR rule: true accuracy 1.00, estimated 0.29) and the broad rule as right.
 *
 * So before fitting, the broad LF's vote is set aside on the rows where a narrow LF inside it disagrees; the
 * models fit the rest. The set-aside votes still count towards the broad LF's accuracy: each is right with the
 * probability the fitted model gives its label on that row (see accuracyWithSetAside).
 *
 * "Inside" means at least CONTAINMENT of the narrow LF's votes fall on rows where the broad one votes, and the
 * narrow LF votes on fewer rows; containment that chance alone would produce (a broad LF covering 60% of rows
 * contains a 3-vote LF one time in five) does not count, so the narrow LF needs enough votes that
 * coverage(broad)^votes(narrow) < CHANCE. Same-label containment is left alone: a precise rule inside a broad
 * rule of the same class is ordinary agreement (trec's `how many` rules inside `how much|many`).
 */
import { makeFittedModel } from './fittedModel.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import type { VoteIndex } from './voteIndex.ts';

export interface Override {
  /** Column of the narrow LF (the exception). */
  narrow: number;
  /** Column of the broad LF whose vote is set aside where the narrow one disagrees. */
  broad: number;
  /** Share of the narrow LF's votes on rows where the broad LF votes. */
  containment: number;
  /** Matrix rows (of the fitted matrix) on which the broad vote was set aside because of this narrow LF. */
  rows: number;
}

export interface OverrideOptions {
  /** Least share of the narrow LF's votes inside the broad LF's rows. */
  containment?: number;
  /** Largest chance probability of that containment. */
  chance?: number;
}

export const CONTAINMENT = 0.99;
export const CHANCE = 0.01;

/** Index rows used to find candidate pairs; larger uncompressed indexes are verified exactly afterwards. */
const PAIR_SCAN_ROWS = 50_000;

/**
 * The (narrow, broad) pairs, each at most once, ordered by narrow then broad column. Pairs that never both vote
 * with different labels are left out: setting aside would change nothing.
 */
export function findOverrides(index: VoteIndex, options: OverrideOptions = {}): Override[] {
  const containment = options.containment ?? CONTAINMENT;
  const chance = options.chance ?? CHANCE;
  const { n, m, rows } = index;
  if (n === 0 || m < 2 || rows === 0) return [];
  const stride = Math.max(1, Math.ceil(n / PAIR_SCAN_ROWS));
  const scan = countPairs(index, stride);
  const candidates: Override[] = [];
  for (let a = 0; a < m; a++) {
    const va = scan.votes[a];
    if (va === 0) continue;
    for (let b = 0; b < m; b++) {
      if (a === b) continue;
      const vb = scan.votes[b];
      if (vb <= va || scan.disagree[a * m + b] === 0) continue;
      const inside = scan.together[a * m + b] / va;
      if (inside < containment) continue;
      // Chance containment: every one of a's votes landing on b's rows if a fired independently of b.
      if (va * Math.log(vb / scan.rows) >= Math.log(chance)) continue;
      candidates.push({ narrow: a, broad: b, containment: inside, rows: 0 });
    }
  }
  if (stride === 1 || candidates.length === 0) return candidates;
  // Scanned a strided share of a large index: recount the candidate pairs on every row.
  const exact = countPairs(index, 1, candidates);
  return candidates.filter((o) => {
    const va = exact.votes[o.narrow];
    const inside = va > 0 ? exact.together[o.narrow * m + o.broad] / va : 0;
    o.containment = inside;
    return (
      inside >= containment &&
      exact.votes[o.broad] > va &&
      va * Math.log(exact.votes[o.broad] / exact.rows) < Math.log(chance) &&
      exact.disagree[o.narrow * m + o.broad] > 0
    );
  });
}

interface PairCounts {
  rows: number;
  /** Weighted rows each LF votes on. */
  votes: Float64Array;
  /** together[a * m + b]: weighted rows both vote on. */
  together: Float64Array;
  /** disagree[a * m + b]: weighted rows both vote on with different labels. */
  disagree: Float64Array;
}

/** Co-voting counts over every stride-th index row, for all pairs or only the given ones. */
function countPairs(index: VoteIndex, stride: number, only?: Override[]): PairCounts {
  const { n, m, rowStart, lf, label, weight } = index;
  const votes = new Float64Array(m);
  const together = new Float64Array(m * m);
  const disagree = new Float64Array(m * m);
  const labelOf = new Int16Array(m).fill(-1);
  let byNarrow: number[][] | null = null;
  if (only) {
    byNarrow = Array.from({ length: m }, () => []);
    for (const o of only) byNarrow[o.narrow].push(o.broad);
  }
  let rows = 0;
  for (let i = 0; i < n; i += stride) {
    const w = weight[i];
    rows += w;
    const a0 = rowStart[i];
    const a1 = rowStart[i + 1];
    for (let t = a0; t < a1; t++) {
      votes[lf[t]] += w;
      labelOf[lf[t]] = label[t];
    }
    for (let t = a0; t < a1; t++) {
      const a = lf[t];
      const la = label[t];
      if (byNarrow) {
        for (const b of byNarrow[a]) {
          if (labelOf[b] === -1) continue;
          together[a * m + b] += w;
          if (labelOf[b] !== la) disagree[a * m + b] += w;
        }
      } else {
        for (let u = a0; u < a1; u++) {
          if (u === t) continue;
          together[a * m + lf[u]] += w;
          if (label[u] !== la) disagree[a * m + lf[u]] += w;
        }
      }
    }
    for (let t = a0; t < a1; t++) labelOf[lf[t]] = -1;
  }
  return { rows, votes, together, disagree };
}

/** An index with the overridden votes removed, and those votes kept aside for the accuracy accounting. */
export interface SetAside {
  index: VoteIndex;
  /** The overrides with their `rows` counted; [] when nothing was set aside (then `index` is the input). */
  overrides: Override[];
  /** Set-aside votes: index row, LF and label of each, in index-row order. */
  row: Int32Array;
  lf: Uint16Array;
  label: Uint8Array;
}

/**
 * Removes, on each index row, the vote of every broad LF for which a narrow LF of `overrides` votes a different
 * label on that row. Works on distinct vote patterns as well as on single rows, because whether a vote is set
 * aside depends only on the row's votes; the same function applies the fitted overrides to new matrices.
 */
export function setAsideOverridden(index: VoteIndex, overrides: Override[]): SetAside {
  if (overrides.length === 0) return { index, overrides: [], row: new Int32Array(0), lf: new Uint16Array(0), label: new Uint8Array(0) };
  const { n, m, k, rowStart, lf, label, weight } = index;
  const broadOf: number[][] = Array.from({ length: m }, () => []);
  const pairOf = new Map<number, Override>();
  const counted = overrides.map((o) => ({ ...o, rows: 0 }));
  for (const o of counted) {
    broadOf[o.narrow].push(o.broad);
    pairOf.set(o.narrow * m + o.broad, o);
  }
  const labelOf = new Int16Array(m).fill(-1);
  const aside = new Uint8Array(m);
  const keepLf = new Uint16Array(lf.length);
  const keepLabel = new Uint8Array(lf.length);
  const starts = new Int32Array(n + 1);
  const asideRow: number[] = [];
  const asideLf: number[] = [];
  const asideLabel: number[] = [];
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const a0 = rowStart[i];
    const a1 = rowStart[i + 1];
    starts[i] = kept;
    for (let t = a0; t < a1; t++) labelOf[lf[t]] = label[t];
    for (let t = a0; t < a1; t++) {
      for (const b of broadOf[lf[t]]) {
        if (labelOf[b] === -1 || labelOf[b] === label[t]) continue;
        // The first narrow LF (in column order) that sets b aside is credited with the row.
        if (!aside[b]) pairOf.get(lf[t] * m + b)!.rows += weight[i];
        aside[b] = 1;
      }
    }
    for (let t = a0; t < a1; t++) {
      const j = lf[t];
      if (aside[j]) {
        asideRow.push(i);
        asideLf.push(j);
        asideLabel.push(label[t]);
      } else {
        keepLf[kept] = j;
        keepLabel[kept] = label[t];
        kept++;
      }
    }
    for (let t = a0; t < a1; t++) {
      labelOf[lf[t]] = -1;
      aside[lf[t]] = 0;
    }
  }
  starts[n] = kept;
  if (asideRow.length === 0) return { index, overrides: [], row: new Int32Array(0), lf: new Uint16Array(0), label: new Uint8Array(0) };
  const votesPerLf = new Float64Array(m * k);
  for (let i = 0; i < n; i++) for (let t = starts[i]; t < starts[i + 1]; t++) votesPerLf[keepLf[t] * k + keepLabel[t]] += weight[i];
  return {
    index: {
      ...index,
      rowStart: starts,
      lf: keepLf.slice(0, kept),
      label: keepLabel.slice(0, kept),
      votesPerLf,
    },
    overrides: counted.filter((o) => o.rows > 0),
    row: Int32Array.from(asideRow),
    lf: Uint16Array.from(asideLf),
    label: Uint8Array.from(asideLabel),
  };
}

/**
 * Accuracy when voting over all of an LF's votes: `fitted` is a model's estimate from the votes it was fitted
 * on (the kept ones), and each set-aside vote is right with the probability `posterior` (n x k, per index row
 * of the set-aside index) gives its label.
 */
export function accuracyWithSetAside(
  fitted: (number | null)[],
  original: VoteIndex,
  aside: SetAside,
  posterior: Float64Array,
): (number | null)[] {
  const { m, k } = original;
  if (aside.row.length === 0) return fitted;
  const asideVotes = new Float64Array(m);
  const asideRight = new Float64Array(m);
  for (let s = 0; s < aside.row.length; s++) {
    const w = original.weight[aside.row[s]];
    asideVotes[aside.lf[s]] += w;
    asideRight[aside.lf[s]] += w * posterior[aside.row[s] * k + aside.label[s]];
  }
  return fitted.map((e, j) => {
    if (asideVotes[j] === 0) return e;
    let total = 0;
    for (let l = 0; l < k; l++) total += original.votesPerLf[j * k + l];
    const kept = total - asideVotes[j];
    if (e === null || kept <= 0) return asideRight[j] / asideVotes[j];
    return (e * kept + asideRight[j]) / total;
  });
}

/**
 * A model fitted on the set-aside index, made whole again: its accuracies count the set-aside votes (see
 * accuracyWithSetAside), and every matrix it scores has the same overrides applied first, so predictions on new
 * rows (the dev set, test rows, the next edit's sample) treat the exceptions as the fit did.
 */
export function withOverrides(model: IndexedLabelModel, original: VoteIndex, aside: SetAside, seed: number): IndexedLabelModel {
  if (aside.overrides.length === 0) return model;
  return makeFittedModel({
    name: model.name,
    k: original.k,
    m: original.m,
    classBalance: model.classBalance,
    accuracyWhenVoting: accuracyWithSetAside(model.accuracyWhenVoting, original, aside, model.scoreIndex(aside.index)),
    scoreRows: (index) => model.scoreIndex(setAsideOverridden(index, aside.overrides).index),
    fitMs: model.fitMs,
    seed,
  });
}
