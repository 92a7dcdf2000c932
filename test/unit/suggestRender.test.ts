// Suggested LFs as Python: literals that read back as the exact text whatever it holds, identifiers made
// from class names and words, field access, and the rendered functions and file, character for character.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { baseName, conditionExpression, renderLfFile, renderLfs } from '../../lf-runtime/src/suggest/renderPython.ts';
import { classConstants, pyDocstring, pyFieldAccess, pyNumber, pyRegexLiteral, pyStringLiteral } from '../../lf-runtime/src/suggest/pythonSyntax.ts';
import { suggestionAsCandidate } from '../../lf-runtime/src/suggest/suggest.ts';
import type { LfSpec, SuggestedLf } from '../../lf-runtime/src/suggest/types.ts';

/** A python3 to read literals back with, if there is one. */
const python = ['/usr/bin/python3', 'python3'].find((exe) => spawnSync(exe, ['-c', 'pass']).status === 0) ?? null;

/** The values Python gives the literals, as JSON (lone surrogates escaped by json.dumps). */
function pythonValues(literals: string[]): unknown[] {
  const program = `import json\nprint(json.dumps([${literals.join(', ')}]))\n`;
  const r = spawnSync(python!, ['-c', program], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

const f = 'text';
const evidence = { precision: { correct: 14, votes: 15, precision: 14 / 15, lowerBound: 0.7912 }, coverage: { rows: 31, of: 1000 } };

describe('Python literals', () => {
  const tricky = ['plain', 'a"b', 'back\\slash', 'new\nline\r\t', 'bidi \u202e override', 'lone \ud800 surrogate', 'emoji 😀 é ß', 'nul \x00 del \x7f c1 \x85', 'sep \u2028 \u2029', 'bom \ufeff', '"""', 'ends with \\'];

  it('escapes quotes, backslashes, controls, bidi overrides and lone surrogates, keeping printable text as it is', () => {
    assert.equal(pyStringLiteral('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
    assert.equal(pyStringLiteral('\u202e\ud800\x00'), '"\\u202e\\ud800\\x00"');
    assert.equal(pyStringLiteral('😀 é'), '"😀 é"');
    assert.equal(pyStringLiteral('\u{e0001}'), '"\\U000e0001"', 'a format character outside the BMP');
    for (const s of tricky) assert.doesNotMatch(pyStringLiteral(s), /[\n\r\u2028\u2029\u202e\ufeff]/u);
  });

  it('reads back, in Python, as exactly the text', { skip: python ? false : 'no python3' }, () => {
    assert.deepEqual(pythonValues(tricky.map(pyStringLiteral)), tricky);
    assert.deepEqual(pythonValues(tricky.map(pyRegexLiteral)), tricky);
    assert.deepEqual(pythonValues(tricky.map(pyDocstring)), tricky);
  });

  it('writes regular expressions raw when that is safe', () => {
    assert.equal(pyRegexLiteral('\\bcheck\\s+out\\b'), 'r"\\bcheck\\s+out\\b"');
    assert.equal(pyRegexLiteral('say "hi"'), '"say \\"hi\\""', 'a quote: an ordinary literal');
    assert.equal(pyRegexLiteral('a\\'), '"a\\\\"', 'a trailing backslash cannot end a raw literal');
    assert.equal(pyRegexLiteral('a\\\\'), 'r"a\\\\"', 'two can');
    assert.equal(pyDocstring('two\nlines'), '"""two\nlines"""');
  });

  it('writes numbers Python reads as the same value', () => {
    assert.deepEqual([3, 0.1, 1e21, -2.5, 1.5e-7, -0].map(pyNumber), ['3', '0.1', '1e+21', '-2.5', '1.5e-7', '0']);
    assert.throws(() => pyNumber(Number.NaN), /no Python literal/);
  });
});

describe('Python names', () => {
  it('makes class constants from class names, never clashing with each other or ABSTAIN', () => {
    assert.deepEqual(classConstants(['ham', 'spam']), ['HAM', 'SPAM']);
    assert.deepEqual(classConstants(['not spam', 'Spam!', '5 stars', 'ABSTAIN', '', 'ham', 'HAM', 'Café']), [
      'NOT_SPAM',
      'SPAM',
      'CLASS_5_STARS',
      'ABSTAIN_3',
      'CLASS_4',
      'HAM',
      'HAM_6',
      'CAFE',
    ]);
  });

  it('reads a field as x.name where that is the field under the sandbox and pandas, else x["name"]', () => {
    assert.equal(pyFieldAccess('text'), 'x.text');
    assert.equal(pyFieldAccess('Text2'), 'x.Text2');
    assert.equal(pyFieldAccess('count'), 'x["count"]', 'a method of tuples and Series');
    assert.equal(pyFieldAccess('class'), 'x["class"]', 'a keyword');
    assert.equal(pyFieldAccess('my field'), 'x["my field"]');
    assert.equal(pyFieldAccess('_private'), 'x["_private"]');
  });

  it('names each LF for what it tests and the class it votes', () => {
    const constants = ['HAM', 'SPAM'];
    const cases: [LfSpec, string][] = [
      [{ test: { kind: 'phrase', field: f, words: ['check', 'out'] }, label: 1 }, 'keyword_check_out_spam'],
      [{ test: { kind: 'prefix', field: f, prefix: 'subscrib' }, label: 1 }, 'prefix_subscrib_spam'],
      [{ test: { kind: 'wordsInOrder', field: f, words: ['what', 'stand'] }, label: 0 }, 'words_what_then_stand_ham'],
      [{ test: { kind: 'textMeasure', field: f, measure: 'words', op: '<=', threshold: 4 }, label: 0 }, 'words_at_most_4_ham'],
      [{ test: { kind: 'textMeasure', field: f, measure: 'uppercase', op: '>=', threshold: 2.5 }, label: 1 }, 'capitals_at_least_2_5_spam'],
      [{ test: { kind: 'number', field: 'Star Rating', op: '>=', threshold: -1 }, label: 1 }, 'star_rating_at_least_minus_1_spam'],
      [{ test: { kind: 'noneOf', field: f, tests: [{ kind: 'phrase', field: f, words: ['free'] }] }, label: 0 }, 'no_spam_keyword_ham'],
      [{ test: { kind: 'phrase', field: f, words: ['café', 'ñandú'] }, label: 1 }, 'keyword_cafe_nandu_spam'],
      // Letters without an ASCII spelling are named by themselves, where Python reads the name back unchanged.
      [{ test: { kind: 'phrase', field: f, words: ['привет'] }, label: 1 }, 'keyword_привет_spam'],
      [{ test: { kind: 'substring', field: f, text: '微信' }, label: 1 }, 'contains_微信_spam'],
      // NFKC would make ｶ (half-width) カ: the name would not be the one Python reports.
      [{ test: { kind: 'substring', field: f, text: 'ｶﾀ' }, label: 1 }, 'contains_uff76_spam'],
      // A number that is no identifier character (Aegean one): its code point.
      [{ test: { kind: 'phrase', field: f, words: ['\u{10107}'] }, label: 1 }, 'keyword_u10107_spam'],
    ];
    for (const [spec, name] of cases) assert.equal(baseName(spec, constants), name);
    assert.equal(baseName(cases[6][0], ['DESC', 'HUM', 'LOC']), 'no_other_keyword_desc');
  });
});

describe('rendered LFs', () => {
  it('writes each test as the expression its TypeScript twin computes', () => {
    const cond = (spec: LfSpec['test']) => conditionExpression(spec);
    assert.equal(cond({ kind: 'phrase', field: f, words: ['check', 'out'] }), 're.search(r"\\bcheck\\s+out\\b", x.text.lower())');
    assert.equal(cond({ kind: 'prefix', field: f, prefix: 'subscrib' }), 're.search(r"\\bsubscrib", x.text.lower())');
    assert.equal(cond({ kind: 'wordsInOrder', field: f, words: ['what', 'stand'] }), 're.search(r"\\bwhat\\b.*\\bstand\\b", x.text.lower(), flags=re.S)');
    assert.equal(
      cond({ kind: 'noneOf', field: f, tests: [{ kind: 'prefix', field: f, prefix: 'http' }, { kind: 'phrase', field: f, words: ['my', 'channel'] }] }),
      'not re.search(r"\\bhttp|\\bmy\\s+channel\\b", x.text.lower(), flags=re.S)',
    );
    assert.equal(cond({ kind: 'textMeasure', field: f, measure: 'chars', op: '<=', threshold: 40 }), 'len(x.text) <= 40');
    assert.equal(cond({ kind: 'textMeasure', field: f, measure: 'words', op: '>=', threshold: 12 }), 'len(x.text.split()) >= 12');
    assert.equal(cond({ kind: 'textMeasure', field: f, measure: 'digits', op: '>=', threshold: 5 }), 'len(re.findall(r"[0-9]", x.text)) >= 5');
    assert.equal(cond({ kind: 'textMeasure', field: f, measure: 'exclamations', op: '>=', threshold: 2 }), 'x.text.count("!") >= 2');
    assert.equal(cond({ kind: 'number', field: 'count', op: '>=', threshold: 100 }), 'x["count"] is not None and x["count"] >= 100');
  });

  it('renders a function with its docstring, its own module and its support lines', () => {
    const [lf] = renderLfs([{ spec: { test: { kind: 'phrase', field: f, words: ['check', 'out'] }, label: 1 }, evidence }], { classes: ['HAM', 'SPAM'] });
    const functionCode = [
      '@labeling_function()',
      'def keyword_check_out_spam(x):',
      '    """Right on 14 of 15 labeled rows it votes SPAM on (precision at least 0.79); votes on 3.1% of the sample."""',
      '    return SPAM if re.search(r"\\bcheck\\s+out\\b", x.text.lower()) else ABSTAIN',
    ].join('\n');
    assert.equal(lf.functionCode, functionCode);
    assert.deepEqual(lf.support, ['import re', 'from snorkel.labeling import labeling_function', 'ABSTAIN = -1', 'SPAM = 1']);
    assert.equal(lf.code, `import re\nfrom snorkel.labeling import labeling_function\n\nABSTAIN = -1\nSPAM = 1\n\n\n${functionCode}\n`);
    assert.equal(lf.description, 'phrase "check out" -> SPAM');
  });

  it('gives every LF its own name, also apart from names already taken', () => {
    const spec: LfSpec = { test: { kind: 'phrase', field: f, words: ['free'] }, label: 1 };
    const names = renderLfs([{ spec, evidence }, { spec, evidence }], { classes: ['HAM', 'SPAM'], takenNames: ['keyword_free_spam'] }).map((r) => r.name);
    assert.deepEqual(names, ['keyword_free_spam_2', 'keyword_free_spam_3']);
  });

  it('writes a whole file: docstring, imports, every class constant, the functions', () => {
    const rendered = renderLfs([{ spec: { test: { kind: 'textMeasure', field: f, measure: 'words', op: '<=', threshold: 3 }, label: 0 }, evidence }], {
      classes: ['ham', 'spam'],
    });
    const file = renderLfFile(rendered, ['ham', 'spam'], 'Suggested.\n');
    assert.equal(
      file,
      '"""Suggested.\n"""\n\nfrom snorkel.labeling import labeling_function\n\nABSTAIN = -1\nHAM = 0\nSPAM = 1\n\n\n' +
        '@labeling_function()\ndef words_at_most_3_ham(x):\n' +
        '    """Right on 14 of 15 labeled rows it votes ham on (precision at least 0.79); votes on 3.1% of the sample."""\n' +
        '    return HAM if len(x.text.split()) <= 3 else ABSTAIN\n',
    );
  });

  it('escapes a class name in a docstring', () => {
    const [lf] = renderLfs([{ spec: { test: { kind: 'prefix', field: f, prefix: 'http' }, label: 1 }, evidence }], { classes: ['ok', 'say "spam"\\'] });
    assert.match(lf.functionCode, /^ {4}"Right on 14 of 15 labeled rows it votes say \\"spam\\"\\\\ on /m);
  });

  it('hands the editor a candidate shaped like the LLM ones', () => {
    const [r] = renderLfs([{ spec: { test: { kind: 'prefix', field: f, prefix: 'http' }, label: 1 }, evidence }], { classes: ['HAM', 'SPAM'] });
    const suggested = { name: r.name, code: r.code, functionCode: r.functionCode, support: r.support } as SuggestedLf;
    assert.deepEqual(suggestionAsCandidate(suggested), { name: 'prefix_http_spam', originalName: null, code: r.code, functionCode: r.functionCode, support: r.support, parseError: null });
  });
});
