// A row's pandas Series surface, as LF files written against PandasLFApplier use it (x.index, x.values,
// x.loc[...], x.iloc[...], x.isna(), x.fillna(...), x[cols].mean()), on the row and on a preprocessor's copy, in both runtimes;
// a field of the same name comes first; a bool key is a label, not a position.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';
import { bothRuntimes } from '../support/bothRuntimes.ts';

const ws = mkdtempSync(join(tmpdir(), 'lf-series-'));
after(() => rmSync(ws, { recursive: true, force: true }));

const ROWS = [
  { id: '1', fields: { text: 'hello world', score: 3 } },
  { id: '2', fields: { text: 'buy now', score: Number.NaN } },
  { id: '3', fields: { text: 'values here', score: null } },
];
const LFS = `from snorkel.labeling import labeling_function
from snorkel.preprocess import preprocessor

@preprocessor()
def copied(x):
    x.extra = "e"
    return x

def checks(x):
    ok = list(x.index)[:2] == ["text", "score"] and "text" in x.index
    ok = ok and x.values[0] == x.text and x.loc["text"] == x.text and x.at["text"] == x.text
    ok = ok and x.iloc[0] == x.text and x.iat[1] is x.score
    return ok

@labeling_function()
def on_row(x):
    return 1 if checks(x) else 0

@labeling_function(pre=[copied])
def on_copy(x):
    return 1 if checks(x) and x.extra == "e" and x.index[-1] == "extra" else 0

@labeling_function()
def missing_score(x):
    return 1 if x.isna()["score"] and x.isnull().any() and not x.notna()["score"] else 0 if x.notna().all() else -1

@labeling_function(pre=[copied])
def missing_on_copy(x):
    return 1 if x.isna().any() else 0

@labeling_function()
def filled(x):
    return 1 if x.fillna(0).score == 0 else 0

@labeling_function()
def no_such_field(x):
    return x.nope

@labeling_function()
def bool_key(x):
    try:
        x["score" == 2]
    except KeyError:
        return 1
    return 0
`;

