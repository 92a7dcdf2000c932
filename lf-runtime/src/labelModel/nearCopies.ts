/**
 * Near-copies: LFs that cast the same votes (same row, same label) as another LF on nearly all of their votes,
 * both ways round: keyword variants ("subscribe", "subscribe to"), an LF pasted twice with a small edit. Every
 * candidate assumes LFs err independently given the class, so a group of near-copies is one piece of evidence
 * counted once per copy: it agrees with itself, is rated as accurate, and out-votes the LFs it meets (the
 * near-copies family in syntheticFamilies.ts: every candidate's accuracy estimates off by 0.15-0.38).
 *
 * So, as an exception's broad vote is (overrides.ts), a copy's vote is set aside on every row where a member of
 * its group ranked above it (more votes; then the lower column) votes the same label there: the group's shared
 * votes count once, and each copy keeps the votes it casts on its own. The default uses this view for its LF
 * accuracy estimates and its agreement check's judges, not for its labels, which keep the closed forms an
 * exported job reproduces (export/modelParams.ts). A set-aside vote still counts towards its LF's accuracy: it
 * is right with the probability the fitted model gives its label on that row (accuracyWithSetAside).
 *
 * "Near-copy" needs no threshold tuned to data: at least NEAR_COPY_SHARE (nine in ten) of each LF's votes are
 * votes the other casts too. Two LFs that are not copies reach that only if both vote on nearly the same rows
 * with the same labels, and then setting one aside loses little. LFs with fewer than MIN_COPY_VOTES votes are
 * left alone, as in the agreement check, and so are exact duplicates (duplicateColumns), which the agreement
 * check already leaves out of its judges: counting trec's three exact duplicates of 0.90-0.99 accurate rules
 * once in the estimates raised its accuracy-estimation error from 0.173 to 0.180 (measured on its train split,
 * which the default is designed on).
 */
import { splitVotes, withSetAside } from './overrides.ts';
import type { SetAside } from './overrides.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import { pairCounts, strideRows } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';

/** Least share of each LF's votes the other casts too (same row, same label). */
export const NEAR_COPY_SHARE = 0.9;
/**
 * Least share of each LF's votes the other casts too for the two to count once where the default estimates LF
 * accuracies off the agreement model's path (its judge's and its fallback's estimates; defaultModel.ts): half,
 * a majority of each one's votes. LFs that err independently given the class share that much only when each
 * fires on more than half of the rows of the classes the other votes for; LFs that copy each other's votes
 * (a keyword and its variant, rules written from one another) do it on most of theirs, and every estimate then
 * rates both as accurate because they agree (chemprot-like and correlated-groups in syntheticFamilies.ts: a
 * copy pair of 0.2-0.4 precision was rated 0.85-0.95 by every candidate).
 */
export const CORRELATED_SHARE = 0.5;
/**
 * Where a fitted model's P(Y | votes) is given (findNearCopies' `posterior`), a pair that shares at least
 * CORRELATED_SHARE but less than NEAR_COPY_SHARE of each one's votes counts as copies only when it shares
 * more than CHANCE_RATIO times the votes that two LFs voting independently given the class would
 * (chanceSharedVotes), and more than CHANCE_Z standard deviations (the square root of that expectation) above
 * it. Broad rules of one label overlap by chance on half of their votes (broad-and-narrow, seed 101: 2080 shared
 * votes, 0.98 times the expectation under majority vote's posterior), and counting two of them once rated every
 * LF of that set wrong (accuracy-estimation error 0.036 -> 0.276). On the tuning seeds (all 17 families at seeds
 * 1-6 and 101-106), the pairs between those shares that do not copy each other (10) share 0.98-1.00 times the
 * expectation under the gold classes and the copy pairs (324) 1.36-15.35 times; under majority vote's
 * posterior, which each shared vote pulls towards its label, 0.98-2.78 and 1.57-11.74 times. Both figures were
 * chosen on those seeds, on the count of runs more than 0.02 worse than the best single candidate (11 of 204
 * without the test): ratio alone 1.25 or 1.5 -> 10, 1.75 -> 11, 2 -> 13, 3 -> 14; standard deviations alone 6
 * -> 10, 8, 10 or 12 -> 9; 1.5 and 10 together -> 9 (broad-and-narrow 101 0.276 -> 0.036, ten-class-relations
 * 101 0.119 -> 0.098; mean error 0.068 -> 0.067). The ratio stays beside the standard deviations because, at a
 * fixed ratio, those grow with the square root of the rows counted. The abstain judge's posterior, which
 * believes copies, was tried in place of majority vote's: ratio 1.25 -> 11, 1.5 -> 20.
 */
export const CHANCE_RATIO = 1.5;
export const CHANCE_Z = 10;
/** Votes an LF needs before it can be a near-copy. */
export const MIN_COPY_VOTES = 10;
/** Index rows the pair counts are taken on: an evenly strided sample of a larger index. */
export const COPY_SAMPLE_ROWS = 50_000;

