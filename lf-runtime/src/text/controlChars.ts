/**
 * Making text that labeling functions control (LF names, exception messages, tracebacks, printed output)
 * safe to show: in a terminal, the Problems panel, a hover or a webview. An LF file can put terminal escape
 * sequences into any of these (e.g. `@labeling_function(name="\x1b]0;title\x07x")` retitles the terminal,
 * "\x1b]52;c;...\x07" writes the clipboard, "\x1b[2J" clears the screen), or bidi overrides that make text
 * read differently from what it is.
 *
 * The rules, the same everywhere:
 * - A complete escape sequence (CSI "ESC [ ... final", OSC "ESC ] ... BEL|ST", DCS/SOS/PM/APC "ESC P|X|^|_
 *   ... ST", a short "ESC [ -/]* final" sequence, and the 8-bit C1 introducers of the same) is removed whole,
 *   payload included, and replaced by one PLACEHOLDER, so the reader sees that something was there but never
 *   its payload (a clipboard write, a window title).
 * - An ESC or C1 introducer that does not start a complete sequence (unterminated OSC, cut-off CSI) is a
 *   lone control: it alone becomes a PLACEHOLDER and the text after it is kept (without the ESC it is inert).
 * - Every other C0 control, DEL, C1 control and bidi control (U+061C, U+200E/F, U+202A-E, U+2066-9)
 *   becomes a PLACEHOLDER.
 * - Line breaks: in multi-line text (tracebacks, diagnostics, whole CLI output) "\n" and "\t" stay, "\r\n"
 *   and U+2028/U+2029 become "\n", and a lone "\r" (which lets a line overwrite itself) becomes a
 *   PLACEHOLDER. In one-line text (names, table cells, titles) tabs and line breaks become a space.
 *
 * Sanitising is idempotent: its output contains no character it would change.
 */

/** What a removed control or escape sequence shows as: U+FFFD, visible in every font and terminal. */
export const PLACEHOLDER = '\uFFFD';

const ESC = 0x1b;
const BEL = 0x07;
const ST = 0x9c;

/** Bidi controls: embeddings, overrides, isolates and marks (Unicode's Bidi_Control property). */
function isBidiControl(c: number): boolean {
  return c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/** C0 (other than \t, \n), DEL, C1, bidi controls, CR and the Unicode line/paragraph separators. */
function isUnsafe(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || isBidiControl(c) || c === 0x2028 || c === 0x2029;
}

/**
 * Where the escape sequence starting at `i` (an ESC or a C1 introducer) ends (exclusive), or -1 when it is
 * not a complete sequence.
 */
function sequenceEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  let kind: 'csi' | 'string' | 'osc' | null = null;
  let j: number;
  if (c === ESC) {
    const next = s.charCodeAt(i + 1);
    if (next === 0x5b) kind = 'csi'; // [
    else if (next === 0x5d) kind = 'osc'; // ]
    else if (next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f) kind = 'string'; // P X ^ _
    j = i + 2;
    if (kind === null) {
      // nF / Fp / Fe / Fs: ESC, intermediates 0x20-0x2F, one final 0x30-0x7E.
      j = i + 1;
      while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
      const final = s.charCodeAt(j);
      return final >= 0x30 && final <= 0x7e ? j + 1 : -1;
    }
  } else {
    if (c === 0x9b) kind = 'csi';
    else if (c === 0x9d) kind = 'osc';
    else if (c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) kind = 'string';
    else return -1;
    j = i + 1;
  }
  if (kind === 'csi') {
    while (j < s.length && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x3f) j++; // parameters
    while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++; // intermediates
    const final = s.charCodeAt(j);
    return final >= 0x40 && final <= 0x7e ? j + 1 : -1;
  }
  // OSC ends at BEL or ST; DCS, SOS, PM and APC at ST (ESC \ or 0x9C). Terminals also end OSC at ST.
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === ST) return j + 1;
    if (d === ESC && s.charCodeAt(j + 1) === 0x5c) return j + 2;
    if (d === BEL && kind === 'osc') return j + 1;
  }
  return -1;
}

function sanitize(s: string, multiline: boolean): string {
  let out = '';
  let start = 0; // start of the pending run of safe characters
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isUnsafe(c) && (multiline || (c !== 0x09 && c !== 0x0a))) continue;
    out += s.slice(start, i);
    let next = i + 1;
    if (c === 0x0d && s.charCodeAt(i + 1) === 0x0a) {
      out += multiline ? '\n' : ' ';
      next = i + 2;
    } else if (c === 0x0a || c === 0x09 || c === 0x2028 || c === 0x2029) {
      // Only line separators get here in multi-line text ("\n" and "\t" are kept as they are).
      out += multiline ? '\n' : ' ';
    } else {
      const end = c === ESC || (c >= 0x80 && c <= 0x9f) ? sequenceEnd(s, i) : -1;
      if (end > 0) next = end;
      out += PLACEHOLDER;
    }
    start = next;
    i = next - 1;
  }
  return start === 0 ? s : out + s.slice(start);
}

/** One-line text (a name, a table cell, a title): no controls, no line breaks, no tabs. */
export function sanitizeLine(s: string): string {
  return sanitize(s, false);
}

/** Multi-line text (a traceback, a diagnostic, a whole CLI output): keeps "\n" and "\t", nothing else. */
export function sanitizeMultiline(s: string): string {
  return sanitize(s, true);
}

/** Whether `s` holds any character the sanitisers would change in multi-line text. */
export function hasUnsafeChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isUnsafe(s.charCodeAt(i))) return true;
  return false;
}

/**
 * JSON text whose strings keep their exact values but whose characters are all safe to print: JSON.stringify
 * already escapes C0 controls; this also writes DEL, C1, bidi controls and U+2028/U+2029 as \uXXXX escapes.
 * (Outside strings JSON text is plain ASCII, so every such character is inside a string.)
 */
export function safeJsonStringify(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
