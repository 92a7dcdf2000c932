/**
 * `.json` data in the shapes people have: a WRENCH split, and what pandas writes with `DataFrame.to_json`:
 * - `orient="records"`: an array of row objects `[{"text": ..., "label": ...}, ...]`; ids are the 1-based
 *   position (as a CSV record number or a JSONL line number);
 * - `orient="records", lines=True` saved as `.json`: one object per line, read exactly as a `.jsonl` file
 *   (one line of plain values is one row);
 * - `orient="index"`: `{"<id>": {"text": ...}}`, a WRENCH split without "data": ids are the keys;
 * - `orient="columns"` (pandas' default): `{"text": {"<id>": ...}, "label": {"<id>": ...}}`: ids are the
 *   inner keys;
 * - `orient="split"`: `{"columns": [...], "index": [...], "data": [[...]]}`: ids from "index";
 * - `orient="table"`: `{"schema": {...}, "data": [{...}]}`: ids from the schema's single primary key, which
 *   is then no field of the row (pandas makes it the index).
 * "index" and "columns" look alike (an object of objects): the text field (`text` unless set) decides: a key
 * of the inner objects means rows by id, an outer key means columns; failing both, the side with fewer keys
 * is taken for the columns.
 * Every shape goes through the same DatasetBuilder checks, and nulls in number fields become NaN as pandas
 * reads them.
 */
import { DatasetBuilder, describeValue, type ReadOptions, type RowOrigin } from './datasetBuilder.ts';
import { parseJsonlDataset } from './readJsonl.ts';
import { parseJsonOrThrow, parseWrenchRoot } from './readWrench.ts';
import type { Dataset } from './types.ts';
import { DataError } from './types.ts';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

const SHAPES =
  'a WRENCH split {"<id>": {"label": ..., "data": {...}}}, an array of row objects [{"text": ...}], ' +
  'one object per line, or what pandas DataFrame.to_json writes (orient "records", "index", "columns", "split" or "table")';

/** Parses `.json` text already read from `file` (BOM removed), in whichever of the shapes above it has. */
export function parseJsonDataset(text: string, file: string, options: ReadOptions = {}): Dataset {
  if (isJsonLines(text)) return parseJsonlDataset(text, file, options);
  const root = parseJsonOrThrow(text, file, { key: 'record', lost: 'row' });
  if (Array.isArray(root)) return fromRecords(root, file, options);
  if (!isObject(root)) throw new DataError(file, null, `expected ${SHAPES}; found ${describeValue(root)} at the top level`);
  const values = Object.values(root);
  if (values.some((v) => isObject(v) && isObject(v.data)) || values.length === 0) return parseWrenchRoot(root, file, options);
  if (Array.isArray(root.columns) && Array.isArray(root.data)) return fromSplit(root, file, options);
  if (isObject(root.schema) && Array.isArray(root.data)) return fromTable(root, file, options);
  // One object of plain values: a single row (a one-line to_json(orient="records", lines=True) file).
  if (values.every((v) => !isObject(v))) return fromRecords([root], file, options);
  if (values.every(isObject)) {
    return byColumns(root as Record<string, JsonObject>, options) ? fromColumns(root as Record<string, JsonObject>, file, options) : fromIndex(root, file, options);
  }
  const key = Object.keys(root).find((k) => !isObject(root[k]))!;
  throw new DataError(file, null, `expected ${SHAPES}; the top-level key ${JSON.stringify(key)} holds ${describeValue(root[key])}, not a row or a column`);
}

/**
 * Several JSON values, one per line (`to_json(orient="records", lines=True)`): the first non-blank line is a
 * whole JSON object by itself and something follows it. A pretty-printed file's first line (`{` or
 * `{"0": {`) is not.
 */
function isJsonLines(text: string): boolean {
  const start = text.search(/\S/);
  if (start < 0 || text[start] !== '{') return false;
  const end = text.indexOf('\n', start);
  if (end < 0) return false;
  const first = text.slice(start, end);
  try {
    if (!isObject(JSON.parse(first))) return false;
  } catch {
    return false;
  }
  return /\S/.test(text.slice(end));
}

function addRow(builder: DatasetBuilder, origin: RowOrigin, value: unknown, id: string): void {
  if (!isObject(value)) builder.fail(origin, `${origin.describe} holds ${describeValue(value)}, not an object of fields such as {"text": "..."}`);
  const fields = value;
  const rawGold = fields[builder.labelField];
  if (rawGold !== undefined) delete fields[builder.labelField];
  builder.add(origin, fields, rawGold, id);
}

