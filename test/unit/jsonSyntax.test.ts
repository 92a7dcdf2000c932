// Strict JSON for data files (jsonSyntax.ts over jsonc-parser): syntax errors placed at a line and column
// with wording a user can act on, repeated keys found, nesting bounded without overflowing the stack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countPropertyNames,
  findDuplicateKeys,
  findJsonSyntaxError,
  JsonParseError,
  MAX_JSON_DEPTH,
  parseStrictJson,
  positionAt,
} from '../../lf-runtime/src/data/jsonSyntax.ts';

/** The JsonParseError `parse` throws. */
function parseError(text: string): JsonParseError {
  try {
    parseStrictJson(text);
  } catch (err) {
    assert.ok(err instanceof JsonParseError, `expected a JsonParseError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text.slice(0, 40))} to be refused`);
}

describe('JSON syntax errors with a place to fix', () => {
  it('names the line, column and the missing separator in objects and arrays', () => {
    assert.deepEqual(findJsonSyntaxError('{\n "a": 1\n "b": 2}'), { line: 3, column: 2, message: `expected ',' or '}' after a property value, found '"'` });
    assert.deepEqual(findJsonSyntaxError('[1, 2 3]'), { line: 1, column: 7, message: "expected ',' or ']' after an array element, found '3'" });
  });

  it('accepts nested valid JSON and rejects trailing commas', () => {
    assert.equal(findJsonSyntaxError('{"a": [1, 2], "b": {"c": 3}}'), null);
    assert.match(findJsonSyntaxError('[1, 2,]')?.message ?? '', /trailing comma before '\]'/);
    assert.match(findJsonSyntaxError('{"a": 1,}')?.message ?? '', /trailing comma before '\}'/);
  });

  it('comments are errors in data files, allowed only when asked', () => {
    const text = '{\n  // a note\n  "a": 1\n}';
    assert.deepEqual(findJsonSyntaxError(text), { line: 2, column: 3, message: 'comments are not allowed in JSON data files; remove the comment' });
    assert.equal(findJsonSyntaxError(text, { allowComments: true }), null);
    assert.equal(findJsonSyntaxError('[1,]', { allowTrailingComma: true }), null);
  });

  it('points at a raw control character itself, and at the unclosed string or container', () => {
    assert.deepEqual(findJsonSyntaxError('{"a": "x\ty"}'), {
      line: 1,
      column: 9,
      message: 'unescaped control character (e.g. a raw tab) inside a string; write it as \\t, \\n or \\u00XX',
    });
    assert.match(findJsonSyntaxError('{"a": "two\nlines"}')?.message ?? '', /cannot contain a raw line break/);
    assert.deepEqual(findJsonSyntaxError('{\n  "a": [1,\n  2\n'), {
      line: 4,
      column: 1,
      message: "expected ']' to close the array opened at line 2, column 8, found end of file",
    });
    assert.match(findJsonSyntaxError("{'a': 1}")?.message ?? '', /JSON strings need double quotes/);
    assert.match(findJsonSyntaxError('{"a": 1} x')?.message ?? '', /unexpected 'x' after the end of the JSON value/);
    assert.match(findJsonSyntaxError('')?.message ?? '', /the text is empty/);
    assert.match(findJsonSyntaxError('["\\x"]')?.message ?? '', /invalid escape/);
  });

  it('counts columns in UTF-16 units and lines after CRLF, as VS Code does', () => {
    assert.deepEqual(findJsonSyntaxError('{"\ud83d\ude00": 1,\r\n "b" 2}'), { line: 2, column: 6, message: "expected ':' after the property name, found '2'" });
    assert.deepEqual(positionAt('ab\r\ncd\ne', 7), { line: 3, column: 1 });
  });
});

describe('nesting', () => {
  it('stops at MAX_JSON_DEPTH instead of overflowing the stack, in valid and broken text', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const err = parseError(deep);
    assert.equal(err.location.kind, 'depth');
    assert.equal(err.location.column, MAX_JSON_DEPTH + 1);
    assert.match(err.message, /nests 100000 levels deep/);
    const broken = findJsonSyntaxError('['.repeat(100_000));
    assert.equal(broken?.column, MAX_JSON_DEPTH + 1);
  });

  it('MAX_JSON_DEPTH levels are fine, one more is not', () => {
    const nested = (n: number) => `${'{"a": '.repeat(n - 1)}{}${'}'.repeat(n - 1)}`;
    assert.doesNotThrow(() => parseStrictJson(nested(MAX_JSON_DEPTH)));
    assert.equal(parseError(nested(MAX_JSON_DEPTH + 1)).location.kind, 'depth');
  });
});

describe('repeated keys', () => {
  it('are found at any depth, with every line, in the order met', () => {
    const text = '{\n "a": 1,\n "b": {"x": 1, "x": 2},\n "a": 2,\n "a": 3\n}';
    assert.deepEqual(findDuplicateKeys(text), [
      { key: 'x', path: ['b'], lines: [3, 3], columns: [8, 16] },
      { key: 'a', path: [], lines: [2, 4, 5], columns: [2, 2, 2] },
    ]);
    const err = parseError(text);
    assert.equal(err.location.kind, 'duplicate-key');
    assert.deepEqual([err.location.line, err.location.column], [3, 16]);
    assert.match(err.location.message, /the key "x" appears twice in the object at "b" \(line 3, column 8 and line 3, column 16\)/);
    assert.equal(err.duplicates.length, 2);
  });

  it('can be allowed', () => {
    assert.deepEqual(parseStrictJson('{"a": 1, "a": 2}', { rejectDuplicateKeys: false }), { a: 2 });
  });

  it('the quick count sees only real property names', () => {
    assert.equal(countPropertyNames('{"a": "b", "c": ["d", {"e": 1}]}'), 3);
    assert.equal(countPropertyNames('{"a\\"": "x\\\\", "b": "\\": not a key"}'), 2);
    assert.equal(countPropertyNames('{"a" \n :1}'), 1);
    assert.equal(countPropertyNames('["a:", "b" , ":"]'), 0);
    assert.equal(countPropertyNames('{"text": 1}\n{"text": 2, "n": 3}\n'), 3);
  });
});
