// Gold labels written as class names: read as the class ids when the class names are known (the project's
// "labels", --labels, a WRENCH label.json), in the dev set and in the sample; refused with the fix otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runAnalyzeCommand } from '../../lf-runtime/src/cli/analyzeCommand.ts';
import { readCliData } from '../../lf-runtime/src/cli/cliData.ts';
import { runLabelCommand } from '../../lf-runtime/src/cli/labelCommand.ts';
import { goldClassId } from '../../lf-runtime/src/data/datasetBuilder.ts';
import { parseCsvDataset } from '../../lf-runtime/src/data/readCsv.ts';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import { parseJsonlDataset } from '../../lf-runtime/src/data/readJsonl.ts';
import { parseWrenchDataset } from '../../lf-runtime/src/data/readWrench.ts';
import { DataError } from '../../lf-runtime/src/data/types.ts';
import { loadProjectFile } from '../../lf-runtime/src/project/projectFile.ts';
import { loadProjectData } from '../../lf-runtime/src/project/projectData.ts';
import { standInExecutor } from '../support/standInExecutor.ts';

const repo = join(import.meta.dirname, '..', '..');
const HAM_SPAM = ['ham', 'spam'];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lf-gold-names-'));
}
function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
/** The DataError `fn` throws (sync or async). */
async function dataError(fn: () => unknown): Promise<DataError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a DataError');
}

const DEV_CSV = 'text,label\n"win money http://x",spam\n"nice song",ham\n"subscribe http://y",spam\n"my song",ham\n"http link song",ham\n';
const DEV_GOLD = [1, 0, 1, 0, 0];

describe('goldClassId: the one place a gold value becomes a class id', () => {
  it('keeps ids and integer strings, blank and -1 as unknown, with or without class names', () => {
    for (const names of [null, HAM_SPAM]) {
      assert.equal(goldClassId(1, names), 1);
      assert.equal(goldClassId('0', names), 0);
      assert.equal(goldClassId(' 1 ', names), 1);
      assert.equal(goldClassId(-1, names), null);
      assert.equal(goldClassId('-1', names), null);
      assert.equal(goldClassId('', names), null);
      assert.equal(goldClassId(null, names), null);
      assert.equal(goldClassId(undefined, names), null);
      // A label column with missing values, as pandas writes it: floats, blank or NaN where unknown.
      assert.equal(goldClassId('1.0', names), 1);
      assert.equal(goldClassId(' 0.0 ', names), 0);
      assert.equal(goldClassId('-1.0', names), null);
      assert.equal(goldClassId(Number.NaN, names), null);
    }
  });

  it('reads a number as the class it names when the classes are named by numbers (star ratings), never as an id', () => {
    const stars = ['1', '2', '3', '4', '5'];
    assert.deepEqual(
      [1, '1', ' 2 ', '3.0', 5, '05', -1, '-1', Number.NaN, ''].map((g) => goldClassId(g, stars)),
      [0, 0, 1, 2, 4, 4, null, null, null, null],
    );
    const zero = goldClassId(0, stars);
    assert.ok(zero !== null && typeof zero === 'object');
    assert.match(zero.problem('--labels'), /is not one of the class names "1" \(0\), .*the classes are named by numbers, so a gold label is read as the name it spells, not as a class id/);
    // Names that are their own ids read the same either way; names beside numbers still match by name.
    assert.deepEqual([0, '1'].map((g) => goldClassId(g, ['0', '1'])), [0, 1]);
    assert.deepEqual(['low', 10, '20'].map((g) => goldClassId(g, ['low', '10', '20'])), [0, 1, 2]);
    // A WRENCH file's "label" is a class id by the format's definition, whatever the classes are called.
    const wrench = parseWrenchDataset(JSON.stringify({ 0: { label: 1, data: { text: 'b' } }, 1: { label: 0, data: { text: 'a' } } }), 'train.json', { classNames: ['1', '2', '3'] });
    assert.deepEqual(wrench.gold, [1, 0]);
    // CSV and JSONL by name.
    assert.deepEqual(parseCsvDataset('text,label\nb,1\nc,3\n', 'dev.csv', { classNames: ['1', '2', '3'] }).gold, [0, 2]);
    assert.deepEqual(parseJsonlDataset('{"text": "b", "label": 2}\n', 'dev.jsonl', { classNames: ['1', '2', '3'] }).gold, [1]);
  });

  it('maps class names exactly first, then ignoring case when only one name matches', () => {
    assert.equal(goldClassId('spam', HAM_SPAM), 1);
    assert.equal(goldClassId('ham', HAM_SPAM), 0);
    assert.equal(goldClassId(' spam ', HAM_SPAM), 1);
    assert.equal(goldClassId('SPAM', HAM_SPAM), 1);
    assert.equal(goldClassId('Ham', HAM_SPAM), 0);
    // Exact beats a match ignoring case; two names equal but for case make the folded match ambiguous.
    const cased = ['Spam', 'spam', 'ham'];
    assert.equal(goldClassId('Spam', cased), 0);
    assert.equal(goldClassId('spam', cased), 1);
    const ambiguous = goldClassId('SPAM', cased);
    assert.ok(ambiguous !== null && typeof ambiguous === 'object');
    assert.match(ambiguous.problem('--labels'), /matches the class names "Spam" and "spam" only when case is ignored; write it exactly as one of them, or its class id \(0 or 1\)/);
  });

  it('refuses what is neither, and fractions, booleans and ids below -1', () => {
    for (const raw of ['eggs', 1.5, '1.5', '2.0.0', true, -2, '-3', '-2.0', { a: 1 }]) {
      const got = goldClassId(raw, HAM_SPAM);
      assert.ok(got !== null && typeof got === 'object', `${JSON.stringify(raw)} is refused`);
    }
  });
});

