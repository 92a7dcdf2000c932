// Whole-number floats and null texts as pandas gives them: which fields the readers mark as floats (pandas'
// float64 columns: Row.floats), how the rows are written for Python, and rows whose text is a JSON null. The
// figures in the comments were measured with Debian's pandas 1.5.3 (pd.read_csv, pd.read_json(lines=True)).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import type { Dataset } from '../../lf-runtime/src/data/types.ts';
import { encodeRows, pythonFloat } from '../../lf-runtime/src/sandbox/rowPayload.ts';
import { buildCorpus } from '../../lf-runtime/src/suggest/corpus.ts';
import { sampleExamples, textOf } from '../../lf-runtime/src/llm/promptBuilder.ts';
import { AnalysisEngine } from '../../lf-runtime/src/engine/analysisEngine.ts';
import { ExamplesService } from '../../lf-runtime/src/examples/examplesService.ts';
import { standInExecutor } from '../support/standInExecutor.ts';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lf-floats-')), name);
  writeFileSync(path, text);
  return path;
}

/** The fields a dataset marks as floats, the same set on every row. */
function floatFields(d: Dataset): string[] {
  const sets = new Set(d.rows.map((r) => r.floats));
  assert.equal(sets.size, 1, 'every row shares one set');
  return [...(d.rows[0]!.floats ?? [])].sort();
}

describe('float columns as pandas types them', () => {
  it('CSV: a column of numbers is floats when one is written with a point or an exponent, or one is missing', async () => {
    // pd.read_csv: a, b, c, d float64 ([2.0, 3.0], [2.5, 3.0], [1.0, nan], [1000.0, 2.0]); n, z int64; s object.
    const d = await readDataset(file('t.csv', 'text,a,b,c,d,n,z,s,flag\nx,2.0,2.5,1,1e3,1,007,u,True\ny,3,3,,2,2,8,,\n'), {});
    assert.deepEqual(floatFields(d), ['a', 'b', 'c', 'd']);
    assert.deepEqual(
      d.rows.map((r) => r.fields.a),
      [2, 3],
    );
  });

  it('CSV: a number too large for a double keeps its column as strings, as pandas does', async () => {
    // pd.read_csv gives column g as object: ['1e400', '2'].
    const d = await readDataset(file('big.csv', 'text,g,n\nx,1e400,1\ny,2,2\n'), {});
    assert.deepEqual(
      d.rows.map((r) => r.fields.g),
      ['1e400', '2'],
    );
    assert.equal(d.rows[0]!.floats, undefined, 'no float column: no set');
  });

  it('CSV: infinities are floats in any spelling pandas reads, but not with spaces around them', async () => {
    // pd.read_csv: i float64 [inf, -inf, inf]; j object [' inf', '2', '3'].
    const d = await readDataset(file('inf.csv', 'text,i,j\nx,inf, inf\ny,-Infinity,2\nz,INF,3\n'), {});
    assert.deepEqual(floatFields(d), ['i']);
    assert.deepEqual(
      d.rows.map((r) => [r.fields.i, r.fields.j]),
      [
        [Infinity, ' inf'],
        [-Infinity, '2'],
        [Infinity, '3'],
      ],
    );
  });

  it('JSON: a field of numbers is floats when a row has NaN there or a number is not whole; ints otherwise, however written', async () => {
    // pd.read_json(lines=True): a [2, 3] int64 (written 2.0, 3.0), b [2.5, 3.0] float64, c [1.0, nan] float64
    // (null), m [1.0, nan] (key missing), e all null: float64 NaN, i [1e20, 2.0] float64 (too large for int64),
    // g [1000, 2] int64 (written 1e3); s and nested values object.
    const text =
      '{"text": "x", "a": 2.0, "b": 2.5, "c": 1, "m": 1, "e": null, "i": 1e20, "g": 1e3, "s": 1.0, "o": {"k": 2.0}}\n' +
      '{"text": "y", "a": 3.0, "b": 3, "c": null, "e": null, "i": 2.0, "g": 2, "s": "w", "o": {"k": 3}}\n';
    const jsonl = await readDataset(file('t.jsonl', text), {});
    assert.deepEqual(floatFields(jsonl), ['b', 'c', 'e', 'i', 'm']);
    // The same rule in every .json shape: an array of records, and a WRENCH file's "data".
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(floatFields(await readDataset(file('records.json', JSON.stringify(records)), {})), ['b', 'c', 'e', 'i', 'm']);
    const wrench = Object.fromEntries(records.map((data, i) => [String(i), { label: 0, data }]));
    assert.deepEqual(floatFields(await readDataset(file('train.json', JSON.stringify(wrench)), {})), ['b', 'c', 'e', 'i', 'm']);
  });

  it('leaves the text and label fields alone, and types the id field for LFs while row ids stay as written', async () => {
    // pd.read_csv: uid float64 [1.0, 2.0], as an LF reading x.uid gets it.
    const d = await readDataset(file('ids.csv', 'uid,body,label,n\n1.0,a,1,0.5\n2,b,,1\n'), { idField: 'uid', textField: 'body' });
    assert.deepEqual(floatFields(d), ['n', 'uid']);
    assert.deepEqual(
      d.rows.map((r) => [r.id, r.fields.uid, r.fields.body]),
      [
        ['1.0', 1, 'a'],
        ['2', 2, 'b'],
      ],
    );
  });
});

