/**
 * What part of a row an LF matched, where it can be known from its source: the string literals it tests
 * (keywords, phrases) and the regular expressions it passes to `re`, including the literals of module-level
 * lists or sets it refers to by name (`KEYWORDS = ["check out", ...]`). It reads source text only and never
 * runs it. A highlight is a hint for the reader, not a claim about why the LF voted: an LF that lowercases the
 * text is matched case-insensitively, and literals that name data fields (`x["text"]`) are left out.
 */

export interface Matcher {
  /** The literal as written, for tooltips. */
  source: string;
  regex: RegExp;
}

const MAX_MATCHERS = 64;
const MAX_SPANS = 50;

/** The source of one LF: from its first decorator/def line (1-based `line`) to the end of its body. */
export function lfBlock(fileSource: string, line: number): string {
  const lines = fileSource.split('\n');
  const out: string[] = [];
  let seenDef = false;
  for (let i = Math.max(0, line - 1); i < lines.length; i++) {
    const text = lines[i];
    const top = /^\S/.test(text) && !/^\s*#/.test(text);
    if (seenDef && top && !/^[)\]}]/.test(text)) break;
    if (/^\s*(async\s+)?def\b/.test(text)) seenDef = true;
    out.push(text);
  }
  return out.join('\n');
}

interface Literal {
  value: string;
  /** Offset in the text it was read from. */
  at: number;
}

/** String literals in Python source (single, double, triple quotes; r/u prefixes; f- and b-strings skipped). */
export function stringLiterals(source: string): Literal[] {
  const out: Literal[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '#') {
      const nl = source.indexOf('\n', i);
      i = nl < 0 ? source.length : nl + 1;
      continue;
    }
    if (ch !== '"' && ch !== "'") {
      i++;
      continue;
    }
    const prefix = /([A-Za-z]{0,2})$/.exec(source.slice(Math.max(0, i - 3), i))?.[1] ?? '';
    const word = i - prefix.length > 0 && /\w/.test(source[i - prefix.length - 1]);
    const flags = word ? '' : prefix.toLowerCase();
    const quote = source.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
    const raw = flags.includes('r');
    let j = i + quote.length;
    let value = '';
    let closed = false;
    while (j < source.length) {
      if (source.startsWith(quote, j)) {
        closed = true;
        j += quote.length;
        break;
      }
      const c = source[j];
      if (c === '\n' && quote.length === 1) break;
      if (c === '\\' && j + 1 < source.length) {
        value += raw ? c + source[j + 1] : unescape(source[j + 1]);
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    if (closed && !/[fb]/.test(flags)) out.push({ value, at: i - flags.length });
    i = j;
  }
  return out;
}

function unescape(c: string): string {
  return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[c] ?? `\\${c}`;
}

const RE_CALL = /\bre\.(search|match|fullmatch|findall|finditer|compile|sub|split)\s*\(\s*$/;

/** Python regex syntax that JavaScript spells differently; null when it cannot be carried over. */
export function pythonRegexToJs(pattern: string, caseInsensitive: boolean): RegExp | null {
  let flags = caseInsensitive ? 'gi' : 'g';
  let p = pattern;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (inline) {
    if (inline[1].includes('i')) flags = flags.includes('i') ? flags : flags + 'i';
    if (inline[1].includes('s')) flags += 's';
    if (inline[1].includes('m')) flags += 'm';
    p = p.slice(inline[0].length);
  }
  p = p.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '$');
  try {
    const regex = new RegExp(p, flags);
    return regex.test('') ? null : regex; // a pattern that matches the empty string highlights nothing useful
  } catch {
    return null;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matchers for one LF. `block` is its source (lfBlock), `fileSource` the whole file (for module-level lists
 * it names), `fieldNames` the data's field names (literals equal to one are keys, not keywords).
 */
export function lfMatchers(block: string, fileSource: string, fieldNames: readonly string[]): Matcher[] {
  const lowered = /\.lower\(\)|\.casefold\(\)|re\.I\b|re\.IGNORECASE|\(\?i\)/.test(block);
  const fields = new Set(fieldNames.map((f) => f.toLowerCase()));
  const out: Matcher[] = [];
  const seen = new Set<string>();
  const add = (value: string, asRegex: boolean, ci: boolean) => {
    if (out.length >= MAX_MATCHERS || value.trim().length < 2 || fields.has(value.toLowerCase())) return;
    const key = `${asRegex}:${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    const regex = asRegex ? pythonRegexToJs(value, ci) : new RegExp(escapeRegex(value), ci ? 'gi' : 'g');
    if (regex) out.push({ source: value, regex });
  };
  for (const lit of stringLiterals(block)) {
    const before = block.slice(Math.max(0, lit.at - 40), lit.at);
    add(lit.value, RE_CALL.test(before), lowered);
  }
  // Module-level names the LF uses: NAME = [...], {...}, (...) or re.compile(...).
  for (const name of new Set(block.match(/\b[A-Za-z_]\w*\b/g) ?? [])) {
    const value = moduleLevelValue(fileSource, name);
    if (value === null) continue;
    const isRegex = /^re\.compile\s*\(/.test(value);
    const ci = lowered || /re\.I\b|re\.IGNORECASE/.test(value);
    for (const lit of stringLiterals(value)) add(lit.value, isRegex, ci);
  }
  return out;
}

/** The text of a module-level assignment `name = <value>` (to where its brackets close), or null. */
function moduleLevelValue(fileSource: string, name: string): string | null {
  const re = new RegExp(`^${name}\\s*(?::[^=\\n]+)?=\\s*`, 'm');
  const m = re.exec(fileSource);
  if (!m) return null;
  let depth = 0;
  let i = m.index + m[0].length;
  const start = i;
  for (; i < fileSource.length; i++) {
    const c = fileSource[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === '\n' && depth <= 0) break;
    if (i - start > 20_000) break;
  }
  const value = fileSource.slice(start, i);
  return /^(\[|\{|\(|set\(|frozenset\(|re\.compile\s*\()/.test(value) ? value : null;
}

/** Non-overlapping [start, end) spans of `text` that any matcher matches, in order. */
export function highlightSpans(text: string, matchers: readonly Matcher[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const { regex } of matchers) {
    regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    let guard = 0;
    while ((m = regex.exec(text)) !== null && guard++ < MAX_SPANS) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      spans.push([m.index, m.index + m[0].length]);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] < last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged.slice(0, MAX_SPANS);
}
