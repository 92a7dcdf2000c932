/**
 * Entry point for loading example data: picks the reader by file extension and turns file-system failures
 * into DataErrors that say what to do.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { ReadOptions } from './datasetBuilder.ts';
import { parseCsvDataset } from './readCsv.ts';
import { parseJsonlDataset } from './readJsonl.ts';
import { parseJsonDataset } from './readJson.ts';
import { parseWrenchDataset } from './readWrench.ts';
import { DataError } from './types.ts';
import { decodeUtf8, invalidUtf8Message } from './utf8.ts';
import type { Dataset } from './types.ts';

export type { ReadOptions } from './datasetBuilder.ts';

export type DataFormat = 'json' | 'csv' | 'jsonl';

/** Extensions readDataset understands, for messages and for the project-file check. */
export const SUPPORTED_DATA_EXTENSIONS: Readonly<Record<string, DataFormat>> = {
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format a path will be read as, or null when its extension is not supported. */
export function dataFormatOf(path: string): DataFormat | null {
  return SUPPORTED_DATA_EXTENSIONS[extname(path).toLowerCase()] ?? null;
}

/**
 * Reads a dataset: `.json` as a WRENCH split or a pandas `to_json` table (readJson.ts), `.csv` or `.tsv` with a header row, `.jsonl`/`.ndjson` as one object per
 * line. Throws DataError (with file and line or record) for anything it cannot use.
 */
export async function readDataset(path: string, options: ReadOptions = {}): Promise<Dataset> {
  const file = resolve(path);
  const format = dataFormatOf(file);
  if (format === null) {
    throw new DataError(file, null, unsupportedTypeMessage(file));
  }
  const text = await readTextFile(file);
  switch (format) {
    case 'json':
      return parseJsonDataset(text, file, options);
    case 'csv':
      return parseCsvDataset(text, file, options);
    case 'jsonl':
      return parseJsonlDataset(text, file, options);
  }
}

const COMPRESSED: Readonly<Record<string, string>> = { '.gz': 'gunzip -k', '.bz2': 'bunzip2 -k', '.xz': 'unxz -k', '.zst': 'unzstd', '.zip': 'unzip' };
/** pandas readers of table formats a user may hold the data in, to convert it in one line. */
const PANDAS_READERS: Readonly<Record<string, string>> = {
  '.parquet': 'read_parquet',
  '.pq': 'read_parquet',
  '.feather': 'read_feather',
  '.arrow': 'read_feather',
  '.orc': 'read_orc',
  '.xlsx': 'read_excel',
  '.xls': 'read_excel',
  '.pkl': 'read_pickle',
  '.pickle': 'read_pickle',
};

/** Which types are read, and for a compressed file or another table format, the one line that converts it. */
export function unsupportedTypeMessage(file: string): string {
  const hint = conversionHint(file);
  return `unsupported file type "${extname(file) || '(no extension)'}"; use ${Object.keys(SUPPORTED_DATA_EXTENSIONS).join(', ')}${hint ? `: ${hint}` : ''}`;
}

/** For a compressed data file or a table format pandas reads: how to turn it into one read here; else null. */
export function conversionHint(file: string): string | null {
  const ext = extname(file).toLowerCase();
  const inner = file.slice(0, file.length - ext.length);
  if (COMPRESSED[ext] && dataFormatOf(inner)) return `decompress it first (${COMPRESSED[ext]} ${shellQuote(file)}) and point at ${shellQuote(inner)}`;
  const reader = PANDAS_READERS[ext];
  if (!reader) return null;
  const out = `${inner}.jsonl`;
  const code = `import pandas as pd; pd.${reader}(${pyQuote(file)}).to_json(${pyQuote(out)}, orient="records", lines=True, force_ascii=False)`;
  return `convert it with pandas (python3 -c ${shellQuote(code)}) and point at ${shellQuote(out)}`;
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const pyQuote = (s: string) => JSON.stringify(s);

/** Reads one WRENCH split (train.json, valid.json, test.json), whatever its extension. */
export async function readWrenchSplit(path: string, options: ReadOptions = {}): Promise<Dataset> {
  const file = resolve(path);
  return parseWrenchDataset(await readTextFile(file), file, options);
}

/**
 * UTF-8 text of a data file with any byte-order mark removed; missing, unreadable, empty and non-UTF-8
 * files throw (the last naming the first bad line and how to convert the file).
 */
export async function readTextFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new DataError(file, null, 'is a folder, not a data file; point at a .json, .csv or .jsonl file');
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(file, null, 'file not found; check the path (relative paths start at the workspace root)');
    if (code === 'EACCES' || code === 'EPERM') throw new DataError(file, null, 'permission denied; make the file readable');
    throw new DataError(file, null, `cannot read the file (${err instanceof Error ? err.message : String(err)})`);
  }
  const decoded = decodeUtf8(bytes);
  if ('invalid' in decoded) {
    const bad = decoded.invalid;
    throw new DataError(file, bad.utf16 ? null : `${bad.line}:${bad.column}`, invalidUtf8Message(file, bad));
  }
  const text = decoded.text;
  if (text.trim() === '') throw new DataError(file, null, 'the file is empty; it needs at least one row of data');
  return text;
}
