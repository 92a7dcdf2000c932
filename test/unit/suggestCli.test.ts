// `lf-studio suggest` in-process: what it prints and writes, the labeled rows it takes from a project
// (dev set plus .lfstudio/labels.jsonl), and one clear line for each kind of bad input.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runSuggestCommand } from '../../lf-runtime/src/cli/suggestCommand.ts';
import { collectLabeledRows } from '../../lf-runtime/src/suggest/labeledRows.ts';
import { parseGoldLabels } from '../../lf-runtime/src/examples/goldLabels.ts';

const repo = join(import.meta.dirname, '..', '..');
const example = join(repo, 'examples', 'youtube-spam');

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runSuggestCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const SPAM_TEXTS = ['free prize now', 'win a free prize', 'free cash prize', 'claim your free prize', 'free prize inside', 'a free prize for you'];
const HAM_TEXTS = ['see you at lunch', 'lunch at noon?', 'thanks for lunch', 'lunch was great', 'running late for lunch', 'lunch tomorrow'];

/** A folder with unlabeled rows (train.jsonl) and labeled rows (dev.jsonl) of a tiny spam task. */
function smallTask(): { dir: string; train: string; dev: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lf-suggest-cli-'));
  const train = join(dir, 'train.jsonl');
  const dev = join(dir, 'dev.jsonl');
  writeFileSync(train, jsonl([...SPAM_TEXTS, ...HAM_TEXTS, ...SPAM_TEXTS, ...HAM_TEXTS].map((text) => ({ text }))));
  writeFileSync(dev, jsonl([...SPAM_TEXTS.map((text) => ({ text, label: 1 })), ...HAM_TEXTS.map((text) => ({ text, label: 0 }))]));
  return { dir, train, dev };
}

