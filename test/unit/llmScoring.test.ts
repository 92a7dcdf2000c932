import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import type { Dataset, Row } from '../../lf-runtime/src/data/types.ts';
import { VoteScorer, createSandboxScorer } from '../../lf-runtime/src/llm/candidateScoring.ts';
import type { ScoringContext } from '../../lf-runtime/src/llm/candidateScoring.ts';
import { decide, rankCandidates } from '../../lf-runtime/src/llm/candidateFilter.ts';
import { extractCandidates } from '../../lf-runtime/src/llm/candidateExtraction.ts';
import { DEFAULT_THRESHOLDS } from '../../lf-runtime/src/llm/types.ts';
import type { CandidateScore } from '../../lf-runtime/src/llm/types.ts';
import type { LfExecutor, RunFileOptions } from '../../lf-runtime/src/sandbox/types.ts';
import { sandboxParser } from '../support/sandboxParser.ts';

const YT = 'test/fixtures/wrench/youtube';
const NAMES = ['keyword_my', 'keyword_subscribe', 'keyword_link', 'keyword_please', 'keyword_song', 'regex_check_out', 'short_comment'];

/** The seven WRENCH youtube LFs that plain Python reproduces (DATA.md), as the "existing" LFs. */
function existingColumns(d: Dataset): Int8Array[] {
  const weak = d.weakLabels!;
  return NAMES.map((_, j) => {
    const col = new Int8Array(d.rows.length);
    for (let i = 0; i < d.rows.length; i++) col[i] = weak.data[i * weak.m + j]!;
    return col;
  });
}

function votesOf(d: Dataset, lf: (text: string) => number): Int8Array {
  return Int8Array.from(d.rows.map((r) => lf(String(r.fields.text))));
}

async function context(): Promise<ScoringContext> {
  const sample = await readDataset(`${YT}/train.json`);
  const dev = await readDataset(`${YT}/valid.json`);
  return {
    labels: ['HAM', 'SPAM'],
    textField: 'text',
    sample,
    dev,
    existingNames: NAMES,
    existingSampleVotes: existingColumns(sample),
    existingDevVotes: existingColumns(dev),
  };
}

test('a good new signal scores high dev accuracy and passes', async () => {
  const ctx = await context();
  const scorer = new VoteScorer(ctx);
  const lf = (t: string) => (/\.com|www\./i.test(t) ? 1 : -1);
  const score = scorer.scoreVotes({ sample: votesOf(ctx.sample, lf), dev: votesOf(ctx.dev!, lf), errors: 0, firstError: null, timedOut: false });
  // Expected figures computed here from the same data, independently of the scorer.
  const devVotes = ctx.dev!.rows.map((r, i) => ({ v: lf(String(r.fields.text)), g: ctx.dev!.gold![i] })).filter((x) => x.v !== -1);
  const expectedDev = devVotes.filter((x) => x.v === x.g).length / devVotes.length;
  const expectedCoverage = ctx.sample.rows.filter((r) => lf(String(r.fields.text)) !== -1).length / ctx.sample.rows.length;
  assert.equal(score.devVotes, devVotes.length);
  assert.ok(Math.abs(score.devAccuracy! - expectedDev) < 1e-12);
  assert.ok(Math.abs(score.coverage - expectedCoverage) < 1e-12);
  assert.ok(score.estimatedAccuracy !== null && score.estimatedAccuracy > 0 && score.estimatedAccuracy <= 1);
  assert.ok(score.deltaLabelModelAccuracy !== null);
  assert.ok(score.exampleRows.length > 0 && score.exampleRows.every((r) => r.vote === 1));
  const verdict = decide({ name: 'dotcom', originalName: null, code: '', functionCode: '', support: [], parseError: null }, { ok: true, score }, DEFAULT_THRESHOLDS);
  assert.equal(verdict.passed, expectedDev >= 0.6, verdict.reason);
});

test('a copy of an existing LF is rejected as an overlap, naming the LF it duplicates', async () => {
  const ctx = await context();
  const scorer = new VoteScorer(ctx);
  const copy = { sample: ctx.existingSampleVotes[2]!, dev: ctx.existingDevVotes![2]!, errors: 0, firstError: null, timedOut: false };
  const score = scorer.scoreVotes(copy);
  assert.equal(score.maxOverlap, 1);
  assert.equal(score.maxOverlapWith, 'keyword_link');
  assert.equal(score.deltaCoverage, 0);
  const verdict = decide({ name: 'c', originalName: null, code: '', functionCode: '', support: [], parseError: null }, { ok: true, score }, DEFAULT_THRESHOLDS);
  assert.equal(verdict.passed, false);
  assert.match(verdict.reason, /overlaps keyword_link on 100%/);
});

test('an LF that votes the wrong class fails on dev accuracy', async () => {
  const ctx = await context();
  const lf = (t: string) => (/subscribe/i.test(t) ? 0 : -1); // subscribe requests are spam, not ham
  const score = new VoteScorer(ctx).scoreVotes({ sample: votesOf(ctx.sample, lf), dev: votesOf(ctx.dev!, lf), errors: 0, firstError: null, timedOut: false });
  const verdict = decide({ name: 'x', originalName: null, code: '', functionCode: '', support: [], parseError: null }, { ok: true, score }, DEFAULT_THRESHOLDS);
  assert.equal(verdict.passed, false);
  assert.match(verdict.reason, /dev accuracy 0\.\d\d is below 0\.60/);
});

