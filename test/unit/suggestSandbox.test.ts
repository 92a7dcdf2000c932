// The suggester counts votes with TypeScript twins of the Python it renders (matchers.ts). Here the rendered
// files run in the real sandbox through the built CLI (`lf-studio label` writes every row's votes) and every
// vote is compared: on rows made to trip the two languages up (case mappings, Unicode word characters and
// whitespace, code points against UTF-16 units, values Python refuses to compare), and on the youtube data
// with the LFs `lf-studio suggest --out` wrote, which `analyze` and `label` must take as they are.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { voteColumns } from '../../lf-runtime/src/suggest/matchers.ts';
import { renderLfFile, renderLfs } from '../../lf-runtime/src/suggest/renderPython.ts';
import type { LfSpec, WordTest } from '../../lf-runtime/src/suggest/types.ts';

const repo = join(import.meta.dirname, '..', '..');
const example = join(repo, 'examples', 'youtube-spam');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), ...args], { encoding: 'utf8', timeout: 300_000 });

/** Every row's votes as the sandbox gave them, from `lf-studio label`'s JSONL, and what label said on stderr. */
function sandboxVotes(lfFile: string, data: string, extra: string[] = []): { votes: number[][]; stderr: string } {
  const out = join(mkdtempSync(join(tmpdir(), 'lf-suggest-votes-')), 'labels.jsonl');
  const r = cli('label', '--lfs', lfFile, '--data', data, '--out', out, '--timeout-ms', '120000', ...extra);
  assert.equal(r.status, 0, r.stderr);
  const votes = readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { votes: number[] }).votes);
  return { votes, stderr: r.stderr };
}

/** Where the TypeScript votes differ from the sandbox's: row, LF, both votes, the row's text. */
function disagreements(specs: readonly LfSpec[], names: readonly string[], rows: readonly Row[], sandbox: number[][]): string[] {
  const columns = voteColumns(specs, rows);
  const out: string[] = [];
  rows.forEach((row, i) => {
    columns.forEach((column, j) => {
      if (column[i] !== sandbox[i][j]) out.push(`row ${row.id} ${JSON.stringify(row.fields)}: ${names[j]} TypeScript ${column[i]}, sandbox ${sandbox[i][j]}`);
    });
  });
  return out;
}

const f = 'text';
const checkOut: WordTest = { kind: 'phrase', field: f, words: ['check', 'out'] };
const subscri: WordTest = { kind: 'prefix', field: f, prefix: 'subscri' };
const SPECS: LfSpec[] = [
  { test: checkOut, label: 1 },
  { test: { kind: 'phrase', field: f, words: ['café'] }, label: 1 },
  { test: { kind: 'phrase', field: f, words: ['σίσυφος'] }, label: 0 },
  { test: subscri, label: 1 },
  { test: { kind: 'prefix', field: f, prefix: 'stanb' }, label: 1 },
  { test: { kind: 'phrase', field: f, words: ['x²'] }, label: 1 },
  { test: { kind: 'phrase', field: f, words: ['٣'] }, label: 1 },
  { test: { kind: 'wordsInOrder', field: f, words: ['what', 'stand'] }, label: 0 },
  { test: { kind: 'noneOf', field: f, tests: [checkOut, subscri] }, label: 0 },
  { test: { kind: 'textMeasure', field: f, measure: 'chars', op: '>=', threshold: 5 }, label: 1 },
  { test: { kind: 'textMeasure', field: f, measure: 'words', op: '<=', threshold: 2 }, label: 0 },
  { test: { kind: 'textMeasure', field: f, measure: 'digits', op: '>=', threshold: 3 }, label: 1 },
  { test: { kind: 'textMeasure', field: f, measure: 'uppercase', op: '>=', threshold: 2 }, label: 1 },
  { test: { kind: 'textMeasure', field: f, measure: 'exclamations', op: '>=', threshold: 2 }, label: 1 },
  { test: { kind: 'textMeasure', field: f, measure: 'questions', op: '>=', threshold: 1 }, label: 0 },
  { test: { kind: 'number', field: 'score', op: '>=', threshold: 1 }, label: 1 },
  { test: { kind: 'number', field: 'count', op: '<=', threshold: 0.5 }, label: 0 },
  { test: { kind: 'startsWith', field: f, words: ['how', 'many'] }, label: 1 },
  { test: { kind: 'startsWith', field: f, words: ['σίσυφος'] }, label: 0 },
  { test: { kind: 'startsThen', field: f, words: ['what'], then: 'stand', within: 3 }, label: 0 },
  { test: { kind: 'endsWith', field: f, words: ['stand', 'for'] }, label: 1 },
  { test: { kind: 'startsShort', field: f, words: ['what', 'does'], maxWords: 5 }, label: 0 },
  { test: { kind: 'noneOf', field: f, tests: [checkOut, subscri], within: { kind: 'startsWith', field: f, words: ['check'] } }, label: 0 },
  // Scripts written without spaces: characters anywhere in a run (23-25), and in a fallback's pattern (26).
  { test: { kind: 'substring', field: f, text: '微信' }, label: 1 },
  { test: { kind: 'substring', field: f, text: 'にち' }, label: 0 },
  { test: { kind: 'substring', field: f, text: 'ที่ดี' }, label: 0 },
  { test: { kind: 'noneOf', field: f, tests: [checkOut, { kind: 'substring', field: f, text: '微信' }] }, label: 0 },
  { test: { kind: 'substring', field: f, text: '𠀀𠀁' }, label: 1 },
];

