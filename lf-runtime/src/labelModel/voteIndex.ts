/**
 * A sparse (CSR) view of a vote matrix. Real LF matrices are mostly abstains (sms: ~1 vote in 70 cells), so
 * every model iterates over votes only; this is what makes a 1M x 100 fit take seconds, not minutes.
 */
import { LabelModelInputError } from './types.ts';
import type { VoteMatrix } from './types.ts';

export interface VoteIndex {
  n: number;
  m: number;
  k: number;
  /** Votes of row i are entries rowStart[i] .. rowStart[i+1]-1. */
  rowStart: Int32Array;
  lf: Uint16Array;
  label: Uint8Array;
  /** votesPerLf[j * k + l] = how many rows LF j labels l. */
  votesPerLf: Float64Array;
  /** Rows with no vote at all. */
  uncoveredRows: number;
}

/** Checks shape and label range, naming the first offending cell so the caller can fix the source. */
export function validateVoteMatrix(L: VoteMatrix, k: number): void {
  if (!Number.isInteger(k) || k < 2 || k > 127) {
    throw new LabelModelInputError(
      `cardinality k must be an integer between 2 and 127, got ${k}; pass the number of classes of the task`,
    );
  }
  if (!Number.isInteger(L.n) || L.n < 0 || !Number.isInteger(L.m) || L.m < 0) {
    throw new LabelModelInputError(`vote matrix size must be non-negative integers, got n=${L.n}, m=${L.m}`);
  }
  if (L.m > 65535) {
    throw new LabelModelInputError(`at most 65535 labeling functions are supported, got ${L.m}`);
  }
  if (L.data.length !== L.n * L.m) {
    throw new LabelModelInputError(
      `vote matrix data has ${L.data.length} cells but n x m = ${L.n} x ${L.m} = ${L.n * L.m}; ` +
        'build it row-major with one cell per (row, LF)',
    );
  }
  const d = L.data;
  for (let t = 0; t < d.length; t++) {
    const v = d[t];
    if (v < -1 || v >= k) {
      const row = Math.floor(t / L.m);
      throw new LabelModelInputError(
        `vote ${v} at row ${row}, LF ${t - row * L.m} is outside -1..${k - 1}; ` +
          `votes must be a class id below k=${k} or -1 to abstain`,
      );
    }
  }
}

/** Builds the sparse index in two passes over the dense data (count, then fill). */
export function buildVoteIndex(L: VoteMatrix, k: number): VoteIndex {
  validateVoteMatrix(L, k);
  const { n, m, data } = L;
  const rowStart = new Int32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = nnz;
    const base = i * m;
    for (let j = 0; j < m; j++) if (data[base + j] !== -1) nnz++;
  }
  rowStart[n] = nnz;
  const lf = new Uint16Array(nnz);
  const label = new Uint8Array(nnz);
  const votesPerLf = new Float64Array(m * k);
  let t = 0;
  let uncoveredRows = 0;
  for (let i = 0; i < n; i++) {
    const base = i * m;
    if (rowStart[i] === rowStart[i + 1]) uncoveredRows++;
    for (let j = 0; j < m; j++) {
      const v = data[base + j];
      if (v !== -1) {
        lf[t] = j;
        label[t] = v;
        votesPerLf[j * k + v]++;
        t++;
      }
    }
  }
  return { n, m, k, rowStart, lf, label, votesPerLf, uncoveredRows };
}

/** Number of votes LF j cast, over all classes. */
export function lfVoteCount(index: VoteIndex, j: number): number {
  let s = 0;
  for (let l = 0; l < index.k; l++) s += index.votesPerLf[j * index.k + l];
  return s;
}

/**
 * Soft majority vote per row: vote shares, with uncovered rows set to `fallback`. Used as the starting
 * point of the iterative models (Dawid-Skene's classic initialisation).
 */
export function majorityShares(index: VoteIndex, fallback: ArrayLike<number>): Float64Array {
  const { n, k, rowStart, label } = index;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const a = rowStart[i];
    const b = rowStart[i + 1];
    const o = i * k;
    if (a === b) {
      for (let c = 0; c < k; c++) out[o + c] = fallback[c];
      continue;
    }
    for (let t = a; t < b; t++) out[o + label[t]] += 1;
    const inv = 1 / (b - a);
    for (let c = 0; c < k; c++) out[o + c] *= inv;
  }
  return out;
}

/** Softmax in place over each row of an n x k array of log-scores. */
export function softmaxRows(logits: Float64Array, k: number): void {
  const n = logits.length / k;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (logits[o + c] > mx) mx = logits[o + c];
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(logits[o + c] - mx);
      logits[o + c] = e;
      s += e;
    }
    for (let c = 0; c < k; c++) logits[o + c] /= s;
  }
}
