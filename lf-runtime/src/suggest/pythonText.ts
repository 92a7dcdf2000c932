/**
 * Text as the rendered Python LFs see it, computed in TypeScript so that the suggester's votes are the votes
 * the sandbox will give. Every LF lowercases with `str.lower()` and matches with Python's `re`, whose `\w`
 * and `\s` are Unicode-aware; JavaScript's are ASCII-only, so the classes are spelled out here:
 * - `\w` in Python is `str.isalnum()` or `_`, which is exactly `[\p{L}\p{N}_]` (checked over every code point
 *   against CPython; the two differ only on characters newer than the interpreter's Unicode tables).
 * - `\s` in Python is `str.isspace()`: the Unicode White_Space characters plus the separators \x1c-\x1f.
 * - `str.lower()` and `String.prototype.toLowerCase()` apply the same full Unicode mapping (final sigma, the
 *   dotted capital I), again up to the Unicode version.
 * Lengths count code points, as Python's `len` does, not UTF-16 units.
 */

/** Python's `\w` as a JavaScript character-class body (needs the `u` flag). */
export const PY_WORD_CLASS = '\\p{L}\\p{N}_';

/** Python's `\s` (str.isspace) as a JavaScript character-class body. */
export const PY_SPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WORD_RUN = new RegExp(`[${PY_WORD_CLASS}]+`, 'gu');
const SPACE_ONLY = new RegExp(`^[${PY_SPACE_CLASS}]+$`, 'u');
const NON_SPACE_RUN = new RegExp(`[^${PY_SPACE_CLASS}]+`, 'gu');
const WORD_CHAR = new RegExp(`^[${PY_WORD_CLASS}]+$`, 'u');

/** `s.lower()`. */
export function pyLower(s: string): string {
  return s.toLowerCase();
}

/** Whether `s` is one token: Python `\w` characters only, at least one. */
export function isWordToken(s: string): boolean {
  return WORD_CHAR.test(s);
}

/** `len(s)`: code points. */
export function pyLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** `len(s.split())`: runs of non-whitespace. */
export function pyWordCount(s: string): number {
  NON_SPACE_RUN.lastIndex = 0;
  let n = 0;
  while (NON_SPACE_RUN.exec(s) !== null) n++;
  return n;
}

/** `s.count(sub)` for a non-empty `sub`: non-overlapping occurrences, left to right. */
export function pyCount(s: string, sub: string): number {
  let n = 0;
  for (let at = s.indexOf(sub); at !== -1; at = s.indexOf(sub, at + sub.length)) n++;
  return n;
}

/** `len(re.findall(r"[0-9]", s))` and the like for an ASCII range: characters in [lo, hi]. */
export function countAsciiRange(s: string, lo: string, hi: string): number {
  const a = lo.charCodeAt(0);
  const b = hi.charCodeAt(0);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= a && c <= b) n++;
  }
  return n;
}

/**
 * The tokens of already lowercased text: maximal runs of `\w` characters, so a token `t` occurs in the text
 * exactly when `re.search(r"\bt\b", text)` finds it. `spaced[i]` says whether only whitespace separates
 * token i from token i + 1 (what `\s+` between two words of a phrase needs).
 */
export function tokenize(lower: string): { tokens: string[]; spaced: boolean[] } {
  const tokens: string[] = [];
  const spaced: boolean[] = [];
  let end = -1;
  WORD_RUN.lastIndex = 0;
  for (let m = WORD_RUN.exec(lower); m !== null; m = WORD_RUN.exec(lower)) {
    if (tokens.length > 0) spaced.push(SPACE_ONLY.test(lower.slice(end, m.index)));
    tokens.push(m[0]);
    end = m.index + m[0].length;
  }
  return { tokens, spaced };
}

/**
 * Runs of characters of the scripts written without spaces between words: Chinese (Han), Japanese (Hiragana,
 * Katakana and its prolonged-sound mark), Thai, Lao, Khmer, Myanmar. Every such character is outside ASCII,
 * so none is special in a Python or JavaScript regular expression.
 */
const UNSPACED_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/gu;

/** Whether the text (already lowercased) has any character of a script written without spaces. */
export function hasUnspacedScript(lower: string): boolean {
  UNSPACED_RUN.lastIndex = 0;
  return UNSPACED_RUN.test(lower);
}

/**
 * The distinct character n-grams (minN..maxN code points) inside the text's runs of unspaced scripts: each is
 * in the text exactly when Python's `gram in text` says so, since a gram made of such characters only can
 * occur only inside such a run.
 */
export function unspacedGrams(lower: string, minN: number, maxN: number): string[] {
  const out = new Set<string>();
  UNSPACED_RUN.lastIndex = 0;
  for (let m = UNSPACED_RUN.exec(lower); m !== null; m = UNSPACED_RUN.exec(lower)) {
    const chars = [...m[0]];
    for (let n = minN; n <= maxN; n++) for (let s = 0; s + n <= chars.length; s++) out.add(chars.slice(s, s + n).join(''));
  }
  return [...out];
}
