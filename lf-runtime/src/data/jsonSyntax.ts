/**
 * Strict JSON for data files, with every problem placed at a line and column, since users fix files by
 * jumping to a place. V8's JSON.parse reads the text (it is native and several times faster than any parser
 * written in JavaScript); jsonc-parser's visitor then finds where a problem is. Three kinds of problem:
 *
 * - syntax errors, which JSON.parse reports without a line (and often without a position);
 * - duplicate keys, which JSON.parse accepts silently, keeping only the last: in a WRENCH file the keys are
 *   row ids, so a repeated id drops rows without a word;
 * - nesting deeper than MAX_JSON_DEPTH. JSON.parse takes any depth, but rows nested that deep cannot reach
 *   the labeling functions (serialising them for the sandbox ends in "Maximum call stack size exceeded",
 *   and jsonc-parser itself recurses), so they are refused here, where the file and line are known.
 *
 * Comments and trailing commas are errors: data files are JSON, not JSONC.
 */
import { printParseErrorCode, visit } from 'jsonc-parser';
import type { ParseErrorCode } from 'jsonc-parser';
import { parseKeepingIntegers } from './exactIntegers.ts';

/**
 * The deepest nesting a data file may have. A WRENCH file spends three levels on its own structure
 * ({id: {data: {field: ...}}}), leaving far more than real data uses.
 */
export const MAX_JSON_DEPTH = 100;

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, counted in UTF-16 code units like VS Code does. */
  column: number;
  message: string;
}

export type JsonProblemKind = 'syntax' | 'depth' | 'duplicate-key';

export interface JsonProblem extends JsonSyntaxError {
  kind: JsonProblemKind;
  /** 0-based offset in the text. */
  offset: number;
}

/** A repeated key: where it is (path of the object holding it, [] for the top level) and every line it is on. */
export interface DuplicateKey {
  key: string;
  path: (string | number)[];
  /** 1-based lines of each occurrence, in file order (two or more). */
  lines: number[];
  columns: number[];
}

export interface StrictJsonOptions {
  /** Default MAX_JSON_DEPTH. */
  maxDepth?: number;
  /** Whether a key repeated within one object is a problem (default true). */
  rejectDuplicateKeys?: boolean;
}

/** A problem found by parseStrictJson, with its place. `duplicates` is set for kind 'duplicate-key'. */
export class JsonParseError extends Error {
  constructor(
    readonly location: JsonProblem,
    readonly duplicates: DuplicateKey[] = [],
    /** JSON.parse's own message for a syntax error, or null. */
    readonly engineMessage: string | null = null,
  ) {
    super(`line ${location.line}, column ${location.column}: ${location.message}`);
    this.name = 'JsonParseError';
  }
}

/**
 * Parses `text` as strict JSON, or throws a JsonParseError with the line and column of the first syntax
 * error, of nesting deeper than `maxDepth`, or (unless turned off) of a key repeated within one object.
 */
export function parseStrictJson(text: string, options: StrictJsonOptions = {}): unknown {
  const { value, keys } = parseCountingKeys(text, options.maxDepth ?? MAX_JSON_DEPTH);
  if (options.rejectDuplicateKeys !== false && keys !== countPropertyNames(text)) {
    const duplicate = duplicateKeyError(text);
    if (duplicate !== null) throw duplicate;
  }
  return value;
}

/**
 * JSON.parse with the checks that need no second look at the text: a syntax error or nesting deeper than
 * `maxDepth` throws JsonParseError (placed by jsonc-parser). Also returns how many keys the parsed objects
 * hold, which callers compare with countPropertyNames(text) to detect repeated keys.
 */
export function parseCountingKeys(text: string, maxDepth: number = MAX_JSON_DEPTH): { value: unknown; keys: number } {
  let value: unknown;
  try {
    value = parseKeepingIntegers(text, JSON.parse);
  } catch (err) {
    // Python's json.dumps writes a float NaN as a bare NaN (pandas reads it): null here, which a field of
    // numbers reads as NaN (DatasetBuilder.missingNumbersAsNaN); and an infinity as a bare Infinity or
    // -Infinity (pandas reads them as inf): a number too large for a double, which JSON.parse makes one.
    const withNull = text.includes('NaN') || text.includes('Infinity') ? nanAsNull(text) : null;
    if (withNull !== null) {
      try {
        value = parseKeepingIntegers(withNull, JSON.parse);
        const keys = value !== null && typeof value === 'object' ? countKeys(value, 1, maxDepth) : 0;
        if (keys >= 0) return { value, keys };
      } catch {
        // Not the only problem: report the text as written.
      }
    }
    const engineMessage = err instanceof Error ? err.message : String(err);
    const located = findJsonProblem(text, { maxDepth });
    if (located) throw new JsonParseError(located, [], engineMessage);
    // jsonc-parser accepted what V8 refused: fall back to V8's message and position.
    const at = /at position (\d+)/.exec(engineMessage);
    const offset = at ? Number(at[1]) : 0;
    throw new JsonParseError({ kind: 'syntax', offset, ...positionAt(text, offset), message: engineMessage }, [], null);
  }
  const keys = value !== null && typeof value === 'object' ? countKeys(value, 1, maxDepth) : 0;
  if (keys < 0) {
    const depth = deepestLevel(value);
    const located = findJsonProblem(text, { maxDepth });
    const at = located ?? { offset: 0, line: 1, column: 1 };
    throw new JsonParseError({ ...at, kind: 'depth', message: depthMessage(maxDepth, depth) });
  }
  return { value, keys };
}

