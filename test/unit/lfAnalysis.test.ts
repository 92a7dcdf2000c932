// LF statistics: the worked example from the label-model notes, Snorkel's published youtube coverages, and
// agreement with a literal, row-by-row implementation of the definitions on random matrices.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readWrenchSplit } from '../../lf-runtime/src/data/readDataset.ts';
import { analyzeVotes, lfSummaries, totalConflict, totalCoverage, totalOverlap } from '../../lf-runtime/src/stats/lfAnalysis.ts';
import {
  selectColumns,
  selectRows,
  voteColumn,
  voteMatrixFromColumns,
  voteMatrixFromRows,
  voteMatrixFromWeakLabels,
} from '../../lf-runtime/src/stats/voteMatrix.ts';
import type { VoteMatrix } from '../../lf-runtime/src/stats/voteMatrix.ts';

const youtube = join(import.meta.dirname, '..', 'fixtures', 'wrench', 'youtube');

const close = (actual: number, expected: number, digits = 10): void =>
  assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} != ${expected}`);

describe('worked example (label-models.md)', () => {
  const L = voteMatrixFromRows([
    [-1, 0, 0],
    [-1, -1, -1],
    [1, 0, -1],
    [-1, 0, -1],
    [0, 0, 0],
  ]);

  it('coverage, overlaps, conflicts and polarity', () => {
    const s = lfSummaries(L);
    s.map((x) => x.coverage).forEach((v, j) => close(v, [0.4, 0.8, 0.4][j]));
    s.map((x) => x.overlaps).forEach((v, j) => close(v, [0.4, 0.6, 0.4][j]));
    s.map((x) => x.conflicts).forEach((v, j) => close(v, [0.2, 0.2, 0][j]));
    assert.deepEqual(s.map((x) => x.polarity), [[0, 1], [0], [0]]);
    assert.ok(s.every((x) => x.correct === null && x.incorrect === null && x.empiricalAccuracy === null));
  });

  it('totals', () => {
    close(totalConflict(L), 0.2);
    close(totalCoverage(L), 0.8);
    close(totalOverlap(L), 0.6);
    const all = analyzeVotes(L);
    assert.deepEqual([all.totalCoverage, all.totalOverlap, all.totalConflict], [totalCoverage(L), totalOverlap(L), totalConflict(L)]);
  });

  it('correct / incorrect / empirical accuracy against gold, skipping rows without gold', () => {
    const s = lfSummaries(L, [0, 1, 1, null, 0]);
    // LF0: row 2 (1 vs 1) and row 4 (0 vs 0). LF1: rows 0, 4 right, row 2 wrong, row 3 has no gold. LF2: rows 0, 4.
    assert.deepEqual(s.map((x) => [x.correct, x.incorrect]), [
      [2, 0],
      [2, 1],
      [2, 0],
    ]);
    close(s[1].empiricalAccuracy ?? NaN, 2 / 3);
    assert.equal(s[0].empiricalAccuracy, 1);
  });
});

describe('gold-label figures by hand', () => {
  it('counts matches per LF; null accuracy when an LF never votes on a gold row', () => {
    const L = voteMatrixFromRows([
      [1, 0, -1],
      [1, 1, -1],
      [0, -1, -1],
      [-1, 1, 1],
    ]);
    const s = lfSummaries(L, [1, 0, 0, null]);
    assert.deepEqual(s.map((x) => [x.correct, x.incorrect]), [
      [2, 1],
      [0, 2],
      [0, 0],
    ]);
    close(s[0].empiricalAccuracy ?? NaN, 2 / 3);
    assert.equal(s[1].empiricalAccuracy, 0);
    assert.equal(s[2].empiricalAccuracy, null);
    // -1 in gold means unknown too (Snorkel's convention).
    assert.deepEqual(lfSummaries(L, [1, 0, 0, -1]), s);
  });
});

describe("Snorkel spam tutorial coverages on youtube train", () => {
  it('reproduces the published figures on the 1586 rows outside labeled_ids, to 4 decimals', async () => {
    const train = await readWrenchSplit(join(youtube, 'train.json'));
    assert.ok(train.weakLabels);
    const labeled = new Set((JSON.parse(readFileSync(join(youtube, 'labeled_ids.json'), 'utf8')) as { labeled_ids: string[] }).labeled_ids);
    const keep = train.rows.flatMap((r, i) => (labeled.has(r.id) ? [] : [i]));
    assert.equal(keep.length, 1586);
    const L = selectColumns(selectRows(voteMatrixFromWeakLabels(train.rows.length, train.weakLabels), keep), [0, 1, 2, 3, 4, 5, 6]);
    const published = [0.1986, 0.1274, 0.1192, 0.1122, 0.1419, 0.2339, 0.2257];
    assert.deepEqual(
      lfSummaries(L).map((s) => s.coverage.toFixed(4)),
      published.map((p) => p.toFixed(4)),
    );
    // On all 1686 rows the figures differ (e.g. keyword_my .1999), so the subset matters.
    const full = lfSummaries(voteMatrixFromWeakLabels(train.rows.length, train.weakLabels));
    assert.notEqual(full[0].coverage.toFixed(4), '0.1986');
  });
});

/** The definitions applied literally, one row at a time, with arrays and sets. */
function referenceSummaries(rows: number[][], gold: (number | null)[] | null) {
  const n = rows.length;
  const m = n ? rows[0].length : 0;
  return Array.from({ length: m }, (_, j) => {
    let cov = 0;
    let ov = 0;
    let conf = 0;
    let correct = 0;
    let incorrect = 0;
    const pol = new Set<number>();
    rows.forEach((row, i) => {
      if (row[j] === -1) return;
      const labels = row.filter((v) => v !== -1);
      cov++;
      pol.add(row[j]);
      if (labels.length >= 2) ov++;
      if (new Set(labels).size >= 2) conf++;
      const y = gold?.[i];
      if (y !== null && y !== undefined) row[j] === y ? correct++ : incorrect++;
    });
    return {
      polarity: [...pol].sort((a, b) => a - b),
      coverage: cov / n,
      overlaps: ov / n,
      conflicts: conf / n,
      correct: gold ? correct : null,
      incorrect: gold ? incorrect : null,
      empiricalAccuracy: gold && correct + incorrect > 0 ? correct / (correct + incorrect) : null,
    };
  });
}

describe('agreement with the literal definitions', () => {
  it('matches on 50 random matrices with 2-4 classes and partial gold', () => {
    let seed = 7;
    const rand = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    for (let t = 0; t < 50; t++) {
      const n = 1 + rand(60);
      const m = 1 + rand(8);
      const k = 2 + rand(3);
      const rows = Array.from({ length: n }, () => Array.from({ length: m }, () => (rand(3) === 0 ? rand(k) : -1)));
      const gold = t % 3 === 0 ? null : rows.map(() => (rand(4) === 0 ? null : rand(k)));
      assert.deepEqual(lfSummaries(voteMatrixFromRows(rows), gold), referenceSummaries(rows, gold));
    }
  });
});

describe('vote matrix helpers and bad input', () => {
  it('builds row-major data from columns and reads columns back', () => {
    const a = Int8Array.from([0, -1, 1]);
    const b = Int8Array.from([1, 1, -1]);
    const L: VoteMatrix = voteMatrixFromColumns(3, [a, b]);
    assert.deepEqual(Array.from(L.data), [0, 1, -1, 1, 1, -1]);
    assert.deepEqual(voteColumn(L, 1), b);
    assert.deepEqual(voteMatrixFromColumns(4, []), { n: 4, m: 0, data: new Int8Array(0) });
  });

  it('rejects ragged input, bad votes and mismatched gold with clear errors', () => {
    assert.throws(() => voteMatrixFromColumns(3, [new Int8Array(2)]), /vote column 0 has 2 entries but the matrix has 3 rows/);
    assert.throws(() => voteMatrixFromRows([[0, 1], [0]]), /row 1 has 1 votes/);
    assert.throws(() => voteMatrixFromRows([[0, -2]]), /vote -2 at row 0, LF 1/);
    assert.throws(() => lfSummaries({ n: 1, m: 1, data: Int8Array.from([-5]) }), /vote -5/);
    assert.throws(() => lfSummaries(voteMatrixFromRows([[0]]), [0, 1]), /gold has 2 labels but the vote matrix has 1 rows/);
  });

  it('an empty matrix gives zeros, not NaN', () => {
    const L = voteMatrixFromColumns(0, [new Int8Array(0)]);
    assert.deepEqual(lfSummaries(L, []).map((s) => [s.coverage, s.empiricalAccuracy]), [[0, null]]);
    assert.equal(totalConflict(L), 0);
  });
});
