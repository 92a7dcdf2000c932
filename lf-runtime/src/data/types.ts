/**
 * In-memory data shapes shared by the readers, the sandbox and the statistics.
 * Gold labels live beside the rows, never inside them, so no code path can hand a label to an LF.
 */

/** One example as an LF sees it: every data field by name. */
export interface Row {
  /**
   * Stable, unique id: the idField value when the project sets one, else the WRENCH key, or the 1-based
   * line (JSONL) / record number (CSV).
   */
  id: string;
  fields: Record<string, unknown>;
  /**
   * The fields whose numbers are floats, as in pandas' float64 columns (readCsv.ts, DatasetBuilder.
   * missingNumbersAsNaN): LFs get a whole number there as 2.0, not 2. JavaScript numbers cannot tell the two
   * apart, so the sandbox reads this when it sends the rows to Python (rowPayload.ts). One set is shared by
   * the rows of a file; absent when no field is a float column.
   */
  floats?: ReadonlySet<string>;
}

export interface Dataset {
  /** Absolute path of the file the rows came from. */
  path: string;
  rows: Row[];
  /** Gold label per row (same order as rows), or null where the file has none. Never shown to LFs. */
  gold: (number | null)[] | null;
  /**
   * WRENCH files carry the benchmark LFs' votes; kept for label-model work (n x m, row-major, -1 = abstain).
   */
  weakLabels?: { m: number; data: Int8Array } | null;
  /**
   * The 1-based line of each row in a CSV or JSONL file (a row id is not its line: a CSV's header, quoted
   * newlines, an id field), for messages about a row found after reading; absent for other files.
   */
  rowLines?: Int32Array;
}

/** A problem in a data file, pointing at the place to fix. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    /**
     * Where the problem is: a 1-based line (CSV and JSONL), `line:column` (syntax, repeated keys and nesting in
     * a WRENCH file; bytes that are not UTF-8 in any file) or a record key (WRENCH rows); null for whole-file
     * problems.
     */
    readonly location: string | null,
    readonly problem: string,
  ) {
    super(`${file}${location ? `:${location}` : ''}: ${problem}`);
    this.name = 'DataError';
  }
}
