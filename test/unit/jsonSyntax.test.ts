import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findJsonSyntaxError } from '../../lf-runtime/src/data/jsonSyntax.ts';

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
});
