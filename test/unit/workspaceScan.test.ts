// The walk that finds, for the user's Python, what no path names: private folders at any depth of the
// workspace and the other hard links to the hidden files (workspaceScan.ts).
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bubblewrap, findInterpreter, planNativeLaunch } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import { scanWorkspace } from '../../lf-runtime/src/sandbox/workspaceScan.ts';

describe('workspace scan', () => {
  const ws = mkdtempSync(join(tmpdir(), 'lf-scan-'));
  after(() => rmSync(ws, { recursive: true, force: true }));
  for (const dir of ['.git/objects', 'vendor/lib/.git', 'a/b/c/.hg', 'sub/.lfstudio', 'data', '.dvc/cache/files/md5/a4', 'outside']) mkdirSync(join(ws, dir), { recursive: true });
  writeFileSync(join(ws, 'data', 'dev.jsonl'), '{"text": "a", "label": 1}\n');
  writeFileSync(join(ws, 'data', 'train.jsonl'), '{"text": "a"}\n');
  linkSync(join(ws, 'data', 'dev.jsonl'), join(ws, '.dvc', 'cache', 'files', 'md5', 'a4', '2f30'));
  linkSync(join(ws, 'data', 'dev.jsonl'), join(ws, 'a', 'copy.jsonl'));
  linkSync(join(ws, 'data', 'train.jsonl'), join(ws, 'a', 'train-link.jsonl'));
  symlinkSync(join(ws, 'vendor'), join(ws, 'outside', 'loop'));

  it('finds every private folder, without entering one or following a symbolic link, and the hard links of the hidden files only', () => {
    const scan = scanWorkspace(ws, [join(ws, 'data', 'dev.jsonl')]);
    assert.equal(scan.complete, true);
    assert.deepEqual([...scan.privateDirs].sort(), ['.dvc', '.git', 'a/b/c/.hg', 'sub/.lfstudio', 'vendor/lib/.git'].map((d) => join(ws, d)).sort());
    // The DVC cache's link is inside .dvc, hidden whole; the one outside it is masked on its own.
    assert.deepEqual(scan.links, [{ path: join(ws, 'a', 'copy.jsonl'), of: join(ws, 'data', 'dev.jsonl') }]);
  });

  it("walks the project's folders before node_modules, so a cap reached there still finds a nested .git", () => {
    const big = mkdtempSync(join(tmpdir(), 'lf-scan-big-'));
    try {
      mkdirSync(join(big, 'node_modules', 'pkg'), { recursive: true });
      for (let i = 0; i < 60; i++) writeFileSync(join(big, 'node_modules', 'pkg', `f${i}.js`), '');
      mkdirSync(join(big, 'lib', 'wrench', '.git'), { recursive: true });
      const scan = scanWorkspace(big, [], 20);
      assert.equal(scan.complete, false);
      assert.deepEqual(scan.privateDirs, [join(big, 'lib', 'wrench', '.git')]);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });

  it('looks at no file while no hidden file has another link, and says when it stopped short', () => {
    assert.deepEqual(scanWorkspace(ws, [join(ws, 'outside', 'missing.jsonl')]).links, []);
    const short = scanWorkspace(ws, [], 3);
    assert.equal(short.complete, false);
    assert.equal(short.entries, 3);
  });

  it("hides the private folders of a project folder the interpreter's path holds (an editable install's .pth), not walking Python installations", { skip: bubblewrap() ? false : 'no bubblewrap' }, () => {
    const proj = mkdtempSync(join(tmpdir(), 'lf-scan-proj-'));
    try {
      mkdirSync(join(proj, '.git', 'objects'), { recursive: true });
      mkdirSync(join(proj, 'vendored', '.hg'), { recursive: true });
      mkdirSync(join(proj, 'labeling'));
      const python = findInterpreter('/usr/bin/python3');
      const plan = planNativeLaunch({
        interpreter: { ...python, readPaths: [...python.readPaths, proj] },
        pythonDir: join(import.meta.dirname, '..', '..', 'dist', 'python'),
        workspace: join(proj, 'labeling'),
        memoryMb: 512,
        allowUnsandboxed: false,
      });
      const tmpfs = plan.args.flatMap((a, i) => (a === '--tmpfs' ? [plan.args[i + 1]] : []));
      assert.ok(tmpfs.includes(join(proj, '.git')), tmpfs.join(' '));
      assert.ok(tmpfs.includes(join(proj, 'vendored', '.hg')), tmpfs.join(' '));
      assert.ok(plan.args.includes('--remount-ro') && plan.args[plan.args.lastIndexOf('--remount-ro') + 1] === '/', 'the root is read-only');
    } finally {
      rmSync(proj, { recursive: true, force: true });
    }
  });
});
