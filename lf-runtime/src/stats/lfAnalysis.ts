/**
 * Snorkel's LFAnalysis over a vote matrix, with the same definitions (see docs label-models.md) so the
 * numbers match what users get from `LFAnalysis(L, lfs).lf_summary(Y)`:
 *   coverage_j  = rows where LF j votes / n
 *   overlaps_j  = rows where LF j votes and at least one other LF votes / n (same label or not)
 *   conflicts_j = rows where LF j votes and two distinct labels meet / n
 *   correct/incorrect on rows with a gold label; empirical accuracy = correct / votes (a precision).
 * This runs on every keystroke for 100k rows x 20 LFs, so it is one pass over the matrix with O(m) scratch
 * memory and no allocation per row.
 */
import type { LfSummary } from '../protocol.ts';
import type { VoteMatrix } from './voteMatrix.ts';

/**
 * LFAnalysis figures for one LF, as the protocol carries them to the editor. Fractions are over all n rows,
 * in 0..1; correct/incorrect/empiricalAccuracy are null without gold labels (empiricalAccuracy also when the LF
 * never votes on a gold row).
 */
export type LfStats = Pick<LfSummary, 'polarity' | 'coverage' | 'overlaps' | 'conflicts' | 'correct' | 'incorrect' | 'empiricalAccuracy'>;

export interface VoteAnalysis {
  lfs: LfStats[];
  /** Fraction of rows where at least one LF votes. */
  totalCoverage: number;
  /** Fraction of rows where at least two LFs vote. */
  totalOverlap: number;
  /** Fraction of rows where two distinct labels meet. */
  totalConflict: number;
}

/** Highest class id a vote can carry (Int8Array). */
const MAX_LABEL = 127;

/**
 * Everything at once. `gold` has one entry per row; null (or -1, Snorkel's "unknown") marks rows without a
 * gold label, and passing null/undefined leaves correct/incorrect/empiricalAccuracy null.
 */
export function analyzeVotes(L: VoteMatrix, gold?: readonly (number | null)[] | null): VoteAnalysis {
  const { n, m, data } = L;
  if (data.length !== n * m) throw new RangeError(`vote matrix data has ${data.length} entries, expected ${n} x ${m}`);
  if (gold && gold.length !== n) throw new RangeError(`gold has ${gold.length} labels but the vote matrix has ${n} rows`);

  const votes = new Float64Array(m);
  const overlapped = new Float64Array(m);
  const conflicted = new Float64Array(m);
  const correct = new Float64Array(m);
  const incorrect = new Float64Array(m);
  // seen[j * 128 + label] marks that LF j emitted label: polarity without a Set per LF.
  const seen = new Uint8Array(m * (MAX_LABEL + 1));
  let coveredRows = 0;
  let overlappedRows = 0;
  let conflictedRows = 0;

  for (let i = 0, base = 0; i < n; i++, base += m) {
    let count = 0;
    let first = -1;
    let conflict = false;
    const y = gold ? goldAt(gold, i) : -1;
    for (let j = 0; j < m; j++) {
      const v = data[base + j];
      if (v < 0) {
        if (v !== -1) throw new RangeError(`vote ${v} at row ${i}, LF ${j} is not -1 (abstain) or a class id`);
        continue;
      }
      count++;
      votes[j]++;
      seen[j * (MAX_LABEL + 1) + v] = 1;
      if (first === -1) first = v;
      else if (v !== first) conflict = true;
      if (y >= 0) {
        if (v === y) correct[j]++;
        else incorrect[j]++;
      }
    }
    if (count === 0) continue;
    coveredRows++;
    if (count < 2) continue;
    // Only rows with two or more votes contribute to overlaps and conflicts: revisit just those.
    overlappedRows++;
    if (conflict) conflictedRows++;
    for (let j = 0; j < m; j++) {
      if (data[base + j] < 0) continue;
      overlapped[j]++;
      if (conflict) conflicted[j]++;
    }
  }

  const frac = (x: number): number => (n === 0 ? 0 : x / n);
  const lfs: LfStats[] = [];
  for (let j = 0; j < m; j++) {
    const polarity: number[] = [];
    for (let label = 0; label <= MAX_LABEL; label++) if (seen[j * (MAX_LABEL + 1) + label]) polarity.push(label);
    const onGold = correct[j] + incorrect[j];
    lfs.push({
      polarity,
      coverage: frac(votes[j]),
      overlaps: frac(overlapped[j]),
      conflicts: frac(conflicted[j]),
      correct: gold ? correct[j] : null,
      incorrect: gold ? incorrect[j] : null,
      empiricalAccuracy: gold && onGold > 0 ? correct[j] / onGold : null,
    });
  }
  return {
    lfs,
    totalCoverage: frac(coveredRows),
    totalOverlap: frac(overlappedRows),
    totalConflict: frac(conflictedRows),
  };
}

/** Per-LF figures, in column order (Snorkel's lf_summary). */
export function lfSummaries(L: VoteMatrix, gold?: readonly (number | null)[] | null): LfStats[] {
  return analyzeVotes(L, gold).lfs;
}

/** Fraction of rows where at least one LF votes (Snorkel's label_coverage). */
export function totalCoverage(L: VoteMatrix): number {
  return countRows(L, (count) => count >= 1);
}

/** Fraction of rows where at least two LFs vote (Snorkel's label_overlap). */
export function totalOverlap(L: VoteMatrix): number {
  return countRows(L, (count) => count >= 2);
}

/** Fraction of rows where two distinct labels meet (Snorkel's label_conflict). */
export function totalConflict(L: VoteMatrix): number {
  return countRows(L, (_count, conflict) => conflict);
}

/** Fraction of rows satisfying `keep`, given each row's vote count and whether it holds a conflict. */
function countRows(L: VoteMatrix, keep: (count: number, conflict: boolean) => boolean): number {
  const { n, m, data } = L;
  if (n === 0) return 0;
  let kept = 0;
  for (let i = 0, base = 0; i < n; i++, base += m) {
    let count = 0;
    let first = -1;
    let conflict = false;
    for (let j = 0; j < m; j++) {
      const v = data[base + j];
      if (v < 0) continue;
      count++;
      if (first === -1) first = v;
      else if (v !== first) conflict = true;
    }
    if (keep(count, conflict)) kept++;
  }
  return kept / n;
}

function goldAt(gold: readonly (number | null)[], i: number): number {
  const y = gold[i];
  if (y === null || y === undefined || y === -1) return -1;
  if (!Number.isInteger(y) || y < 0) throw new RangeError(`gold label ${y} at row ${i} is not a class id (or null for unknown)`);
  return y;
}
