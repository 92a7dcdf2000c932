/**
 * JSON Lines datasets: one JSON object per line, blank lines skipped. Row ids are the idField value or the
 * 1-based line number, so an id always leads back to the line in the file.
 */
import { DatasetBuilder, describeValue } from './datasetBuilder.ts';
import type { ReadOptions } from './datasetBuilder.ts';
import { DataError } from './types.ts';
import type { Dataset } from './types.ts';

/** Parses JSONL text already read from `file` (BOM removed). */
export function parseJsonlDataset(text: string, file: string, options: ReadOptions = {}): Dataset {
  const builder = new DatasetBuilder(file, options);
  const labelField = builder.labelField;
  let start = 0;
  let lineNumber = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNumber++;
    // Tolerate CRLF files.
    const lineEnd = end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
    const line = text.slice(start, lineEnd);
    start = end + 1;
    if (line.trim() === '') continue;

    const location = String(lineNumber);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new DataError(file, location, `line ${lineNumber} is not valid JSON (${message}); each line must hold one JSON object`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DataError(file, location, `line ${lineNumber} holds ${describeValue(value)}, not a JSON object; each line must hold one object such as {"text": "..."}`);
    }
    const fields = value as Record<string, unknown>;
    const rawGold = fields[labelField];
    if (rawGold !== undefined) delete fields[labelField];
    builder.add({ location, describe: `line ${lineNumber}` }, fields, rawGold, location);
  }
  return builder.finish();
}
