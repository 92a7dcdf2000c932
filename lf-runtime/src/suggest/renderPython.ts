/**
 * Suggested LFs as ordinary Snorkel-style Python: `@labeling_function()` functions named for what they test
 * and vote (`keyword_check_out_spam`), constants for the class ids, one readable expression each. The
 * expression for each kind of test is the one matchers.ts reproduces, vote for vote: text is lowercased with
 * `.lower()` and searched with `re` and `\b` word boundaries; measures use `len`, `.split()`, `.count()`.
 */
import { classConstants, identifierWords, pyDocstring, pyFieldAccess, pyNumber, pyRegexLiteral, pyStringLiteral, uniqueIdentifier } from './pythonSyntax.ts';
import type { LfSpec, LfTest, PrecisionFigures, TextMeasure, WordTest } from './types.ts';

/** What the docstring of a suggested LF reports. */
export interface LfEvidence {
  precision: PrecisionFigures;
  coverage: { rows: number; of: number };
}

export interface RenderedLf {
  name: string;
  description: string;
  functionCode: string;
  /** Import lines and constants the function needs, one statement each. */
  support: string[];
  /** support, then the function: a module the sandbox can run alone. */
  code: string;
}

const SNORKEL_IMPORT = 'from snorkel.labeling import labeling_function';

const MEASURE_NAMES: Record<TextMeasure, string> = {
  chars: 'characters',
  words: 'words',
  digits: 'digits',
  uppercase: 'capitals',
  exclamations: 'exclamation_marks',
  questions: 'question_marks',
};

/** Python's pattern for a word test; the words are `\w` runs, which need no escaping. */
export function pythonPattern(test: WordTest): string {
  switch (test.kind) {
    case 'phrase':
      return `\\b${test.words.join('\\s+')}\\b`;
    case 'prefix':
      return `\\b${test.prefix}`;
    case 'wordsInOrder':
      return `\\b${test.words[0]}\\b.*\\b${test.words[1]}\\b`;
    case 'startsWith':
      return `^\\W*(?:\\w+\\W+)?${test.words.join('\\W+')}\\b`;
    case 'startsThen':
      return `^\\W*(?:\\w+\\W+)?${test.words.join('\\W+')}\\W+(?:\\w+\\W+){0,${test.within - 1}}${test.then}\\b`;
    case 'endsWith':
      return `\\b${test.words.join('\\W+')}\\W*$`;
    case 'substring':
      // Characters of unspaced scripts only, none special to `re` (pythonText.ts).
      return test.text;
  }
}

function measureExpression(field: string, measure: TextMeasure): string {
  switch (measure) {
    case 'chars':
      return `len(${field})`;
    case 'words':
      return `len(${field}.split())`;
    case 'digits':
      return `len(re.findall(r"[0-9]", ${field}))`;
    case 'uppercase':
      return `len(re.findall(r"[A-Z]", ${field}))`;
    case 'exclamations':
      return `${field}.count("!")`;
    case 'questions':
      return `${field}.count("?")`;
  }
}

/** The condition under which the LF votes, as a Python expression over the row `x`. */
export function conditionExpression(test: LfTest): string {
  const field = pyFieldAccess(test.field);
  switch (test.kind) {
    case 'phrase':
    case 'prefix':
    case 'startsWith':
    case 'startsThen':
    case 'endsWith':
      return `re.search(${pyRegexLiteral(pythonPattern(test))}, ${field}.lower())`;
    case 'wordsInOrder':
      return `re.search(${pyRegexLiteral(pythonPattern(test))}, ${field}.lower(), flags=re.S)`;
    case 'substring':
      return `${pyStringLiteral(test.text)} in ${field}.lower()`;
    case 'noneOf': {
      const none = `not re.search(${pyRegexLiteral(test.tests.map(pythonPattern).join('|'))}, ${field}.lower(), flags=re.S)`;
      return test.within ? `${conditionExpression(test.within)} and ${none}` : none;
    }
    case 'startsShort':
      return `${conditionExpression({ kind: 'startsWith', field: test.field, words: test.words })} and ${measureExpression(field, 'words')} <= ${pyNumber(test.maxWords)}`;
    case 'textMeasure':
      return `${measureExpression(field, test.measure)} ${test.op} ${pyNumber(test.threshold)}`;
    case 'number':
      return `${field} is not None and ${field} ${test.op} ${pyNumber(test.threshold)}`;
  }
}

