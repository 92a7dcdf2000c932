// The walking skeleton's acceptance test: the seven reproducible WRENCH youtube LFs, written as a Snorkel
// LF file and run in the sandbox, must vote exactly like the benchmark's weak_labels columns 0-6 on every
// row of every split; plus the basic behaviours of runFile (row access, None, errors, timeouts, env).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { ExecutorEvent, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const SECRET = 'sk-ant-test-secret-that-must-not-leak';

interface WrenchSplit {
  rows: Row[];
  weak: number[][];
}

function readWrench(split: string): WrenchSplit {
  const data = JSON.parse(readFileSync(join(fixtures, 'wrench', 'youtube', `${split}.json`), 'utf8')) as Record<
    string,
    { data: Record<string, unknown>; weak_labels: number[] }
  >;
  const entries = Object.entries(data);
  return { rows: entries.map(([id, v]) => ({ id, fields: v.data })), weak: entries.map(([, v]) => v.weak_labels) };
}

const textRows = (texts: string[]): Row[] => texts.map((text, i) => ({ id: `r${i}`, fields: { text, author: `a${i}` } }));

describe('Python sandbox on WRENCH youtube', () => {
  let executor: LfExecutor & { onEvent(l: (e: ExecutorEvent) => void): () => void };
  const events: ExecutorEvent[] = [];

  before(() => {
    // Set in the parent before the worker starts: the worker must still not see it.
    process.env.ANTHROPIC_API_KEY = SECRET;
    executor = createPythonExecutor();
    executor.onEvent((e) => events.push(e));
  });
  after(async () => {
    await executor.dispose();
    delete process.env.ANTHROPIC_API_KEY;
  });

  for (const split of ['train', 'valid', 'test']) {
    // The LF file is the shipped example's, so the example is known to reproduce the benchmark's LFs.
    it(`reproduces weak_labels columns 0-6 on ${split} with the example's lfs.py`, async () => {
      const { rows, weak } = readWrench(split);
      await executor.loadRows(`youtube-${split}`, rows);
      const source = readFileSync(join(fixtures, '..', '..', 'examples', 'youtube-spam', 'lfs.py'), 'utf8');
      const result = await executor.runFile({ file: '/project/lfs.py', source, datasetKey: `youtube-${split}`, cardinality: 2, timeoutMs: 10_000 });
      assert.equal(result.fileError, null);
      assert.deepEqual(
        result.lfs.map((l) => l.name),
        ['keyword_my', 'keyword_subscribe', 'keyword_link', 'keyword_please', 'keyword_song', 'regex_check_out', 'short_comment'],
      );
      result.lfs.forEach((lf, col) => {
        assert.equal(lf.errors, 0, `${lf.name} errors`);
        assert.equal(lf.timedOut, false);
        const mismatches = rows.filter((_, i) => lf.votes[i] !== weak[i][col]).length;
        assert.equal(mismatches, 0, `${lf.name} (column ${col}) differs from weak_labels on ${mismatches} ${split} rows`);
      });
      // Lines point at the decorators in the fixture file.
      const lines = source.split('\n');
      for (const lf of result.lfs) assert.match(lines[lf.line - 1], /^@labeling_function/);
    });
  }

  it('exposes fields by attribute and by key, and counts None as abstain', async () => {
    await executor.loadRows('small', textRows(['buy my stuff', 'nice song', 'check it out', 'hello']));
    const source = [
      'from snorkel.labeling import labeling_function, ABSTAIN',
      '@labeling_function()',
      'def by_key(x):',
      '    return 1 if "my" in x["text"] and x["author"] == x.author else ABSTAIN',
      '@labeling_function()',
      'def returns_none(x):',
      '    return 0 if "song" in x.text else None',
      '',
    ].join('\n');
    const r = await executor.runFile({ file: '/p/keys.py', source, datasetKey: 'small', cardinality: 2, timeoutMs: 5000 });
    assert.equal(r.fileError, null);
    assert.deepEqual([...r.lfs[0].votes], [1, -1, -1, -1]);
    assert.deepEqual([...r.lfs[1].votes], [-1, 0, -1, -1]);
    assert.equal(r.lfs[1].noneCount, 3);
    assert.equal(r.lfs[1].errors, 0);
  });

  it('counts exceptions and invalid returns, with the row ids and the line in the user file', async () => {
    const source = [
      'from snorkel.labeling import labeling_function',
      '',
      'def helper(t):',
      '    return 1 // (len(t) - 5)',
      '',
      '@labeling_function()',
      'def divides(x):',
      '    return helper(x.text)',
      '',
      '@labeling_function()',
      'def bad_values(x):',
      '    return "spam" if "my" in x.text else 7',
      '',
    ].join('\n');
    const r = await executor.runFile({ file: '/p/errs.py', source, datasetKey: 'small', cardinality: 2, timeoutMs: 5000 });
    const [divides, bad] = r.lfs;
    assert.equal(divides.errors, 1); // only "hello" has 5 characters
    assert.deepEqual(divides.errorRowIds, ['r3']);
    assert.equal(divides.firstError?.kind, 'exception');
    assert.equal(divides.firstError?.line, 4);
    assert.match(divides.firstError?.message ?? '', /ZeroDivisionError/);
    assert.match(divides.firstError?.traceback ?? '', /\/p\/errs\.py", line 8, in divides/);
    assert.doesNotMatch(divides.firstError?.traceback ?? '', /lf_runner|site-packages/);
    // Rows where helper returned 1 // positive = 0 vote 0; the rest too; the error row abstains.
    assert.equal(divides.votes[3], -1);
    assert.equal(bad.errors, 4);
    assert.equal(bad.firstError?.kind, 'invalid-return');
    // Reported where the bad value is produced: the return statement, not the decorator.
    assert.equal(bad.firstError?.line, source.split('\n').indexOf('    return "spam" if "my" in x.text else 7') + 1);
    assert.ok(bad.votes.every((v) => v === -1));
  });

  it('reports a syntax error with its line', async () => {
    const source = 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef broken(x)\n    return 1\n';
    const r = await executor.runFile({ file: '/p/syntax.py', source, datasetKey: 'small', cardinality: 2, timeoutMs: 5000 });
    assert.equal(r.lfs.length, 0);
    assert.equal(r.fileError?.kind, 'syntax');
    assert.equal(r.fileError?.line, 4);
  });

  for (const pkg of ['numpy', 'spacy', 'textblob', 'pandas']) {
    it(`explains that ${pkg} is not available`, async () => {
      const source = `import ${pkg}\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\ndef f(x):\n    return 1\n`;
      const r = await executor.runFile({ file: '/p/pkg.py', source, datasetKey: 'small', cardinality: 2, timeoutMs: 5000 });
      // The file runs on past the failing import, like a notebook: the LF that does not need it still runs.
      assert.equal(r.fileError, null);
      assert.equal(r.lfs[0]?.name, 'f');
      assert.ok(r.lfs[0]!.votes.every((v) => v === 1));
      const problem = r.problems?.[0];
      assert.equal(problem?.kind, 'missing-package');
      assert.equal(problem?.line, 1);
      assert.match(problem?.message ?? '', new RegExp(`No module named '${pkg}'\\. If it is your own module, put ${pkg}\\.py next to pkg\\.py`));
      assert.match(problem?.message ?? '', /only the Python standard library\): run this file with your own Python.*lfStudio\.runtime/);
    });
  }

  it('stops a `while True: pass` LF at its budget and still runs the rest of the file', async () => {
    const source = [
      'from snorkel.labeling import labeling_function',
      '@labeling_function()',
      'def before(x):',
      '    return 1 if "my" in x.text else -1',
      '@labeling_function()',
      'def forever(x):',
      '    while True:',
      '        pass',
      '@labeling_function()',
      'def swallow(x):',
      '    while True:',
      '        try:',
      '            pass',
      '        except BaseException:',
      '            pass',
      '@labeling_function()',
      'def after(x):',
      '    return 0 if "song" in x.text else -1',
      '',
    ].join('\n');
    events.length = 0;
    const r = await executor.runFile({ file: '/p/loop.py', source, datasetKey: 'small', cardinality: 2, timeoutMs: 500 });
    assert.deepEqual(r.lfs.map((l) => [l.name, l.timedOut]), [['before', false], ['forever', true], ['swallow', true], ['after', false]]);
    assert.deepEqual([...r.lfs[0].votes], [1, -1, -1, -1]);
    assert.deepEqual([...r.lfs[3].votes], [-1, 0, -1, -1]);
    assert.equal(r.lfs[1].firstError?.kind, 'timeout');
    assert.ok(r.lfs[1].votes.every((v) => v === -1));
    assert.ok(events.some((e) => e.type === 'restarted' && e.reason === 'timeout'), 'a restart was reported');
  });

  it('hides the parent environment from LFs', async () => {
    assert.equal(process.env.ANTHROPIC_API_KEY, SECRET);
    const source = [
      'import os',
      'from snorkel.labeling import labeling_function',
      '@labeling_function()',
      'def env_empty(x):',
      '    return 1 if len(os.environ) == 0 and "ANTHROPIC_API_KEY" not in os.environ else 0',
      '@labeling_function()',
      'def secret_anywhere(x):',
      `    return 1 if any("${SECRET.slice(0, 10)}" in str(v) for v in os.environ.values()) else 0`,
      '',
    ].join('\n');
    const r = await executor.runFile({ file: '/p/env.py', source, datasetKey: 'small', cardinality: 2, timeoutMs: 5000 });
    assert.deepEqual([...r.lfs[0].votes], [1, 1, 1, 1]);
    assert.deepEqual([...r.lfs[1].votes], [0, 0, 0, 0]);
    const iso = await executor.isolation();
    assert.equal(iso.separateProcess, true);
    assert.equal(iso.environmentScrubbed, true);
    assert.equal(iso.pyodideBridgesRemoved, true);
  });
});
