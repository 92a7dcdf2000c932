// `lf-studio export-job`: the label model written as parameters (every candidate the default can choose,
// checked in TypeScript and in the job's Python), and the exported job run as a user runs it: in one process
// on the sample, and on a Dask LocalCluster with two workers over rows made from the youtube texts, against
// `lf-studio label` on the same rows.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareWithModel, exportLabelModel, ModelExportError, scoreWithParams, type LabelModelParams } from '../../lf-runtime/src/export/modelParams.ts';
import { fitCandidates, fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import { findOverrides, setAsideOverridden, withOverrides } from '../../lf-runtime/src/labelModel/overrides.ts';
import { compressVoteMatrix } from '../../lf-runtime/src/labelModel/voteIndex.ts';
import { readWrenchTask, readWrenchVotes } from '../../lf-runtime/src/labelModel/wrenchVotes.ts';
import { bubblewrap } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import { assertSameLabels, cli, daskPython, labelThenJob, NO_DASK, NO_NUMPY, numpyPython, readJsonl, readParts, repo, runJob, wrench } from '../support/exportedJob.ts';

const example = join(repo, 'examples', 'youtube-spam');
const runtimeDir = join(repo, 'lf-runtime', 'src', 'export', 'python');
/** The five candidates of the default, made whole with its overrides, on a WRENCH dataset's train votes. */
function candidates(name: string) {
  const dir = join(wrench, name);
  const train = readWrenchVotes(join(dir, 'train.json'));
  const valid = readWrenchVotes(join(dir, 'valid.json'));
  const test = readWrenchVotes(join(dir, 'test.json'));
  const { k, classNames } = readWrenchTask(dir, [train, valid, test]);
  const index = compressVoteMatrix(train.L, k, 1e9)!;
  const aside = setAsideOverridden(index, findOverrides(index));
  const models = fitCandidates(aside.index).map((c) => withOverrides(c, index, aside, 0));
  const base = fitDefault(train.L, k);
  const lfs = Array.from({ length: train.L.m }, (_, j) => ({ name: `lf_${j}`, file: 'lfs.py' }));
  return { train, valid, test, k, classNames, models, base, lfs };
}

describe('the label model as parameters', () => {
  for (const name of ['youtube', 'sms', 'trec']) {
    it(`reproduces every candidate of the default on ${name}, on rows it was not checked on`, () => {
      const { train, valid, test, classNames, models, base, lfs } = candidates(name);
      assert.equal(models.length, 5);
      for (const model of models) {
        const params = exportLabelModel({ fit: { ...base, model, chosen: model.name }, trainL: train.L, dev: { L: valid.L, gold: valid.gold }, classes: classNames, lfs });
        const check = compareWithModel(params, model, test.L);
        assert.ok(check.maxDifference <= 1e-10, `${name}/${model.name}: ${check.maxDifference}`);
        assert.equal(check.labelMismatches, 0, `${name}/${model.name}`);
        const expected = { majority: 'vote-share', 'flying-squid': 'one-vs-rest' }[model.name] ?? 'log-linear';
        assert.equal(params.scorer.kind, expected, model.name);
        if (name === 'trec') assert.ok(params.overrides.length > 0, 'trec has overrides, so they are part of the check');
      }
    });
  }

  it('refuses a model the chosen form cannot reproduce, and the check sees a changed weight', () => {
    const { train, classNames, models, base, lfs } = candidates('youtube');
    const majority = models.find((m) => m.name === 'majority')!;
    // Vote shares are not log-linear: read as if they were, the parameters must be refused.
    assert.throws(
      () => exportLabelModel({ fit: { ...base, model: majority, chosen: 'agreement' }, trainL: train.L, dev: null, classes: classNames, lfs }),
      (err: unknown) => err instanceof ModelExportError && /cannot be written as parameters/.test(err.message),
    );
    // FlyingSquid on six classes normalises one sigmoid per class: positive everywhere, yet not log-linear.
    const trec = candidates('trec');
    const squid = trec.models.find((m) => m.name === 'flying-squid')!;
    assert.throws(
      () => exportLabelModel({ fit: { ...trec.base, model: squid, chosen: 'agreement' }, trainL: trec.train.L, dev: null, classes: trec.classNames, lfs: trec.lfs }),
      (err: unknown) => err instanceof ModelExportError && /cannot be written as parameters: on \d+ checked rows they differ from it by up to/.test(err.message),
    );
    const agreement = models.find((m) => m.name === 'agreement')!;
    const params = exportLabelModel({ fit: { ...base, model: agreement, chosen: 'agreement' }, trainL: train.L, dev: null, classes: classNames, lfs });
    const changed: LabelModelParams = JSON.parse(JSON.stringify(params));
    if (changed.scorer.kind !== 'log-linear') throw new Error('expected log-linear');
    changed.scorer.weights[2][1][1] += 1e-6;
    assert.ok(compareWithModel(changed, agreement, train.L).maxDifference > 1e-10);
  });

  it("gives the same probabilities and labels in the job's Python as in TypeScript", { skip: numpyPython ? false : NO_NUMPY }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-params-'));
    const cases: { params: LabelModelParams; votes: number[]; expected: ReturnType<typeof scoreWithParams> }[] = [];
    for (const name of ['youtube', 'trec']) {
      const { train, test, classNames, models, base, lfs } = candidates(name);
      for (const model of models) {
        const params = exportLabelModel({ fit: { ...base, model, chosen: model.name }, trainL: train.L, dev: null, classes: classNames, lfs });
        cases.push({ params, votes: Array.from(test.L.data), expected: scoreWithParams(params, test.L, 'predict') });
      }
    }
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases.map(({ params, votes }) => ({ params, votes }))));
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(runtimeDir)})`,
      'import lfstudio_runtime as rt',
      'cases = json.load(open(sys.argv[1]))',
      'out = []',
      'for c in cases:',
      '    m = len(c["params"]["lfs"])',
      '    rows = [c["votes"][i:i + m] for i in range(0, len(c["votes"]), m)]',
      '    out.append(rt.score_votes(c["params"], rows, "predict"))',
      'print(json.dumps(out))',
    ].join('\n');
    const py = spawnSync(numpyPython!, ['-c', script, join(dir, 'cases.json')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(py.status, 0, py.stderr);
    const results = JSON.parse(py.stdout) as [number[][], number[]][];
    assert.equal(results.length, 10);
    results.forEach(([probs, labels], t) => {
      const { expected, params } = cases[t];
      const k = params.classes.length;
      let maxDiff = 0;
      probs.forEach((row, i) => row.forEach((p, c) => (maxDiff = Math.max(maxDiff, Math.abs(p - expected.probs[i * k + c])))));
      assert.ok(maxDiff <= 1e-12, `${params.candidate}: ${maxDiff}`);
      assert.deepEqual(labels, Array.from(expected.labels), params.candidate);
    });
  });
});

/** Rows of youtube comments (all three splits, cycled, some with a suffix LFs react to), as JSONL. */
function youtubeRows(n: number): string {
  const texts: string[] = [];
  for (const split of ['train', 'valid', 'test']) {
    const data = JSON.parse(readFileSync(join(wrench, 'youtube', `${split}.json`), 'utf8')) as Record<string, { data: { text: string } }>;
    for (const v of Object.values(data)) texts.push(v.data.text);
  }
  const suffixes = ['', ' please subscribe', ' my song', ' http://x.co', ' lol', ' check it out', ' pizza zz'];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ text: texts[i % texts.length] + suffixes[(i * 5) % suffixes.length], n: i }));
  return lines.join('\n') + '\n';
}

/** An LF file with an exception inside a broader LF (an override), one that raises and one that returns a bool. */
const EXTRA_LFS = `from snorkel.labeling import labeling_function


