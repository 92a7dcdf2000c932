/**
 * CSV datasets: a header row names the columns; every column becomes a field except the label column,
 * which becomes the gold label. Row ids are the idField value or the 1-based record number.
 */
import { CsvSyntaxError, parseCsv } from './csvParser.ts';
import type { CsvRecord } from './csvParser.ts';
import { DatasetBuilder } from './datasetBuilder.ts';
import type { ReadOptions } from './datasetBuilder.ts';
import { DataError } from './types.ts';
import type { Dataset } from './types.ts';

/** Parses CSV text already read from `file` (BOM removed). */
export function parseCsvDataset(text: string, file: string, options: ReadOptions = {}): Dataset {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new DataError(file, String(err.line), err.problem);
    throw err;
  }
  if (records.length === 0) throw new DataError(file, null, 'the file is empty; expected a header row naming the columns');
  const builder = new DatasetBuilder(file, options);
  const header = records[0];
  const columns = checkHeader(file, header);
  const columnList = columns.map((c) => `"${c}"`).join(', ');

  if (!columns.includes(builder.textField)) {
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

  for (let r = 1; r < records.length; r++) {
    const { line, fields: values } = records[r];
    if (values.length !== columns.length) {
      throw new DataError(
        file,
        String(line),
        `record has ${values.length} field${values.length === 1 ? '' : 's'} but the header has ${columns.length} columns (${columnList}); ` +
          'quote fields that contain commas or line breaks',
      );
    }
    const fields: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) {
      if (c !== labelIndex) fields[columns[c]] = values[c];
    }
    const rawGold = labelIndex === -1 ? undefined : values[labelIndex];
    builder.add({ location: String(line), describe: `line ${line}` }, fields, rawGold, String(r));
  }
  if (builder.size === 0) throw new DataError(file, null, 'the file has a header row but no data rows');
  return builder.finish();
}

function checkHeader(file: string, header: CsvRecord): string[] {
  const seen = new Set<string>();
  return header.fields.map((raw, i) => {
    const name = raw.trim();
    if (name === '') {
      throw new DataError(file, String(header.line), `column ${i + 1} of the header has no name; every column needs a unique name`);
    }
    if (seen.has(name)) throw new DataError(file, String(header.line), `the header names column "${name}" twice; column names must be unique`);
    seen.add(name);
    return name;
  });
}
