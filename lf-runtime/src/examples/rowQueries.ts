/**
 * The questions behind every figure, as row sets: rows an LF fires on, rows where it conflicts, dev rows it
 * gets right or wrong (Snorkel's label buckets: gold x vote), rows no LF votes on, rows where the label model
 * disagrees with gold, rows the label model is unsure of. Filters combine (every given part must hold), and
 * the answer is a seeded shuffle of the matching rows, so "10 random rows" is the same 10 rows until the seed
 * changes. Pure functions over a RowTable: the language server builds one per analysis, tests by hand.
 */
import type { ExamplesFilter } from '../protocol.ts';

/** One split's rows with every LF's votes (column per LF), gold and the label model's posteriors. */
export interface RowTable {
  split: 'sample' | 'dev';
  ids: readonly string[];
  /** LF names in column order. */
  lfNames: readonly string[];
  /** The file of each LF, in column order (two files may define LFs of the same name). */
  lfFiles?: readonly string[];
  /** Per LF: one vote per row, -1 = abstain. */
  columns: readonly Int8Array[];
  /** Per LF: whether it is in the label model (a file's `lfs = [...]` may leave it out). */
  inModel: readonly boolean[];
  /** Gold class per row, -1 where there is none. */
  gold: Int32Array;
  /** 1 where the gold label is one the user gave in the editor. */
  goldFromUser: Uint8Array;
  /** Number of classes. */
  k: number;
  /** P(Y | votes), n x k row-major; null before a label model is fitted. */
  probs: Float64Array | null;
  /** Per LF: rows (indices) on which it raised, as far as the runtime reported them. */
  errorRows: readonly (readonly number[])[];
  /** Each row's text, lowercased: what `filter.search` looks in. */
  lowerTexts: readonly string[];
}

export class QueryError extends Error {}

/**
 * Indices of the rows of `table` that match every part of `filter`, in row order. Each part narrows a mask of
 * candidate rows, column by column over the typed vote arrays (100k rows x 20 LFs is 2M byte reads a part).
 */
export function matchingRows(table: RowTable, filter: ExamplesFilter): number[] {
  const n = table.ids.length;
  const lf = filter.lf ? lfIndex(table, filter.lf, filter.lfFile) : -1;
  // The other LF of a pair; of the same name as the first when two files define it, the other copy.
  const copy = filter.conflictsWith !== filter.lf ? -1 : table.lfNames.findIndex((name, j) => name === filter.lf && j !== lf);
  const other = filter.conflictsWith ? (copy >= 0 ? copy : lfIndex(table, filter.conflictsWith)) : -1;
  if (other >= 0 && lf < 0) throw new QueryError('conflictsWith needs lf: the pair of LFs whose conflicts to show');
  const outcome = filter.outcome === 'wrong' || filter.outcome === 'right' ? filter.outcome : null;
  if (outcome && lf < 0 && !table.probs) {
    throw new QueryError('no label model has been fitted yet, so there is nothing to compare with gold');
  }
  const model = table.inModel.map((x, j) => (x ? j : -1)).filter((j) => j >= 0);
  const mask = new Uint8Array(n).fill(1);
  const keep = (test: (i: number) => boolean) => {
    for (let i = 0; i < n; i++) if (mask[i] && !test(i)) mask[i] = 0;
  };
  const col = lf >= 0 ? table.columns[lf] : null;
  if (col) {
    const vote = filter.vote ?? 'any';
    if (vote === 'fires' || filter.overlaps || filter.conflicts || other >= 0 || outcome) keep((i) => col[i] !== -1);
    if (vote === 'abstains') keep((i) => col[i] === -1);
    if (typeof vote === 'number') keep((i) => col[i] === vote);
  }
  if (filter.errors && lf >= 0) {
    const errors = new Uint8Array(n);
    for (const i of table.errorRows[lf]) errors[i] = 1;
    keep((i) => errors[i] === 1);
  }
  if (filter.uncovered) {
    for (const j of model) {
      const c = table.columns[j];
      for (let i = 0; i < n; i++) if (c[i] !== -1) mask[i] = 0;
    }
  }
  if (filter.anyVote !== undefined && filter.anyVote !== null) {
    const hit = new Uint8Array(n);
    for (const j of model) {
      const c = table.columns[j];
      for (let i = 0; i < n; i++) if (c[i] === filter.anyVote) hit[i] = 1;
    }
    keep((i) => hit[i] === 1);
  }
  if (col && filter.overlaps) keep(anyOther(table, model, lf, (w) => w !== -1));
  if (col && other >= 0) {
    const o = table.columns[other];
    keep((i) => o[i] !== -1 && o[i] !== col[i]);
  } else if (col && filter.conflicts) {
    keep(anyOther(table, model, lf, (w, v) => w !== -1 && w !== v));
  } else if (filter.conflicts) {
    const conflict = disagreements(table, model);
    keep((i) => conflict[i] === 1);
  }
  const gold = filter.gold ?? 'any';
  if (gold === 'labeled' || outcome) keep((i) => table.gold[i] !== -1);
  if (gold === 'unlabeled') keep((i) => table.gold[i] === -1);
  if (typeof gold === 'number') keep((i) => table.gold[i] === gold);
  const predicted = needsPrediction(filter) ? predictions(table) : null;
  if (outcome) {
    // With an LF: its own vote against gold (where it votes). Without: the label model's answer.
    const answer = col ?? (predicted as Int32Array);
    keep((i) => answer[i] !== -1 && (answer[i] === table.gold[i]) === (outcome === 'right'));
  }
  if (filter.predicted !== undefined && filter.predicted !== null) keep((i) => (predicted as Int32Array)[i] === filter.predicted);
  if (filter.maxConfidence !== undefined && filter.maxConfidence !== null) {
    const probs = table.probs;
    const limit = filter.maxConfidence;
    keep((i) => probs !== null && maxProb(probs, table.k, i) < limit);
  }
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    const texts = table.lowerTexts;
    keep((i) => texts[i].includes(needle));
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (mask[i]) out.push(i);
  return out;
}

