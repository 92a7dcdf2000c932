/**
 * Training labels on disk, one row per input row in input order: the row id, P(Y | votes) per class in class
 * order, the most likely class (-1 where the uncovered policy abstains) and every LF's vote (-1 = abstain).
 * JSONL: {"id": "...", "probs": [...], "label": 1, "votes": [...]} per line, the format the exported Dask job
 * writes too. CSV: id, prob_<class>..., label, vote_<lf>... with a header row.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import type { VoteMatrix } from '../stats/voteMatrix.ts';

export type LabelFormat = 'jsonl' | 'csv';

export const LABEL_EXTENSIONS: Readonly<Record<string, LabelFormat>> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv' };

/** The format `--out` asks for, or null for an extension this writer does not know. */
export function labelFormatOf(path: string): LabelFormat | null {
  return LABEL_EXTENSIONS[extname(path).toLowerCase()] ?? null;
}

export interface LabelRows {
  ids: readonly string[];
  classes: readonly string[];
  lfNames: readonly string[];
  /** n x k row-major. */
  probs: Float64Array;
  labels: Int32Array;
  votes: VoteMatrix;
}

/** Writes the rows; `onProgress(done, total)` is called after every chunk. */
export function writeLabels(path: string, format: LabelFormat, rows: LabelRows, onProgress?: (done: number, total: number) => void): void {
  const { ids, classes, lfNames, probs, labels, votes } = rows;
  const n = ids.length;
  const k = classes.length;
  const m = votes.m;
  if (probs.length !== n * k || labels.length !== n || votes.n !== n || lfNames.length !== m) {
    throw new RangeError(`label rows disagree in size: ${n} ids, ${probs.length / k} probability rows, ${labels.length} labels, ${votes.n} vote rows`);
  }
  const fd = openSync(path, 'w');
  try {
    let chunk: string[] = [];
    let size = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      const buf = Buffer.from(chunk.join(''), 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      chunk = [];
      size = 0;
    };
    if (format === 'csv') {
      chunk.push(`${['id', ...classes.map((c) => `prob_${c}`), 'label', ...lfNames.map((l) => `vote_${l}`)].map(csvField).join(',')}\n`);
    }
    const p = new Array<number>(k);
    const v = new Array<number>(m);
    const CHUNK_ROWS = 50_000;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) p[c] = probs[i * k + c];
      for (let j = 0; j < m; j++) v[j] = votes.data[i * m + j];
      const line =
        format === 'jsonl'
          ? `${JSON.stringify({ id: ids[i], probs: p, label: labels[i], votes: v })}\n`
          : `${csvField(ids[i])},${p.join(',')},${labels[i]},${v.join(',')}\n`;
      chunk.push(line);
      size += line.length;
      if (size > 1 << 20) flush();
      if ((i + 1) % CHUNK_ROWS === 0) onProgress?.(i + 1, n);
    }
    flush();
    onProgress?.(n, n);
  } finally {
    closeSync(fd);
  }
}

/** RFC 4180 quoting where needed. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
