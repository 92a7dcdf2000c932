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

/** Index rows of the screening look at a large uncompressed index (see screenCandidates). */
const SCREEN_ROWS = 4096;
/** Votes of an LF the screen needs before it prunes that LF's candidates. */
const SCREEN_MIN_VOTES = 30;

/**
 * On a large uncompressed index (1M x 100: every LF pair is a candidate at first), a look at SCREEN_ROWS evenly
 * spaced rows drops the candidate broad LFs that miss far too many of a narrow LF's sampled rows to reach 99%
 * containment: more than 10% + 2 of them (a pair with 99% containment does that with probability ~1e-7 at 30
 * sampled votes). LFs with fewer sampled votes keep every candidate; they are rare, so the exact pass is cheap
 * for them anyway.
 */
function screenCandidates(
  index: VoteIndex,
  cand: Int32Array[],
  active: Int32Array,
  misses: Float64Array[],
  together: Float64Array[],
  disagree: Float64Array[],
): void {
  const { n, m, rowStart, lf } = index;
  const stride = Math.floor(n / SCREEN_ROWS);
  const sampled = new Float64Array(m);
  const missed = cand.map((c) => new Float64Array(c.length));
  const fired = new Uint8Array(m);
  for (let i = 0; i < n; i += stride) {
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) fired[lf[t]] = 1;
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      const a = lf[t];
      sampled[a]++;
      const list = cand[a];
      const miss = missed[a];
      for (let c = 0; c < active[a]; c++) if (!fired[list[c]]) miss[c]++;
    }
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) fired[lf[t]] = 0;
  }
  for (let a = 0; a < m; a++) {
    if (sampled[a] < SCREEN_MIN_VOTES) continue;
    const keep: number[] = [];
    for (let c = 0; c < active[a]; c++) if (missed[a][c] <= 0.1 * sampled[a] + 2) keep.push(cand[a][c]);
    cand[a] = Int32Array.from(keep);
    active[a] = keep.length;
    misses[a] = new Float64Array(keep.length);
    together[a] = new Float64Array(keep.length);
    disagree[a] = new Float64Array(keep.length);
  }
}

/**
 * The (narrow, broad) pairs, each at most once, ordered by narrow then broad column. Pairs that never both vote
 * with different labels are left out: setting aside would change nothing.
 *
 * One exact pass over the index. Each LF a starts with every LF that votes on more rows as a candidate broad
 * LF, and a candidate is dropped as soon as it has missed more of a's rows than the containment allows (known
 * up front from a's vote count). Unrelated LFs miss within a few dozen of a's rows, and the pass stops once no
 * candidate is left (1M x 100 synthetic with independent LFs: after a few thousand rows).
 */
