/**
 * Shapes of the LF suggester: what it is given (labeled rows, the unlabeled sample, class names), the tests a
 * suggested LF can make, and what it returns for the CLI and the editor's review panel.
 */
import type { Row } from '../data/types.ts';

export interface SuggestInput {
  /** Class names in class-id order (at least two). */
  classes: readonly string[];
  /** Rows with a gold label each; the only labels the suggester sees. */
  labeled: { rows: readonly Row[]; gold: readonly number[] };
  /** The unlabeled sample: coverage is measured here and the label model fitted on its votes. */
  unlabeled: readonly Row[];
  /** Field holding the text (LFs read it as `x.<field>`); rows without it get only the field tests. */
  textField: string;
  /** The project's id field, if its rows carry one: never a numeric test (nor is any field named id or ..._id). */
  idField?: string | null;
}

export interface SuggestOptions {
  /** Most LFs to keep (default 20). */
  maxLfs?: number;
  /** Seed for the label model and the sampling of large data (default 0): the same seed, the same LFs. */
  seed?: number;
  /**
   * z of the Wilson lower bound on an LF's precision over the labeled rows (default 1.28, one-sided 90%):
   * with all of its votes right, an LF needs 2 votes for a bound of 0.55 and 5 for 0.75.
   */
  confidenceZ?: number;
  /** Fewest unlabeled rows an LF must vote on, as a fraction of them (default 0.002, and at least 3 rows). */
  minCoverage?: number;
  /** Unlabeled rows beyond this many are sampled (seeded) before mining and fitting (default 20 000). */
  maxUnlabeledRows?: number;
  /** Names already taken (the project's LFs): suggested LFs get other names. */
  takenNames?: Iterable<string>;
}

/** What one Python LF computes from a row; each kind renders to one readable expression (renderPython.ts). */
export type LfTest =
  /** `re.search(r"\bcheck\s+out\b", x.text.lower())`: the words, in order, separated by whitespace. */
  | { kind: 'phrase'; field: string; words: string[] }
  /** `re.search(r"\bsubscrib", x.text.lower())`: a word that starts with the prefix. */
  | { kind: 'prefix'; field: string; prefix: string }
  /** `re.search(r"\bwhat\b.*\bstand\b", x.text.lower(), flags=re.S)`: the first word, later the second. */
  | { kind: 'wordsInOrder'; field: string; words: [string, string] }
  /**
   * `re.search(r"^\W*(?:\w+\W+)?how\W+many\b", x.text.lower())`: the text opens with these words, from its
   * first or its second word on ("how many ...", "so how many ...", "in what year ...").
   */
  | { kind: 'startsWith'; field: string; words: string[] }
  /**
   * `re.search(r"^\W*(?:\w+\W+)?what\W+(?:\w+\W+){0,2}city\b", x.text.lower())`: the text opens with `words`, and
   * `then` is one of the `within` words after them (`what ... city`: "what city", "what large city").
   */
  | { kind: 'startsThen'; field: string; words: string[]; then: string; within: number }
  /**
   * `"微信" in x.text.lower()`: characters of a script written without spaces between words (Chinese, Japanese,
   * Thai, ...), where a word test would need the whole run of characters between two spaces or punctuation.
   */
  | { kind: 'substring'; field: string; text: string }
  /** `re.search(r"\bstand\W+for\W*$", x.text.lower())`: the text's last words are these. */
  | { kind: 'endsWith'; field: string; words: string[] }
  /**
   * `re.search(r"^\W*(?:\w+\W+)?what\W+is\b", x.text.lower()) and len(x.text.split()) <= 5`: a short text
   * opening with these words ("what is an angelus ?").
   */
  | { kind: 'startsShort'; field: string; words: string[]; maxWords: number }
  /**
   * `not re.search(r"\bsubscrib|\bmy\b", x.text.lower(), flags=re.S)`: none of the word tests holds; the
   * fallback for a class, made of the chosen LFs of the other classes. With `within`, only where that test
   * holds: `re.search(r"^\W*(?:\w+\W+)?what\b", x.text.lower()) and not re.search(...)`, the fallback for
   * the rows opening with "what".
   */
  | { kind: 'noneOf'; field: string; tests: WordTest[]; within?: WordTest }
  /** `len(x.text.split()) <= 4` and other measures of the text. */
  | { kind: 'textMeasure'; field: string; measure: TextMeasure; op: CompareOp; threshold: number }
  /** `x.price is not None and x.price >= 100` on a numeric field. */
  | { kind: 'number'; field: string; op: CompareOp; threshold: number };

/** The tests that search the lowercased text with a regular expression. */
export type WordTest = Extract<LfTest, { kind: 'phrase' | 'prefix' | 'wordsInOrder' | 'startsWith' | 'startsThen' | 'endsWith' | 'substring' }>;

export const WORD_TEST_KINDS: readonly WordTest['kind'][] = ['phrase', 'prefix', 'wordsInOrder', 'startsWith', 'startsThen', 'endsWith', 'substring'];

export function isWordTest(test: LfTest): test is WordTest {
  return (WORD_TEST_KINDS as readonly string[]).includes(test.kind);
}

export type CompareOp = '>=' | '<=';

/** Measures of a text field: characters, words, digits, capitals, exclamation and question marks. */
export const TEXT_MEASURES = ['chars', 'words', 'digits', 'uppercase', 'exclamations', 'questions'] as const;
export type TextMeasure = (typeof TEXT_MEASURES)[number];

/** A candidate LF: a test and the class it votes when the test holds (it abstains otherwise). */
export interface LfSpec {
  test: LfTest;
  label: number;
}

/** correct / votes on the labeled rows, with the Wilson lower bound used to prune. */
export interface PrecisionFigures {
  correct: number;
  votes: number;
  /** correct / votes, or null without votes. */
  precision: number | null;
  lowerBound: number;
}

export interface SuggestedLf {
  /** Python function name, unique in the suggestion, saying what it tests and what it votes. */
  name: string;
  /** Class id it votes, and the class name. */
  label: number;
  className: string;
  spec: LfSpec;
  /** One line for people: `keyword "check out" -> SPAM`. */
  description: string;
  /** Self-contained module: imports, the constants it uses, then the LF (what the sandbox scores alone). */
  code: string;
  /** The LF's own decorator and def, to insert into a file that has the support lines. */
  functionCode: string;
  /** Import lines and constants the function needs, one statement each (added to a file that lacks them). */
  support: string[];
  /** On the labeled rows. */
  precision: PrecisionFigures;
  /** Unlabeled rows it votes on, out of `of`, and the fraction. */
  coverage: { rows: number; of: number; fraction: number };
  /** When it was chosen (step 1 first), the unlabeled rows it covered first, and the labeled accuracy after. */
  gain: { step: number; newlyCovered: number; labeledAccuracy: number };
}

export interface SuggestResult {
  lfs: SuggestedLf[];
  /** Every suggested LF in one ordinary Snorkel-style file, ready for `lf-studio analyze` and `label`. */
  file: string;
  /** Candidates mined, and left after pruning by precision and coverage. */
  mined: number;
  pruned: number;
  /** The label model fitted on the chosen LFs' votes over the unlabeled rows. */
  labelModel: { name: string; labeledAccuracy: number; unlabeledCoverage: number };
  labeledRows: number;
  unlabeledRows: number;
  seconds: number;
}

/** Bad input to the suggester, worded for the user (no labeled rows, one class only, ...). */
export class SuggestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuggestInputError';
  }
}
