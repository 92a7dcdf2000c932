// The exported job gives LFs the values lf-studio label gives them, as pandas would: a JSON field of numbers is
// floats when a row of the whole input has a fraction or no number there (pd.read_json's float64), ints
// otherwise, whichever rows a partition holds; and a null text is None, on which an LF calling .lower() fails
// on that row alone.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, labelThenJob, numpyPython, readJsonl, readParts, runJob } from '../support/exportedJob.ts';

describe('the exported job, row values as pandas gives them', { skip: numpyPython ? false : 'no python3 with NumPy' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lf-job-floats-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a JSON field floats over the whole input, whatever a partition holds, and reads a null text as None', { timeout: 300_000 }, () => {
    const lfs = join(dir, 'type_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        'def kind(v):\n    return 1 if type(v) is float else 0 if type(v) is int else -1\n\n' +
        ['a', 'b', 'c', 'w'].map((f) => `@labeling_function()\ndef lf_${f}(x):\n    return kind(x.${f})\n`).join('\n') +
        '\n@labeling_function()\ndef lf_lower(x):\n    return 1 if "x" in x.text.lower() else 0\n',
    );
    // Two rows per partition. `a` is whole everywhere (written 2.0): ints, as read_json gives them. `b` has a
    // fraction in the last partition only, `c` a null in the first only and a key missing in the second: floats
    // on every row. `w` is a word in the last partition: not a field of numbers, so its numbers stay as read.
    const records = [
      { text: 'x', a: 2.0, b: 1, c: null, w: 1 },
      { text: null, a: 3.0, b: 2, c: 1, w: 2.5 },
      { text: 'y', a: 4, b: 3, w: 3 },
      { text: 'x z', a: 5, b: 4, c: 2, w: 4 },
      { text: 'z', a: 6, b: 4.5, c: 3, w: 'heavy' },
      { text: 'x', a: 7, b: 5, c: 4, w: 5 },
    ];
    const jsonl = join(dir, 'rows.jsonl');
    writeFileSync(jsonl, records.map((r) => JSON.stringify(r).replace('"a":2,', '"a":2.0,').replace('"a":3,', '"a":3.0,')).join('\n') + '\n');
    const labelled = join(dir, 'labels.jsonl');
    const label = cli('label', '--lfs', lfs, '--data', jsonl, '--labels', 'A,B', '--out', labelled);
    assert.equal(label.status, 0, label.stderr);
    assert.match(label.stderr, /lf_lower failed on 1 rows.*'NoneType' object has no attribute 'lower'/);
    const expected = readJsonl(readFileSync(labelled, 'utf8'));
    assert.deepEqual(
      expected.map((r) => r.votes),
      [
        [0, 1, 1, 0, 1],
        [0, 1, 1, 1, -1],
        [0, 1, 1, 0, 0],
        [0, 1, 1, 0, 1],
        [0, 1, 1, -1, 0],
        [0, 1, 1, 0, 1],
      ],
    );
    const job = join(dir, 'job');
    assert.equal(cli('export-job', '--lfs', lfs, '--data', jsonl, '--labels', 'A,B', '--out', job).status, 0);
    for (const partitionRows of ['2', '6']) {
      const out = join(dir, `out-${partitionRows}`);
      const run = runJob(job, jsonl, out, '--serial', '--partition-rows', partitionRows);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(
        readParts(out).map((r) => r.votes),
        expected.map((r) => r.votes),
        `partitions of ${partitionRows} rows`,
      );
      const summary = JSON.parse(readFileSync(join(out, '_summary.json'), 'utf8')) as { lfs: { name: string; errors: number }[] };
      assert.deepEqual(
        summary.lfs.map((l) => l.errors),
        [0, 0, 0, 0, 1],
      );
      // The first partition alone would make `w` floats, the second and third `b` and `c` ints.
      if (partitionRows === '2') assert.match(run.stderr, /labelling 3 partition\(s\) again: the editor makes a field floats, as pandas does, when over the whole input it holds only numbers.*\(b, c, w\)/);
    }
  });

  it('gives integers beyond 2^53 exactly, as pandas does, as lf-studio label does: CSV and JSON, nested too', { timeout: 300_000 }, () => {
    // pandas 1.5.3: tid int64 (CSV and JSON), uid uint64, the nested list's int exact; a double would make
    // 1234567890123456789 into 1234567890123456768, and no LF below would vote.
    const lfs = join(dir, 'int_lfs.py');
    writeFileSync(
      lfs,
      'from snorkel.labeling import labeling_function\n\n' +
        '@labeling_function()\ndef lf_tid(x):\n    return 1 if x.tid == 1234567890123456789 else 0 if x.tid == 1234567890123456790 else -1\n\n' +
        '@labeling_function()\ndef lf_uid(x):\n    return 1 if x.uid == 12345678901234567891 else -1\n\n' +
        '@labeling_function()\ndef lf_nested(x):\n    m = getattr(x, "meta", None)\n    return 1 if m is not None and m["ids"][0] == 1234567890123456789 else -1\n',
    );
    writeFileSync(join(dir, 'ids.csv'), 'text,tid,uid\na,1234567890123456789,12345678901234567891\nb,1234567890123456790,5\n');
    writeFileSync(
      join(dir, 'ids.jsonl'),
      '{"text": "a", "tid": 1234567890123456789, "uid": 12345678901234567891, "meta": {"ids": [1234567890123456789]}}\n' +
        '{"text": "b", "tid": 1234567890123456790, "uid": 5, "meta": null}\n',
    );
    // uid is uint64 in a CSV (exact); in JSON only int64 is kept exactly, so there it is the nearest double.
    const votes = { 'ids.csv': [[1, 1, -1], [0, -1, -1]], 'ids.jsonl': [[1, -1, 1], [0, -1, -1]] };
    for (const [data, want] of Object.entries(votes)) {
      const { expected } = labelThenJob(mkdtempSync(join(dir, 'int-')), ['--lfs', lfs, '--labels', 'A,B'], join(dir, data));
      assert.deepEqual(
        expected.map((r) => r.votes),
        want,
        data,
      );
    }
  });

  it('reads infinities as pandas does, as lf-studio label does: CSV inf and -Infinity, JSON Infinity and 1e400', { timeout: 300_000 }, () => {
    const lfs = join(dir, 'inf_lfs.py');
    writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef lf_inf(x):\n    return -1 if abs(x.ctr) != float("inf") else 1 if x.ctr > 0 else 0\n');
    writeFileSync(join(dir, 'ctr.csv'), 'text,ctr\na,inf\nb,-Infinity\nc,2.5\nd,INF\n');
    writeFileSync(join(dir, 'ctr.jsonl'), '{"text": "a", "ctr": Infinity}\n{"text": "b", "ctr": -Infinity}\n{"text": "c", "ctr": 2}\n{"text": "d", "ctr": 1e400}\n');
    for (const data of ['ctr.csv', 'ctr.jsonl']) {
      const { expected } = labelThenJob(mkdtempSync(join(dir, 'inf-')), ['--lfs', lfs, '--labels', 'A,B'], join(dir, data));
      assert.deepEqual(
        expected.map((r) => r.votes[0]),
        [1, 0, -1, 1],
        data,
      );
    }
  });
});
