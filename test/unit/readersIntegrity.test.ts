// Data the readers used to lose or choke on without a word: keys repeated in WRENCH JSON (and in JSON Lines
// rows), files that are not UTF-8, ids repeated under an id field, and JSON nested deeper than a row can be
// passed on. Each case must end in a DataError naming the file, the line and the fix.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '../../lf-runtime/src/data/jsonSyntax.ts';
import { parseCsvDataset } from '../../lf-runtime/src/data/readCsv.ts';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import { parseJsonlDataset } from '../../lf-runtime/src/data/readJsonl.ts';
import { parseWrenchDataset, readWrenchLabelNames } from '../../lf-runtime/src/data/readWrench.ts';
import { DataError } from '../../lf-runtime/src/data/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lfstudio-readers-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
function file(name: string, content: string | Uint8Array): string {
  const dir = join(scratch, `case${++counter}`);
  const path = join(dir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** The DataError `load` throws (failing the test if it throws anything else or nothing). */
async function dataError(load: () => unknown): Promise<DataError> {
  let caught: unknown = null;
  try {
    await load();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  return caught;
}

function includesAll(message: string, ...fragments: string[]): void {
  for (const f of fragments) assert.ok(message.includes(f), `"${message}" should mention "${f}"`);
}

/** A WRENCH split, one record per line, from [key, text] pairs. */
function wrench(records: [string, string][]): string {
  return `{\n${records.map(([k, t]) => `  ${JSON.stringify(k)}: {"label": 0, "data": {"text": ${JSON.stringify(t)}}}`).join(',\n')}\n}\n`;
}

describe('repeated keys in WRENCH JSON', () => {
  it('a repeated record id is an error naming the id and both lines, not one row fewer', async () => {
    const path = file('train.json', wrench([['0', 'a'], ['1', 'b'], ['2', 'c'], ['1', 'd']]));
    const err = await dataError(() => readDataset(path));
    assert.equal(err.file, path);
    assert.equal(err.location, '5:3');
    includesAll(err.message, path, 'record "1" appears twice', 'lines 3 and 5', 'only the last', '1 row would be dropped');
  });

  it('fifty copies of one id: every line counted, the first ten listed', async () => {
    const records: [string, string][] = [['x', 'first']];
    for (let i = 0; i < 50; i++) records.push(['7', `copy ${i}`]);
    const err = await dataError(() => parseWrenchDataset(wrench(records), 'many.json'));
    assert.equal(err.location, '4:3');
    includesAll(err.message, 'record "7" appears 50 times', 'lines 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 40 more', '49 rows would be dropped');
  });

  it('says how many other ids repeat too', async () => {
    const err = await dataError(() =>
      parseWrenchDataset(wrench([['a', '1'], ['b', '2'], ['a', '3'], ['b', '4'], ['c', '5'], ['c', '6']]), 'x.json'),
    );
    includesAll(err.message, 'record "a" appears twice', '2 more keys are repeated too');
  });

  it('two records on one line are told apart by column', async () => {
    const text = '{"1": {"data": {"text": "a"}}, "1": {"data": {"text": "b"}}}';
    const second = text.lastIndexOf('"1"') + 1;
    const err = await dataError(() => parseWrenchDataset(text, 'x.json'));
    assert.equal(err.location, `1:${second}`);
    includesAll(err.message, `line 1, column 2 and line 1, column ${second}`);
  });

  it('a field repeated inside a record is named with the record it is in', async () => {
    const text = '{\n  "0": {"label": 0, "data": {"text": "a"}},\n  "1": {"label": 1, "data": {"text": "b", "text": "c"}}\n}\n';
    const err = await dataError(() => parseWrenchDataset(text, 'x.json'));
    const line3 = text.split('\n')[2];
    assert.equal(err.location, `3:${line3.lastIndexOf('"text"') + 1}`);
    includesAll(err.message, 'the key "text" appears twice in the object at "1" > "data"');
  });

  it('keys that only look alike are not duplicates: escapes, quotes and colons inside strings', () => {
    const text = JSON.stringify({
      'a"b': { data: { text: 'x": "y', 'k\\': 1, k: 2 } },
      'a\\"b': { data: { text: '"text": 1, "text": 2' } },
      'a\\': { data: { text: 'ends in a backslash \\', note: ':' } },
    });
    const ds = parseWrenchDataset(text, 'x.json');
    assert.deepEqual(ds.rows.map((r) => r.id), ['a"b', 'a\\"b', 'a\\']);
    assert.deepEqual(ds.rows[0].fields, { text: 'x": "y', 'k\\': 1, k: 2 });
  });

  it('a class id repeated in label.json is named too', async () => {
    const dir = join(scratch, 'labels');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'label.json'), '{\n  "0": "HAM",\n  "1": "SPAM",\n  "1": "EGGS"\n}\n');
    const err = await dataError(() => readWrenchLabelNames(dir));
    includesAll(err.message, 'class id "1" appears twice', 'lines 3 and 4', 'class name would be dropped');
  });
});

describe('repeated keys in a JSON Lines row', () => {
  it('names the line, the key and the columns', async () => {
    const err = await dataError(() => parseJsonlDataset('{"text": "a"}\n\n{"text": "b", "n": 1, "text": "c"}\n', 'x.jsonl'));
    assert.equal(err.location, '3');
    includesAll(err.message, 'line 3 has the key "text" twice (columns 2, 23)');
  });

  it('rows with the same keys on different lines are fine', () => {
    const ds = parseJsonlDataset('{"text": "a", "k": "1"}\n{"text": "b", "k": "2"}\n', 'x.jsonl');
    assert.equal(ds.rows.length, 2);
  });
});

describe('files that are not UTF-8', () => {
  const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

  for (const [name, content] of [
    ['comments.csv', 'id,text\n1,plain\n2,Caf\u00e9 au lait\n3,na\u00efve\n'],
    ['comments.jsonl', '{"text": "plain"}\n{"text": "plain too"}\n{"text": "Caf\u00e9"}\n{"text": "na\u00efve"}\n'],
    ['comments.json', '{\n "0": {"data": {"text": "plain"}},\n "1": {"data": {"text": "Caf\u00e9"}},\n "2": {"data": {"text": "na\u00efve"}}\n}\n'],
  ] as const) {
    it(`a Latin-1 ${name.split('.')[1]} file names the first bad line and how to convert it`, async () => {
      const path = file(name, latin1(content));
      const err = await dataError(() => readDataset(path));
      const expectedLine = content.split('\n').findIndex((l) => l.includes('\u00e9')) + 1;
      const expectedColumn = content.split('\n')[expectedLine - 1].indexOf('\u00e9') + 1;
      assert.equal(err.location, `${expectedLine}:${expectedColumn}`);
      includesAll(
        err.message,
        path,
        `line ${expectedLine} is not valid UTF-8`,
        'byte 0xE9',
        '2 lines have such bytes',
        'Latin-1',
        `iconv -f cp1252 -t utf-8 "${name}"`,
      );
    });
  }

  it('the same text saved as UTF-8 reads, accents, emoji and a real U+FFFD included', async () => {
    const text = 'id,text\n1,Caf\u00e9 \ud83d\ude00\n2,replacement \ufffd kept\n';
    const ds = await readDataset(file('ok.csv', Buffer.from(text, 'utf8')));
    assert.deepEqual(ds.rows.map((r) => r.fields.text), ['Caf\u00e9 \ud83d\ude00', 'replacement \ufffd kept']);
  });

  it('a bad byte at the start of a line, and a truncated multi-byte character, are both found', async () => {
    const bytes = Buffer.concat([Buffer.from('text\nok\n'), Buffer.from([0xff]), Buffer.from('x\nend \xe2\x82', 'latin1')]);
    const err = await dataError(() => readDataset(file('start.csv', bytes)));
    assert.equal(err.location, '3:1');
    includesAll(err.message, 'byte 0xFF at the start of the line', '2 lines have such bytes');
  });

  it('a UTF-16 file is named as such', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('text\nhello\n', 'utf16le')]);
    const err = await dataError(() => readDataset(file('wide.csv', bytes)));
    includesAll(err.message, 'UTF-16', 'iconv -f utf-16 -t utf-8');
  });
});

