/**
 * Checks shared by every reader, applied row by row as rows are added: the text field exists and is a
 * string (or a JSON null, None to LFs as pandas gives it), ids are present and unique, and the gold label is
 * taken out of the fields (so no LF can read it) and turned into a class id (see goldClassId: an id, or a
 * class name when the class names are known).
 */
import { DataError } from './types.ts';
import type { Dataset, Row } from './types.ts';

export interface ReadOptions {
  /**
   * Field that holds the text (LFs read it as `x.<textField>`). Default "text", which may be absent from every
   * row (data without text); a field named explicitly must exist on every row.
   */
  textField?: string;
  /**
   * Where the user sets the id field, for the fix in messages: `"idField" in lfstudio.json` by default,
   * `--id-field` on the command line.
   */
  idFieldSetting?: string;
  /** Field holding the gold class id; removed from the row's fields. Default "label". */
  labelField?: string;
  /**
   * Field whose value becomes the row id; values must be unique. Default: the line number (CSV, JSONL) or
   * the record's key (WRENCH, where the field is looked up in the record's "data").
   */
  idField?: string | null;
  /**
   * Where the user sets the text field, for the fix in messages: the project file by default, a flag for
   * the command line (`--text-field`).
   */
  textFieldSetting?: string;
  /**
   * Class names in class-id order, when known ("labels" in lfstudio.json, --labels, a WRENCH label.json):
   * a gold label written as one of them stands for its id. Without them gold labels must be ids.
   */
  classNames?: readonly string[] | null;
  /**
   * Where the user names the classes, for the fix in messages: the project file by default, `--labels` on
   * the command line.
   */
  labelsSetting?: string;
}

export const DEFAULT_TEXT_FIELD = 'text';
export const DEFAULT_LABEL_FIELD = 'label';
const DEFAULT_TEXT_FIELD_SETTING = '"textField" in lfstudio.json';
export const PROJECT_LABELS_SETTING = '"labels" in lfstudio.json';

/** Where a row came from, for messages: a 1-based line (CSV, JSONL) or a record key (WRENCH). */
export interface RowOrigin {
  location: string;
  /** Human wording of the same place, e.g. `line 12` or `record "57"`. */
  describe: string;
}

export class DatasetBuilder {
  readonly textField: string;
  readonly labelField: string;
  readonly idField: string | null;
  readonly textFieldSetting: string;
  readonly idFieldSetting: string | null;
  readonly classNames: readonly string[] | null;
  readonly labelsSetting: string;
  private readonly rows: Row[] = [];
  private readonly gold: (number | null)[] = [];
  private goldCount = 0;
  /** Each row's line, when its origin is one (CSV, JSONL); -1 otherwise. */
  private lines: number[] = [];
  /** Whether rows carry the text field, decided by the first row (see add). */
  private hasText: boolean | null = null;
  /** id -> where it was first seen, to name every place when an id repeats. */
  private readonly seenIds = new Map<string, RowOrigin>();
  /** Repeated ids, in the order their second row is met: every row that uses each. */
  private readonly duplicateIds = new Map<string, RowOrigin[]>();
  /** The fields whose numbers are floats (Row.floats), set by the reader once the whole file is read. */
  private floats: ReadonlySet<string> = new Set();

  constructor(
    readonly file: string,
    options: ReadOptions,
    /** A WRENCH file: its "label" is a class id by the format's definition, even where classes are named by numbers. */
    private readonly labelsAreIds = false,
  ) {
    this.textField = options.textField || DEFAULT_TEXT_FIELD;
    this.labelField = options.labelField || DEFAULT_LABEL_FIELD;
    this.idField = options.idField || null;
    this.textFieldSetting = options.textFieldSetting || DEFAULT_TEXT_FIELD_SETTING;
    this.idFieldSetting = options.idFieldSetting || null;
    this.classNames = options.classNames && options.classNames.length > 0 ? options.classNames : null;
    this.labelsSetting = options.labelsSetting || PROJECT_LABELS_SETTING;
  }

  fail(origin: RowOrigin | null, problem: string): never {
    // "file.csv:2: gold label ...", not "file.csv:2: line 2: gold label ...": the location says the line already.
    const said = origin && origin.describe === `line ${origin.location}` && problem.startsWith(`${origin.describe}: `);
    throw new DataError(this.file, origin ? origin.location : null, said ? problem.slice(origin.describe.length + 2) : problem);
  }