for (const [name, make, skip] of bothRuntimes(() => ws)) {
  describe(`a row's pandas Series surface in ${name}`, { skip, timeout: 300_000 }, () => {
    let executor: LfExecutor;
    before(async () => {
      executor = make();
      await executor.loadRows('rows', ROWS);
    });
    after(() => executor.dispose());

    it('gives the index, values, label and position indexers, missing flags and fillna, on rows and copies', async () => {
      const r = await executor.runFile({ file: join(ws, 'lfs.py'), source: LFS, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
      assert.equal(r.fileError, null, r.fileError?.message);
      const votes = Object.fromEntries(r.lfs.map((lf) => [lf.name, [...lf.votes]]));
      assert.deepEqual(votes, {
        on_row: [1, 1, 1],
        on_copy: [1, 1, 1],
        missing_score: [0, 1, 1],
        missing_on_copy: [0, 1, 1],
        filled: [0, 1, 1],
        no_such_field: [-1, -1, -1],
        // x[False] is a label to pandas (KeyError), not position 0.
        bool_key: [1, 1, 1],
      });
      const nope = r.lfs.find((lf) => lf.name === 'no_such_field')!;
      assert.match(String(nope.firstError?.message), /row has no field 'nope'; fields are: text, score/);
    });

    it('says which fields a row has when x["name"] finds none, and only for the row\'s own lookup', async () => {
      const src =
        'from snorkel.labeling import labeling_function\nfrom snorkel.preprocess import preprocessor\n' +
        '@preprocessor()\ndef add(x):\n    x.n = 1\n    return x\n' +
        '@labeling_function()\ndef by_key(x):\n    return 1 if x["label"] else 0\n' +
        '@labeling_function()\ndef by_keys(x):\n    return 1 if x[["text", "lbl"]] else 0\n' +
        '@labeling_function(pre=[add])\ndef on_copy(x):\n    return 1 if x["lbl"] else 0\n' +
        '@labeling_function()\ndef own_dict(x):\n    return {"a": 1}["label"]\n' +
        '@labeling_function()\ndef near(x):\n    return 1 if x["scores"] else 0\n' +
        '@labeling_function()\ndef caught(x):\n    try:\n        return x["label"]\n    except KeyError as e:\n        return 1 if e.args == ("label",) else 0\n';
      const r = await executor.runFile({ file: join(ws, 'keys.py'), source: src, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
      assert.equal(r.fileError, null, r.fileError?.message);
      const message = (name: string) => String(r.lfs.find((lf) => lf.name === name)?.firstError?.message);
      assert.equal(message('by_key'), "KeyError: 'label' (row has no field 'label'; fields are: text, score)");
      assert.equal(message('by_keys'), "KeyError: 'lbl' (row has no field 'lbl'; fields are: text, score)");
      assert.equal(message('on_copy'), "KeyError: 'lbl' (row has no field 'lbl'; fields are: text, score, n)");
      assert.equal(message('own_dict'), "KeyError: 'label'");
      assert.equal(message('near'), "KeyError: 'scores' (row has no field 'scores'; fields are: text, score; did you mean 'score'?)");
      // The exception is pandas' own: KeyError(key), which an LF may catch and read.
      assert.deepEqual([...r.lfs.find((lf) => lf.name === 'caught')!.votes], [1, 1, 1]);
    });

    it('keeps an LF that edits the classes behind x.isna() and x.loc from changing what the next LF sees (the sandbox)', { skip: name.includes('native') ? 'the user\'s Python restores nothing between the LFs of one file' : false }, async () => {
      const src =
        'from snorkel.labeling import labeling_function\n' +
        '@labeling_function()\ndef attack(x):\n    type(x.isna()).any = lambda self: True\n    type(x.loc).__getitem__ = lambda self, k: "evil"\n    return 1\n' +
        '@labeling_function()\ndef victim(x):\n    return 1 if x.isna().any() or x.loc["text"] == "evil" else 0\n';
      const r = await executor.runFile({ file: join(ws, 'attack.py'), source: src, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
      const victim = r.lfs.find((lf) => lf.name === 'victim')!;
      assert.deepEqual([...victim.votes], [0, 1, 1], 'only the rows with a missing score');
    });

    it("keeps an LF that reaches, through ==, what a nested field or the row class's index holds from editing it for the next LF (the sandbox)", { skip: name.includes('native') ? 'the user\'s Python restores nothing between the LFs of one file' : false }, async () => {
      await executor.loadRows('nested', [
        { id: '1', fields: { text: 'a', meta: { k: 'a' } } },
        { id: '2', fields: { text: 'b', meta: { k: 'b' } } },
      ]);
      const src =
        'from snorkel.labeling import labeling_function\n' +
        'class Grab:\n    def __eq__(self, other):\n        Grab.got = other\n        return False\n' +
        '@labeling_function()\ndef edits(x):\n    x.meta == Grab()\n    try:\n        Grab.got["k"] = "EDITED"\n    except TypeError:\n        pass\n' +
        '    type(x)._index == Grab()\n    try:\n        Grab.got["text"] = Grab.got["meta"]\n    except TypeError:\n        pass\n    return -1\n' +
        '@labeling_function()\ndef reads(x):\n    return 1 if x.meta["k"] == "EDITED" or not isinstance(x["text"], str) else 0\n' +
        '@labeling_function()\ndef compares(x):\n    return 1 if x.meta == {"k": "a"} and dict(x.meta) == {"k": "a"} and "k" in x.meta and list(x.meta.items()) == [("k", "a")] else 0\n';
      const r = await executor.runFile({ file: join(ws, 'grab.py'), source: src, datasetKey: 'nested', cardinality: 2, timeoutMs: 20_000 });
      const votes = Object.fromEntries(r.lfs.map((lf) => [lf.name, [...lf.votes]]));
      assert.deepEqual(votes.reads, [0, 0]);
      assert.deepEqual(votes.compares, [1, 0], 'a nested object still reads and compares like a dict');
    });

    it('selects several fields at once as a Series does: x[cols].mean() and the other reductions skip missing values', async () => {
      await executor.loadRows('sims', [
        { id: '1', fields: { sim_a: 0.9, sim_b: 0.7, sim_c: 0.8, note: 'x' } },
        { id: '2', fields: { sim_a: 0.1, sim_b: null, sim_c: 0.3, note: 'y' } },
        { id: '3', fields: { sim_a: null, sim_b: null, sim_c: null, note: 'z' } },
      ]);
      const src = `from snorkel.labeling import labeling_function
from snorkel.preprocess import preprocessor
import math

COLS = ["sim_a", "sim_b", "sim_c"]

@preprocessor()
def copied(x):
    x.extra = 1
    return x

@labeling_function()
def mean_high(x):
    m = x[COLS].mean()
    return -1 if math.isnan(m) else 1 if m > 0.5 else 0

@labeling_function(pre=[copied])
def on_copy(x):
    return 1 if x[COLS + ["extra"]].count() == 4 else 0

@labeling_function()
def reductions(x):
    s = x[COLS]
    if s.count() == 0:
        return 1 if math.isnan(s.max()) and math.isnan(s.median()) and s.sum() == 0 and not s.any() else 0
    ok = s.min() <= s.median() <= s.max() and abs(s.sum() - sum(v for v in s.values if v is not None)) < 1e-12
    ok = ok and s.tolist() == list(s.values) and s.index == tuple(COLS) and s["sim_a"] == x.sim_a and s[0] == x.sim_a
    ok = ok and (s > 0.2).any() and s.isna().any() == (s.count() < 3) and len(s) == 3
    return 1 if ok else 0

@labeling_function()
def unknown(x):
    return 1 if x[["sim_a", "nope"]].mean() else 0
`;
      const r = await executor.runFile({ file: join(ws, 'sims.py'), source: src, datasetKey: 'sims', cardinality: 2, timeoutMs: 20_000 });
      assert.equal(r.fileError, null, r.fileError?.message);
      const votes = Object.fromEntries(r.lfs.map((lf) => [lf.name, [...lf.votes]]));
      assert.deepEqual(votes, { mean_high: [1, 0, -1], on_copy: [1, 0, 0], reductions: [1, 1, 1], unknown: [-1, -1, -1] });
      assert.match(String(r.lfs.find((lf) => lf.name === 'unknown')!.firstError?.message), /KeyError: 'nope'/);
    });

    it('lets a field named like a Series attribute win: x.values is the field', async () => {
      await executor.loadRows('named', [{ id: '1', fields: { text: 'a', values: 'mine' } }]);
      const src = 'from snorkel.labeling import labeling_function\n@labeling_function()\ndef lf(x):\n    return 1 if x.values == "mine" and x["values"] == "mine" else 0\n';
      const r = await executor.runFile({ file: join(ws, 'named.py'), source: src, datasetKey: 'named', cardinality: 2, timeoutMs: 20_000 });
      assert.deepEqual([...r.lfs[0]!.votes], [1]);
    });
  });
}
