// Integers a double cannot hold (2^53 or more: tweet ids, user ids) as pandas keeps them: exactly in an int64
// or uint64 column, nested values included, as the nearest double in a float64 column, and as strings in a CSV
// column that neither holds. The figures in the comments were measured with Debian's pandas 1.5.3.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { displayValue, exactInteger, floatText, integerColumn, parseKeepingIntegers } from '../../lf-runtime/src/data/exactIntegers.ts';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import { encodeRows } from '../../lf-runtime/src/sandbox/rowPayload.ts';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lf-ints-')), name);
  writeFileSync(path, text);
  return path;
}

const TWEET = 1234567890123456789n;

describe('integers beyond a double, as pandas keeps them', () => {
  it('CSV: int64 and uint64 columns exactly; a column neither holds is strings; a missing value makes floats', async () => {
    // pd.read_csv: a int64 [1234567890123456789, 5]; u uint64 [12345678901234567890, 5]; s object (a negative
    // beside a value above int64) ['-5', '12345678901234567890']; w object (beyond uint64); f float64 (a blank).
    const csv =
      'text,a,u,s,w,f\n' + //
      `x,${TWEET},12345678901234567890,-5,123456789012345678901234,${TWEET}\n` +
      'y,5,5,12345678901234567890,5,\n';
    const d = await readDataset(file('t.csv', csv), {});
    const col = (f: string) => d.rows.map((r) => r.fields[f]);
    assert.deepEqual(col('a'), [TWEET, 5]);
    assert.deepEqual(col('u'), [12345678901234567890n, 5]);
    assert.deepEqual(col('s'), ['-5', '12345678901234567890']);
    assert.deepEqual(col('w'), ['123456789012345678901234', '5']);
    assert.deepEqual(col('f'), [1234567890123456768, Number.NaN]);
    assert.deepEqual([...(d.rows[0]!.floats ?? [])], ['f']);
    // pd.read_csv: an integer beyond both keeps its column strings beside a missing value or a float too.
    const beyond = await readDataset(file('b.csv', 'text,m,g\nx,123456789012345678901234,123456789012345678901234\ny,,1.5\nz,5,2\n'), {});
    assert.deepEqual(
      beyond.rows.map((r) => [r.fields.m, r.fields.g]),
      [
        ['123456789012345678901234', '123456789012345678901234'],
        [Number.NaN, '1.5'],
        ['5', '2'],
      ],
    );
  });

  it('JSON: beyond int64 (uint64 too) a number, the nearest double, in a float field, as the exported job reads it', async () => {
    // pandas keeps 12345678901234567890 as uint64; the job's reader cannot tell it from 1e19, so neither does this.
    const d = await readDataset(file('u.jsonl', '{"text": "x", "u": 12345678901234567890}\n{"text": "y", "u": 5}\n'), {});
    assert.deepEqual(
      d.rows.map((r) => r.fields.u),
      [12345678901234567890, 5],
    );
    assert.deepEqual([...(d.rows[0]!.floats ?? [])], ['u']);
  });

  it('JSON: exactly in every reader and at any depth; a float field holds the nearest double', async () => {
    // pd.read_json(lines=True): a int64 exact; b float64 (a fraction beside it); o object, its dict's int exact.
    const lines = [`{"text": "x", "a": ${TWEET}, "b": ${TWEET}, "o": {"k": [${TWEET}]}}`, '{"text": "y", "a": -9007199254740993, "b": 0.5, "o": 1}'];
    const check = (d: Awaited<ReturnType<typeof readDataset>>, what: string) => {
      assert.deepEqual(
        d.rows.map((r) => [r.fields.a, r.fields.b, r.fields.o]),
        [
          [TWEET, 1234567890123456768, { k: [TWEET] }],
          [-9007199254740993n, 0.5, 1],
        ],
        what,
      );
    };
    check(await readDataset(file('t.jsonl', lines.join('\n') + '\n'), {}), 'JSONL');
    check(await readDataset(file('records.json', `[${lines.join(',')}]`), {}), 'records');
    const wrench = `{"0": {"label": 0, "data": ${lines[0]}}, "1": {"label": 1, "data": ${lines[1]}}}`;
    check(await readDataset(file('train.json', wrench), {}), 'WRENCH');
  });

  it('keeps an integer id exactly in a .json file, where it was refused', async () => {
    const d = await readDataset(file('ids.json', `[{"tid": ${TWEET}, "text": "a"}, {"tid": ${TWEET + 1n}, "text": "b"}]`), { idField: 'tid' });
    assert.deepEqual(
      d.rows.map((r) => r.id),
      ['1234567890123456789', '1234567890123456790'],
    );
  });

  it('leaves digits inside strings, fractions and exponents alone', () => {
    const text = `{"s": "${TWEET}", "f": 0.12345678901234567891, "e": 1e12345678901234567, "n": [${TWEET},-${TWEET}], "small": 9007199254740991}`;
    assert.deepEqual(parseKeepingIntegers(text, JSON.parse), { s: String(TWEET), f: 0.12345678901234568, e: Infinity, n: [TWEET, -TWEET], small: 9007199254740991 });
    assert.equal(exactInteger('9007199254740991'), 9007199254740991);
    assert.equal(exactInteger('+9007199254740993'), 9007199254740993n);
    assert.equal(exactInteger('18446744073709551616'), null, 'beyond uint64');
    assert.deepEqual(integerColumn(['-1', '9223372036854775808']), null, 'a negative beside a value above int64');
    // A string that spells what an exact integer is written as while parsing stays a string.
    const spoof = `{"s": "\\u0000lf-studio-integer:77", "t": "\\u0000\\u006cf-studio-integer:0", "n": ${TWEET}}`;
    assert.deepEqual(parseKeepingIntegers(spoof, JSON.parse), { s: '\u0000lf-studio-integer:77', t: '\u0000lf-studio-integer:0', n: TWEET });
  });

  it('writes exact integers to Python in digits, and shows them in digits', () => {
    const frame = Buffer.concat(encodeRows(['a', 'o'], [[TWEET, 5], [{ k: [TWEET] }, 'w']], 2));
    const headSize = frame.readUInt32LE(0);
    const body = frame.subarray(4 + headSize).toString();
    assert.equal(body, `[${TWEET},5][{"k":[${TWEET}]},"w"]`);
    assert.equal(displayValue({ k: [TWEET], n: Number.NaN, i: -Infinity }), `{"k":[${TWEET}],"n":nan,"i":-inf}`);
    assert.equal(displayValue(TWEET), String(TWEET));
    // A float column's values as Python prints them (repr), not as exact-looking ints.
    assert.deepEqual([2, 2.5, 9223372036854775807, 1e-7, 0, Number.NaN].map(floatText), ['2.0', '2.5', '9.223372036854776e+18', '1e-07', '0.0', 'nan']);
  });
});
