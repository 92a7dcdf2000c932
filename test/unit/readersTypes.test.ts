// CSV columns as pandas' read_csv types them, JSON numbers as pandas' read_json gives them, and data without a
// text field: what real LF files expect.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lf-types-')), name);
  writeFileSync(path, text);
  return path;
}

describe('CSV column types', () => {
  it('gives ints, floats, booleans and NaN where pandas would, and leaves the text and mixed columns as strings', async () => {
    const csv = file(
      'data.csv',
      'text,likes,score,flag,mixed,zip,category,empty,label\n' +
        '"12",3,0.5,True,a1,00501,music,,1\n' +
        'hello,-7,2,False,2,10001,,NA,0\n' +
        'world,,1e3,,x,02134,None,,1\n' +
        ',4,1,True,y,1,N/A,,0\n',
    );
    const d = await readDataset(csv, {});
    const col = (f: string) => d.rows.map((r) => r.fields[f]);
    assert.deepEqual(col('text'), ['12', 'hello', 'world', ''], 'the text field stays a string even when it looks like a number, "" when empty');
    assert.deepEqual(col('likes'), [3, -7, Number.NaN, 4], 'a missing value in a typed column is NaN, as pandas gives it');
    assert.deepEqual(col('score'), [0.5, 2, 1000, 1]);
    assert.deepEqual(col('flag'), [true, false, Number.NaN, true]);
    assert.deepEqual(col('mixed'), ['a1', '2', 'x', 'y']);
    // pandas reads 00501 as the int 501 too.
    assert.deepEqual(col('zip'), [501, 10001, 2134, 1]);
    // A string column's missing markers are NaN too, and a column with nothing in it is all NaN.
    assert.deepEqual(col('category'), ['music', Number.NaN, Number.NaN, Number.NaN]);
    assert.deepEqual(col('empty'), [Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    assert.deepEqual(d.gold, [1, 0, 1, 0]);
    assert.ok(!('label' in d.rows[0]!.fields), 'the gold label is never a field');
  });

  it('reads numbers with spaces around them as numbers and every pandas missing marker as NaN, as read_csv does', async () => {
    // pd.read_csv gives n = [5, 1, 3] (int64), r = [0.5, 1.5, 2.0] and m all NaN; " True" and " NA " it keeps as written.
    const csv = file(
      'spaced.csv',
      'text,n,r,m,b,s\n' + 'a, 5, 0.5,#NA, True, NA \n' + 'b,1 ,1.5 ,-nan,False,x\n' + 'c,3,\t2,1.#IND,True,y\n' + 'd,4,2.5,#N/A N/A,False,z\n',
    );
    const d = await readDataset(csv, {});
    const col = (f: string) => d.rows.map((r) => r.fields[f]);
    assert.deepEqual(col('n'), [5, 1, 3, 4]);
    assert.deepEqual(col('r'), [0.5, 1.5, 2, 2.5]);
    assert.deepEqual(col('m'), [Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    assert.deepEqual(col('b'), [' True', 'False', 'True', 'False'], 'a boolean column takes its words exactly as written');
    assert.deepEqual(col('s'), [' NA ', 'x', 'y', 'z']);
  });

  it('skips a line of nothing but spaces between records, as pandas does, without counting it as a record', async () => {
    const d = await readDataset(file('spaces.csv', 'text,n\na,1\n   \nb,2\n \t \nc,3\n'), {});
    assert.deepEqual(
      d.rows.map((r) => [r.id, r.fields.text, r.fields.n]),
      [
        ['1', 'a', 1],
        ['2', 'b', 2],
        ['3', 'c', 3],
      ],
    );
    // In a file of one column too (pd.read_csv gives a, b, c), so ids count rows as pandas' index does; quoted,
    // such a field is a value, as pandas keeps it.
    const one = await readDataset(file('one.csv', 'text\na\n   \nb\n"  "\nc\n'), {});
    assert.deepEqual(
      one.rows.map((r) => [r.id, r.fields.text]),
      [
        ['1', 'a'],
        ['2', 'b'],
        ['3', '  '],
        ['4', 'c'],
      ],
    );
  });
});

describe('JSON numbers as pandas gives them', () => {
  // Measured with Debian's pandas 1.5.3: pd.read_json(path, lines=True), and pd.DataFrame(records) of a WRENCH
  // file's "data", give a column of numbers NaN for null and for a key a row lacks (and make it float: see
  // readersFloats.test.ts), and a column null on every row is NaN too; a column of strings, objects,
  // lists or mixed values keeps None for null (pandas gives NaN for a key a row lacks there: None here).
  const rows = [
    { id: 'k1', text: '150', price: 150, qty: 1, ratio: 0.5, flag: true, none: null, s: 'x', meta: { a: 1 }, tags: [1], mixed: 1, label: 1 },
    { id: 'k2', text: 'b', price: null, qty: null, ratio: null, flag: null, none: null, s: null, meta: null, tags: null, mixed: 'y', label: null },
    { id: 'k3', text: 'c', qty: 3, flag: false, s: 'z', mixed: null, label: 0 },
    { id: 'k4', text: 'd', price: 50, qty: 4, ratio: 2, flag: true, none: null, s: 'w', meta: { a: null }, tags: [null], label: 1 },
  ];
  const checks = (d: Awaited<ReturnType<typeof readDataset>>) => {
    const col = (f: string) => d.rows.map((r) => r.fields[f]);
    assert.deepEqual(col('price'), [150, Number.NaN, Number.NaN, 50], 'null and missing numbers are NaN');
    assert.deepEqual(col('qty'), [1, Number.NaN, 3, 4], 'the numbers as read (floats in Python: Row.floats)');
    assert.deepEqual(col('ratio'), [0.5, Number.NaN, Number.NaN, 2]);
    assert.deepEqual(col('none'), [Number.NaN, Number.NaN, Number.NaN, Number.NaN], 'a field null on every row is NaN, as pandas gives it');
    assert.deepEqual(col('flag'), [true, null, false, true], 'booleans are not numbers: null stays None');
    assert.deepEqual(col('s'), ['x', null, 'z', 'w']);
    assert.deepEqual(col('meta'), [{ a: 1 }, null, undefined, { a: null }], 'nested values are left as they are');
    assert.deepEqual(col('tags'), [[1], null, undefined, [null]]);
    assert.deepEqual(col('mixed'), [1, 'y', null, undefined]);
    assert.deepEqual(col('text'), ['150', 'b', 'c', 'd']);
    assert.deepEqual(d.gold, [1, null, 0, 1]);
    assert.ok(d.rows.every((r) => !('label' in r.fields)), 'the gold label is never a field');
  };

  it('gives NaN for a null or missing value in a JSONL field of numbers, and leaves every other field as it was', async () => {
    const d = await readDataset(file('rows.jsonl', rows.map((r) => JSON.stringify(r)).join('\n') + '\n'), {});
    checks(d);
    assert.deepEqual(Object.keys(d.rows[2]!.fields), ['id', 'text', 'qty', 'flag', 's', 'mixed', 'price', 'ratio', 'none'], 'a missing number comes after the row\'s own keys');
  });

  it('does the same in the "data" of a WRENCH file, and never to the text and id fields', async () => {
    const wrench = Object.fromEntries(rows.map(({ label, ...data }, i) => [String(i), { label: label ?? -1, data }]));
    checks(await readDataset(file('train.json', JSON.stringify(wrench)), {}));
    // An id field of numbers and a text field stay as they are.
    const ids = await readDataset(file('ids.jsonl', '{"uid": 7, "body": "a", "n": 1}\n{"uid": 8, "body": "b"}\n'), { idField: 'uid', textField: 'body' });
    assert.deepEqual(
      ids.rows.map((r) => [r.id, r.fields]),
      [
        ['7', { uid: 7, body: 'a', n: 1 }],
        ['8', { uid: 8, body: 'b', n: Number.NaN }],
      ],
    );
  });
});

describe('a text field only when LFs need one', () => {
  it('reads data with no "text" field at all', async () => {
    const d = await readDataset(file('numbers.csv', 'age,income\n31,52000\n45,61000.5\n'), {});
    assert.deepEqual(d.rows.map((r) => r.fields), [{ age: 31, income: 52000 }, { age: 45, income: 61000.5 }]);
    const j = await readDataset(file('rows.jsonl', '{"age": 3}\n{"age": 4}\n'), {});
    assert.equal(j.rows.length, 2);
  });

  it('still refuses a text field named on purpose that is missing, and one that only some rows have', async () => {
    await assert.rejects(readDataset(file('a.csv', 'body\nx\n'), { textField: 'content' }), /no "content" column.*Set "textField" in lfstudio\.json/);
    await assert.rejects(readDataset(file('b.jsonl', '{"age": 3}\n{"age": 4, "text": "x"}\n'), {}), /line 2 has a "text" field but earlier rows do not/);
    await assert.rejects(readDataset(file('c.jsonl', '{"text": "x"}\n{"age": 4}\n'), {}), /line 2 has no "text" field/);
  });
});
