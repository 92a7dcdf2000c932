// The worker's stdin reader: request lines and binary frames come out whole and in order, however the
// chunks fall (a frame of rows can span many chunks, or share one with the lines around it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRows } from '../../lf-runtime/src/sandbox/rowPayload.ts';
import { RequestReader, type Received } from '../../lf-runtime/src/sandbox/worker/requestReader.ts';

const frame = Buffer.concat(encodeRows(['text', 'n'], [['a\nb', 'é😀 "q"'], [1, null]], 2));
const stream = Buffer.concat([
  Buffer.from(JSON.stringify({ type: 'drop', id: 1, key: 'old' }) + '\n'),
  Buffer.from(JSON.stringify({ type: 'load', id: 2, key: 'rows', bytes: frame.length }) + '\n'),
  frame,
  Buffer.from('\n' + JSON.stringify({ type: 'misses', id: 3 }) + '\n'),
]);

function readAll(chunkSizes: number[]): Received[] {
  const items: Received[] = [];
  const reader = new RequestReader((item) => items.push(item));
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    reader.push(stream.subarray(at, at + size));
    at += size;
  }
  assert.equal(reader.busy, false, 'nothing left half-read');
  return items;
}

describe('worker request reader', () => {
  it('gives each request and the frame after a load whole, in order, for any chunking', () => {
    const whole = readAll([stream.length]);
    assert.deepEqual(
      whole.map((r) => ('req' in r ? r.req.type : 'load')),
      ['drop', 'load', 'misses'],
    );
    const load = whole[1]!;
    assert.ok('load' in load);
    assert.equal(load.load.key, 'rows');
    assert.ok(load.load.frame.equals(frame));
    for (const sizes of [[1], [2, 3], [7], [frame.length - 1, 1], [64, 5, 1000]]) {
      assert.deepEqual(readAll(sizes), whole, `chunks of ${sizes.join(', ')} bytes`);
    }
  });

  it('reports a line in progress as busy', () => {
    const reader = new RequestReader(() => undefined);
    reader.push(Buffer.from('{"type":"misses"'));
    assert.equal(reader.busy, true);
    reader.push(Buffer.from(',"id":4}\n'));
    assert.equal(reader.busy, false);
  });
});