@labeling_function()
def has_o(x):
    return 1 if "o" in x.text.lower() else -1


@labeling_function()
def says_song(x):
    return 0 if "song" in x.text.lower() else -1


@labeling_function()
def fragile(x):
    if "zz" in x.text:
        raise ValueError("no zz")
    return True if "love" in x.text.lower() else None
`;

/**
 * A second LF file of near-copies of the example's LFs: subscribe_again casts nine in ten of its votes as
 * keyword_subscribe does and it as many of its own (a near-copy, counted once in the accuracy estimates), and
 * link_again votes exactly as keyword_link (an exact duplicate, which the agreement check's judges leave out).
 */
const COPY_LFS = `from snorkel.labeling import labeling_function


@labeling_function()
def subscribe_again(x):
    return 1 if "subscrib" in x.text.lower() else -1


@labeling_function()
def link_again(x):
    return 1 if "http" in x.text.lower() else -1
`;

describe('the exported job', () => {
  it('on the sample, in one process: the same votes and probabilities as lf-studio label, LF files unchanged', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-'));
    const job = join(dir, 'job');
    const train = join(wrench, 'youtube', 'train.json');
    const dev = join(wrench, 'youtube', 'valid.json');
    const lfs = join(example, 'lfs.py');
    const exported = cli('export-job', '--lfs', lfs, '--data', train, '--dev', dev, '--out', job, '--json');
    assert.equal(exported.status, 0, exported.stderr);
    const summary = JSON.parse(exported.stdout);
    assert.deepEqual(readFileSync(join(job, 'lfs', 'lfs.py')), readFileSync(lfs), 'the LF file is copied byte for byte');
    for (const f of ['run.py', 'lfstudio_runtime/__init__.py', 'snorkel_compat.py', 'label_model.json', 'job.json']) assert.ok(existsSync(join(job, f)), f);
    const runtimeFiles = readdirSync(join(job, 'lfstudio_runtime'));
    assert.ok(runtimeFiles.length >= 8, runtimeFiles.join(', '));
    for (const f of runtimeFiles) assert.doesNotMatch(readFileSync(join(job, 'lfstudio_runtime', f), 'utf8'), /pyodide|lf_guard/, f);

    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', lfs, '--data', train, '--dev', dev, '--out', labelled, '--json');
    assert.equal(label.status, 0, label.stderr);
    assert.equal(summary.model, JSON.parse(label.stdout).model.name);

    const out = join(dir, 'out');
    const run = runJob(job, train, out, '--serial', '--partition-rows', '500');
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('part-')).sort(), ['part-00000.jsonl', 'part-00001.jsonl', 'part-00002.jsonl', 'part-00003.jsonl']);
    assertSameLabels(readJsonl(readFileSync(labelled, 'utf8')), readParts(out));
    const jobSummary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8'));
    assert.equal(jobSummary.rows, 1686);
    assert.match(jobSummary.snorkel, /stand-in|snorkel/);

    // CSV input (quotes, commas, a line break inside a field) and an error at a line of a JSONL file.
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, 'n,text,label\n1,"check out my channel, please",1\n2,"a song\nwith two lines",\n3,plain,0\n');
    const csvLabels = join(dir, 'csv.jsonl');
    assert.equal(cli('label', '--lfs', lfs, '--data', train, '--dev', dev, '--apply', csv, '--out', csvLabels).status, 0);
    const csvOut = join(dir, 'csv-out');
    const csvRun = runJob(job, csv, csvOut, '--serial');
    assert.equal(csvRun.status, 0, csvRun.stderr);
    assertSameLabels(readJsonl(readFileSync(csvLabels, 'utf8')), readParts(csvOut));
    // Tab- and semicolon-separated input, read as lf-studio reads it.
    const separated: [string, string][] = [
      ['rows.tsv', 'n\ttext\tlabel\n1\tcheck out my channel, please\t1\n2\t"a song; with\ttabs"\t\n3\tplain\t0\n'],
      ['semi.csv', 'n;text;label\n1;"check out my channel; please";1\n2;a song, with commas;\n3;plain;0\n'],
    ];
    for (const [name, content] of separated) {
      const input = join(dir, name);
      writeFileSync(input, content);
      const expected = join(dir, `${name}.jsonl`);
      assert.equal(cli('label', '--lfs', lfs, '--data', train, '--dev', dev, '--apply', input, '--out', expected).status, 0, name);
      const rows = readJsonl(readFileSync(expected, 'utf8'));
      assert.equal(rows.length, 3, name);
      assert.ok(rows[0].votes.some((v) => v === 1), `${name}: the spam row gets a spam vote`);
      const sepOut = join(dir, `${name}-out`);
      const sepRun = runJob(job, input, sepOut, '--serial');
      assert.equal(sepRun.status, 0, sepRun.stderr);
      assertSameLabels(rows, readParts(sepOut));
    }

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "fine"}\n\n{"text": oops}\n');
    const badRun = runJob(job, bad, join(dir, 'bad-out'), '--serial');
    assert.equal(badRun.status, 1);
    assert.match(badRun.stderr, /bad\.jsonl:3: line 3 is not valid JSON/);
    const again = runJob(job, train, out, '--serial');
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already holds 4 part files; pass --overwrite/);
    const missing = runJob(job, join(dir, 'none-*.csv'), join(dir, 'o'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--input .*none-\*\.csv: no file matches/);
    // A scheduler address nothing answers at: one line naming it and the fix, not distributed's traceback.
    const nowhere = runJob(job, train, join(dir, 'o2'), '--scheduler', 'tcp://127.0.0.1:9', '--connect-timeout', '2');
    assert.equal(nowhere.status, 1, nowhere.stderr);
    assert.match(nowhere.stderr, /lf-studio job: no Dask scheduler answers at tcp:\/\/127\.0\.0\.1:9 \(.*\); start one there, give its address, or drop --scheduler/);
    assert.ok(!nowhere.stderr.includes('Traceback'), nowhere.stderr);

    const notEmpty = cli('export-job', '--lfs', lfs, '--data', train, '--out', job);
    assert.equal(notEmpty.status, 2);
    assert.match(notEmpty.stderr, /--out .* is not empty; choose a new folder, or pass --force/);
  });

  it("with Snorkel preprocessors that add fields: the job's Python gives the same votes as lf-studio label", { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    // The mutable row a preprocessor gets is built in the job's own Python (Debian's 3.11 here), not pyodide's.
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-pre-'));
    const lfs = join(dir, 'pre_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\nfrom snorkel.preprocess import preprocessor\n\n' +
        '@preprocessor(memoize=True)\ndef lowered(x):\n    x.lowered = x.text.lower()\n    return x\n\n' +
        '@labeling_function(pre=[lowered])\ndef lf_check(x):\n    return 1 if "check" in x.lowered else -1\n\n' +
        '@labeling_function(pre=[lowered])\ndef lf_song(x):\n    return 0 if "song" in x.lowered else -1\n',
    );
    const train = join(wrench, 'youtube', 'valid.json');
    const job = join(dir, 'job');
    const exported = cli('export-job', '--lfs', lfs, '--data', train, '--out', job);
    assert.equal(exported.status, 0, exported.stderr);
    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', lfs, '--data', train, '--out', labelled);
    assert.equal(label.status, 0, label.stderr);
    const expected = readJsonl(readFileSync(labelled, 'utf8'));
    assert.ok(expected.some((r) => r.votes[0] === 1) && expected.some((r) => r.votes[1] === 0), 'both LFs vote');
    const out = join(dir, 'out');
    const run = runJob(job, train, out, '--serial');
    assert.equal(run.status, 0, run.stderr);
    assertSameLabels(expected, readParts(out));
    const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8')) as { lfs: { name: string; errors: number; firstError: string | null }[] };
    assert.deepEqual(
      summary.lfs.map((l) => [l.name, l.errors, l.firstError]),
      [
        ['lf_check', 0, null],
        ['lf_song', 0, null],
      ],
    );
  });

  it("passes each row to an LF once, as lf-studio label does, when a row raises or a value is an IntEnum", { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-once-'));
    const lfs = join(dir, 'once_lfs.py');
    writeFileSync(
      lfs,
      'from enum import IntEnum\nfrom snorkel.labeling import labeling_function\n\nclass Label(IntEnum):\n    HAM = 0\n    SPAM = 1\n\nCALLS = []\nSEEN = []\n\n' +
        '@labeling_function()\ndef raises_on_second_call(x):\n    CALLS.append(x.text)\n    if len(CALLS) == 2:\n        raise ValueError("second call")\n    return 1 if len(CALLS) <= 3 else 0\n\n' +
        '@labeling_function()\ndef votes_an_enum(x):\n    SEEN.append(x.text)\n    return Label.SPAM if len(SEEN) <= 3 else Label.HAM\n\n' +
        '@labeling_function()\ndef next_without_default(x):\n    next(c for c in x.text if c == "b")\n    return 1\n',
    );
    const train = join(dir, 'rows.csv');
    writeFileSync(train, 'text\na\nb\nc\n');
    const { expected, out } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'HAM,SPAM'], train);
    assert.deepEqual(expected.map((r) => r.votes), [[1, 1, -1], [-1, 1, 1], [1, 1, -1]]);
    const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8')) as { lfs: { name: string; errors: number }[] };
    assert.deepEqual(summary.lfs.map((l) => [l.name, l.errors]), [['raises_on_second_call', 1], ['votes_an_enum', 0], ['next_without_default', 2]]);
  });


  it(
    "with a file that needs the user's NumPy and data without a text column: label and export-job run it in --python, warn of the LF that fails, and the job labels alike",
    { skip: !numpyPython ? NO_NUMPY : !bubblewrap() ? 'bubblewrap is not installed (apt-get install bubblewrap)' : false, timeout: 300_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'lf-own-python-'));
      const lfs = join(dir, 'numeric_lfs.py');
      writeFileSync(
        lfs,
        [
          'import numpy as np',
          'from snorkel.labeling import labeling_function',
          '',
          '@labeling_function()',
          'def high(x):',
          '    return 1 if np.float64(x.score) > 5 else -1',
          '',
          '@labeling_function()',
          'def low(x):',
          '    return 0 if x.score < 3 else -1',
          '',
          '@labeling_function()',
          'def needs_text(x):',
          '    return 1 if "!" in x.text else -1',
          '',
        ].join('\n'),
      );
      const scores = [1, 7, 2, 9, 4, 8, 0, 6, 5, 3, 10, 2];
      const csv = join(dir, 'scores.csv');
      writeFileSync(csv, `score,city\n${scores.map((s, i) => `${s},c${i % 3}`).join('\n')}\n`);
      const own = ['--labels', 'LOW,HIGH', '--python', numpyPython!];

      const labelled = join(dir, 'labels.jsonl');
      const label = cli('label', '--lfs', lfs, '--data', csv, ...own, '--out', labelled);
      // The labels are written; the exit code says an LF failed on every row.
      assert.equal(label.status, 1, label.stderr);
      assert.match(label.stderr, /warning: needs_text failed on 12 rows of the training data \(counted as abstain\); first: .*text/);
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.votes),
        scores.map((s) => [s > 5 ? 1 : -1, s < 3 ? 0 : -1, -1]),
      );

      const job = join(dir, 'job');
      const exported = cli('export-job', '--lfs', lfs, '--data', csv, ...own, '--out', job, '--json');
      // Written, but needs_text failed on every training row: exit 1, as label.
      assert.equal(exported.status, 1, exported.stderr);
      assert.match(exported.stderr, /warning: needs_text failed on 12 rows/);
      assert.match(exported.stderr, /needs_text failed on every training row, so the label model was fitted with it abstaining \(exit code 1\)/);
      assert.match(exported.stderr, /numeric_lfs\.py ran in your own Python: the job's workers need the packages it imports/);
      assert.equal(JSON.parse(exported.stdout).warnings.length, 2);
      const out = join(dir, 'out');
      const run = runJob(job, csv, out, '--serial', '--partition-rows', '5');
      // The labels are written; the exit code says an LF failed on every row, as label's does.
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /lf-studio job: needs_text failed on every row, so its votes are all abstain \(exit code 1\)/);
      assertSameLabels(expected, readParts(out));
    },
  );

  it('on a Dask LocalCluster with two workers: the same votes, probabilities and LF errors as lf-studio label', { skip: daskPython ? false : NO_DASK, timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-dask-'));
    const job = join(dir, 'job');
    const extra = join(dir, 'extra_lfs.py');
    writeFileSync(extra, EXTRA_LFS);
    const lfs = join(example, 'lfs.py');
    const train = join(wrench, 'youtube', 'train.json');
    // No dev set: the agreement model (log-linear), with has_o set aside where says_song disagrees.
    const exported = cli('export-job', '--lfs', extra, '--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--workspace', dir, '--out', job, '--json');
    assert.equal(exported.status, 0, exported.stderr);
    const summary = JSON.parse(exported.stdout);
    assert.equal(summary.scorer, 'log-linear');
    assert.deepEqual(summary.overrides, [{ narrow: 'says_song', broad: 'has_o' }]);

    const rows = 200_000;
    const input = join(dir, 'rows.jsonl');
    writeFileSync(input, youtubeRows(rows));
    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', extra, '--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--apply', input, '--workspace', dir, '--out', labelled, '--json');
    assert.equal(label.status, 0, label.stderr);
    const expected = readJsonl(readFileSync(labelled, 'utf8'));
    const labelSummary = JSON.parse(label.stdout);

    const out = join(dir, 'out');
    const run = await runAsync(daskPython!, [join(job, 'run.py'), '--input', input, '--output', out, '--workers', '2', '--partition-rows', '40000']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /5 partitions from 1 file\(s\) on a LocalCluster of 2 worker process\(es\)/);
    assert.match(run.stderr, /\[#{30}\] 100\.0%/, 'progress bar reaches the end');
    const parts = readdirSync(out).filter((f) => f.startsWith('part-')).sort();
    assert.deepEqual(parts, ['part-00000.jsonl', 'part-00001.jsonl', 'part-00002.jsonl', 'part-00003.jsonl', 'part-00004.jsonl']);
    assert.deepEqual(readJsonl(readFileSync(join(out, parts[1]), 'utf8')).map((r) => r.id).slice(0, 2), ['40001', '40002'], 'parts in input order');
    assertSameLabels(expected, readParts(out));

    const jobSummary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8'));
    assert.equal(jobSummary.rows, rows);
    const errors = (s: { lfs: { name: string; errors: number }[] }) => s.lfs.map((lf) => [lf.name, lf.errors]);
    assert.deepEqual(errors(jobSummary), errors(labelSummary), 'per-LF error counts as in the sandbox');
    assert.ok(jobSummary.lfs.find((lf: { name: string }) => lf.name === 'fragile').errors > 0, 'the fixture makes fragile fail');
    assert.equal(jobSummary.coverage, labelSummary.coverage);

    // The same job on a cluster started elsewhere (its workers never saw the job folder), by address.
    const cluster = spawn(daskPython!, ['-c', CLUSTER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const address = await firstLine(cluster.stdout!);
      const remoteOut = join(dir, 'remote');
      mkdirSync(remoteOut);
      const remote = await runAsync(daskPython!, [join(job, 'run.py'), '--input', input, '--output', remoteOut, '--scheduler', address, '--partition-rows', '50000']);
      assert.equal(remote.code, 0, remote.stderr);
      assert.match(remote.stderr, /on the cluster at tcp:/);
      assertSameLabels(expected, readParts(remoteOut));
    } finally {
      cluster.stdin!.end();
      await new Promise((resolve) => cluster.once('exit', resolve));
    }
  });
  it('with near-copies in a second LF file and an override: the same votes and probabilities as lf-studio label', { skip: daskPython ? false : NO_DASK, timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-copies-'));
    const extra = join(dir, 'extra_lfs.py');
    const copies = join(dir, 'copies.py');
    writeFileSync(extra, EXTRA_LFS);
    writeFileSync(copies, COPY_LFS);
    const lfArgs = ['--lfs', extra, '--lfs', join(example, 'lfs.py'), '--lfs', copies, '--workspace', dir];
    const train = join(wrench, 'youtube', 'train.json');
    const dev = join(wrench, 'youtube', 'valid.json');
    const input = join(dir, 'rows.jsonl');
    writeFileSync(input, youtubeRows(30_000));
    // Without a dev set (the agreement model) and with one (the candidate best on it), on the training rows in
    // one process; without, also on 30k rows made from the youtube texts on a LocalCluster of two workers.
    for (const withDev of [false, true]) {
      const fitArgs = [...lfArgs, '--data', train, ...(withDev ? ['--dev', dev] : []), '--labels', 'HAM,SPAM'];
      const job = join(dir, `job-${withDev}`);
      const exported = cli('export-job', ...fitArgs, '--out', job, '--json');
      assert.equal(exported.status, 0, exported.stderr);
      const summary = JSON.parse(exported.stdout);
      assert.deepEqual(summary.overrides, [{ narrow: 'says_song', broad: 'has_o' }]);
      const params = JSON.parse(readFileSync(join(job, 'label_model.json'), 'utf8')) as LabelModelParams;
      const named = (j: number) => params.lfs[j].name;
      assert.deepEqual(params.fit.nearCopies.map((c) => [named(c.lf), named(c.of)]), [['keyword_subscribe', 'subscribe_again']], 'the fit found the near-copy (the LF with more votes ranks first)');
      for (const [data, serial] of withDev ? [[train, true] as const] : [[train, true] as const, [input, false] as const]) {
        const labelled = join(dir, `labels-${withDev}-${serial}.jsonl`);
        const label = cli('label', ...fitArgs, ...(data === train ? [] : ['--apply', data]), '--out', labelled, '--json');
        assert.equal(label.status, 0, label.stderr);
        const model = JSON.parse(label.stdout).model;
        assert.equal(model.name, summary.model);
        if (!withDev) assert.match(model.chosenBy, /1 near-copy of other LFs counted once/);
        const out = join(dir, `out-${withDev}-${serial}`);
        const args = serial ? ['--serial', '--partition-rows', '500'] : ['--workers', '2', '--partition-rows', '10000'];
        const run = await runAsync(daskPython!, [join(job, 'run.py'), '--input', data, '--output', out, ...args]);
        assert.equal(run.code, 0, run.stderr);
        assertSameLabels(readJsonl(readFileSync(labelled, 'utf8')), readParts(out));
      }
    }
  });
});

const CLUSTER_SCRIPT = `import logging, sys
from dask.distributed import LocalCluster
if __name__ == "__main__":
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR)
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()
    cluster.close()
`;

function runAsync(exe: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        stream.off('data', onData);
        resolve(buf.slice(0, nl).trim());
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`the cluster exited before printing its address: ${buf}`)));
  });
}
