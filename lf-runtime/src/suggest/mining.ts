/**
 * Candidate LFs mined from the labeled rows, each with the rows it votes on:
 * - phrases: every word, and every two or three consecutive words, seen in at least `minSupport` labeled rows
 *   of one class, voting the class it is seen with most;
 * - word prefixes (`\bsubscrib`) of those words that reach more rows than the word;
 * - two words in order, anywhere in the text (`\bwhat\b.*\bstand\b`);
 * - where the text starts and ends: one to three words from its first or second word on
 *   (`^\W*(?:\w+\W+)?how\W+many\b`), one or two such words and a word among the three after them
 *   (`what ... city`), its last one or two words
 *   (`\bstand\W+for\W*$`), each seen in at least `minSupport` labeled rows of one class; function words
 *   count here (a text that starts with "how" or "in" says more than one that holds it somewhere), except as
 *   the later word of `what ... city`;
 * - short texts with given first words (`what is` and at most 5 words), at the word counts of the labeled
 *   rows that start so, where the class is more common among them than among all the rows that start so;
 * - in scripts written without spaces (Chinese, Japanese, Thai, ...), where a word is a run of characters up
 *   to the next space or punctuation mark, often a whole clause: every two to four consecutive characters
 *   (`"微信" in x.text.lower()`), seen in at least `minSupport` labeled rows of one class;
 * - thresholds on text measures and numeric fields, at the labeled rows' deciles, in both directions, for
 *   every class.
 * Function words (FUNCTION_WORDS) are no LF alone nor half of a pair. The fallback LF ("none of these words")
 * is not mined: selection.ts builds it from the LFs it has chosen.
 * Proposals come from the labeled rows only (a test no labeled row passes has no precision to judge), but
 * every vote is counted over all rows with the same test the Python LF makes (corpus.ts).
 */
import { endsRows, inOrderRows, OPENING_OFFSETS, phraseRows, prefixRows, startsRows, startsThenRows, substringRows, thresholdRows, type Corpus } from './corpus.ts';
import type { CompareOp, LfSpec, LfTest } from './types.ts';

/**
 * English function words that are never an LF on their own (they are kept inside phrases such as "check out"):
 * they fire on a large share of any text, and when a hundred labeled rows make one look precise ("to" right
 * on 16 of 18 spam rows, because spam comments are long), it is the rows, not the word. Question words
 * (what, who, where, when, why, how, which) are not among them: they name the question's type.
 */
export const FUNCTION_WORDS = new Set(
  'a about above after again all also am an and any are as at be been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were while will with would you your yours yourself yourselves s t d ll m re ve'.split(
    ' ',
  ),
);

export interface MinedLf {
  spec: LfSpec;
  /** Ascending row indices (labeled first, then unlabeled) it votes on. */
  hits: Int32Array;
  labeledVotes: number;
  labeledCorrect: number;
  unlabeledVotes: number;
}

export interface MiningOptions {
  /** Labeled rows of its class a text pattern must occur in (default 2). */
  minSupport?: number;
  /** Longest phrase in words (default 3). */
  maxPhraseWords?: number;
  /** Shortest prefix, in characters (default 4). */
  minPrefixLength?: number;
  /** Words of a labeled row considered for pairs in order (default 30: its first 30 distinct frequent words). */
  maxPairWords?: number;
  /** Words that are no LF alone, nor half of a pair (default FUNCTION_WORDS; an empty set turns this off). */
  functionWords?: ReadonlySet<string>;
  /** Most words of a test on the text's first words (default 3). */
  maxStartWords?: number;
  /** Words after the first ones in which a `startsThen` test looks for its word (default 3). */
  startWindow?: number;
  /** Most words of a test on the text's last words (default 2). */
  maxEndWords?: number;
}

/** Counts an LF's votes: labeled (and right) and unlabeled. */
export function withFigures(corpus: Corpus, spec: LfSpec, hits: Int32Array): MinedLf {
  let labeledVotes = 0;
  let labeledCorrect = 0;
  for (const i of hits) {
    if (i >= corpus.nLabeled) break;
    labeledVotes++;
    if (corpus.gold[i] === spec.label) labeledCorrect++;
  }
  return { spec, hits, labeledVotes, labeledCorrect, unlabeledVotes: hits.length - labeledVotes };
}

