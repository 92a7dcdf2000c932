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
  /** Text searched by `filter.search`, per row (lowercased lazily by the caller's choice of text). */
  texts: readonly string[];
}

export class QueryError extends Error {}

/** Indices of the rows of `table` that match every part of `filter`, in row order. */
export function matchingRows(table: RowTable, filter: ExamplesFilter): number[] {
  const n = table.ids.length;
  const lf = filter.lf ? lfIndex(table, filter.lf) : -1;
  const other = filter.conflictsWith ? lfIndex(table, filter.conflictsWith) : -1;
  if (other >= 0 && lf < 0) throw new QueryError('conflictsWith needs lf: the pair of LFs whose conflicts to show');
  if ((filter.outcome === 'wrong' || filter.outcome === 'right') && lf < 0 && !table.probs) {
    throw new QueryError('no label model has been fitted yet, so there is nothing to compare with gold');
  }
  const model = table.inModel.map((x, j) => (x ? j : -1)).filter((j) => j >= 0);
  const col = lf >= 0 ? table.columns[lf] : null;
  const errorSet = filter.errors && lf >= 0 ? new Set(table.errorRows[lf]) : null;
  const needle = filter.search ? filter.search.toLowerCase() : null;
  const predicted = needsPrediction(filter) ? predictions(table) : null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = col ? col[i] : -1;
    if (col) {
      const vote = filter.vote ?? 'any';
      if (vote === 'fires' && v === -1) continue;
      if (vote === 'abstains' && v !== -1) continue;
      if (typeof vote === 'number' && v !== vote) continue;
    }
    if (errorSet && !errorSet.has(i)) continue;
    if (filter.uncovered && model.some((j) => table.columns[j][i] !== -1)) continue;
    if (filter.anyVote !== undefined && filter.anyVote !== null && !model.some((j) => table.columns[j][i] === filter.anyVote)) continue;
    if (filter.overlaps && lf >= 0 && !overlapAt(table, i, lf, model)) continue;
    if (filter.conflicts || other >= 0) {
      if (!conflictAt(table, i, lf, other, model)) continue;
    }
    const g = table.gold[i];
    const gold = filter.gold ?? 'any';
    if (gold === 'labeled' && g === -1) continue;
    if (gold === 'unlabeled' && g !== -1) continue;
    if (typeof gold === 'number' && g !== gold) continue;
    if (filter.outcome === 'wrong' || filter.outcome === 'right') {
      if (g === -1) continue;
      // With an LF: its own vote against gold (only where it votes). Without: the label model's answer.
      const answer = col ? v : (predicted as Int32Array)[i];
      if (answer === -1) continue;
      if ((answer === g) !== (filter.outcome === 'right')) continue;
    }
    if (filter.predicted !== undefined && filter.predicted !== null && (predicted as Int32Array)[i] !== filter.predicted) continue;
    if (filter.maxConfidence !== undefined && filter.maxConfidence !== null) {
      if (!table.probs || maxProb(table.probs, table.k, i) >= filter.maxConfidence) continue;
    }
    if (needle !== null && !table.texts[i].toLowerCase().includes(needle)) continue;
    out.push(i);
  }
  return out;
}

function needsPrediction(filter: ExamplesFilter): boolean {
  return (filter.predicted !== undefined && filter.predicted !== null) || ((filter.outcome === 'wrong' || filter.outcome === 'right') && !filter.lf);
}

/** Whether LF `lf` votes on row i and another model LF votes there too (Snorkel's overlaps). */
function overlapAt(table: RowTable, i: number, lf: number, model: readonly number[]): boolean {
  if (table.columns[lf][i] === -1) return false;
  for (const j of model) if (j !== lf && table.columns[j][i] !== -1) return true;
  return false;
}

/**
 * Whether row i has a conflict: with `lf` given, it votes and some other model LF (or `other` alone) votes a
 * different class; without, two model LFs vote different classes (Snorkel's conflicts).
 */
function conflictAt(table: RowTable, i: number, lf: number, other: number, model: readonly number[]): boolean {
  if (lf >= 0) {
    const v = table.columns[lf][i];
    if (v === -1) return false;
    if (other >= 0) {
      const w = table.columns[other][i];
      return w !== -1 && w !== v;
    }
    for (const j of model) {
      if (j === lf) continue;
      const w = table.columns[j][i];
      if (w !== -1 && w !== v) return true;
    }
    return false;
  }
  let first = -1;
  for (const j of model) {
    const w = table.columns[j][i];
    if (w === -1) continue;
    if (first === -1) first = w;
    else if (w !== first) return true;
  }
  return false;
}

function lfIndex(table: RowTable, name: string): number {
  const j = table.lfNames.indexOf(name);
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
  const hits = new Array<number>(table.k).fill(0);
  const seen = new Uint8Array(table.k);
  for (let i = 0; i < n; i++) {
    seen.fill(0);
    for (const j of model) {
      const v = table.columns[j][i];
      if (v >= 0 && v < table.k && !seen[v]) {
        seen[v] = 1;
        hits[v]++;
      }
    }
  }
  return hits.map((h) => (n ? h / n : 0));
}

/** k x k counts over rows with gold: [gold][label model's most likely class]; null without a model. */
export function confusionMatrix(table: RowTable): number[][] | null {
  if (!table.probs) return null;
  const pred = predictions(table);
  const out = Array.from({ length: table.k }, () => new Array<number>(table.k).fill(0));
  for (let i = 0; i < table.ids.length; i++) if (table.gold[i] !== -1) out[table.gold[i]][pred[i]]++;
  return out;
}

/** For one LF: the other model LFs it conflicts with, most rows first. */
export function conflictPartners(table: RowTable, lf: string): { name: string; rows: number }[] {
  const a = lfIndex(table, lf);
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