export interface NearCopy {
  /** The copy: its votes are set aside where `of` (or another member ranked above it) votes the same. */
  lf: number;
  /** The first member of its group: the one with the most votes. */
  of: number;
  /** Share of the copy's votes that `of` casts too, on the rows counted. */
  shared: number;
  /** Matrix rows on which the copy's vote was set aside (0 until setAsideCopies counts them). */
  rows: number;
}

/**
 * Groups of near-copies, as the copies of each group (not its first member), ordered by group and rank. Pairs
 * are counted on an evenly strided sample of at most COPY_SAMPLE_ROWS index rows; groups join pairs
 * transitively. `shared` is the copy's share of votes cast by the group's first member (below
 * NEAR_COPY_SHARE for a member that joined through another). With `posterior` (a fitted model's P(Y | votes)
 * on the rows it is given, n x k), a pair below NEAR_COPY_SHARE must also share more than chance given the
 * class explains (CHANCE_RATIO, CHANCE_Z); the posterior is asked for only when such a pair is found.
 */
export function findNearCopies(index: VoteIndex, share = NEAR_COPY_SHARE, posterior?: (rows: VoteIndex) => Float64Array): NearCopy[] {
  const { m, k } = index;
  if (m < 2 || index.n === 0) return [];
  const rows = strideRows(index, COPY_SAMPLE_ROWS);
  const votes = new Float64Array(m);
  for (let i = 0; i < rows.n; i++) for (let t = rows.rowStart[i]; t < rows.rowStart[i + 1]; t++) votes[rows.lf[t]] += rows.weight[i];
  const allVotes = new Float64Array(m);
  for (let j = 0; j < m; j++) for (let l = 0; l < k; l++) allVotes[j] += index.votesPerLf[j * k + l];
  // Exact duplicates keep the handling they had (agreementCheck.ts): only the first of them can be in a group.
  const exact = duplicateColumns(index);
  const eligible = Uint8Array.from(allVotes, (v, j) => (v >= MIN_COPY_VOTES && exact[j] < 0 ? 1 : 0));
  const pairs = pairCounts(rows, true, eligible);
  const parent = Int32Array.from({ length: m }, (_, j) => j);
  const root = (j: number): number => {
    while (parent[j] !== j) j = parent[j] = parent[parent[j]];
    return j;
  };
  // The pairs that share `share` of each one's votes, as [a, b, shared votes].
  const passing: [number, number, number][] = [];
  pairs.forEach((same, key) => {
    const a = Math.floor(key / m);
    const b = key - a * m;
    if (same >= share * votes[a] && same >= share * votes[b]) passing.push([a, b, same]);
  });
  let chance: ((a: number, b: number) => number) | null = null;
  for (const [a, b, same] of passing) {
    if (posterior && (same < NEAR_COPY_SHARE * votes[a] || same < NEAR_COPY_SHARE * votes[b])) {
      chance ??= chanceSharedVotes(rows, posterior(rows), passing);
      const expected = chance(a, b);
      if (same <= CHANCE_RATIO * expected || same - expected <= CHANCE_Z * Math.sqrt(expected)) continue;
    }
    const ra = root(a);
    const rb = root(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const groups = new Map<number, number[]>();
  for (let j = 0; j < m; j++) {
    if (!eligible[j]) continue;
    const r = root(j);
    groups.set(r, [...(groups.get(r) ?? []), j]);
  }
  const out: NearCopy[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    members.sort((x, y) => allVotes[y] - allVotes[x] || x - y);
    const first = members[0];
    for (const j of members.slice(1)) {
      const key = Math.min(first, j) * m + Math.max(first, j);
      out.push({ lf: j, of: first, shared: votes[j] > 0 ? (pairs.get(key) ?? 0) / votes[j] : 0, rows: 0 });
    }
  }
  return out;
}

/**
 * Shared votes (same row, same label) two LFs would cast on `rows` if each voted independently given the class:
 * the sum over classes y and labels c of rows(y) * P(a votes c | y) * P(b votes c | y), with rows(y) and each
 * LF's vote rates counted from the rows weighted by q, a posterior P(Y | votes) (n x k). One pass over the
 * sample's votes, for the LFs of `pairs`.
 */
function chanceSharedVotes(rows: VoteIndex, q: Float64Array, pairs: readonly [number, number, number][]): (a: number, b: number) => number {
  const { n, m, k, rowStart, lf, label, weight } = rows;
  const slot = new Int32Array(m).fill(-1);
  let slots = 0;
  for (const [a, b] of pairs) {
    if (slot[a] < 0) slot[a] = slots++;
    if (slot[b] < 0) slot[b] = slots++;
  }
  const classRows = new Float64Array(k);
  // byClass[(slot * k + c) * k + y]: rows of class y (posterior-weighted) on which the LF votes c.
  const byClass = new Float64Array(slots * k * k);
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    const o = i * k;
    for (let y = 0; y < k; y++) classRows[y] += w * q[o + y];
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      const s = slot[lf[t]];
      if (s < 0) continue;
      const at = (s * k + label[t]) * k;
      for (let y = 0; y < k; y++) byClass[at + y] += w * q[o + y];
    }
  }
  return (a, b) => {
    let expected = 0;
    for (let c = 0; c < k; c++) {
      const ia = (slot[a] * k + c) * k;
      const ib = (slot[b] * k + c) * k;
      for (let y = 0; y < k; y++) if (classRows[y] > 0) expected += (byClass[ia + y] * byClass[ib + y]) / classRows[y];
    }
    return expected;
  };
}