describe('readers: gold labels as class names', () => {
  it('a CSV dev set with class names gives the class ids', () => {
    const ds = parseCsvDataset(DEV_CSV, 'dev.csv', { classNames: HAM_SPAM });
    assert.deepEqual(ds.gold, DEV_GOLD);
    assert.ok(ds.rows.every((r) => !('label' in r.fields)), 'the label column stays hidden');
  });

  it('a JSONL file with class names, ids and blanks mixed, matching case-insensitively', () => {
    const text = ['{"text": "a", "label": "SPAM"}', '{"text": "b", "label": "ham"}', '{"text": "c", "label": 1}', '{"text": "d", "label": "0"}', '{"text": "e"}', '{"text": "f", "label": ""}'].join('\n');
    const ds = parseJsonlDataset(text, 'x.jsonl', { classNames: HAM_SPAM });
    assert.deepEqual(ds.gold, [1, 0, 1, 0, null, null]);
  });

  it('a WRENCH split with class names', () => {
    const text = JSON.stringify({ 0: { label: 'HAM', data: { text: 'a' } }, 1: { label: 'SPAM', data: { text: 'b' } } });
    assert.deepEqual(parseWrenchDataset(text, 'x.json', { classNames: ['HAM', 'SPAM'] }).gold, [0, 1]);
  });

  it('an unknown name: the value, the row, the class names and the fix', async () => {
    const err = await dataError(() => parseCsvDataset('text,label\na,spam\nb,eggs\n', 'dev.csv', { classNames: HAM_SPAM, labelsSetting: '--labels' }));
    assert.equal(err.location, '3');
    assert.match(err.problem, /^gold label "eggs" in field "label" is neither a class name nor a class id: the classes are "ham" \(0\), "spam" \(1\) \(from --labels\)/);
    assert.match(err.problem, /Write one of those names or its id \(blank or -1 for unknown\), or name the classes with --labels in class-id order/);
  });

  it('string gold without class names: says to name the classes', async () => {
    const err = await dataError(() => parseJsonlDataset('{"text": "a", "label": 0}\n{"text": "b", "label": "spam"}\n', 'x.jsonl'));
    assert.equal(err.location, '2');
    assert.match(err.problem, /^gold label "spam" in field "label" is not an integer class id, and the class names are not known/);
    assert.match(err.problem, /name the classes in class-id order \(--labels A,B,\.\.\. on the command line, "labels" in lfstudio\.json for a project\)/);
    assert.match(err.problem, /or write class ids 0\.\.k-1/);
    // The field may be data (a brand, a category) and no gold labels at all.
    assert.match(err.problem, /If the field is data your LFs read, not gold labels, name the gold-label field with --label-field \("labelField" in lfstudio\.json\)/);
  });
});

