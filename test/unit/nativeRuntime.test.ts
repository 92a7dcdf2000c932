// The native Python runtime (the user's own CPython under bubblewrap), tested from the host: real LF files
// with pandas/numpy, helper modules, packages, relative imports and resource files give the figures a plain
// python3 run gives; and the sandbox holds: no writes outside its private /tmp, no loopback connection, no
// environment, nothing read outside the workspace, no new processes, no unbounded memory.
// Needs Debian's bubblewrap and python3-pandas/python3-numpy (CI installs them); skipped with the reason otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import { describeIsolation } from '../../lf-runtime/src/sandbox/isolation.ts';
import { bubblewrap } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

const PYTHON = '/usr/bin/python3';
const hasPandas = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pandas, numpy'], { stdio: 'ignore' }).status === 0;
const skip = !bubblewrap() ? 'bubblewrap is not installed (apt-get install bubblewrap)' : !hasPandas ? `${PYTHON} has no pandas/numpy (apt-get install python3-pandas python3-numpy)` : false;

const TEXTS = ['Check out my channel', 'nice song', 'please subscribe http://spam', 'i love this song', 'my my my', 'subscribe to my channel please', 'Katy is the best', 'plz check this out'];
const ROWS = TEXTS.map((text, i) => ({ id: `r${i}`, fields: { text, likes: i * 3 } }));
const SECRET = `lfstudio-native-secret-${process.pid}`;

const HELPERS = `KEYWORDS = {"subscribe": 1, "song": 0}\n`;
const LFS = `import re
import numpy as np
import pandas as pd
from snorkel.labeling import labeling_function, LabelingFunction
from helpers import KEYWORDS
from . import helpers as same_helpers
from textutil.normalize import norm

STOP = open("resources/stop.txt").read().split()
TABLE = pd.DataFrame({"word": ["my", "please", "plz"], "label": [1, 1, 1]})
LOOKUP = dict(zip(TABLE.word, TABLE.label))

@labeling_function()
def lf_keywords(x):
    for k, v in KEYWORDS.items():
        if k in norm(x.text):
            return v
    return -1

@labeling_function()
def lf_table(x):
    words = [w for w in norm(x.text).split() if w not in STOP]
    hits = np.array([LOOKUP.get(w, -1) for w in words])
    return int(hits.max()) if len(hits) and hits.max() >= 0 else -1

@labeling_function()
def lf_likes(x):
    return 1 if x.likes > 10 and same_helpers.KEYWORDS else 0

def make_regex_lf(pattern, label):
    return LabelingFunction(name=f"regex_{label}", f=lambda x: label if re.search(pattern, x.text, flags=re.I) else -1)

regex_spam = make_regex_lf(r"check.*out", 1)
`;

/** The same file applied by plain python3 to the same rows, as a Snorkel user's loop would. */
const NATIVE_DRIVER = `import json, os, sys, types
sys.path[0:0] = [sys.argv[1], os.path.dirname(sys.argv[1])]
os.chdir(sys.argv[1])
import importlib
mod = importlib.import_module(os.path.basename(sys.argv[1]) + ".lfs")
from snorkel.labeling import LabelingFunction
rows = [types.SimpleNamespace(**r) for r in json.loads(sys.argv[2])]
lfs = sorted([v for v in vars(mod).values() if isinstance(v, LabelingFunction)], key=lambda lf: lf.name)
print(json.dumps({lf.name: [lf(r) for r in rows] for lf in lfs}))
`;

