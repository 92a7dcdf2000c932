// The walk that finds, for the user's Python, what no path names: private folders at any depth of the
// workspace and the other hard links to the hidden files (workspaceScan.ts).
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
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

  it('looks at no file while no hidden file has another link, and says when it stopped short', () => {
    assert.deepEqual(scanWorkspace(ws, [join(ws, 'outside', 'missing.jsonl')]).links, []);
    const short = scanWorkspace(ws, [], 3);
    assert.equal(short.complete, false);
    assert.equal(short.entries, 3);
  });
});