function fakeScore(partial: Partial<CandidateScore>): CandidateScore {
  return {
    coverage: 0.1, estimatedAccuracy: 0.8, devAccuracy: 0.8, devVotes: 10, maxOverlap: 0.2, maxOverlapWith: 'a', conflict: 0,
    deltaLabelModelAccuracy: 0, deltaCoverage: 0.05, polarity: [1], errors: 0, firstError: null, timedOut: false, exampleRows: [], ...partial,
  };
}

test('thresholds are configurable and errors or timeouts never pass', () => {
  const c = { name: 'c', originalName: null, code: '', functionCode: '', support: [], parseError: null };
  assert.equal(decide(c, { ok: true, score: fakeScore({ devAccuracy: 0.7 }) }, { ...DEFAULT_THRESHOLDS, minDevAccuracy: 0.75 }).passed, false);
  assert.equal(decide(c, { ok: true, score: fakeScore({ devAccuracy: 0.7 }) }, DEFAULT_THRESHOLDS).passed, true);
  assert.match(decide(c, { ok: true, score: fakeScore({ errors: 3, firstError: 'KeyError' }) }, DEFAULT_THRESHOLDS).reason, /raised on 3 rows \(KeyError\)/);
  assert.match(decide(c, { ok: true, score: fakeScore({ timedOut: true }) }, DEFAULT_THRESHOLDS).reason, /timed out/);
  assert.match(decide(c, { ok: true, score: fakeScore({ devAccuracy: null, estimatedAccuracy: 0.9 }) }, DEFAULT_THRESHOLDS).reason, /estimated accuracy 0\.90/);
  assert.match(decide(c, { ok: false, error: 'syntax: invalid syntax' }, DEFAULT_THRESHOLDS).reason, /does not run: syntax/);
});

test('ranking puts passing candidates first, then by accuracy', () => {
  const base = { originalName: null, code: '', functionCode: '', support: [], parseError: null, decision: 'pending' as const };
  const ranked = rankCandidates([
    { ...base, name: 'fails', score: fakeScore({ devAccuracy: 0.99 }), passed: false, reason: '' },
    { ...base, name: 'ok', score: fakeScore({ devAccuracy: 0.7 }), passed: true, reason: '' },
    { ...base, name: 'best', score: fakeScore({ devAccuracy: 0.9 }), passed: true, reason: '' },
  ]);
  assert.deepEqual(ranked.map((c) => [c.name, c.rank]), [['best', 1], ['ok', 2], ['fails', 3]]);
});

/** An executor that "runs" candidates with JS stand-ins keyed by LF name (the real one runs Python). */
function fakeExecutor(lfs: Record<string, (row: Row) => number>, rows: Record<string, Row[]>, fileErrors: Record<string, string> = {}): LfExecutor & { calls: RunFileOptions[] } {
  const calls: RunFileOptions[] = [];
  return {
    calls,
    async loadRows(key, r) { rows[key] = r; },
    async runFile(o) {
      calls.push(o);
      const name = /def (\w+)\(/.exec(o.source)?.[1] ?? '';
      if (fileErrors[name]) return { file: o.file, lfs: [], fileError: { kind: 'syntax', message: fileErrors[name]!, line: 2, traceback: null }, durationMs: 1 };
      const data = rows[o.datasetKey] ?? [];
      const votes = Int8Array.from(data.map((r) => lfs[name]!(r)));
      return { file: o.file, lfs: [{ name, line: 3, votes, errors: 0, errorRowIds: [], firstError: null, noneCount: 0, timedOut: false, durationMs: 1 }], fileError: null, durationMs: 1 };
    },
    async isolation() { return { separateProcess: false, environmentScrubbed: false, nodePermissionModel: false, networkNamespace: false, pyodideBridgesRemoved: false, memoryCapMb: null }; },
    async dispose() {},
  };
}

test('the sandbox scorer runs the self-contained code on sample and dev, and reports load errors', async () => {
  const ctx = await context();
  const exec = fakeExecutor(
    { dotcom: (r) => (/\.com/i.test(String(r.fields.text)) ? 1 : -1) },
    { sample: ctx.sample.rows, dev: ctx.dev!.rows },
    { broken: 'invalid syntax' },
  );
  const scorer = createSandboxScorer({ executor: exec, context: ctx, sampleKey: 'sample', devKey: 'dev', timeoutMs: 1000 });
  const { candidates } = await extractCandidates(
    '```python\n@labeling_function()\ndef dotcom(x):\n    return SPAM if ".com" in x.text.lower() else ABSTAIN\n```\n```python\n@labeling_function()\ndef broken(x):\n    return 1\n```',
    { labels: ['HAM', 'SPAM'], existingNames: NAMES, parser: sandboxParser() },
  );
  const good = await scorer.score(candidates[0]!);
  assert.ok(good.ok && good.score.coverage > 0);
  assert.deepEqual(exec.calls.map((c) => c.datasetKey), ['sample', 'dev']);
  assert.match(exec.calls[0]!.source, /SPAM = 1/);
  assert.equal(exec.calls[0]!.cardinality, 2);
  const bad = await scorer.score(candidates[1]!);
  assert.deepEqual(bad, { ok: false, error: 'syntax: invalid syntax' });
});