describe('native Python runtime', { skip }, () => {
  let ws: string;
  let outside: string;
  let executor: LfExecutor;
  let server: Server;
  let port = 0;
  let connections = 0;
  const run = (file: string, source: string, timeoutMs = 20_000): Promise<FileRunResult> =>
    executor.runFile({ file, source, datasetKey: 'rows', cardinality: 2, timeoutMs });

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), 'lf-native-ws-'));
    outside = mkdtempSync(join(tmpdir(), 'lf-native-outside-'));
    writeFileSync(join(outside, 'secret.txt'), SECRET);
    mkdirSync(join(ws, 'proj', 'resources'), { recursive: true });
    mkdirSync(join(ws, 'proj', 'textutil'), { recursive: true });
    writeFileSync(join(ws, 'proj', '__init__.py'), '');
    writeFileSync(join(ws, 'proj', 'helpers.py'), HELPERS);
    writeFileSync(join(ws, 'proj', 'textutil', '__init__.py'), '');
    writeFileSync(join(ws, 'proj', 'textutil', 'normalize.py'), 'def norm(s):\n    return " ".join(s.lower().split())\n');
    writeFileSync(join(ws, 'proj', 'resources', 'stop.txt'), 'the a is to\n');
    writeFileSync(join(ws, 'proj', 'lfs.py'), LFS);
    process.env.LFSTUDIO_TEST_SECRET = SECRET;
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
    executor = createPythonExecutor({ python: { interpreter: PYTHON, workspace: ws }, memoryCapMb: 1024 });
    await executor.loadRows('rows', ROWS);
  });

  after(async () => {
    delete process.env.LFSTUDIO_TEST_SECRET;
    await executor?.dispose();
    server?.close();
    rmSync(ws, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("runs a file's top level once per worker and its LFs on that module, as Snorkel does (a model loaded at the top level is loaded once)", async () => {
    const source =
      'from snorkel.labeling import labeling_function\nimport itertools\nimport helpers\n' +
      // A counter kept in an imported module counts the executions of this top level in the worker.
      'helpers.RUNS = getattr(helpers, "RUNS", 0) + 1\nSEEN = []\n\n' +
      '@labeling_function()\ndef first(x):\n    SEEN.append(x.text)\n    return -1\n\n' +
      '@labeling_function()\ndef second(x):\n    return 1 if helpers.RUNS == 1 and SEEN else 0\n';
    const r = await executor.runFile({ file: join(ws, 'proj', 'once.py'), source, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    assert.deepEqual([...r.lfs.find((l) => l.name === 'second')!.votes], TEXTS.map(() => 1), 'one execution, and what the first LF left is seen by the second');
  });

  it('re-runs an LF whose cached result a changed workspace file would change: a keyword file, a helper in a subpackage', async () => {
    // It reports no reads, so the cache keys on the workspace as a whole (workspaceFingerprint).
    const dir = join(ws, 'cachekw');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'words.txt'), 'subscribe\n');
    writeFileSync(join(dir, 'sub', '__init__.py'), '');
    writeFileSync(join(dir, 'sub', 'kw.py'), 'WORDS = ["subscribe"]\n');
    const file = join(dir, 'lfs.py');
    const source =
      'from snorkel.labeling import labeling_function\nfrom sub.kw import WORDS\nFILE_WORDS = open("words.txt").read().split()\n\n' +
      '@labeling_function()\ndef from_file(x):\n    return 1 if any(w in x.text.lower() for w in FILE_WORDS) else -1\n\n' +
      '@labeling_function()\ndef from_helper(x):\n    return 1 if any(w in x.text.lower() for w in WORDS) else -1\n';
    writeFileSync(file, source);
    const votes = async () => {
      const r = await executor.runFile({ file, source, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000, readRoot: ws });
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      return Object.fromEntries(r.lfs.map((l) => [l.name, [...l.votes]]));
    };
    const having = (w: string) => TEXTS.map((t) => (t.toLowerCase().includes(w) ? 1 : -1));
    assert.deepEqual(await votes(), { from_file: having('subscribe'), from_helper: having('subscribe') });
    writeFileSync(join(dir, 'words.txt'), 'song\n');
    assert.deepEqual(await votes(), { from_file: having('song'), from_helper: having('subscribe') });
    writeFileSync(join(dir, 'sub', 'kw.py'), 'WORDS = ["song"]\n');
    assert.deepEqual(await votes(), { from_file: having('song'), from_helper: having('song') });
  });

  it('runs a pandas/numpy file with helper modules, packages, relative imports and resource files like python3 does', async () => {
    const r = await run(join(ws, 'proj', 'lfs.py'), LFS);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const shim = join(ws, 'shim');
    mkdirSync(join(shim, 'snorkel'), { recursive: true });
    writeFileSync(join(shim, 'snorkel', '__init__.py'), '');
    writeFileSync(join(shim, 'snorkel', 'labeling.py'), 'from snorkel_native_ref import LabelingFunction, labeling_function\n');
    writeFileSync(
      join(shim, 'snorkel_native_ref.py'),
      'class LabelingFunction:\n    def __init__(self, name, f, resources=None, pre=None):\n        self.name, self.f = name, f\n    def __call__(self, x):\n        return self.f(x)\n\ndef labeling_function(name=None, resources=None, pre=None):\n    return lambda f: LabelingFunction(name or f.__name__, f)\n',
    );
    writeFileSync(join(shim, 'driver.py'), NATIVE_DRIVER);
    const ref = spawnSync(PYTHON, ['-c', `import sys; sys.argv = ["d"] + sys.argv[1:]; sys.path.insert(0, ${JSON.stringify(shim)}); exec(open(${JSON.stringify(join(shim, 'driver.py'))}).read())`, join(ws, 'proj'), JSON.stringify(ROWS.map((x) => x.fields))], { encoding: 'utf8' });
    assert.equal(ref.status, 0, ref.stderr);
    const expected = JSON.parse(ref.stdout) as Record<string, number[]>;
    const got = Object.fromEntries(r.lfs.map((l) => [l.name, [...l.votes]]));
    assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort());
    for (const [name, votes] of Object.entries(expected)) assert.deepEqual(got[name], votes, name);
    assert.ok(Object.values(got).some((v) => v.includes(1)) && Object.values(got).some((v) => v.includes(0)), 'the LFs vote both classes');
    const labels = describeIsolation(await executor.isolation());
    assert.ok(labels.some((l) => l.startsWith('your Python: /usr/bin/python3')), labels.join('; '));
    assert.ok(labels.some((l) => l.startsWith('bubblewrap')) && labels.includes('no new processes (seccomp)'), labels.join('; '));
  });

  const containment: { name: string; body: string; check?: () => void }[] = [
    { name: 'writes into the workspace', body: `open(${JSON.stringify('WS/proj/pwned.txt')}, "w").write("x")`, check: () => assert.ok(!existsSync(join(ws, 'proj', 'pwned.txt'))) },
    { name: 'writes outside its private /tmp', body: `open("/tmp/inside.txt", "w").write("x")\n        open(${JSON.stringify('OUT/pwned.txt')}, "w").write("x")`, check: () => assert.ok(!existsSync(join(outside, 'pwned.txt'))) },
    { name: 'reads a file outside the workspace', body: `return 1 if ${JSON.stringify(SECRET)} in open(${JSON.stringify('OUT/secret.txt')}).read() else 0` },
    { name: 'reads /etc/passwd and the home folder', body: `import os\n        return 1 if os.path.exists("/etc/passwd") or os.path.exists(${JSON.stringify(homedir())}) else 0` },
    { name: 'reads environment variables', body: `import os\n        return 1 if ${JSON.stringify(SECRET)} in repr(dict(os.environ)) or "PATH" in os.environ else 0` },
    { name: 'connects to a loopback listener', body: `import socket\n        socket.create_connection(("127.0.0.1", PORT), timeout=0.5).close()\n        return 1`, check: () => assert.equal(connections, 0) },
    { name: 'starts a process', body: `import subprocess\n        subprocess.run(["/bin/true"])\n        return 1` },
    { name: 'forks (a fork bomb)', body: `import os\n        while True:\n            os.fork()` },
    { name: 'allocates without bound (a memory bomb)', body: `blocks = []\n        while True:\n            blocks.append(b"x" * (256 * 1024 * 1024))` },
  ];
  for (const c of containment) {
    it(`refuses an LF that ${c.name}`, async () => {
      const body = c.body.replace(/WS/g, ws).replace(/OUT/g, outside).replace('PORT', String(port));
      const source = `from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef attack(x):\n    try:\n        ${body}\n    except BaseException:\n        return 0\n    return 1\n\n@labeling_function()\ndef control(x):\n    return 1 if "my" in x.text.lower() else 0\n`;
      const r = await run(join(ws, 'proj', 'attack.py'), source);
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      const [attack, control] = r.lfs;
      assert.ok(![...attack!.votes].includes(1), `${c.name}: the attack worked on some rows (${[...attack!.votes]}; ${attack!.firstError?.message})`);
      assert.deepEqual([...control!.votes], TEXTS.map((t) => (t.toLowerCase().includes('my') ? 1 : 0)));
      c.check?.();
    });
  }

  it('says which module is missing and how to install it in that interpreter', async () => {
    const r = await run(join(ws, 'proj', 'missing.py'), 'import textblob_not_installed_here\nfrom snorkel.labeling import labeling_function\n');
    assert.equal(r.fileError?.kind, 'missing-package');
    assert.match(r.fileError!.message, /textblob_not_installed_here/);
    assert.match(r.fileError!.message, /next to missing\.py/);
    assert.match(r.fileError!.message, /\/usr\/bin\/python3[\d.]* -m pip install textblob_not_installed_here/);

    // The package of an import name that PyPI spells otherwise, a spaCy pipeline, and a Snorkel module the
    // stand-in lacks (installing "snorkel" is not the fix the message should lead with when Snorkel's paths differ).
    const more = await run(join(ws, 'proj', 'missing2.py'), 'import cv2\nimport en_core_web_sm\nfrom snorkel.labeling.lf.nlp_spark import spark_nlp_labeling_function\nfrom snorkel.labeling.lf.core import labeling_function\n\n@labeling_function()\ndef lf_any(x):\n    return -1\n');
    assert.equal(more.fileError, null, JSON.stringify(more.fileError));
    const [cv, spacy, spark] = more.problems ?? [];
    assert.match(cv!.message, /-m pip install opencv-python`/);
    assert.match(spacy!.message, /-m spacy download en_core_web_sm`/);
    assert.match(spark!.message, /No module named 'snorkel\.labeling\.lf\.nlp_spark'\. Snorkel is not installed in .*stand-in .* has no such module: import the name from snorkel\.labeling/);
    assert.deepEqual(more.lfs.map((l) => l.name), ['lf_any'], 'snorkel.labeling.lf.core is served');
  });

  it("runs a virtual environment's python with that environment's packages (its bin/python is a link to the base interpreter)", async (t) => {
    const venv = mkdtempSync(join(tmpdir(), 'lf-native-venv-'));
    t.after(() => rmSync(venv, { recursive: true, force: true }));
    // A plain venv: nothing in it loads importlib.util at start-up (as a .pth file of the system's packages does).
    const made = spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
    if (made.status !== 0) return t.skip(`python3 -m venv failed: ${made.stderr}`);
    const site = spawnSync(join(venv, 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(site, 'only_in_venv.py'), 'WORD = "song"\n');
    const inVenv = createPythonExecutor({ python: { interpreter: join(venv, 'bin', 'python'), workspace: ws }, memoryCapMb: 1024 });
    t.after(() => inVenv.dispose());
    await inVenv.loadRows('rows', ROWS);
    const source = 'from only_in_venv import WORD\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_venv(x):\n    return 0 if WORD in x.text else -1\n';
    const r = await inVenv.runFile({ file: join(ws, 'proj', 'venv_lfs.py'), source, datasetKey: 'rows', cardinality: 2, timeoutMs: 30_000 });
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    assert.deepEqual([...r.lfs[0]!.votes], TEXTS.map((text) => (text.includes('song') ? 0 : -1)));
  });

  it("runs Snorkel preprocessors that add fields to the row, memoized or not, as the TextBlob tutorial's do", async () => {
    // The row a preprocessor gets is a mutable copy; building it must work on the Python users have (Debian's
    // 3.11 here), not only on pyodide's.
    const source = `from snorkel.labeling import labeling_function
from snorkel.preprocess import preprocessor

@preprocessor(memoize=True)
def lowered(x):
    x.lowered = x.text.lower()
    return x

@preprocessor()
def counted(x):
    x.n_words = len(x.text.split())
    return x

@labeling_function(pre=[lowered])
def lf_check(x):
    return 1 if "check" in x.lowered else -1

@labeling_function(pre=[lowered, counted])
def lf_short_song(x):
    return 0 if x.n_words <= 4 and "song" in x.lowered else -1
`;
    const r = await run(join(ws, 'proj', 'pre.py'), source);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const got = Object.fromEntries(r.lfs.map((l) => [l.name, { votes: [...l.votes], error: l.firstError?.message ?? null }]));
    assert.deepEqual(got.lf_check, { votes: TEXTS.map((t) => (t.toLowerCase().includes('check') ? 1 : -1)), error: null });
    assert.deepEqual(got.lf_short_song, { votes: TEXTS.map((t) => (t.split(' ').length <= 4 && t.includes('song') ? 0 : -1)), error: null });
  });

  it("takes NumPy integer labels and whole floats, as Snorkel does, and still reports a bool, a fraction or a label out of range", async () => {
    const source = `import numpy as np
import pandas as pd
from snorkel.labeling import labeling_function

LABELS = pd.Series({"song": 0, "subscribe": 1})

@labeling_function()
def lf_series(x):
    for word, label in LABELS.items():
        if word in x.text:
            return label
    return np.int64(-1)

@labeling_function()
def lf_int32(x):
    return np.int32(1) if "check" in x.text.lower() else None

@labeling_function()
def lf_bool(x):
    return np.bool_("my" in x.text)

@labeling_function()
def lf_float(x):
    return np.float64(1.0)

@labeling_function()
def lf_fraction(x):
    return np.float32(0.5)

@labeling_function()
def lf_range(x):
    return np.int64(2)
`;
    const r = await run(join(ws, 'proj', 'np_labels.py'), source);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const got = Object.fromEntries(r.lfs.map((l) => [l.name, { votes: [...l.votes], error: l.firstError?.message ?? null }]));
    const series = TEXTS.map((t) => (t.includes('song') ? 0 : t.includes('subscribe') ? 1 : -1));
    assert.deepEqual(got.lf_series, { votes: series, error: null });
    assert.deepEqual(got.lf_int32, { votes: TEXTS.map((t) => (t.toLowerCase().includes('check') ? 1 : -1)), error: null });
    assert.match(got.lf_bool.error!, /returned (True|False) \(a bool\): Snorkel would store it as class [01]/);
    // A whole float is the class Snorkel's int matrix stores; a fraction is no class.
    assert.deepEqual(got.lf_float, { votes: TEXTS.map(() => 1), error: null });
    assert.match(got.lf_fraction.error!, /returned 0\.5 \(float32\); return an int label in 0\.\.1/);
    assert.match(got.lf_range.error!, /returned 2 \(int64\); return an int label in 0\.\.1/);
  });
  it('gives an LF NaN for a null or missing JSONL number, as pandas read_json does: the same votes, no error', async () => {
    const data = join(ws, 'prices.jsonl');
    writeFileSync(data, '{"text": "a", "price": 150}\n{"text": "b", "price": null}\n{"text": "c"}\n{"text": "d", "price": 50}\n');
    const source = `import math
import pandas as pd
from snorkel.labeling import labeling_function

@labeling_function()
def expensive(x):
    return 1 if x.price > 100 else -1

@labeling_function()
def cheap(x):
    return 0 if x.price <= 100 else -1

@labeling_function()
def no_price(x):
    return 0 if pd.isna(x.price) and math.isnan(x.price) else -1
`;
    await executor.loadRows('prices', (await readDataset(data, {})).rows);
    const r = await executor.runFile({ file: join(ws, 'proj', 'prices.py'), source, datasetKey: 'prices', cardinality: 2, timeoutMs: 20_000 });
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const got = Object.fromEntries(r.lfs.map((l) => [l.name, [...l.votes]]));
    assert.deepEqual(r.lfs.map((l) => [l.name, l.errors]), [['expensive', 0], ['cheap', 0], ['no_price', 0]]);
    // The same LFs over pd.read_json's rows (Series), with a stand-in decorator.
    const ref = spawnSync(
      PYTHON,
      [
        '-c',
        'import sys, types, json\nimport pandas as pd\nm = types.ModuleType("snorkel.labeling")\nm.labeling_function = lambda **k: (lambda f: f)\n' +
          'sys.modules["snorkel"] = types.ModuleType("snorkel"); sys.modules["snorkel.labeling"] = m\nns = {}\nexec(sys.argv[1], ns)\n' +
          'df = pd.read_json(sys.argv[2], lines=True)\nprint(json.dumps({n: [ns[n](df.iloc[i]) for i in range(len(df))] for n in ("expensive", "cheap", "no_price")}))',
        source,
        data,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(ref.status, 0, ref.stderr);
    assert.deepEqual(got, JSON.parse(ref.stdout));
    assert.deepEqual(got, { expensive: [1, -1, -1, -1], cheap: [-1, -1, -1, 0], no_price: [-1, 0, 0, -1] });
  });

  it("gives the file an interactive Python's argv, so a package that parses arguments on import gets its defaults", async () => {
    const source = `import argparse, sys
from snorkel.labeling import labeling_function
parser = argparse.ArgumentParser()
parser.add_argument("--threshold", type=int, default=2)
ARGS = parser.parse_args()
ARGV = list(sys.argv)

@labeling_function()
def long_text(x):
    return 1 if ARGV == [""] and len(x.text.split()) > ARGS.threshold else -1
`;
    const r = await executor.runFile({ file: join(ws, 'proj', 'with_args.py'), source, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    assert.deepEqual(r.problems ?? [], []);
    assert.deepEqual([...r.lfs[0]!.votes], TEXTS.map((t) => (t.split(/\s+/).filter(Boolean).length > 2 ? 1 : -1)));
  });

  it('runs a file whose LF list comes from a set of strings alike in every worker of a unit (one hash seed)', async () => {
    // Real LF files build LFs from `list(set(phrases))`: under Python's per-process string hashing each shard's
    // worker (and each replacement) ordered them differently, and the unit failed as defining different LFs.
    const source = `from snorkel.labeling import LabelingFunction

def keyword_lookup(x, phrase, label):
    return label if phrase in x.text.lower() else -1

PHRASES = ["check", "song", "subscribe", "my", "love", "best", "please", "channel", "katy", "nice", "plz", "out", "this", "the"]
labeling_function_list = [LabelingFunction(name=f"keyword_{p}", f=keyword_lookup, resources={"phrase": p, "label": len(p) % 2}) for p in list(set(PHRASES))]
`;
    const sharded = createPythonExecutor({ python: { interpreter: PYTHON, workspace: ws }, memoryCapMb: 1024, poolSize: 2, minRowsPerShard: 2 });
    try {
      await sharded.loadRows('rows', ROWS);
      const r = await sharded.runFile({ file: join(ws, 'proj', 'from_set.py'), source, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.equal(r.lfs.length, 14);
      for (const lf of r.lfs) {
        const p = lf.name.slice('keyword_'.length);
        assert.deepEqual([...lf.votes], TEXTS.map((t) => (t.toLowerCase().includes(p) ? p.length % 2 : -1)), lf.name);
      }
    } finally {
      await sharded.dispose();
    }
  });
});
