/**
 * CSV datasets: a header row names the columns; every column becomes a field except the label column,
 * which becomes the gold label. Row ids are the idField value or the 1-based record number. Columns get
 * pandas' read_csv types (see typeColumns).
 */
import { csvDelimiter, CsvSyntaxError, delimiterName, parseCsv } from './csvParser.ts';
import type { CsvRecord } from './csvParser.ts';
import { DatasetBuilder, DEFAULT_TEXT_FIELD } from './datasetBuilder.ts';
import type { ReadOptions } from './datasetBuilder.ts';
import { exactInteger, integerColumn } from './exactIntegers.ts';
import { DataError } from './types.ts';
import type { Dataset } from './types.ts';

/** Parses CSV text already read from `file` (BOM removed). */
export function parseCsvDataset(text: string, file: string, options: ReadOptions = {}): Dataset {
  let records: CsvRecord[];
  const delimiter = csvDelimiter(text, file);
  try {
    records = parseCsv(text, delimiter);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new DataError(file, String(err.line), err.problem);
    throw err;
  }
  if (records.length === 0) throw new DataError(file, null, 'the file is empty; expected a header row naming the columns');
  const builder = new DatasetBuilder(file, options);
  const header = records[0];
  const columns = checkHeader(file, header);
  const columnList = columns.map((c) => `"${c}"`).join(', ');

  if (!columns.includes(builder.textField) && builder.textField !== DEFAULT_TEXT_FIELD) {
    throw new DataError(
      file,
      String(header.line),
      `no "${builder.textField}" column; the columns are ${columnList}. Set ${builder.textFieldSetting} to the column that holds the text.`,
    );
  }
  if (builder.idField !== null && !columns.includes(builder.idField)) {
    throw new DataError(file, String(header.line), `no id column "${builder.idField}"; the columns are ${columnList}`);
  }
  const labelIndex = columns.indexOf(builder.labelField);
  const rowsFields: Record<string, unknown>[] = [];
  // A line of nothing but spaces is blank to pandas too (an editing accident, not a record of one field), in a
  // file of any number of columns; quoted ("   "), it is a value.
  if (records.some((rec, i) => i > 0 && rec.spacesOnly)) records = records.filter((rec, i) => i === 0 || !rec.spacesOnly);

  for (let r = 1; r < records.length; r++) {
    const { line, fields: values } = records[r];
    if (values.length !== columns.length) {
      throw new DataError(
        file,
        String(line),
        `record has ${values.length} field${values.length === 1 ? '' : 's'} but the header has ${columns.length} columns (${columnList}); ` +
          `quote fields that contain ${delimiterName(delimiter)} or line breaks`,
      );
    }
    const fields: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) {
      if (c !== labelIndex) fields[columns[c]] = values[c];
    }
    rowsFields.push(fields);
    const rawGold = labelIndex === -1 ? undefined : values[labelIndex];
    builder.add({ location: String(line), describe: `line ${line}` }, fields, rawGold, String(r));
  }
  if (builder.size === 0) throw new DataError(file, null, 'the file has a header row but no data rows');
  builder.floatFields(typeColumns(rowsFields, columns.filter((c) => builder.typedField(c))));
  return builder.finish();
}

// Numbers may have spaces around them ("1, 5, 2.5" written with a space after each comma): pandas reads " 5"
// as 5 (booleans and missing markers it takes only exactly as written).
const INT = /^[ \t\n\v\f\r]*[+-]?\d+[ \t\n\v\f\r]*$/;
const FLOAT = /^[ \t\n\v\f\r]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ \t\n\v\f\r]*$/;
/**
 * Infinities as pandas reads them (inf, -Infinity, INF, ...: what df.to_csv() writes for a division by zero);
 * with spaces around them pandas keeps them as strings.
 */
const INF = /^([+-]?)(inf|infinity)$/i;

/** A CSV number's value: Number() for the rest, but it reads neither "inf" nor "INFINITY". */
function csvNumber(v: string): number {
  const inf = INF.exec(v);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return Number(v);
}
/** pandas' default na_values (pandas 2; "None" is new there), which read_csv reads as NaN. */
const MISSING = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

