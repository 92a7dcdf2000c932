// CSV columns as pandas' read_csv types them, and data without a text field: what real LF files expect.
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
    // In a file of one column such a line is a value (pandas keeps it when quoted), so it stays a row.
    const one = await readDataset(file('one.csv', 'text\na\n"  "\nb\n'), {});
    assert.deepEqual(
      one.rows.map((r) => r.fields.text),
      ['a', '  ', 'b'],
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
