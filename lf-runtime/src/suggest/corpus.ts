/**
 * The rows the suggester mines, indexed once: labeled rows first (0..nLabeled-1, with their gold labels),
 * then the unlabeled sample. Each row's lowercased text is split into tokens as Python's `\b` sees words,
 * with an inverted index from token to the rows holding it, so a keyword's votes are a posting list and a
 * phrase's are the intersection of its words' lists, checked on the rows' token sequences. The text
 * measures and numeric fields are computed once per row.
 */
import type { Row } from '../data/types.ts';
import { measureText, numericValue } from './matchers.ts';
import { hasUnspacedScript, pyLower, tokenize, unspacedGrams } from './pythonText.ts';
import { TEXT_MEASURES, type TextMeasure, type WordTest } from './types.ts';

export interface Corpus {
  /** Labeled plus unlabeled rows. */
  n: number;
  nLabeled: number;
  /** Gold class id of each labeled row. */
  gold: Int32Array;
  k: number;
  textField: string;
  /** Per row: its tokens and whether only whitespace separates each from the next; null without text. */
  tokens: ({ tokens: string[]; spaced: boolean[] } | null)[];
  /** Token -> ascending row indices whose text holds it. */
  postings: Map<string, Int32Array>;
  /** Every token, sorted, for prefix look-ups. */
  vocabulary: string[];
  /**
   * Character n-grams of the scripts written without spaces (unspacedGrams) -> ascending rows holding them;
   * empty when no row has such a script.
   */
  grams: Map<string, Int32Array>;
  /** Per labeled row, its distinct n-grams (empty where it has none). */
  labeledGrams: string[][];
  /** Per measure of the text field, its value per row (NaN without text). */
  measures: Map<TextMeasure, Float64Array>;
  /** Fields whose values are numbers on every labeled and unlabeled row that has them: value per row, NaN where absent. */
  numericFields: Map<string, Float64Array>;
}

/** Lengths of the character n-grams mined in scripts written without spaces (a Chinese word is mostly 2-4). */
export const GRAM_LENGTHS = { min: 2, max: 4 } as const;

export function buildCorpus(
  labeled: readonly Row[],
  gold: readonly number[],
  unlabeled: readonly Row[],
  textField: string,
  k: number,
  idField: string | null = null,
): Corpus {
  const rows = [...labeled, ...unlabeled];
  const n = rows.length;
  const tokens: Corpus['tokens'] = new Array(n);
  const lists = new Map<string, number[]>();
  const measures = new Map<TextMeasure, Float64Array>(TEXT_MEASURES.map((m) => [m, new Float64Array(n).fill(Number.NaN)]));
  let anyText = false;
  const lowered: (string | null)[] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    const text = rows[i].fields[textField];
    if (typeof text !== 'string') {
      tokens[i] = null;
      continue;
    }
    anyText = true;
    for (const m of TEXT_MEASURES) measures.get(m)![i] = measureText(text, m);
    const lower = pyLower(text);
    lowered[i] = lower;
    const t = tokenize(lower);
    tokens[i] = t;
    const seen = new Set<string>();
    for (const w of t.tokens) {
      if (seen.has(w)) continue;
      seen.add(w);
      let list = lists.get(w);
      if (!list) lists.set(w, (list = []));
      list.push(i);
    }
  }
  const postings = new Map<string, Int32Array>();
  for (const [w, list] of lists) postings.set(w, Int32Array.from(list));
  const { grams, labeledGrams } = gramIndex(lowered, labeled.length);
  return {
    n,
    nLabeled: labeled.length,
    gold: Int32Array.from(gold),
    k,
    textField,
    tokens,
    postings,
    vocabulary: [...postings.keys()].sort(),
    grams,
    labeledGrams,
    measures: anyText ? measures : new Map(),
    numericFields: numericFields(rows, textField, idField),
  };
}

