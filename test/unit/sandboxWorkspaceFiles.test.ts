// Resource files in the pyodide sandbox: an LF file that reads files of its workspace (keyword lists, JSON,
// pickles, a folder listing; at import or inside an LF; relative to its folder or through __file__) gets the
// votes a plain python3 run gets, and an edit to a resource file is seen by the next run. Files outside the
// workspace (a path, `..`, a symbolic link) are never given to it, and its error says why.
// Needs `npm run build` (dist/lfWorker.js and pyodide).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

const TEXTS = ['Check out my channel', 'nice song', 'please subscribe now', 'i love this song', 'win a free prize', 'subscribe to my channel please', 'great video', 'free free free'];
const ROWS = TEXTS.map((text, i) => ({ id: `r${i}`, fields: { text } }));

const LFS = `import json, os, pickle
from snorkel.labeling import labeling_function

HERE = os.path.dirname(os.path.abspath(__file__))
SPAM_WORDS = open("resources/spam.txt").read().split()
with open(os.path.join(HERE, "resources", "ham.json")) as f:
    HAM_WORDS = json.load(f)["words"]
with open("resources/weights.pkl", "rb") as f:
    WEIGHTS = pickle.load(f)
EXTRA = sorted(os.listdir("lists"))
OPTIONAL = open("optional.txt").read().split() if os.path.exists("optional.txt") else []

@labeling_function()
def lf_spam_words(x):
    return 1 if any(w in x.text.lower().split() for w in SPAM_WORDS) else -1

@labeling_function()
def lf_ham_words(x):
    return 0 if any(w in x.text.lower() for w in HAM_WORDS) else -1

@labeling_function()
def lf_weights(x):
    score = sum(WEIGHTS.get(w, 0) for w in x.text.lower().split())
    return 1 if score > 1 else (0 if score < 0 else -1)

@labeling_function()
def lf_lists(x):
    words = set()
    for name in EXTRA:
        words.update(open(os.path.join("lists", name)).read().split())
    return 1 if words & set(x.text.lower().split()) else -1

@labeling_function()
def lf_optional(x):
    return 0 if OPTIONAL and OPTIONAL[0] in x.text.lower() else -1

_LATE = {}

@labeling_function()
def lf_read_inside(x):
    if "words" not in _LATE:
        _LATE["words"] = open("late.txt").read().split()
    return 1 if _LATE["words"][0] in x.text.lower() else -1
`;