export function usesRe(test: LfTest): boolean {
  return test.kind !== 'number' && test.kind !== 'substring' && !(test.kind === 'textMeasure' && !['digits', 'uppercase'].includes(test.measure));
}


/**
 * Characters of a script written without spaces as they are, in a name (`contains_微信_spam`), where Python reads
 * the name back unchanged: identifier characters, already in NFKC form (Python normalizes identifiers so);
 * else `u` and the first one's code point.
 */
const ownWord = (w: string) => (/^\p{ID_Continue}+$/u.test(w) && w.normalize('NFKC') === w ? w : `u${w.codePointAt(0)!.toString(16)}`);
/** A word in a name: its ASCII letters and digits (accents dropped), else its own characters (ownWord). */
const word = (w: string) => identifierWords(w).join('_') || ownWord(w);
const bound = (op: '>=' | '<=') => (op === '>=' ? 'at_least' : 'at_most');
const numberWords = (x: number) => pyNumber(x).replace('-', 'minus_').replace('.', '_').replace('+', '');

/** The function name before de-duplication: what it tests, then the class it votes. */
export function baseName(spec: LfSpec, constants: readonly string[]): string {
  const cls = constants[spec.label].toLowerCase();
  const t = spec.test;
  const fieldWords = identifierWords(t.field).join('_') || 'field';
  switch (t.kind) {
    case 'phrase':
      return `keyword_${t.words.map(word).join('_')}_${cls}`;
    case 'prefix':
      return `prefix_${word(t.prefix)}_${cls}`;
    case 'wordsInOrder':
      return `words_${word(t.words[0])}_then_${word(t.words[1])}_${cls}`;
    case 'startsWith':
      return `opening_${t.words.map(word).join('_')}_${cls}`;
    case 'startsThen':
      return `opening_${t.words.map(word).join('_')}_then_${word(t.then)}_${cls}`;
    case 'endsWith':
      return `ends_${t.words.map(word).join('_')}_${cls}`;
    case 'substring':
      return `contains_${word(t.text)}_${cls}`;
    case 'startsShort':
      return `opening_${t.words.map(word).join('_')}_at_most_${numberWords(t.maxWords)}_words_${cls}`;
    case 'noneOf': {
      const none = `no_${constants.filter((_, c) => c !== spec.label).length === 1 ? constants.find((_, c) => c !== spec.label)!.toLowerCase() : 'other'}_keyword_${cls}`;
      // The context's own name without its class: `starts_what` + `_but_` + `no_other_keyword_enty`.
      return t.within ? `${baseName({ test: t.within, label: spec.label }, constants).slice(0, -cls.length - 1)}_but_${none}` : none;
    }
    case 'textMeasure':
      return `${MEASURE_NAMES[t.measure]}_${bound(t.op)}_${numberWords(t.threshold)}_${cls}`;
    case 'number':
      return `${fieldWords}_${bound(t.op)}_${numberWords(t.threshold)}_${cls}`;
  }
}