describe('project: the dev set and the sample read with the project\'s "labels"', () => {
  it('maps class names in a CSV dev set and a JSONL sample (as the editor opens the project)', async () => {
    const dir = tempDir();
    write(dir, 'dev.csv', DEV_CSV);
    write(dir, 'sample.jsonl', '{"text": "a", "label": "Spam"}\n{"text": "b"}\n{"text": "c", "label": "ham"}\n');
    write(dir, 'lfstudio.json', JSON.stringify({ labels: HAM_SPAM, data: { sample: 'sample.jsonl', dev: 'dev.csv' } }));
    const loaded = await loadProjectFile(dir);
    assert.ok(loaded.ok);
    const { sample, dev } = await loadProjectData(loaded.project);
    assert.deepEqual(dev!.gold, DEV_GOLD);
    assert.deepEqual(sample.gold, [1, null, 0]);
  });

  it('names the project setting for a name that is not a class', async () => {
    const dir = tempDir();
    write(dir, 'dev.csv', 'text,label\na,ham\nb,maybe\n');
    write(dir, 'sample.jsonl', '{"text": "a"}\n');
    write(dir, 'lfstudio.json', JSON.stringify({ labels: HAM_SPAM, data: { sample: 'sample.jsonl', dev: 'dev.csv' } }));
    const loaded = await loadProjectFile(dir);
    assert.ok(loaded.ok);
    const err = await dataError(() => loadProjectData(loaded.project));
    assert.match(err.message, /dev\.csv:3: gold label "maybe" .* \(from "labels" in lfstudio\.json\)/);
  });
});

describe('command line: class names from --labels or label.json', () => {
  const args = (dir: string, data: string, dev: string | null, labels: string[] | null) => ({
    data: join(dir, data),
    dev: dev && join(dir, dev),
    textField: 'text',
    labelField: 'label',
    idField: null,
    labels,
    labelsSource: labels ? ('--labels' as const) : null,
  });

  it('--labels maps the names in the dev set and in the sample', async () => {
    const dir = tempDir();
    write(dir, 'dev.csv', DEV_CSV);
    write(dir, 'train.csv', 'text,label\nx,\ny,SPAM\nz,ham\n');
    const data = await readCliData(args(dir, 'train.csv', 'dev.csv', HAM_SPAM));
    assert.deepEqual(data.dev!.gold, DEV_GOLD);
    assert.deepEqual(data.sample.gold, [null, 1, 0]);
    assert.deepEqual(data.labels, HAM_SPAM);
  });

  it("label.json beside the data names the classes", async () => {
    const dir = tempDir();
    write(dir, 'label.json', '{"0": "ham", "1": "spam"}');
    write(dir, 'valid.jsonl', '{"text": "a", "label": "spam"}\n{"text": "b", "label": "ham"}\n');
    write(dir, 'train.jsonl', '{"text": "c"}\n');
    const data = await readCliData(args(dir, 'train.jsonl', 'valid.jsonl', null));
    assert.deepEqual(data.dev!.gold, [1, 0]);
    assert.equal(data.labelsSource, 'label.json');
  });

  it('without class names, string gold is refused with the flag that fixes it', async () => {
    const dir = tempDir();
    write(dir, 'dev.csv', DEV_CSV);
    write(dir, 'train.csv', 'text\nx\n');
    const err = await dataError(() => readCliData(args(dir, 'train.csv', 'dev.csv', null)));
    assert.match(err.message, /dev\.csv:2: gold label "spam" .*--labels A,B,\.\.\./);
  });
});

