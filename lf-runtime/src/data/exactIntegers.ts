/**
 * Integers a double cannot hold exactly (2^53 or more: tweet ids, user ids, nanosecond timestamps), kept as
 * pandas keeps them in an int64 or uint64 column. Such a value is a BigInt in the row's fields; the sandbox
 * writes it to Python as its digits (rowPayload.ts), so `x.tweet_id == 1234567890123456789` holds in an LF as
 * it does on a DataFrame's row, where a double would have made it 1234567890123456768.
 * Values that are not exact integers (a float column's, a number beyond uint64) stay JavaScript numbers.
 */
import { randomUUID } from 'node:crypto';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

/**
 * An integer as written (`[+-]digits`, spaces around allowed) as an LF should get it: a number when a double
 * holds it exactly, a BigInt when it fits int64 or uint64, null beyond those (pandas keeps no such column as
 * integers).
 */
export function exactInteger(written: string): number | bigint | null {
  const n = Number(written);
  if (Number.isSafeInteger(n)) return n;
  const b = BigInt(written.trim());
  return b >= INT64_MIN && b <= UINT64_MAX ? b : null;
}

/**
 * A column of integers as pandas' read_csv types it: int64 when every value fits it, uint64 when every value
 * is >= 0 and fits that, else strings (pandas' object column). Returns the values (numbers, with BigInts for
 * those a double cannot hold), or null for a column pandas keeps as strings.
 */
export function integerColumn(written: readonly string[]): (number | bigint)[] | null {
  const out: (number | bigint)[] = [];
  let negative = false;
  let aboveInt64 = false;
  for (const w of written) {
    const v = exactInteger(w);
    if (v === null) return null;
    if (v < 0) negative = true;
    if (typeof v === 'bigint' && v > INT64_MAX) aboveInt64 = true;
    out.push(v);
  }
  return negative && aboveInt64 ? null : out;
}

/** Prefix of the strings that stand for exact integers while JSON.parse reads a text (see parseKeepingIntegers). */
const MARK = '\u0000lf-studio-integer:';

/**
 * An integer token outside strings with 16 digits or more (2^53 has 16): a string is matched whole and skipped,
 * and a run of digits inside a number (a fraction, an exponent) is not a token.
 */
const LONG_INTEGERS = /"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\w.])/g;

/**
 * JSON.parse(text) as `parse` does it, with every integer literal that a double cannot hold but int64 can made
 * a BigInt, at any depth (pandas' JSON reader keeps them exactly, in columns and nested values alike). Not
 * uint64's: the exported job's JSON reader cannot tell 10000000000000000000 from 1e19, which a double holds,
 * so both are numbers here (pandas would keep the first as uint64). Texts without such a literal cost one
 * quick test.
 */
export function parseKeepingIntegers(text: string, parse: (text: string, reviver?: (key: string, value: unknown) => unknown) => unknown): unknown {
  if (!/\d{16}/.test(text)) return parse(text);
  // Each literal becomes a string naming its place in `exact`, under a prefix no data can know in advance.
  const mark = `${MARK}${randomUUID()}:`;
  const exact: bigint[] = [];
  const marked = text.replace(LONG_INTEGERS, (m) => {
    if (m.startsWith('"')) return m;
    const v = exactInteger(m);
    if (typeof v !== 'bigint' || v > INT64_MAX) return m;
    exact.push(v);
    return `"${mark.replace('\u0000', '\\u0000')}${exact.length - 1}"`;
  });
  if (exact.length === 0) return parse(text);
  return parse(marked, (_key, value) => (typeof value === 'string' && value.startsWith(mark) ? (exact[Number(value.slice(mark.length))] ?? value) : value));
}

/**
 * A field's value as text for people (the rows view): strings as they are; anything else as JSON, with exact
 * integers in digits and NaN and infinities as pandas prints them (nan, inf, -inf) rather than JSON's null.
 */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const out = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${MARK}${v}` : typeof v === 'number' && !Number.isFinite(v) ? `${MARK}${pandasNumber(v)}` : v));
  if (out === undefined) return String(value);
  return out.replace(/"\\u0000lf-studio-integer:([^"]*)"/g, '$1');
}

function pandasNumber(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/**
 * A float column's value (Row.floats) as Python prints it, so a float does not look like an exact int: `2.0`,
 * `9.223372036854776e+18` (Python writes an exponent from 1e16 on), `nan`, `inf`.
 */
export function floatText(v: number): string {
  if (!Number.isFinite(v)) return pandasNumber(v);
  if (v !== 0 && (Math.abs(v) >= 1e16 || Math.abs(v) < 1e-4)) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return Number.isInteger(v) ? `${v}.0` : String(v);
}