/**
 * `text` with every bare NaN token outside a string made null and every bare Infinity or -Infinity made
 * 1e999 or -1e999 (which JSON.parse reads as an infinity), or null when it has none.
 */
function nanAsNull(text: string): string | null {
  let found = false;
  const out = text.replace(/"(?:[^"\\]|\\.)*"|\bNaN\b|-?\bInfinity\b/g, (m) => {
    if (m.startsWith('"')) return m;
    found = true;
    return m === 'NaN' ? 'null' : m.startsWith('-') ? '-1e999' : '1e999';
  });
  return found ? out : null;
}

/** The error for the first repeated key in `text` (valid JSON), or null when no key repeats. */
export function duplicateKeyError(text: string): JsonParseError | null {
  const duplicates = findDuplicateKeys(text);
  if (duplicates.length === 0) return null;
  const first = duplicates[0];
  const offset = lineStarts(text)[first.lines[1] - 1] + first.columns[1] - 1;
  return new JsonParseError(
    { kind: 'duplicate-key', offset, line: first.lines[1], column: first.columns[1], message: duplicateMessage(first) },
    duplicates,
  );
}

export interface SyntaxCheckOptions {
  /** Default MAX_JSON_DEPTH. */
  maxDepth?: number;
  /** Relaxations for JSONC files; both false by default. */
  allowComments?: boolean;
  allowTrailingComma?: boolean;
}

/**
 * The first syntax error in `text` (or the first place it nests deeper than `maxDepth`), or null when it
 * is valid JSON.
 */
export function findJsonSyntaxError(text: string, options: SyntaxCheckOptions = {}): JsonSyntaxError | null {
  const found = findJsonProblem(text, options);
  return found === null ? null : { line: found.line, column: found.column, message: found.message };
}

/** findJsonSyntaxError with the kind of problem and its offset. */
export function findJsonProblem(text: string, options: SyntaxCheckOptions = {}): JsonProblem | null {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  // Open containers: the character that closes each and the offset that opens it, for messages.
  const closers: string[] = [];
  const openedAt: number[] = [];
  let found: JsonProblem | null = null;
  const stop = (problem: JsonProblem): never => {
    found = problem;
    throw STOP;
  };
  const open = (closer: string) => (offset: number, _length: number, line: number, character: number) => {
    closers.push(closer);
    openedAt.push(offset);
    if (closers.length > maxDepth) {
      stop({ kind: 'depth', offset, line: line + 1, column: character + 1, message: depthMessage(maxDepth, null) });
    }
  };
  // jsonc-parser ends a container before reporting that its closing bracket is missing: remember where
  // the last one opened, for that message.
  let lastClosedAt: number | undefined;
  const close = () => {
    closers.pop();
    lastClosedAt = openedAt.pop();
  };
  try {
    visit(
      text,
      {
        onObjectBegin: open('}'),
        onObjectEnd: close,
        onArrayBegin: open(']'),
        onArrayEnd: close,
        onError: (code, offset, length, line, character) => {
          const message = syntaxMessage(text, code, offset, length, closers.at(-1), lastClosedAt);
          const at = message.offset ?? offset;
          stop({ kind: 'syntax', offset: at, ...(message.offset === undefined ? { line: line + 1, column: character + 1 } : positionAt(text, at)), message: message.text });
        },
      },
      { disallowComments: !options.allowComments, allowTrailingComma: options.allowTrailingComma ?? false },
    );
  } catch (err) {
    if (err !== STOP) throw err;
  }
  return found;
}

