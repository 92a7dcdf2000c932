/**
 * WRENCH benchmark splits: `{"<id>": {"label": int, "weak_labels": [int...], "data": {"text": str, ...}}}`.
 * The key is the row id (unless an idField names a field of `data` to use instead), `data` holds the
 * fields, `label` the gold label, and `weak_labels` the votes of the benchmark's own LFs, kept as an n x m
 * matrix for label-model work. The JSON is read strictly (jsonSyntax.ts): a repeated key, which JSON.parse
 * would silently collapse into one row, is an error naming the key and its lines. A null or missing number in
 * `data` is NaN, as pandas gives it (DatasetBuilder.missingNumbersAsNaN).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DatasetBuilder, describeValue } from './datasetBuilder.ts';
import type { ReadOptions } from './datasetBuilder.ts';
import { JsonParseError, parseStrictJson, placesList, timesWord } from './jsonSyntax.ts';
import { DataError } from './types.ts';
import { decodeUtf8, invalidUtf8Message } from './utf8.ts';
import type { Dataset } from './types.ts';

/**
 * Parses WRENCH JSON text already read from `file` (BOM removed). Row ids are the keys, or, when
 * `options.idField` is set, that field of each record's `data` (which must then be unique).
 */
export function parseWrenchDataset(text: string, file: string, options: ReadOptions = {}): Dataset {
  return parseWrenchRoot(parseJsonOrThrow(text, file, { key: 'record', lost: 'row' }), file, options);
}

/** A WRENCH split already parsed from `file`. */
export function parseWrenchRoot(root: unknown, file: string, options: ReadOptions = {}): Dataset {
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new DataError(
      file,
      null,
      `expected a WRENCH object {"<id>": {"label": ..., "data": {...}}} at the top level, found ${describeValue(root)}; ` +
        'for one JSON object per line use the .jsonl extension',
    );
  }
  const builder: DatasetBuilder = new DatasetBuilder(file, options, true);
  const labelField = builder.labelField;
  const records = root as Record<string, unknown>;
  const keys = Object.keys(records);
  // Weak labels go straight into the n x m matrix once the first record gives m.
  let votes: Int8Array | null = null;
  let m = -1;
  let firstWithVotes = '';

  for (let r = 0; r < keys.length; r++) {
    const key = keys[r];
    const record = records[key];
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
        votes = new Int8Array(keys.length * m);
      } else if (weak.length !== m) {
        builder.fail(
          origin,
          `record "${key}" has ${weak.length} weak labels but record "${firstWithVotes}" has ${m}; every record needs the same LF columns`,
        );
      }
      const offset = r * m;
      for (let j = 0; j < m; j++) {
        const v: unknown = weak[j];
        if (!Number.isInteger(v) || (v as number) < -1 || (v as number) > 127) {
          builder.fail(origin, `record "${key}": weak label ${describeValue(v)} is not -1 (abstain) or a class id 0..127`);
        }
        (votes as Int8Array)[offset + j] = v as number;
      }
    } else if (m !== -1) {
      builder.fail(origin, `record "${key}" has no "weak_labels" but record "${firstWithVotes}" has; every record needs the same LF columns`);
    }
    builder.add(origin, fields, label, key);
  }
  builder.missingNumbersAsNaN();
  return builder.finish(m === -1 || votes === null ? null : { m, data: votes });
}

/** Class names from a WRENCH `label.json` ({"0": "HAM", "1": "SPAM"}), in class-id order. */
export async function readWrenchLabelNames(datasetDir: string): Promise<string[]> {
  const file = join(datasetDir, 'label.json');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new DataError(file, null, 'file not found; a WRENCH dataset folder has label.json beside its splits');
  }
  const decoded = decodeUtf8(bytes);
  if ('invalid' in decoded) throw new DataError(file, `${decoded.invalid.line}:${decoded.invalid.column}`, invalidUtf8Message(file, decoded.invalid));
  const parsed = parseJsonOrThrow(decoded.text, file, { key: 'class id', lost: 'class name' });
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

/**
 * Strict JSON or a DataError at the line and column of the problem. A key repeated at the top level is a
 * repeated record id in a split (a class id in label.json), worded as such.
 */
export function parseJsonOrThrow(text: string, file: string, topLevel: { key: string; lost: string }): unknown {
  try {
    return parseStrictJson(text);
  } catch (err) {
    if (!(err instanceof JsonParseError)) throw err;
    const { line, column, message } = err.location;
    const location = `${line}:${column}`;
    const top = err.duplicates.find((d) => d.path.length === 0);
    if (top) {
      const others = err.duplicates.length - 1;
      throw new DataError(
        file,
        `${top.lines[1]}:${top.columns[1]}`,
        `${topLevel.key} ${JSON.stringify(top.key)} appears ${timesWord(top.lines.length)} (${placesList(top)}); ` +
          `JSON keeps only the last, so ${top.lines.length - 1} ${topLevel.lost}${top.lines.length === 2 ? '' : 's'} would be dropped without a word. ` +
          `Give each ${topLevel.key} its own key, or remove the copies${others > 0 ? ` (${others} more key${others === 1 ? ' is' : 's are'} repeated too)` : ''}`,
      );
    }
    if (err.location.kind === 'depth') throw new DataError(file, location, `at line ${line}, column ${column}: ${message}`);
    if (err.location.kind === 'duplicate-key') throw new DataError(file, location, message);
    throw new DataError(file, location, `invalid JSON: ${message}`);
  }
}