const TEXTS = [
  'Check OUT my channel!!',
  'check\tout',
  'check\u00a0out now',
  'check\u200bout',
  'checkout',
  'CHECK_OUT',
  'check\x1cout',
  'check\ufeffout',
  'ΣΊΣΥΦΟΣ',
  'σίσυφος είναι',
  'Café au lait',
  'CAFÉ',
  'cafe\u0301',
  'İstanbul',
  'SUBSCRIBED',
  'unsubscribe',
  'free x² stuff',
  'x2',
  '٣ apples',
  'What does NASA stand for?',
  'stand what',
  'what\nwill\nstand',
  '😀😀😀😀😀',
  '😀😀',
  'a\u00a0b',
  'a\x1cb c',
  'one\u200btwo',
  'call 555 1234',
  '٣٣٣',
  'HELLO',
  'Wow!!',
  'why?',
  '',
  '   ',
  'lone \ud83d half',
  'K\u212a', // the Kelvin sign lowercases to k
  'How many?',
  '  "how\u00a0many cats',
  'how\u200bmany', // a zero-width space is no word character: two words
  'how_many',
  'showing how many',
  'what does NASA stand for',
  'what does it stand for?\n',
  'what is this, stand for?\n\n',
  'what a b c stand',
  'WHAT does x stand for',
  'stand for what',
  'check this',
  'checkout, subscribe',
  'check, then subscribe',
  '加我微信领取红包',
  '微信',
  '微 信',
  'こんにちは世界',
  'ภาษาไทยที่ดี',
  'ที่ ดี',
  '古𠀀𠀁字',
  '𠀀 𠀁',
];
const SCORES: unknown[] = [3, 0.5, null, '7', true, false, undefined, 1, -2];

/**
 * The TEXTS rows (text as `text` gives it, a count, a score of SCORES) as JSONL in a new folder, and every SPECS
 * LF rendered with `options` into suggested.py there.
 */
