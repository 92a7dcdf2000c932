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

/** Checks k and the matrix shape (cheap); label ranges are checked while indexing. */
export function validateVoteShape(L: VoteMatrix, k: number): void {
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
}

function badVote(L: VoteMatrix, k: number, t: number): LabelModelInputError {
  const row = Math.floor(t / L.m);
  return new LabelModelInputError(
    `vote ${L.data[t]} at row ${row}, LF ${t - row * L.m} is outside -1..${k - 1}; ` +
      `votes must be a class id below k=${k} or -1 to abstain`,
  );
}

/** Checks shape and label range, naming the first offending cell so the caller can fix the source. */
export function validateVoteMatrix(L: VoteMatrix, k: number): void {
  validateVoteShape(L, k);
  const d = L.data;
  for (let t = 0; t < d.length; t++) if (d[t] < -1 || d[t] >= k) throw badVote(L, k, t);
}

/**
 * Builds the sparse index in one pass over the dense data, validating as it goes; the vote buffers grow
 * by doubling. One pass matters: at 1M x 100 the dense scan is most of the cost of indexing.
 */
export function buildVoteIndex(L: VoteMatrix, k: number): VoteIndex {
  validateVoteShape(L, k);
  const { n, m, data } = L;
  const rowStart = new Int32Array(n + 1);
  let capacity = Math.max(16, Math.ceil(data.length / 8));
  let lf = new Uint16Array(capacity);
  let label = new Uint8Array(capacity);
  const votesPerLf = new Float64Array(m * k);
  let t = 0;
  let uncoveredRows = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = t;
    const base = i * m;
    if (t + m > capacity) {
      capacity = Math.max(capacity * 2, t + m);
      const lf2 = new Uint16Array(capacity);
      lf2.set(lf.subarray(0, t));
      lf = lf2;
      const label2 = new Uint8Array(capacity);
      label2.set(label.subarray(0, t));
      label = label2;
    }
    // Branch-free append: write every cell, advance only past votes (v >>> 31 is 1 exactly for -1). Votes
    // are ~random, so a branch here mispredicts constantly and costs several times more.
    for (let j = 0; j < m; j++) {
      const v = data[base + j];
      if (v < -1 || v >= k) throw badVote(L, k, base + j);
      lf[t] = j;
      label[t] = v;
      t += 1 - (v >>> 31);
    }
    if (rowStart[i] === t) uncoveredRows++;
  }
  rowStart[n] = t;
  for (let x = 0; x < t; x++) votesPerLf[lf[x] * k + label[x]]++;
  return { n, m, k, rowStart, lf: lf.subarray(0, t), label: label.subarray(0, t), votesPerLf, uncoveredRows };
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