function finish(builder: DatasetBuilder, file: string): Dataset {
  if (builder.size === 0) throw new DataError(file, null, 'the file contains no rows');
  builder.missingNumbersAsNaN();
  return builder.finish();
}

function fromRecords(records: unknown[], file: string, options: ReadOptions): Dataset {
  const builder = new DatasetBuilder(file, options);
  if (records.length > 0 && records.every(Array.isArray)) {
    // to_json(orient="values"): rows without column names, so no field can be found by name.
    builder.fail(null, 'the file holds rows as arrays of values without column names (pandas to_json(orient="values")); write it with orient="records" (or "split"), so each value has its column\'s name');
  }
  records.forEach((value, i) => addRow(builder, { location: `record ${i + 1}`, describe: `record ${i + 1} of the array` }, value, String(i + 1)));
  return finish(builder, file);
}

function fromIndex(root: JsonObject, file: string, options: ReadOptions): Dataset {
  const builder = new DatasetBuilder(file, options);
  for (const [key, value] of Object.entries(root)) addRow(builder, { location: key, describe: `record "${key}"` }, value, key);
  return finish(builder, file);
}

/** Whether an object of objects holds columns (pandas' default orient) rather than rows keyed by id. */
function byColumns(root: Record<string, JsonObject>, options: ReadOptions): boolean {
  const textField = options.textField ?? 'text';
  const outer = Object.keys(root);
  const firstInner = Object.keys(root[outer[0]]);
  if (firstInner.includes(textField)) return false;
  if (outer.includes(textField)) return true;
  return outer.length < firstInner.length;
}

function fromColumns(root: Record<string, JsonObject>, file: string, options: ReadOptions): Dataset {
  const builder = new DatasetBuilder(file, options);
  const rows = new Map<string, JsonObject>();
  for (const [column, cells] of Object.entries(root)) {
    for (const [id, value] of Object.entries(cells)) {
      let row = rows.get(id);
      if (!row) rows.set(id, (row = {}));
      row[column] = value;
    }
  }
  for (const [id, fields] of rows) addRow(builder, { location: id, describe: `row "${id}"` }, fields, id);
  return finish(builder, file);
}

function fromSplit(root: JsonObject, file: string, options: ReadOptions): Dataset {
  const builder = new DatasetBuilder(file, options);
  const columns = root.columns as unknown[];
  const index = Array.isArray(root.index) ? root.index : null;
  const data = root.data as unknown[];
  columns.forEach((c, j) => {
    if (typeof c !== 'string') builder.fail(null, `"columns" must hold column names, found ${describeValue(c)} at position ${j + 1}`);
  });
  if (index && index.length !== data.length) builder.fail(null, `"index" has ${index.length} entries but "data" has ${data.length} rows; give one index entry per row`);
  const ids = uniqueOrPositions(data.map((_, i) => (index ? String(index[i]) : String(i + 1))));
  data.forEach((cells, i) => {
    const id = ids[i];
    const origin = { location: `row ${i + 1}`, describe: `row ${i + 1} of "data"` };
    if (!Array.isArray(cells) || cells.length !== columns.length) {
      builder.fail(origin, `${origin.describe} must be an array of ${columns.length} values, one per column, found ${describeValue(cells)}`);
    }
    const fields: JsonObject = {};
    columns.forEach((c, j) => (fields[c as string] = (cells as unknown[])[j]));
    addRow(builder, origin, fields, id);
  });
  return finish(builder, file);
}

function fromTable(root: JsonObject, file: string, options: ReadOptions): Dataset {
  const builder = new DatasetBuilder(file, options);
  const primary = (root.schema as JsonObject).primaryKey;
  const key = Array.isArray(primary) && primary.length === 1 && typeof primary[0] === 'string' ? primary[0] : null;
  const data = root.data as unknown[];
  const keyed = key !== null && data.every((v) => isObject(v) && key in v);
  const ids = uniqueOrPositions(data.map((v, i) => (keyed ? String((v as JsonObject)[key!]) : String(i + 1))));
  data.forEach((value, i) => {
    if (keyed) delete (value as JsonObject)[key!];
    addRow(builder, { location: `row ${i + 1}`, describe: `row ${i + 1} of "data"` }, value, ids[i]);
  });
  return finish(builder, file);
}

/** The index values as ids, or the 1-based positions when the index repeats a value (pandas allows that; ids may not). */
function uniqueOrPositions(ids: string[]): string[] {
  return new Set(ids).size === ids.length ? ids : ids.map((_, i) => String(i + 1));
}