  /**
   * Adds one row. `fields` must already exclude the label field; `rawGold` is its value (undefined when the
   * row has none). `fallbackId` is used when no idField is configured. `idDigits` is the id field's integer as
   * written in the file, when the reader has it and the number is too large for a JavaScript number (see
   * unsafeIntegerDigits).
   */
  add(origin: RowOrigin, fields: Record<string, unknown>, rawGold: unknown, fallbackId: string, idDigits?: string): void {
    const text = fields[this.textField];
    // No text field is needed unless an LF reads one: data with no "text" at all (and the default name) is
    // fine, and an LF that reads x.text is told which fields there are. A field named on purpose, or one that
    // only some rows have, is a mistake worth stopping for.
    this.hasText ??= text !== undefined || this.textField !== DEFAULT_TEXT_FIELD;
    if (text === undefined && this.hasText) {
      this.fail(
        origin,
        `${origin.describe} has no "${this.textField}" field; available fields: ${listFields(fields)}. ` +
          `Set ${this.textFieldSetting} to the field that holds the text.`,
      );
    }
    if (text !== undefined && !this.hasText) {
      this.fail(origin, `${origin.describe} has a "${this.textField}" field but earlier rows do not; give every row one.`);
    }
    // A JSON null is None to LFs, as pandas gives it: an LF that calls x.text.lower() raises on that row only.
    if (text !== undefined && text !== null && typeof text !== 'string') {
      this.fail(
        origin,
        `${origin.describe}: field "${this.textField}" must be a string, found ${describeValue(text)}; ` +
          `write "" (or null) where a row has no text, or leave such rows out${typeof text === 'object' ? '' : ` (or set ${this.textFieldSetting} to the field that holds the text)`}`,
      );
    }
    let id: string;
    // Fallback ids (line or record numbers, WRENCH keys, which parsing already checked) cannot repeat.
    if (this.idField === null) id = fallbackId;
    else {
      id = this.readId(origin, fields, idDigits);
      // A repeated id is reported once the whole file is read, naming every row that shares it.
      const firstSeen = this.seenIds.get(id);
      if (firstSeen === undefined) this.seenIds.set(id, origin);
      else {
        const rows = this.duplicateIds.get(id);
        if (rows === undefined) this.duplicateIds.set(id, [firstSeen, origin]);
        else rows.push(origin);
      }
    }
    const gold = this.parseGold(origin, rawGold);
    if (gold !== null) this.goldCount++;
    this.lines.push(/^\d+$/.test(origin.location) ? Number(origin.location) : -1);
    this.rows.push({ id, fields });
    this.gold.push(gold);
  }

  get size(): number {
    return this.rows.length;
  }

  /**
   * Whether pandas' types apply to `field`: every field but the text and label fields, which stay as written.
   * The id field is typed too, as pandas types it (an LF comparing `x.rev_id` with ints sees an int), while
   * the row's id is the value as written, taken before (add). readCsv types these columns; JSON data gets
   * NaN for its missing numbers (missingNumbersAsNaN).
   */
  typedField(field: string): boolean {
    return field !== this.textField && field !== this.labelField;
  }

  /** Names the fields whose numbers are floats (Row.floats), decided over the whole file. */
  floatFields(fields: ReadonlySet<string>): void {
    this.floats = fields;
  }