/**
 * Removes, on each index row, the vote of every copy for which a member of its group ranked above it votes
 * the same label on that row. Depends only on the row's votes, so it applies to distinct vote patterns, single
 * rows and new matrices alike.
 */
export function setAsideCopies(index: VoteIndex, copies: NearCopy[]): SetAside & { copies: NearCopy[] } {
  const empty = { index, overrides: [], row: new Int32Array(0), lf: new Uint16Array(0), label: new Uint8Array(0), copies: [] as NearCopy[] };
  if (copies.length === 0) return empty;
  const { m, lf, label, weight } = index;
  // above[j]: the members ranked above copy j in its group (the group's first member, then earlier copies).
  const above: number[][] = Array.from({ length: m }, () => []);
  const counted = copies.map((c) => ({ ...c, rows: 0 }));
  const copyAt = new Map<number, NearCopy>();
  for (const c of counted) {
    const earlier = counted.filter((d) => d.of === c.of && d !== c && counted.indexOf(d) < counted.indexOf(c)).map((d) => d.lf);
    above[c.lf] = [c.of, ...earlier];
    copyAt.set(c.lf, c);
  }
  const split = splitVotes(index, (i, a0, a1, labelOf, aside) => {
    for (let t = a0; t < a1; t++) {
      const j = lf[t];
      if (above[j].some((h) => labelOf[h] === label[t])) {
        copyAt.get(j)!.rows += weight[i];
        aside[j] = 1;
      }
    }
  });
  if (!split) return { ...empty, copies: counted };
  return { ...split, overrides: [], copies: counted };
}

/**
 * A model fitted without the copies' shared votes, made whole again: its accuracies count the set-aside votes,
 * and every matrix it scores has the same votes set aside first.
 */
export function withCopies(model: IndexedLabelModel, original: VoteIndex, apart: SetAside & { copies: NearCopy[] }, seed: number): IndexedLabelModel {
  if (apart.row.length === 0) return model;
  return withSetAside(model, original, apart, (index) => setAsideCopies(index, apart.copies).index, seed);
}

/**
 * For each LF, the first earlier LF with exactly the same votes on every row of `index`, or -1. Columns are
 * hashed over their (row, label) sequence; equal hashes are confirmed vote by vote.
 */
export function duplicateColumns(index: VoteIndex): Int32Array {
  const { n, m, k, rowStart, lf, label, votesPerLf } = index;
  const h1 = new Uint32Array(m).fill(0x811c9dc5);
  const h2 = new Uint32Array(m).fill(0x9747b28c);
  for (let i = 0; i < n; i++) {
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      const j = lf[t];
      const x = (i * (k + 1) + label[t] + 1) >>> 0;
      h1[j] = Math.imul(h1[j] ^ x, 0x01000193) >>> 0;
      h2[j] = (Math.imul(h2[j] ^ (x >>> 16), 0x5bd1e995) + (x & 0xffff)) >>> 0;
    }
  }
  const out = new Int32Array(m).fill(-1);
  const first = new Map<string, number[]>();
  for (let j = 0; j < m; j++) {
    let votes = 0;
    for (let l = 0; l < k; l++) votes += votesPerLf[j * k + l];
    if (votes === 0) continue;
    const key = `${h1[j]}:${h2[j]}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, [j]);
      continue;
    }
    const same = earlier.find((e) => sameColumn(index, e, j));
    if (same === undefined) earlier.push(j);
    else out[j] = same;
  }
  return out;
}

function sameColumn(index: VoteIndex, a: number, b: number): boolean {
  const { n, k, rowStart, lf, label, votesPerLf } = index;
  for (let l = 0; l < k; l++) if (votesPerLf[a * k + l] !== votesPerLf[b * k + l]) return false;
  for (let i = 0; i < n; i++) {
    let la = -1;
    let lb = -1;
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      if (lf[t] === a) la = label[t];
      else if (lf[t] === b) lb = label[t];
    }
    if (la !== lb) return false;
  }
  return true;
}