/** The n-gram index of the rows' texts (lowercased; null without text), built only when some row has an unspaced script. */
function gramIndex(lowered: readonly (string | null)[], nLabeled: number): { grams: Map<string, Int32Array>; labeledGrams: string[][] } {
  const labeledGrams: string[][] = Array.from({ length: nLabeled }, () => []);
  const grams = new Map<string, Int32Array>();
  if (!lowered.some((t) => t !== null && hasUnspacedScript(t))) return { grams, labeledGrams };
  const lists = new Map<string, number[]>();
  lowered.forEach((t, i) => {
    if (t === null) return;
    const own = unspacedGrams(t, GRAM_LENGTHS.min, GRAM_LENGTHS.max);
    if (i < nLabeled) labeledGrams[i] = own;
    for (const g of own) {
      let list = lists.get(g);
      if (!list) lists.set(g, (list = []));
      list.push(i);
    }
  });
  for (const [g, list] of lists) grams.set(g, Int32Array.from(list));
  return { grams, labeledGrams };
}

/** A row id is no evidence of a class, whatever the labeled rows say: fields named id or ..._id are left alone. */
const ID_FIELD = /(^|[_\s-])id$/i;

/**
 * Fields other than the text and ids whose every present value is a number (a boolean or a string rules a
 * field out), with at least two distinct values.
 */
function numericFields(rows: readonly Row[], textField: string, idField: string | null): Map<string, Float64Array> {
  const candidates = new Set<string>();
  for (const row of rows.slice(0, 1000)) {
    for (const [f, v] of Object.entries(row.fields)) if (f !== textField && f !== idField && !ID_FIELD.test(f) && typeof v === 'number') candidates.add(f);
  }
  const out = new Map<string, Float64Array>();
  for (const f of [...candidates].sort()) {
    const values = new Float64Array(rows.length).fill(Number.NaN);
    let numeric = true;
    const distinct = new Set<number>();
    for (let i = 0; i < rows.length && numeric; i++) {
      const v = rows[i].fields[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number') numeric = false;
      else {
        values[i] = numericValue(v)!;
        if (distinct.size < 3 && !Number.isNaN(v)) distinct.add(v);
      }
    }
    if (numeric && distinct.size >= 2) out.set(f, values);
  }
  return out;
}

/** Rows in both ascending lists. */
export function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      out.push(a[i]);
      i++;
      j++;
    }
  }
  return Int32Array.from(out);
}

/** Rows in any of the ascending lists, ascending. */
export function union(lists: readonly Int32Array[]): Int32Array {
  if (lists.length === 1) return lists[0];
  const seen = new Set<number>();
  for (const l of lists) for (const i of l) seen.add(i);
  return Int32Array.from([...seen].sort((x, y) => x - y));
}

const EMPTY = new Int32Array(0);

/** Rows holding the phrase: its words consecutive, only whitespace between them. */
export function phraseRows(corpus: Corpus, words: readonly string[]): Int32Array {
  let rows = corpus.postings.get(words[0]) ?? EMPTY;
  for (const w of words.slice(1)) rows = intersect(rows, corpus.postings.get(w) ?? EMPTY);
  if (words.length === 1) return rows;
  return rows.filter((i) => {
    const t = corpus.tokens[i]!;
    for (let s = 0; s + words.length <= t.tokens.length; s++) {
      let ok = true;
      for (let q = 0; q < words.length && ok; q++) ok = t.tokens[s + q] === words[q] && (q === 0 || t.spaced[s + q - 1]);
      if (ok) return true;
    }
    return false;
  });
}

/** Rows where `first` occurs somewhere before `second`. */
export function inOrderRows(corpus: Corpus, first: string, second: string): Int32Array {
  const rows = intersect(corpus.postings.get(first) ?? EMPTY, corpus.postings.get(second) ?? EMPTY);
  return rows.filter((i) => {
    const t = corpus.tokens[i]!.tokens;
    return t.indexOf(first) < t.lastIndexOf(second);
  });
}

