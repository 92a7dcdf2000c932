// The values LFs see in both runtimes, as pandas gives them: a float column's whole numbers are floats (2.0,
// not 2), in CSV as pd.read_csv types a column and in JSONL as pd.read_json(lines=True) does; and a JSONL row
// whose text is null reaches LFs as None, so an LF that calls x.text.lower() fails on that row alone. The
// expected types are checked against real pandas when Debian's python3 has it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';
import { bothRuntimes, PYTHON } from '../support/bothRuntimes.ts';

const ws = mkdtempSync(join(tmpdir(), 'lf-rowtypes-'));
after(() => rmSync(ws, { recursive: true, force: true }));

// Column i holds infinities as pandas writes and reads them: df.to_csv() writes inf (a division by zero), json.dumps
// a bare Infinity; 1e400, too large for a double, is an infinity in JSON (in CSV it keeps its column as strings).
const CSV = 'text,a,b,c,d,n,s,i\nx,2.0,2.5,1,1e3,1,u,inf\ny,3,3,,2,2,,-Infinity\nz,4,4,5,3,3,w,2\n';
const JSONL =
  '{"text": "x", "a": 2.0, "b": 2.5, "c": 1, "d": 1e3, "n": 1, "s": 1.0, "i": Infinity}\n' +
  '{"text": null, "a": 3.0, "b": 3, "c": null, "d": 2, "n": 2, "s": "w", "i": -Infinity}\n' +
  '{"text": "z", "a": 4.0, "b": 4, "d": 3, "n": 3, "s": 2, "i": 1e400}\n';
const FIELDS = ['a', 'b', 'c', 'd', 'n', 'i'];
/** Per file, the sign of column i on each row: 1 for inf, 0 for -inf, -1 for a finite number. */
const INFINITIES: Record<string, number[]> = { 'data.csv': [1, 0, -1], 'data.jsonl': [1, 0, 1] };
// Per field, the type every row's value has: float (float64 in pandas) or int (int64).
const EXPECTED: Record<string, Record<string, 'float' | 'int'>> = {
  'data.csv': { a: 'float', b: 'float', c: 'float', d: 'float', n: 'int', i: 'float' },
  // read_json makes a field of whole numbers ints however they are written (a: 2.0, 3.0, 4.0; d: 1e3), and a
  // field with a null or a missing key (c) or a fraction (b) floats.
  'data.jsonl': { a: 'int', b: 'float', c: 'float', d: 'int', n: 'int', i: 'float' },
};

const LFS =
  'from snorkel.labeling import labeling_function\n\n' +
  'def kind(v):\n    return 1 if type(v) is float else 0 if type(v) is int else -1\n\n' +
  FIELDS.map((f) => `@labeling_function()\ndef lf_${f}(x):\n    return kind(x.${f})\n`).join('\n') +
  '\n@labeling_function()\ndef lf_lower(x):\n    return 1 if "x" in x.text.lower() else 0\n' +
  '\n@labeling_function()\ndef lf_inf(x):\n    return -1 if abs(x.i) != float("inf") else 1 if x.i > 0 else 0\n';

