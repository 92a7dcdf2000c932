// `.json` data in the shapes pandas writes (DataFrame.to_json with each orient) reads to the same rows, ids and
// gold labels; the files are written by real pandas when Debian's python3 has it, and by hand below for the
// shapes' edge cases and errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import { parseJsonDataset } from '../../lf-runtime/src/data/readJson.ts';
import { DataError } from '../../lf-runtime/src/data/types.ts';

function pandasPython(): string | null {
  for (const exe of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(exe, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0) return exe;
  }
  return null;
}
const python = pandasPython();

function rejects(load: () => unknown, ...fragments: string[]): DataError {
  let caught: unknown = null;
  try {
    load();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${String(caught)}`);
  for (const f of fragments) assert.ok(caught.message.includes(f), `"${caught.message}" should mention "${f}"`);
  return caught;
}

describe('pandas DataFrame.to_json files', { skip: python === null ? 'no python3 with pandas' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-pdjson-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Index labels 10, 20, 30 (not positions) so ids show where they came from; a missing number and a label column.
  const script = `
import pandas as pd, numpy as np, sys
df = pd.DataFrame({"text": ["buy now", "nice song", "hi"], "stars": [5.0, np.nan, 3.0], "label": [1, 0, 1]}, index=[10, 20, 30])
d = sys.argv[1]
for orient in ["records", "index", "columns", "split", "table"]:
    df.to_json(f"{d}/{orient}.json", orient=orient)
df.to_json(f"{d}/default.json")
df.to_json(f"{d}/lines.json", orient="records", lines=True)
df.reset_index(drop=True).to_json(f"{d}/split_noindex.json", orient="split", index=False)
`;
  if (python) {
    const r = spawnSync(python, ['-c', script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }

  const byKey = [
    { orient: 'index', ids: ['10', '20', '30'] },
    { orient: 'columns', ids: ['10', '20', '30'] },
    { orient: 'default', ids: ['10', '20', '30'] },
    { orient: 'split', ids: ['10', '20', '30'] },
    { orient: 'table', ids: ['10', '20', '30'] },
    // Records and lines drop the index: ids are positions, as in a CSV or JSONL file.
    { orient: 'records', ids: ['1', '2', '3'] },
    { orient: 'lines', ids: ['1', '2', '3'] },
    { orient: 'split_noindex', ids: ['1', '2', '3'] },
  ];
  for (const { orient, ids } of byKey) {
    it(`reads orient=${orient}: ids ${ids.join(', ')}, label column as gold, null number as NaN`, async () => {
      const ds = await readDataset(join(dir, `${orient}.json`));
      assert.deepEqual(
        ds.rows.map((r) => r.id),
        ids,
      );
      assert.deepEqual(
        ds.rows.map((r) => r.fields),
        [
          { text: 'buy now', stars: 5 },
          { text: 'nice song', stars: Number.NaN },
          { text: 'hi', stars: 3 },
        ],
        readFileSync(join(dir, `${orient}.json`), 'utf8'),
      );
      assert.deepEqual(ds.gold, [1, 0, 1]);
    });
  }
});

describe('.json shapes by hand', () => {
  it('still reads a WRENCH split, including one whose records have no weak labels', () => {
    const ds = parseJsonDataset('{"7": {"label": 1, "data": {"text": "a"}}, "9": {"data": {"text": "b"}}}', 'w.json');
    assert.deepEqual(
      ds.rows.map((r) => [r.id, r.fields.text]),
      [
        ['7', 'a'],
        ['9', 'b'],
      ],
    );
    assert.deepEqual(ds.gold, [1, null]);
  });

  it('tells "index" from "columns" by where the text field is, with a custom text field too', () => {
    // Two rows, three columns: the text field is an inner key, so the outer keys are row ids.
    const byIndex = parseJsonDataset('{"a": {"body": "x", "n": 1, "m": 2}, "b": {"body": "y", "n": 3, "m": 4}}', 'i.json', { textField: 'body' });
    assert.deepEqual(
      byIndex.rows.map((r) => r.id),
      ['a', 'b'],
    );
    // Three rows, two columns: the text field is an outer key, so the outer keys are columns.
    const byColumn = parseJsonDataset('{"body": {"a": "x", "b": "y", "c": "z"}, "n": {"a": 1, "b": 2, "c": 3}}', 'c.json', { textField: 'body' });
    assert.deepEqual(
      byColumn.rows.map((r) => [r.id, r.fields.body, r.fields.n]),
      [
        ['a', 'x', 1],
        ['b', 'y', 2],
        ['c', 'z', 3],
      ],
    );
  });

  it('reads one line of plain values as one row, and a column named "data" as a column', () => {
    const one = parseJsonDataset('{"text": "hi", "label": 1}\n', 'one.json');
    assert.deepEqual(one.rows, [{ id: '1', fields: { text: 'hi' } }]);
    assert.deepEqual(one.gold, [1]);
    const byIndex = parseJsonDataset('{"r1": {"text": "a", "data": "x"}, "r2": {"text": "b", "data": "y"}}', 'i.json');
    assert.deepEqual(
      byIndex.rows.map((r) => [r.id, r.fields.data]),
      [
        ['r1', 'x'],
        ['r2', 'y'],
      ],
    );
  });

  it('numbers rows by position when a split index repeats a value (pandas allows it, ids may not)', () => {
    const ds = parseJsonDataset('{"columns": ["text"], "index": [0, 0], "data": [["a"], ["b"]]}', 's.json');
    assert.deepEqual(
      ds.rows.map((r) => r.id),
      ['1', '2'],
    );
  });

  it('uses the idField in an array of records, and reports its duplicates', () => {
    const ds = parseJsonDataset('[{"text": "a", "key": "k1"}, {"text": "b", "key": "k2"}]', 'r.json', { idField: 'key' });
    assert.deepEqual(
      ds.rows.map((r) => r.id),
      ['k1', 'k2'],
    );
    rejects(() => parseJsonDataset('[{"text": "a", "key": 1}, {"text": "b", "key": 1}]', 'r.json', { idField: 'key' }), 'duplicate row id "1"');
  });

  it('names each problem and the shapes it accepts', () => {
    rejects(() => parseJsonDataset('"just a string"', 'x.json'), 'a string', 'orient', 'WRENCH');
    rejects(() => parseJsonDataset('[]', 'x.json'), 'no rows');
    rejects(() => parseJsonDataset('[["a", 1], ["b", 0]]', 'x.json'), 'orient="values"', 'orient="records"');
    rejects(() => parseJsonDataset('[{"text": "a"}, 5]', 'x.json'), 'record 2', 'not an object');
    rejects(() => parseJsonDataset('{"a": {"text": "x"}, "b": 3}', 'x.json'), '"b"', 'not a row or a column');
    rejects(() => parseJsonDataset('{"columns": ["text"], "index": [1, 2], "data": [["a"]]}', 'x.json'), '"index" has 2 entries', '1 rows');
    rejects(() => parseJsonDataset('{"columns": ["text", "n"], "data": [["a", 1], ["b"]]}', 'x.json'), 'row 2', 'array of 2 values');
    rejects(() => parseJsonDataset('[{"text": "a", "label": "spam"}]', 'x.json'), 'record 1', 'label');
  });
});
