// Row queries behind the examples view, checked against answers worked out by hand on a 6-row table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classCoverage, conflictMatrix, confusionMatrix, conflictPartners, labelBuckets, matchingRows, orderRows, QueryError, seededShuffle, type RowTable } from '../../lf-runtime/src/examples/rowQueries.ts';
import { highlightSpans, lfBlock, lfMatchers, pythonRegexToJs, stringLiterals } from '../../lf-runtime/src/examples/highlight.ts';
import { goldWithUserLabels, parseGoldLabels } from '../../lf-runtime/src/examples/goldLabels.ts';

// Rows 0..5. LF a: 1 1 0 -1 -1 1; LF b: 1 0 -1 -1 0 -1; LF c (not in the model): -1 -1 1 -1 -1 0.
// Gold: 1 1 1 0 -1 0.
function table(probs: Float64Array | null = null): RowTable {
  return {
    split: 'sample',
    ids: ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'],
    lfNames: ['a', 'b', 'c'],
    columns: [Int8Array.from([1, 1, 0, -1, -1, 1]), Int8Array.from([1, 0, -1, -1, 0, -1]), Int8Array.from([-1, -1, 1, -1, -1, 0])],
    inModel: [true, true, false],
    gold: Int32Array.from([1, 1, 1, 0, -1, 0]),
    goldFromUser: new Uint8Array(6),
    k: 2,
    probs,
    errorRows: [[3], [], []],
    lowerTexts: ['check out my channel', 'nice song', 'check this', 'hello', 'subscribe', 'check'],
  };
}

describe('matchingRows', () => {
  it('finds the rows an LF votes on, abstains on, and votes a given class on', () => {
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', vote: 'fires' }), [0, 1, 2, 5]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', vote: 'abstains' }), [3, 4]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', vote: 0 }), [2]);
  });

  it('finds overlaps and conflicts among label-model LFs only', () => {
    // a overlaps b on rows 0 and 1; c is outside the model, so its vote on row 2 and 5 does not count.
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', overlaps: true }), [0, 1]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', conflicts: true }), [1]);
    // Without an LF: rows where two model LFs disagree.
    assert.deepEqual(matchingRows(table(), { split: 'sample', conflicts: true }), [1]);
    // A named pair may include an LF outside the model: a and c disagree on rows 2 and 5.
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', conflictsWith: 'c' }), [2, 5]);
  });

  it('gives label buckets: an LF right and wrong against gold', () => {
    // a votes on 0,1,2,5 with gold 1,1,1,0 and votes 1,1,0,1: right on 0,1; wrong on 2,5.
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', outcome: 'right' }), [0, 1]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', outcome: 'wrong' }), [2, 5]);
    assert.deepEqual(
      [...labelBuckets(table(), 'a').entries()].sort(),
      [['0,-1', 1], ['0,1', 1], ['1,0', 1], ['1,1', 2]],
    );
  });

  it('finds uncovered rows, rows without gold, rows that raised and text matches, combined', () => {
    // No model LF votes on row 3 (c abstains there too); row 4 has b.
    assert.deepEqual(matchingRows(table(), { split: 'sample', uncovered: true }), [3]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', gold: 'unlabeled' }), [4]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', gold: 0 }), [3, 5]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', lf: 'a', errors: true }), [3]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', search: 'check' }), [0, 2, 5]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', search: 'check', lf: 'a', vote: 1 }), [0, 5]);
  });

  it('compares the label model with gold and filters by its confidence', () => {
    const probs = Float64Array.from([0.1, 0.9, 0.4, 0.6, 0.7, 0.3, 0.5, 0.5, 0.2, 0.8, 0.45, 0.55]);
    // Predictions: 1 1 0 0(tie -> lower id) 1 1; gold 1 1 1 0 - 0: wrong on 2 and 5.
    assert.deepEqual(matchingRows(table(probs), { split: 'sample', outcome: 'wrong' }), [2, 5]);
    assert.deepEqual(matchingRows(table(probs), { split: 'sample', predicted: 0 }), [2, 3]);
    assert.deepEqual(matchingRows(table(probs), { split: 'sample', maxConfidence: 0.6 }), [3, 5]);
    assert.deepEqual(orderRows(table(probs), [0, 1, 3, 5], 'confidence', 0), [3, 5, 1, 0]);
    assert.throws(() => matchingRows(table(null), { split: 'sample', outcome: 'wrong' }), QueryError);
  });

  it('names an unknown LF in the error', () => {
    assert.throws(() => matchingRows(table(), { split: 'sample', lf: 'zzz' }), /no labeling function named 'zzz'/);
  });

  it('lists conflict partners, most rows first', () => {
    assert.deepEqual(conflictPartners(table(), 'a'), [{ name: 'b', rows: 1 }]);
  });
});

