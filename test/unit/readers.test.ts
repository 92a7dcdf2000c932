// Data readers: real WRENCH and CSV fixtures load with the right shapes, and every kind of bad input is
// rejected with a DataError naming the file, the line or record, and the problem.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCsv } from '../../lf-runtime/src/data/csvParser.ts';
import { findJsonSyntaxError } from '../../lf-runtime/src/data/jsonSyntax.ts';
import { parseCsvDataset } from '../../lf-runtime/src/data/readCsv.ts';
import { readDataset, readWrenchSplit, unsupportedTypeMessage } from '../../lf-runtime/src/data/readDataset.ts';
import { parseJsonlDataset } from '../../lf-runtime/src/data/readJsonl.ts';
import { parseWrenchDataset, readWrenchLabelNames } from '../../lf-runtime/src/data/readWrench.ts';
import { DataError } from '../../lf-runtime/src/data/types.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const malformed = (name: string): string => join(fixtures, 'malformed', name);
const youtube = join(fixtures, 'wrench', 'youtube');

/** Runs `load` and checks it fails with a DataError at `location` whose message contains every fragment. */
async function rejects(load: () => Promise<unknown> | unknown, location: string | null, ...fragments: string[]): Promise<DataError> {
  let caught: unknown = null;
  try {
    await load();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${String(caught)}`);
  assert.equal(caught.location, location, caught.message);
  for (const f of fragments) assert.ok(caught.message.includes(f), `"${caught.message}" should mention "${f}"`);
  return caught;
}

describe('WRENCH JSON', () => {
  it('reads youtube train: ids are keys, fields are the data object, gold and weak labels kept apart', async () => {
    const ds = await readDataset(join(youtube, 'train.json'));
    const raw = JSON.parse(readFileSync(join(youtube, 'train.json'), 'utf8')) as Record<string, { label: number; weak_labels: number[]; data: { text: string } }>;
    const keys = Object.keys(raw);
    assert.equal(ds.rows.length, keys.length);
    assert.equal(ds.rows.length, 1686);
    assert.equal(ds.rows[5].id, keys[5]);
    assert.deepEqual(ds.rows[5].fields, raw[keys[5]].data);
    assert.ok(!('label' in ds.rows[5].fields), 'gold must not be visible in fields');
    assert.ok(ds.gold);
    assert.equal(ds.gold[5], raw[keys[5]].label);
    assert.ok(ds.weakLabels);
    assert.equal(ds.weakLabels.m, 10);
    assert.equal(ds.weakLabels.data.length, 1686 * 10);
    const last = keys.length - 1;
    assert.deepEqual(Array.from(ds.weakLabels.data.subarray(last * 10, last * 10 + 10)), raw[keys[last]].weak_labels);
  });

  it('reads label names in class-id order', async () => {
    assert.deepEqual(await readWrenchLabelNames(youtube), ['HAM', 'SPAM']);
    assert.deepEqual((await readWrenchLabelNames(join(fixtures, 'wrench', 'trec'))).length, 6);
  });

  it('readWrenchSplit reads sms valid with 73 LF columns', async () => {
    const ds = await readWrenchSplit(join(fixtures, 'wrench', 'sms', 'valid.json'));
    assert.equal(ds.rows.length, 500);
    assert.equal(ds.weakLabels?.m, 73);
  });

  it('names the record missing its data object', async () => {
    await rejects(() => readDataset(malformed('wrench-missing-data.json')), '7', 'record "7"', 'no "data" object');
  });

  it('names the record missing the text field and lists the fields it has', async () => {
    await rejects(() => readDataset(malformed('wrench-missing-text.json')), '1', 'record "1"', '"text"', '"body"', 'textField');
  });

  it('rejects weak_labels rows of different lengths', async () => {
    await rejects(() => readDataset(malformed('wrench-ragged-weak-labels.json')), '1', 'record "1" has 1 weak labels', 'record "0" has 2');
  });

  it('gives line and column of a JSON syntax error', async () => {
    await rejects(() => readDataset(malformed('wrench-syntax-error.json')), '3:43', 'invalid JSON', 'trailing comma');
  });

  it('refuses a JSON array with a hint to use .jsonl', async () => {
    await rejects(() => parseWrenchDataset('[{"text": "a"}]', 'inline.json'), null, 'WRENCH', '.jsonl');
  });
});

describe('CSV', () => {
  it('reads the raw YouTube CSVs, with CLASS as gold and a comment spanning lines', async () => {
    const opts = { textField: 'CONTENT', labelField: 'CLASS' };
    let total = 0;
    let spam = 0;
    for (const name of ['Youtube01-Psy', 'Youtube02-KatyPerry', 'Youtube03-LMFAO', 'Youtube04-Eminem', 'Youtube05-Shakira']) {
      const ds = await readDataset(join(fixtures, 'youtube_raw', `${name}.csv`), opts);
      total += ds.rows.length;
      spam += ds.gold?.filter((g) => g === 1).length ?? 0;
      assert.deepEqual(Object.keys(ds.rows[0].fields), ['COMMENT_ID', 'AUTHOR', 'DATE', 'CONTENT']);
      assert.equal(ds.rows[0].id, '1');
    }
    // DATA.md: 1956 rows, 1005 spam.
    assert.equal(total, 1956);
    assert.equal(spam, 1005);
    const eminem = await readDataset(join(fixtures, 'youtube_raw', 'Youtube04-Eminem.csv'), opts);
    assert.equal(eminem.rows.length, 448);
    assert.ok(eminem.rows.some((r) => String(r.fields.CONTENT).includes('\n')), 'a quoted comment keeps its line break');
  });

  it('reports duplicate ids in real data, naming both lines', async () => {
    const opts = { textField: 'CONTENT', labelField: 'CLASS', idField: 'COMMENT_ID' };
    await rejects(
      () => readDataset(join(fixtures, 'youtube_raw', 'Youtube04-Eminem.csv'), opts),
      '290',
      'duplicate row id "LneaDw26bFvPh9xBHNw1btQoyP60ay_WWthtvXCx37s"',
      'line 289',
    );
    const psy = await readDataset(join(fixtures, 'youtube_raw', 'Youtube01-Psy.csv'), opts);
    assert.equal(psy.rows[0].id, 'LZQPQhLyRh80UYxNuaDWhIGQYNQ96IuCg-AYWqNPjpU');
  });

  it('strips the BOM and handles CRLF, commas, doubled quotes and line breaks inside quotes', async () => {
    const ds = await readDataset(malformed('bom-crlf-quoted.csv'), { idField: 'id' });
    assert.deepEqual(
      ds.rows.map((r) => r.fields.text),
      ['comma, inside', 'doubled "quotes"', 'line one\r\nline two', 'plain'],
    );
    assert.deepEqual(Object.keys(ds.rows[0].fields), ['id', 'text']);
    assert.deepEqual(ds.rows.map((r) => r.id), ['1', '2', '3', '4']);
    assert.deepEqual(ds.gold, [1, 0, null, 1]);
  });

  it('records the physical line each record starts on', () => {
    const records = parseCsv('a,b\n"x\ny",1\n\nz,2\r\nw,"3"');
    assert.deepEqual(records.map((r) => r.line), [1, 2, 5, 6]);
    assert.deepEqual(records[1].fields, ['x\ny', '1']);
    assert.deepEqual(parseCsv('a,b,\n').map((r) => r.fields), [['a', 'b', '']]);
    // Old Mac line ends (lone CR), including inside a quoted field.
    assert.deepEqual(parseCsv('a\r"x\ry"\rb').map((r) => [r.line, r.fields[0]]), [[1, 'a'], [2, 'x\ry'], [4, 'b']]);
    assert.deepEqual(parseCsv('h\r\n"p\r\nq\nr"\r\ns').map((r) => r.line), [1, 2, 5]);
  });

  it('reports an unterminated quote at the line where the record starts', async () => {
    await rejects(() => readDataset(malformed('unterminated-quote.csv')), '3', 'unterminated quoted field');
  });

  it('reports text after a closing quote', () => {
    assert.throws(() => parseCsvDataset('text\n"a"b\n', 'x.csv'), /x\.csv:2: .*closing quote/);
  });

  it('reports a record with the wrong number of fields', async () => {
    await rejects(() => readDataset(malformed('wrong-field-count.csv')), '3', '4 fields', 'header has 3 columns');
  });

  it('reads a file without a "text" column (no LF may need one), and lists the columns when a named one is missing', async () => {
    const d = await readDataset(malformed('no-text-column.csv'));
    assert.ok(d.rows.length > 0 && d.rows.every((r) => !('text' in r.fields) && typeof r.fields.content === 'string'));
    await rejects(() => readDataset(malformed('no-text-column.csv'), { textField: 'body' }), '1', 'no "body" column', '"id", "content", "label"');
  });

  it('reports a gold label that is not an integer, with its line', async () => {
    await rejects(() => readDataset(malformed('label-not-int.csv')), '3', '"SPAM"', 'not an integer class id');
  });

  it('rejects empty and header-only files', async () => {
    await rejects(() => readDataset(malformed('empty.csv')), null, 'empty');
    await rejects(() => readDataset(malformed('header-only.csv')), null, 'no data rows');
  });

  it('names columns as pandas does: "Unnamed: i" without a name (df.to_csv\'s index), ".1", ".2" after a repeated name', () => {
    const header = ',text,text,,text.1,x,x,x';
    const ds = parseCsvDataset(`${header}\n0,a,b,,c,1,2,3\n`, 'x.csv');
    const expected = ['Unnamed: 0', 'text', 'text.2', 'Unnamed: 3', 'text.1', 'x', 'x.1', 'x.2'];
    assert.deepEqual(Object.keys(ds.rows[0].fields), expected);
    assert.equal(ds.rows[0].fields['text.2'], 'b');
    assert.ok(Number.isNaN(ds.rows[0].fields['Unnamed: 3']));
    const pandas = spawnSync('/usr/bin/python3', ['-c', 'import io, json, sys, pandas; print(json.dumps(list(pandas.read_csv(io.StringIO(sys.argv[1])).columns)))', `${header}\n0,a,b,,c,1,2,3\n`], { encoding: 'utf8' });
    if (pandas.status === 0) assert.deepEqual(JSON.parse(pandas.stdout), expected);
  });

  it('reads tab-separated (.tsv, or a .csv whose header has tabs) and semicolon-separated files', () => {
    const fields = (text: string, file: string) => parseCsvDataset(text, file, { idField: 'id' }).rows.map((r) => r.fields);
    // The id column typed as pandas types it (the row ids stay as written).
    const expected = [
      { id: 1, text: 'great, works', stars: 5 },
      { id: 2, text: 'broke; "twice"', stars: 1 },
    ];
    assert.deepEqual(fields('id\ttext\tstars\n1\tgreat, works\t5\n2\t"broke; ""twice"""\t1\n', 'reviews.tsv'), expected);
    assert.deepEqual(fields('id\ttext\tstars\n1\tgreat, works\t5\n2\t"broke; ""twice"""\t1\n', 'reviews.csv'), expected);
    assert.deepEqual(fields('id;text;stars\n1;"great, works";5\n2;"broke; ""twice""";1\n', 'reviews.csv'), expected);
    // A comma in the header decides: the semicolons of a comma-separated file are text.
    assert.deepEqual(
      parseCsvDataset('text,stars\nsee; this,2\n', 'x.csv').rows.map((r) => r.fields),
      [{ text: 'see; this', stars: 2 }],
    );
    assert.throws(() => parseCsvDataset('id;text\n1;a;b\n', 'x.csv'), /x\.csv:2: record has 3 fields .*quote fields that contain semicolons/);
    assert.throws(() => parseCsvDataset('text\tn\na\n', 'x.tsv'), /quote fields that contain tabs/);
  });

  it('skips blank lines and lines of only spaces as pandas does, numbering only the records read', () => {
    const csv = 'text,label\nhello,1\n\n   \n\t\nworld,0\n';
    const ds = parseCsvDataset(csv, 'x.csv');
    assert.deepEqual(ds.rows.map((r) => [r.id, r.fields.text]), [['1', 'hello'], ['2', 'world']]);
    assert.deepEqual(ds.gold, [1, 0]);
    const pandas = spawnSync('/usr/bin/python3', ['-c', 'import io, sys, pandas; print(list(pandas.read_csv(io.StringIO(sys.argv[1]))["text"]))', csv], { encoding: 'utf8' });
    assert.equal(pandas.stdout.trim(), "['hello', 'world']", pandas.stderr);
  });
});

describe('JSONL', () => {
  it('reads objects, skips blank lines, ids are line numbers, label removed from fields', () => {
    const ds = parseJsonlDataset('{"text":"a","label":1,"n":2}\r\n\n{"text":"b"}\n', 'x.jsonl');
    // A number the row lacks is NaN, as pandas gives it, which makes the field floats (readersTypes.test.ts).
    const floats = new Set(['n']);
    assert.deepEqual(ds.rows, [
      { id: '1', fields: { text: 'a', n: 2 }, floats },
      { id: '3', fields: { text: 'b', n: Number.NaN }, floats },
    ]);
    assert.deepEqual(ds.gold, [1, null]);
  });

  it('reads a bare NaN (Python json.dumps of a float NaN) as a missing number and a bare Infinity as an infinity, leaving strings alone', () => {
    const ds = parseJsonlDataset('{"text": "NaN here", "score": NaN, "label": 1}\n{"text": "b", "score": 2.5}\n', 'x.jsonl');
    assert.deepEqual(ds.rows, [
      { id: '1', fields: { text: 'NaN here', score: Number.NaN }, floats: new Set(['score']) },
      { id: '2', fields: { text: 'b', score: 2.5 }, floats: new Set(['score']) },
    ]);
    // json.dumps writes an infinity as a bare Infinity: an infinity, as pandas reads it; a word in a string stays.
    const inf = parseJsonlDataset('{"text": "Infinity and beyond", "score": Infinity}\n{"text": "b", "score": -Infinity}\n', 'x.jsonl');
    assert.deepEqual(
      inf.rows.map((r) => [r.fields.text, r.fields.score]),
      [
        ['Infinity and beyond', Infinity],
        ['b', -Infinity],
      ],
    );
    assert.throws(() => parseJsonlDataset('{"text": "a", "score": Inf}\n', 'x.jsonl'), /line 1 is not valid JSON/);
  });

  it('places an unclosed object on its own line, not on "line 1"', () => {
    let caught: unknown = null;
    try {
      parseJsonlDataset('{"text": "a"}\n{"text": "b"\n', 'x.jsonl');
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof DataError);
    assert.equal(caught.location, '2');
    assert.match(caught.message, /line 2 is not valid JSON at column \d+: expected '\}' to close the object opened at column 1,/);
    assert.doesNotMatch(caught.message, /line 1/);
  });

  it('gives the line and parser message for bad JSON', async () => {
    const err = await rejects(() => readDataset(malformed('bad-json-line.jsonl')), '3', 'line 3 is not valid JSON');
    assert.match(err.message, /Unexpected token/);
  });

  it('rejects a line that is not an object', async () => {
    await rejects(() => readDataset(malformed('array-line.jsonl')), '2', 'not a JSON object');
  });

  it('names the line missing the text field and the fields it has', async () => {
    await rejects(() => readDataset(malformed('missing-text.jsonl')), '2', 'line 2 has no "text" field', '"body"');
  });

  it('uses a custom text field and id field; a text that is neither a string nor null is an error', () => {
    const ds = parseJsonlDataset('{"body":"a","key":"k1"}\n{"body":"b","key":7}\n', 'x.jsonl', { textField: 'body', idField: 'key' });
    assert.deepEqual(ds.rows.map((r) => r.id), ['k1', '7']);
    assert.equal(ds.gold, null, 'a file without labels has gold null');
    assert.throws(() => parseJsonlDataset('{"text": 5}\n', 'x.jsonl'), /must be a string, found number 5; write "" \(or null\) where a row has no text, or leave such rows out \(or set/);
    assert.throws(() => parseJsonlDataset('{"text": "a"}\n{"text": {"t": 1}}\n', 'x.jsonl'), /x\.jsonl:2: field "text" must be a string, found an object; write "" \(or null\) where a row has no text, or leave such rows out$/);
  });
});

describe('file-level errors', () => {
  it('names a missing file', async () => {
    await rejects(() => readDataset(malformed('no-such-file.csv')), null, 'no-such-file.csv', 'file not found');
  });

  it('refuses an unknown extension, listing the supported ones', async () => {
    await rejects(() => readDataset(malformed('README.md')), null, 'unsupported file type ".md"', '.jsonl');
  });

  it('gives the line that converts a pickled, Parquet or Excel DataFrame with pandas, and the one that decompresses a .csv.gz; the line works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-convert-'));
    const pkl = join(dir, "my data's.pkl");
    const made = spawnSync('/usr/bin/python3', ['-c', 'import sys, pandas as pd; pd.DataFrame({"text": ["héllo", "b"], "label": [1, 0]}).to_pickle(sys.argv[1])', pkl], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const err = await readDataset(pkl).then(() => null, (e: unknown) => e as DataError);
    assert.ok(err instanceof DataError);
    const line = /\(python3 -c (.*)\) and point at (.*)$/.exec(err.message);
    assert.ok(line, err.message);
    const ran = spawnSync('bash', ['-c', `/usr/bin/python3 -c ${line[1]}`], { encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    const out = spawnSync('bash', ['-c', `printf %s ${line[2]}`], { encoding: 'utf8' }).stdout;
    const ds = await readDataset(out);
    assert.deepEqual(ds.rows.map((r) => r.fields.text), ['héllo', 'b']);
    assert.deepEqual(ds.gold, [1, 0]);
    assert.match(unsupportedTypeMessage('/d/x.parquet'), /pd\.read_parquet\("\/d\/x\.parquet"\)\.to_json\("\/d\/x\.jsonl"/);
    assert.match(unsupportedTypeMessage('/d/x.csv.gz'), /decompress it first \(gunzip -k \/d\/x\.csv\.gz\) and point at \/d\/x\.csv$/);
    assert.doesNotMatch(unsupportedTypeMessage('/d/x.tar.gz'), /decompress|convert/);
  });
});

describe('JSON syntax locator', () => {
  it('finds line and column of common mistakes', () => {
    assert.deepEqual(findJsonSyntaxError('{\n  "a": 1,\n}'), { line: 3, column: 1, message: "trailing comma before '}' is not allowed in JSON" });
    assert.equal(findJsonSyntaxError("{'a': 1}")?.column, 2);
    assert.equal(findJsonSyntaxError('{"a": [1, 2}')?.column, 12);
    assert.equal(findJsonSyntaxError('{"a": 1}'), null);
  });
});
