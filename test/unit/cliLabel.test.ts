// `lf-studio label`: the built CLI on the youtube example against the engine the editor uses, the .npy file
// read by NumPy, and (in-process, with a stand-in sandbox) the uncovered policy, --apply, CSV output and the
// messages for bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runLabelCommand } from '../../lf-runtime/src/cli/labelCommand.ts';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { AnalysisEngine } from '../../lf-runtime/src/engine/analysisEngine.ts';
import { npyHeader, writeNpyMatrix } from '../../lf-runtime/src/export/npy.ts';
import { exportSampleLabels } from '../../lf-runtime/src/server/exportLabels.ts';
import { fitDefault } from '../../lf-runtime/src/labelModel/defaultModel.ts';
import { bubblewrap } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';
import { voteMatrixFromColumns } from '../../lf-runtime/src/stats/voteMatrix.ts';

const repo = join(import.meta.dirname, '..', '..');
const example = join(repo, 'examples', 'youtube-spam');
const youtube = join(repo, 'test', 'fixtures', 'wrench', 'youtube');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), ...args], { encoding: 'utf8', timeout: 300_000 });

/** A python3 that imports `modules`: Debian's /usr/bin/python3 first (it has NumPy and Dask here), else PATH's. */
function pythonWith(modules: string[]): string | null {
  for (const exe of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(exe, ['-c', modules.map((m) => `import ${m}`).join('; ') || 'pass'], { encoding: 'utf8' });
    if (r.status === 0) return exe;
  }
  return null;
}
const numpyPython = pythonWith(['numpy']);
const NO_NUMPY = 'no python3 with NumPy (tried /usr/bin/python3 and python3 on PATH)';

interface OutRow {
  id: string;
  probs: number[];
  label: number;
  votes: number[];
}
const readJsonl = (path: string): OutRow[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OutRow);

describe('lf-studio label on the youtube example', () => {
  for (const withDev of [false, true]) {
    it(`writes the engine's probabilities, label and votes for every row${withDev ? ' (dev set chooses the model)' : ''}`, { timeout: 300_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lf-label-'));
      const out = join(dir, 'labels.jsonl');
      const npy = join(dir, 'L.npy');
      const lfs = join(example, 'lfs.py');
      const dev = withDev ? ['--dev', join(youtube, 'valid.json')] : [];
      const r = cli('label', '--lfs', lfs, '--data', join(youtube, 'train.json'), ...dev, '--out', out, '--votes-out', npy, '--json');
      assert.equal(r.status, 0, r.stderr);
      const summary = JSON.parse(r.stdout);
      const rows = readJsonl(out);

      // The editor's side: the same files through AnalysisEngine, the model fitted as the engine fits it.
      const sample = await readDataset(join(youtube, 'train.json'));
      const devData = withDev ? await readDataset(join(youtube, 'valid.json')) : null;
      const executor = createPythonExecutor();
      let engine: AnalysisEngine;
      try {
        engine = new AnalysisEngine(executor, { task: '', labels: ['HAM', 'SPAM'], sample, dev: devData, lfFiles: [lfs], timeoutMs: 30_000 });
        await engine.runFile(lfs, readFileSync(lfs, 'utf8'));
      } finally {
        await executor.dispose();
      }
      const analysis = engine.analyze();
      const snap = engine.snapshot();
      const L = voteMatrixFromColumns(sample.rows.length, snap.sampleVotes);
      const devSet = devData && snap.devVotes ? { L: voteMatrixFromColumns(devData.rows.length, snap.devVotes), gold: devData.gold!.map((g) => g ?? -1) } : null;
      const model = fitDefault(L, 2, devSet ? { dev: devSet } : {}).model;
      const probs = model.predictProba(L);

      assert.equal(summary.model.name, analysis.labelModel!.name);
      assert.deepEqual(summary.classBalance, analysis.labelModel!.classBalance);
      assert.equal(summary.uncoveredRows, analysis.labelModel!.uncoveredRows);
      assert.equal(summary.model.usedDevSet, withDev);
      assert.equal(rows.length, sample.rows.length);
      let maxDiff = 0;
      const texts = sample.rows.map((row) => String(row.fields.text).toLowerCase());
      rows.forEach((row, i) => {
        assert.equal(row.id, sample.rows[i].id, 'rows in input order');
        assert.deepEqual(row.votes, Array.from(L.data.subarray(i * L.m, (i + 1) * L.m)));
        // keyword_my, recomputed here from the text rather than taken from the sandbox.
        assert.equal(row.votes[0], texts[i].includes('my') ? 1 : -1);
        assert.equal(row.probs.length, 2);
        assert.ok(Math.abs(row.probs[0] + row.probs[1] - 1) < 1e-12, `probs of row ${row.id} sum to 1`);
        for (let c = 0; c < 2; c++) maxDiff = Math.max(maxDiff, Math.abs(row.probs[c] - probs[i * 2 + c]));
        const covered = row.votes.some((v) => v >= 0);
        if (!covered) {
          assert.equal(row.label, -1, `uncovered row ${row.id} abstains by default`);
          assert.deepEqual(row.probs, analysis.labelModel!.classBalance);
        } else if (Math.abs(row.probs[0] - row.probs[1]) > 1e-9) {
          assert.equal(row.label, row.probs[1] > row.probs[0] ? 1 : 0);
        }
      });
      assert.ok(maxDiff <= 1e-12, `probabilities differ from the engine's by ${maxDiff}`);
      assert.equal(summary.coverage, rows.filter((row) => row.votes.some((v) => v >= 0)).length / rows.length);

      if (!numpyPython) return;
      const py = spawnSync(numpyPython, ['-c', 'import json, sys, numpy; a = numpy.load(sys.argv[1]); print(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "rows": a.tolist()}))', npy], {
        encoding: 'utf8',
      });
      assert.equal(py.status, 0, py.stderr);
      const loaded = JSON.parse(py.stdout);
      assert.deepEqual(loaded.shape, [rows.length, 7]);
      assert.equal(loaded.dtype, 'int8');
      assert.deepEqual(loaded.rows, rows.map((row) => row.votes));
    });
  }
});