export function findOverrides(index: VoteIndex, options: OverrideOptions = {}): Override[] {
  const containment = options.containment ?? CONTAINMENT;
  const chance = options.chance ?? CHANCE;
  const { n, m, k, rows, rowStart, lf, label, weight, votesPerLf } = index;
  if (n === 0 || m < 2 || rows === 0) return [];
  const votes = new Float64Array(m);
  for (let j = 0; j < m; j++) for (let l = 0; l < k; l++) votes[j] += votesPerLf[j * k + l];
  // Candidate broad LFs of each a, with their misses, together and disagree counts (swap-removed when out).
  const cand: Int32Array[] = [];
  const active = new Int32Array(m);
  const misses: Float64Array[] = [];
  const together: Float64Array[] = [];
  const disagree: Float64Array[] = [];
  const allowed = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    const list: number[] = [];
    // Chance containment: every one of a's votes landing on b's rows if a fired independently of b.
    if (votes[a] > 0) for (let b = 0; b < m; b++) if (b !== a && votes[b] > votes[a] && votes[a] * Math.log(votes[b] / rows) < Math.log(chance)) list.push(b);
    cand.push(Int32Array.from(list));
    active[a] = list.length;
    misses.push(new Float64Array(list.length));
    together.push(new Float64Array(list.length));
    disagree.push(new Float64Array(list.length));
    allowed[a] = (1 - containment) * votes[a] + 1e-9;
  }
  if (n > 2 * SCREEN_ROWS) screenCandidates(index, cand, active, misses, together, disagree);
  let remaining = 0;
  for (let a = 0; a < m; a++) remaining += active[a];
  const labelOf = new Int16Array(m).fill(-1);
  for (let i = 0; i < n && remaining > 0; i++) {
    const a0 = rowStart[i];
    const a1 = rowStart[i + 1];
    if (a0 === a1) continue;
    const w = weight[i];
    for (let t = a0; t < a1; t++) labelOf[lf[t]] = label[t];
    for (let t = a0; t < a1; t++) {
      const a = lf[t];
      if (active[a] === 0) continue;
      const list = cand[a];
      const miss = misses[a];
      const tog = together[a];
      const dis = disagree[a];
      for (let c = 0; c < active[a]; c++) {
        const lb = labelOf[list[c]];
        if (lb === -1) {
          miss[c] += w;
          if (miss[c] > allowed[a]) {
            // Out: move the last active candidate into this slot and look at the slot again.
            const last = --active[a];
            remaining--;
            list[c] = list[last];
            miss[c] = miss[last];
            tog[c] = tog[last];
            dis[c] = dis[last];
            c--;
          }
          continue;
        }
        tog[c] += w;
        if (lb !== label[t]) dis[c] += w;
      }
    }
    for (let t = a0; t < a1; t++) labelOf[lf[t]] = -1;
  }
  const out: Override[] = [];
  for (let a = 0; a < m; a++) {
    for (let c = 0; c < active[a]; c++) {
      if (disagree[a][c] === 0) continue;
      out.push({ narrow: a, broad: cand[a][c], containment: together[a][c] / votes[a], rows: 0 });
    }
  }
  return out.sort((x, y) => x.narrow - y.narrow || x.broad - y.broad);
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
  const { m, lf, label, weight } = index;
  const broadOf: number[][] = Array.from({ length: m }, () => []);
  const pairOf = new Map<number, Override>();
  const counted = overrides.map((o) => ({ ...o, rows: 0 }));
  for (const o of counted) {
    broadOf[o.narrow].push(o.broad);
    pairOf.set(o.narrow * m + o.broad, o);
  }
  const split = splitVotes(index, (i, a0, a1, labelOf, aside) => {
    for (let t = a0; t < a1; t++) {
      for (const b of broadOf[lf[t]]) {
        if (labelOf[b] === -1 || labelOf[b] === label[t]) continue;
        // The first narrow LF (in column order) that sets b aside is credited with the row.
        if (!aside[b]) pairOf.get(lf[t] * m + b)!.rows += weight[i];
        aside[b] = 1;
      }
    }
  });
  if (!split) return { index, overrides: [], row: new Int32Array(0), lf: new Uint16Array(0), label: new Uint8Array(0) };
  return {
    ...split,
    overrides: counted.filter((o) => o.rows > 0),
  };
}

/**
 * Splits an index's votes row by row into those kept and those set aside: `mark` sets `aside[j]` for each LF j
 * whose vote on row i (index entries a0..a1) goes aside, given `labelOf[j]`, the label each LF votes on the
 * row (-1: abstains). Null when no vote was set aside.
 */
export function splitVotes(
  index: VoteIndex,
  mark: (i: number, a0: number, a1: number, labelOf: Int16Array, aside: Uint8Array) => void,
): { index: VoteIndex; row: Int32Array; lf: Uint16Array; label: Uint8Array } | null {
  const { n, m, k, rowStart, lf, label, weight } = index;
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
    mark(i, a0, a1, labelOf, aside);
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
  if (asideRow.length === 0) return null;
  const votesPerLf = new Float64Array(m * k);
  for (let i = 0; i < n; i++) for (let t = starts[i]; t < starts[i + 1]; t++) votesPerLf[keepLf[t] * k + keepLabel[t]] += weight[i];
  return {
    index: { ...index, rowStart: starts, lf: keepLf.slice(0, kept), label: keepLabel.slice(0, kept), votesPerLf },
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
  return withSetAside(model, original, aside, (index) => setAsideOverridden(index, aside.overrides).index, seed);
}

/**
 * A model fitted on an index with some votes set aside (`aside`), made whole again: its accuracies count the
 * set-aside votes (accuracyWithSetAside), and every index it scores first goes through `setAside`, the same
 * rule applied to the new rows.
 */
export function withSetAside(model: IndexedLabelModel, original: VoteIndex, aside: SetAside, setAside: (index: VoteIndex) => VoteIndex, seed: number): IndexedLabelModel {
  return makeFittedModel({
    name: model.name,
    k: original.k,
    m: original.m,
    classBalance: model.classBalance,
    accuracyWhenVoting: accuracyWithSetAside(model.accuracyWhenVoting, original, aside, model.scoreIndex(aside.index)),
    scoreRows: (index) => model.scoreIndex(setAside(index)),
    fitMs: model.fitMs,
    seed,
  });
}
