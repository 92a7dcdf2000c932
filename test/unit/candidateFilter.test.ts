// The review filter's decisions: the overlap rule at its boundary, refinements of an existing LF, and which
// candidates can be accepted at all (in the filter, and again where the host plans an Accept).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Dataset } from '../../lf-runtime/src/data/types.ts';
import { acceptBlocker, decide, figuresAgainst, MIN_REFINEMENT_DEV_VOTES, OVERLAP_RULE } from '../../lf-runtime/src/llm/candidateFilter.ts';
import { VoteScorer } from '../../lf-runtime/src/llm/candidateScoring.ts';
import { passingUndecided, planAccept, toScored } from '../../lf-runtime/src/llm/generateLfs.ts';
import { DEFAULT_THRESHOLDS } from '../../lf-runtime/src/llm/types.ts';
import type { Candidate, CandidateScore, GenerationRecord, LfOverlap, ScoredCandidate } from '../../lf-runtime/src/llm/types.ts';

const candidate: Candidate = { name: 'cand', originalName: null, code: '', functionCode: '', support: [], parseError: null };

/** A candidate that votes on `votes` of 200 sample rows, `devCorrect` of `devVotes` right on the dev set. */
function score(votes: number, devCorrect: number, devVotes: number, overlaps: LfOverlap[]): CandidateScore {
  const top = overlaps[0];
  return {
    coverage: votes / 200,
    estimatedAccuracy: 0.8,
    devAccuracy: devVotes > 0 ? devCorrect / devVotes : null,
    devVotes,
    devCorrect,
    maxOverlap: top?.share ?? 0,
    maxOverlapWith: top?.name ?? null,
    overlaps,
    rows: 200,
    votes,
    conflict: 0,
    deltaLabelModelAccuracy: 0,
    deltaCoverage: 0,
    polarity: [1],
    errors: 0,
    firstError: null,
    timedOut: false,
    exampleRows: [],
  };
}

const lf = (name: string, share: number, votes: number, devCorrect: number | null, devVotes: number | null): LfOverlap => ({ name, share, votes, devCorrect, devVotes });
const verdict = (s: CandidateScore, thresholds = DEFAULT_THRESHOLDS) => decide(candidate, { ok: true, score: s }, thresholds);

describe('the overlap rule', () => {
  it('passes below the limit and fails at it, with enough digits to tell the two apart', () => {
    const below = verdict(score(19, 18, 19, [lf('broad', 0.947, 40, 30, 40)]));
    assert.equal(below.passed, true, below.reason);
    assert.match(below.reason, /overlaps broad on 94\.7% of its votes \(must be below 95\.0%\)/);
    const at = verdict(score(20, 18, 20, [lf('broad', 0.95, 20, 18, 20)]));
    assert.equal(at.passed, false, at.reason);
    assert.match(at.reason, /overlaps broad on 95% of its votes \(must be below 95%\): likely a duplicate/);
    const above = verdict(score(20, 18, 20, [lf('broad', 1, 20, 18, 20)]));
    assert.equal(above.passed, false);
    assert.match(above.reason, /on 100% of its votes \(must be below 95%\)/);
  });

  it('follows a configured limit', () => {
    const s = score(20, 18, 20, [lf('broad', 0.6, 30, 29, 30)]);
    assert.equal(verdict(s).passed, true);
    const strict = verdict(s, { ...DEFAULT_THRESHOLDS, maxOverlap: 0.5 });
    assert.equal(strict.passed, false);
    assert.match(strict.reason, /on 60% of its votes \(must be below 50%\)/);
  });

  it('prints a figure and its limit with the fewest digits that keep their order', () => {
    assert.deepEqual(figuresAgainst(0.947, 0.95, { percent: true }), ['94.7%', '95.0%']);
    assert.deepEqual(figuresAgainst(0.9496, 0.95, { percent: true }), ['94.96%', '95.00%']);
    assert.deepEqual(figuresAgainst(1, 0.95, { percent: true }), ['100%', '95%']);
    assert.deepEqual(figuresAgainst(0.95, 0.95, { percent: true, minDigits: 1 }), ['95.0%', '95.0%']);
    assert.deepEqual(figuresAgainst(0.5996, 0.6), ['0.5996', '0.6000']);
    const nearLimit = verdict({ ...score(50, 30, 50, []), devAccuracy: 0.5996 });
    assert.match(nearLimit.reason, /dev accuracy 0\.5996 is below 0\.6000/);
  });

  it('names the words the setting, the README and the filter share', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { markdownDescription?: string; default?: unknown }> } };
    };
    const setting = pkg.contributes.configuration.properties['lfStudio.llm.maxOverlap'];
    assert.equal(setting?.default, DEFAULT_THRESHOLDS.maxOverlap);
    assert.match(setting?.markdownDescription ?? '', /must be below this limit/);
    assert.match(setting?.markdownDescription ?? '', new RegExp(`at least ${MIN_REFINEMENT_DEV_VOTES} dev votes`));
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
    assert.ok(readme.includes(OVERLAP_RULE), `README does not state the overlap rule as "${OVERLAP_RULE}"`);
    assert.match(readme, new RegExp(`at least ${MIN_REFINEMENT_DEV_VOTES} dev votes`));
  });
});