/** The same file run by a plain python3 from its folder, with a stand-in decorator: the reference votes. */
function nativeVotes(dir: string): Record<string, number[]> {
  const script = `
import json, sys, types
snorkel = types.ModuleType("snorkel"); labeling = types.ModuleType("snorkel.labeling")
class LF:
    def __init__(self, f): self.f = f; self.name = f.__name__
    def __call__(self, x): return self.f(x)
labeling.labeling_function = lambda **kw: (lambda f: LF(f))
sys.modules["snorkel"] = snorkel; sys.modules["snorkel.labeling"] = labeling
sys.path.insert(0, ".")
ns = {"__file__": ${JSON.stringify(join(dir, 'lfs.py'))}, "__name__": "lfs"}
exec(compile(open("lfs.py").read(), "lfs.py", "exec"), ns)
class Row:
    def __init__(self, text): self.text = text
texts = json.loads(sys.argv[1])
out = {v.name: [(lambda r: -1 if r is None else r)(v(Row(t))) for t in texts] for v in ns.values() if isinstance(v, LF)}
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', script, JSON.stringify(TEXTS)], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, number[]>;
}

const votesOf = (r: FileRunResult): Record<string, number[]> => Object.fromEntries(r.lfs.map((lf) => [lf.name, Array.from(lf.votes)]));

describe('workspace files in the pyodide sandbox', { timeout: 180_000 }, () => {
  let base: string;
  let ws: string;
  let executor: LfExecutor;

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'lfstudio-wsfiles-'));
    ws = join(base, 'project');
    mkdirSync(join(ws, 'resources'), { recursive: true });
    mkdirSync(join(ws, 'lists'));
    writeFileSync(join(ws, 'resources', 'spam.txt'), 'subscribe channel\n');
    writeFileSync(join(ws, 'resources', 'ham.json'), JSON.stringify({ words: ['song', 'love'] }));
    const pickled = spawnSync('python3', ['-c', 'import pickle,sys; sys.stdout.buffer.write(pickle.dumps({"free": 1, "prize": 1, "great": -2}))']);
    assert.equal(pickled.status, 0);
    writeFileSync(join(ws, 'resources', 'weights.pkl'), pickled.stdout);
    writeFileSync(join(ws, 'lists', 'a.txt'), 'win\n');
    writeFileSync(join(ws, 'lists', 'b.txt'), 'check\n');
    writeFileSync(join(ws, 'optional.txt'), 'video\n');
    writeFileSync(join(ws, 'late.txt'), 'please\n');
    writeFileSync(join(ws, 'lfs.py'), LFS);
    writeFileSync(join(base, 'outside.txt'), 'secret words\n');
    symlinkSync(join(base, 'outside.txt'), join(ws, 'link.txt'));
    executor = createPythonExecutor({ spareWorkers: 1 });
    await executor.loadRows('sample', ROWS);
  });

  after(async () => {
    await executor.dispose();
    rmSync(base, { recursive: true, force: true });
  });

  const run = (file: string, source: string, readRoot: string | null = ws) =>
    executor.runFile({ file, source, datasetKey: 'sample', cardinality: 2, timeoutMs: 10_000, ...(readRoot ? { readRoot } : {}) });

  it('gives the votes a plain python3 run gives, files read at import and inside LFs', async () => {
    const result = await run(join(ws, 'lfs.py'), LFS);
    assert.equal(result.fileError, null, result.fileError?.message);
    for (const lf of result.lfs) assert.equal(lf.firstError, null, `${lf.name}: ${lf.firstError?.message}`);
    const expected = nativeVotes(ws);
    assert.deepEqual(votesOf(result), expected);
    // Every LF votes somewhere, so a file that was not read would show.
    for (const [name, votes] of Object.entries(expected)) assert.ok(votes.some((v) => v !== -1), `${name} never votes in the reference`);
  });

  it('sees an edited resource file on the next run (the result cache keys on its contents)', async () => {
    writeFileSync(join(ws, 'resources', 'spam.txt'), 'prize\n');
    try {
      const result = await run(join(ws, 'lfs.py'), LFS);
      assert.deepEqual(votesOf(result).lf_spam_words, nativeVotes(ws).lf_spam_words);
      assert.deepEqual(votesOf(result).lf_spam_words, TEXTS.map((t) => (t.includes('prize') ? 1 : -1)));
    } finally {
      writeFileSync(join(ws, 'resources', 'spam.txt'), 'subscribe channel\n');
    }
  });

  it("lists a folder as Python does, the LF file's own one too, and sees a file added to it on the next run", async () => {
    const dir = join(ws, 'globbed');
    mkdirSync(join(dir, 'kw'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'subscribe\n');
    writeFileSync(join(dir, 'kw', 'b.txt'), 'song\n');
    const source =
      'import glob, os, pathlib\nfrom snorkel.labeling import labeling_function\n' +
      'WORDS = [w for p in sorted(glob.glob("*.txt")) + sorted(str(p) for p in pathlib.Path("kw").iterdir()) for w in open(p).read().split()]\n' +
      'NAMES = sorted(os.listdir("."))\n\n' +
      '@labeling_function()\ndef words(x):\n    return 1 if any(w in x.text.lower() for w in WORDS) else -1\n\n' +
      '@labeling_function()\ndef names(x):\n    raise RuntimeError(repr(NAMES))\n\n' +
      // Listed inside an LF only: a later run whose results are cached must still see the folder as it is now.
      '@labeling_function()\ndef later(x):\n    return 1 if any(w in x.text.lower() for p in glob.glob("later/*.txt") for w in open(p).read().split()) else -1\n';
    writeFileSync(join(dir, 'lfs.py'), source);
    mkdirSync(join(dir, 'later'));
    writeFileSync(join(dir, 'later', 'c.txt'), 'prize\n');
    const expect = (r: FileRunResult, words: string[], names: string[], later: string[]) => {
      assert.deepEqual(votesOf(r).later, TEXTS.map((t) => (later.some((w) => t.toLowerCase().includes(w)) ? 1 : -1)));
      assert.equal(r.lfs.find((lf) => lf.name === 'names')?.firstError?.message, `RuntimeError: ${JSON.stringify(names).replaceAll('"', "'").replaceAll(',', ', ')}`);
      assert.deepEqual(votesOf(r).words, TEXTS.map((t) => (words.some((w) => t.toLowerCase().includes(w)) ? 1 : -1)));
    };
    expect(await run(join(dir, 'lfs.py'), source), ['subscribe', 'song'], ['a.txt', 'kw', 'later', 'lfs.py'], ['prize']);
    writeFileSync(join(dir, 'c.txt'), 'free\n');
    expect(await run(join(dir, 'lfs.py'), source), ['subscribe', 'free', 'song'], ['a.txt', 'c.txt', 'kw', 'later', 'lfs.py'], ['prize']);
    writeFileSync(join(dir, 'later', 'd.txt'), 'great\n');
    expect(await run(join(dir, 'lfs.py'), source), ['subscribe', 'free', 'song'], ['a.txt', 'c.txt', 'kw', 'later', 'lfs.py'], ['prize', 'great']);
  });

  it('reads nothing without a workspace (LLM candidates)', async () => {
    const result = await run(join(ws, 'lfs.py'), LFS, null);
    assert.match(result.fileError?.message ?? result.problems?.[0]?.message ?? '', /FileNotFoundError/);
  });

  for (const [what, path] of [
    ['an absolute path outside', '/etc/hostname'],
    ['a path through ..', '../outside.txt'],
    ['a symbolic link to a file outside', 'link.txt'],
  ] as const) {
    it(`refuses ${what}, and says why`, async () => {
      const source = `from snorkel.labeling import labeling_function\nSECRET = open(${JSON.stringify(path)}).read()\n@labeling_function()\ndef lf_secret(x):\n    return 1 if SECRET else -1\n`;
      const result = await run(join(ws, 'probe.py'), source);
      const problem = result.fileError ?? result.problems?.[0] ?? null;
      assert.ok(problem, 'reading a file outside the workspace must fail');
      assert.match(problem.message, /FileNotFoundError/);
      assert.match(problem.message, /outside the workspace folder/);
      assert.ok(!result.lfs.some((lf) => Array.from(lf.votes).includes(1)), 'no LF may have read the file');
    });
  }
});