/** One line for people: `keyword "check out" -> SPAM`. */
export function describeTest(spec: LfSpec, classes: readonly string[]): string {
  const t = spec.test;
  const to = ` -> ${classes[spec.label]}`;
  switch (t.kind) {
    case 'phrase':
      return `${t.words.length > 1 ? 'phrase' : 'keyword'} "${t.words.join(' ')}"${to}`;
    case 'prefix':
      return `a word starting with "${t.prefix}"${to}`;
    case 'wordsInOrder':
      return `"${t.words[0]}" and later "${t.words[1]}"${to}`;
    case 'startsWith':
      return `"${t.words.join(' ')}" as the first or second word${to}`;
    case 'startsThen':
      return `"${t.words.join(' ')}" as the first or second word, then "${t.then}" within ${t.within} words${to}`;
    case 'endsWith':
      return `ends with "${t.words.join(' ')}"${to}`;
    case 'substring':
      return `contains "${t.text}"${to}`;
    case 'startsShort':
      return `at most ${pyNumber(t.maxWords)} words, "${t.words.join(' ')}" as the first or second word${to}`;
    case 'noneOf': {
      const none = `none of ${t.tests.length} patterns of the other classes${to}`;
      return t.within ? `${describeTest({ test: t.within, label: spec.label }, classes).slice(0, -to.length)} but ${none}` : none;
    }
    case 'textMeasure':
      return `${MEASURE_NAMES[t.measure].replace('_', ' ')} ${t.op} ${pyNumber(t.threshold)} in ${t.field}${to}`;
    case 'number':
      return `${t.field} ${t.op} ${pyNumber(t.threshold)}${to}`;
  }
}

function evidenceLine(e: LfEvidence, className: string): string {
  const { correct, votes, lowerBound } = e.precision;
  const share = e.coverage.of > 0 ? ((100 * e.coverage.rows) / e.coverage.of).toFixed(1) : '0.0';
  return `Right on ${correct} of ${votes} labeled rows it votes ${className} on (precision at least ${lowerBound.toFixed(2)}); votes on ${share}% of the sample.`;
}

export interface RenderOptions {
  classes: readonly string[];
  /** Names already used (the user's LFs): suggestions get other names. */
  takenNames?: Iterable<string>;
  /**
   * Some row's text is not a string (a JSON null): tests on the text first check that it is one, so they abstain
   * there, as the TypeScript twin does (matchers.ts), rather than raise.
   */
  textMayBeMissing?: boolean;
}

/** Renders each LF with a unique name, its own module and its support lines. */
export function renderLfs(items: readonly { spec: LfSpec; evidence: LfEvidence }[], options: RenderOptions): RenderedLf[] {
  const constants = classConstants(options.classes);
  const taken = new Set(options.takenNames ?? []);
  return items.map(({ spec, evidence }) => {
    const name = uniqueIdentifier(baseName(spec, constants), taken);
    const constant = constants[spec.label];
    const functionCode = [
      '@labeling_function()',
      `def ${name}(x):`,
      `    ${pyDocstring(evidenceLine(evidence, options.classes[spec.label]))}`,
      `    return ${constant} if ${options.textMayBeMissing && spec.test.kind !== 'number' ? `isinstance(${pyFieldAccess(spec.test.field)}, str) and ` : ''}${conditionExpression(spec.test)} else ABSTAIN`,
    ].join('\n');
    const support = [...(usesRe(spec.test) ? ['import re'] : []), SNORKEL_IMPORT, 'ABSTAIN = -1', `${constant} = ${spec.label}`];
    const imports = support.filter((s) => s.startsWith('import ') || s.startsWith('from '));
    const constantLines = support.filter((s) => !imports.includes(s));
    const code = `${imports.join('\n')}\n\n${constantLines.join('\n')}\n\n\n${functionCode}\n`;
    return { name, description: describeTest(spec, options.classes), functionCode, support, code };
  });
}

/** The whole file: a docstring, the imports, every class constant, then the LFs. */
export function renderLfFile(rendered: readonly RenderedLf[], classes: readonly string[], header: string): string {
  const constants = classConstants(classes);
  const needsRe = rendered.some((r) => r.support.includes('import re'));
  const lines = [pyDocstring(header), ''];
  if (needsRe) lines.push('import re', '');
  lines.push(SNORKEL_IMPORT, '', `ABSTAIN = -1`, ...constants.map((c, id) => `${c} = ${id}`));
  const body = rendered.map((r) => r.functionCode).join('\n\n\n');
  return `${lines.join('\n')}\n${body ? `\n\n${body}\n` : ''}`;
}
