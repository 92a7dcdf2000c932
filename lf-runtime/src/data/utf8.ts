/**
 * Data files must be UTF-8. Decoding Latin-1 or Windows-1252 bytes as UTF-8 does not fail: every accented
 * letter silently becomes U+FFFD, and LFs then match the wrong text. So the bytes are checked first
 * (buffer.isUtf8 is native and takes about a millisecond per 30 MB), and only a file that fails is scanned
 * again to name the first bad line and column.
 */
import { isUtf8 } from 'node:buffer';

export interface InvalidUtf8 {
  /** 1-based line of the first invalid byte. */
  line: number;
  /** 1-based column (in characters) of the first invalid byte on that line. */
  column: number;
  /** The invalid byte. */
  byte: number;
  /** Up to 20 characters of the line before the bad byte, for the message. */
  before: string;
  /** Number of lines holding invalid bytes. */
  badLines: number;
  /** True when the file starts with a UTF-16 byte-order mark. */
  utf16: boolean;
}

/** UTF-8 text of `bytes` (byte-order mark removed), or the place of the first invalid byte. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { invalid: InvalidUtf8 } {
  if (isUtf8(bytes)) {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let text = buffer.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  }
  return { invalid: findInvalidUtf8(bytes) };
}

/** The first invalid byte of `bytes`, which isUtf8 has refused. */
export function findInvalidUtf8(bytes: Uint8Array): InvalidUtf8 {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  let first: InvalidUtf8 | null = null;
  let badLines = 0;
  let lineNumber = 0;
  let start = 0;
  // A UTF-8 sequence never contains byte 0x0A, so each line can be checked on its own.
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    lineNumber++;
    const line = bytes.subarray(start, end);
    if (!isUtf8(line)) {
      badLines++;
      if (first === null) {
        const at = Math.max(firstInvalidByte(line), 0);
        const prefix = Buffer.from(line.buffer, line.byteOffset, at).toString('utf8');
        first = { line: lineNumber, column: prefix.length + 1, byte: line[at], before: prefix.slice(-20), badLines: 0, utf16 };
      }
    }
    start = end + 1;
  }
  // isUtf8 refused the whole but accepted every line: cannot happen, but keep the answer well-formed.
  first ??= { line: 1, column: 1, byte: bytes[0] ?? 0, before: '', badLines: 0, utf16 };
  first.badLines = Math.max(badLines, 1);
  return first;
}

/** The wording shared by the readers: what is wrong, where, and how to convert the file. */
export function invalidUtf8Message(file: string, bad: InvalidUtf8): string {
  const hex = `0x${bad.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const context = bad.before === '' ? 'at the start of the line' : `after ${JSON.stringify(bad.before)}`;
  const others = bad.badLines > 1 ? ` (${bad.badLines} lines have such bytes)` : '';
  const name = file.replace(/^.*[\\/]/, '');
  if (bad.utf16) {
    return (
      `the file is UTF-16 encoded, not UTF-8; re-save it as UTF-8 (in VS Code: "Save with Encoding" > UTF-8, ` +
      `or iconv -f utf-16 -t utf-8 "${name}" > converted && mv converted "${name}")`
    );
  }
  return (
    `line ${bad.line} is not valid UTF-8: byte ${hex} ${context}, column ${bad.column}${others}. The file is probably Windows-1252 ` +
    `(or Latin-1, which it extends); re-save it as UTF-8 (in VS Code: "Reopen with Encoding" > Western (Windows 1252), then ` +
    `"Save with Encoding" > UTF-8, or iconv -f cp1252 -t utf-8 "${name}" > converted && mv converted "${name}": cp1252, not ` +
    `latin1, which would turn its curly quotes and dashes into control characters)`
  );
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let size: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) size = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      size = 3;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      size = 4;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + size > b.length || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k < size; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return i;
    i += size;
  }
  return -1;
}
