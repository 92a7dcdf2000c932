/**
 * JSON Lines datasets: one JSON object per line, blank lines skipped. Row ids are the idField value or the
 * 1-based line number, so an id always leads back to the line in the file. A null or missing number is NaN,
 * as pandas gives it (DatasetBuilder.missingNumbersAsNaN).
 */
import { visit } from 'jsonc-parser';
import { DatasetBuilder, describeValue } from './datasetBuilder.ts';
import type { ReadOptions } from './datasetBuilder.ts';
import { countPropertyNames, duplicateKeyError, JsonParseError, parseCountingKeys, timesWord } from './jsonSyntax.ts';
import { DataError } from './types.ts';
import type { Dataset } from './types.ts';

/**
 * Parses JSONL text already read from `file` (BOM removed). Each line is strict JSON (see jsonSyntax.ts);
 * a key repeated within a line is an error like in a WRENCH file, found by comparing the keys parsed with
 * the names in the whole text once, after the last line.
 */
export function parseJsonlDataset(text: string, file: string, options: ReadOptions = {}): Dataset {
  const builder = new DatasetBuilder(file, options);
  const labelField = builder.labelField;
  let keys = 0;
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
      const parsed = parseCountingKeys(line);
      value = parsed.value;
      keys += parsed.keys;
    } catch (err) {
      if (!(err instanceof JsonParseError)) throw err;
      const { column, kind } = err.location;
      // The parser saw this line alone: its "line 1" is this line.
      const message = err.location.message.replace(/\bat line 1, column (\d+)/g, 'at column $1');
      if (kind === 'syntax') {
        const engine = err.engineMessage === null ? '' : ` (${err.engineMessage})`;
        throw new DataError(file, location, `line ${lineNumber} is not valid JSON at column ${column}: ${message}${engine}; each line must hold one JSON object`);
      }
      throw new DataError(file, location, `at line ${lineNumber}, column ${column}: ${message}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DataError(file, location, `line ${lineNumber} holds ${describeValue(value)}, not a JSON object; each line must hold one object such as {"text": "..."}`);
    }
    const fields = value as Record<string, unknown>;
    const rawGold = fields[labelField];
    if (rawGold !== undefined) delete fields[labelField];
    const id = builder.idField === null ? undefined : fields[builder.idField];
    // An integer id beyond 2^53 lost digits in JSON.parse: take it as written (rare, so the line is read again).
    const idDigits = typeof id === 'number' && Math.abs(id) >= 2 ** 53 ? integerAsWritten(line, builder.idField as string) : undefined;
    builder.add({ location, describe: `line ${lineNumber}` }, fields, rawGold, location, idDigits);
  }
  if (keys !== countPropertyNames(text)) failOnRepeatedKey(text, file);
  builder.missingNumbersAsNaN();
  return builder.finish();
}

/** The digits of the top-level `key`'s value in the JSON object `line` when it is an integer literal (the last, as JSON.parse takes it). */
function integerAsWritten(line: string, key: string): string | undefined {
  let depth = 0;
  let property: string | null = null;
  let digits: string | undefined;
  visit(line, {
    onObjectBegin: () => void depth++,
    onObjectEnd: () => void depth--,
    onArrayBegin: () => void depth++,
    onArrayEnd: () => void depth--,
    onObjectProperty: (name) => {
      if (depth === 1) property = name;
    },
    onLiteralValue: (_value, offset, length) => {
      if (depth === 1 && property === key) {
        const literal = line.slice(offset, offset + length);
        digits = /^-?\d+$/.test(literal) ? literal : undefined;
      }
    },
  });
  return digits;
}

/** Finds the first line with a repeated key and throws a DataError naming it (no-op if there is none). */
function failOnRepeatedKey(text: string, file: string): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const error = duplicateKeyError(lines[i]);
    if (error === null) continue;
    const dup = error.duplicates[0];
    const where = dup.path.length === 0 ? '' : ` in ${dup.path.map((p) => JSON.stringify(String(p))).join(' > ')}`;
    throw new DataError(
      file,
      String(i + 1),
      `line ${i + 1} has the key ${JSON.stringify(dup.key)}${where} ${timesWord(dup.columns.length)} (columns ${dup.columns.join(', ')}); ` +
        'JSON keeps only the last value, so the others would be lost without a word: rename or remove the copies',
    );
  }
}
