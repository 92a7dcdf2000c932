// The data files that hold gold labels (the dev set, a labeled sample, the editor's labels file) are readable by
// no LF, in either runtime, however the file names them: so no LF can vote by looking its row's label up and
// show a precision it does not have. Other workspace files stay readable.
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';
import { bothRuntimes } from '../support/bothRuntimes.ts';

const TEXTS = ['check out my channel', 'nice song', 'subscribe now', 'love it'];
const GOLD = [1, 0, 1, 0];
const ROWS = TEXTS.map((text, i) => ({ id: String(i + 1), fields: { text } }));

let ws = '';
before(() => {
  ws = mkdtempSync(join(tmpdir(), 'lf-hidden-'));
  mkdirSync(join(ws, 'data'));
  writeFileSync(join(ws, 'data', 'dev.jsonl'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
  writeFileSync(join(ws, 'words.txt'), 'subscribe\n');
  symlinkSync(join(ws, 'data', 'dev.jsonl'), join(ws, 'alias.jsonl'));
  linkSync(join(ws, 'data', 'dev.jsonl'), join(ws, 'hard.jsonl'));
  // A saved generation: its prompt holds dev rows with their gold labels.
  mkdirSync(join(ws, '.lfstudio', 'generations'), { recursive: true });
  writeFileSync(join(ws, '.lfstudio', 'generations', 'g1.json'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
  // And a project below the workspace root, whose labels file the editor hides.
  mkdirSync(join(ws, 'sub', '.lfstudio', 'generations'), { recursive: true });
  writeFileSync(join(ws, 'sub', '.lfstudio', 'generations', 'g2.json'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
  writeFileSync(join(ws, 'sub', '.lfstudio', 'labels.jsonl'), '');
  // And one below the root without a labels file yet, whose dev set is hidden.
  mkdirSync(join(ws, 'proj', '.lfstudio', 'generations'), { recursive: true });
  mkdirSync(join(ws, 'proj', 'data'));
  writeFileSync(join(ws, 'proj', '.lfstudio', 'generations', 'g3.json'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
  writeFileSync(join(ws, 'proj', 'data', 'dev.jsonl'), '');
  // And one whose dev set lies outside its folder: its LF file is what leads to it.
  mkdirSync(join(ws, 'proj2', '.lfstudio', 'generations'), { recursive: true });
  writeFileSync(join(ws, 'proj2', '.lfstudio', 'generations', 'g4.json'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
  // A repository's store holds every committed copy of the dev set (git's are compressed; plain here, for the probe).
  mkdirSync(join(ws, '.git', 'objects', 'ab'), { recursive: true });
  writeFileSync(join(ws, '.git', 'objects', 'ab', 'cdef'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
  mkdirSync(join(ws, 'proj', '.hg', 'store'), { recursive: true });
  writeFileSync(join(ws, 'proj', '.hg', 'store', 'dev.i'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
  // A vendored repository's store, deep in the workspace, and a DVC cache (whole copies of the dev set).
  mkdirSync(join(ws, 'vendor', 'lib', '.git'), { recursive: true });
  writeFileSync(join(ws, 'vendor', 'lib', '.git', 'packed'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
  mkdirSync(join(ws, '.dvc', 'cache', 'files', 'md5', 'a4'), { recursive: true });
  writeFileSync(join(ws, '.dvc', 'cache', 'files', 'md5', 'a4', '2f30'), TEXTS.map((text, i) => JSON.stringify({ text, label: GOLD[i] })).join('\n') + '\n');
});
after(() => rmSync(ws, { recursive: true, force: true }));

/** An LF file that looks each row's gold label up in the dev file, reached by `expr`, at import and in an LF. */
const cheat = (expr: string) =>
  `import json, os
from snorkel.labeling import labeling_function
WORDS = open("words.txt").read().split()

def gold():
    with open(${expr}) as f:
        return {json.loads(l)["text"]: json.loads(l)["label"] for l in f if l.strip()}

try:
    GOLD = gold()
except Exception as exc:
    GOLD = {}
    PROBLEM = repr(exc)

@labeling_function()
def at_import(x):
    return GOLD.get(x.text, -1)

@labeling_function()
def inside_lf(x):
    return gold().get(x.text, -1)

@labeling_function()
def keyword(x):
    return 1 if any(w in x.text for w in WORDS) else -1
`;

const runtimes = bothRuntimes(() => ws);

for (const [name, make, skip] of runtimes) {
  describe(`gold-label files in ${name}`, { skip, timeout: 300_000 }, () => {
    let executor: LfExecutor;
    before(async () => {
      executor = make();
      await executor.loadRows('rows', ROWS);
    });
    after(() => executor.dispose());

    const run = (source: string, hidden = true): Promise<FileRunResult> =>
      executor.runFile({
        file: join(ws, 'lfs.py'),
        source,
        datasetKey: 'rows',
        cardinality: 2,
        timeoutMs: 20_000,
        readRoot: ws,
        ...(hidden ? { hiddenFiles: [{ path: join(ws, 'data', 'dev.jsonl'), what: 'the dev set (dev.jsonl)' }] } : {}),
      });
    const votes = (r: FileRunResult, lf: string) => [...r.lfs.find((l) => l.name === lf)!.votes];
    /** Runs `file` reading `expr` with `hidden` hidden: no LF may see a gold label; the keyword LF still votes. */
    const assertRefused = async (file: string, expr: string, hidden: { path: string; what: string }) => {
      const r = await executor.runFile({ file, source: cheat(expr), datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000, readRoot: ws, hiddenFiles: [hidden] });
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(votes(r, 'at_import'), [-1, -1, -1, -1], expr);
      assert.deepEqual(votes(r, 'inside_lf'), [-1, -1, -1, -1], expr);
      assert.deepEqual(votes(r, 'keyword'), [-1, -1, 1, -1]);
    };

    it('refuses them through os.open with dir_fd, also with a decoy of the same name where the path is checked', async () => {
      const direct = cheat('"dev.jsonl"').replace('with open(', 'with os.fdopen(os.open(').replace(') as f:', ', os.O_RDONLY, dir_fd=os.open("data", os.O_RDONLY))) as f:');
      // A file named like the dev set in a folder of the LF's own, made current: a check of the path by name
      // from the current folder finds the decoy, while dir_fd makes the kernel open the dev set.
      const decoy = direct
        .replace('def gold():', 'def gold():\n    data = os.open(os.path.abspath("data"), os.O_RDONLY)\n    here = os.getcwd()\n    os.makedirs("/tmp/decoy", exist_ok=True)\n    open("/tmp/decoy/dev.jsonl", "w").write("")\n    os.chdir("/tmp/decoy")')
        .replace('dir_fd=os.open("data", os.O_RDONLY)', 'dir_fd=data')
        .replace('        return {json.loads(l)', '        os.chdir(here)\n        return {json.loads(l)');
      for (const source of [direct, decoy]) {
        const r = await run(source);
        assert.equal(r.fileError, null, JSON.stringify(r.fileError));
        assert.deepEqual(votes(r, 'at_import'), [-1, -1, -1, -1]);
        assert.deepEqual(votes(r, 'inside_lf'), [-1, -1, -1, -1]);
        assert.deepEqual(votes(r, 'keyword'), [-1, -1, 1, -1]);
      }
    });

    it("refuses the project's .lfstudio folder (saved prompts hold dev rows and their gold labels), by path or listing", async () => {
      for (const expr of ['".lfstudio/generations/g1.json"', '".lfstudio/generations/" + os.listdir(".lfstudio/generations")[0]', '"sub/.lfstudio/generations/g2.json"']) {
        await assertRefused(join(ws, 'lfs.py'), expr, { path: join(ws, 'sub', '.lfstudio', 'labels.jsonl'), what: "the editor's labels file" });
      }
    });

    it("refuses the .lfstudio folder of a project below the workspace root that has no labels file yet", async () => {
      // Found from the dev set's folder, and from the LF file's (a dev set outside the project's folder).
      for (const [file, expr] of [
        [join(ws, 'lfs.py'), '"proj/.lfstudio/generations/g3.json"'],
        [join(ws, 'proj2', 'lfs.py'), '"../proj2/.lfstudio/generations/g4.json"'],
      ] as const) {
        writeFileSync(join(dirname(file), 'words.txt'), 'subscribe\n');
        await assertRefused(file, expr, { path: join(ws, 'proj', 'data', 'dev.jsonl'), what: 'the dev set' });
      }
    });

    it('refuses version-control stores (.git holds every committed copy of the dev set), by path or listing', async () => {
      for (const [file, expr] of [
        [join(ws, 'lfs.py'), '".git/objects/ab/cdef"'],
        [join(ws, 'lfs.py'), '".git/objects/ab/" + os.listdir(".git/objects/ab")[0]'],
        [join(ws, 'proj', 'lfs.py'), '".hg/store/dev.i"'],
        [join(ws, 'lfs.py'), '"vendor/lib/.git/packed"'],
        [join(ws, 'lfs.py'), '"vendor/lib/.git/" + os.listdir("vendor/lib/.git")[0]'],
        [join(ws, 'lfs.py'), '".dvc/cache/files/md5/a4/2f30"'],
      ] as const) {
        writeFileSync(join(dirname(file), 'words.txt'), 'subscribe\n');
        await assertRefused(file, expr, { path: join(ws, 'proj', 'data', 'dev.jsonl'), what: 'the dev set' });
      }
    });

    it("refuses a hard link to them read around Python's open (readline's history reader), and writes outside the private /tmp", async () => {
      const source = `import json, os
from snorkel.labeling import labeling_function
GOLD = {}
try:
    import readline
    readline.read_history_file("hard.jsonl")
    for i in range(1, readline.get_current_history_length() + 1):
        row = json.loads(readline.get_history_item(i))
        GOLD[row["text"]] = row["label"]
except Exception:
    pass
WROTE = []
for path in ["/fill", "data/fill"]:
    try:
        with open(path, "wb") as f:
            f.write(b"x" * 4096)
        WROTE.append(path)
    except Exception:
        pass
# mkdir raises no event the hooks refuse: the read-only mounts must.
for path in ["/made", ".git/made", "vendor/lib/.git/made", ".dvc/made"]:
    try:
        os.mkdir(path)
        WROTE.append(path)
    except Exception:
        pass

@labeling_function()
def looked_up(x):
    return GOLD.get(x.text, -1)

@labeling_function()
def wrote(x):
    return 1 if WROTE else 0
`;
      const r = await run(source);
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(votes(r, 'looked_up'), [-1, -1, -1, -1]);
      assert.deepEqual(votes(r, 'wrote'), [0, 0, 0, 0]);
      // The probe works: with nothing hidden, readline reads the labels through the hard link (pyodide has no readline).
      if (name === 'the native runtime') assert.deepEqual(votes(await run(source, false), 'looked_up'), GOLD);
    });

    it('reads them when they are not hidden (the probe works)', async () => {
      const r = await run(cheat('"data/dev.jsonl"'), false);
      assert.deepEqual(votes(r, 'at_import'), GOLD);
      assert.deepEqual(votes(r, 'inside_lf'), GOLD);
    });

    for (const [how, expr] of [
      ['a relative path', '"data/dev.jsonl"'],
      ['an absolute path', JSON.stringify(join(ws, 'data', 'dev.jsonl'))],
      ['a symbolic link inside the workspace', '"alias.jsonl"'],
      ['a path with ..', '"data/../data/dev.jsonl"'],
      ['a folder listing', '"data/" + os.listdir("data")[0]'],
      ['a hard link', '"hard.jsonl"'],
      ['a bytes path', 'b"data/dev.jsonl"'],
    ] as const) {
      it(`refuses them through ${how}, saying why; other files stay readable`, async () => {
        const r = await run(cheat(expr));
        assert.equal(r.fileError, null, JSON.stringify(r.fileError));
        assert.deepEqual(votes(r, 'at_import'), [-1, -1, -1, -1]);
        assert.deepEqual(votes(r, 'inside_lf'), [-1, -1, -1, -1]);
        const inside = r.lfs.find((l) => l.name === 'inside_lf')!;
        assert.equal(inside.errors, 4);
        if (how !== 'a folder listing' && how !== 'a bytes path') assert.match(inside.firstError?.message ?? '', /the dev set \(dev\.jsonl\), whose gold labels no LF may see/);
        assert.deepEqual(votes(r, 'keyword'), [-1, -1, 1, -1]);
      });
    }
  });
}
