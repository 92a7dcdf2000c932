/**
 * A sparse (CSR) view of a vote matrix. Real LF matrices are mostly abstains (sms: ~1 vote in 70 cells), so
 * every model iterates over votes only; this is what makes a 1M x 100 fit take seconds, not minutes.
 */
import { LabelModelInputError } from './types.ts';
import type { VoteMatrix } from './types.ts';

export interface VoteIndex {
  /** Index rows: distinct vote patterns when compressed, else one per matrix row. */
  n: number;
  m: number;
  k: number;
  /** Votes of index row i are entries rowStart[i] .. rowStart[i+1]-1. */
  rowStart: Int32Array;
  lf: Uint16Array;
  label: Uint8Array;
  /** How many matrix rows index row i stands for; every sum a model takes is weighted by it. */
  weight: Float64Array;
  /** Rows of the matrix the index was built from (the sum of the weights). */
  rows: number;
  /** Index row of every matrix row; null when the index is uncompressed (row i is index row i). */
  rowPattern: Int32Array | null;
  /** votesPerLf[j * k + l] = how many matrix rows LF j labels l. */
  votesPerLf: Float64Array;
  /** Matrix rows with no vote at all. */
  uncoveredRows: number;
}

export interface VoteIndexOptions {
  /**
   * Merge rows with identical votes into one weighted index row (default true). Real LF matrices have few
   * distinct patterns (WRENCH train splits: youtube 150 of 1686 rows, sms 143 of 4571, trec 250 of 5033),
   * so every fit loop runs 10-35 times fewer rows.
   */
  compress?: boolean;
  /**
   * Give up compressing once more distinct patterns than this are seen (null is returned by
   * compressVoteMatrix; buildVoteIndex then indexes every row). Default: a quarter of the rows, because below a 4x
   * saving hashing and mapping back cost about what they save.
   */
  maxPatterns?: number;
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

/** Rows whose votes are counted to size the vote buffers of a row-by-row index. */
const CAPACITY_PROBE_ROWS = 4096;

/**
 * Builds the sparse index of every row in one pass over the dense data, validating as it goes. One pass
 * matters: at 1M x 100 the dense scan is most of the cost of indexing. The vote buffers are sized from the
 * vote density of the first rows (plus 5%) and grow by doubling past that, so a typical matrix copies none.
 */
function buildRowIndex(L: VoteMatrix, k: number): VoteIndex {
  const { n, m, data } = L;
  const rowStart = new Int32Array(n + 1);
  const probeCells = Math.min(n, CAPACITY_PROBE_ROWS) * m;
  let probeVotes = 0;
  for (let c = 0; c < probeCells; c++) probeVotes += 1 - (data[c] >>> 31);
  let capacity = Math.max(16, m, Math.ceil((probeVotes / Math.max(1, probeCells)) * data.length * 1.05) + m);
  let lf = new Uint16Array(capacity);
  let label = new Uint8Array(capacity);
  let t = 0;
  let uncoveredRows = 0;
  const top = k - 1;
  for (let i = 0; i < n; i++) {
    rowStart[i] = t;
    const base = i * m;
    if (t + m > capacity) {
      capacity = Math.max(capacity * 2, t + m);
      lf = grown(lf, t, new Uint16Array(capacity));
      label = grown(label, t, new Uint8Array(capacity));
    }
    // Branch-free append: write every cell, advance only past votes (v >>> 31 is 1 exactly for -1). Votes
    // are ~random, so a branch here mispredicts constantly and costs several times more. The range check
    // is branch-free too: (top - v) | (v + 1) is negative exactly when v > k - 1 or v < -1.
    let bad = 0;
    for (let j = 0; j < m; j++) {
      const v = data[base + j];
      bad |= (top - v) | (v + 1);
      lf[t] = j;
      label[t] = v;
      t += 1 - (v >>> 31);
    }
    if (bad < 0) {
      for (let j = 0; j < m; j++) if (data[base + j] < -1 || data[base + j] > top) throw badVote(L, k, base + j);
    }
    if (rowStart[i] === t) uncoveredRows++;
  }
  rowStart[n] = t;
  const weight = new Float64Array(n).fill(1);
  // A probe far denser than the rest would leave most of the buffers unused: keep only what holds votes.
  const trim = t < capacity / 2;
  const lfKept = trim ? lf.slice(0, t) : lf.subarray(0, t);
  const labelKept = trim ? label.slice(0, t) : label.subarray(0, t);
  return finishIndex(n, m, k, rowStart, lfKept, labelKept, weight, n, null, uncoveredRows);
}

function finishIndex(
  n: number,
  m: number,
  k: number,
  rowStart: Int32Array,
  lf: Uint16Array,
  label: Uint8Array,
  weight: Float64Array,
  rows: number,
  rowPattern: Int32Array | null,
  uncoveredRows: number,
): VoteIndex {
  const votesPerLf = new Float64Array(m * k);
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) votesPerLf[lf[t] * k + label[t]] += w;
  }
  return { n, m, k, rowStart, lf, label, weight, rows, rowPattern, votesPerLf, uncoveredRows };
}