describe('refinements', () => {
  it('lets a narrower, more precise rule inside an existing LF pass, showing the comparison', () => {
    const v = verdict(score(11, 11, 11, [lf('broad', 1, 33, 24, 33)]));
    assert.equal(v.passed, true, v.reason);
    assert.match(v.reason, /refines broad: dev 11\/11 vs 24\/33/);
  });

  it('needs enough dev votes: below the minimum it stays a likely duplicate, and says why', () => {
    const few = MIN_REFINEMENT_DEV_VOTES - 1;
    const v = verdict(score(few, few, few, [lf('broad', 1, 33, 24, 33)]));
    assert.equal(v.passed, false);
    assert.match(v.reason, new RegExp(`likely a duplicate \\(dev ${few}/${few} vs 24/33: too few dev votes`));
    assert.equal(verdict(score(MIN_REFINEMENT_DEV_VOTES, MIN_REFINEMENT_DEV_VOTES, MIN_REFINEMENT_DEV_VOTES, [lf('broad', 1, 33, 24, 33)])).passed, true);
  });

  it('is not a refinement when it is no more precise, not narrower, or there is no dev set', () => {
    const samePrecision = verdict(score(11, 8, 11, [lf('broad', 1, 33, 24, 33)])); // 8/11 = 24/33
    assert.equal(samePrecision.passed, false);
    assert.match(samePrecision.reason, /not more precise than broad/);
    const sameRows = verdict(score(33, 33, 33, [lf('broad', 1, 33, 24, 33)]));
    assert.equal(sameRows.passed, false);
    assert.match(sameRows.reason, /likely a duplicate$/);
    const noDev = verdict({ ...score(11, 0, 0, [lf('broad', 1, 33, null, null)]), devAccuracy: null, estimatedAccuracy: 0.9 });
    assert.equal(noDev.passed, false);
    assert.match(noDev.reason, /no telling a refinement from a copy/);
  });

  it('must refine every LF it overlaps at the limit, not only the largest', () => {
    const v = verdict(score(11, 11, 11, [lf('broad', 1, 33, 24, 33), lf('twin', 0.97, 11, 11, 11)]));
    assert.equal(v.passed, false);
    assert.match(v.reason, /overlaps twin on 97%/);
    const both = verdict(score(11, 11, 11, [lf('broad', 1, 33, 24, 33), lf('wide', 0.97, 60, 40, 60)]));
    assert.equal(both.passed, true, both.reason);
    assert.match(both.reason, /refines broad: dev 11\/11 vs 24\/33, refines wide: dev 11\/11 vs 40\/60/);
  });

  it('judges a score saved before per-LF overlaps by its largest overlap, as before', () => {
    const { overlaps: _o, votes: _v, rows: _r, devCorrect: _d, ...old } = score(11, 11, 11, [lf('broad', 1, 33, 24, 33)]);
    const v = verdict(old);
    assert.equal(v.passed, false);
    assert.match(v.reason, /overlaps broad on 100% of its votes/);
  });

  it('is found by the scorer from the votes: a rule inside an existing LF, right where the LF is wrong', () => {
    // 60 sample rows and 44 dev rows; the existing LF votes SPAM on rows 0-32 of each, the candidate on 0-10.
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i), fields: { text: `row ${i}` } }));
    const column = (n: number, voteOn: (i: number) => boolean) => Int8Array.from({ length: n }, (_, i) => (voteOn(i) ? 1 : -1));
    // Dev gold: SPAM on rows 0-23 (the existing LF is right on 24 of its 33 votes), HAM elsewhere.
    const dev: Dataset = { path: 'dev', rows: rows(44), gold: Array.from({ length: 44 }, (_, i) => (i < 24 ? 1 : 0)) };
    const sample: Dataset = { path: 'sample', rows: rows(60), gold: null };
    const scorer = new VoteScorer({
      labels: ['HAM', 'SPAM'],
      textField: 'text',
      sample,
      dev,
      existingNames: ['broad'],
      existingSampleVotes: [column(60, (i) => i < 33)],
      existingDevVotes: [column(44, (i) => i < 33)],
    });
    const s = scorer.scoreVotes({ sample: column(60, (i) => i < 11), dev: column(44, (i) => i < 11), errors: 0, firstError: null, timedOut: false });
    assert.deepEqual(s.overlaps, [{ name: 'broad', share: 1, votes: 33, devCorrect: 24, devVotes: 33 }]);
    assert.equal(s.votes, 11);
    assert.equal(s.devCorrect, 11);
    const v = verdict(s);
    assert.equal(v.passed, true, v.reason);
    assert.match(v.reason, /refines broad: dev 11\/11 vs 24\/33/);
  });
});

