// The helper modules beside an LF file, which the parent reads and hands to the sandbox: a file planted there as
// a link (to a file outside the workspace, the process's environment, a gold-label file, a device) or a named
// pipe is no module, so no LF reads through it what the sandbox refuses it, and no such file stalls the parent.
// The exported job copies what it ships under the same checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { siblingModules } from '../../lf-runtime/src/engine/siblingModules.ts';
import { cli } from '../support/exportedJob.ts';

const SECRET = 'TOP_SECRET_VALUE_42';

/** A workspace whose LF folder holds good helpers and hostile ones; returns its paths. */
function plant(): { ws: string; lfs: string; dev: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lf-siblings-'));
  const ws = join(dir, 'ws');
  mkdirSync(join(ws, 'common'), { recursive: true });
  writeFileSync(join(dir, 'outside.txt'), `SECRET = "${SECRET}"\n`);
  writeFileSync(join(ws, 'common', 'shared.py'), 'WORDS = ["subscribe"]\n');
  writeFileSync(join(ws, 'helpers.py'), 'def words(t):\n    return t.lower().split()\n');
  const dev = join(ws, 'dev.csv');
  writeFileSync(dev, `text,label\n${SECRET} check,1\nnice song,0\n`);
  // A link inside the workspace is a helper as the file it names is.
  symlinkSync(join(ws, 'common', 'shared.py'), join(ws, 'shared.py'));
  symlinkSync(join(dir, 'outside.txt'), join(ws, 'outside.py'));
  symlinkSync('/proc/self/environ', join(ws, 'environ.py'));
  symlinkSync(dev, join(ws, 'devcopy.py'));
  symlinkSync('/dev/zero', join(ws, 'zero.py'));
  const fifo = spawnSync('mkfifo', [join(ws, 'pipe.py')]);
  assert.equal(fifo.status, 0, 'mkfifo');
  writeFileSync(join(ws, 'big.py'), `X = "${'a'.repeat(600 * 1024)}"\n`);
  const lfs = join(ws, 'lfs.py');
  writeFileSync(
    lfs,
    [
      'from snorkel.labeling import labeling_function',
      'import linecache, os',
      '',
      '@labeling_function()',
      'def leak(x):',
      '    for name in ("outside", "environ", "devcopy"):',
      '        try:',
      '            __import__(name)',
      '        except BaseException:',
      '            pass',
      '    text = "".join("".join(linecache.getlines(os.path.join(os.path.dirname(__file__), n + ".py"))) for n in ("outside", "environ", "devcopy"))',
      `    return 1 if "${SECRET}" in text or "PATH=" in text else 0`,
      '',
      '@labeling_function()',
      'def helper(x):',
      '    from helpers import words',
      '    from shared import WORDS',
      '    return 1 if set(WORDS) & set(words(x.text)) else -1',
      '',
    ].join('\n'),
  );
  return { ws, lfs, dev };
}

describe('helper modules beside an LF file', () => {
  it('are the regular files inside the workspace: links out of it, to gold labels or to devices, pipes and oversized files are left out', () => {
    const { ws, lfs, dev } = plant();
    const got = siblingModules(lfs, { root: ws, hidden: [{ path: dev, what: 'dev.csv, which holds gold labels' }] });
    assert.deepEqual(Object.keys(got ?? {}).sort(), ['helpers', 'shared']);
    assert.match(got!.shared!, /subscribe/);
    // Without a workspace, the LF file's own folder bounds what is read.
    assert.deepEqual(Object.keys(siblingModules(join(ws, 'common', 'x.py')) ?? {}), ['shared']);
  });

  it('give an LF nothing of what the links name, in analyze and in the exported job', { timeout: 300_000 }, () => {
    const { ws, lfs, dev } = plant();
    const data = join(ws, 'train.csv');
    writeFileSync(data, 'text\nplease subscribe\nnice song\n');
    const env = { ...process.env, [SECRET]: SECRET };
    const analyzed = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'lf-studio.js'), 'analyze', '--lfs', lfs, '--data', data, '--dev', dev, '--workspace', ws, '--runtime', 'sandbox', '--json'], { encoding: 'utf8', env, timeout: 120_000 });
    assert.equal(analyzed.signal, null, 'finished (a pipe or device beside the file does not stall it)');
    const out = JSON.parse(analyzed.stdout) as { lfs: { name: string; coverage: number; polarity: number[] }[] };
    const lf = (n: string) => out.lfs.find((l) => l.name === n)!;
    assert.deepEqual(lf('leak').polarity, [0], 'the LF read nothing through the links');
    assert.equal(lf('helper').coverage, 0.5, 'a helper and a link to one inside the workspace import');
    assert.ok(!analyzed.stdout.includes(SECRET) && !analyzed.stderr.includes(SECRET));

    const job = join(ws, '..', 'job');
    const exported = cli('export-job', '--lfs', lfs, '--data', data, '--dev', dev, '--workspace', ws, '--runtime', 'sandbox', '--out', job);
    assert.equal(exported.status, 0, exported.stderr);
    const shipped = readdirSync(join(job, 'lfs')).sort();
    // big.py goes too: too large for the sandbox to import, but the user's Python imports it from the folder.
    assert.deepEqual(shipped, ['big.py', 'helpers.py', 'lfs.py', 'shared.py']);
    for (const name of shipped.filter((n) => n !== 'lfs.py')) assert.ok(!readFileSync(join(job, 'lfs', name), 'utf8').includes(SECRET), name);
    assert.ok(!existsSync(join(job, 'lfs', 'outside.py')));
  });

  it("keep a project's editor labels file from LFs on the command line too, and out of the exported job", { timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-editor-labels-'));
    writeFileSync(join(dir, 'train.csv'), 'text\nplease subscribe\nnice song\n');
    // Outside .lfstudio (which is private anyway), as "data.labels" may put it.
    writeFileSync(join(dir, 'gold.jsonl'), `{"id": "1", "label": "SPAM", "note": "${SECRET}"}\n`);
    writeFileSync(join(dir, 'lfstudio.json'), JSON.stringify({ task: 't', labels: ['HAM', 'SPAM'], data: { sample: 'train.csv', labels: 'gold.jsonl' }, lfFiles: ['lfs.py'] }));
    symlinkSync(join(dir, 'gold.jsonl'), join(dir, 'goldlink.py'));
    writeFileSync(
      join(dir, 'lfs.py'),
      'from snorkel.labeling import labeling_function\ntry:\n    GOLD = open("gold.jsonl").read()\nexcept OSError:\n    GOLD = ""\n\n' +
        `@labeling_function()\ndef peeks(x):\n    return 1 if "${SECRET}" in GOLD else 0\n`,
    );
    const analyzed = cli('analyze', '--project', dir, '--runtime', 'sandbox', '--json');
    assert.equal(analyzed.status, 0, analyzed.stderr);
    const lf = (JSON.parse(analyzed.stdout) as { lfs: { name: string; polarity: number[] }[] }).lfs.find((l) => l.name === 'peeks')!;
    assert.deepEqual(lf.polarity, [0], 'the LF did not read the labels file');
    const job = join(dir, 'job');
    const exported = cli('export-job', '--project', dir, '--runtime', 'sandbox', '--out', job);
    assert.equal(exported.status, 0, exported.stderr);
    assert.deepEqual(readdirSync(join(job, 'lfs')).sort(), ['lfs.py']);
  });
});