describe('dashboard figures', () => {
  it('counts LF x LF conflicts, per-class coverage of model LFs and the confusion against gold', () => {
    // a/b disagree on row 1; a/c on rows 2 and 5; b/c never both vote.
    assert.deepEqual(conflictMatrix(table()), [[0, 1, 2], [1, 0, 0], [2, 0, 0]]);
    // Model LFs a, b: class 1 on rows 0,1,5 (3/6); class 0 on rows 1,2,4 (3/6).
    assert.deepEqual(classCoverage(table()), [0.5, 0.5]);
    assert.deepEqual(matchingRows(table(), { split: 'sample', anyVote: 0 }), [1, 2, 4]);
    const probs = Float64Array.from([0.1, 0.9, 0.4, 0.6, 0.7, 0.3, 0.5, 0.5, 0.2, 0.8, 0.45, 0.55]);
    // Gold 1 1 1 0 - 0, predicted 1 1 0 0 1 1: [gold 0: pred 0 once, pred 1 once], [gold 1: pred 0 once, pred 1 twice].
    assert.deepEqual(confusionMatrix(table(probs)), [[1, 1], [1, 2]]);
    assert.equal(confusionMatrix(table(null)), null);
  });
});

describe('seededShuffle', () => {
  it('is a permutation, the same for the same seed and different for another', () => {
    const rows = Array.from({ length: 100 }, (_, i) => i);
    const a = seededShuffle(rows, 7);
    assert.deepEqual([...a].sort((x, y) => x - y), rows);
    assert.deepEqual(seededShuffle(rows, 7), a);
    assert.notDeepEqual(seededShuffle(rows, 8), a);
    assert.notDeepEqual(a, rows);
  });
});

describe('gold labels file', () => {
  it('lets the last line for a row win, takes labels back with null, and reports bad lines', () => {
    const text = [
      '{"split":"sample","id":"r1","label":1}',
      '{"split":"sample","id":"r2","label":0}',
      'not json',
      '{"split":"sample","id":"r1","label":0}',
      '{"split":"dev","id":"d1","label":5}',
      '{"split":"sample","id":"r2","label":null}',
      '',
    ].join('\n');
    const read = parseGoldLabels(text, 2);
    assert.deepEqual([...read.labels.sample], [['r1', 0]]);
    assert.equal(read.labels.dev.size, 0);
    assert.deepEqual(read.problems.map((p) => p.line), [3, 5]);
    assert.match(read.problems[1].message, /class id 0\.\.1/);
  });

  it('puts the user label over the data file label', () => {
    const data = { path: 'x', rows: [{ id: 'a', fields: {} }, { id: 'b', fields: {} }, { id: 'c', fields: {} }], gold: [0, null, 1] };
    const { gold, fromUser } = goldWithUserLabels(data, new Map([['c', 0], ['b', 1]]));
    assert.deepEqual([...gold], [0, 1, 0]);
    assert.deepEqual([...fromUser], [0, 1, 1]);
  });
});

describe('highlights', () => {
  const file = [
    'import re',
    'from snorkel.labeling import labeling_function',
    'KEYWORDS = ["check out", \'subscribe\']',
    '',
    '@labeling_function()',
    'def kw(x):',
    '    return 1 if any(k in x.text.lower() for k in KEYWORDS) else -1',
    '',
    '@labeling_function()',
    'def rx(x):',
    '    return 1 if re.search(r"my (channel|video)s?", x.text) else -1',
    '',
    '@labeling_function()',
    'def field(x):',
    '    return 1 if x["text"] and "song" in x.text else -1',
  ].join('\n');

  it('cuts one LF out of its file', () => {
    assert.equal(lfBlock(file, 9), file.split('\n').slice(8, 12).join('\n'));
  });

  it('reads string literals with prefixes, escapes and comments', () => {
    assert.deepEqual(stringLiterals(`a = r"\\d+" # "not this"\nb = 'it\\'s' + f"{x}" + """tri"ple"""`).map((l) => l.value), ['\\d+', "it's", 'tri"ple']);
  });

  it('highlights module-level keyword lists case-insensitively when the LF lowercases', () => {
    const m = lfMatchers(lfBlock(file, 5), file, ['text']);
    assert.deepEqual(highlightSpans('Please CHECK OUT and Subscribe', m), [[7, 16], [21, 30]]);
  });

  it('carries a Python regex over and skips field-name literals', () => {
    const m = lfMatchers(lfBlock(file, 9), file, ['text']);
    assert.deepEqual(highlightSpans('see my videos and my channel', m), [[4, 13], [18, 28]]);
    const f = lfMatchers(lfBlock(file, 13), file, ['text']);
    assert.deepEqual(f.map((x) => x.source), ['song']);
    assert.equal(pythonRegexToJs('(?P<a>x)(?P=a)', false)?.test('xx'), true);
    assert.equal(pythonRegexToJs('a*', false), null, 'a pattern matching the empty string highlights nothing');
  });
});