describe("a file's lfs = [...] list", () => {
  it('decides the LFs of the votes and the label model, as the editor shows and exports them; the job takes the same LFs', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-label-listed-'));
    const lfs = join(dir, 'lfs.py');
    // Four of the example's seven LFs in the list; keyword_my, the broadest, left out.
    writeFileSync(lfs, `${readFileSync(join(example, 'lfs.py'), 'utf8')}\nlfs = [keyword_subscribe, keyword_link, regex_check_out, short_comment]\n`);
    const out = join(dir, 'labels.jsonl');
    const r = cli('label', '--lfs', lfs, '--data', join(youtube, 'train.json'), '--labels', 'HAM,SPAM', '--out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /left out of the votes and the label model: keyword_my, keyword_please, keyword_song/);
    assert.deepEqual(
      JSON.parse(r.stdout).lfs.map((lf: { name: string }) => lf.name),
      ['keyword_subscribe', 'keyword_link', 'regex_check_out', 'short_comment'],
    );
    const rows = readJsonl(out);
    assert.ok(rows.every((row) => row.votes.length === 4));

    const sample = await readDataset(join(youtube, 'train.json'));
    const executor = createPythonExecutor();
    let engine: AnalysisEngine;
    try {
      engine = new AnalysisEngine(executor, { task: '', labels: ['HAM', 'SPAM'], sample, dev: null, lfFiles: [lfs], timeoutMs: 30_000 });
      await engine.runFile(lfs, readFileSync(lfs, 'utf8'));
    } finally {
      await executor.dispose();
    }
    engine.analyze();
    const exported = join(dir, 'editor.jsonl');
    exportSampleLabels(engine, { out: exported, uncovered: 'abstain' }, () => false);
    const editor = readJsonl(exported);
    assert.equal(editor.length, rows.length);
    rows.forEach((row, i) => {
      assert.deepEqual(row.votes, editor[i].votes);
      assert.equal(row.label, editor[i].label);
      for (let c = 0; c < 2; c++) assert.ok(Math.abs(row.probs[c] - editor[i].probs[c]) <= 1e-12, `row ${row.id}`);
    });

    const job = join(dir, 'job');
    const exportedJob = cli('export-job', '--lfs', lfs, '--data', join(youtube, 'train.json'), '--labels', 'HAM,SPAM', '--out', job);
    assert.equal(exportedJob.status, 0, exportedJob.stderr);
    const spec = JSON.parse(readFileSync(join(job, 'job.json'), 'utf8'));
    assert.deepEqual(spec.lfFiles[0].lfs, ['keyword_subscribe', 'keyword_link', 'regex_check_out', 'short_comment']);
  });

  for (const runtime of bubblewrap() ? ['sandbox', 'python'] : ['sandbox']) {
    it(`counts an LF one LF file imports from another once, for the file that defines it (${runtime})`, { timeout: 300_000 }, () => {
      const dir = mkdtempSync(join(tmpdir(), 'lf-imported-'));
      // A factory in a helper module makes one of them (its function's code is in helpers.py, not keyword_lfs.py).
      writeFileSync(
        join(dir, 'helpers.py'),
        'from snorkel.labeling import LabelingFunction\n\ndef _kw(x, word):\n    return 1 if word in x.text.lower() else -1\n\ndef make_keyword_lf(word):\n    return LabelingFunction(name=f"keyword_{word}", f=_kw, resources=dict(word=word))\n',
      );
      writeFileSync(
        join(dir, 'keyword_lfs.py'),
        'from snorkel.labeling import labeling_function\nfrom helpers import make_keyword_lf\n\nkeyword_subscribe = make_keyword_lf("subscribe")\n\n@labeling_function()\ndef lf_check(x):\n    return 1 if "check" in x.text.lower() else -1\n',
      );
      writeFileSync(
        join(dir, 'main_lfs.py'),
        'from keyword_lfs import lf_check, keyword_subscribe\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_short(x):\n    return 0 if len(x.text.split()) < 4 else -1\n',
      );
      const both = ['--lfs', join(dir, 'keyword_lfs.py'), '--lfs', join(dir, 'main_lfs.py'), '--data', join(youtube, 'train.json'), '--labels', 'HAM,SPAM', '--runtime', runtime, '--python', '/usr/bin/python3'];
      const out = join(dir, 'labels.jsonl');
      const r = cli('label', ...both, '--out', out, '--apply', join(youtube, 'test.json'), '--json');
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /two LFs are named/);
      assert.deepEqual(JSON.parse(r.stdout).lfs.map((lf: { name: string }) => lf.name), ['keyword_subscribe', 'lf_check', 'lf_short']);
      assert.ok(readJsonl(out).every((row) => row.votes.length === 3));
      const analyzed = cli('analyze', ...both, '--json');
      assert.deepEqual(
        JSON.parse(analyzed.stdout).lfs.map((lf: { name: string; file: string }) => [lf.name, lf.file.split('/').pop()]),
        [
          ['keyword_subscribe', 'keyword_lfs.py'],
          ['lf_check', 'keyword_lfs.py'],
          ['lf_short', 'main_lfs.py'],
        ],
      );
      // A file that only gathers the other file's LFs in its lfs list defines none of its own: no failure.
      writeFileSync(join(dir, 'all_lfs.py'), 'from keyword_lfs import lf_check, keyword_subscribe\n\nlfs = [lf_check, keyword_subscribe]\n');
      const gathered = cli('analyze', '--lfs', join(dir, 'keyword_lfs.py'), '--lfs', join(dir, 'all_lfs.py'), '--data', join(youtube, 'train.json'), '--runtime', runtime, '--python', '/usr/bin/python3');
      assert.equal(gathered.status, 0, gathered.stderr);
      // Alone, the file that imports it counts it: the helper is no LF file of the project.
      const alone = cli('analyze', '--lfs', join(dir, 'main_lfs.py'), '--data', join(youtube, 'train.json'), '--runtime', runtime, '--python', '/usr/bin/python3', '--json');
      assert.deepEqual(JSON.parse(alone.stdout).lfs.map((lf: { name: string }) => lf.name).sort(), ['keyword_subscribe', 'lf_check', 'lf_short']);
      const job = join(dir, 'job');
      assert.equal(cli('export-job', ...both, '--out', job).status, 0);
      const spec = JSON.parse(readFileSync(join(job, 'job.json'), 'utf8'));
      assert.deepEqual(spec.lfFiles.map((f: { lfs: string[] }) => f.lfs), [['keyword_subscribe', 'lf_check'], ['lf_short']]);
    });
  }
});