function cliWorkspace(): { dir: string; lfs: string; train: string; dev: string } {
  const dir = tempDir();
  const lfs = write(dir, 'lfs.py', 'def spam_link(x):  # http -> 1\ndef ham_song(x):  # song -> 0\n');
  // The sample's own gold labels are class names too (and may be blank).
  const train = write(dir, 'train.csv', 'text,label\n"check http://a",spam\n"nice song",\n"http://b",SPAM\n"song again",ham\n"plain",\n');
  const dev = write(dir, 'dev.csv', DEV_CSV);
  return { dir, lfs, train, dev };
}

describe('lf-studio analyze and label on gold labels written as class names', () => {
  it('analyze --labels ham,spam: dev correct/incorrect from the names', async () => {
    const { lfs, train, dev } = cliWorkspace();
    let stdout = '';
    let stderr = '';
    const io = { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) };
    const code = await runAnalyzeCommand(['--lfs', lfs, '--data', train, '--dev', dev, '--labels', 'ham,spam', '--json'], io, {}, { createExecutor: standInExecutor });
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout);
    const byName = Object.fromEntries(out.lfs.map((l: { name: string }) => [l.name, l]));
    // Dev rows: spam "win money http://x", ham "nice song", spam "subscribe http://y", ham "my song", ham "http link song".
    assert.deepEqual([byName.spam_link.correct, byName.spam_link.incorrect], [2, 1]);
    assert.deepEqual([byName.ham_song.correct, byName.ham_song.incorrect], [3, 0]);
  });

  it('label --labels ham,spam succeeds, the dev set choosing the model', async () => {
    const { dir, lfs, train, dev } = cliWorkspace();
    const out = join(dir, 'labels.jsonl');
    let stdout = '';
    let stderr = '';
    const io = { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) };
    const code = await runLabelCommand(['--lfs', lfs, '--data', train, '--dev', dev, '--labels', 'ham,spam', '--out', out, '--json'], io, {}, { createExecutor: standInExecutor });
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout);
    assert.equal(summary.model.usedDevSet, true);
    assert.deepEqual(summary.classes, HAM_SPAM);
    assert.equal(readFileSync(out, 'utf8').trimEnd().split('\n').length, 5);
  });

  it('label --apply reads the applied file with the same class names', async () => {
    const { dir, lfs, train, dev } = cliWorkspace();
    const out = join(dir, 'applied.jsonl');
    let stdout = '';
    let stderr = '';
    const io = { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) };
    const code = await runLabelCommand(['--lfs', lfs, '--data', train, '--labels', 'ham,spam', '--apply', dev, '--out', out, '--json'], io, {}, { createExecutor: standInExecutor });
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).labelled, dev);
    assert.equal(readFileSync(out, 'utf8').trimEnd().split('\n').length, 5);
  });

  it('the built CLI: label --labels ham,spam on CSV files with class-name gold', { timeout: 300_000 }, async () => {
    const dir = tempDir();
    const lfs = write(
      dir,
      'lfs.py',
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef spam_link(x):\n    return 1 if "http" in x.text else -1\n\n' +
        '@labeling_function()\ndef ham_song(x):\n    return 0 if "song" in x.text else -1\n',
    );
    const train = write(dir, 'train.csv', 'text,label\n"check http://a",spam\n"nice song",\n"http://b",SPAM\n"song again",ham\n"plain",\n');
    const dev = write(dir, 'dev.csv', DEV_CSV);
    const out = join(dir, 'labels.jsonl');
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), 'label', '--lfs', lfs, '--data', train, '--dev', dev, '--labels', 'ham,spam', '--out', out, '--json'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.model.usedDevSet, true);
    assert.equal(summary.rows, 5);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { votes: number[] });
    assert.deepEqual(rows.map((row) => row.votes), [[1, -1], [-1, 0], [1, -1], [-1, 0], [-1, -1]]);
  });

  it('readDataset with no class names still refuses a name (the old behaviour for callers that give none)', async () => {
    const dir = tempDir();
    const err = await dataError(() => readDataset(write(dir, 'dev.csv', DEV_CSV)));
    assert.match(err.problem, /not an integer class id/);
  });
});