/** FNV-1a style hash of one row's votes (32-bit; collisions are resolved by comparing the bytes). */
function hashRow(data: Int8Array, base: number, m: number): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < m; j++) h = Math.imul(h ^ (data[base + j] & 0xff), 0x01000193);
  return h >>> 0;
}

function sameRow(data: Int8Array, a: number, b: number, m: number): boolean {
  for (let j = 0; j < m; j++) if (data[a + j] !== data[b + j]) return false;
  return true;
}

/** Rows hashed before projecting how many distinct patterns the whole matrix has. */
const PROBE_ROWS = 8192;

/**
 * The index over distinct vote patterns, each weighted by how many rows share it; null once more than
 * `maxPatterns` distinct patterns are seen, or when the first PROBE_ROWS rows project (linearly, which
 * overestimates as repeats accumulate) more than twice that many: then compression does not pay, and at
 * 1M x 100 finding that out by hashing every row would cost ~1 s. Open addressing on the row hash, with a
 * byte comparison on every hash match, so distinct rows are never merged.
 */
export function compressVoteMatrix(L: VoteMatrix, k: number, maxPatterns: number): VoteIndex | null {
  const { n, m, data } = L;
  const cap = Math.max(1, Math.min(n, Math.floor(maxPatterns)));
  let size = 16;
  while (size < cap * 2) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const firstRow = new Int32Array(cap);
  const weight = new Float64Array(cap);
  const rowPattern = new Int32Array(n);
  const starts = new Int32Array(cap + 1);
  let capacity = Math.max(16, m * 16);
  let lf = new Uint16Array(capacity);
  let label = new Uint8Array(capacity);
  let t = 0;
  let patterns = 0;
  let uncoveredRows = 0;
  for (let i = 0; i < n; i++) {
    if (i === PROBE_ROWS && n > 2 * PROBE_ROWS && (patterns / PROBE_ROWS) * n > 2 * cap) return null;
    const base = i * m;
    let slot = hashRow(data, base, m) & mask;
    let p = table[slot];
    while (p !== -1 && !sameRow(data, firstRow[p] * m, base, m)) {
      slot = (slot + 1) & mask;
      p = table[slot];
    }
    if (p === -1) {
      if (patterns === cap) return null;
      p = patterns++;
      table[slot] = p;
      firstRow[p] = i;
      if (t + m > capacity) {
        capacity = Math.max(capacity * 2, t + m);
        lf = grown(lf, t, new Uint16Array(capacity));
        label = grown(label, t, new Uint8Array(capacity));
      }
      // Only a new pattern needs validating: a repeated one equals a pattern already checked.
      for (let j = 0; j < m; j++) {
        const v = data[base + j];
        if (v < -1 || v >= k) throw badVote(L, k, base + j);
        if (v === -1) continue;
        lf[t] = j;
        label[t] = v;
        t++;
      }
      starts[p + 1] = t;
    }
    weight[p]++;
    rowPattern[i] = p;
    if (starts[p] === starts[p + 1]) uncoveredRows++;
  }
  return finishIndex(
    patterns,
    m,
    k,
    starts.slice(0, patterns + 1),
    lf.slice(0, t),
    label.slice(0, t),
    weight.slice(0, patterns),
    n,
    rowPattern,
    uncoveredRows,
  );
}