/**
 * Every key that appears more than once in the same object, in the order their second occurrence is met.
 * `text` should be syntactically valid and nest at most MAX_JSON_DEPTH levels (jsonc-parser recurses).
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const stack: (Map<string, DuplicateKey> | null)[] = [];
  let current: Map<string, DuplicateKey> | null = null;
  const duplicates: DuplicateKey[] = [];
  visit(
    text,
    {
      onObjectBegin: () => {
        stack.push(current);
        current = new Map();
      },
      onObjectEnd: () => {
        current = stack.pop() ?? null;
      },
      onObjectProperty: (key, _offset, _length, line, character, pathSupplier) => {
        const seen = current?.get(key);
        if (seen === undefined) {
          current?.set(key, { key, path: [], lines: [line + 1], columns: [character + 1] });
          return;
        }
        if (seen.lines.length === 1) {
          seen.path = pathSupplier();
          duplicates.push(seen);
        }
        seen.lines.push(line + 1);
        seen.columns.push(character + 1);
      },
    },
    { disallowComments: true },
  );
  return duplicates;
}

/** 1-based line and column of a 0-based offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const starts = lineStarts(text);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** Offsets where each line starts (after LF, CRLF or a lone CR, as jsonc-parser counts lines). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) starts.push(i + 1);
    else if (c === 0x0d) {
      if (text.charCodeAt(i + 1) === 0x0a) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** "the key "x" appears twice in the same object (lines 3 and 9) ..." */
export function duplicateMessage(dup: DuplicateKey): string {
  const where = dup.path.length === 0 ? 'at the top level' : `in the object at ${dup.path.map((p) => JSON.stringify(String(p))).join(' > ')}`;
  return (
    `the key ${JSON.stringify(dup.key)} appears ${timesWord(dup.lines.length)} ${where} (${placesList(dup)}); ` +
    'JSON keeps only the last one, so the others would be lost without a word: give each key its own name, or remove the copies'
  );
}

/** "lines 3 and 9", or with columns ("line 1, column 2 and line 1, column 30") when a line holds two. */
export function placesList(dup: Pick<DuplicateKey, 'lines' | 'columns'>, max = 10): string {
  if (new Set(dup.lines).size === dup.lines.length) return linesList(dup.lines, max);
  const places = dup.lines.map((line, i) => `line ${line}, column ${dup.columns[i]}`);
  const shown = places.slice(0, max);
  const more = places.length - shown.length;
  return `${shown.length === 2 && more === 0 ? shown.join(' and ') : shown.join('; ')}${more > 0 ? ` and ${more} more` : ''}`;
}

export function linesList(lines: number[], max = 10): string {
  const shown = lines.slice(0, max);
  const more = lines.length - shown.length;
  const list = shown.length === 2 && more === 0 ? `${shown[0]} and ${shown[1]}` : shown.join(', ');
  return `line${lines.length === 1 ? '' : 's'} ${list}${more > 0 ? ` and ${more} more` : ''}`;
}

export function timesWord(n: number): string {
  return n === 2 ? 'twice' : `${n} times`;
}

/** What is wrong with nesting deeper than `maxDepth` (the caller says where: level maxDepth + 1 opens there). */
function depthMessage(maxDepth: number, depth: number | null): string {
  return (
    `the JSON nests ${depth === null ? `more than ${maxDepth}` : depth} levels deep, more than the ${maxDepth} levels LF Studio reads. ` +
    'Each row goes to the labeling functions as Python values, and data nested this deep cannot make that trip: ' +
    'flatten the nested field, or leave it out of the file'
  );
}

const STOP = Symbol('stop');

/**
 * Number of keys in the objects of a parsed value, or -1 once it nests deeper than `maxDepth`. Recursion
 * stops at `maxDepth`, so any depth JSON.parse accepted is safe here.
 */
function countKeys(value: object, depth: number, maxDepth: number): number {
  if (depth > maxDepth) return -1;
  let keys = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') {
        const inner = countKeys(item, depth + 1, maxDepth);
        if (inner < 0) return -1;
        keys += inner;
      }
    }
    return keys;
  }
  for (const key in value) {
    keys++;
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object') {
      const inner = countKeys(item, depth + 1, maxDepth);
      if (inner < 0) return -1;
      keys += inner;
    }
  }
  return keys;
}

/** How many levels a parsed value nests (1 for a flat object or array); iterative, for any depth. */
function deepestLevel(root: unknown): number {
  let deepest = 0;
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop() as number;
    if (value === null || typeof value !== 'object') continue;
    if (depth > deepest) deepest = depth;
    for (const item of Array.isArray(value) ? value : Object.values(value)) {
      if (item !== null && typeof item === 'object') {
        values.push(item);
        depths.push(depth + 1);
      }
    }
  }
  return deepest;
}

/**
 * Number of property names in `text`, which must be valid JSON (or valid JSON values one per line): outside
 * strings there are no quotes, so each quote found from the end of the last string opens the next one, and
 * a string followed by ':' is a name. Parsed objects hold one key per name unless a name repeats, so a
 * lower count from countKeys means a duplicate, and only then does jsonc-parser look for it. indexOf scans
 * natively, which keeps this far below the cost of a jsonc-parser pass (longer than JSON.parse itself).
 */
