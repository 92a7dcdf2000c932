// `lf-studio analyze` as a user runs it: the built CLI in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const repo = join(import.meta.dirname, '..', '..');
const example = join(repo, 'examples', 'youtube-spam');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

describe('lf-studio analyze', () => {
  it('prints the LFAnalysis JSON for the example, LFs in file order, figures computed by running them', () => {
    const r = cli('analyze', '--lfs', join(example, 'lfs.py'), '--data', join(example, 'data', 'train.json'), '--dev', join(example, 'data', 'valid.json'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const train = Object.values(JSON.parse(readFileSync(join(example, 'data', 'train.json'), 'utf8'))) as { data: { text: string } }[];
    const valid = Object.values(JSON.parse(readFileSync(join(example, 'data', 'valid.json'), 'utf8'))) as { label: number; data: { text: string } }[];
    assert.equal(out.rows, train.length);
    assert.deepEqual(
      out.lfs.map((l: { name: string }) => l.name),
      ['keyword_my', 'keyword_subscribe', 'keyword_link', 'keyword_please', 'keyword_song', 'regex_check_out', 'short_comment'],
    );
    const my = out.lfs[0];
    assert.equal(my.coverage, train.filter((r) => r.data.text.toLowerCase().includes('my')).length / train.length);
    assert.deepEqual(my.polarity, [1]);
    const devHits = valid.filter((r) => r.data.text.toLowerCase().includes('my'));
    assert.equal(my.correct, devHits.filter((r) => r.label === 1).length);
    assert.equal(my.incorrect, devHits.filter((r) => r.label !== 1).length);
    assert.equal(my.empiricalAccuracy, my.correct / devHits.length);
    assert.equal(out.labelModel.usedDevSet, true, 'a dev set chooses and calibrates the label model');
    assert.match(out.labelModel.chosenBy, /dev set/);
    for (const lf of out.lfs) {
      assert.ok(lf.estimatedAccuracy > 0 && lf.estimatedAccuracy <= 1, `${lf.name}.estimatedAccuracy`);
      for (const key of ['coverage', 'overlaps', 'conflicts']) assert.ok(lf[key] >= 0 && lf[key] <= 1, `${lf.name}.${key}`);
      assert.equal(lf.errors, 0);
    }
  });

  it('names an exception: a narrow LF inside a broader one that votes differently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-cli-'));
    const lfs = join(dir, 'lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef has_o(x):\n    return 1 if "o" in x.text.lower() else -1\n\n' +
        '@labeling_function()\ndef keyword_song(x):\n    return 0 if "song" in x.text.lower() else -1\n',
    );
    const data = join(example, 'data', 'train.json');
    const train = Object.values(JSON.parse(readFileSync(data, 'utf8'))) as { data: { text: string } }[];
    const songRows = train.filter((r) => r.data.text.toLowerCase().includes('song')).length;
    const json = cli('analyze', '--lfs', lfs, '--data', data, '--json');
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).labelModel.overrides, [{ narrow: 'keyword_song', broad: 'has_o', rows: songRows }]);
    const table = cli('analyze', '--lfs', lfs, '--data', data);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`Exception: keyword_song votes only inside has_o's rows and differently; has_o's vote set aside on ${songRows} rows`));
  });

  it('prints a table without --dev, with no accuracy columns', () => {
    const r = cli('analyze', '--lfs', join(example, 'lfs.py'), '--data', join(example, 'data', 'valid.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\s+j\s+Polarity\s+Coverage\s+Overlaps\s+Conflicts/);
    assert.match(r.stdout, /keyword_my\s+0\s+\[1\]\s+0\.\d{4}/);
    assert.doesNotMatch(r.stdout, /Emp\. Acc\./);
    assert.match(r.stdout, /chosen by the default without gold labels/);
  });

  it('fails with one clear line on bad arguments and bad input', () => {
    const cases: [string[], RegExp][] = [
      [['analyze', '--data', 'x.json'], /--lfs FILE\.py is required/],
      [['analyze', '--lfs', join(example, 'lfs.py'), '--data', '/nope/x.json'], /\/nope\/x\.json: file not found/],
      [['analyze', '--bogus'], /Unknown option '--bogus'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'lfs-cli-'));
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "ok"}\n{"text": broken}\n');
    cases.push([['analyze', '--lfs', join(example, 'lfs.py'), '--data', bad], /bad\.jsonl:2/]);
    const raw = join(repo, 'test', 'fixtures', 'youtube_raw');
    cases.push([
      ['analyze', '--lfs', join(example, 'lfs.py'), '--data', join(raw, 'Youtube01-Psy.csv'), '--dev', join(raw, 'Youtube02-KatyPerry.csv'), '--text-field', 'CONTENT'],
      /Youtube02-KatyPerry\.csv: the dev set has no gold labels in field "label" \(fields found: .*"CLASS"\); .*set --label-field/,
    ]);
    cases.push([['analyze', '--lfs', join(example, 'lfs.py'), '--data', join(raw, 'Youtube01-Psy.csv')], /no "text" column; .*Set --text-field to the column/]);
    const noLfs = join(dir, 'helpers.py');
    writeFileSync(noLfs, 'import re\n\ndef helper(x):\n    return 1\n');
    cases.push([['analyze', '--lfs', noLfs, '--data', join(example, 'data', 'valid.json')], /helpers\.py defines no labeling functions; decorate each one with @labeling_function\(\)/]);
    for (const [args, pattern] of cases) {
      const r = cli(...args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line on stderr for ${args.join(' ')}: ${r.stderr}`);
    }
  });
});