/** Validates L and indexes it, over distinct vote patterns unless told otherwise (see VoteIndexOptions). */
export function buildVoteIndex(L: VoteMatrix, k: number, options: VoteIndexOptions = {}): VoteIndex {
  validateVoteShape(L, k);
  if (options.compress !== false && L.n > 0) {
    const compressed = compressVoteMatrix(L, k, options.maxPatterns ?? Math.max(16, L.n / 4));
    if (compressed) return compressed;
  }
  return buildRowIndex(L, k);
}

/**
 * Every ceil(n / maxRows)-th index row, as an index of its own (weights kept): an evenly strided sample that
 * costs a copy of its votes, not a second scan of the dense matrix. Meant for a row-by-row index (on a
 * compressed one it samples patterns, not rows).
 */
export function strideRows(index: VoteIndex, maxRows: number): VoteIndex {
  const stride = Math.max(1, Math.ceil(index.n / Math.max(1, maxRows)));
  if (stride === 1) return index;
  const n = Math.ceil(index.n / stride);
  const rowStart = new Int32Array(n + 1);
  let votes = 0;
  for (let r = 0; r < n; r++) votes += index.rowStart[r * stride + 1] - index.rowStart[r * stride];
  const lf = new Uint16Array(votes);
  const label = new Uint8Array(votes);
  const weight = new Float64Array(n);
  let t = 0;
  let rows = 0;
  let uncoveredRows = 0;
  for (let r = 0; r < n; r++) {
    const i = r * stride;
    const a = index.rowStart[i];
    const b = index.rowStart[i + 1];
    rowStart[r] = t;
    // A plain loop: rows hold ~30 votes, too few for subarray views (two objects per row) to pay.
    for (let u = a; u < b; u++, t++) {
      lf[t] = index.lf[u];
      label[t] = index.label[u];
    }
    weight[r] = index.weight[i];
    rows += weight[r];
    if (a === b) uncoveredRows += weight[r];
  }
  rowStart[n] = t;
  return finishIndex(n, index.m, index.k, rowStart, lf, label, weight, rows, null, uncoveredRows);
}

/** Per-matrix-row values (n_rows x width) from per-index-row ones: a gather through rowPattern. */
export function expandRows(index: VoteIndex, values: Float64Array, width: number): Float64Array {
  const map = index.rowPattern;
  if (!map) return values;
  const out = new Float64Array(index.rows * width);
  for (let r = 0; r < index.rows; r++) {
    const from = map[r] * width;
    const to = r * width;
    for (let c = 0; c < width; c++) out[to + c] = values[from + c];
  }
  return out;
}

/** Whether matrix row r has at least one vote. */
export function rowHasVotes(index: VoteIndex, r: number): boolean {
  const p = index.rowPattern ? index.rowPattern[r] : r;
  return index.rowStart[p] !== index.rowStart[p + 1];
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

/** Copies the first `used` entries of a vote buffer into its larger replacement. */
function grown<T extends Uint8Array | Uint16Array>(old: T, used: number, larger: T): T {
  larger.set(old.subarray(0, used));
  return larger;
}

/** Above this many LFs, pair counts go in a map instead of an m x m array. */
const DENSE_PAIRS_MAX_LFS = 2048;

/**
 * Rows on which two LFs both vote (with the same label, when `sameLabel`), per pair a < b of LFs that
 * `eligible` allows (all when omitted), as a map from a * m + b; pairs that never meet are absent.
 */
export function pairCounts(index: VoteIndex, sameLabel: boolean, eligible?: Uint8Array): Map<number, number> {
  const { n, m, rowStart, lf, label, weight } = index;
  const dense = m <= DENSE_PAIRS_MAX_LFS ? new Float64Array(m * m) : null;
  const sparse = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    const end = rowStart[i + 1];
    for (let s = rowStart[i]; s < end; s++) {
      const a = lf[s];
      if (eligible && !eligible[a]) continue;
      for (let t = s + 1; t < end; t++) {
        const b = lf[t];
        if ((sameLabel && label[t] !== label[s]) || (eligible && !eligible[b])) continue;
        const key = a < b ? a * m + b : b * m + a;
        if (dense) dense[key] += w;
        else sparse.set(key, (sparse.get(key) ?? 0) + w);
      }
    }
  }
  if (!dense) return sparse;
  const out = new Map<number, number>();
  for (let key = 0; key < dense.length; key++) if (dense[key] > 0) out.set(key, dense[key]);
  return out;
}