/** A test of row i: some model LF other than `lf` has a vote `w` for which `test(w, lf's vote)` holds. */
function anyOther(table: RowTable, model: readonly number[], lf: number, test: (w: number, v: number) => boolean): (i: number) => boolean {
  const col = table.columns[lf];
  const hit = new Uint8Array(col.length);
  for (const j of model) {
    if (j === lf) continue;
    const c = table.columns[j];
    for (let i = 0; i < col.length; i++) if (!hit[i] && col[i] !== -1 && test(c[i], col[i])) hit[i] = 1;
  }
  return (i) => hit[i] === 1;
}

/** 1 where two model LFs vote different classes (Snorkel's conflicts), column by column. */
function disagreements(table: RowTable, model: readonly number[]): Uint8Array {
  const n = table.ids.length;
  const first = new Int8Array(n).fill(-1);
  const conflict = new Uint8Array(n);
  for (const j of model) {
    const c = table.columns[j];
    for (let i = 0; i < n; i++) {
      const v = c[i];
      if (v === -1) continue;
      if (first[i] === -1) first[i] = v;
      else if (first[i] !== v) conflict[i] = 1;
    }
  }
  return conflict;
}

function needsPrediction(filter: ExamplesFilter): boolean {
  return (filter.predicted !== undefined && filter.predicted !== null) || ((filter.outcome === 'wrong' || filter.outcome === 'right') && !filter.lf);
}

/** The column of the LF `name`, the one defined in `file` when given (else the first of that name). */
export function lfIndex(table: Pick<RowTable, 'lfNames' | 'lfFiles'>, name: string, file?: string | null): number {
  const inFile = file && table.lfFiles ? table.lfNames.findIndex((other, j) => other === name && table.lfFiles?.[j] === file) : -1;
  const j = inFile >= 0 ? inFile : table.lfNames.indexOf(name);
  if (j < 0) throw new QueryError(`no labeling function named '${name}' in the latest run; re-run the project or pick another LF`);
  return j;
}

function maxProb(probs: Float64Array, k: number, i: number): number {
  let best = 0;
  for (let c = 0; c < k; c++) best = Math.max(best, probs[i * k + c]);
  return best;
}

