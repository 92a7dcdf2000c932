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
 * NEAR_COPY_SHARE for a member that joined through another).
 */
export function findNearCopies(index: VoteIndex, share = NEAR_COPY_SHARE): NearCopy[] {
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
  pairs.forEach((same, key) => {
    const a = Math.floor(key / m);
    const b = key - a * m;
    if (same < share * votes[a] || same < share * votes[b]) return;
    const ra = root(a);
    const rb = root(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  });
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