/** Whether `words` are the tokens at `at` onwards. */
function tokensAt(tokens: readonly string[], at: number, words: readonly string[]): boolean {
  if (at < 0 || at + words.length > tokens.length) return false;
  for (let q = 0; q < words.length; q++) if (tokens[at + q] !== words[q]) return false;
  return true;
}

/** Token positions at which an opening test may find its words: the first, or after one other word. */
export const OPENING_OFFSETS = [0, 1] as const;

/** Rows whose tokens are `words` from the first or the second token on. */
export function startsRows(corpus: Corpus, words: readonly string[]): Int32Array {
  return (corpus.postings.get(words[0]) ?? EMPTY).filter((i) => OPENING_OFFSETS.some((o) => tokensAt(corpus.tokens[i]!.tokens, o, words)));
}

/** Rows whose tokens are `words` from the first or the second token on, with `then` among the `within` tokens after them. */
export function startsThenRows(corpus: Corpus, words: readonly string[], then: string, within: number): Int32Array {
  const rows = intersect(corpus.postings.get(words[0]) ?? EMPTY, corpus.postings.get(then) ?? EMPTY);
  return rows.filter((i) => {
    const t = corpus.tokens[i]!.tokens;
    return OPENING_OFFSETS.some((o) => {
      if (!tokensAt(t, o, words)) return false;
      for (let j = o + words.length; j < Math.min(t.length, o + words.length + within); j++) if (t[j] === then) return true;
      return false;
    });
  });
}

/** Rows whose last tokens are `words`. */
export function endsRows(corpus: Corpus, words: readonly string[]): Int32Array {
  return (corpus.postings.get(words[words.length - 1]) ?? EMPTY).filter((i) => {
    const t = corpus.tokens[i]!.tokens;
    return tokensAt(t, t.length - words.length, words);
  });
}

/** Rows with a word starting with `prefix`. */
export function prefixRows(corpus: Corpus, prefix: string): Int32Array {
  const v = corpus.vocabulary;
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  const lists: Int32Array[] = [];
  for (let i = lo; i < v.length && v[i].startsWith(prefix); i++) lists.push(corpus.postings.get(v[i])!);
  return lists.length === 0 ? EMPTY : union(lists);
}

/** Rows where a per-row value compares with the threshold (NaN never does). */
export function thresholdRows(values: Float64Array, op: '>=' | '<=', threshold: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (op === '>=' ? v >= threshold : v <= threshold) out.push(i);
  }
  return Int32Array.from(out);
}

/** Rows a word test holds on. */
export function wordTestRows(corpus: Corpus, test: WordTest): Int32Array {
  switch (test.kind) {
    case 'phrase':
      return phraseRows(corpus, test.words);
    case 'prefix':
      return prefixRows(corpus, test.prefix);
    case 'wordsInOrder':
      return inOrderRows(corpus, test.words[0], test.words[1]);
    case 'startsWith':
      return startsRows(corpus, test.words);
    case 'startsThen':
      return startsThenRows(corpus, test.words, test.then, test.within);
    case 'endsWith':
      return endsRows(corpus, test.words);
    case 'substring':
      return substringRows(corpus, test.text);
  }
}

/** Rows whose lowercased text holds the n-gram (of an unspaced script, GRAM_LENGTHS long). */
export function substringRows(corpus: Corpus, text: string): Int32Array {
  return corpus.grams.get(text) ?? EMPTY;
}

/** Rows with text on which none of the tests holds (and, given `within`, that test does). */
export function noneOfRows(corpus: Corpus, tests: readonly WordTest[], within?: WordTest): Int32Array {
  const hit = new Uint8Array(corpus.n);
  for (const t of tests) for (const i of wordTestRows(corpus, t)) hit[i] = 1;
  const out: number[] = [];
  if (within) {
    for (const i of wordTestRows(corpus, within)) if (!hit[i]) out.push(i);
  } else {
    for (let i = 0; i < corpus.n; i++) if (!hit[i] && corpus.tokens[i] !== null) out.push(i);
  }
  return Int32Array.from(out);
}