describe('lf-studio suggest', () => {
  it('prints an LF file for the example project, and with --json the LFs with their figures', async () => {
    const text = await run('--project', example, '--max-lfs', '5');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^"""Labeling functions suggested from 120 labeled rows and 1686 unlabeled ones \(seed 0\)\./);
    assert.match(text.stdout, /\nfrom snorkel\.labeling import labeling_function\n\nABSTAIN = -1\nHAM = 0\nSPAM = 1\n/);
    assert.match(text.stderr, /suggesting from 120 labeled rows and 1686 unlabeled rows/);
    const json = await run('--project', example, '--max-lfs', '5', '--json');
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout);
    assert.ok(out.lfs.length >= 2 && out.lfs.length <= 5);
    for (const lf of out.lfs) {
      assert.match(lf.name, /^[a-z][a-z0-9_]*$/);
      assert.ok(text.stdout.includes(lf.functionCode), `${lf.name} is in the printed file`);
      assert.match(lf.code, /^(import re\n)?from snorkel\.labeling import labeling_function\n/);
      assert.ok(['HAM', 'SPAM'].includes(lf.label));
      assert.ok(lf.precision > 0 && lf.precision <= 1 && lf.coverage > 0 && lf.coverage <= 1);
      assert.equal(lf.precision, lf.correct / lf.votes);
    }
    assert.equal(typeof out.seconds, 'number');
    assert.equal(out.labeledRows, 120);
  });

  it('writes --out, never over an existing file unless --force', async () => {
    const { dir, train, dev } = smallTask();
    const out = join(dir, 'suggested.py');
    const first = await run('--data', train, '--dev', dev, '--out', out, '--labels', 'HAM,SPAM');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, '', 'the Python goes to the file');
    assert.match(readFileSync(out, 'utf8'), /def keyword_free_spam\(x\):/);
    assert.match(first.stderr, /wrote \d+ LFs to .*suggested\.py/);

    writeFileSync(out, '# my own LFs\n');
    const refused = await run('--data', train, '--dev', dev, '--out', out);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^lf-studio suggest: --out .*suggested\.py exists; choose another file, or pass --force to overwrite it\n$/);
    assert.equal(readFileSync(out, 'utf8'), '# my own LFs\n', 'nothing the user wrote is lost');

    const forced = await run('--data', train, '--dev', dev, '--out', out, '--force', '--seed', '4');
    assert.equal(forced.code, 0, forced.stderr);
    // Class names from the gold ids, without --labels or a label.json.
    assert.match(readFileSync(out, 'utf8'), /\(seed 4\)[^]*\nCLASS_0 = 0\nCLASS_1 = 1\n[^]*def keyword_free_class_1\(x\):/);
  });

  it('takes the dev set and the rows labeled in the editor as labeled rows, skipping lines it cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-suggest-project-'));
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, '.lfstudio'));
    const texts = [...SPAM_TEXTS, ...HAM_TEXTS];
    writeFileSync(join(dir, 'data', 'sample.jsonl'), jsonl(texts.map((text, i) => ({ id: `r${i}`, text }))));
    writeFileSync(join(dir, 'lfstudio.json'), JSON.stringify({ labels: ['HAM', 'SPAM'], data: { sample: 'data/sample.jsonl' }, idField: 'id', lfFiles: ['lfs.py'] }));
    const labels = [
      ...texts.map((_, i) => JSON.stringify({ split: 'sample', id: `r${i}`, label: i < 6 ? 1 : 0 })),
      'not json',
      JSON.stringify({ split: 'sample', id: 'r0', label: 7 }),
      JSON.stringify({ split: 'sample', id: 'r11', label: null }),
      JSON.stringify({ split: 'sample', id: 'nowhere', label: 1 }),
    ];
    writeFileSync(join(dir, '.lfstudio', 'labels.jsonl'), `${labels.join('\n')}\n`);
    const r = await run('--project', join(dir, 'lfstudio.json'), '--json');
    assert.equal(r.code, 0, r.stderr);
    // 12 labeled, r11 taken back: 11.
    assert.equal(JSON.parse(r.stdout).labeledRows, 11);
    assert.match(r.stderr, /warning: .*labels\.jsonl:\d+: not a JSON object.*the line is ignored/);
    assert.match(r.stderr, /warning: .*labels\.jsonl:\d+: "label" must be a class id 0\.\.1 or null, found 7; the line is ignored/);
    assert.match(r.stderr, /warning: 1 labels in .*\.lfstudio\/labels\.jsonl name rows that are not in the data/);
    assert.match(r.stderr, /suggesting from 11 labeled rows \(11 labeled in the editor\)/);

    // "data.labels" names another file: that one is read.
    mkdirSync(join(dir, 'gold'));
    writeFileSync(join(dir, 'gold', 'mine.jsonl'), `${labels.slice(0, 10).join('\n')}\n`);
    writeFileSync(
      join(dir, 'lfstudio.json'),
      JSON.stringify({ labels: ['HAM', 'SPAM'], data: { sample: 'data/sample.jsonl', labels: 'gold/mine.jsonl' }, idField: 'id', lfFiles: ['lfs.py'] }),
    );
    const own = await run('--project', dir, '--json');
    assert.equal(own.code, 0, own.stderr);
    assert.equal(JSON.parse(own.stdout).labeledRows, 10);
  });

  it('says clearly what is wrong with the input', async () => {
    const { dir, train, dev } = smallTask();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const cases: [string[], number, RegExp][] = [
      [['--data', train], 2, /give --project lfstudio\.json, or --data TRAIN and --dev LABELED/],
      [['--data', train, '--dev', join(dir, 'missing.jsonl')], 1, /--dev .*missing\.jsonl: file not found/],
      [['--data', train, '--dev', write('unlabeled.jsonl', jsonl([{ text: 'a' }, { text: 'b' }]))], 1, /no gold labels found in field "label" of the labeled rows/],
      [['--data', train, '--dev', write('oneclass.jsonl', jsonl(SPAM_TEXTS.map((text) => ({ text, label: 1 }))))], 1, /every labeled row is 1: .*label rows of at least one other class/],
      [['--data', train, '--dev', write('broken.json', '{"0": {"label": 1, "data": {"text": "a"}},')], 1, /broken\.json:.*invalid JSON/],
      [['--data', train, '--dev', dev, '--labels', 'ONLY'], 2, /--labels needs at least two class names/],
      [['--data', train, '--dev', dev, '--labels', 'pos,neg,pos'], 2, /--labels lists "pos" twice; class names must be unique/],
      [['--data', train, '--dev', write('range.jsonl', jsonl([{ text: 'a', label: 0 }, { text: 'b', label: 5 }])), '--labels', 'HAM,SPAM'], 1, /labeled row "2" has label 5, but there are 2 classes \(HAM, SPAM\)/],
      [['--data', train, '--dev', dev, '--max-lfs', '0'], 2, /--max-lfs must be an integer of at least 1, got '0'/],
      [['--data', train, '--dev', dev, '--out', join(dir, 'lfs.txt')], 2, /use a file name ending in \.py/],
      [['--data', train, '--dev', dev, '--out', join(dir, 'no', 'such', 'lfs.py')], 2, /folder .* does not exist; create it first/],
      [['--data', train, '--dev', dev, '--force'], 2, /--force only applies to --out FILE\.py/],
      [['--data', train, '--dev', dev, '--bogus'], 2, /Unknown option '--bogus'/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await run(...argv);
      assert.equal(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
      // Progress lines may come first; the problem is one line, the last.
      const last = r.stderr.trimEnd().split('\n').at(-1)!;
      assert.match(code === 0 ? r.stderr : last, message, argv.join(' '));
      if (code !== 0) assert.match(last, /^lf-studio suggest: /);
    }
  });

  it('leaves out dev rows without a label, and says so', async () => {
    const { dir, train } = smallTask();
    const dev = join(dir, 'partly.jsonl');
    writeFileSync(dev, jsonl([...SPAM_TEXTS.map((text) => ({ text, label: 1 })), ...HAM_TEXTS.map((text) => ({ text, label: 0 })), { text: 'free lunch' }]));
    const r = await run('--data', train, '--dev', dev, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: 1 row of .*partly\.jsonl has no label and is left out/);
    assert.equal(JSON.parse(r.stdout).labeledRows, 12);
  });

  it('takes --id-field: the ids are never a field test, however well they split the labeled rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-suggest-ids-'));
    // Both classes have the same texts; only the ids tell them apart (spam rows have the large ones). A numeric
    // field test finds that; an id field is not data, so with --id-field nothing is left to learn.
    const texts = ['see you at lunch', 'lunch at noon', 'thanks for lunch', 'lunch was great', 'late for lunch', 'lunch tomorrow'];
    const rowsOf = (label: number | null, base: number) => texts.map((text, i) => ({ uid: base + i, text, ...(label === null ? {} : { label }) }));
    const train = join(dir, 'train.jsonl');
    const dev = join(dir, 'dev.jsonl');
    writeFileSync(train, jsonl([...rowsOf(null, 1000), ...rowsOf(null, 0), ...rowsOf(null, 2000), ...rowsOf(null, 100)]));
    writeFileSync(dev, jsonl([...rowsOf(1, 3000), ...rowsOf(0, 200)]));
    const without = await run('--data', train, '--dev', dev, '--json');
    assert.equal(without.code, 0, without.stderr);
    assert.ok(JSON.parse(without.stdout).lfs.some((lf: { code: string }) => /uid/.test(lf.code)), 'without --id-field, uid is a numeric field like any other');
    const r = await run('--data', train, '--dev', dev, '--id-field', 'uid', '--json');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /no candidate LF passed the tests/);
  });

  it('explains when no LF passes the tests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-suggest-none-'));
    const train = join(dir, 'train.jsonl');
    const dev = join(dir, 'dev.jsonl');
    // Every word is in one labeled row only: nothing to learn from.
    writeFileSync(train, jsonl(['alpha', 'beta', 'gamma', 'delta'].map((text) => ({ text }))));
    writeFileSync(dev, jsonl([{ text: 'alpha', label: 0 }, { text: 'beta', label: 1 }]));
    const r = await run('--data', train, '--dev', dev);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no candidate LF passed the tests \(\d+ mined, 0 precise enough on the labeled rows and voting on enough unlabeled rows\); label more rows, of every class/);
  });
});

describe('labeled rows from the editor', () => {
  it('reads labels.jsonl defensively: last line wins, null takes back, bad lines counted', () => {
    const text = [
      '{"split":"sample","id":"a","label":1}',
      '{"split":"sample","id":"a","label":0}',
      '{"split":"dev","id":"d","label":1}',
      '{"split":"sample","id":"b","label":1}',
      '{"split":"sample","id":"b","label":null}',
      '{"split":"test","id":"c","label":1}',
      '{"split":"sample","id":"","label":1}',
      '{"split":"sample","id":"e","label":2}',
      '[1,2]',
      '',
      '{"split":"sample","id":7,"label":1}',
    ].join('\n');
    const { labels, problems } = parseGoldLabels(text, 2);
    assert.deepEqual([...labels.sample], [
      ['a', 0],
      ['7', 1],
    ]);
    assert.deepEqual([...labels.dev], [['d', 1]]);
    assert.equal(problems.length, 4);
  });

  it('puts dev rows first (the user\'s label over the file\'s), then the sample rows the user labeled', () => {
    const sample = { path: 's', rows: [{ id: 's1', fields: {} }, { id: 's2', fields: {} }], gold: null };
    const dev = { path: 'd', rows: [{ id: 'd1', fields: {} }, { id: 'd2', fields: {} }, { id: 'd3', fields: {} }], gold: [1, null, 0] };
    const user = { sample: new Map([['s2', 1]]), dev: new Map([['d3', 1]]) };
    const got = collectLabeledRows(sample, dev, user);
    assert.deepEqual(
      got.rows.map((r) => r.id),
      ['d1', 'd3', 's2'],
    );
    assert.deepEqual(got.gold, [1, 1, 1]);
    assert.deepEqual([got.fromDev, got.fromSample, got.devUnlabeled, got.unknownIds], [2, 1, 1, 0]);
  });
});