describe('.npy writer', () => {
  it('pads the header to 64 bytes with the dict NumPy expects', () => {
    for (const shape of [[3, 2], [0, 5], [123456, 100]]) {
      const h = npyHeader('<i1', shape);
      assert.equal(h.length % 64, 0);
      assert.equal(h.subarray(0, 6).toString('latin1'), '\x93NUMPY');
      assert.equal(h.readUInt16LE(8), h.length - 10);
      assert.equal(h[h.length - 1], 0x0a);
      assert.match(h.toString('latin1', 10), new RegExp(`^\\{'descr': '<i1', 'fortran_order': False, 'shape': \\(${shape[0]}, ${shape[1]}\\), \\} *\\n$`));
    }
  });

  it('writes int8 and int64 matrices NumPy reads back', { skip: numpyPython ? false : NO_NUMPY }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-npy-'));
    const small = Int8Array.from([-1, 0, 1, 2, -1, 127]);
    writeNpyMatrix(join(dir, 'a.npy'), 3, 2, small);
    const wide = Int32Array.from([-1, 70000, 3, -5]);
    writeNpyMatrix(join(dir, 'b.npy'), 2, 2, wide);
    const py = spawnSync(
      numpyPython!,
      ['-c', 'import json, sys, numpy; print(json.dumps([[str(a.dtype), list(a.shape), a.tolist()] for a in map(numpy.load, sys.argv[1:])]))', join(dir, 'a.npy'), join(dir, 'b.npy')],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, py.stderr);
    assert.deepEqual(JSON.parse(py.stdout), [
      ['int8', [3, 2], [[-1, 0], [1, 2], [-1, 127]]],
      ['int64', [2, 2], [[-1, 70000], [3, -5]]],
    ]);
  });
});

