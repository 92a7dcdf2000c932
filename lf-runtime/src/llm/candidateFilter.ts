/**
 * Decides which scored candidates pass, with a reason in words either way, ranks them, and says which cannot
 * be accepted at all. Pure functions of the figures, shared by the CLI, the extension host and the review
 * webview, so every front end states the rules the same way. Thresholds start from DataSculpt's and are
 * configurable (lfStudio.llm.minDevAccuracy, lfStudio.llm.maxOverlap):
 *
 * - Accuracy: dev accuracy (correct / votes on the dev set, a precision) must be at least minDevAccuracy.
 *   Without dev votes the label model's estimated accuracy stands in, and the reason says so.
 * - Overlap: a candidate's overlap with an existing LF is the share of the candidate's votes on which that LF
 *   also votes. It must be below maxOverlap for every existing LF (OVERLAP_RULE); at or above it the candidate
 *   is likely a duplicate, unless it refines that LF.
 * - Refinement: a candidate that lies inside an existing LF X (overlap at or above the limit, and fewer sample
 *   votes than X) and is more precise than X on the dev set is a sharper rule, not a copy, and passes the
 *   overlap rule; its reason shows the comparison ("refines X: dev 11/11 vs 24/33"). Small counts: it needs
 *   at least MIN_REFINEMENT_DEV_VOTES dev votes of its own, since below that one vote moves its precision by
 *   ten points or more; and X needs dev votes to compare with.
 *
 * A figure is printed beside its limit with as many digits as it takes to tell the two apart (94.7% against
 * 95.0%, never 95% against 95%).
 */
import { DEFAULT_THRESHOLDS } from './types.ts';
import type { Candidate, CandidateScore, LfOverlap, ScoredCandidate, ScoreOutcome, Thresholds } from './types.ts';

/** The overlap rule in the words the setting, the README and the review panel use. */
export const OVERLAP_RULE = "a candidate's overlap with each existing LF (the share of its votes on which that LF also votes) must be below the limit";

/** Dev votes a candidate needs before its higher dev precision makes it a refinement rather than a duplicate. */
export const MIN_REFINEMENT_DEV_VOTES = 10;

export function resolveThresholds(partial?: Partial<Thresholds>): Thresholds {
  const t = { ...DEFAULT_THRESHOLDS, ...partial };
  for (const [key, value] of Object.entries(t)) {
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new Error(`threshold ${key} must be a fraction between 0 and 1, got ${String(value)}`);
    }
  }
  return t;
}

const MAX_EXTRA_DIGITS = 6;

/**
 * `value` and `limit` as text with the fewest digits (at least `minDigits`) that keep their order: 94.96%
 * against 95.00%, 100% against 95%. Fractions (0.60) unless `percent`.
 */
export function figuresAgainst(value: number, limit: number, options: { percent?: boolean; minDigits?: number } = {}): [string, string] {
  const scale = options.percent ? 100 : 1;
  const unit = options.percent ? '%' : '';
  const min = options.minDigits ?? (options.percent ? 0 : 2);
  const order = Math.sign(value - limit);
  let digits = min;
  let a = (value * scale).toFixed(digits);
  let b = (limit * scale).toFixed(digits);
  while (Math.sign(Number(a) - Number(b)) !== order && digits < min + MAX_EXTRA_DIGITS) {
    digits++;
    a = (value * scale).toFixed(digits);
    b = (limit * scale).toFixed(digits);
  }
  return [`${a}${unit}`, `${b}${unit}`];
}

/** "overlaps X on 94.7% of its votes (must be below 95.0%)": the overlap rule applied to one LF, in words. */
export function overlapText(name: string | null, share: number, limit: number, minDigits = 0): string {
  const [s, l] = figuresAgainst(share, limit, { percent: true, minDigits });
  return `overlaps ${name ?? 'an existing LF'} on ${s} of its votes (must be below ${l})`;
}

