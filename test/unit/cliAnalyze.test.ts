// `lf-studio analyze` as a user runs it: the built CLI in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runAnalyzeCommand } from '../../lf-runtime/src/cli/analyzeCommand.ts';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { bubblewrap } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import type { LfExecutor, RunFileOptions } from '../../lf-runtime/src/sandbox/types.ts';

const repo = join(import.meta.dirname, '..', '..');
const example = join(repo, 'examples', 'youtube-spam');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
/** The raw bytes of what the CLI printed, so nothing is lost or repaired by decoding. */
const cliBytes = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), ...args], { timeout: 120_000 });

/**
 * The control characters in a CLI output: C0 but \n and \t, DEL, C1. The bytes must be valid UTF-8 (fatal
 * decoding), so a raw 8-bit C1 byte fails as well as a C1 code point; bytes 0x80-0x9F inside the UTF-8 of
 * ordinary characters (e.g. U+2014) are not controls.
 */
function controlChars(bytes: Buffer): string[] {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  return [...text].filter((ch) => /[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(ch)).map((ch) => `U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
const write = (dir: string, name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const bubblewrapAvailable = Boolean(bubblewrap());
const LF_IMPORT = 'from snorkel.labeling import labeling_function\n\n';

describe('lf-studio analyze', () => {
  it('reads resource files of the workspace in the sandbox (relative to the LF file), and nothing outside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-cli-'));
    mkdirSync(join(dir, 'lists'));
    write(dir, 'lists/spam.txt', 'subscribe\ncheck out\n');
    const lfs = write(
      dir,
      'resources.py',
      LF_IMPORT +
        'SPAM_WORDS = open("lists/spam.txt").read().split("\\n")[:2]\n\n' +
        '@labeling_function()\ndef spam_list(x):\n    return 1 if any(w in x.text.lower() for w in SPAM_WORDS) else -1\n\n' +
        'OUTSIDE = open("/etc/hostname").read()\n' +
        'ABSENT = open("lists/absent.txt").read()\n\n' +
        '@labeling_function()\ndef writes(x):\n    open("out.txt", "w").write(x.text)\n    return 1\n',
    );
    const data = join(example, 'data', 'train.json');
    const r = cli('analyze', '--lfs', lfs, '--data', data, '--runtime', 'sandbox', '--json');
    const out = JSON.parse(r.stdout);
    const texts = Object.values(JSON.parse(readFileSync(data, 'utf8')) as Record<string, { data: { text: string } }>).map((v) => v.data.text.toLowerCase());
    const spam = out.lfs.find((l: { name: string }) => l.name === 'spam_list');
    assert.equal(spam.coverage, texts.filter((t) => t.includes('subscribe') || t.includes('check out')).length / texts.length);
    // Python's message, then why LF Studio did not load the file, as a sentence of its own.
    assert.match(r.stderr, /No such file or directory: '\/etc\/hostname'\. \/etc\/hostname was not loaded: it is outside the workspace folder/);
    // The error number is Linux's (ENOENT is 2), not Emscripten's 44, which pyodide's OSError carries.
    assert.match(r.stderr, /FileNotFoundError: \[Errno 2\] No such file or directory: 'lists\/absent\.txt'/);
    assert.doesNotMatch(r.stderr, /Errno 44/);
    // A refusal is named as an LF author can look up, not by the runtime's module.
    assert.match(r.stderr, /writes failed on every row: SandboxViolation: writing files \('out\.txt'\) is not allowed in LF Studio's sandbox/);
    assert.doesNotMatch(r.stderr, /lf_bridges/);
    // A missing file by a relative path: where it was looked for.
    assert.ok(r.stderr.includes(`'lists/absent.txt' (a relative path is read from the LF file's folder, ${dir})`), r.stderr);
  });

  it('run from the home folder, or with LF files whose only common folder holds it, does not let them read the home folder', () => {
    const home = mkdtempSync(join(tmpdir(), 'lfs-home-'));
    mkdirSync(join(home, '.ssh'));
    write(home, '.ssh/id_rsa', 'PRIVATE-KEY-OF-THE-USER');
    mkdirSync(join(home, 'projects', 'spam'), { recursive: true });
    const lfs = write(
      join(home, 'projects', 'spam'),
      'lfs.py',
      LF_IMPORT + 'import os\nHERE = os.path.dirname(os.path.abspath(__file__))\nSECRET = open(os.path.join(HERE, "..", "..", ".ssh", "id_rsa")).read()\n\n' +
        '@labeling_function()\ndef leak(x):\n    raise RuntimeError(SECRET)\n',
    );
    const data = join(example, 'data', 'train.json');
    const env = { ...process.env, HOME: home };
    const run = (cwd: string, ...args: string[]) =>
      spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), 'analyze', ...args, '--data', data, '--runtime', 'sandbox', '--json'], { encoding: 'utf8', timeout: 120_000, cwd, env });
    // `cd ~ && lf-studio analyze --lfs projects/spam/lfs.py`: the LF file's folder is the workspace, not the home.
    const fromHome = run(home, '--lfs', join('projects', 'spam', 'lfs.py'));
    assert.doesNotMatch(fromHome.stdout + fromHome.stderr, /PRIVATE-KEY/);
    assert.match(fromHome.stderr, /id_rsa was not loaded: it is outside the workspace folder/);
    // LF files in two folders whose only common folder holds the home: refused, with the flag that fixes it.
    const other = write(mkdtempSync(join(tmpdir(), 'lfs-other-')), 'other.py', LF_IMPORT + '@labeling_function()\ndef never(x):\n    return -1\n');
    const apart = run(home, '--lfs', lfs, '--lfs', other);
    assert.equal(apart.status, 2, apart.stderr);
    assert.match(apart.stderr, /holds your home folder; .*pass --workspace DIR/);
    assert.doesNotMatch(apart.stdout + apart.stderr, /PRIVATE-KEY/);
    // Named on purpose, the folder is the user's choice.
    const named = run(home, '--lfs', lfs, '--lfs', other, '--workspace', home);
    assert.match(named.stdout, /PRIVATE-KEY/);
  });

  it("does not take a shared temporary folder for the workspace, and hides LF Studio's private folder when one is named", () => {
    // TMPDIR stands for /tmp: LF Studio's private folder (the snapshots' MAC key) is inside it.
    const tmp = mkdtempSync(join(tmpdir(), 'lfs-shared-tmp-'));
    const user = String(process.getuid?.() ?? 'user');
    mkdirSync(join(tmp, `lf-studio-${user}`, 'snapshots'), { recursive: true, mode: 0o700 });
    write(join(tmp, `lf-studio-${user}`, 'snapshots'), 'snapshot.key', 'SECRET-MAC-KEY');
    const lfs = write(
      tmp,
      'lfs.py',
      LF_IMPORT + 'import os\n\n@labeling_function()\ndef peek(x):\n' +
        `    raise RuntimeError(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "lf-studio-${user}", "snapshots", "snapshot.key")).read())\n`,
    );
    const data = join(example, 'data', 'train.json');
    const env = { ...process.env, TMPDIR: tmp };
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), 'analyze', '--lfs', lfs, ...args, '--data', data, '--json'], { encoding: 'utf8', timeout: 240_000, cwd: tmp, env });
    const unasked = run('--runtime', 'sandbox');
    assert.equal(unasked.status, 2, unasked.stderr);
    assert.match(unasked.stderr, /a temporary folder every program shares; .*pass --workspace DIR/);
    for (const runtime of bubblewrapAvailable ? ['sandbox', 'python'] : ['sandbox']) {
      const named = run('--workspace', tmp, '--runtime', runtime);
      assert.doesNotMatch(named.stdout + named.stderr, /SECRET-MAC-KEY/, runtime);
      assert.match(named.stdout + named.stderr, /No such file or directory/, `${runtime}: ${named.stderr}`);
    }
  });

  it('takes the folder above the outermost package for the workspace, so a file deep in a package imports the package', () => {
    const proj = mkdtempSync(join(tmpdir(), 'lfs-pkg-'));
    const deep = join(proj, 'a', 'b', 'c');
    mkdirSync(deep, { recursive: true });
    for (const d of ['a', 'a/b', 'a/b/c']) write(join(proj, d), '__init__.py', '');
    write(deep, 'consts.py', 'SPAM = 1\n');
    const lfs = write(deep, 'lfs.py', 'from a.b.c.consts import SPAM\n' + LF_IMPORT + '@labeling_function()\ndef subscribe(x):\n    return SPAM if "subscribe" in x.text.lower() else -1\n');
    const elsewhere = mkdtempSync(join(tmpdir(), 'lfs-cwd-'));
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), 'analyze', '--lfs', lfs, '--data', join(example, 'data', 'train.json'), '--runtime', 'sandbox', '--json'], { encoding: 'utf8', timeout: 120_000, cwd: elsewhere });
    assert.equal(r.status, 0, r.stderr);
    const lf = (JSON.parse(r.stdout) as { lfs: { name: string; coverage: number; errors: number }[] }).lfs[0];
    assert.equal(lf.errors, 0, r.stderr);
    assert.ok(lf.coverage > 0.05, String(lf.coverage));
  });

  it('runs LF files and helper modules saved as UTF-8 with BOM, as Python does, in both runtimes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-bom-'));
    write(dir, 'helpers.py', '\uFEFFWORDS = ["check"]\n');
    const lfs = write(dir, 'lfs.py', `\uFEFF${LF_IMPORT}from helpers import WORDS\n\n@labeling_function()\ndef kw(x):\n    return 1 if WORDS[0] in x.text.lower() else -1\n`);
    for (const runtime of ['sandbox', ...(bubblewrapAvailable ? ['python'] : [])]) {
      const r = cli('analyze', '--lfs', lfs, '--data', join(example, 'data', 'train.json'), '--runtime', runtime, '--python', '/usr/bin/python3', '--json');
      assert.equal(r.status, 0, `${runtime}: ${r.stderr}`);
      const kw = JSON.parse(r.stdout).lfs[0];
      assert.equal(kw.errors, 0, runtime);
      assert.ok(kw.coverage > 0.1, `${runtime}: coverage ${kw.coverage}`);
    }
  });

  it("says, in the user's Python, that a file it did not find exists outside the workspace", { skip: bubblewrapAvailable ? false : 'no bubblewrap' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-outside-'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'data'));
    write(dir, 'data/kw.json', '["check"]');
    const lfs = write(dir, 'src/k.py', `import json, os\n${LF_IMPORT}WORDS = json.load(open(os.path.join(os.path.abspath(os.pardir), "data", "kw.json")))\n\n@labeling_function()\ndef kw(x):\n    return 1 if WORDS[0] in x.text.lower() else -1\n`);
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), 'analyze', '--lfs', lfs, '--data', join(example, 'data', 'train.json'), '--runtime', 'python', '--python', '/usr/bin/python3'], { encoding: 'utf8', timeout: 120_000, cwd: join(dir, 'src') });
    assert.match(r.stderr, /No such file or directory: '[^']*data\/kw\.json': that file exists, but outside the workspace folder \([^)]*src\), which is all your Python may read; open a folder that holds both/, r.stderr);
  });

  it("notes that --lfs with --project replaces the project's LF files, naming the ones left out", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-replace-'));
    const extra = write(dir, 'suggested.py', `${LF_IMPORT}@labeling_function()\ndef kw(x):\n    return 1 if "check" in x.text.lower() else -1\n`);
    const r = cli('analyze', '--project', example, '--lfs', extra, '--runtime', 'sandbox');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /note: --lfs replaces the project's LF files, so lfs\.py is left out; to run them together, give each with --lfs or add the file to "lfFiles"/);
    const both = cli('analyze', '--project', example, '--lfs', extra, '--lfs', join(example, 'lfs.py'), '--runtime', 'sandbox');
    assert.doesNotMatch(both.stderr, /replaces/);
  });

  it('names "textField" in lfstudio.json, not --text-field, when the project set the text field the data lacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-textfield-'));
    write(dir, 'd.csv', 'id,body\n1,hello\n');
    write(dir, 'l.py', `${LF_IMPORT}@labeling_function()\ndef a(x):\n    return -1\n`);
    write(dir, 'lfstudio.json', JSON.stringify({ labels: ['A', 'B'], data: { sample: 'd.csv' }, textField: 'bdy', lfFiles: ['l.py'] }));
    const r = cli('analyze', '--project', dir);
    assert.match(r.stderr, /no "bdy" column; the columns are "id", "body"\. Set "textField" in \S*lfstudio\.json to the column that holds the text/);
    assert.match(cli('analyze', '--project', dir, '--text-field', 'bdy').stderr, /Set --text-field to the column/);
  });

  it('says once that the LFs a factory made at one line share a name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-factory-'));
    const lfs = write(dir, 'lfs.py', 'from snorkel.labeling import LabelingFunction\n\ndef make(w):\n    return LabelingFunction(name="kw", f=lambda x: 1 if w in x.text else -1)\n\nlfs = [make(w) for w in ["check", "song", "love"]]\n');
    const r = cli('analyze', '--lfs', lfs, '--data', join(example, 'data', 'train.json'), '--runtime', 'sandbox');
    const lines = r.stderr.split('\n').filter((l) => l.includes("named 'kw'"));
    assert.deepEqual(lines.length, 1, r.stderr);
    assert.match(lines[0], /lfs\.py:6: 3 LFs made at this line are all named 'kw'; Snorkel's appliers refuse/);
  });

  it('reports an LF that fails on the dev rows (a field the dev file lacks), in analyze and in label', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-deverr-'));
    write(dir, 'train.jsonl', ['{"text": "buy now", "src": "web"}', '{"text": "hi mom", "src": "sms"}', '{"text": "free prize", "src": "web"}'].join('\n') + '\n');
    write(dir, 'dev.csv', 'text,label\nbuy it,1\nhello,0\n');
    const lfs = write(
      dir,
      'lfs.py',
      LF_IMPORT + '@labeling_function()\ndef from_web(x):\n    return 1 if x.src == "web" else 0\n\n@labeling_function()\ndef says_buy(x):\n    return 1 if "buy" in x.text else -1\n',
    );
    const data = ['--lfs', lfs, '--data', join(dir, 'train.jsonl'), '--dev', join(dir, 'dev.csv'), '--runtime', 'sandbox'];
    const r = cli('analyze', ...data, '--json');
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    const web = out.lfs.find((lf: { name: string }) => lf.name === 'from_web');
    assert.equal(web.errors, 0);
    assert.equal(web.devErrors, 2);
    assert.match(web.devFirstError.message, /no field 'src'/);
    assert.equal(out.lfs.find((lf: { name: string }) => lf.name === 'says_buy').devErrors, 0);
    assert.match(r.stderr, /from_web failed on every dev row, so its dev figures are empty/);
    const text = cli('analyze', ...data);
    assert.match(text.stdout, /from_web: failed on 2 of 2 dev rows/);
    const label = cli('label', ...data, '--out', join(dir, 'labels.jsonl'));
    assert.equal(label.status, 0, label.stderr);
    assert.match(label.stderr, /from_web failed on 2 rows of the dev set/);
  });

  it('fails analyze, label and export-job (after writing) when a statement that defines an LF raised, but not for a notebook cell; export-job too when an LF fails on every row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-undefined-'));
    write(dir, 'train.jsonl', ['{"text": "buy now"}', '{"text": "hi mom"}', '{"text": "free prize"}'].join('\n') + '\n');
    const cell = 'L_train = applier.apply(df_train)\n';
    const ok = LF_IMPORT + '@labeling_function()\ndef says_buy(x):\n    return 1 if "buy" in x.text else 0\n\n';
    const withCell = write(dir, 'cell.py', ok + cell);
    const withBroken = write(dir, 'broken.py', ok + 'def spacy_pre():\n    raise ImportError("spaCy is not installed")\n\n@labeling_function(pre=[spacy_pre()])\ndef has_person(x):\n    return 1\n');
    const data = (file: string) => ['--lfs', file, '--data', join(dir, 'train.jsonl'), '--runtime', 'sandbox'];

    const fine = cli('analyze', ...data(withCell));
    assert.equal(fine.status, 0, fine.stderr);
    assert.match(fine.stderr, /warning: .*cell\.py:7: NameError: name 'applier' is not defined/);

    const r = cli('analyze', ...data(withBroken), '--json');
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).lfs.map((lf: { name: string }) => lf.name), ['says_buy']);
    assert.match(r.stderr, /broken\.py:8: ImportError: spaCy is not installed \(so has_person is not defined\)/);
    assert.doesNotMatch(r.stderr, /warning/);

    const out = join(dir, 'labels.jsonl');
    const label = cli('label', ...data(withBroken), '--out', out);
    assert.equal(label.status, 1, label.stderr);
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 3);
    assert.match(label.stderr, /has_person is not defined\); the votes and the label model leave it out/);
    const job = cli('export-job', ...data(withBroken), '--out', join(dir, 'job'));
    assert.equal(job.status, 1, job.stderr);
    assert.match(job.stderr, /has_person is not defined/);
    assert.ok(readFileSync(join(dir, 'job', 'run.py'), 'utf8').length > 0);

    // An LF that fails on every training row: label and export-job write their output and exit 1.
    const dead = write(dir, 'dead.py', ok + '@labeling_function()\ndef from_web(x):\n    return 1 if x.src == "web" else 0\n');
    const deadJob = cli('export-job', ...data(dead), '--out', join(dir, 'dead-job'));
    assert.equal(deadJob.status, 1, deadJob.stderr);
    assert.match(deadJob.stderr, /from_web failed on every training row, so the label model was fitted with it abstaining \(exit code 1\)/);
    assert.doesNotMatch(deadJob.stderr, /says_buy failed/);
    assert.ok(readFileSync(join(dir, 'dead-job', 'run.py'), 'utf8').length > 0);
  });

  it("finds LFs a class holds (Snorkel applies LFs.lf_check), and names a module missing from the LF file's own package", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-class-'));
    write(dir, 'train.jsonl', ['{"text": "check it"}', '{"text": "hi"}', '{"text": "a long text of words"}'].join('\n') + '\n');
    const lfs = write(
      dir,
      'cls.py',
      LF_IMPORT +
        'class LFs:\n    @staticmethod\n    @labeling_function()\n    def lf_check(x):\n        return 1 if "check" in x.text else -1\n\n' +
        '    @labeling_function()\n    def lf_short(x):\n        return 0 if len(x.text.split()) < 3 else -1\n\n    not_an_lf = 3\n',
    );
    mkdirSync(join(dir, 'pkg'));
    write(join(dir, 'pkg'), '__init__.py', '');
    const inPkg = write(join(dir, 'pkg'), 'lfs.py', 'from pkg.utils import helper\n' + LF_IMPORT + '@labeling_function()\ndef lf_a(x):\n    return 1\n');
    for (const runtime of bubblewrapAvailable ? ['sandbox', 'python'] : ['sandbox']) {
      const r = cli('analyze', '--lfs', lfs, '--data', join(dir, 'train.jsonl'), '--runtime', runtime, '--python', '/usr/bin/python3', '--json');
      assert.equal(r.status, 0, `${runtime}: ${r.stderr}`);
      assert.deepEqual(
        JSON.parse(r.stdout).lfs.map((lf: { name: string; coverage: number }) => [lf.name, lf.coverage]),
        [
          ['lf_check', 1 / 3],
          ['lf_short', 2 / 3],
        ],
        runtime,
      );
      const p = cli('analyze', '--lfs', inPkg, '--data', join(dir, 'train.jsonl'), '--runtime', runtime, '--python', '/usr/bin/python3', '--workspace', dir);
      assert.match(p.stderr, /No module named 'pkg\.utils': the package pkg \(.*\/pkg\) has no module utils; add utils\.py \(or a package utils\/\) to it/, runtime);
    }
    // An installed package's module that moved or went in its version is no file to add (pandas.tools went in 0.25).
    if (bubblewrapAvailable && spawnSync('/usr/bin/python3', ['-c', 'import pandas']).status === 0) {
      const old = write(dir, 'old_pandas.py', 'from pandas.tools.plotting import scatter_matrix\n' + LF_IMPORT + '@labeling_function()\ndef lf_a(x):\n    return 1\n');
      const r = cli('analyze', '--lfs', old, '--data', join(dir, 'train.jsonl'), '--runtime', 'python', '--python', '/usr/bin/python3');
      assert.match(r.stderr, /No module named 'pandas\.tools': the installed package pandas \(.*\) has no module tools in this version; it may have moved or been removed/);
    }
  });

  it('never widens the workspace above the current folder that holds the LF files, even inside a package', () => {
    const src = mkdtempSync(join(tmpdir(), 'lfs-src-'));
    const cloned = join(src, 'cloned');
    mkdirSync(cloned);
    write(cloned, '__init__.py', '');
    write(join(src), 'secret.txt', 'SIBLING-SECRET');
    const lfs = write(cloned, 'lfs.py', LF_IMPORT + 'LEAK = open("../secret.txt").read()\n\n@labeling_function()\ndef peek(x):\n    raise RuntimeError(LEAK)\n');
    for (const runtime of bubblewrapAvailable ? ['sandbox', 'python'] : ['sandbox']) {
      const r = spawnSync(process.execPath, [join(repo, 'bin', 'lf-studio.js'), 'analyze', '--lfs', 'lfs.py', '--data', join(example, 'data', 'train.json'), '--runtime', runtime, '--python', '/usr/bin/python3', '--json'], { encoding: 'utf8', timeout: 120_000, cwd: cloned });
      assert.ok(lfs.startsWith(cloned));
      assert.doesNotMatch(r.stdout + r.stderr, /SIBLING-SECRET/, runtime);
      assert.match(r.stdout + r.stderr, /No such file or directory|outside the workspace/, `${runtime}: ${r.stderr}`);
    }
  });

  it('imports helper modules beside the LF file in the sandbox, runs a file statement by statement, and honours its lfs list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-cli-'));
    write(dir, 'keywords.py', 'SPAM_WORDS = ("subscribe", "check out")\n');
    const lfs = write(
      dir,
      'real.py',
      LF_IMPORT +
        'from snorkel.labeling import PandasLFApplier\nfrom keywords import SPAM_WORDS\n\n' +
        '@labeling_function()\ndef spam_words(x):\n    return 1 if any(w in x.text.lower() for w in SPAM_WORDS) else -1\n\n' +
        // A notebook cell left in the file: it fails, the LFs around it still run.
        'L_train = PandasLFApplier(lfs=[spam_words]).apply(df_train)\n\n' +
        '@labeling_function()\ndef song(x):\n    return 0 if "song" in x.text.lower() else -1\n\n' +
        'lfs = [spam_words]\n',
    );
    const data = join(example, 'data', 'train.json');
    const r = cli('analyze', '--lfs', lfs, '--data', data, '--runtime', 'sandbox', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const texts = Object.values(JSON.parse(readFileSync(data, 'utf8')) as Record<string, { data: { text: string } }>).map((v) => v.data.text.toLowerCase());
    const spam = out.lfs.find((l: { name: string }) => l.name === 'spam_words');
    assert.equal(spam.coverage, texts.filter((t) => t.includes('subscribe') || t.includes('check out')).length / texts.length);
    assert.equal(spam.inLabelModel, true);
    const song = out.lfs.find((l: { name: string }) => l.name === 'song');
    assert.equal(song.inLabelModel, false, 'outside the lfs list');
    assert.equal(song.estimatedAccuracy, null);
    assert.ok(song.coverage > 0);
    assert.deepEqual(out.fileProblems.map((p: { line: number }) => p.line), [10]);
    assert.match(out.fileProblems[0].message, /PandasLFApplier is not available inside LF Studio.*this statement is skipped/);
    assert.match(r.stderr, /warning: .*real\.py:10: RuntimeError: PandasLFApplier/);
  });

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

  it('prints no control character that an LF name or exception carries, in the table, the JSON or on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-cli-'));
    const data = join(example, 'data', 'valid.json');
    // Python escapes: the LF's name and its exception text hold real ESC, BEL, C1 and bidi characters.
    const hostile = write(
      dir,
      'hostile.py',
      LF_IMPORT +
        '@labeling_function(name="\\x1b]0;pwned\\x07evil")\ndef evil(x):\n    raise ValueError("\\x1b[2J\\x1b]52;c;ZWNobw==\\x07")\n\n' +
        '@labeling_function(name="c1\\u009b31m\\u202egnp.exe")\ndef c1(x):\n    print("\\x1b]0;printed\\x07")\n    return 1 if "check" in x.text.lower() else -1\n\n' +
        // The same hostile name twice: the duplicate-name warning on stderr quotes it.
        '@labeling_function(name="\\x1b]0;pwned\\x07evil")\ndef evil_again(x):\n    return -1\n',
    );
    // evil raises on every row: figures are printed, and the exit code says the run did not fully work.
    const table = cliBytes('analyze', '--lfs', hostile, '--data', data);
    assert.equal(table.status, 1, table.stderr.toString());
    const json = cliBytes('analyze', '--lfs', hostile, '--data', data, '--json');
    assert.equal(json.status, 1, json.stderr.toString());
    // A file that fails while loading: its exception text goes to stderr.
    const failing = write(dir, 'failing.py', `${LF_IMPORT}raise RuntimeError("\\x1b]52;c;ZWNobw==\\x07\\x1b[2J\\u009b31mload")\n`);
    const load = cliBytes('analyze', '--lfs', failing, '--data', data);
    assert.equal(load.status, 1);
    for (const [what, bytes] of [['table stdout', table.stdout], ['table stderr', table.stderr], ['json stdout', json.stdout], ['json stderr', json.stderr], ['load stderr', load.stderr], ['load stdout', load.stdout]] as const) {
      assert.deepEqual(controlChars(bytes), [], `${what}: ${JSON.stringify(bytes.toString())}`);
    }
    const tableOut = table.stdout.toString();
    assert.match(tableOut, /^\uFFFDevil\s+0\s+\[\]/m, 'the name shows with a placeholder where the sequence was');
    assert.match(tableOut, /\uFFFDevil: exception at hostile\.py:\d+ \(first on row 0\): ValueError: \uFFFD\uFFFD/);
    assert.doesNotMatch(tableOut + table.stderr.toString(), /pwned|ZWNobw/, 'escape-sequence payloads are dropped whole');
    assert.match(table.stderr.toString(), /warning: .*hostile\.py:\d+: LF name '\uFFFDevil' is also used at line \d+ of this file/);
    assert.match(load.stderr.toString(), /failing\.py:\d+: RuntimeError: \uFFFD\uFFFD\S*load$/m);
    // JSON keeps the exact values, with every control character escaped.
    const out = JSON.parse(json.stdout.toString());
    assert.deepEqual(out.lfs.map((l: { name: string }) => l.name), ['\x1b]0;pwned\x07evil', 'c1\u009b31m\u202egnp.exe', '\x1b]0;pwned\x07evil']);
    assert.match(out.lfs[0].firstError.message, /^ValueError: \x1b\[2J\x1b\]52;c;ZWNobw==\x07$/);
  });

  it('analyzes several --lfs files as one project: per-file figures as alone, overlaps, conflicts and the label model joint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-cli-'));
    const a = write(dir, 'a.py', `${LF_IMPORT}@labeling_function()\ndef has_o(x):\n    return 1 if "o" in x.text.lower() else -1\n`);
    const b = write(dir, 'b.py', `${LF_IMPORT}@labeling_function()\ndef keyword_song(x):\n    return 0 if "song" in x.text.lower() else -1\n`);
    const data = join(example, 'data', 'train.json');
    const train = (Object.values(JSON.parse(readFileSync(data, 'utf8'))) as { data: { text: string } }[]).map((r) => r.data.text.toLowerCase());
    const both = train.filter((t) => t.includes('o') && t.includes('song')).length;
    const run = (...files: string[]) => {
      const r = cli('analyze', ...files.flatMap((f) => ['--lfs', f]), '--data', data, '--json');
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const joint = run(a, b);
    const [aloneA, aloneB] = [run(a), run(b)];
    assert.deepEqual(joint.lfs.map((l: { name: string; file: string }) => [l.name, l.file]), [['has_o', a], ['keyword_song', b]]);
    assert.equal(joint.lfs[0].coverage, aloneA.lfs[0].coverage);
    assert.equal(joint.lfs[1].coverage, aloneB.lfs[0].coverage);
    assert.equal(joint.lfs[1].coverage, train.filter((t) => t.includes('song')).length / train.length);
    assert.ok(both > 0);
    assert.equal(aloneA.lfs[0].overlaps, 0, 'alone, an LF overlaps nothing');
    for (const lf of joint.lfs) {
      assert.equal(lf.overlaps, both / train.length, `${lf.name} overlaps the other file's LF`);
      assert.equal(lf.conflicts, both / train.length, `${lf.name} conflicts: the two vote different classes`);
    }
    assert.equal(joint.totalConflict, both / train.length);
    assert.deepEqual(joint.labelModel.overrides, [{ narrow: 'keyword_song', broad: 'has_o', rows: train.filter((t) => t.includes('song')).length }]);
    assert.equal(aloneA.labelModel.overrides.length, 0);
    const table = cli('analyze', '--lfs', a, '--lfs', b, '--data', data);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^\s+j\s+Polarity.*Errors\s+File\s+Runtime$/m);
    assert.match(table.stdout, /^has_o\s+0\s+\[1\].*\s0\s+a\.py\s+sandbox$/m);
    assert.match(table.stdout, /^keyword_song\s+1\s+\[0\].*\s0\s+b\.py\s+sandbox$/m);
  });

  it('runs each --lfs file once per dataset, as its own file, through the engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-cli-'));
    const files = [write(dir, 'one.py', 'def a(x): ...\n'), write(dir, 'two.py', 'def b(x): ...\ndef c(x): ...\n')];
    const calls: RunFileOptions[] = [];
    const rows: Record<string, Row[]> = {};
    const executor: LfExecutor = {
      async loadRows(key, r) { rows[key] = r; },
      async runFile(o) {
        calls.push(o);
        const names = [...o.source.matchAll(/^def (\w+)\(/gm)].map((m) => m[1]!);
        const n = rows[o.datasetKey]!.length;
        const lfs = names.map((name, j) => ({ name, line: j + 1, votes: Int8Array.from({ length: n }, (_, i) => (i % (j + 2) === 0 ? 1 : -1)), errors: 0, errorRowIds: [], firstError: null, noneCount: 0, timedOut: false, durationMs: 1 }));
        return { file: o.file, lfs, fileError: null, durationMs: 1 };
      },
      async isolation() { return { separateProcess: true, environmentScrubbed: true, nodePermissionModel: false, networkNamespace: false, pyodideBridgesRemoved: true, memoryCapMb: null }; },
      async dispose() {},
    };
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAnalyzeCommand(
      ['--lfs', files[0], '--lfs', files[1], '--data', join(example, 'data', 'train.json'), '--dev', join(example, 'data', 'valid.json'), '--json'],
      { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
      {},
      { createExecutor: () => executor },
    );
    assert.equal(code, 0, err.join(''));
    assert.deepEqual(calls.map((c) => [c.file, c.datasetKey]), [[files[0], 'sample'], [files[0], 'dev'], [files[1], 'sample'], [files[1], 'dev']]);
    assert.deepEqual(calls.map((c) => c.source), [readFileSync(files[0], 'utf8'), readFileSync(files[0], 'utf8'), readFileSync(files[1], 'utf8'), readFileSync(files[1], 'utf8')]);
    const json = JSON.parse(out.join(''));
    assert.deepEqual(json.lfs.map((l: { name: string; file: string }) => [l.name, l.file]), [['a', files[0]], ['b', files[1]], ['c', files[1]]]);
    // a (one.py) and b (two.py) both vote on the even rows: a's overlaps come from the other file's LF.
    assert.ok(json.lfs[0].coverage > 0);
    assert.equal(json.lfs[0].overlaps, json.lfs[0].coverage);
    assert.ok(json.lfs.every((l: { correct: number | null }) => l.correct !== null), 'dev figures for the LFs of every file');
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
    // No text field is needed to read the data; each LF that reads x.text says which fields there are and the fix.
    const noText = cli('analyze', '--lfs', join(example, 'lfs.py'), '--data', join(raw, 'Youtube01-Psy.csv'));
    assert.equal(noText.status, 1);
    assert.match(noText.stderr, /keyword_my failed on every row: AttributeError: row has no field 'text'; fields are: .*CONTENT.*--text-field/);
    // LFs built in a function nothing calls, in a file whose import of a missing package raised: both are said.
    const factory = join(dir, 'factory.py');
    writeFileSync(factory, 'import textblob_not_here\nfrom snorkel.labeling import LabelingFunction\n\ndef get_lfs():\n    return [LabelingFunction(name="a", f=lambda x: -1)]\n');
    const built = cli('analyze', '--lfs', factory, '--data', join(example, 'data', 'valid.json'));
    assert.notEqual(built.status, 0);
    assert.match(built.stderr, /No module named 'textblob_not_here'/);
    assert.match(built.stderr, /factory\.py defines no labeling functions; .*if a function builds them \(def get_lfs\(\): \.\.\.\), call it at the top level/);
    // The builder called at the top level, in a statement that raised because an earlier one did: that is why.
    const called = join(dir, 'called.py');
    writeFileSync(
      called,
      'from snorkel.labeling import LabelingFunction\nwith open("missing.yaml") as f:\n    words = f.read().split()\n\n' +
        'def make_lf(name, words, label):\n    return LabelingFunction(name=name, f=lambda x: label if words else -1)\n\nlfs = [\n    make_lf("kw", words, 1),\n]\n',
    );
    const raisedBuilder = cli('analyze', '--lfs', called, '--data', join(example, 'data', 'valid.json'));
    assert.match(raisedBuilder.stderr, /called\.py defines no labeling functions: the statement at line 9 that builds them with make_lf\(\) raised NameError: name 'words' is not defined because the top-level statement at line 2 raised/);
    assert.doesNotMatch(raisedBuilder.stderr, /call it at the top level/);
    // Leaving the file out is done where it was named: here the --lfs options, not a project's "lfFiles".
    assert.match(built.stderr, /or remove the file from the --lfs options/);
    assert.doesNotMatch(built.stderr, /lfstudio\.json/);
    const noLfs = join(dir, 'helpers.py');
    writeFileSync(noLfs, 'import re\n\ndef helper(x):\n    return 1\n');
    cases.push([['analyze', '--lfs', noLfs, '--data', join(example, 'data', 'valid.json')], /helpers\.py defines no labeling functions; decorate each one with @labeling_function\(\)/]);
    cases.push([['analyze', '--lfs', join(example, 'lfs.py'), '--lfs', join(example, 'lfs.py'), '--data', join(example, 'data', 'valid.json')], /lfs\.py is given twice; give each LF file once/]);
    // More classes than a vote (one signed byte) holds: from gold ids, and from --labels.
    const manyDev = write(dir, 'many.csv', 'text,label\n' + Array.from({ length: 150 }, (_, i) => `intent ${i},${i}\n`).join(''));
    cases.push([['analyze', '--lfs', join(example, 'lfs.py'), '--data', manyDev, '--dev', manyDev], /the gold labels go up to class id 149: LF Studio supports at most 127 classes/]);
    const names = Array.from({ length: 128 }, (_, i) => `c${i}`).join(',');
    cases.push([['analyze', '--lfs', join(example, 'lfs.py'), '--data', manyDev, '--labels', names], /--labels names 128 classes: LF Studio supports at most 127/]);
    cases.push([['analyze', '--lfs', join(example, 'lfs.py'), '--data', manyDev, '--labels', 'pos,pos'], /--labels lists "pos" twice; class names must be unique/]);
    const broken = write(dir, 'broken.py', 'def oops(:\n');
    cases.push([['analyze', '--lfs', join(example, 'lfs.py'), '--lfs', broken, '--data', join(example, 'data', 'valid.json'), '--workspace', dir], /broken\.py:1: .*Syntax/i]);
    for (const [args, pattern] of cases) {
      const r = cli(...args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line on stderr for ${args.join(' ')}: ${r.stderr}`);
    }
    // --json prints one object whatever stopped the run.
    const stopped = cli('analyze', '--lfs', join(example, 'lfs.py'), '--data', bad, '--json');
    assert.equal(stopped.status, 1);
    assert.match(JSON.parse(stopped.stdout).error, /bad\.jsonl:2/);
  });
});