  /**
   * JSON data (JSONL, WRENCH, pandas' to_json shapes) as `pd.read_json` gives it: in a field whose values are
   * all numbers wherever they are not null (booleans are not numbers here; a field that is null on every row
   * counts too), a null and a key a row lacks are NaN, so `x.price > 100` is False there rather than a
   * TypeError. read_json makes such a field float64 (every value a float: 2.0, not 2) when a row has NaN
   * there or one of its numbers is not a whole number (or is too large for an int64), and int64 otherwise,
   * however the numbers are written: a field of 2.0 and 3.0 is ints 2 and 3, as pandas gives them. Other fields
   * keep None for null and for a missing key, and their numbers as JavaScript holds them (2.0 is 2); nested
   * values and the text and id fields are left as they are. A row lacking such a key gets it (NaN), after its
   * own keys. Decided over the whole file; the exported job decides over its whole input the same way
   * (lfstudio_runtime, numeric_fields and float_fields).
   */
  missingNumbersAsNaN(): void {
    // The fields with a value that is neither a number nor null on some row, and every field.
    const other = new Set<string>();
    const seen = new Set<string>();
    // Fields with a number that an int64 column cannot hold (a fraction, 2^63 or more).
    const fractional = new Set<string>();
    for (const { fields } of this.rows) {
      for (const f of Object.keys(fields)) {
        seen.add(f);
        const v = fields[f];
        if (typeof v === 'number') {
          if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 63) fractional.add(f);
        } else if (v !== null && typeof v !== 'bigint') other.add(f);
      }
    }
    const floats = new Set<string>();
    for (const f of seen) {
      if (other.has(f) || !this.typedField(f)) continue;
      let missing = false;
      for (const { fields } of this.rows) {
        if (!Object.hasOwn(fields, f)) {
          Object.defineProperty(fields, f, { value: Number.NaN, writable: true, enumerable: true, configurable: true });
          missing = true;
        }
        // An infinity (a bare Infinity, or a number too large for a double: 1e400) stays one, as pandas reads it;
        // the field is then float, and its values reach Python as float literals (rowPayload.ts).
        else if (fields[f] === null) {
          fields[f] = Number.NaN;
          missing = true;
        }
      }
      if (missing || fractional.has(f)) {
        floats.add(f);
        // A float64 column holds an exact integer (exactIntegers.ts) as the nearest double, as pandas does.
        for (const { fields } of this.rows) if (typeof fields[f] === 'bigint') fields[f] = Number(fields[f]);
      }
    }
    this.floatFields(floats);
  }

  finish(weakLabels: Dataset['weakLabels'] = null): Dataset {
    if (this.rows.length === 0) this.fail(null, 'the file contains no rows');
    if (this.duplicateIds.size > 0) this.failDuplicateIds();
    if (this.floats.size > 0) for (const row of this.rows) row.floats = this.floats;
    return {
      path: this.file,
      rows: this.rows,
      // A file without any label keeps `gold: null` so callers can tell "unlabelled" from "partly labelled".
      gold: this.goldCount > 0 ? this.gold : null,
      weakLabels,
      ...(this.lines.length > 0 && this.lines.every((l) => l > 0) ? { rowLines: Int32Array.from(this.lines) } : {}),
    };
  }

  /** Names the first repeated id, every row using it, and how many other ids repeat. */
  private failDuplicateIds(): never {
    const [[id, rows]] = this.duplicateIds;
    const shown = rows.slice(0, 10).map((r) => r.describe);
    const list = rows.length === 2 ? `${shown[0]} and ${shown[1]}` : `${shown.join(', ')}${rows.length > shown.length ? ` and ${rows.length - shown.length} more` : ''}`;
    const others = [...this.duplicateIds.keys()].slice(1);
    const alsoRepeated =
      others.length === 0
        ? ''
        : ` ${others.length} other id${others.length === 1 ? ' repeats' : 's repeat'} too (${others
            .slice(0, 5)
            .map((o) => JSON.stringify(o))
            .join(', ')}${others.length > 5 ? ', ...' : ''}).`;
    this.fail(
      rows[1],
      `duplicate row id "${id}"${this.idField === null ? '' : ` in the id field "${this.idField}"`}: ${rows.length} rows use it (${list}).${alsoRepeated} ` +
        `Row ids must be unique: give each row its own id or remove the duplicate rows, or ${this.idFieldSetting === null ? 'drop "idField" from lfstudio.json' : `leave out ${this.idFieldSetting}`} to number rows by position`,
    );
  }

  private readId(origin: RowOrigin, fields: Record<string, unknown>, idDigits: string | undefined): string {
    const field = this.idField as string;
    const value = fields[field];
    if (value === undefined || value === null || value === '') {
      this.fail(origin, `${origin.describe} has no value for the id field "${field}"; available fields: ${listFields(fields)}`);
    }
    if (typeof value === 'bigint') return String(value);
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.fail(origin, `${origin.describe}: id field "${field}" must be a string or number, found ${describeValue(value)}`);
    }
    // A JSON number beyond 2^53 (a tweet id, say) has lost its last digits in parsing: the id would not join
    // back to the file, and two such ids can collide. Use the digits as written, or say what to do.
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 2 ** 53) {
      if (idDigits !== undefined) return idDigits;
      this.fail(
        origin,
        `${origin.describe}: id ${String(value)} in field "${field}" is an integer too large to be read exactly (2^53 or more); ` +
          `write the ids as strings ("${field}": "...")`,
      );
    }
    return String(value);
  }

  private parseGold(origin: RowOrigin, raw: unknown): number | null {
    const gold = goldClassId(raw, this.classNames, !this.labelsAreIds);
    if (typeof gold === 'object' && gold !== null) {
      this.fail(origin, `${origin.describe}: gold label ${describeValue(raw)} in field "${this.labelField}" ${gold.problem(this.labelsSetting)}`);
    }
    return gold;
  }
}

/** Why a gold value cannot be used; `problem` words it with the setting that names the classes. */
export interface GoldLabelProblem {
  problem: (labelsSetting: string) => string;
}

/**
 * The class id a gold value stands for, or null for "no gold label" (missing, null, blank, -1: the abstain
 * convention), or the problem with it. The one place a gold label is interpreted:
 * - an integer >= 0, or a string holding one ("0", " 1 ", or "1.0" as pandas writes a float column), is a
 *   class id; NaN, as null, is none;
 * - but where some class name is a number ("1".."5" for star ratings) and `numeralNames` holds (not in a
 *   WRENCH file, whose labels are ids by definition), such a value is the class of that name;
 * - with `classNames` (in class-id order), any other string is the class of that name: an exact match
 *   first (as written, then trimmed), else a match ignoring case when only one class name matches;
 * - anything else is refused, saying which class names it could have been, or, without class names, that
 *   naming the classes lets gold labels be written as names.
 */
