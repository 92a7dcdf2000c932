// Class names in another order than the LFs' ids (stats/classOrder.ts): said when the votes agree with gold
// far better under another naming, and only then.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classOrderWarning } from '../../lf-runtime/src/stats/classOrder.ts';
import { voteMatrixFromColumns } from '../../lf-runtime/src/stats/voteMatrix.ts';

const col = (votes: number[]) => Int8Array.from(votes);
const matrix = (columns: Int8Array[]) => voteMatrixFromColumns(columns[0]!.length, columns);

describe('class order check', () => {
  it('names the ids to rename when two of three classes are swapped', () => {
    // gold: 10 rows of each class; the LFs vote 1 on class-0 rows, 0 on class-1 rows, 2 on class-2 rows.
    const gold = [...Array(30)].map((_, i) => Math.floor(i / 10));
    const votes = gold.map((g) => (g === 0 ? 1 : g === 1 ? 0 : 2));
    const w = classOrderWarning(matrix([col(votes)]), gold, ['neg', 'pos', 'neu']);
    assert.match(w ?? '', /on 33% of 30 votes, but on 100% with the class ids named otherwise \(0 as pos, 1 as neg\).*\(0 = neg, 1 = pos, 2 = neu now\)/);
  });

  it('says nothing when the names fit, when few votes were cast, or when no naming fits much better', () => {
    const gold = [...Array(30)].map((_, i) => i % 2);
    assert.equal(classOrderWarning(matrix([col(gold)]), gold, ['A', 'B']), null);
    assert.equal(classOrderWarning(matrix([col(gold.slice(0, 10).map((g) => 1 - g))]), gold.slice(0, 10), ['A', 'B']), null, '10 votes');
    // Half right, half wrong: noise, not a swap.
    const noisy = gold.map((g, i) => (i % 4 < 2 ? g : 1 - g));
    assert.equal(classOrderWarning(matrix([col(noisy)]), gold, ['A', 'B']), null);
    // Abstains and rows without gold are not votes.
    assert.equal(classOrderWarning(matrix([col(gold.map(() => -1))]), gold, ['A', 'B']), null);
  });

  it('finds the naming beyond eight classes by the best match of each id', () => {
    const k = 10;
    const gold = [...Array(100)].map((_, i) => i % k);
    const votes = gold.map((g) => (g + 1) % k);
    assert.match(classOrderWarning(matrix([col(votes)]), gold, [...Array(k)].map((_, c) => `c${c}`)) ?? '', /on 0% of 100 votes, but on 100%.*\(0 as c9, 1 as c0, 2 as c1/);
  });
});