export function decide(candidate: Candidate, outcome: ScoreOutcome | null, t: Thresholds): { passed: boolean; reason: string } {
  if (candidate.parseError) return { passed: false, reason: candidate.parseError };
  if (!outcome) return { passed: false, reason: 'not scored (no data or sandbox available)' };
  if (!outcome.ok) return { passed: false, reason: `does not run: ${outcome.error}` };
  const s = outcome.score;
  if (s.timedOut) return { passed: false, reason: 'timed out on the sample' };
  if (s.errors > 0) return { passed: false, reason: `raised on ${s.errors} row${s.errors === 1 ? '' : 's'}${s.firstError ? ` (${s.firstError})` : ''}` };
  if (s.coverage === 0) return { passed: false, reason: 'never votes on the sample' };
  if (s.coverage < t.minCoverage) {
    const [c, m] = figuresAgainst(s.coverage, t.minCoverage, { percent: true, minDigits: 1 });
    return { passed: false, reason: `coverage ${c} is below ${m}` };
  }
  const accuracy = accuracyFor(s);
  if (accuracy.value === null) {
    return { passed: false, reason: 'no accuracy to judge it by: it never votes on the dev set and the label model gave no estimate' };
  }
  const min = accuracy.source === 'dev' ? t.minDevAccuracy : t.minEstimatedAccuracy;
  const [a, m] = figuresAgainst(accuracy.value, min);
  if (accuracy.value < min) {
    return { passed: false, reason: `${accuracy.source} accuracy ${a} is below ${m}` };
  }
  const refinements: string[] = [];
  for (const lf of overlapsAtLimit(s, t.maxOverlap)) {
    const verdict = refinementOf(s, lf);
    if (!verdict.refines) {
      return { passed: false, reason: `${overlapText(lf.name, lf.share, t.maxOverlap)}: likely a duplicate${verdict.note ? ` (${verdict.note})` : ''}` };
    }
    refinements.push(verdict.note);
  }
  const parts = [`${accuracy.source} accuracy ${a} >= ${m}`, `coverage ${(s.coverage * 100).toFixed(1)}%`];
  if (refinements.length > 0) parts.push(...refinements);
  else if (s.maxOverlapWith) parts.push(overlapText(s.maxOverlapWith, s.maxOverlap, t.maxOverlap));
  return { passed: true, reason: parts.join(', ') };
}

/** Existing LFs the candidate overlaps at or above the limit, highest share first. */
function overlapsAtLimit(s: CandidateScore, limit: number): LfOverlap[] {
  if (s.overlaps) return s.overlaps.filter((o) => o.share >= limit).sort((x, y) => y.share - x.share);
  // A score saved before per-LF overlaps were recorded: only the largest is known, with nothing to refine by.
  if (s.maxOverlap >= limit) return [{ name: s.maxOverlapWith ?? 'an existing LF', share: s.maxOverlap, votes: 0, devCorrect: null, devVotes: null }];
  return [];
}

/**
 * Whether a candidate overlapping `lf` at or above the limit refines it (see the module comment). The note is
 * the comparison for a refinement, or why it is not one when that is worth saying.
 */
export function refinementOf(s: CandidateScore, lf: LfOverlap): { refines: true; note: string } | { refines: false; note: string | null } {
  if (s.votes === undefined || s.votes >= lf.votes) return { refines: false, note: null };
  const devCorrect = s.devCorrect ?? null;
  if (lf.devVotes === null || lf.devCorrect === null || devCorrect === null || s.devVotes === 0) {
    return { refines: false, note: `narrower than ${lf.name}, but without dev votes on both there is no telling a refinement from a copy` };
  }
  const comparison = `dev ${devCorrect}/${s.devVotes} vs ${lf.devCorrect}/${lf.devVotes}`;
  if (lf.devVotes === 0) return { refines: false, note: `${lf.name} has no dev votes to compare with` };
  if (s.devVotes < MIN_REFINEMENT_DEV_VOTES) {
    return { refines: false, note: `${comparison}: too few dev votes to call it a refinement (${s.devVotes}, needs ${MIN_REFINEMENT_DEV_VOTES})` };
  }
  // Precision against precision, compared exactly: a/b > c/d  <=>  a*d > c*b.
  if (devCorrect * lf.devVotes <= lf.devCorrect * s.devVotes) {
    return { refines: false, note: `${comparison}: not more precise than ${lf.name}` };
  }
  return { refines: true, note: `refines ${lf.name}: ${comparison}` };
}

/** Dev accuracy when the candidate voted on dev rows, else the label model's estimate. */
export function accuracyFor(s: CandidateScore): { value: number | null; source: 'dev' | 'estimated' } {
  if (s.devAccuracy !== null) return { value: s.devAccuracy, source: 'dev' };
  return { value: s.estimatedAccuracy, source: 'estimated' };
}

/**
 * Why a candidate cannot be inserted into an LF file as it is, or null when it can. A candidate that does not
 * parse, that the sandbox could not load (syntax or import error), that raised on every sample row, or that
 * never ran would break or clutter the user's file: the review panel disables Accept with this reason, and
 * the host checks it again before it edits anything. Failing a threshold does not block: the user may disagree.
 */
export function acceptBlocker(c: Pick<ScoredCandidate, 'parseError' | 'score' | 'runError'>): string | null {
  if (c.parseError) return `it cannot be used: ${c.parseError}`;
  if (c.runError) return `it does not run: ${c.runError}`;
  const s = c.score;
  if (!s) return 'it has not run in the sandbox yet (edit it to re-score once the runtime is running)';
  const raisedOnEveryRow = s.rows !== undefined ? s.rows > 0 && s.errors >= s.rows : s.errors > 0 && s.coverage === 0;
  if (raisedOnEveryRow) return `it raises on every sample row${s.firstError ? ` (${s.firstError})` : ''}`;
  return null;
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