/**
 * A stand-in sandbox: `def NAME(x):  # WORD -> CLASS` lines define LFs voting CLASS when WORD is in the text;
 * a file containing `BROKEN` fails to load at line 2; an LF whose name starts with `slow` runs out of time.
 */
function standInExecutor(): LfExecutor {
  const loaded = new Map<string, Row[]>();
  return {
    async loadRows(key, rows) {
      loaded.set(key, rows);
    },
    async runFile(o): Promise<FileRunResult> {
      if (o.source.includes('BROKEN')) {
        return { file: o.file, lfs: [], fileError: { kind: 'syntax', message: 'SyntaxError: invalid syntax', line: 2, traceback: null }, durationMs: 0 };
      }
      const data = loaded.get(o.datasetKey) ?? [];
      const lfs = o.source.split('\n').flatMap((text, i) => {
        const m = /^def (\w+)\(x\):\s*# (\w+) -> (\d)/.exec(text);
        if (!m) return [];
        const [, name, word, vote] = m;
        const slow = name!.startsWith('slow');
        const raises = name!.startsWith('raises');
        const votes = Int8Array.from(data.map((r) => (!slow && !raises && String(r.fields.text).includes(word!) ? Number(vote) : -1)));
        const firstError = raises ? { kind: 'exception' as const, message: "AttributeError: row has no field 'src'", line: i + 2, traceback: null } : null;
        const errors = raises ? data.length : 0;
        return [{ name: name!, line: i + 1, votes, errors, errorRowIds: raises ? data.map((r) => r.id) : [], firstError, noneCount: 0, timedOut: slow, durationMs: 0 }];
      });
      return { file: o.file, lfs, fileError: null, durationMs: 0 };
    },
    async isolation() {
      return { separateProcess: false, environmentScrubbed: false, nodePermissionModel: false, networkNamespace: false, pyodideBridgesRemoved: false, memoryCapMb: null };
    },
    async dispose() {},
  };
}

const LF_SOURCE = 'def spam_link(x):  # http -> 1\ndef ham_song(x):  # song -> 0\ndef spam_sub(x):  # subscribe -> 1\n';
const TRAIN = [
  'check http://a.co',
  'nice song',
  'subscribe http://b.co',
  'love this song',
  'great video',
  'subscribe to me',
  'song song http://c.co',
  'plain words',
  'http://d.co',
  'best song ever',
];
const APPLY = ['a song http://x.co', 'nothing here', 'subscribe', 'the song'];

function workspace(): { dir: string; lfs: string; train: string; apply: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lf-label-in-'));
  const lfs = join(dir, 'lfs.py');
  writeFileSync(lfs, LF_SOURCE);
  const train = join(dir, 'train.jsonl');
  writeFileSync(train, TRAIN.map((text) => JSON.stringify({ text })).join('\n') + '\n');
  const apply = join(dir, 'apply.csv');
  writeFileSync(apply, `text,label\n${APPLY.map((t) => `"${t}",`).join('\n')}\n`);
  return { dir, lfs, train, apply };
}