describe('repeated row ids under an id field', () => {
  it('fifty CSV rows sharing an id: an error naming the id, the count and the lines', async () => {
    let csv = 'id,text\n';
    for (let i = 0; i < 50; i++) csv += `7,row ${i}\n`;
    const err = await dataError(() => parseCsvDataset(csv, 'x.csv', { idField: 'id' }));
    assert.equal(err.location, '3');
    includesAll(err.message, 'duplicate row id "7"', 'id field "id"', '50 rows use it', 'line 2, line 3, line 4', 'and 40 more', 'idField');
  });

  it('names the other repeated ids of a JSON Lines file', async () => {
    const lines = ['{"k": "a", "text": "1"}', '{"k": "b", "text": "2"}', '{"k": "a", "text": "3"}', '{"k": "b", "text": "4"}', '{"k": 5, "text": "5"}', '{"k": "5", "text": "6"}'];
    const err = await dataError(() => parseJsonlDataset(lines.join('\n'), 'x.jsonl', { idField: 'k' }));
    assert.equal(err.location, '3');
    includesAll(err.message, 'duplicate row id "a"', '2 rows use it (line 1 and line 3)', '2 other ids repeat too ("b", "5")');
  });

  it('WRENCH files honour the id field: ids come from each record\'s data and must be unique', async () => {
    const text = JSON.stringify({ r1: { data: { text: 'a', uid: 'u1' } }, r2: { data: { text: 'b', uid: 'u2' } }, r3: { data: { text: 'c', uid: 'u1' } } });
    const err = await dataError(() => parseWrenchDataset(text, 'x.json', { idField: 'uid' }));
    assert.equal(err.location, 'r3');
    includesAll(err.message, 'duplicate row id "u1"', 'record "r1" and record "r3"');
    const ok = parseWrenchDataset(JSON.stringify({ r1: { data: { text: 'a', uid: 'u1' } }, r2: { data: { text: 'b', uid: 'u2' } } }), 'x.json', { idField: 'uid' });
    assert.deepEqual(ok.rows.map((r) => r.id), ['u1', 'u2']);
  });

  it('integer ids beyond 2^53 (tweet ids) keep every digit in JSON, and are refused where the digits are lost', async () => {
    // JSON.parse rounds both to 1234567890123456800: the ids would not join back to the file, and would collide.
    const lines = ['{"id": 1234567890123456789, "text": "a"}', '{"id": 1234567890123456788, "text": "b", "meta": {"id": 5}}', '{"id": -98765432109876543210, "text": "c"}', '{"id": 17, "text": "d"}'];
    const ds = parseJsonlDataset(lines.join('\n'), 'x.jsonl', { idField: 'id' });
    assert.deepEqual(
      ds.rows.map((r) => r.id),
      ['1234567890123456789', '1234567890123456788', '-98765432109876543210', '17'],
    );
    const float = await dataError(() => parseJsonlDataset('{"id": 1e22, "text": "a"}\n', 'x.jsonl', { idField: 'id' }));
    includesAll(float.message, ':1: id 1e+22 in field "id" is an integer too large to be read exactly', 'write the ids as strings');
    // A WRENCH file's too, int64 being read exactly (exactIntegers.ts); beyond it, refused.
    const text = '{"r1": {"data": {"text": "a", "uid": 1234567890123456789}}, "r2": {"data": {"text": "b", "uid": -1234567890123456788}}}';
    assert.deepEqual(
      parseWrenchDataset(text, 'x.json', { idField: 'uid' }).rows.map((r) => r.id),
      ['1234567890123456789', '-1234567890123456788'],
    );
    const beyond = '{"r1": {"data": {"text": "a", "uid": 12345678901234567888}}, "r2": {"data": {"text": "b", "uid": 5}}}';
    const err = await dataError(() => parseWrenchDataset(beyond, 'x.json', { idField: 'uid' }));
    assert.equal(err.location, 'r1');
    includesAll(err.message, 'too large to be read exactly', '("uid": "...")');
  });

  it('on the command line a repeated id names --id-field as the fix, not lfstudio.json', async () => {
    const err = await dataError(() => parseCsvDataset('id,text\n7,a\n7,b\n', 'x.csv', { idField: 'id', idFieldSetting: '--id-field' }));
    includesAll(err.message, 'duplicate row id "7"', 'or leave out --id-field to number rows by position');
    assert.ok(!err.message.includes('lfstudio.json'), err.message);
  });

  it('without an id field, row numbers are ids and repeated values are fine', () => {
    const ds = parseCsvDataset('id,text\n7,a\n7,b\n', 'x.csv');
    assert.deepEqual(ds.rows.map((r) => r.id), ['1', '2']);
  });
});