export function mineCandidates(corpus: Corpus, options: MiningOptions = {}): MinedLf[] {
  const minSupport = options.minSupport ?? 2;
  const out: MinedLf[] = [];
  const field = corpus.textField;
  const add = (test: LfTest, label: number, hits: Int32Array) => out.push(withFigures(corpus, { test, label }, hits));

  const phrases = frequentPatterns(corpus, minSupport, (tokens, spaced, emit) => {
    const maxN = options.maxPhraseWords ?? 3;
    for (let s = 0; s < tokens.length; s++) {
      let key = tokens[s];
      emit(key);
      for (let q = 1; q < maxN && s + q < tokens.length && spaced[s + q - 1]; q++) {
        key += ` ${tokens[s + q]}`;
        emit(key);
      }
    }
  });
  const stop = options.functionWords ?? FUNCTION_WORDS;
  for (const [key, label] of phrases) {
    const words = key.split(' ');
    if (words.every((w) => stop.has(w))) continue;
    add({ kind: 'phrase', field, words }, label, phraseRows(corpus, words));
  }

  // Characters of scripts written without spaces, where the words above are whole clauses.
  if (corpus.grams.size > 0) {
    const grams = frequentPatterns(corpus, minSupport, (_tokens, _spaced, emit, row) => {
      for (const g of corpus.labeledGrams[row]) emit(g);
    });
    for (const [text, label] of grams) add({ kind: 'substring', field, text }, label, substringRows(corpus, text));
  }

  // Prefixes of the single words kept above, where they reach words the exact word does not.
  const minPrefix = options.minPrefixLength ?? 4;
  const prefixesSeen = new Set<string>();
  for (const [key, label] of phrases) {
    if (key.includes(' ') || stop.has(key)) continue;
    // Longest first, and a shorter prefix only where it reaches more rows: `\bcheck` rather than `\bchec`.
    let reached = corpus.postings.get(key)?.length ?? 0;
    for (let len = key.length; len >= minPrefix; len--) {
      const prefix = key.slice(0, len);
      const hits = prefixRows(corpus, prefix);
      if (hits.length <= reached) continue;
      reached = hits.length;
      if (prefixesSeen.has(`${prefix}\u0000${label}`)) continue;
      prefixesSeen.add(`${prefix}\u0000${label}`);
      add({ kind: 'prefix', field, prefix }, label, hits);
    }
  }

  // Two words in order, from the words frequent enough to be phrases of any class.
  const frequent = new Set([...phrases.keys()].filter((key) => !key.includes(' ') && !stop.has(key)));
  const maxPairWords = options.maxPairWords ?? 30;
  const pairs = frequentPatterns(corpus, minSupport, (tokens, _spaced, emit) => {
    const words: string[] = [];
    for (const t of tokens) if (frequent.has(t) && !words.includes(t) && words.length < maxPairWords) words.push(t);
    for (let a = 0; a < words.length; a++) {
      for (let b = 0; b < words.length; b++) {
        if (a === b) continue;
        // First occurrence of a before the last of b: what `\ba\b.*\bb\b` finds.
        if (tokens.indexOf(words[a]) < tokens.lastIndexOf(words[b])) emit(`${words[a]} ${words[b]}`);
      }
    }
  });
  for (const [key, label] of pairs) {
    const [first, second] = key.split(' ');
    add({ kind: 'wordsInOrder', field, words: [first, second] }, label, inOrderRows(corpus, first, second));
  }

  // Where the text starts and ends: its first words, its first words and a word soon after, its last words.
  const maxStart = options.maxStartWords ?? 3;
  const starts = frequentPatterns(corpus, minSupport, (tokens, _spaced, emit) => {
    for (const o of OPENING_OFFSETS) for (let m = 1; m <= Math.min(maxStart, tokens.length - o); m++) emit(tokens.slice(o, o + m).join(' '));
  });
  for (const [key, label] of starts) {
    const words = key.split(' ');
    add({ kind: 'startsWith', field, words }, label, startsRows(corpus, words));
  }
  // Short texts with those first words, at the word counts of the labeled rows that start so, for the class
  // most of them are, where that class is more common among them than among all the rows that start so.
  const wordCounts = corpus.measures.get('words');
  if (wordCounts) {
    for (const key of starts.keys()) {
      const words = key.split(' ');
      const rows = startsRows(corpus, words);
      const all = labeledCounts(corpus, rows);
      const allVotes = all.reduce((a, b) => a + b, 0);
      const counts = new Set<number>();
      for (const i of rows) if (i < corpus.nLabeled) counts.add(wordCounts[i]);
      // The largest count would keep every labeled row: the plain test on the first words.
      const sorted = [...counts].sort((a, b) => a - b).slice(0, -1);
      for (const maxWords of sorted) {
        const hits = rows.filter((i) => wordCounts[i] <= maxWords);
        const byClass = labeledCounts(corpus, hits);
        const votes = byClass.reduce((a, b) => a + b, 0);
        let label = 0;
        for (let c = 1; c < corpus.k; c++) if (byClass[c] > byClass[label]) label = c;
        if (byClass[label] >= minSupport && byClass[label] * allVotes > all[label] * votes) add({ kind: 'startsShort', field, words, maxWords }, label, hits);
      }
    }
  }
  const within = options.startWindow ?? 3;
  const startsThen = frequentPatterns(corpus, minSupport, (tokens, _spaced, emit) => {
    for (const o of OPENING_OFFSETS) {
      for (let m = 1; m < maxStart && o + m < tokens.length; m++) {
        const head = tokens.slice(o, o + m).join(' ');
        for (let j = o + m; j < Math.min(tokens.length, o + m + within); j++) if (!stop.has(tokens[j])) emit(`${head}\u0000${tokens[j]}`);
      }
    }
  });
  for (const [key, label] of startsThen) {
    const [head, then] = key.split('\u0000');
    const words = head.split(' ');
    add({ kind: 'startsThen', field, words, then, within }, label, startsThenRows(corpus, words, then, within));
  }
  const maxEnd = options.maxEndWords ?? 2;
  const ends = frequentPatterns(corpus, minSupport, (tokens, _spaced, emit) => {
    for (let m = 1; m <= Math.min(maxEnd, tokens.length); m++) emit(tokens.slice(tokens.length - m).join(' '));
  });
  for (const [key, label] of ends) {
    const words = key.split(' ');
    add({ kind: 'endsWith', field, words }, label, endsRows(corpus, words));
  }

  for (const [measure, values] of corpus.measures) {
    for (const [op, threshold, hits] of thresholdTests(corpus, values)) {
      for (let c = 0; c < corpus.k; c++) add({ kind: 'textMeasure', field, measure, op, threshold }, c, hits);
    }
  }
  for (const [name, values] of corpus.numericFields) {
    for (const [op, threshold, hits] of thresholdTests(corpus, values)) {
      for (let c = 0; c < corpus.k; c++) add({ kind: 'number', field: name, op, threshold }, c, hits);
    }
  }
  return out;
}