describe('floats on their way to Python', () => {
  it('writes a number of a float column as a float literal, whole or not', () => {
    assert.deepEqual([2, 2.5, -0, 0, 1e21, 1e20, -3, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(pythonFloat), [
      '2.0',
      '2.5',
      '-0.0',
      '0.0',
      '1e+21',
      '100000000000000000000.0',
      '-3.0',
      'NaN',
      'Infinity',
      '-Infinity',
    ]);
    const frame = Buffer.concat(encodeRows(['a', 'b'], [[2, Number.NaN, 'x'], [2, 3, null]], 3, [Uint8Array.from([1, 1, 0]), null]));
    const headSize = frame.readUInt32LE(0);
    const head = JSON.parse(frame.subarray(4, 4 + headSize).toString()) as { columns: { at: number; size: number }[] };
    const section = (c: number) => frame.subarray(4 + headSize + head.columns[c]!.at, 4 + headSize + head.columns[c]!.at + head.columns[c]!.size).toString();
    assert.equal(section(0), '[2.0,NaN,"x"]');
    assert.equal(section(1), '[2,3,null]', 'a column without floats is plain JSON');
    // Infinities anywhere (a field that is not all numbers, a list, an object) reach Python as inf, as pandas
    // gives them; JSON would make them null.
    const inf = Buffer.concat(encodeRows(['m', 'l'], [['n/a', Infinity, null], [[1, -Infinity], { a: Infinity }, [null]]], 3));
    const infHead = JSON.parse(inf.subarray(4, 4 + inf.readUInt32LE(0)).toString()) as { columns: { at: number; size: number }[] };
    const infSection = (c: number) => inf.subarray(4 + inf.readUInt32LE(0) + infHead.columns[c]!.at, 4 + inf.readUInt32LE(0) + infHead.columns[c]!.at + infHead.columns[c]!.size).toString();
    assert.equal(infSection(0), '["n/a",Infinity,null]');
    assert.equal(infSection(1), '[[1,-Infinity],{"a":Infinity},[null]]');
  });
});

describe('a JSON null text', () => {
  it('is read as null (None to LFs, as pandas gives it) in JSONL and every .json shape', async () => {
    // pd.read_json(lines=True) gives text ['a', None]: a column of strings keeps None for null.
    const jsonl = await readDataset(file('t.jsonl', '{"text": "a", "n": 1}\n{"text": null, "n": 2}\n'), {});
    assert.deepEqual(
      jsonl.rows.map((r) => r.fields.text),
      ['a', null],
    );
    const split = JSON.stringify({ columns: ['text', 'label'], index: [0, 1], data: [['a', 1], [null, 0]] });
    assert.deepEqual(
      (await readDataset(file('split.json', split), {})).rows.map((r) => r.fields.text),
      ['a', null],
    );
    const wrench = JSON.stringify({ 0: { label: 1, data: { text: null } }, 1: { label: 0, data: { text: 'b' } } });
    assert.deepEqual(
      (await readDataset(file('train.json', wrench), {})).rows.map((r) => r.fields.text),
      [null, 'b'],
    );
    // A text that is neither a string nor null is still refused.
    await assert.rejects(readDataset(file('num.jsonl', '{"text": "a"}\n{"text": 5}\n'), {}), /num\.jsonl:2: field "text" must be a string, found number 5/);
  });

  it('does not trip the suggester corpus or the example rows', async () => {
    const d = await readDataset(file('t.jsonl', '{"text": "buy now", "n": 1, "label": 1}\n{"text": null, "n": 2, "label": 0}\n{"text": "hello", "n": 3, "label": 0}\n'), {});
    const corpus = buildCorpus(d.rows, d.gold!.map((g) => g ?? -1), [], 'text', 2);
    assert.equal(corpus.tokens[1], null, 'a null text has no tokens');
    assert.ok(corpus.postings.has('buy'));
    assert.equal(textOf(d.rows[1]!, 'text'), '');
    const examples = sampleExamples({ rows: d.rows, gold: d.gold, labels: ['HAM', 'SPAM'], textField: 'text', perClass: 2 });
    assert.ok(examples.every((e) => typeof e.text === 'string' && e.text !== ''), 'a row without text is no example');
  });

  it('shows as an empty text in the examples view, whose text search and figures go on', async () => {
    const sample = await readDataset(file('s.jsonl', '{"text": "check my song"}\n{"text": null}\n{"text": "nice song"}\n'), {});
    const e = new AnalysisEngine(standInExecutor(), { task: 't', labels: ['HAM', 'SPAM'], sample, dev: null, lfFiles: ['/ws/lfs.py'], timeoutMs: 1000 });
    await e.runFile('/ws/lfs.py', 'def song(x):  # song -> 0\n');
    assert.equal(e.analyze().lfs[0]!.coverage, 2 / 3);
    const service = new ExamplesService('text', '.lfstudio/labels.jsonl');
    const all = service.query(e.rowsView()!, { filter: { split: 'sample' }, order: 'data', seed: 1, offset: 0, limit: 50 });
    assert.deepEqual(
      all.rows.map((r) => r.text),
      ['check my song', '', 'nice song'],
    );
    const search = service.query(e.rowsView()!, { filter: { split: 'sample', search: 'text' }, order: 'data', seed: 1, offset: 0, limit: 50 });
    assert.equal(search.total, 0, 'the null row does not match its own field name');
  });
});