export function countPropertyNames(text: string): number {
  let names = 0;
  let open = text.indexOf('"');
  while (open !== -1) {
    let close = text.indexOf('"', open + 1);
    while (close !== -1 && isEscaped(text, close)) close = text.indexOf('"', close + 1);
    if (close === -1) return -1;
    let next = close + 1;
    let c = text.charCodeAt(next);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++next);
    if (c === 0x3a) names++;
    open = text.indexOf('"', next);
  }
  return names;
}

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let i = at - 1; i >= 0 && text.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Readable wording of a jsonc-parser error code; `offset` is set when a better place than jsonc's is known. */
function syntaxMessage(
  text: string,
  code: ParseErrorCode,
  offset: number,
  length: number,
  /** What closes the innermost open container. */
  closer: string | undefined,
  /** Where the container that was ended last opened. */
  openedAt: number | undefined,
): { text: string; offset?: number } {
  const found = describeAt(text, offset);
  const trailingComma = previousSignificant(text, offset) === ',' && (text[offset] === '}' || text[offset] === ']');
  switch (printParseErrorCode(code)) {
    case 'PropertyNameExpected':
      if (trailingComma) return { text: "trailing comma before '}' is not allowed in JSON" };
      return { text: `expected a property name in double quotes, found ${found}` };
    case 'ValueExpected':
      if (trailingComma) return { text: `trailing comma before '${text[offset]}' is not allowed in JSON` };
      if (offset >= text.length && text.trim() === '') return { text: 'the text is empty; expected a JSON value' };
      return { text: `expected a value (object, array, string, number, true, false or null), found ${found}` };
    case 'ColonExpected':
      return { text: `expected ':' after the property name, found ${found}` };
    case 'CommaExpected':
      return closer === '}'
        ? { text: `expected ',' or '}' after a property value, found ${found}` }
        : { text: `expected ',' or ']' after an array element, found ${found}` };
    case 'CloseBraceExpected':
    case 'CloseBracketExpected': {
      const what = printParseErrorCode(code) === 'CloseBraceExpected' ? "'}' to close the object" : "']' to close the array";
      const start = openedAt === undefined ? null : positionAt(text, openedAt);
      const opened = start === null ? '' : ` opened at line ${start.line}, column ${start.column}`;
      return { text: `expected ${what}${opened}, found ${found}` };
    }
    case 'EndOfFileExpected':
      return { text: `unexpected ${found} after the end of the JSON value` };
    case 'InvalidSymbol':
      if (closer === undefined && previousSignificant(text, offset) !== undefined) return { text: `unexpected ${found} after the end of the JSON value` };
      return { text: `unexpected ${found}; expected a value (object, array, string, number, true, false or null)` };
    case 'InvalidCommentToken':
      return { text: 'comments are not allowed in JSON data files; remove the comment' };
    case 'UnexpectedEndOfComment':
      return { text: 'unterminated comment' };
    case 'UnexpectedEndOfString': {
      const lineBreak = text.slice(offset + 1, offset + Math.max(length, 1) + 1).search(/[\r\n]/);
      return lineBreak === -1
        ? { text: 'unterminated string: missing closing double quote' }
        : { text: 'unterminated string: a string cannot contain a raw line break (write it as \\n) or its closing double quote is missing' };
    }
    case 'InvalidCharacter': {
      // jsonc-parser places this at the start of the string; point at the character itself.
      const token = text.slice(offset, offset + length);
      const inside = token.search(/[\u0000-\u001f]/);
      return {
        text: 'unescaped control character (e.g. a raw tab) inside a string; write it as \\t, \\n or \\u00XX',
        offset: inside === -1 ? offset : offset + inside,
      };
    }
    case 'InvalidEscapeCharacter':
      return { text: 'invalid escape in string; the escapes JSON knows are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX' };
    case 'InvalidUnicode':
      return { text: 'invalid \\u escape in string; it needs four hexadecimal digits, e.g. \\u00e9' };
    case 'UnexpectedEndOfNumber':
    case 'InvalidNumberFormat':
      return { text: `invalid number ${JSON.stringify(text.slice(offset, offset + Math.max(length, 1)))}` };
    default:
      return { text: `invalid JSON at ${found}` };
  }
}

function previousSignificant(text: string, offset: number): string | undefined {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return undefined;
}

function describeAt(text: string, offset: number): string {
  if (offset >= text.length) return 'end of file';
  const c = text[offset];
  if (c === '\n' || c === '\r') return 'line break';
  if (c === "'") return "\"'\" (JSON strings need double quotes)";
  if (c === '"') return `'"'`;
  return `'${c}'`;
}
