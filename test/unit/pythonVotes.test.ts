// lf_votes.py, the reading of what an LF returns that the editor's runtimes and the exported job share: ints of
// other types (NumPy's) are labels, bools are not and are explained, NumPy 2's bool (its type named "bool")
// included.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pythonWith } from '../support/exportedJob.ts';

const dir = join(import.meta.dirname, '..', '..', 'lf-runtime', 'src', 'sandbox', 'python');
const python = pythonWith(['json']);

describe('lf_votes: what an LF returns', { skip: python ? false : 'no python3' }, () => {
  it('takes ints of other types and whole floats as labels and explains bools, NumPy 2 bools included', () => {
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(dir)})`,
      'import lf_votes as v',
      '# A NumPy 2 bool: its type is numpy.bool (NumPy 1 named it bool_).',
      'FakeBool = type("bool", (), {"__module__": "numpy", "__bool__": lambda self: True})',
      'class Index:',
      '    def __index__(self): return 3',
      'out = {',
      '  "bools": [v.is_bool(True), v.is_bool(FakeBool()), v.is_bool(1), v.is_bool(type("bool", (), {})())],',
      '  "labels": [v.integer_label(Index()), v.integer_label(True), v.integer_label(FakeBool()), v.integer_label(2.0), v.integer_label(-1.0), v.integer_label(2.5), v.integer_label(float("nan")), v.integer_label(float("inf"))],',
      '  "messages": [v.invalid_return(FakeBool(), 2), v.invalid_return("SPAM", 2)],',
      '}',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync(python!, ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { bools: boolean[]; labels: (number | boolean)[]; messages: string[] };
    assert.deepEqual(out.bools, [true, true, false, false]);
    // A whole float is the int Snorkel's int matrix would hold; no other float is.
    assert.deepEqual(out.labels, [3, false, false, 2, -1, false, false, false]);
    assert.match(out.messages[0]!, /^returned True \(a bool\): Snorkel would store it as class 1, so False would vote class 0/);
    assert.equal(out.messages[1], "returned 'SPAM' (str); return an int label in 0..1, -1 (ABSTAIN) or None");
  });
});