/**
 * Column types as pandas' read_csv gives them, so LFs written against a DataFrame see the same values: a
 * column whose values are all integers holds ints, all numbers floats, all True/False booleans; pandas' missing
 * markers ("", NA, NaN, null, ...) are NaN in every column, as pandas gives them, so `x.age > 30` is False
 * there, `math.isnan(x.age)` and `pd.isna(x.category)` work, and `x.category or x.other` picks what pandas'
 * would. A column of numbers is float64 in pandas, every value a float (2.0, not 2), when one of its values is
 * written with a point or an exponent (2.0, 2.5, 1e3) or one is missing; its name is in the returned set (the
 * rows' `floats`). A column of integers some of which a double cannot hold (2^53 or more) is pandas' int64
 * or uint64, exactly (exactIntegers.ts), or strings beyond those. Other values of a column that is not all
 * numbers or booleans (a number too large for a double, 1e400, included, as pandas keeps it) stay strings.
 * The text field is left as it is: "" where empty (the id field is typed; rows took their ids before).
 */
function typeColumns(rows: Record<string, unknown>[], columns: string[]): Set<string> {
  const floatColumns = new Set<string>();
  for (const c of columns) {
    let ints = true;
    // Written as integers, whether or not a double holds them exactly (pandas keeps int64 for those).
    let intForm = true;
    let floats = true;
    let bools = true;
    let present = 0;
    let missing = false;
    for (const r of rows) {
      const v = r[c] as string;
      if (MISSING.has(v)) {
        missing = true;
        continue;
      }
      present++;
      if (intForm && !INT.test(v)) intForm = ints = false;
      if (ints && !Number.isSafeInteger(Number(v))) ints = false;
      // pandas keeps a column with a number too large for a double (1e400) as strings, and one with an integer
      // beyond int64 and uint64, even beside a float or a missing value.
      if (floats && !((FLOAT.test(v) && Number.isFinite(Number(v))) || INF.test(v))) floats = false;
      if (floats && INT.test(v) && exactInteger(v) === null) floats = false;
      if (bools && v !== 'True' && v !== 'False' && v !== 'true' && v !== 'false' && v !== 'TRUE' && v !== 'FALSE') bools = false;
      if (!intForm && !floats && !bools) break;
    }
    // Integers, some beyond a double's: int64 or uint64 held exactly, or strings, as pandas keeps them.
    if (present > 0 && intForm && !ints && !missing) {
      const exact = integerColumn(rows.map((r) => r[c] as string));
      if (exact !== null) rows.forEach((r, i) => (r[c] = exact[i]));
      continue;
    }
    const typed = present > 0 && (ints || floats || bools);
    if (typed && !bools && (!intForm || missing)) floatColumns.add(c);
    for (const r of rows) {
      const v = r[c] as string;
      if (MISSING.has(v)) r[c] = Number.NaN;
      else if (!typed) continue;
      else if (bools) r[c] = v.toLowerCase() === 'true';
      else r[c] = csvNumber(v);
    }
  }
  return floatColumns;
}

/**
 * The column names as pandas' read_csv gives them: a column without a name (the index `df.to_csv()` writes, an
 * empty column Excel leaves at the end) is "Unnamed: <position from 0>", and a repeated name gets ".1", ".2"...
 */
function checkHeader(file: string, header: CsvRecord): string[] {
  const names = header.fields.map((raw, i) => raw.trim() || `Unnamed: ${i}`);
  const written = new Set(names);
  const counts = new Map<string, number>();
  return names.map((name) => {
    let col = name;
    let seen = counts.get(col) ?? 0;
    while (seen > 0) {
      // As pandas: "text.1" is skipped when the header has a column of that name.
      counts.set(name, seen + 1);
      col = `${name}.${seen}`;
      seen = written.has(col) ? seen + 1 : (counts.get(col) ?? 0);
    }
    counts.set(col, seen + 1);
    return col;
  });
}