describe('the expected types are what pandas gives', () => {
  const hasPandas = spawnSync(PYTHON, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
  it('pd.read_csv and pd.read_json(lines=True) agree with the expectations', { skip: hasPandas ? false : `no pandas in ${PYTHON}` }, () => {
    writeFileSync(join(ws, 'data.csv'), CSV);
    writeFileSync(join(ws, 'data.jsonl'), JSONL);
    const script =
      'import json, sys, pandas as pd\n' +
      'out = {}\n' +
      'for name in ["data.csv", "data.jsonl"]:\n' +
      '    p = sys.argv[1] + "/" + name\n' +
      '    df = pd.read_csv(p) if name.endswith(".csv") else pd.read_json(p, lines=True)\n' +
      '    out[name] = {c: ("float" if df[c].dtype.kind == "f" else "int" if df[c].dtype.kind == "i" else str(df[c].dtype)) for c in sys.argv[2].split(",")}\n' +
      '    out[name + " text"] = [None if v is None else str(v) for v in df["text"].tolist()]\n' +
      '    out[name + " inf"] = [-1 if abs(v) != float("inf") else 1 if v > 0 else 0 for v in df["i"].tolist()]\n' +
      'print(json.dumps(out))\n';
    const r = spawnSync(PYTHON, ['-c', script, ws, FIELDS.join(',')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(got['data.csv'], EXPECTED['data.csv']);
    assert.deepEqual(got['data.jsonl'], EXPECTED['data.jsonl']);
    assert.deepEqual(got['data.jsonl text'], ['x', null, 'z'], 'pandas reads a null text as None');
    for (const name of ['data.csv', 'data.jsonl']) assert.deepEqual(got[`${name} inf`], INFINITIES[name], name);
  });
});

for (const [name, make, skip] of bothRuntimes(() => ws)) {
  describe(`row values as pandas gives them in ${name}`, { skip, timeout: 300_000 }, () => {
    let executor: LfExecutor;
    before(() => {
      executor = make();
      writeFileSync(join(ws, 'data.csv'), CSV);
      writeFileSync(join(ws, 'data.jsonl'), JSONL);
    });
    after(() => executor.dispose());

    const run = async (data: string): Promise<FileRunResult> => {
      const d = await readDataset(join(ws, data), {});
      await executor.loadRows(data, d.rows);
      return executor.runFile({ file: join(ws, 'lfs.py'), source: LFS, datasetKey: data, cardinality: 2, timeoutMs: 20_000 });
    };

    for (const data of ['data.csv', 'data.jsonl']) {
      it(`gives the whole numbers of a float column as floats (${data})`, async () => {
        const r = await run(data);
        for (const f of FIELDS) {
          const lf = r.lfs.find((l) => l.name === `lf_${f}`)!;
          const want = EXPECTED[data]![f] === 'float' ? 1 : 0;
          assert.deepEqual([...lf.votes], [want, want, want], `${data} ${f}: ${EXPECTED[data]![f]} on every row`);
          assert.equal(lf.errors, 0);
        }
        assert.deepEqual([...r.lfs.find((l) => l.name === 'lf_inf')!.votes], INFINITIES[data], `${data}: infinities`);
      });
    }

    it('reads a null JSONL text as None: an LF calling .lower() on it fails on that row only', async () => {
      const r = await run('data.jsonl');
      const lower = r.lfs.find((l) => l.name === 'lf_lower')!;
      assert.equal(lower.errors, 1);
      assert.deepEqual(lower.errorRowIds, ['2']);
      assert.match(String(lower.firstError?.message), /'NoneType' object has no attribute 'lower'/);
      assert.deepEqual([...lower.votes], [1, -1, 0]);
    });
  });
}

// Nested JSON values as pandas' rows hold them (a list, a dict), though read-only here: isinstance, ==, + and
// messages treat them as those, and an LF that tries to change one is told to copy it.
const NESTED_JSONL = '{"text": "a", "tags": ["urgent", "x"], "meta": {"source": "email"}}\n{"text": "b", "tags": [], "meta": {"source": "web"}}\n';
const NESTED_LFS =
  'from snorkel.labeling import labeling_function\n\n' +
  '@labeling_function()\ndef is_list(x):\n    return 1 if isinstance(x.tags, list) and "urgent" in x.tags else 0\n\n' +
  '@labeling_function()\ndef is_dict(x):\n    return 1 if isinstance(x.meta, dict) and x.meta.get("source") == "email" else 0\n\n' +
  '@labeling_function()\ndef equal_list(x):\n    return 1 if x.tags == ["urgent", "x"] and x.tags[1:] == ["x"] and x.tags + ["y"] == ["urgent", "x", "y"] else 0\n\n' +
  '@labeling_function()\ndef attribute(x):\n    return x.meta.negated\n\n' +
  '@labeling_function()\ndef appends(x):\n    x.tags.append("seen")\n    return 1\n\n' +
  'import copy\n\n@labeling_function()\ndef deep_copies(x):\n    meta = copy.deepcopy(x.meta)\n    meta["seen"] = copy.copy(x.tags)\n    meta["seen"].append("y")\n' +
  '    return 1 if type(meta) is dict and type(meta["seen"]) is list and meta["source"] == "email" else 0\n\n' +
  'import pickle\n\n@labeling_function()\ndef pickles_and_orders(x):\n    return 1 if pickle.loads(pickle.dumps(x.tags)) == ["urgent", "x"] and x.tags < ["v"] and pickle.loads(pickle.dumps(x.meta)) == {"source": "email"} else 0\n\n' +
  // One LF swaps a nested value's class for a subclass of its own; the next LF must not see it.
  '@labeling_function()\ndef swaps_class(x):\n    class Evil(type(x.tags)):\n        __slots__ = ()\n        def __contains__(self, item):\n            return True\n' +
  '    object.__dict__["__class__"].__set__(x.tags, Evil)\n    return -1\n\n' +
  '@labeling_function()\ndef after_the_swap(x):\n    return 1 if "urgent" in x.tags else 0\n\n' +
  // json.dumps, %-formatting and isinstance read them as a list and a dict, not as tuples.
  'import json\n\n@labeling_function()\ndef dumps(x):\n' +
  '    return 1 if json.dumps(x.meta) == \'{"source": "email"}\' and json.dumps(x.tags) == \'["urgent", "x"]\' and "%s" % x.tags == "[\'urgent\', \'x\']" and not isinstance(x.tags, tuple) else 0\n\n' +
  // One LF changes nested values in place through list's and dict's own methods; the next LF must not see it.
  '@labeling_function()\ndef edits_in_place(x):\n    dict.__setitem__(x.meta, "source", "EDITED")\n    dict.__setitem__(x.meta, "added", 1)\n' +
  '    list.__setitem__(x.tags, slice(None), ["EDITED"])\n    return -1\n\n' +
  '@labeling_function()\ndef after_the_edits(x):\n    return 1 if x.meta == {"source": "email"} and x.tags == ["urgent", "x"] else 0\n\n' +
  // Finalizers that change a nested value once it is put back: one freed by the collection after the LF (a
  // cycle), one freed when the restore takes it out of the list.
  'class Bomb:\n    def __init__(self, target, cyclic):\n        self.target = target\n        if cyclic:\n            self.me = self\n' +
  '    def __del__(self):\n        try:\n            list.__setitem__(self.target, 0, "EVIL")\n        except Exception:\n            pass\n\n' +
  '@labeling_function()\ndef plants_finalizers(x):\n    Bomb(x.tags, True)\n    list.append(x.tags, Bomb(x.tags, False))\n    return -1\n\n' +
  '@labeling_function()\ndef after_the_finalizers(x):\n    return 1 if x.tags == ["urgent", "x"] else 0\n';

for (const [name, make, skip] of bothRuntimes(() => ws)) {
  describe(`nested JSON values in ${name}`, { skip, timeout: 300_000 }, () => {
    let executor: LfExecutor;
    before(() => {
      executor = make();
      writeFileSync(join(ws, 'nested.jsonl'), NESTED_JSONL);
    });
    after(() => executor.dispose());

    it('are a list and a dict to isinstance, == and +, as on a pandas row, and read-only with a message that says to copy', async () => {
      const d = await readDataset(join(ws, 'nested.jsonl'), {});
      await executor.loadRows('nested', d.rows);
      const r = await executor.runFile({ file: join(ws, 'nested_lfs.py'), source: NESTED_LFS, datasetKey: 'nested', cardinality: 2, timeoutMs: 20_000 });
      const lf = (n: string) => r.lfs.find((l) => l.name === n)!;
      assert.deepEqual([...lf('is_list').votes], [1, 0]);
      assert.deepEqual([...lf('is_dict').votes], [1, 0]);
      assert.deepEqual([...lf('equal_list').votes], [1, 0]);
      assert.equal(lf('attribute').firstError?.message, "AttributeError: 'dict' object has no attribute 'negated'");
      assert.deepEqual([...lf('deep_copies').votes], [1, 0], 'copy.copy and copy.deepcopy give a plain list and dict to change');
      assert.deepEqual([...lf('pickles_and_orders').votes], [1, 0], 'pickle gives a plain list and dict; a list compares with <');
      assert.deepEqual([...lf('after_the_swap').votes], [1, 0], "a nested value's class swapped by an earlier LF is put back");
      assert.deepEqual([...lf('dumps').votes], [1, 0], 'json.dumps and "%s" % read them as a list and a dict');
      assert.equal(lf('edits_in_place').errors, 0);
      assert.deepEqual([...lf('after_the_edits').votes], [1, 0], 'what an earlier LF changed in place through dict.__setitem__ and list.__setitem__ is put back');
      assert.deepEqual([...lf('after_the_finalizers').votes], [1, 0], "an earlier LF's finalizers do not change what a later LF reads");
      assert.match(String(lf('appends').firstError?.message), /TypeError: a row's list is read-only, so one LF cannot change what the next reads: take a copy \(list\(x\.field\)\)/);
    });
  });
}
