/**
 * Gold labels the user gives rows in the editor (the examples view), kept in one append-only JSON Lines file
 * of the project (`data.labels` in lfstudio.json, `.lfstudio/labels.jsonl` by default). Each line records one
 * decision: {"split": "sample" | "dev", "id": "<row id>", "label": <class id> | null}; the last line for a row
 * wins and `null` takes a label back (how undo is written). Appending never rewrites what is there, so the
 * file is also the history of every labeling decision.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Dataset } from '../data/types.ts';

export const DEFAULT_GOLD_LABELS_FILE = '.lfstudio/labels.jsonl';

export type GoldSplit = 'sample' | 'dev';

export interface GoldLabelEntry {
  split: GoldSplit;
  id: string;
  /** Class id, or null to take the row's label back. */
  label: number | null;
}

/** The labels in force: per split, row id -> class id (entries taken back are absent). */
export interface GoldLabels {
  sample: Map<string, number>;
  dev: Map<string, number>;
}

export interface GoldLabelsRead {
  labels: GoldLabels;
  /** Lines that could not be used, each with its 1-based line number and why (shown, never dropped silently). */
  problems: { line: number; message: string }[];
}

export function emptyGoldLabels(): GoldLabels {
  return { sample: new Map(), dev: new Map() };
}

/** Parses the file's text; a missing file is no labels. `k` is the number of classes. */
export function parseGoldLabels(text: string, k: number): GoldLabelsRead {
  const labels = emptyGoldLabels();
  const problems: { line: number; message: string }[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ line: i + 1, message: 'not a JSON object; each line must be {"split": "sample", "id": "...", "label": 0}' });
      return;
    }
    const entry = checkEntry(value, k);
    if (typeof entry === 'string') {
      problems.push({ line: i + 1, message: entry });
      return;
    }
    if (entry.label === null) labels[entry.split].delete(entry.id);
    else labels[entry.split].set(entry.id, entry.label);
  });
  return { labels, problems };
}

function checkEntry(value: unknown, k: number): GoldLabelEntry | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (v.split !== 'sample' && v.split !== 'dev') return `"split" must be "sample" or "dev", found ${JSON.stringify(v.split)}`;
  // A hand-edited file may write a numeric id: row ids are strings, so 7 means "7".
  const id = typeof v.id === 'number' && Number.isFinite(v.id) ? String(v.id) : v.id;
  if (typeof id !== 'string' || id === '') return '"id" must be the row id (a non-empty string)';
  if (v.label !== null && !(Number.isInteger(v.label) && (v.label as number) >= 0 && (v.label as number) < k)) {
    return `"label" must be a class id 0..${k - 1} or null, found ${JSON.stringify(v.label)}`;
  }
  return { split: v.split, id, label: v.label as number | null };
}

export async function readGoldLabels(file: string, k: number): Promise<GoldLabelsRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { labels: emptyGoldLabels(), problems: [] };
    throw err;
  }
  return parseGoldLabels(text, k);
}

/** Appends decisions (creating the folder and file when needed). */
export async function appendGoldLabels(file: string, entries: readonly GoldLabelEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, entries.map((e) => JSON.stringify({ split: e.split, id: e.id, label: e.label }) + '\n').join(''), 'utf8');
}

/** Applies one decision to the labels in memory, as reading the appended line back would. */
export function applyGoldLabel(labels: GoldLabels, entry: GoldLabelEntry): void {
  if (entry.label === null) labels[entry.split].delete(entry.id);
  else labels[entry.split].set(entry.id, entry.label);
}

/**
 * Gold per row of a dataset: the user's label where there is one, else the data file's own. Also says which
 * rows carry a label the user gave.
 */
export function goldWithUserLabels(data: Dataset, user: Map<string, number>): { gold: Int32Array; fromUser: Uint8Array } {
  const n = data.rows.length;
  const gold = new Int32Array(n).fill(-1);
  const fromUser = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = user.get(data.rows[i].id);
    if (u !== undefined) {
      gold[i] = u;
      fromUser[i] = 1;
    } else {
      const g = data.gold?.[i];
      if (g !== null && g !== undefined) gold[i] = g;
    }
  }
  return { gold, fromUser };
}
