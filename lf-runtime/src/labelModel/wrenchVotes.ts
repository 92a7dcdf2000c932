/**
 * Reads only what label-model evaluation needs from a WRENCH split: the `weak_labels` matrix and the gold
 * `label` per row. The gold labels are returned separately and never reach a fit, only the evaluation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../data/types.ts';
import type { VoteMatrix } from './types.ts';

export interface WrenchVotes {
  file: string;
  L: VoteMatrix;
  gold: number[];
  ids: string[];
}

export interface WrenchTask {
  dir: string;
  /** Class names by id, from label.json when present. */
  classNames: string[];
  k: number;
}

function parseJsonFile(file: string): unknown {
  if (!existsSync(file)) throw new DataError(file, null, 'file not found; a WRENCH directory holds train.json and test.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(file, null, `not valid JSON (${(e as Error).message}); fix the file or re-export it`);
  }
}

/** Class names from label.json, or class ids 0..k-1 inferred from the splits' labels and votes. */
export function readWrenchTask(dir: string, splits: WrenchVotes[]): WrenchTask {
  const labelFile = join(dir, 'label.json');
  if (existsSync(labelFile)) {
    const raw = parseJsonFile(labelFile);
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      const entries = Object.entries(raw as Record<string, unknown>);
      const names: string[] = [];
      for (const [id, name] of entries) {
        const c = Number(id);
        if (!Number.isInteger(c) || c < 0) {
          throw new DataError(labelFile, id, 'class ids must be non-negative integers, e.g. {"0": "ham", "1": "spam"}');
        }
        names[c] = String(name);
      }
      const k = names.length;
      for (let c = 0; c < k; c++) names[c] ??= String(c);
      if (k >= 2) return { dir, classNames: names, k };
    }
    throw new DataError(labelFile, null, 'expected an object mapping at least two class ids to names');
  }
  let maxClass = 1;
  for (const s of splits) {
    for (const g of s.gold) maxClass = Math.max(maxClass, g);
    for (const v of s.L.data) maxClass = Math.max(maxClass, v);
  }
  return { dir, classNames: Array.from({ length: maxClass + 1 }, (_, c) => String(c)), k: maxClass + 1 };
}

/** Reads `{id: {label, weak_labels, data}}`; every row must have the same number of LFs. */
export function readWrenchVotes(file: string): WrenchVotes {
  const raw = parseJsonFile(file);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DataError(file, null, 'expected a JSON object {"<id>": {"label", "weak_labels", "data"}}');
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new DataError(file, null, 'the split has no rows');
  let m = -1;
  const ids: string[] = [];
  const gold: number[] = [];
  let data = new Int8Array(0);
  entries.forEach(([id, rec], i) => {
    const r = rec as { label?: unknown; weak_labels?: unknown } | null;
    if (!r || typeof r !== 'object' || !Array.isArray(r.weak_labels)) {
      throw new DataError(file, id, 'record has no "weak_labels" array; WRENCH rows carry the LF votes there');
    }
    const votes = r.weak_labels as unknown[];
    if (m < 0) {
      m = votes.length;
      data = new Int8Array(entries.length * m);
    } else if (votes.length !== m) {
      throw new DataError(file, id, `"weak_labels" has ${votes.length} votes but earlier rows have ${m}; every row needs one vote per LF`);
    }
    for (let j = 0; j < m; j++) {
      const v = votes[j];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -1 || v > 127) {
        throw new DataError(file, id, `vote ${JSON.stringify(v)} of LF ${j} is not a class id or -1 (abstain)`);
      }
      data[i * m + j] = v;
    }
    const label = r.label;
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0) {
      throw new DataError(file, id, `"label" ${JSON.stringify(label)} is not a class id; evaluation needs gold labels`);
    }
    ids.push(id);
    gold.push(label);
  });
  return { file, L: { n: entries.length, m, data }, gold, ids };
}
