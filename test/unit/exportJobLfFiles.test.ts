// The exported job and the user's LF files: what they need beside them (helper modules, resource files) goes
// with the job, and a file's top level runs as in the editor, statement by statement, so the notebook cells
// at the bottom of an exported notebook do not stop the job.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bubblewrap } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import { assertSameLabels, cli, labelThenJob, NO_NUMPY, numpyPython, readJsonl, readParts, runJob, wrench } from '../support/exportedJob.ts';

describe("the exported job and the project's LF files", () => {
  it('carries the helper modules and resource files the LF files read, so it runs where the project is not', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-support-'));
    const project = join(dir, 'project');
    mkdirSync(join(project, 'lfs', 'data'), { recursive: true });
    mkdirSync(join(project, 'other'));
    // As in Snorkel's spouse tutorial: a helper module beside the LF file, and a resource file read at the
    // top level by a path relative to the file's folder, and by one built from __file__.
    writeFileSync(join(project, 'lfs', 'preprocessors.py'), 'def words(text):\n    return text.lower().split()\n');
    writeFileSync(join(project, 'lfs', 'data', 'spam_words.txt'), 'subscribe\ncheck\n');
    writeFileSync(join(project, 'lfs', 'data', 'ham_words.txt'), 'song\nlove\n');
    writeFileSync(join(project, 'other', 'unread.txt'), 'not read by any LF');
    const lfs = join(project, 'lfs', 'spam_lfs.py');
    writeFileSync(
      lfs,
      [
        'import os',
        'from snorkel.labeling import labeling_function',
        'from preprocessors import words',
        '',
        'SPAM_WORDS = set(open("data/spam_words.txt").read().split())',
        'HAM_WORDS = set(open(os.path.join(os.path.dirname(__file__), "data", "ham_words.txt")).read().split())',
        '',
        '@labeling_function()',
        'def spam_word(x):',
        '    return 1 if SPAM_WORDS & set(words(x.text)) else -1',
        '',
        '@labeling_function()',
        'def ham_word(x):',
        '    return 0 if HAM_WORDS & set(words(x.text)) else -1',
        '',
      ].join('\n'),
    );
    const train = join(wrench, 'youtube', 'train.json');
    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--workspace', project, '--out', labelled);
    assert.equal(label.status, 0, label.stderr);
    const expected = readJsonl(readFileSync(labelled, 'utf8'));
    assert.ok(expected.filter((r) => r.votes[0] === 1).length > 50 && expected.filter((r) => r.votes[1] === 0).length > 50, 'both LFs vote');

    const built = join(dir, 'built');
    const exported = cli('export-job', '--lfs', lfs, '--data', train, '--labels', 'HAM,SPAM', '--workspace', project, '--out', built, '--json');
    assert.equal(exported.status, 0, exported.stderr);
    const files: string[] = JSON.parse(exported.stdout).files;
    for (const f of ['lfs/spam_lfs.py', 'lfs/preprocessors.py', 'lfs/data/spam_words.txt', 'lfs/data/ham_words.txt']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    assert.ok(!files.some((f) => f.includes('unread')), 'files no LF read stay out');
    // The job moved elsewhere and the project gone: nothing may be read from where it was.
    const job = join(dir, 'moved-job');
    cpSync(built, job, { recursive: true });
    rmSync(project, { recursive: true });
    rmSync(built, { recursive: true });
    const out = join(dir, 'out');
    const run = spawnSync(numpyPython!, [join(job, 'run.py'), '--input', train, '--output', out, '--serial'], { encoding: 'utf8', cwd: tmpdir() });
    assert.equal(run.status, 0, run.stderr);
    assertSameLabels(expected, readParts(out));
  });

  it("writes the job's files to a folder of the user's alone, and writes again a file there that differs", { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-materialize-'));
    writeFileSync(join(dir, 'kw.py'), 'WORDS = ["http"]\n');
    const lfs = join(dir, 'kw_lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\nfrom kw import WORDS\n\n@labeling_function()\ndef word(x):\n    return 1 if any(w in x.text for w in WORDS) else -1\n');
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text\nsee http://x\nnice song\nhttp://y\nhello\n');
    const before = new Set(readdirSync(tmpdir()));
    const { expected } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'HAM,SPAM'], data);
    assert.deepEqual(
      expected.map((r) => r.votes[0]),
      [1, -1, 1, -1],
    );
    const made = readdirSync(tmpdir()).filter((f) => !before.has(f) && f.startsWith(`lfstudio-job-${process.getuid?.() ?? 'user'}-`));
    assert.equal(made.length, 1, `the job's folder: ${made.join(', ')}`);
    const folder = join(tmpdir(), made[0]!);
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    // Someone changes a helper there, keeping its size: the next run must not import it.
    const helper = join(folder, 'lfs', 'kw.py');
    assert.equal(readFileSync(helper, 'utf8'), 'WORDS = ["http"]\n');
    writeFileSync(helper, 'WORDS = ["e"]   \n'.padEnd('WORDS = ["http"]\n'.length, ' '));
    assert.equal(statSync(helper).size, 'WORDS = ["http"]\n'.length);
    const out = join(dir, 'again');
    const run = runJob(join(dir, 'job'), data, out, '--serial');
    assert.equal(run.status, 0, run.stderr);
    assertSameLabels(expected, readParts(out));
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs an LF file inside a package as a module of it, as lf-studio label does: helpers importing from the package above, the package imported by name', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-package-job-'));
    const files: Record<string, string> = {
      'label/__init__.py': 'SPAM = 1\n',
      'label/shared.py': 'WORDS = ("check", "song")\n',
      'label/lfs/__init__.py': '',
      'label/lfs/helpers.py': 'from ..shared import WORDS\n\ndef has_first(t):\n    return WORDS[0] in t.lower()\n\ndef has_second(t):\n    return WORDS[1] in t.lower()\n',
      'label/lfs/rules.py':
        'from snorkel.labeling import labeling_function\nfrom .helpers import *\nfrom label import SPAM\n\n' +
        '@labeling_function()\ndef first(x):\n    return SPAM if has_first(x.text) else -1\n\n' +
        '@labeling_function()\ndef second(x):\n    return 0 if has_second(x.text) else -1\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text\nCheck it\nnice song\ncheck this song\nhello\n');
    for (const runtime of ['sandbox', ...(bubblewrap() ? ['python'] : [])]) {
      const args = ['--lfs', join(dir, 'label', 'lfs', 'rules.py'), '--labels', 'HAM,SPAM', '--workspace', dir, '--runtime', runtime, ...(runtime === 'python' ? ['--python', numpyPython!] : [])];
      const { expected, exported } = labelThenJob(mkdtempSync(join(dir, `${runtime}-`)), args, data);
      assert.deepEqual(
        expected.map((r) => r.votes),
        [
          [1, -1],
          [-1, 0],
          [1, 0],
          [-1, -1],
        ],
        runtime,
      );
      const shipped: string[] = JSON.parse(exported.stdout).files;
      for (const f of ['lfs/label/lfs/rules.py', 'lfs/label/lfs/helpers.py', 'lfs/label/shared.py', 'lfs/label/__init__.py']) assert.ok(shipped.includes(f), `${runtime}: ${f} in ${shipped.join(', ')}`);
    }
  });

  it('runs an LF file in a folder without an __init__.py inside a package as lf-studio label does (hmm/labeling/ in hmm/), shipping the package', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-namespace-job-'));
    mkdirSync(join(dir, 'hmm', 'labeling'), { recursive: true });
    writeFileSync(join(dir, 'hmm', '__init__.py'), 'SPAM = 1\n');
    writeFileSync(join(dir, 'hmm', 'classification.py'), 'WORDS = ("check", "song")\n');
    const lfs = join(dir, 'hmm', 'labeling', 'moral.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\nfrom ..classification import *\nfrom .. import SPAM\n\n@labeling_function()\ndef first(x):\n    return SPAM if WORDS[0] in x.text.lower() else -1\n');
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text\nCheck it\nnice song\nhello\n');
    for (const runtime of ['sandbox', ...(bubblewrap() ? ['python'] : [])]) {
      const args = ['--lfs', lfs, '--labels', 'HAM,SPAM', '--workspace', dir, '--runtime', runtime, ...(runtime === 'python' ? ['--python', numpyPython!] : [])];
      const { expected, exported } = labelThenJob(mkdtempSync(join(dir, `${runtime}-`)), args, data);
      assert.deepEqual(
        expected.map((r) => r.votes),
        [[1], [-1], [-1]],
        runtime,
      );
      const shipped: string[] = JSON.parse(exported.stdout).files;
      for (const f of ['lfs/hmm/labeling/moral.py', 'lfs/hmm/classification.py', 'lfs/hmm/__init__.py']) assert.ok(shipped.includes(f), `${runtime}: ${f} in ${shipped.join(', ')}`);
    }
  });

  it('runs an LF file of a subpackage named snorkel (myproj/snorkel/lfs.py) as lf-studio label does: only the outermost name must be free', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-subsnorkel-job-'));
    mkdirSync(join(dir, 'myproj', 'snorkel'), { recursive: true });
    writeFileSync(join(dir, 'myproj', '__init__.py'), '');
    writeFileSync(join(dir, 'myproj', 'snorkel', '__init__.py'), '');
    writeFileSync(join(dir, 'myproj', 'snorkel', 'kw.py'), 'WORDS = ["check"]\n');
    const lfs = join(dir, 'myproj', 'snorkel', 'lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\nfrom myproj.snorkel.kw import WORDS\nfrom .kw import WORDS as SAME\n\n@labeling_function()\ndef first(x):\n    return 1 if SAME is WORDS and WORDS[0] in x.text.lower() else -1\n');
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text\nCheck it\nnice song\nhello\n');
    for (const runtime of ['sandbox', ...(bubblewrap() ? ['python'] : [])]) {
      const args = ['--lfs', lfs, '--labels', 'HAM,SPAM', '--workspace', dir, '--runtime', runtime, ...(runtime === 'python' ? ['--python', numpyPython!] : [])];
      const { expected, run } = labelThenJob(mkdtempSync(join(dir, `${runtime}-`)), args, data);
      assert.deepEqual(expected.map((r) => r.votes), [[1], [-1], [-1]], runtime);
      assert.equal(run.status, 0, run.stderr);
    }
  });

  it("runs LF files with the argv the editor gives them, not run.py's: a package that parses arguments at import works as in lf-studio label", { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    // As U-Alberta/ADaPT-ML's label/__init__.py: argparse at import, with options of its own.
    const dir = mkdtempSync(join(tmpdir(), 'lf-argv-'));
    mkdirSync(join(dir, 'label', 'lfs'), { recursive: true });
    writeFileSync(join(dir, 'label', '__init__.py'), 'import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument("--step", default="train")\nparsed_args = parser.parse_args()\n');
    writeFileSync(join(dir, 'label', 'lfs', '__init__.py'), 'ABSTAIN = -1\nSPAM = 1\n');
    const lfs = join(dir, 'label', 'lfs', 'tiny.py');
    writeFileSync(lfs, 'from label.lfs import ABSTAIN, SPAM\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\ndef check(x):\n    return SPAM if "check" in x.text.lower() else ABSTAIN\n');
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text\nCheck it out\nnice song\ncheck my channel\n');
    const { expected, run } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'HAM,SPAM', '--workspace', dir], data);
    assert.deepEqual(expected.map((r) => r.votes), [[1], [-1], [1]]);
    assert.doesNotMatch(run.stderr, /SystemExit/);
  });

  it("takes a file put into the job's lfs/ folder after export to the workers, as its message for a missing file says", { skip: !numpyPython ? NO_NUMPY : !bubblewrap() ? 'no bubblewrap' : false, timeout: 300_000 }, () => {
    // A file run in the user's Python reports no reads, so the resource file it reads is not copied.
    const dir = mkdtempSync(join(tmpdir(), 'lf-added-'));
    writeFileSync(join(dir, 'words.txt'), 'check\n');
    const lfs = join(dir, 'res_lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\nWORDS = open("words.txt").read().split()\n\n@labeling_function()\ndef word(x):\n    return 1 if any(w in x.text.lower() for w in WORDS) else -1\n');
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text\nCheck it\nnice song\n');
    const args = ['--lfs', lfs, '--labels', 'HAM,SPAM', '--workspace', dir, '--runtime', 'python', '--python', numpyPython!];
    const labelled = join(dir, 'labels.jsonl');
    assert.equal(cli('label', ...args, '--data', data, '--out', labelled).status, 0);
    const job = join(dir, 'job');
    assert.equal(cli('export-job', ...args, '--data', data, '--out', job).status, 0);
    const first = runJob(job, data, join(dir, 'out1'), '--serial');
    assert.equal(first.status, 1);
    assert.match(first.stderr, /FileNotFoundError.*words\.txt/);
    assert.match(first.stderr, /word failed on every row, so its votes are all abstain .*put the file beside the LF file in the job's lfs\/ folder\) \(exit code 1\)/);
    cpSync(join(dir, 'words.txt'), join(job, 'lfs', 'words.txt'));
    const second = runJob(job, data, join(dir, 'out2'), '--serial');
    assert.equal(second.status, 0, second.stderr);
    assertSameLabels(readJsonl(readFileSync(labelled, 'utf8')), readParts(join(dir, 'out2')));
  });

  it('gives each LF file its own helper modules and imports as lf-studio label does: same-named helpers in two folders, a relative import in a plain folder, a module beside the package', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-imports-job-'));
    const files: Record<string, string> = {
      'a/helpers.py': 'WORD = "check"\n',
      'a/lfs_a.py':
        'from snorkel.labeling import labeling_function\nimport helpers\n\n@labeling_function()\ndef from_a(x):\n    return 1 if helpers.WORD in x.text.lower() else -1\n\n' +
        '@labeling_function()\ndef lazy_a(x):\n    import helpers as h\n    return 1 if h.WORD in x.text.lower() else -1\n',
      'b/helpers.py': 'WORD = "song"\n',
      'b/lfs_b.py':
        'from snorkel.labeling import labeling_function\nimport helpers\n\n@labeling_function()\ndef from_b(x):\n    return 0 if helpers.WORD in x.text.lower() else -1\n\n' +
        '@labeling_function()\ndef lazy_b(x):\n    import helpers as h\n    return 0 if h.WORD in x.text.lower() else -1\n',
      'plain/words.py': 'WORD = "this"\n',
      'plain/rules.py': 'from snorkel.labeling import labeling_function\nfrom .words import WORD\n\n@labeling_function()\ndef relative(x):\n    return 1 if WORD in x.text.lower() else -1\n',
      'proj/common.py': 'WORD = "nice"\n',
      'proj/label/__init__.py': '',
      'proj/label/kw.py': 'from snorkel.labeling import labeling_function\nimport common\n\n@labeling_function()\ndef beside(x):\n    return 0 if common.WORD in x.text.lower() else -1\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text\nCheck this\nnice song\nhello\n');
    const lfArgs = ['a/lfs_a.py', 'b/lfs_b.py', 'plain/rules.py', 'proj/label/kw.py'].flatMap((f) => ['--lfs', join(dir, f)]);
    for (const runtime of ['sandbox', ...(bubblewrap() ? ['python'] : [])]) {
      const args = [...lfArgs, '--labels', 'HAM,SPAM', '--workspace', dir, '--runtime', runtime, ...(runtime === 'python' ? ['--python', numpyPython!] : [])];
      const { expected } = labelThenJob(mkdtempSync(join(dir, `${runtime}-`)), args, data);
      assert.deepEqual(
        expected.map((r) => r.votes),
        // An import inside an LF body (lazy_a, lazy_b) gets its own file's helpers too, when the job applies it.
        [
          [1, 1, -1, -1, 1, -1],
          [-1, -1, 0, 0, -1, 0],
          [-1, -1, -1, -1, -1, -1],
        ],
        runtime,
      );
    }
  });

  it("takes the LF lists as lf-studio label does: a list brought in by `from a import *` is a's, and an LF another file lists goes into the model", { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-lists-job-'));
    const lf = (name: string, word: string, label: number) => `@labeling_function()\ndef ${name}(x):\n    return ${label} if "${word}" in x.text.lower() else -1\n\n`;
    writeFileSync(join(dir, 'a.py'), 'from snorkel.labeling import labeling_function\n\n' + lf('a_why', 'why', 1) + lf('a_ham', 'song', 0) + lf('a_spam', 'check', 1) + 'lfs = [a_why, a_spam]\n');
    writeFileSync(join(dir, 'b.py'), 'from snorkel.labeling import labeling_function\nfrom a import *\n\n' + lf('b_how', 'how', 0));
    writeFileSync(join(dir, 'c.py'), 'from snorkel.labeling import labeling_function\nfrom a import a_ham\n\n' + lf('c_one', 'one', 1) + 'lfs = [c_one, a_ham]\n');
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text\nwhy check\nhow song\none\n');
    const { label } = labelThenJob(dir, ['a.py', 'b.py', 'c.py'].flatMap((f) => ['--lfs', join(dir, f)]).concat(['--labels', 'HAM,SPAM', '--workspace', dir]), data);
    assert.deepEqual(
      JSON.parse(label.stdout).lfs.map((l: { name: string }) => l.name),
      ['a_why', 'a_spam', 'a_ham', 'b_how', 'c_one'],
    );
  });

  it('finds the LFs a class holds as lf-studio label does (Snorkel applies LFs.lf_check)', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-class-'));
    const lfs = join(dir, 'cls.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\nclass LFs:\n    @staticmethod\n    @labeling_function()\n    def check(x):\n        return 1 if "check" in x.text.lower() else -1\n\n' +
        '    @labeling_function()\n    def song(x):\n        return 0 if "song" in x.text.lower() else -1\n',
    );
    const { label } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'HAM,SPAM'], join(wrench, 'youtube', 'train.json'));
    assert.deepEqual(JSON.parse(label.stdout).lfs.map((lf: { name: string }) => lf.name), ['check', 'song']);
  });

  it("gives LFs the rows' pandas Series surface as lf-studio label does (the row classes are the editor's)", { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-series-job-'));
    const lfs = join(dir, 'series.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef loc_text(x):\n    return 1 if "check" in x.loc["text"] and x.iloc[0] == x.text and "text" in x.index else -1\n\n' +
        '@labeling_function()\ndef missing(x):\n    return 0 if x.isna().any() or x.fillna("").score == "" else -1\n',
    );
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'text,score\ncheck it,1\nhi,\ncheck this,3\nno,NA\n');
    const { expected } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'HAM,SPAM'], data);
    assert.deepEqual(
      expected.map((r) => r.votes),
      [
        [1, -1],
        [-1, 0],
        [1, -1],
        [-1, 0],
      ],
    );
  });

  it("carries the packages beside an LF file that ran in the user's Python (which reports no reads)", { skip: numpyPython && bubblewrap() ? false : 'needs NumPy and bubblewrap', timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-pkg-job-'));
    mkdirSync(join(dir, 'helpers', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'helpers', '__init__.py'), 'SPAM = 1\n');
    writeFileSync(join(dir, 'helpers', 'deep', '__init__.py'), '');
    writeFileSync(join(dir, 'helpers', 'deep', 'words.py'), 'WORDS = ["check", "subscribe"]\n');
    const lfs = join(dir, 'lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\nfrom helpers import SPAM\nfrom helpers.deep.words import WORDS\n\n@labeling_function()\ndef kw(x):\n    return SPAM if any(w in x.text.lower() for w in WORDS) else -1\n');
    const { exported, expected } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'HAM,SPAM', '--runtime', 'python', '--python', numpyPython!], join(wrench, 'youtube', 'train.json'));
    const files: string[] = JSON.parse(exported.stdout).files;
    for (const f of ['lfs/helpers/__init__.py', 'lfs/helpers/deep/__init__.py', 'lfs/helpers/deep/words.py']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    assert.ok(expected.some((r) => r.votes[0] === 1), 'the LF votes');
  });

  it('runs an LF file statement by statement, as the editor does: notebook cells that raise are reported, not fatal', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-cells-'));
    const lfs = join(dir, 'lfs.py');
    writeFileSync(
      lfs,
      [
        'from snorkel.labeling import labeling_function, PandasLFApplier, LFAnalysis',
        'ABSTAIN, HAM, SPAM = -1, 0, 1',
        '',
        '@labeling_function()',
        'def keyword_check(x):',
        '    return SPAM if "check" in x.text.lower() else ABSTAIN',
        '',
        'applier = PandasLFApplier(lfs=[keyword_check])',
        'L_train = applier.apply(df=df_train)',
        '',
        '@labeling_function()',
        'def short(x):',
        '    return HAM if len(x.text.split()) < 4 else ABSTAIN',
        '',
        'print(LFAnalysis(L=L_train, lfs=[keyword_check, short]).lf_summary())',
        '',
      ].join('\n'),
    );
    const { expected, run, out } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'HAM,SPAM'], join(wrench, 'youtube', 'train.json'));
    assert.ok(expected.some((r) => r.votes[0] === 1) && expected.some((r) => r.votes[1] === 0), 'both LFs vote');
    // Line 8 raises too where Snorkel is not installed (the stand-in's applier needs it): line 9 then lacks `applier`.
    assert.match(run.stderr, /warning: lfs\/lfs\.py: line 9: NameError: name '(df_train|applier)' is not defined \(the rest of the file ran on/);
    assert.match(run.stderr, /warning: lfs\/lfs\.py: line 15: NameError: name 'L_train' is not defined/);
    const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8'));
    assert.deepEqual(
      summary.statementsRaised.map((s: string) => /line (\d+)/.exec(s)?.[1]).filter((l: string) => l !== '8'),
      ['9', '15'],
    );
  });

  it('says to rename an LF file named snorkel.py, which Python imports for `import snorkel`, where analyze and export-job warned of it', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-shadow-'));
    const lfs = join(dir, 'snorkel.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n');
    const train = join(dir, 'train.jsonl');
    writeFileSync(train, '{"text": "a"}\n{"text": "b"}\n');
    const job = join(dir, 'job');
    const exported = cli('export-job', '--lfs', lfs, '--data', train, '--labels', 'A,B', '--out', job);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stderr, /warning: .*snorkel\.py: this file is named snorkel\.py, like the snorkel package/);
    const run = runJob(job, train, join(dir, 'out'), '--serial');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /'snorkel' is not a package.*A file named snorkel\.py \(this one, or one beside it\) is imported for `import snorkel` here: rename it/);
    assert.doesNotMatch(run.stderr, /Install the package on the workers/);
  });
});
