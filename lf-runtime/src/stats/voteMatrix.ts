/**
 * The vote matrix L every statistic and label model works on: n rows x m LFs, row-major, one signed byte
 * per vote, -1 = abstain. Row-major because the statistics walk one row at a time (overlap and conflict
 * depend on all of a row's votes), and bytes because 100k rows x 20 LFs is then 2 MB.
 */
import { ABSTAIN } from '../protocol.ts';

export interface VoteMatrix {
  /** Rows (examples). */
  n: number;
  /** Columns (LFs). */
  m: number;
  /** n * m votes, row-major: the vote of LF j on row i is data[i * m + j]. */
  data: Int8Array;
}

/** An n x m matrix of abstains. */
export function emptyVoteMatrix(n: number, m: number): VoteMatrix {
  checkSize(n, m);
  return { n, m, data: new Int8Array(n * m).fill(ABSTAIN) };
}

/**
 * Builds L from one vote column per LF (what the executor returns). Every column must have n entries; with
 * no columns the matrix is n x 0, which all statistics accept.
 */
export function voteMatrixFromColumns(n: number, columns: readonly Int8Array[]): VoteMatrix {
  const m = columns.length;
  checkSize(n, m);
  const data = new Int8Array(n * m);
  for (let j = 0; j < m; j++) {
    const column = columns[j];
    if (column.length !== n) {
      throw new RangeError(`vote column ${j} has ${column.length} entries but the matrix has ${n} rows; every LF needs one vote per row`);
    }
    for (let i = 0, at = j; i < n; i++, at += m) data[at] = column[i];
  }
  return { n, m, data };
}

/** Builds L from nested arrays, row by row (handy in tests and for small hand-written examples). */
export function voteMatrixFromRows(rows: readonly (readonly number[])[]): VoteMatrix {
  const n = rows.length;
  const m = n === 0 ? 0 : rows[0].length;
  const data = new Int8Array(n * m);
  rows.forEach((row, i) => {
    if (row.length !== m) throw new RangeError(`row ${i} has ${row.length} votes but row 0 has ${m}; every row needs one vote per LF`);
    for (let j = 0; j < m; j++) data[i * m + j] = checkVote(row[j], i, j);
  });
  return { n, m, data };
}

/** Wraps a WRENCH weak-label matrix (Dataset.weakLabels) of n rows. */
export function voteMatrixFromWeakLabels(n: number, weak: { m: number; data: Int8Array }): VoteMatrix {
  if (weak.data.length !== n * weak.m) {
    throw new RangeError(`weak-label matrix has ${weak.data.length} votes, expected ${n} rows x ${weak.m} LFs`);
  }
  return { n, m: weak.m, data: weak.data };
}

/** Copy of LF j's votes. */
export function voteColumn(L: VoteMatrix, j: number): Int8Array {
  if (!Number.isInteger(j) || j < 0 || j >= L.m) throw new RangeError(`LF index ${j} is outside 0..${L.m - 1}`);
  const out = new Int8Array(L.n);
  for (let i = 0, at = j; i < L.n; i++, at += L.m) out[i] = L.data[at];
  return out;
}

/** The first `count` rows (a view, no copy). */
export function headRows(L: VoteMatrix, count: number): VoteMatrix {
  const n = Math.max(0, Math.min(L.n, count));
  return { n, m: L.m, data: L.data.subarray(0, n * L.m) };
}

/** The given columns, in the given order (a copy). */
export function selectColumns(L: VoteMatrix, columns: readonly number[]): VoteMatrix {
  const m = columns.length;
  const data = new Int8Array(L.n * m);
  for (const j of columns) if (!Number.isInteger(j) || j < 0 || j >= L.m) throw new RangeError(`LF index ${j} is outside 0..${L.m - 1}`);
  for (let i = 0; i < L.n; i++) {
    const from = i * L.m;
    const to = i * m;
    for (let c = 0; c < m; c++) data[to + c] = L.data[from + columns[c]];
  }
  return { n: L.n, m, data };
}

/** The given rows, in the given order (a copy). */
export function selectRows(L: VoteMatrix, rows: readonly number[]): VoteMatrix {
  const data = new Int8Array(rows.length * L.m);
  rows.forEach((r, i) => {
    if (!Number.isInteger(r) || r < 0 || r >= L.n) throw new RangeError(`row index ${r} is outside 0..${L.n - 1}`);
    data.set(L.data.subarray(r * L.m, (r + 1) * L.m), i * L.m);
  });
  return { n: rows.length, m: L.m, data };
}

function checkSize(n: number, m: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`row count must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`LF count must be a non-negative integer, got ${m}`);
}

function checkVote(v: number, i: number, j: number): number {
  if (!Number.isInteger(v) || v < -1 || v > 127) throw new RangeError(`vote ${v} at row ${i}, LF ${j} is not -1 (abstain) or a class id 0..127`);
  return v;
}
