/**
 * Decides which scored candidates pass, with a reason in words either way, and ranks them. Thresholds start
 * from DataSculpt's (dev accuracy >= 0.6, overlap < 0.95 with any one existing LF) and are configurable.
 * Without a dev set, the label model's estimated accuracy stands in for dev accuracy, and the reason says so.
 */
import { DEFAULT_THRESHOLDS } from './types.ts';
import type { Candidate, CandidateScore, ScoredCandidate, Thresholds } from './types.ts';
import type { ScoreOutcome } from './candidateScoring.ts';

export function resolveThresholds(partial?: Partial<Thresholds>): Thresholds {
  const t = { ...DEFAULT_THRESHOLDS, ...partial };
  for (const [key, value] of Object.entries(t)) {
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new Error(`threshold ${key} must be a fraction between 0 and 1, got ${String(value)}`);
    }
  }
  return t;
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
const fix2 = (x: number): string => x.toFixed(2);

export function decide(candidate: Candidate, outcome: ScoreOutcome | null, t: Thresholds): { passed: boolean; reason: string } {
  if (candidate.parseError) return { passed: false, reason: candidate.parseError };
  if (!outcome) return { passed: false, reason: 'not scored (no data or sandbox available)' };
  if (!outcome.ok) return { passed: false, reason: `does not run: ${outcome.error}` };
  const s = outcome.score;
  if (s.timedOut) return { passed: false, reason: 'timed out on the sample' };
  if (s.errors > 0) return { passed: false, reason: `raised on ${s.errors} row${s.errors === 1 ? '' : 's'}${s.firstError ? ` (${s.firstError})` : ''}` };
  if (s.coverage === 0) return { passed: false, reason: 'never votes on the sample' };
  if (s.coverage < t.minCoverage) return { passed: false, reason: `coverage ${pct(s.coverage)} is below ${pct(t.minCoverage)}` };
  const accuracy = accuracyFor(s);
  if (accuracy.value === null) {
    return { passed: false, reason: 'no accuracy to judge it by: it never votes on the dev set and the label model gave no estimate' };
  }
  const min = accuracy.source === 'dev' ? t.minDevAccuracy : t.minEstimatedAccuracy;
  if (accuracy.value < min) {
    return { passed: false, reason: `${accuracy.source === 'dev' ? 'dev' : 'estimated'} accuracy ${fix2(accuracy.value)} is below ${fix2(min)}` };
  }
  if (s.maxOverlap >= t.maxOverlap) {
    return { passed: false, reason: `overlaps ${s.maxOverlapWith ?? 'an existing LF'} on ${pct(s.maxOverlap)} of its votes (limit ${pct(t.maxOverlap)}): likely a duplicate` };
  }
  const overlapText = s.maxOverlapWith ? `, overlap ${pct(s.maxOverlap)} with ${s.maxOverlapWith}` : '';
  return { passed: true, reason: `${accuracy.source === 'dev' ? 'dev' : 'estimated'} accuracy ${fix2(accuracy.value)} >= ${fix2(min)}, coverage ${pct(s.coverage)}${overlapText}` };
}

/** Dev accuracy when the candidate voted on dev rows, else the label model's estimate. */
export function accuracyFor(s: CandidateScore): { value: number | null; source: 'dev' | 'estimated' } {
  if (s.devAccuracy !== null) return { value: s.devAccuracy, source: 'dev' };
  return { value: s.estimatedAccuracy, source: 'estimated' };
}

/**
 * Passing candidates first; among them, higher accuracy first, then what they add to the label model
 * (change in its dev accuracy), then coverage. Failing ones follow in the same order.
 */
export function rankCandidates(candidates: Omit<ScoredCandidate, 'rank'>[]): ScoredCandidate[] {
  const key = (c: Omit<ScoredCandidate, 'rank'>): number[] => {
    const s = c.score;
    return [c.passed ? 1 : 0, s ? (accuracyFor(s).value ?? -1) : -2, s?.deltaLabelModelAccuracy ?? 0, s?.coverage ?? 0];
  };
  const sorted = candidates
    .map((c, i) => ({ c, i, k: key(c) }))
    .sort((a, b) => {
      for (let x = 0; x < a.k.length; x++) {
        const d = (b.k[x] as number) - (a.k[x] as number);
        if (Math.abs(d) > 1e-12) return d;
      }
      return a.i - b.i; // stable: the model's order breaks ties
    });
  return sorted.map(({ c }, i) => ({ ...c, rank: i + 1 }));
}