/**
 * Patterns (as keys) that `emit` finds in at least `minSupport` labeled rows of one class, each with the
 * class it occurs in most (the lower class id on a tie). A pattern counts once per row.
 */
function frequentPatterns(
  corpus: Corpus,
  minSupport: number,
  patternsOf: (tokens: string[], spaced: boolean[], emit: (key: string) => void, row: number) => void,
): Map<string, number> {
  const counts = new Map<string, Int32Array>();
  for (let i = 0; i < corpus.nLabeled; i++) {
    const t = corpus.tokens[i];
    if (!t) continue;
    const seen = new Set<string>();
    patternsOf(t.tokens, t.spaced, (key) => seen.add(key), i);
    for (const key of seen) {
      let c = counts.get(key);
      if (!c) counts.set(key, (c = new Int32Array(corpus.k)));
      c[corpus.gold[i]]++;
    }
  }
  const out = new Map<string, number>();
  for (const key of [...counts.keys()].sort()) {
    const c = counts.get(key)!;
    let best = 0;
    for (let y = 1; y < corpus.k; y++) if (c[y] > c[best]) best = y;
    if (c[best] >= minSupport) out.set(key, best);
  }
  return out;
}

/** Labeled rows of each class among the rows. */
function labeledCounts(corpus: Corpus, rows: Int32Array): Int32Array {
  const out = new Int32Array(corpus.k);
  for (const i of rows) if (i < corpus.nLabeled) out[corpus.gold[i]]++;
  return out;
}

/** Thresholds at the labeled rows' deciles (distinct values only), with the rows each test holds on. */
function thresholdTests(corpus: Corpus, values: Float64Array): [CompareOp, number, Int32Array][] {
  const labeled = [...values.subarray(0, corpus.nLabeled)].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (labeled.length < 2) return [];
  const thresholds = new Set<number>();
  for (let q = 1; q <= 9; q++) thresholds.add(labeled[Math.min(labeled.length - 1, Math.floor((q * labeled.length) / 10))]);
  const out: [CompareOp, number, Int32Array][] = [];
  for (const t of [...thresholds].sort((a, b) => a - b)) {
    for (const op of ['>=', '<='] as const) {
      const hits = thresholdRows(values, op, t);
      // A test that holds on every row or none of the labeled ones separates nothing.
      if (hits.length > 0 && hits.length < corpus.n) out.push([op, t, hits]);
    }
  }
  return out;
}