describe('JSON nested too deeply', () => {
  const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

  it('a WRENCH file nesting 50 000 levels gets an error naming the file, the depth and the line', async () => {
    const line3 = `  "1": {"data": {"text": "b", "x": ${nested(50_000)}}}`;
    const path = file('deep.json', `{\n  "0": {"data": {"text": "a"}},\n${line3}\n}\n`);
    const err = await dataError(() => readDataset(path));
    // Three levels are the record's own objects; the array that opens level MAX_JSON_DEPTH + 1 is the one named.
    assert.equal(err.location, `3:${line3.indexOf('[') + 1 + (MAX_JSON_DEPTH + 1 - 4)}`);
    includesAll(err.message, path, 'nests 50003 levels deep', `more than the ${MAX_JSON_DEPTH} levels`, 'at line 3');
    assert.ok(!err.message.includes('call stack'));
  });

  it('deep nesting that is also broken JSON still gets the nesting error, not a stack overflow', async () => {
    const err = await dataError(() => parseWrenchDataset(`{"0": ${'['.repeat(200_000)}`, 'broken.json'));
    includesAll(err.message, `more than the ${MAX_JSON_DEPTH} levels`);
    assert.equal(err.location, `1:${7 + MAX_JSON_DEPTH - 1}`);
  });

  it('in JSON Lines the line is named; the deepest allowed nesting still reads', async () => {
    const line = (depth: number) => `{"text": "t", "x": ${nested(depth - 1)}}`;
    const ok = parseJsonlDataset(`${line(MAX_JSON_DEPTH)}\n`, 'x.jsonl');
    assert.equal(ok.rows.length, 1);
    const err = await dataError(() => parseJsonlDataset(`{"text": "a"}\n{"text": "b"}\n${line(MAX_JSON_DEPTH + 1)}\n`, 'x.jsonl'));
    assert.equal(err.location, '3');
    includesAll(err.message, `nests ${MAX_JSON_DEPTH + 1} levels deep`, 'at line 3, column');
  });
});