describe('what can be accepted', () => {
  const scored = (partial: Partial<ScoredCandidate>): ScoredCandidate => ({
    ...toScored(candidate, { ok: true, score: score(20, 18, 20, []) }, DEFAULT_THRESHOLDS),
    rank: 1,
    ...partial,
  });

  it('blocks a candidate that does not parse, does not load, raises on every row or never ran', () => {
    assert.equal(acceptBlocker(scored({})), null);
    assert.match(acceptBlocker(scored({ parseError: 'no labeling function in this block' })) ?? '', /cannot be used: no labeling function/);
    const syntax = toScored(candidate, { ok: false, error: 'syntax: invalid syntax (line 3)' }, DEFAULT_THRESHOLDS);
    assert.equal(syntax.runError, 'syntax: invalid syntax (line 3)');
    assert.match(acceptBlocker(syntax) ?? '', /does not run: syntax: invalid syntax/);
    const everyRow = scored({ score: { ...score(0, 0, 0, []), errors: 200, firstError: 'KeyError: body' } });
    assert.match(acceptBlocker(everyRow) ?? '', /raises on every sample row \(KeyError: body\)/);
    // Raising on some rows is a threshold failure, not a block: the user may fix the rows or disagree.
    assert.equal(acceptBlocker(scored({ score: { ...score(20, 18, 20, []), errors: 3 } })), null);
    assert.match(acceptBlocker(toScored(candidate, null, DEFAULT_THRESHOLDS)) ?? '', /has not run/);
  });

  it('planAccept refuses blocked and already accepted candidates, whatever the webview sent', () => {
    const record: GenerationRecord = {
      version: 1,
      id: 'g',
      createdAt: '2026-01-01T00:00:00.000Z',
      model: 'm',
      baseUrl: null,
      labels: ['HAM', 'SPAM'],
      prompt: { system: '', user: '', tier: 'task', mode: 'general' },
      reply: '',
      stopReason: null,
      usage: null,
      warnings: [],
      problem: null,
      thresholds: DEFAULT_THRESHOLDS,
      candidates: [
        scored({ name: 'good' }),
        { ...toScored({ ...candidate, name: 'broken' }, { ok: false, error: 'syntax: invalid syntax' }, DEFAULT_THRESHOLDS), rank: 2 },
        scored({ name: 'done', decision: 'accepted' }),
        scored({ name: 'failing', passed: false }),
      ],
    };
    const plan = planAccept(record, ['good', 'broken', 'done', 'failing', 'missing']);
    assert.deepEqual(plan.accept.map((c) => c.name), ['good', 'failing']);
    assert.deepEqual(plan.refused.map((r) => r.name), ['broken', 'done', 'missing']);
    assert.match(plan.refused[0]?.reason ?? '', /does not run: syntax/);
    assert.deepEqual(passingUndecided(record), ['good']);
  });
});