async function label(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runLabelCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, {}, { createExecutor: standInExecutor });
  return { code, stdout, stderr };
}

/** What the stand-in's LFs vote on `texts`, as a matrix. */
function votesOf(texts: string[]) {
  const rules: [string, number][] = [['http', 1], ['song', 0], ['subscribe', 1]];
  return voteMatrixFromColumns(texts.length, rules.map(([w, v]) => Int8Array.from(texts.map((t) => (t.includes(w) ? v : -1)))));
}

describe('lf-studio label with a stand-in sandbox', () => {
  it('labels rows without votes -1 by default and by the class balance with --uncovered predict', async () => {
    const { dir, lfs, train } = workspace();
    const results: Record<string, OutRow[]> = {};
    for (const policy of ['abstain', 'predict']) {
      const out = join(dir, `${policy}.jsonl`);
      const r = await label(['--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--out', out, '--uncovered', policy, '--json']);
      assert.equal(r.code, 0, r.stderr);
      results[policy] = readJsonl(out);
    }
    const model = fitDefault(votesOf(TRAIN), 2).model;
    const prior = model.classBalance[1] > model.classBalance[0] ? 1 : 0;
    const uncovered = TRAIN.map((t, i) => (['http', 'song', 'subscribe'].some((w) => t.includes(w)) ? -1 : i)).filter((i) => i >= 0);
    assert.deepEqual(uncovered, [4, 7], 'the fixture has rows without votes');
    for (const i of uncovered) {
      assert.equal(results.abstain[i].label, -1);
      assert.equal(results.predict[i].label, prior);
      assert.deepEqual(results.abstain[i].probs, model.classBalance);
      assert.deepEqual(results.predict[i].probs, results.abstain[i].probs);
    }
    TRAIN.forEach((_, i) => {
      if (!uncovered.includes(i)) assert.equal(results.predict[i].label, results.abstain[i].label, 'covered rows keep their label');
    });
  });

  it('--id-field names the column whose values are the ids written, so labels join back to the data', async () => {
    const { dir, lfs } = workspace();
    const train = join(dir, 'with-ids.csv');
    writeFileSync(train, `review_id,text\n${TRAIN.map((t, i) => `r-${100 + i},"${t}"`).join('\n')}\n`);
    const out = join(dir, 'ids.jsonl');
    const r = await label(['--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--id-field', 'review_id', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      readJsonl(out).map((row) => row.id),
      TRAIN.map((_, i) => `r-${100 + i}`),
    );
    const missing = await label(['--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--id-field', 'rid', '--out', out]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no id column "rid"/);
  });

  it('--apply labels the other file with the model fitted on the training rows', async () => {
    const { dir, lfs, train, apply } = workspace();
    const out = join(dir, 'applied.csv');
    const r = await label(['--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--apply', apply, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.rows, APPLY.length);
    const model = fitDefault(votesOf(TRAIN), 2).model;
    const L = votesOf(APPLY);
    const probs = model.predictProba(L);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'id,prob_HAM,prob_SPAM,label,vote_spam_link,vote_ham_song,vote_spam_sub');
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',');
      assert.equal(cells[0], String(i + 1), 'CSV rows keep their record numbers as ids, in order');
      assert.deepEqual(cells.slice(4).map(Number), Array.from(L.data.subarray(i * 3, i * 3 + 3)));
      assert.equal(Number(cells[1]), probs[i * 2]);
      assert.equal(Number(cells[2]), probs[i * 2 + 1]);
    });
    assert.deepEqual(summary.classBalance, model.classBalance);
    assert.equal(summary.model.trainRows, TRAIN.length);
  });

  it('warns when two LF files name an LF alike, whose vote columns then share a name', async () => {
    const { dir, lfs, train } = workspace();
    const other = join(dir, 'more.py');
    writeFileSync(other, 'def spam_link(x):  # subscribe -> 1\n');
    const r = await label(['--lfs', lfs, '--lfs', other, '--data', train, '--labels', 'HAM,SPAM', '--out', join(dir, 'two.csv')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: two LFs are named spam_link \(lfs\.py and more\.py\): their vote columns share the name/);
    // A name used four times in one file is said once, with how many share it.
    const many = join(dir, 'many.py');
    writeFileSync(many, 'def song_word(x):  # song -> 0\n'.repeat(4));
    const m = await label(['--lfs', many, '--data', train, '--labels', 'HAM,SPAM', '--out', join(dir, 'many.csv')]);
    assert.equal(m.stderr.split('\n').filter((l) => l.includes('LFs are named song_word')).length, 1, m.stderr);
    assert.match(m.stderr, /warning: 4 LFs are named song_word \(many\.py\): their vote columns share the name; rename them/);
  });

  it('warns when no LF votes a class, whose share the votes then cannot tell, and not when every class gets votes', async () => {
    const { dir, lfs, train } = workspace();
    const both = await label(['--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--out', join(dir, 'both.csv')]);
    assert.equal(both.code, 0, both.stderr);
    assert.doesNotMatch(both.stderr, /no LF votes/);
    const spamOnly = join(dir, 'spam.py');
    writeFileSync(spamOnly, 'def spam_link(x):  # http -> 1\ndef spam_sub(x):  # subscribe -> 1\n');
    const r = await label(['--lfs', spamOnly, '--data', train, '--labels', 'HAM,SPAM', '--out', join(dir, 'spam.csv')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: no LF votes HAM on the training rows, so the label model cannot tell from the votes how common it is \(class balance HAM 0\.\d+\): its probabilities favour SPAM on the rows no LF votes on \(written -1 there unless --uncovered predict\); add an LF that votes HAM \(a fallback [^\n]*will do\)$/m,
    );
    // With a dev set, its gold labels say how common the class is; with --uncovered predict, what that does.
    const dev = join(dir, 'dev-ham.jsonl');
    writeFileSync(dev, ['buy http now', 'nice song', 'lovely', 'great tune'].map((text, i) => JSON.stringify({ text, label: i === 0 ? 'SPAM' : 'HAM' })).join('\n') + '\n');
    const p = await label(['--lfs', spamOnly, '--data', train, '--dev', dev, '--labels', 'HAM,SPAM', '--uncovered', 'predict', '--out', join(dir, 'spam-p.csv')]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /\(class balance HAM 0\.\d+, where the dev set's gold labels give HAM 0\.750\): its probabilities favour SPAM on the rows no LF votes on, and --uncovered predict labels them so; add an LF that votes HAM .*, or leave those rows unlabelled \(--uncovered abstain writes -1 there\)/);
  });

  it('warns when the class names are in another order than the ids the LFs return (gold labels written as names)', async () => {
    const { dir, lfs, train } = workspace();
    const dev = join(dir, 'dev-named.jsonl');
    // Every dev row its gold name: SPAM where a link or "subscribe" is, HAM where a song is.
    const rows = [...Array(8)].flatMap(() => [
      { text: 'see http://x.co', label: 'SPAM' },
      { text: 'subscribe now', label: 'SPAM' },
      { text: 'a fine song', label: 'HAM' },
    ]);
    writeFileSync(dev, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const swapped = await label(['--lfs', lfs, '--data', train, '--dev', dev, '--labels', 'SPAM,HAM', '--out', join(dir, 'swapped.jsonl')]);
    assert.equal(swapped.code, 0, swapped.stderr);
    assert.match(swapped.stderr, /warning: the LFs' votes agree with the dev set's gold labels on 0% of 24 votes, but on 100% with the class ids named otherwise \(0 as HAM, 1 as SPAM\): the class names .* \(0 = SPAM, 1 = HAM now\)/);
    const right = await label(['--lfs', lfs, '--data', train, '--dev', dev, '--labels', 'HAM,SPAM', '--out', join(dir, 'right.jsonl')]);
    assert.doesNotMatch(right.stderr, /named otherwise/);
  });

  it('warns when the classes are gold ids and some id below the largest is never used (a typo makes empty classes)', async () => {
    const { dir, lfs } = workspace();
    const dev = join(dir, 'dev.jsonl');
    const train = join(dir, 'train-gold.jsonl');
    writeFileSync(train, TRAIN.map((text) => JSON.stringify({ text })).join('\n') + '\n');
    writeFileSync(dev, TRAIN.map((text, i) => JSON.stringify({ text, label: i === 3 ? 7 : i % 2 })).join('\n') + '\n');
    const r = await label(['--lfs', lfs, '--data', train, '--dev', dev, '--out', join(dir, 'gap.jsonl'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: the gold labels use class ids 0, 1, 7 and never 2..6, yet the classes are taken to be ids 0\.\.7, so the label model has 8 classes; .*--labels A,B/);
    assert.equal(JSON.parse(r.stdout).classes.length, 8);
    writeFileSync(dev, TRAIN.map((text, i) => JSON.stringify({ text, label: i % 2 })).join('\n') + '\n');
    const fine = await label(['--lfs', lfs, '--data', train, '--dev', dev, '--out', join(dir, 'fine.jsonl')]);
    assert.doesNotMatch(fine.stderr, /never/);
    writeFileSync(dev, TRAIN.map((text) => JSON.stringify({ text, label: 7 })).join('\n') + '\n');
    const sevens = await label(['--lfs', lfs, '--data', train, '--dev', dev, '--out', join(dir, 'sevens.jsonl')]);
    assert.match(sevens.stderr, /the gold labels use class ids 7 and never 0\.\.6/);
    writeFileSync(dev, TRAIN.map((text) => JSON.stringify({ text, label: 1 })).join('\n') + '\n');
    const ones = await label(['--lfs', lfs, '--data', train, '--dev', dev, '--out', join(dir, 'ones.jsonl')]);
    assert.doesNotMatch(ones.stderr, /never/, 'two classes from the ids 0 and 1 are the least a task has');
    writeFileSync(dev, TRAIN.map((text, i) => JSON.stringify({ text, label: i === 3 ? 'LATER' : ['HAM', 'SPAM'][i % 2] })).join('\n') + '\n');
    const named = await label(['--lfs', lfs, '--data', train, '--dev', dev, '--labels', 'HAM,SPAM,X,LATER', '--out', join(dir, 'named.jsonl')]);
    assert.equal(named.code, 0, named.stderr);
    assert.doesNotMatch(named.stderr, /never/, 'named classes may go unused');
  });

  it('writes the labels but exits 1 when an LF failed on every row, naming it', async () => {
    const { dir, train } = workspace();
    const lfs = join(dir, 'dead.py');
    writeFileSync(lfs, LF_SOURCE + 'def raises_src(x):  # http -> 1\n');
    const out = join(dir, 'dead.jsonl');
    const r = await label(['--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(readJsonl(out).length, TRAIN.length);
    assert.match(r.stderr, /raises_src failed on every row of .*train\.jsonl, so its votes are all abstain \(exit code 1\)/);
    assert.doesNotMatch(r.stderr, /spam_link failed on every row/);
  });

  it('refuses bad input with a message naming the flag, before writing anything', async () => {
    const { dir, lfs, train } = workspace();
    const broken = join(dir, 'broken.py');
    writeFileSync(broken, 'def ok(x):  # http -> 1\nBROKEN\n');
    const slow = join(dir, 'slow.py');
    writeFileSync(slow, 'def slow_rule(x):  # http -> 1\n');
    const out = join(dir, 'out.jsonl');
    const base = ['--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM'];
    const cases: [string[], number, RegExp][] = [
      [base, 2, /--out FILE\.jsonl or --out FILE\.csv is required/],
      [[...base, '--out', join(dir, 'out.txt')], 2, /--out .*out\.txt: unknown output extension; use \.jsonl \(or \.ndjson\) or \.csv/],
      [[...base, '--out', join(dir, 'missing', 'out.jsonl')], 2, /folder .*missing does not exist/],
      [[...base, '--out', dir + '/'], 2, /unknown output extension/],
      [[...base, '--out', out, '--votes-out', join(dir, 'L.bin')], 2, /--votes-out .*: .*use a path ending in \.npy/],
      [[...base, '--out', out, '--uncovered', 'maybe'], 2, /--uncovered must be abstain or predict, got 'maybe'/],
      [[...base, '--out', out, '--apply', join(dir, 'nope.csv')], 2, /--apply .*nope\.csv: file not found/],
      [['--lfs', lfs, '--data', join(dir, 'nope.jsonl'), '--out', out], 2, /--data .*nope\.jsonl: file not found/],
      [['--lfs', lfs, '--data', train, '--out', train], 2, /--data .*train\.jsonl is also an output file/],
      [['--lfs', broken, '--data', train, '--out', out], 1, /broken\.py:2: SyntaxError: invalid syntax/],
      [['--lfs', slow, '--data', train, '--out', out], 1, /slow_rule ran out of time .*raise --timeout-ms/],
      [[...base, '--out', out, '--bogus'], 2, /Unknown option '--bogus'/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await label(argv);
      assert.equal(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      assert.ok(!existsSync(out), `${argv.join(' ')} wrote ${out}`);
    }
  });
});
