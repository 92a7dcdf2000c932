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
import { assertSameLabels, cli, daskPython, NO_DASK, NO_NUMPY, numpyPython, readJsonl, readParts, repo, runJob, wrench, type OutRow } from '../support/exportedJob.ts';

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

  it('types CSV columns as the editor does (ints, floats, booleans, missing markers as NaN) over the whole file, whatever the partitions', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-types-'));
    const lfs = join(dir, 'typed_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        'import math\n\n@labeling_function()\ndef lf_int(x):\n    return 1 if type(x.n) is int and x.n >= 3 else 0 if math.isnan(x.n) else -1\n\n' +
        '@labeling_function()\ndef lf_number_type(x):\n    return 1 if type(x.f) is int else 0 if type(x.f) is float else -1\n\n' +
        '@labeling_function()\ndef lf_big(x):\n    return 1 if x.f == 100000000000000000000 else -1\n\n' +
        '@labeling_function()\ndef lf_bool(x):\n    return 1 if x.b is True else 0 if x.b is False else -1 if x.b != x.b else 1\n\n' +
        '@labeling_function()\ndef lf_mixed(x):\n    return 1 if type(x.m) is str and x.m == "7" else 0 if type(x.m) is str else -1\n\n' +
        '@labeling_function()\ndef lf_late(x):\n    return 1 if type(x.late) is int else 0 if type(x.late) is str else -1\n\n' +
        '@labeling_function()\ndef lf_overflow(x):\n    return 1 if type(x.g) is str else 0\n\n' +
        '@labeling_function()\ndef lf_string_missing(x):\n    return 1 if x.s != x.s else 0 if type(x.s) is str else -1\n',
    );
    // `mixed` turns to text only in its last row, and `late` holds a word in a later partition: the editor
    // types the whole file, so the job must too. As pd.read_csv: `n` has a missing value and `f` numbers with a
    // point, so both are floats on every row (3.0, 2.0, 1e20); `g` holds 1e400, too large for a double, so it
    // is strings.
    const rows = ['text,n,f,b,m,late,g,s', 'a,3,2.0,True,7,1,1e400,x', 'b,NA,2.5,false,8,2,1,', 'c,-0,1e20,,9,3,2,NA', 'd,+7,.5,TRUE,7,4,3,y', 'e,007,-1e-3,FALSE,x,word,4,'];
    const csv = join(dir, 'typed.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', lfs, '--data', csv, '--labels', 'A,B', '--out', labelled);
    assert.equal(label.status, 0, label.stderr);
    const expected = readJsonl(readFileSync(labelled, 'utf8'));
    assert.deepEqual(
      expected.map((r) => r.votes),
      [
        [-1, 0, -1, 1, 1, 0, 1, 0],
        [0, 0, -1, 0, 0, 0, 1, 1],
        [-1, 0, 1, -1, 0, 0, 1, 1],
        [-1, 0, -1, 1, 1, 0, 1, 0],
        [-1, 0, -1, 0, 0, 0, 1, 1],
      ],
      'the editor reads the columns typed, a missing value as NaN (in a string column too)',
    );
    const job = join(dir, 'job');
    assert.equal(cli('export-job', '--lfs', lfs, '--data', csv, '--labels', 'A,B', '--out', job).status, 0);
    const out = join(dir, 'out');
    const run = runJob(job, csv, out, '--serial', '--partition-rows', '2');
    assert.equal(run.status, 0, run.stderr);
    assertSameLabels(expected, readParts(out));
  });

  it('reads CSV numbers with spaces around them, all of pandas missing markers and lines of spaces as the editor does', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-spaced-'));
    const lfs = join(dir, 'spaced_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef lf_high(x):\n    return 1 if x.n >= 4 else -1\n\n' +
        '@labeling_function()\ndef lf_ratio(x):\n    return 0 if x.r > 1 else -1\n\n' +
        '@labeling_function()\ndef lf_missing(x):\n    return 0 if x.m != x.m else 1\n',
    );
    const csv = join(dir, 'spaced.csv');
    writeFileSync(csv, 'text,n,r,m\na, 5, 0.5,#NA\n   \nb,1 ,1.5 ,-nan\nc,3,\t2,1.#IND\n \t\nd,4,2.5,#N/A N/A\ne,6,0.1,x\n');
    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', lfs, '--data', csv, '--labels', 'A,B', '--out', labelled);
    assert.equal(label.status, 0, label.stderr);
    const expected = readJsonl(readFileSync(labelled, 'utf8'));
    assert.deepEqual(
      expected.map((r) => [r.id, ...r.votes]),
      [
        ['1', 1, -1, 0],
        ['2', -1, 0, 0],
        ['3', -1, 0, 0],
        ['4', 1, 0, 0],
        ['5', 1, -1, 1],
      ],
      'pd.read_csv: n and r are numbers, m is NaN but for "x", and the lines of spaces are no rows',
    );
    const job = join(dir, 'job');
    assert.equal(cli('export-job', '--lfs', lfs, '--data', csv, '--labels', 'A,B', '--out', job).status, 0);
    const out = join(dir, 'out');
    const run = runJob(job, csv, out, '--serial', '--partition-rows', '2');
    assert.equal(run.status, 0, run.stderr);
    assertSameLabels(expected, readParts(out));
  });

  it('takes ids from the id field as lf-studio label does: in WRENCH records, and JSONL integers beyond 2^53 digit for digit', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-ids-'));
    const lfs = join(dir, 'id_lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n');
    const wrenchFile = join(dir, 'rows.json');
    writeFileSync(wrenchFile, JSON.stringify({ 0: { label: 1, data: { text: 'a', uid: 'u-07' } }, 1: { label: 0, data: { text: 'b', uid: 'u-03' } } }));
    const jsonl = join(dir, 'tweets.jsonl');
    writeFileSync(jsonl, '{"uid": 1234567890123456789, "text": "a"}\n{"uid": 1234567890123456788, "text": "b"}\n{"uid": 5, "text": "ab"}\n');
    for (const [data, ids] of [
      [wrenchFile, ['u-07', 'u-03']],
      [jsonl, ['1234567890123456789', '1234567890123456788', '5']],
    ] as const) {
      const labelled = join(dir, 'labels.jsonl');
      const label = cli('label', '--lfs', lfs, '--data', data, '--id-field', 'uid', '--labels', 'A,B', '--out', labelled);
      assert.equal(label.status, 0, label.stderr);
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.id),
        ids,
      );
      const job = join(dir, `job-${ids.length}`);
      const exported = cli('export-job', '--lfs', lfs, '--data', data, '--id-field', 'uid', '--labels', 'A,B', '--out', job);
      assert.equal(exported.status, 0, exported.stderr);
      const out = join(dir, `out-${ids.length}`);
      const run = runJob(job, data, out, '--serial');
      assert.equal(run.status, 0, run.stderr);
      assertSameLabels(expected, readParts(out));
      // Ids written as floats that lost digits (9007199254740993.0 is 9007199254740992): refused, as label refuses them.
      if (data === jsonl) {
        const lossy = join(dir, 'lossy.jsonl');
        writeFileSync(lossy, '{"uid": 9007199254740993.0, "text": "b"}\n{"uid": 9007199254740992.0, "text": "z"}\n');
        assert.match(cli('label', '--lfs', lfs, '--data', lossy, '--id-field', 'uid', '--labels', 'A,B', '--out', join(dir, 'l.jsonl')).stderr, /too large to be read exactly/);
        const refused = runJob(job, lossy, join(dir, 'out-lossy'), '--serial');
        assert.equal(refused.status, 1, refused.stderr);
        assert.match(refused.stderr, /id .* in field "uid" is an integer too large to be read exactly/);
      }
    }
  });

  it('reads every .json shape pandas to_json writes with the ids and fields lf-studio label reads', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-shapes-'));
    const lfs = join(dir, 'shape_lfs.py');
    writeFileSync(
      lfs,
      'import math\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n\n' +
        '@labeling_function()\ndef lf_stars(x):\n    return -1 if math.isnan(x.stars) else (1 if x.stars > 3 else 0)\n',
    );
    const rows = [
      { text: 'a b', stars: 5, label: 1 },
      { text: 'b', stars: null, label: 0 },
      { text: 'ca', stars: 2, label: 1 },
      { text: 'd', stars: 1, label: 0 },
    ];
    const index = ['r7', 'r3', 'r9', 'r1'];
    const byColumn = (col: 'text' | 'stars' | 'label') => Object.fromEntries(rows.map((r, i) => [index[i], r[col]]));
    const shapes: Record<string, [unknown, string[]]> = {
      records: [rows, ['1', '2', '3', '4']],
      index: [Object.fromEntries(rows.map((r, i) => [index[i], r])), index],
      columns: [{ text: byColumn('text'), stars: byColumn('stars'), label: byColumn('label') }, index],
      split: [{ columns: ['text', 'stars', 'label'], index, data: rows.map((r) => [r.text, r.stars, r.label]) }, index],
      table: [{ schema: { fields: [], primaryKey: ['key'] }, data: rows.map((r, i) => ({ key: index[i], ...r })) }, index],
    };
    let job = '';
    for (const [shape, [content, ids]] of [...Object.entries(shapes), ['lines', [null, ['1', '2', '3', '4']]] as const]) {
      const data = join(dir, `${shape}.json`);
      writeFileSync(data, shape === 'lines' ? rows.map((r) => JSON.stringify(r)).join('\n') + '\n' : JSON.stringify(content));
      const labelled = join(dir, `${shape}-labels.jsonl`);
      const label = cli('label', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', labelled);
      assert.equal(label.status, 0, label.stderr);
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.id),
        ids,
        shape,
      );
      assert.deepEqual(
        expected.map((r) => r.votes),
        [
          [1, 1],
          [0, -1],
          [1, 0],
          [0, 0],
        ],
        shape,
      );
      if (!job) {
        job = join(dir, 'job');
        const exported = cli('export-job', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', job);
        assert.equal(exported.status, 0, exported.stderr);
      }
      const out = join(dir, `out-${shape}`);
      const run = runJob(job, data, out, '--serial', '--partition-rows', '3');
      assert.equal(run.status, 0, `${shape}: ${run.stderr}`);
      assertSameLabels(expected, readParts(out));
    }
    // A MultiIndex in split form (index entries are lists, null among them) and a single-row lines file: the
    // same ids in both readers.
    const odd: Record<string, unknown> = {
      'multi.json': { columns: ['text', 'stars', 'label'], index: [['x', 1], ['x', null], [null, 3], ['y', 4]], data: rows.map((r) => [r.text, r.stars, r.label]) },
      'one.json': null,
      // Python's json.dumps writes a float NaN as a bare NaN: a missing number in both readers.
      'nan.jsonl': rows.map((r) => JSON.stringify(r).replace('"stars":null', '"stars":NaN')).join('\n') + '\n',
    };
    for (const [name, content] of Object.entries(odd)) {
      const data = join(dir, name);
      writeFileSync(data, content === null ? JSON.stringify(rows[0]) + '\n' : typeof content === 'string' ? content : JSON.stringify(content));
      const labelled = join(dir, `${name}-labels.jsonl`);
      // The job's label model was fitted on records.json: so is this one.
      const label = cli('label', '--lfs', lfs, '--data', join(dir, 'records.json'), '--apply', data, '--labels', 'A,B', '--out', labelled);
      assert.equal(label.status, 0, label.stderr);
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.id),
        content === null ? ['1'] : typeof content === 'string' ? ['1', '2', '3', '4'] : ['x,1', 'x,', ',3', 'y,4'],
      );
      const run = runJob(job, data, join(dir, `out-${name}`), '--serial');
      assert.equal(run.status, 0, `${name}: ${run.stderr}`);
      assertSameLabels(expected, readParts(join(dir, `out-${name}`)));
    }
    // And pandas' default to_csv: the index as a column without a name, read as "Unnamed: 0" by both.
    const csv = join(dir, 'indexed.csv');
    writeFileSync(csv, ',text,stars,label,label\n' + rows.map((r, i) => `${i},${r.text},${r.stars ?? ''},${r.label},x`).join('\n') + '\n');
    const csvLabels = join(dir, 'csv-labels.jsonl');
    const csvLabel = cli('label', '--lfs', lfs, '--data', csv, '--labels', 'A,B', '--out', csvLabels);
    assert.equal(csvLabel.status, 0, csvLabel.stderr);
    const csvRun = runJob(job, csv, join(dir, 'out-csv'), '--serial');
    assert.equal(csvRun.status, 0, csvRun.stderr);
    assertSameLabels(readJsonl(readFileSync(csvLabels, 'utf8')), readParts(join(dir, 'out-csv')));
  });

  it('names each row\'s input file when a glob takes several, whose row numbers start again in each', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-glob-'));
    const lfs = join(dir, 'glob_lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n');
    mkdirSync(join(dir, 'parts'));
    const a = join(dir, 'parts', 'a.csv');
    const b = join(dir, 'parts', 'b.csv');
    writeFileSync(a, 'text\nan apple\nbee\ncat\n');
    writeFileSync(b, 'text\nbanana\nplum\n');
    const job = join(dir, 'job');
    const exported = cli('export-job', '--lfs', lfs, '--data', a, '--labels', 'A,B', '--out', job);
    assert.equal(exported.status, 0, exported.stderr);
    const expected: OutRow[] = [];
    for (const f of [a, b]) {
      const out = join(dir, `${f.endsWith('a.csv') ? 'a' : 'b'}-labels.jsonl`);
      const label = cli('label', '--lfs', lfs, '--data', a, '--apply', f, '--labels', 'A,B', '--out', out);
      assert.equal(label.status, 0, label.stderr);
      expected.push(...readJsonl(readFileSync(out, 'utf8')));
    }
    const out = join(dir, 'out');
    const run = runJob(job, join(dir, 'parts', '*.csv'), out, '--serial', '--partition-rows', '2');
    assert.equal(run.status, 0, run.stderr);
    const got = readParts(out) as (OutRow & { file?: string })[];
    assertSameLabels(expected, got);
    assert.deepEqual(
      got.map((r) => [r.file, r.id]),
      [[a, '1'], [a, '2'], [a, '3'], [b, '1'], [b, '2']],
    );
    const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8'));
    assert.deepEqual(summary.partInputs, { 'part-00000.jsonl': a, 'part-00001.jsonl': a, 'part-00002.jsonl': b });
    // One input file: rows as lf-studio label writes them, without the field.
    const single = join(dir, 'single');
    assert.equal(runJob(job, a, single, '--serial').status, 0);
    assert.ok(readParts(single).every((r) => !('file' in r)));
  });

  it('gives every row every field of the input, as the editor does, when a JSONL field is only in some partitions', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-fields-'));
    const lfs = join(dir, 'field_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef lf_unverified(x):\n    return 0 if x.verified is None else -1\n\n' +
        '@labeling_function()\ndef lf_verified(x):\n    return 1 if x.verified else -1\n\n' +
        '@labeling_function()\ndef lf_note(x):\n    return 1 if x["note"] == "vip" else -1\n',
    );
    // `verified` appears only in the last rows, `note` only in the second: with two rows per partition, most
    // partitions hold neither, yet the editor gives every row both (None where a row has none).
    const rows = [
      { text: 'a' },
      { text: 'b', note: 'vip' },
      { text: 'c' },
      { text: 'd' },
      { text: 'e', verified: true },
      { text: 'f', verified: false },
    ];
    const data = join(dir, 'rows.jsonl');
    writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', labelled);
    assert.equal(label.status, 0, label.stderr);
    const expected = readJsonl(readFileSync(labelled, 'utf8'));
    assert.deepEqual(
      expected.map((r) => r.votes),
      [[0, -1, -1], [0, -1, 1], [0, -1, -1], [0, -1, -1], [-1, 1, -1], [-1, -1, -1]],
    );
    const job = join(dir, 'job');
    assert.equal(cli('export-job', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', job).status, 0);
    const out = join(dir, 'out');
    const run = runJob(job, data, out, '--serial', '--partition-rows', '2');
    assert.equal(run.status, 0, run.stderr);
    assertSameLabels(expected, readParts(out));
    assert.match(run.stderr, /labelling 3 partition\(s\) again: their rows lack fields that other rows have \(note, verified\)/);
    const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8')) as { lfs: { errors: number }[] };
    assert.deepEqual(
      summary.lfs.map((l) => l.errors),
      [0, 0, 0],
      'no LF raised for a field its partition lacked',
    );
  });

  it('gives NaN for a null or missing JSON number as lf-studio label does, deciding over the whole input whatever a partition holds', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-nan-'));
    const lfs = join(dir, 'nan_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef lf_price(x):\n    return 1 if x.price > 100 else -1\n\n' +
        '@labeling_function()\ndef lf_weight(x):\n    return 0 if x.w is None else 1 if x.w != x.w else -1\n\n' +
        '@labeling_function()\ndef lf_rating(x):\n    return 1 if x.rating != x.rating else 0 if x.rating is None else -1\n\n' +
        '@labeling_function()\ndef lf_flag(x):\n    return 0 if x.flag is None else 1 if x.flag else -1\n',
    );
    // Two rows per partition: `price` is null or missing in the first partition only (NaN: numbers elsewhere);
    // `w` is null throughout the first partition, numbers in the second and a word in the third (None: not a
    // field of numbers over the whole input); `rating` is in no row of the second partition (NaN there);
    // `flag` holds booleans (None where null or missing).
    const records = [
      { text: 'a', price: null, w: null, flag: true },
      { text: 'b', w: null, rating: 3 },
      { text: 'c', price: 150, w: 5 },
      { text: 'd', price: 50, w: 1, flag: null },
      { text: 'e', price: 200, w: 'heavy', rating: null },
      { text: 'f', price: 120 },
    ];
    const jsonl = join(dir, 'rows.jsonl');
    writeFileSync(jsonl, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const wrenchFile = join(dir, 'rows.json');
    writeFileSync(wrenchFile, JSON.stringify(Object.fromEntries(records.map((data, i) => [String(i), { label: i % 2, data }]))));
    for (const data of [jsonl, wrenchFile]) {
      const labelled = join(dir, 'labels.jsonl');
      const label = cli('label', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', labelled);
      assert.equal(label.status, 0, label.stderr);
      assert.doesNotMatch(label.stderr, /failed on/, 'no LF raises on a missing number');
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.votes),
        [
          [-1, 0, 1, 1],
          [-1, 0, -1, 0],
          [1, -1, 1, 0],
          [-1, -1, 1, 0],
          [1, -1, 1, 0],
          [1, 0, 1, 0],
        ],
        data,
      );
      const job = join(dir, `job-${data.endsWith('.json') ? 'wrench' : 'jsonl'}`);
      assert.equal(cli('export-job', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', job).status, 0);
      for (const partitionRows of ['2', '6']) {
        const out = join(dir, `out-${partitionRows}-${data.endsWith('.json') ? 'wrench' : 'jsonl'}`);
        const run = runJob(job, data, out, '--serial', '--partition-rows', partitionRows);
        assert.equal(run.status, 0, run.stderr);
        assertSameLabels(expected, readParts(out));
        const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8')) as { lfs: { errors: number }[] };
        assert.deepEqual(
          summary.lfs.map((l) => l.errors),
          [0, 0, 0, 0],
        );
        if (partitionRows === '2') {
          assert.match(run.stderr, /labelling 2 partition\(s\) again: their rows lack fields that other rows have \(flag, rating\)/);
          assert.match(run.stderr, /labelling 1 partition\(s\) again: the editor reads a null or missing value as NaN only in a field that holds numbers throughout the input.*\(w\)/);
        } else assert.doesNotMatch(run.stderr, /again/);
      }
    }
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
