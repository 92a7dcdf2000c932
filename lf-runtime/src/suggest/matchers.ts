/**
 * The TypeScript twin of each rendered Python LF (renderPython.ts): the same test on the same row gives the
 * same vote, so the suggester can count votes without the sandbox. Where the Python raises (a missing field,
 * `.lower()` on a number, `None >= 3`), the sandbox counts an abstain, and so does the twin. The unit tests
 * run rendered files through the real sandbox and compare every vote.
 */
import type { Row } from '../data/types.ts';
import { countAsciiRange, pyCount, pyLen, pyLower, pyWordCount, PY_SPACE_CLASS, PY_WORD_CLASS } from './pythonText.ts';
import type { LfSpec, LfTest, TextMeasure, WordTest } from './types.ts';

const NOT_WORD_BEFORE = `(?<![${PY_WORD_CLASS}])`;
const NOT_WORD_AFTER = `(?![${PY_WORD_CLASS}])`;
/** Python's `\w` and `\W` as JavaScript character classes (u flag). */
const WORD_CHAR = `[${PY_WORD_CLASS}]`;
const NON_WORD_CHAR = `[^${PY_WORD_CLASS}]`;
/** Python's `^\W*(?:\w+\W+)?`: the start of the text, and at most one word. */
const OPENING = `^${NON_WORD_CHAR}*(?:${WORD_CHAR}+${NON_WORD_CHAR}+)?`;

/**
 * The JavaScript form (u flag) of the Python pattern a word test renders to; words are runs of `\w`
 * characters, which no regular-expression syntax uses, so they need no escaping.
 */
export function jsPattern(test: WordTest): string {
  switch (test.kind) {
    case 'phrase':
      return `${NOT_WORD_BEFORE}${test.words.join(`[${PY_SPACE_CLASS}]+`)}${NOT_WORD_AFTER}`;
    case 'prefix':
      return `${NOT_WORD_BEFORE}${test.prefix}`;
    case 'wordsInOrder':
      return `${NOT_WORD_BEFORE}${test.words[0]}${NOT_WORD_AFTER}[^]*${NOT_WORD_BEFORE}${test.words[1]}${NOT_WORD_AFTER}`;
    case 'startsWith':
      return `${OPENING}${test.words.join(`${NON_WORD_CHAR}+`)}${NOT_WORD_AFTER}`;
    case 'startsThen':
      return `${OPENING}${test.words.join(`${NON_WORD_CHAR}+`)}${NON_WORD_CHAR}+(?:${WORD_CHAR}+${NON_WORD_CHAR}+){0,${test.within - 1}}${test.then}${NOT_WORD_AFTER}`;
    case 'endsWith':
      return `${NOT_WORD_BEFORE}${test.words.join(`${NON_WORD_CHAR}+`)}${NON_WORD_CHAR}*$`;
    case 'substring':
      // Characters of unspaced scripts only, none special to a regular expression (pythonText.ts).
      return test.text;
  }
}

/** The measure as Python computes it on a string. */
export function measureText(text: string, measure: TextMeasure): number {
  switch (measure) {
    case 'chars':
      return pyLen(text);
    case 'words':
      return pyWordCount(text);
    case 'digits':
      return countAsciiRange(text, '0', '9');
    case 'uppercase':
      return countAsciiRange(text, 'A', 'Z');
    case 'exclamations':
      return pyCount(text, '!');
    case 'questions':
      return pyCount(text, '?');
  }
}

/** Python's comparison of a field value with a number: numbers and booleans compare, anything else raises. */
export function numericValue(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

const compare = (value: number, op: '>=' | '<=', threshold: number) => (op === '>=' ? value >= threshold : value <= threshold);

/** Whether the test holds on a row (false where the Python would raise). */
export function compileTest(test: LfTest): (row: Row) => boolean {
  switch (test.kind) {
    case 'phrase':
    case 'prefix':
    case 'wordsInOrder':
    case 'startsWith':
    case 'startsThen':
    case 'endsWith': {
      const re = new RegExp(jsPattern(test), 'u');
      const field = test.field;
      return (row) => {
        const v = row.fields[field];
        return typeof v === 'string' && re.test(pyLower(v));
      };
    }
    case 'substring': {
      const { field, text } = test;
      return (row) => {
        const v = row.fields[field];
        return typeof v === 'string' && pyLower(v).includes(text);
      };
    }
    case 'noneOf': {
      // The alternatives of one pattern, as Python reads `a|b|c`.
      const re = new RegExp(test.tests.map(jsPattern).join('|'), 'u');
      const within = test.within ? new RegExp(jsPattern(test.within), 'u') : null;
      const field = test.field;
      return (row) => {
        const v = row.fields[field];
        if (typeof v !== 'string') return false;
        const lower = pyLower(v);
        return (within === null || within.test(lower)) && !re.test(lower);
      };
    }
    case 'startsShort': {
      const re = new RegExp(jsPattern({ kind: 'startsWith', field: test.field, words: test.words }), 'u');
      const { field, maxWords } = test;
      return (row) => {
        const v = row.fields[field];
        return typeof v === 'string' && re.test(pyLower(v)) && pyWordCount(v) <= maxWords;
      };
    }
    case 'textMeasure': {
      const { field, measure, op, threshold } = test;
      return (row) => {
        const v = row.fields[field];
        return typeof v === 'string' && compare(measureText(v, measure), op, threshold);
      };
    }
    case 'number': {
      const { field, op, threshold } = test;
      return (row) => {
        const v = numericValue(row.fields[field]);
        return v !== null && compare(v, op, threshold);
      };
    }
  }
}

/** One vote column per LF (class id, or -1 to abstain), as the sandbox would return them. */
export function voteColumns(specs: readonly LfSpec[], rows: readonly Row[]): Int8Array[] {
  return specs.map((spec) => {
    const holds = compileTest(spec.test);
    const column = new Int8Array(rows.length);
    for (let i = 0; i < rows.length; i++) column[i] = holds(rows[i]) ? spec.label : -1;
    return column;
  });
}
