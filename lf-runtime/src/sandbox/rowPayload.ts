/**
 * A shard of rows as the parent sends it to a worker: one binary frame, passed to Python's
 * `lf_runner.load_dataset` unchanged (the worker never turns it into a JavaScript string).
 *
 *   uint32 LE   length H of the header
 *   H bytes     header, ASCII JSON: {"fields": [...], "n": rows, "columns": [{"at", "size"}, ...]}
 *   sections    one per field, `at` bytes after the header and `size` bytes long: the field's n values as
 *               a JSON list in ASCII (`asciiJsonBytes`); a NaN value (a CSV's missing number, as pandas gives
 *               it) is written `NaN`, which Python's json reads as float('nan') and JSON would make null; a
 *               number in a float column (Row.floats: pandas' float64) is written as a float, `2.0` rather
 *               than JSON's `2`, so Python reads a float; an exact integer (a BigInt) is written in digits
 *
 * ASCII because CPython stores a str at the width of its widest character: decoded as one str, a column
 * with one emoji would take 4 bytes per character in wasm memory (which never shrinks). Escaped, the column
 * stays 1 byte per character, and json.loads gives each value its own width.
 */

/**
 * The frame for `columns` (one array of n JSON values per field), as the pieces to write one after another
 * (copying megabytes into one buffer first would only cost time). `floats[c]`, when given, marks the values of
 * column c that are floats (1 per row): numbers there reach Python as floats even when whole.
 */
export function encodeRows(fields: readonly string[], columns: readonly unknown[][], n: number, floats?: readonly (Uint8Array | null)[]): Buffer[] {
  const sections = columns.map((values, c) =>
    values.every((v) => typeof v === 'string') ? stringsJsonBytes(values as string[]) : columnJsonBytes(values, floats?.[c] ?? null),
  );
  let at = 0;
  const specs = sections.map((s) => {
    const spec = { at, size: s.length };
    at += s.length;
    return spec;
  });
  const header = asciiJsonBytes({ fields, n, columns: specs });
  const size = Buffer.alloc(4);
  size.writeUInt32LE(header.length, 0);
  return [size, header, ...sections];
}

/**
 * A column that is not all strings: its JSON list, with NaN values written `NaN`, infinities `Infinity` (at any
 * depth: JSON would make them null, where pandas keeps inf) and the `floats` as floats.
 */
function columnJsonBytes(values: readonly unknown[], floats: Uint8Array | null): Buffer {
  const whole = floats === null && !values.some((v) => (typeof v === 'number' && !Number.isFinite(v)) || typeof v === 'bigint') ? plainJson(values) : null;
  // JSON.stringify writes null for an infinity inside a list or an object: write those values one by one.
  if (whole !== null && !(whole.includes('null') && values.some(holdsInfinity))) return asciiBytes(whole);
  return asciiBytes(`[${values.map((v, i) => (typeof v === 'number' && floats !== null && floats[i] ? pythonFloat(v) : pythonJson(v))).join(',')}]`);
}

/** JSON.stringify(values), or null when a value holds a BigInt at some depth (JSON.stringify throws on one). */
function plainJson(values: readonly unknown[]): string | null {
  try {
    return JSON.stringify(values);
  } catch (err) {
    if (err instanceof TypeError) return null;
    throw err;
  }
}

/**
 * JSON as Python's json reads it, with NaN, Infinity and -Infinity written as such, and an exact integer (a
 * BigInt: exactIntegers.ts) in its digits, which Python reads as the int it is.
 */
function pythonJson(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(',')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${pythonJson(x)}`).join(',')}}`;
}

/** Whether a list or an object holds an infinity or a NaN at some depth. */
function holdsInfinity(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (v === null || typeof v !== 'object') return false;
  return (Array.isArray(v) ? v : Object.values(v)).some(holdsInfinity);
}

/**
 * A number as a float literal Python's json reads as a float: `2.0` for 2 (JSON writes `2`, an int), `-0.0`,
 * `1e+21` as JSON writes it, and `NaN`, `Infinity`, `-Infinity` (which JSON would make null).
 */
export function pythonFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(v, -0)) return '-0.0';
  const s = JSON.stringify(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** JSON of `value` as bytes, every character outside ASCII written as a \\uXXXX escape. */
export function asciiJsonBytes(value: unknown): Buffer {
  return asciiBytes(JSON.stringify(value) ?? 'null');
}

function asciiBytes(json: string): Buffer {
  // Each character outside ASCII takes at least one more byte in UTF-8 than in the string: a bound on how
  // many need escaping, found natively.
  const extra = Buffer.byteLength(json, 'utf8') - json.length;
  if (extra === 0) return Buffer.from(json, 'latin1');
  const out = Buffer.allocUnsafe(json.length + 5 * extra);
  return out.subarray(0, writeEscaped(json, out));
}

/** Writes `json` into `out` with \\uXXXX for every UTF-16 unit above 0x7f; returns the length written. */
function writeEscaped(json: string, out: Buffer): number {
  let pos = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
      continue;
    }
    pos = writeUnicodeEscape(c, out, pos);
  }
  return pos;
}

/**
 * asciiJsonBytes for a list of strings (nearly every text column), about twice as fast: a string of printable
 * ASCII without quotes or backslashes (most rows) is copied natively, the rest escaped one unit at a time.
 */
export function stringsJsonBytes(values: readonly string[]): Buffer {
  // Sized exactly first (escaping only the rows that need it), so the buffer is written once.
  const plain = new Uint8Array(values.length);
  let size = values.length > 0 ? values.length + 1 : 2;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    plain[i] = PLAIN.test(v) ? 1 : 0;
    size += 2 + (plain[i] ? v.length : escapedLength(v));
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  out[pos++] = 0x5b; // [
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) out[pos++] = 0x2c; // ,
    out[pos++] = 0x22; // "
    if (plain[i]) pos += out.write(v, pos, 'latin1');
    else {
      for (let k = 0; k < v.length; k++) {
        const c = v.charCodeAt(k);
        const width = escapedWidth(c);
        if (width === 1) out[pos++] = c;
        else if (width === 2) {
          out[pos++] = 0x5c;
          out[pos++] = c;
        } else pos = writeUnicodeEscape(c, out, pos);
      }
    }
    out[pos++] = 0x22;
  }
  out[pos++] = 0x5d; // ]
  return out;
}

/**
 * Bytes a UTF-16 unit takes inside the quotes of stringsJsonBytes: printable ASCII as itself, a quote or a
 * backslash after a backslash, anything else as \uXXXX. The one rule both the sizing and the writing follow.
 */
function escapedWidth(c: number): 1 | 2 | 6 {
  if (c < 0x20 || c >= 0x7f) return 6;
  return c === 0x22 || c === 0x5c ? 2 : 1;
}

/** Bytes of `v` inside the quotes of stringsJsonBytes. */
function escapedLength(v: string): number {
  let n = 0;
  for (let k = 0; k < v.length; k++) n += escapedWidth(v.charCodeAt(k));
  return n;
}

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function writeUnicodeEscape(c: number, out: Buffer, pos: number): number {
  out[pos++] = 0x5c; // backslash
  out[pos++] = 0x75; // u
  out[pos++] = HEX[c >> 12]!;
  out[pos++] = HEX[(c >> 8) & 15]!;
  out[pos++] = HEX[(c >> 4) & 15]!;
  out[pos++] = HEX[c & 15]!;
  return pos;
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');
