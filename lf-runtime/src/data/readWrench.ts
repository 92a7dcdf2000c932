/**
 * WRENCH benchmark splits: `{"<id>": {"label": int, "weak_labels": [int...], "data": {"text": str, ...}}}`.
 * The key is the row id, `data` holds the fields, `label` the gold label, and `weak_labels` the votes of the
 * benchmark's own LFs, kept as an n x m matrix for label-model work.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DatasetBuilder, describeValue } from './datasetBuilder.ts';
import type { ReadOptions } from './datasetBuilder.ts';
import { JsonParseError, parseJsonWithLocation } from './jsonSyntax.ts';
import { DataError } from './types.ts';
import type { Dataset } from './types.ts';

/** Parses WRENCH JSON text already read from `file` (BOM removed). */
export function parseWrenchDataset(text: string, file: string, options: ReadOptions = {}): Dataset {
  const root = parseJsonOrThrow(text, file);
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new DataError(
      file,
      null,
      `expected a WRENCH object {"<id>": {"label": ..., "data": {...}}} at the top level, found ${describeValue(root)}; ` +
        'for one JSON object per line use the .jsonl extension',
    );
  }
  // WRENCH keeps ids as keys, so the idField option does not apply here.
  const builder: DatasetBuilder = new DatasetBuilder(file, { ...options, idField: null });
  const labelField = builder.labelField;
  const votes: number[] = [];
  let m = -1;
  let firstWithVotes = '';

  for (const [key, record] of Object.entries(root as Record<string, unknown>)) {
    const origin = { location: key, describe: `record "${key}"` };
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      builder.fail(origin, `record "${key}" must be an object with "data" and "label", found ${describeValue(record)}`);
    }
    const { data, label, weak_labels: weak } = record as Record<string, unknown>;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      builder.fail(
        origin,
        data === undefined
          ? `record "${key}" has no "data" object; WRENCH records look like {"label": 0, "data": {"text": "..."}}`
          : `record "${key}": "data" must be an object, found ${describeValue(data)}`,
      );
    }
    const fields = data as Record<string, unknown>;
    // A label copied into the data would be visible to LFs; drop it.
    if (labelField in fields) delete fields[labelField];

    if (weak !== undefined) {
      if (!Array.isArray(weak)) builder.fail(origin, `record "${key}": "weak_labels" must be an array of integers, found ${describeValue(weak)}`);
      if (m === -1) {
        if (builder.size > 0) builder.fail(origin, `record "${key}" has "weak_labels" but earlier records do not; every record needs the same LF columns`);
        m = weak.length;
        firstWithVotes = key;
      } else if (weak.length !== m) {
        builder.fail(
          origin,
          `record "${key}" has ${weak.length} weak labels but record "${firstWithVotes}" has ${m}; every record needs the same LF columns`,
        );
      }
      for (const v of weak) {
        if (!Number.isInteger(v) || (v as number) < -1 || (v as number) > 127) {
          builder.fail(origin, `record "${key}": weak label ${describeValue(v)} is not -1 (abstain) or a class id 0..127`);
        }
        votes.push(v as number);
      }
    } else if (m !== -1) {
      builder.fail(origin, `record "${key}" has no "weak_labels" but record "${firstWithVotes}" has; every record needs the same LF columns`);
    }
    builder.add(origin, fields, label, key);
  }
  return builder.finish(m === -1 ? null : { m, data: Int8Array.from(votes) });
}

/** Class names from a WRENCH `label.json` ({"0": "HAM", "1": "SPAM"}), in class-id order. */
export async function readWrenchLabelNames(datasetDir: string): Promise<string[]> {
  const file = join(datasetDir, 'label.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DataError(file, null, 'file not found; a WRENCH dataset folder has label.json beside its splits');
  }
  const parsed = parseJsonOrThrow(text, file);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DataError(file, null, 'expected an object mapping class ids to names, e.g. {"0": "HAM", "1": "SPAM"}');
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  const names: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const name = (parsed as Record<string, unknown>)[String(i)];
    if (typeof name !== 'string') throw new DataError(file, null, `class id ${i} has no name; ids must run 0..${entries.length - 1}`);
    names.push(name);
  }
  return names;
}

/** Path of a split in a WRENCH folder, e.g. wrenchSplitPath('data/youtube', 'train'). */
export function wrenchSplitPath(datasetDir: string, split: 'train' | 'valid' | 'test'): string {
  return join(datasetDir, `${split}.json`);
}

/** The folder a split file belongs to (where label.json lives). */
export function wrenchDatasetDir(splitPath: string): string {
  return dirname(splitPath);
}

function parseJsonOrThrow(text: string, file: string): unknown {
  try {
    return parseJsonWithLocation(text);
  } catch (err) {
    if (err instanceof JsonParseError) {
      const { line, column, message } = err.location;
      throw new DataError(file, `${line}:${column}`, `invalid JSON: ${message}`);
    }
    throw err;
  }
}