/** The label model's most likely class per row (-1 without a model); ties go to the lower class id. */
export function predictions(table: RowTable): Int32Array {
  const n = table.ids.length;
  const out = new Int32Array(n).fill(-1);
  const p = table.probs;
  if (!p) return out;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < table.k; c++) if (p[i * table.k + c] > p[i * table.k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/**
 * A seeded permutation of `rows` (Fisher-Yates with a small PRNG): the same seed gives the same order, so a
 * sample the user is reading does not reshuffle when they page or label.
 */
export function seededShuffle(rows: readonly number[], seed: number): number[] {
  const out = rows.slice();
  let state = (seed >>> 0) ^ 0x9e3779b9;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/** Rows in the order the view lists them: seeded shuffle, row order, or least confident first. */
export function orderRows(table: RowTable, rows: readonly number[], order: 'seeded' | 'data' | 'confidence', seed: number): number[] {
  if (order === 'data') return rows.slice();
  if (order === 'confidence' && table.probs) {
    const probs = table.probs;
    const conf = new Map(rows.map((i) => [i, maxProb(probs, table.k, i)]));
    return rows.slice().sort((a, b) => (conf.get(a) as number) - (conf.get(b) as number) || a - b);
  }
  return seededShuffle(rows, seed);
}

/**
 * Snorkel's get_label_buckets for one LF on labeled rows: counts per (gold, vote) pair, abstains included
 * as vote -1. Keys are "gold,vote".
 */
export function labelBuckets(table: RowTable, lf: string): Map<string, number> {
  const col = table.columns[lfIndex(table, lf)];
  const out = new Map<string, number>();
  for (let i = 0; i < table.ids.length; i++) {
    const g = table.gold[i];
    if (g === -1) continue;
    const key = `${g},${col[i]}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** m x m counts of rows where LFs i and j both vote and disagree. */
export function conflictMatrix(table: RowTable): number[][] {
  const m = table.columns.length;
  const out = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const n = table.ids.length;
  for (let a = 0; a < m; a++) {
    const ca = table.columns[a];
    for (let b = a + 1; b < m; b++) {
      const cb = table.columns[b];
      let rows = 0;
      for (let i = 0; i < n; i++) if (ca[i] !== -1 && cb[i] !== -1 && ca[i] !== cb[i]) rows++;
      out[a][b] = rows;
      out[b][a] = rows;
    }
  }
  return out;
}

/** Per class: the fraction of rows where some label-model LF votes it. */
export function classCoverage(table: RowTable): number[] {
  const n = table.ids.length;
  const model = table.inModel.map((x, j) => (x ? j : -1)).filter((j) => j >= 0);
  return Array.from({ length: table.k }, (_, c) => {
    const hit = new Uint8Array(n);
    for (const j of model) {
      const col = table.columns[j];
      for (let i = 0; i < n; i++) if (col[i] === c) hit[i] = 1;
    }
    let count = 0;
    for (let i = 0; i < n; i++) count += hit[i];
    return n ? count / n : 0;
  });
}

/**
 * k x k counts over rows with gold: [gold][label model's most likely class]; null without a model. `probsOf`
 * gives the probabilities of some rows (in their order), so only the rows with gold are scored.
 */
export function confusionMatrix(table: RowTable, probsOf: (rows: number[]) => Float64Array | null = (rows) => subsetProbs(table, rows)): number[][] | null {
  const rows: number[] = [];
  for (let i = 0; i < table.ids.length; i++) if (table.gold[i] !== -1) rows.push(i);
  const probs = probsOf(rows);
  if (!probs) return null;
  const k = table.k;
  const out = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  rows.forEach((i, r) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[r * k + c] > probs[r * k + best]) best = c;
    out[table.gold[i]][best]++;
  });
  return out;
}

function subsetProbs(table: RowTable, rows: number[]): Float64Array | null {
  const all = table.probs;
  return all ? probsOfRows(all, rows, table.k) : null;
}

/** The rows `rows` of an n x k probability matrix, in that order, as a rows.length x k matrix. */
export function probsOfRows(probs: Float64Array, rows: readonly number[], k: number): Float64Array {
  const out = new Float64Array(rows.length * k);
  rows.forEach((i, r) => out.set(probs.subarray(i * k, (i + 1) * k), r * k));
  return out;
}

/** For one LF: the other model LFs it conflicts with, most rows first. */
export function conflictPartners(table: RowTable, lf: string, file?: string | null): { name: string; rows: number }[] {
  const a = lfIndex(table, lf, file);
  const col = table.columns[a];
  const out: { name: string; rows: number }[] = [];
  table.lfNames.forEach((name, j) => {
    if (j === a || !table.inModel[j]) return;
    const other = table.columns[j];
    let rows = 0;
    for (let i = 0; i < col.length; i++) if (col[i] !== -1 && other[i] !== -1 && other[i] !== col[i]) rows++;
    if (rows > 0) out.push({ name, rows });
  });
  return out.sort((x, y) => y.rows - x.rows || x.name.localeCompare(y.name));
}
