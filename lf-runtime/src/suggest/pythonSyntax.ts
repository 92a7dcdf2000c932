/**
 * Python source fragments that must be right whatever text they carry: string and regular-expression
 * literals, identifiers made from class names and words, numbers, field access. Data words and class names
 * are the user's, so every character that could end a literal, hide in a terminal (controls, bidirectional
 * overrides) or fail to encode (lone surrogates) is escaped.
 */

/**
 * Characters written as escapes inside a literal: every Unicode "other" (controls, format characters such as
 * bidirectional overrides and the BOM, lone surrogates, private use, unassigned) and the line and paragraph
 * separators.
 */
const NEEDS_ESCAPE = /[\p{C}\p{Zl}\p{Zp}]/u;

function escapeChar(ch: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\', '"': '\\"' };
  if (named[ch]) return named[ch];
  const code = ch.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
}

/** A double-quoted Python string literal whose value is exactly `s` (a lone surrogate stays one). */
export function pyStringLiteral(s: string): string {
  let out = '"';
  // By code point: a pair of surrogates is one character, printed as itself unless it needs an escape.
  for (const ch of s) out += ch === '\\' || ch === '"' || NEEDS_ESCAPE.test(ch) ? escapeChar(ch) : ch;
  return `${out}"`;
}

/**
 * A literal for a regular expression: `r"..."` when the raw form is safe (no quote, no trailing backslash,
 * nothing that needs an escape), else an ordinary escaped literal with the same value.
 */
export function pyRegexLiteral(pattern: string): string {
  const rawSafe = !pattern.includes('"') && !/(^|[^\\])(\\\\)*\\$/.test(pattern) && !NEEDS_ESCAPE.test(pattern);
  return rawSafe ? `r"${pattern}"` : pyStringLiteral(pattern);
}

/** A docstring: `"""text"""` (line breaks kept) when that reads back exactly, else an ordinary literal. */
export function pyDocstring(text: string): string {
  return /["\\]/.test(text) || NEEDS_ESCAPE.test(text.replaceAll('\n', '')) ? pyStringLiteral(text) : `"""${text}"""`;
}

/**
 * A number literal that Python reads as the same double: integers as digits, others in JavaScript's shortest
 * round-trip form (1e+21 and 1.5e-7 are valid Python too).
 */
export function pyNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`no Python literal for ${x}`);
  return Object.is(x, -0) ? '0' : String(x);
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/**
 * Attributes a row already has (the sandbox's row tuple, a pandas Series under Snorkel): a field with such a
 * name must be read as x["name"], since x.name would give the attribute.
 */
const ROW_ATTRIBUTES = new Set(
  'T abs add all any append apply array at attrs axes between bool clip copy count cummax cummin cumsum describe diff div divide dot drop dt dtype dtypes empty eq equals filter first flags ge get gt hasnans head hist iat idxmax idxmin iloc index item items keys kurt last le loc lt map mask max mean median min mod mode mul name nbytes ndim ne nlargest nsmallest pipe plot pop pow prod product quantile rank replace round sample sem shape shift size skew sort_index sort_values squeeze std str sub sum tail take to_dict to_list tolist transform transpose truncate unique update value_counts values var where xs'.split(
    ' ',
  ),
);

/** `x.field` where that reads the field under both runtimes, else `x["field"]`. */
export function pyFieldAccess(field: string): string {
  const plain = /^[A-Za-z][A-Za-z0-9_]*$/.test(field) && !PY_KEYWORDS.has(field) && !ROW_ATTRIBUTES.has(field);
  return plain ? `x.${field}` : `x[${pyStringLiteral(field)}]`;
}

/** Lowercase ASCII words of `s` for an identifier: accents dropped, other characters as separators. */
export function identifierWords(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Constant names for the classes, in class-id order: the class name in capitals (`HAM`, `NOT_SPAM`),
 * `CLASS_<id>` when the name has no usable letters, and `_<id>` appended where two would collide or one
 * would shadow ABSTAIN.
 */
export function classConstants(classes: readonly string[]): string[] {
  const base = classes.map((name, id) => {
    const words = identifierWords(name);
    const joined = words.join('_').toUpperCase();
    if (joined === '') return `CLASS_${id}`;
    return /^[0-9]/.test(joined) ? `CLASS_${joined}` : joined;
  });
  const taken = new Set(['ABSTAIN']);
  return base.map((name, id) => {
    let out = name;
    if (taken.has(out) || base.indexOf(name) !== id) out = `${name}_${id}`;
    while (taken.has(out)) out = `${out}_`;
    taken.add(out);
    return out;
  });
}

/** `base`, or `base_2`, `base_3`, ... : the first not in `taken`, which then holds it. */
export function uniqueIdentifier(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}
