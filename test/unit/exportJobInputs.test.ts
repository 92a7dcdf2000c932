// How the exported job reads its input, against `lf-studio label` on the same file: CSV columns typed over the
// whole file (numbers, booleans, pandas' missing markers, spaces around numbers), ids from the id field, every
// .json shape pandas' to_json writes, several files through one glob, JSONL fields only some partitions hold,
// and null or missing JSON numbers as NaN, whatever the partitions.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { assertSameLabels, cli, labelThenJob, NO_NUMPY, numpyPython, readJsonl, readParts, runJob, type OutRow } from '../support/exportedJob.ts';

describe('the exported job, reading its input as lf-studio label does', () => {
  it('types CSV columns as the editor does (ints, floats, booleans, missing markers as NaN) over the whole file, whatever the partitions', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-types-'));
    const lfs = join(dir, 'typed_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        'import math\n\n@labeling_function()\ndef lf_int(x):\n    return 1 if type(x.n) is int and x.n >= 3 else 0 if math.isnan(x.n) else -1\n\n' +
        '@labeling_function()\ndef lf_number_type(x):\n    return 1 if type(x.f) is int else 0 if type(x.f) is float else -1\n\n' +
        '@labeling_function()\ndef lf_big(x):\n    return 1 if x.f == 100000000000000000000 else -1\n\n' +
        '@labeling_function()\ndef lf_bool(x):\n    return 1 if x.b is True else 0 if x.b is False else -1 if x.b != x.b else 1\n\n' +
        '@labeling_function()\ndef lf_mixed(x):\n    return 1 if type(x.m) is str and x.m == "7" else 0 if type(x.m) is str else -1\n\n' +
        '@labeling_function()\ndef lf_late(x):\n    return 1 if type(x.late) is int else 0 if type(x.late) is str else -1\n\n' +
        '@labeling_function()\ndef lf_overflow(x):\n    return 1 if type(x.g) is str else 0\n\n' +
        '@labeling_function()\ndef lf_string_missing(x):\n    return 1 if x.s != x.s else 0 if type(x.s) is str else -1\n',
    );
    // `mixed` turns to text only in its last row, and `late` holds a word in a later partition: the editor
    // types the whole file, so the job must too. As pd.read_csv: `n` has a missing value and `f` numbers with a
    // point, so both are floats on every row (3.0, 2.0, 1e20); `g` holds 1e400, too large for a double, so it
    // is strings.
    const rows = ['text,n,f,b,m,late,g,s', 'a,3,2.0,True,7,1,1e400,x', 'b,NA,2.5,false,8,2,1,', 'c,-0,1e20,,9,3,2,NA', 'd,+7,.5,TRUE,7,4,3,y', 'e,007,-1e-3,FALSE,x,word,4,'];
    const csv = join(dir, 'typed.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const { expected } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'A,B'], csv, ['--partition-rows', '2']);
    assert.deepEqual(
      expected.map((r) => r.votes),
      [
        [-1, 0, -1, 1, 1, 0, 1, 0],
        [0, 0, -1, 0, 0, 0, 1, 1],
        [-1, 0, 1, -1, 0, 0, 1, 1],
        [-1, 0, -1, 1, 1, 0, 1, 0],
        [-1, 0, -1, 0, 0, 0, 1, 1],
      ],
      'the editor reads the columns typed, a missing value as NaN (in a string column too)',
    );
  });

  it('reads CSV numbers with spaces around them, all of pandas missing markers and lines of spaces as the editor does', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-spaced-'));
    const lfs = join(dir, 'spaced_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef lf_high(x):\n    return 1 if x.n >= 4 else -1\n\n' +
        '@labeling_function()\ndef lf_ratio(x):\n    return 0 if x.r > 1 else -1\n\n' +
        '@labeling_function()\ndef lf_missing(x):\n    return 0 if x.m != x.m else 1\n',
    );
    const csv = join(dir, 'spaced.csv');
    writeFileSync(csv, 'text,n,r,m\na, 5, 0.5,#NA\n   \nb,1 ,1.5 ,-nan\nc,3,\t2,1.#IND\n \t\nd,4,2.5,#N/A N/A\ne,6,0.1,x\n');
    const { expected } = labelThenJob(dir, ['--lfs', lfs, '--labels', 'A,B'], csv, ['--partition-rows', '2']);
    assert.deepEqual(
      expected.map((r) => [r.id, ...r.votes]),
      [
        ['1', 1, -1, 0],
        ['2', -1, 0, 0],
        ['3', -1, 0, 0],
        ['4', 1, 0, 0],
        ['5', 1, -1, 1],
      ],
      'pd.read_csv: n and r are numbers, m is NaN but for "x", and the lines of spaces are no rows',
    );

    // A file of one column: a line of spaces is no row there either, but a quoted field of spaces is a value.
    const blankLfs = join(dir, 'blank_lfs.py');
    writeFileSync(blankLfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_blank(x):\n    return 1 if x.text.strip() == "" else 0\n');
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'text\na\n   \nb\n"  "\nc\n');
    const oneDir = join(dir, 'one');
    mkdirSync(oneDir);
    const { expected: oneExpected } = labelThenJob(oneDir, ['--lfs', blankLfs, '--labels', 'A,B'], one, ['--partition-rows', '2']);
    assert.deepEqual(
      oneExpected.map((r) => [r.id, ...r.votes]),
      [
        ['1', 0],
        ['2', 0],
        ['3', 1],
        ['4', 0],
      ],
      'pd.read_csv: a, b, "  ", c',
    );
  });

  it('takes ids from the id field as lf-studio label does: in WRENCH records, and JSONL integers beyond 2^53 digit for digit', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-ids-'));
    const lfs = join(dir, 'id_lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n');
    const wrenchFile = join(dir, 'rows.json');
    writeFileSync(wrenchFile, JSON.stringify({ 0: { label: 1, data: { text: 'a', uid: 'u-07' } }, 1: { label: 0, data: { text: 'b', uid: 'u-03' } } }));
    const jsonl = join(dir, 'tweets.jsonl');
    writeFileSync(jsonl, '{"uid": 1234567890123456789, "text": "a"}\n{"uid": 1234567890123456788, "text": "b"}\n{"uid": 5, "text": "ab"}\n');
    for (const [data, ids] of [
      [wrenchFile, ['u-07', 'u-03']],
      [jsonl, ['1234567890123456789', '1234567890123456788', '5']],
    ] as const) {
      const labelled = join(dir, 'labels.jsonl');
      const label = cli('label', '--lfs', lfs, '--data', data, '--id-field', 'uid', '--labels', 'A,B', '--out', labelled);
      assert.equal(label.status, 0, label.stderr);
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.id),
        ids,
      );
      const job = join(dir, `job-${ids.length}`);
      const exported = cli('export-job', '--lfs', lfs, '--data', data, '--id-field', 'uid', '--labels', 'A,B', '--out', job);
      assert.equal(exported.status, 0, exported.stderr);
      const out = join(dir, `out-${ids.length}`);
      const run = runJob(job, data, out, '--serial');
      assert.equal(run.status, 0, run.stderr);
      assertSameLabels(expected, readParts(out));
      // Ids written as floats that lost digits (9007199254740993.0 is 9007199254740992): refused, as label refuses them.
      if (data === jsonl) {
        const lossy = join(dir, 'lossy.jsonl');
        writeFileSync(lossy, '{"uid": 9007199254740993.0, "text": "b"}\n{"uid": 9007199254740992.0, "text": "z"}\n');
        assert.match(cli('label', '--lfs', lfs, '--data', lossy, '--id-field', 'uid', '--labels', 'A,B', '--out', join(dir, 'l.jsonl')).stderr, /too large to be read exactly/);
        const refused = runJob(job, lossy, join(dir, 'out-lossy'), '--serial');
        assert.equal(refused.status, 1, refused.stderr);
        assert.match(refused.stderr, /id .* in field "uid" is an integer too large to be read exactly/);
      }
    }
  });

  it('reads every .json shape pandas to_json writes with the ids and fields lf-studio label reads', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-shapes-'));
    const lfs = join(dir, 'shape_lfs.py');
    writeFileSync(
      lfs,
      'import math\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n\n' +
        '@labeling_function()\ndef lf_stars(x):\n    return -1 if math.isnan(x.stars) else (1 if x.stars > 3 else 0)\n',
    );
    const rows = [
      { text: 'a b', stars: 5, label: 1 },
      { text: 'b', stars: null, label: 0 },
      { text: 'ca', stars: 2, label: 1 },
      { text: 'd', stars: 1, label: 0 },
    ];
    const index = ['r7', 'r3', 'r9', 'r1'];
    const byColumn = (col: 'text' | 'stars' | 'label') => Object.fromEntries(rows.map((r, i) => [index[i], r[col]]));
    const shapes: Record<string, [unknown, string[]]> = {
      records: [rows, ['1', '2', '3', '4']],
      index: [Object.fromEntries(rows.map((r, i) => [index[i], r])), index],
      columns: [{ text: byColumn('text'), stars: byColumn('stars'), label: byColumn('label') }, index],
      split: [{ columns: ['text', 'stars', 'label'], index, data: rows.map((r) => [r.text, r.stars, r.label]) }, index],
      table: [{ schema: { fields: [], primaryKey: ['key'] }, data: rows.map((r, i) => ({ key: index[i], ...r })) }, index],
    };
    let job = '';
    for (const [shape, [content, ids]] of [...Object.entries(shapes), ['lines', [null, ['1', '2', '3', '4']]] as const]) {
      const data = join(dir, `${shape}.json`);
      writeFileSync(data, shape === 'lines' ? rows.map((r) => JSON.stringify(r)).join('\n') + '\n' : JSON.stringify(content));
      const labelled = join(dir, `${shape}-labels.jsonl`);
      const label = cli('label', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', labelled);
      assert.equal(label.status, 0, label.stderr);
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.id),
        ids,
        shape,
      );
      assert.deepEqual(
        expected.map((r) => r.votes),
        [
          [1, 1],
          [0, -1],
          [1, 0],
          [0, 0],
        ],
        shape,
      );
      if (!job) {
        job = join(dir, 'job');
        const exported = cli('export-job', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', job);
        assert.equal(exported.status, 0, exported.stderr);
      }
      const out = join(dir, `out-${shape}`);
      const run = runJob(job, data, out, '--serial', '--partition-rows', '3');
      assert.equal(run.status, 0, `${shape}: ${run.stderr}`);
      assertSameLabels(expected, readParts(out));
    }
    // A MultiIndex in split form (index entries are lists, null among them) and a single-row lines file: the
    // same ids in both readers.
    const odd: Record<string, unknown> = {
      'multi.json': { columns: ['text', 'stars', 'label'], index: [['x', 1], ['x', null], [null, 3], ['y', 4]], data: rows.map((r) => [r.text, r.stars, r.label]) },
      'one.json': null,
      // Python's json.dumps writes a float NaN as a bare NaN: a missing number in both readers.
      'nan.jsonl': rows.map((r) => JSON.stringify(r).replace('"stars":null', '"stars":NaN')).join('\n') + '\n',
    };
    for (const [name, content] of Object.entries(odd)) {
      const data = join(dir, name);
      writeFileSync(data, content === null ? JSON.stringify(rows[0]) + '\n' : typeof content === 'string' ? content : JSON.stringify(content));
      const labelled = join(dir, `${name}-labels.jsonl`);
      // The job's label model was fitted on records.json: so is this one.
      const label = cli('label', '--lfs', lfs, '--data', join(dir, 'records.json'), '--apply', data, '--labels', 'A,B', '--out', labelled);
      assert.equal(label.status, 0, label.stderr);
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.id),
        content === null ? ['1'] : typeof content === 'string' ? ['1', '2', '3', '4'] : ['x,1', 'x,', ',3', 'y,4'],
      );
      const run = runJob(job, data, join(dir, `out-${name}`), '--serial');
      assert.equal(run.status, 0, `${name}: ${run.stderr}`);
      assertSameLabels(expected, readParts(join(dir, `out-${name}`)));
    }
    // And pandas' default to_csv: the index as a column without a name, read as "Unnamed: 0" by both.
    const csv = join(dir, 'indexed.csv');
    writeFileSync(csv, ',text,stars,label,label\n' + rows.map((r, i) => `${i},${r.text},${r.stars ?? ''},${r.label},x`).join('\n') + '\n');
    const csvLabels = join(dir, 'csv-labels.jsonl');
    const csvLabel = cli('label', '--lfs', lfs, '--data', csv, '--labels', 'A,B', '--out', csvLabels);
    assert.equal(csvLabel.status, 0, csvLabel.stderr);
    const csvRun = runJob(job, csv, join(dir, 'out-csv'), '--serial');
    assert.equal(csvRun.status, 0, csvRun.stderr);
    assertSameLabels(readJsonl(readFileSync(csvLabels, 'utf8')), readParts(join(dir, 'out-csv')));
  });

  it('refuses JSON nested deeper than the editor reads with its message, in the parser or in a row, instead of a RecursionError', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-deep-'));
    const lfs = join(dir, 'lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef kw(x):\n    return 1 if "a" in x.text else -1\n');
    const train = join(dir, 'train.jsonl');
    writeFileSync(train, '{"text": "a", "meta": {"k": [1]}}\n{"text": "b", "meta": {"k": []}}\n');
    const job = join(dir, 'job');
    assert.equal(cli('export-job', '--lfs', lfs, '--data', train, '--out', job).status, 0);
    const nest = (depth: number) => `${'{"k": '.repeat(depth)}1${'}'.repeat(depth)}`;
    for (const [name, depth] of [['rows150.jsonl', 150], ['rows1500.jsonl', 1500]] as const) {
      const input = join(dir, name);
      writeFileSync(input, `{"text": "a", "meta": {"k": 1}}\n{"text": "b", "meta": ${nest(depth)}}\n`);
      const r = runJob(job, input, join(dir, `out-${depth}`), '--serial');
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /nests more than 100 levels deep, more than LF Studio reads; flatten the nested field/, r.stderr);
      assert.doesNotMatch(r.stderr, /RecursionError|Traceback/);
    }
  });

  it('names each row\'s input file when a glob takes several, whose row numbers start again in each', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-glob-'));
    const lfs = join(dir, 'glob_lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n');
    mkdirSync(join(dir, 'parts'));
    const a = join(dir, 'parts', 'a.csv');
    const b = join(dir, 'parts', 'b.csv');
    writeFileSync(a, 'text\nan apple\nbee\ncat\n');
    writeFileSync(b, 'text\nbanana\nplum\n');
    const job = join(dir, 'job');
    const exported = cli('export-job', '--lfs', lfs, '--data', a, '--labels', 'A,B', '--out', job);
    assert.equal(exported.status, 0, exported.stderr);
    const expected: OutRow[] = [];
    for (const f of [a, b]) {
      const out = join(dir, `${f.endsWith('a.csv') ? 'a' : 'b'}-labels.jsonl`);
      const label = cli('label', '--lfs', lfs, '--data', a, '--apply', f, '--labels', 'A,B', '--out', out);
      assert.equal(label.status, 0, label.stderr);
      expected.push(...readJsonl(readFileSync(out, 'utf8')));
    }
    const out = join(dir, 'out');
    const run = runJob(job, join(dir, 'parts', '*.csv'), out, '--serial', '--partition-rows', '2');
    assert.equal(run.status, 0, run.stderr);
    const got = readParts(out) as (OutRow & { file?: string })[];
    assertSameLabels(expected, got);
    assert.deepEqual(
      got.map((r) => [r.file, r.id]),
      [[a, '1'], [a, '2'], [a, '3'], [b, '1'], [b, '2']],
    );
    const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8'));
    assert.deepEqual(summary.partInputs, { 'part-00000.jsonl': a, 'part-00001.jsonl': a, 'part-00002.jsonl': b });
    // One input file: rows as lf-studio label writes them, without the field.
    const single = join(dir, 'single');
    assert.equal(runJob(job, a, single, '--serial').status, 0);
    assert.ok(readParts(single).every((r) => !('file' in r)));
  });

  it('names the file, line and column of bytes that are not UTF-8, and how to convert it, as lf-studio does', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-utf8-'));
    const lfs = join(dir, 'lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n');
    mkdirSync(join(dir, 'parts'));
    const good = join(dir, 'parts', 'a.csv');
    writeFileSync(good, 'text\nan apple\n');
    const bad = join(dir, 'parts', 'b.csv');
    writeFileSync(bad, Buffer.concat([Buffer.from('text\nfine\ncaf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]));
    const wide = join(dir, 'parts', 'c.jsonl');
    writeFileSync(wide, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"text": "a"}\n', 'utf16le')]));
    const job = join(dir, 'job');
    assert.equal(cli('export-job', '--lfs', lfs, '--data', good, '--labels', 'A,B', '--out', job).status, 0);
    const run = runJob(job, join(dir, 'parts', '*.csv'), join(dir, 'out'), '--serial');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /b\.csv:3:4: line 3 is not valid UTF-8: byte 0xE9 after "caf", column 4\. The file is probably Windows-1252 .*iconv -f cp1252 -t utf-8 "b\.csv"/);
    assert.doesNotMatch(run.stderr, /codec can't decode|Traceback/);
    const utf16 = runJob(job, wide, join(dir, 'out16'), '--serial');
    assert.match(utf16.stderr, /c\.jsonl: the file is UTF-16 encoded, not UTF-8; re-save it as UTF-8/, utf16.stderr);
    // The editor's message for the same file says the same.
    const label = cli('label', '--lfs', lfs, '--data', bad, '--labels', 'A,B', '--out', join(dir, 'l.jsonl'));
    assert.match(label.stderr, /b\.csv:3:4: line 3 is not valid UTF-8: byte 0xE9 after "caf", column 4\./);
  });

  it('says how to decompress a .csv.gz input, or convert an Excel one with pandas, as lf-studio does', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-gz-'));
    const lfs = join(dir, 'lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else 0\n');
    const good = join(dir, 'a.csv');
    writeFileSync(good, 'text\nan apple\n');
    const job = join(dir, 'job');
    assert.equal(cli('export-job', '--lfs', lfs, '--data', good, '--labels', 'A,B', '--out', job).status, 0);
    const gz = join(dir, 'big.csv.gz');
    writeFileSync(gz, gzipSync('text\nan apple\n'));
    const run = runJob(job, gz, join(dir, 'out'), '--serial');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /big\.csv\.gz: unsupported file type; .*: decompress it first \(gunzip -k \S*big\.csv\.gz\) and give \S*big\.csv$/m);
    writeFileSync(join(dir, 'sheet.xlsx'), 'PK');
    const xlsx = runJob(job, join(dir, 'sheet.xlsx'), join(dir, 'out2'), '--serial');
    assert.match(xlsx.stderr, /sheet\.xlsx: unsupported file type; .*: convert it with pandas \(python3 -c '.*pd\.read_excel\(.*\) and give \S*sheet\.jsonl$/m);
    const label = cli('label', '--lfs', lfs, '--data', gz, '--labels', 'A,B', '--out', join(dir, 'l.jsonl'));
    assert.match(label.stderr, /decompress it first \(gunzip -k \S*big\.csv\.gz\)/);
  });

  it('gives every row every field of the input, as the editor does, when a JSONL field is only in some partitions', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-fields-'));
    const lfs = join(dir, 'field_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef lf_unverified(x):\n    return 0 if x.verified is None else -1\n\n' +
        '@labeling_function()\ndef lf_verified(x):\n    return 1 if x.verified else -1\n\n' +
        '@labeling_function()\ndef lf_note(x):\n    return 1 if x["note"] == "vip" else -1\n',
    );
    // `verified` appears only in the last rows, `note` only in the second: with two rows per partition, most
    // partitions hold neither, yet the editor gives every row both (None where a row has none).
    const rows = [
      { text: 'a' },
      { text: 'b', note: 'vip' },
      { text: 'c' },
      { text: 'd' },
      { text: 'e', verified: true },
      { text: 'f', verified: false },
    ];
    const data = join(dir, 'rows.jsonl');
    writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', labelled);
    assert.equal(label.status, 0, label.stderr);
    const expected = readJsonl(readFileSync(labelled, 'utf8'));
    assert.deepEqual(
      expected.map((r) => r.votes),
      [[0, -1, -1], [0, -1, 1], [0, -1, -1], [0, -1, -1], [-1, 1, -1], [-1, -1, -1]],
    );
    const job = join(dir, 'job');
    assert.equal(cli('export-job', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', job).status, 0);
    const out = join(dir, 'out');
    const run = runJob(job, data, out, '--serial', '--partition-rows', '2');
    assert.equal(run.status, 0, run.stderr);
    assertSameLabels(expected, readParts(out));
    assert.match(run.stderr, /labelling 3 partition\(s\) again: their rows lack fields that other rows have \(note, verified\)/);
    const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8')) as { lfs: { errors: number }[] };
    assert.deepEqual(
      summary.lfs.map((l) => l.errors),
      [0, 0, 0],
      'no LF raised for a field its partition lacked',
    );
  });

  it('gives NaN for a null or missing JSON number as lf-studio label does, deciding over the whole input whatever a partition holds', { skip: numpyPython ? false : NO_NUMPY, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-job-nan-'));
    const lfs = join(dir, 'nan_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef lf_price(x):\n    return 1 if x.price > 100 else -1\n\n' +
        '@labeling_function()\ndef lf_weight(x):\n    return 0 if x.w is None else 1 if x.w != x.w else -1\n\n' +
        '@labeling_function()\ndef lf_rating(x):\n    return 1 if x.rating != x.rating else 0 if x.rating is None else -1\n\n' +
        '@labeling_function()\ndef lf_flag(x):\n    return 0 if x.flag is None else 1 if x.flag else -1\n',
    );
    // Two rows per partition: `price` is null or missing in the first partition only (NaN: numbers elsewhere);
    // `w` is null throughout the first partition, numbers in the second and a word in the third (None: not a
    // field of numbers over the whole input); `rating` is in no row of the second partition (NaN there);
    // `flag` holds booleans (None where null or missing).
    const records = [
      { text: 'a', price: null, w: null, flag: true },
      { text: 'b', w: null, rating: 3 },
      { text: 'c', price: 150, w: 5 },
      { text: 'd', price: 50, w: 1, flag: null },
      { text: 'e', price: 200, w: 'heavy', rating: null },
      { text: 'f', price: 120 },
    ];
    const jsonl = join(dir, 'rows.jsonl');
    writeFileSync(jsonl, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const wrenchFile = join(dir, 'rows.json');
    writeFileSync(wrenchFile, JSON.stringify(Object.fromEntries(records.map((data, i) => [String(i), { label: i % 2, data }]))));
    for (const data of [jsonl, wrenchFile]) {
      const labelled = join(dir, 'labels.jsonl');
      const label = cli('label', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', labelled);
      assert.equal(label.status, 0, label.stderr);
      assert.doesNotMatch(label.stderr, /failed on/, 'no LF raises on a missing number');
      const expected = readJsonl(readFileSync(labelled, 'utf8'));
      assert.deepEqual(
        expected.map((r) => r.votes),
        [
          [-1, 0, 1, 1],
          [-1, 0, -1, 0],
          [1, -1, 1, 0],
          [-1, -1, 1, 0],
          [1, -1, 1, 0],
          [1, 0, 1, 0],
        ],
        data,
      );
      const job = join(dir, `job-${data.endsWith('.json') ? 'wrench' : 'jsonl'}`);
      assert.equal(cli('export-job', '--lfs', lfs, '--data', data, '--labels', 'A,B', '--out', job).status, 0);
      for (const partitionRows of ['2', '6']) {
        const out = join(dir, `out-${partitionRows}-${data.endsWith('.json') ? 'wrench' : 'jsonl'}`);
        const run = runJob(job, data, out, '--serial', '--partition-rows', partitionRows);
        assert.equal(run.status, 0, run.stderr);
        assertSameLabels(expected, readParts(out));
        const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8')) as { lfs: { errors: number }[] };
        assert.deepEqual(
          summary.lfs.map((l) => l.errors),
          [0, 0, 0, 0],
        );
        if (partitionRows === '2') {
          assert.match(run.stderr, /labelling 2 partition\(s\) again: their rows lack fields that other rows have \(flag, rating\)/);
          assert.match(run.stderr, /labelling 1 partition\(s\) again: the editor reads a null or missing value as NaN only in a field that holds numbers throughout the input.*\(w\)/);
        } else assert.doesNotMatch(run.stderr, /again/);
      }
    }
  });
});