function writeCase(prefix: string, text: (t: string, i: number) => string | null, count: (i: number) => number, options: { textMayBeMissing?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const data = join(dir, 'rows.jsonl');
  const lines = TEXTS.map((t, i) => {
    const row: Record<string, unknown> = { text: text(t, i), count: count(i) };
    if (SCORES[i % SCORES.length] !== undefined) row.score = SCORES[i % SCORES.length];
    return JSON.stringify(row);
  });
  writeFileSync(data, `${lines.join('\n')}\n`);
  const evidence = { precision: { correct: 1, votes: 1, precision: 1, lowerBound: 0.5 }, coverage: { rows: 1, of: 1 } };
  const rendered = renderLfs(
    SPECS.map((spec) => ({ spec, evidence })),
    { classes: ['HAM', 'SPAM'], ...options },
  );
  const lfFile = join(dir, 'suggested.py');
  writeFileSync(lfFile, renderLfFile(rendered, ['HAM', 'SPAM'], 'Every kind of suggested LF.\n'));
  return { data, lfFile, names: rendered.map((r) => r.name) };
}

describe('rendered LFs vote in the sandbox as their TypeScript twins do', () => {
  it('on rows chosen to trip the two languages up', { timeout: 300_000 }, async () => {
    const { data, lfFile, names } = writeCase('lf-suggest-agree-', (t) => t, (i) => (i % 3 === 0 ? 0 : i));
    assert.match(readFileSync(lfFile, 'utf8'), /x\["count"\] is not None and x\["count"\] <= 0\.5/);

    const rows = (await readDataset(data)).rows;
    const sandbox = sandboxVotes(lfFile, data, ['--labels', 'HAM,SPAM']).votes;
    assert.equal(sandbox.length, rows.length);
    assert.deepEqual(disagreements(SPECS, names, rows, sandbox), []);
    // The rows do what they were written for: spot checks of the TypeScript side.
    const votes = voteColumns(SPECS, rows);
    const on = (j: number) => rows.filter((_, i) => votes[j][i] !== -1).map((r) => r.fields.text);
    assert.deepEqual(on(0), ['Check OUT my channel!!', 'check\tout', 'check\u00a0out now', 'check\x1cout']);
    assert.deepEqual(on(2), ['ΣΊΣΥΦΟΣ', 'σίσυφος είναι']);
    assert.deepEqual(on(9).includes('😀😀😀😀😀'), true, 'five code points');
    assert.deepEqual(on(9).includes('😀😀'), false, 'two code points, four UTF-16 units');
    // From the first or the second word on: "showing how many" too, not "how_many" (one word).
    assert.deepEqual(on(17), ['How many?', '  "how\u00a0many cats', 'how\u200bmany', 'showing how many']);
    assert.deepEqual(on(18), ['ΣΊΣΥΦΟΣ', 'σίσυφος είναι']);
    assert.deepEqual(on(19), ['What does NASA stand for?', 'what\nwill\nstand', 'what does NASA stand for', 'what does it stand for?\n', 'what is this, stand for?\n\n', 'WHAT does x stand for']);
    assert.deepEqual(on(20), ['What does NASA stand for?', 'what does NASA stand for', 'what does it stand for?\n', 'what is this, stand for?\n\n', 'WHAT does x stand for']);
    assert.deepEqual(on(21), ['What does NASA stand for?', 'what does NASA stand for', 'what does it stand for?\n', 'WHAT does x stand for']);
    // Rows starting with the word "check" without "check out" or a word starting "subscri": a zero-width space
    // or a BOM is no whitespace, so "check\u200bout" is not the phrase.
    assert.deepEqual(on(22), ['check\u200bout', 'check\ufeffout', 'check this']);
    assert.deepEqual(on(23), ['加我微信领取红包', '微信']);
    assert.deepEqual(on(24), ['こんにちは世界']);
    assert.deepEqual(on(25), ['ภาษาไทยที่ดี']);
    assert.equal(on(26).includes('微信') || on(26).includes('check out'), false);
    assert.equal(on(26).includes('微 信'), true);
    assert.deepEqual(on(27), ['古𠀀𠀁字'], 'characters outside the BMP, one code point each');
    // Named by their own characters, which Python reads back as the same name.
    assert.ok(names.includes('contains_微信_spam') && names.includes('contains_にち_ham'), names.join(' '));
  });

  it('on rows whose text is a JSON null: each test checks for a string first, so it abstains there as the twin does', { timeout: 300_000 }, async () => {
    const { data, lfFile, names } = writeCase('lf-suggest-null-', (t, i) => (i % 4 === 1 ? null : t), (i) => i, { textMayBeMissing: true });
    const { votes, stderr } = sandboxVotes(lfFile, data, ['--labels', 'HAM,SPAM']);
    assert.doesNotMatch(stderr, /NoneType/, 'no text test raises on a null text (the score test still meets its strings)');
    const rows = (await readDataset(data)).rows;
    assert.deepEqual(disagreements(SPECS, names, rows, votes), []);
  });

  it('on the youtube data, with the file `lf-studio suggest --out` writes, which analyze and label take as it is', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-suggest-youtube-'));
    const lfFile = join(dir, 'suggested.py');
    const suggest = cli('suggest', '--project', example, '--max-lfs', '12', '--out', lfFile, '--json');
    assert.equal(suggest.status, 0, suggest.stderr);
    const summary = JSON.parse(suggest.stdout) as { lfs: { name: string; code: string; precision: number; coverage: number; label: string }[]; seconds: number };
    assert.ok(summary.lfs.length >= 2 && summary.lfs.length <= 12);

    const train = join(example, 'data', 'train.json');
    const analyze = cli('analyze', '--lfs', lfFile, '--data', train, '--dev', join(example, 'data', 'valid.json'), '--json');
    assert.equal(analyze.status, 0, analyze.stderr);
    const analysis = JSON.parse(analyze.stdout) as { lfs: { name: string; coverage: number; errors: number }[] };
    assert.deepEqual(
      analysis.lfs.map((lf) => lf.name),
      summary.lfs.map((lf) => lf.name),
    );
    assert.ok(analysis.lfs.every((lf) => lf.errors === 0));

    // The sandbox's votes on every training row against the TypeScript twins of the LFs the file holds.
    const { suggestLfs } = await import('../../lf-runtime/src/suggest/suggest.ts');
    const sample = await readDataset(train);
    const dev = await readDataset(join(example, 'data', 'valid.json'));
    const again = suggestLfs(
      { classes: ['HAM', 'SPAM'], labeled: { rows: dev.rows, gold: dev.gold!.map((g) => g!) }, unlabeled: sample.rows, textField: 'text' },
      { maxLfs: 12 },
    );
    assert.deepEqual(
      again.lfs.map((lf) => lf.name),
      summary.lfs.map((lf) => lf.name),
      'the CLI and the API suggest the same LFs',
    );
    assert.equal(readFileSync(lfFile, 'utf8'), again.file);
    const sandbox = sandboxVotes(lfFile, train).votes;
    assert.deepEqual(disagreements(again.lfs.map((lf) => lf.spec), again.lfs.map((lf) => lf.name), sample.rows, sandbox), []);
    // Coverage as the suggester reported it is coverage as the sandbox measured it.
    summary.lfs.forEach((lf, j) => assert.ok(Math.abs(lf.coverage - analysis.lfs[j].coverage) < 1e-12, lf.name));
  });
});