export function goldClassId(raw: unknown, classNames: readonly string[] | null | undefined, numeralNames = true): number | null | GoldLabelProblem {
  if (raw === undefined || raw === null) return null;
  const names = classNames && classNames.length > 0 ? classNames : null;
  const notAnId: GoldLabelProblem = {
    problem: (setting) =>
      names
        ? `is not a class id or a class name; write one of the classes ${listNames(names)} by name or by id (blank or -1 for unknown)`
        : `is not an integer class id; use 0..k-1 in the order of the class names (${setting}; blank or -1 for unknown)`,
  };
  if (typeof raw === 'number' && Number.isNaN(raw)) return null;
  // Classes named by numbers ("1".."5" for star ratings): a number, or a string spelling one, is the class of
  // that name, never a class id, which would be another class (the gold label 1 is the class "1", id 0).
  const spelled = numeral(raw);
  if (numeralNames && names !== null && spelled !== null && names.some((n) => numeral(n) !== null)) {
    const id = names.findIndex((n) => numeral(n) === spelled);
    if (id !== -1) return id;
    if (spelled === '-1') return null;
    return {
      problem: () =>
        `is not one of the class names ${listNames(names)}; the classes are named by numbers, so a gold label is read as the name ` +
        `it spells, not as a class id (blank or -1 for unknown)${NOT_GOLD}`,
    };
  }
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < -1) return notAnId;
    return raw === -1 ? null : raw;
  }
  if (typeof raw !== 'string') return notAnId;
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  // "1.0" too: pandas writes a label column with missing values as floats (to_csv gives 1.0, 0.0 and blanks).
  if (/^[+-]?\d+(\.0*)?$/.test(trimmed)) {
    const value = Number(trimmed);
    if (value < -1) return notAnId;
    return value === -1 ? null : value;
  }
  if (names === null) {
    return {
      problem: () =>
        `is not an integer class id, and the class names are not known, so it cannot be read as one; ` +
        `name the classes in class-id order (--labels A,B,... on the command line, "labels" in lfstudio.json for a project) ` +
        `so gold labels may be class names, or write class ids 0..k-1 (blank or -1 for unknown)${NOT_GOLD}`,
    };
  }
  for (const candidate of raw === trimmed ? [raw] : [raw, trimmed]) {
    const exact = names.indexOf(candidate);
    if (exact !== -1) return exact;
  }
  const folded = trimmed.toLowerCase();
  const matches: number[] = [];
  names.forEach((name, id) => {
    if (name.trim().toLowerCase() === folded) matches.push(id);
  });
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    return {
      problem: () =>
        `matches the class names ${matches.map((id) => JSON.stringify(names[id])).join(' and ')} only when case is ignored; ` +
        `write it exactly as one of them, or its class id (${matches.join(' or ')})`,
    };
  }
  return {
    problem: (setting) =>
      `is neither a class name nor a class id: the classes are ${listNames(names)} (from ${setting}). ` +
      `Write one of those names or its id (blank or -1 for unknown), or name the classes with ${setting} in class-id order${NOT_GOLD}`,
  };
}

/**
 * The integer a value spells, in digits (`2`, `"2"`, `" 2 "`, `"2.0"` as pandas writes a float column, `"02"`:
 * all "2"), or null for anything else.
 */
function numeral(v: unknown): string | null {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : null;
  if (typeof v === 'bigint') return String(v);
  if (typeof v !== 'string' || !/^[+-]?\d+(\.0*)?$/.test(v.trim())) return null;
  return String(BigInt(v.trim().replace(/\.0*$/, '')));
}

/** The other reading of a label field that holds no class: it is data, and the gold labels are elsewhere (or nowhere). */
const NOT_GOLD =
  '. If the field is data your LFs read, not gold labels, name the gold-label field with --label-field ("labelField" in lfstudio.json), or one no row has';

/** `"ham" (0), "spam" (1)`, the first 20 of them. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((n, i) => `${JSON.stringify(n)} (${i})`);
  return `${shown.join(', ')}${names.length > shown.length ? `, ... (${names.length} in all)` : ''}`;
}

export function listFields(fields: Record<string, unknown>): string {
  const names = Object.keys(fields);
  return names.length === 0 ? '(none)' : names.map((n) => `"${n}"`).join(', ');
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return 'an object';
  // An exact integer (exactIntegers.ts) is a number to the user.
  if (typeof value === 'bigint') return `number ${value}`;
  return `${typeof value} ${String(value)}`;
}
