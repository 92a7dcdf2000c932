// Tests on where the text starts and ends (first words, first words and a word soon after, last words, short
// texts with given first words) and the fallback of a context, on hand-made questions whose candidates and
// counts were worked out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { buildCorpus, endsRows, startsRows, startsThenRows } from '../../lf-runtime/src/suggest/corpus.ts';
import { compileTest } from '../../lf-runtime/src/suggest/matchers.ts';
import { mineCandidates, withFigures, type MinedLf } from '../../lf-runtime/src/suggest/mining.ts';
import { baseName, conditionExpression, describeTest } from '../../lf-runtime/src/suggest/renderPython.ts';
import { fallbackLf, type PoolEntry } from '../../lf-runtime/src/suggest/selection.ts';
import { fallbackContexts } from '../../lf-runtime/src/suggest/suggest.ts';
import type { LfSpec, LfTest, WordTest } from '../../lf-runtime/src/suggest/types.ts';

const [DESC, NUM, HUM, LOC, ABBR] = [0, 1, 2, 3, 4];
const rows = (texts: string[], from = 0): Row[] => texts.map((text, i) => ({ id: String(from + i), fields: { text } }));
const f = 'text';

// Labeled rows 0-11.
const labeled = rows([
  'how many legs does a spider have ?', // 0 NUM
  'How many moons has Mars?', // 1 NUM
  'how do bees make honey ?', // 2 DESC
  'how do magnets work ?', // 3 DESC
  'who wrote hamlet ?', // 4 HUM
  'who painted the mona lisa ?', // 5 HUM
  'what city is the eiffel tower in ?', // 6 LOC
  'what large city hosts the louvre ?', // 7 LOC
  'what does nasa stand for ?', // 8 ABBR
  'what does cpu stand for ?', // 9 ABBR
  'what is a caldera ?', // 10 DESC
  'what is the largest river in asia ?', // 11 LOC
]);
const gold = [NUM, NUM, DESC, DESC, HUM, HUM, LOC, LOC, ABBR, ABBR, DESC, LOC];
// Unlabeled rows 12-19.
const unlabeled = rows(
  [
    '  "How   many feet are in a mile?', // 12: only non-word characters before the first word
    'so how many are there ?', // 13: "how many", but not at the start
    'what big old city is this ?', // 14: city three words after "what"
    'what is the biggest city ?', // 15: city four words after "what"
    'what does btu stand for', // 16: ends with "stand for", no question mark
    'stand for what ?', // 17
    'whom did he meet ?', // 18: "whom" is not "who"
    'what is radar ?', // 19
  ],
  12,
);
const corpus = buildCorpus(labeled, gold, unlabeled, f, 5);
const mined = mineCandidates(corpus);

const find = (test: LfTest, label?: number): MinedLf | undefined =>
  mined.find((lf) => JSON.stringify(lf.spec.test) === JSON.stringify(test) && (label === undefined || lf.spec.label === label));
const figures = (lf: MinedLf | undefined) => (lf ? `${lf.spec.label} ${lf.labeledCorrect}/${lf.labeledVotes} [${[...lf.hits].join(',')}]` : 'not mined');

describe('tests on where the text starts and ends', () => {
  it('finds the rows whose first words, first words and a later word, or last words are the given ones', () => {
    // Row 13 says "so how many": the words may follow one other word.
    assert.deepEqual([...startsRows(corpus, ['how', 'many'])], [0, 1, 12, 13]);
    assert.deepEqual([...startsRows(corpus, ['who'])], [4, 5]);
    assert.deepEqual([...startsThenRows(corpus, ['what'], 'city', 3)], [6, 7, 14]);
    assert.deepEqual([...startsThenRows(corpus, ['what'], 'city', 4)], [6, 7, 14, 15]);
    assert.deepEqual([...startsThenRows(corpus, ['what'], 'city', 1)], [6]);
    assert.deepEqual([...endsRows(corpus, ['stand', 'for'])], [8, 9, 16]);
  });

  it('mines first words seen in two labeled rows of a class, for the class seen most', () => {
    assert.equal(figures(find({ kind: 'startsWith', field: f, words: ['how', 'many'] })), `${NUM} 2/2 [0,1,12,13]`);
    assert.equal(figures(find({ kind: 'startsWith', field: f, words: ['how', 'do'] })), `${DESC} 2/2 [2,3]`);
    // "how" starts two NUM and two DESC rows: the tie goes to the lower class id.
    assert.equal(figures(find({ kind: 'startsWith', field: f, words: ['how'] })), `${DESC} 2/4 [0,1,2,3,12,13]`);
    assert.equal(figures(find({ kind: 'startsWith', field: f, words: ['who'] })), `${HUM} 2/2 [4,5]`);
    // "what does" starts the two ABBR rows; "what" starts LOC rows most (6, 7, 11).
    assert.equal(figures(find({ kind: 'startsWith', field: f, words: ['what', 'does'] })), `${ABBR} 2/2 [8,9,16]`);
    assert.equal(figures(find({ kind: 'startsWith', field: f, words: ['what'] })), `${LOC} 3/6 [6,7,8,9,10,11,14,15,16,19]`);
    // Seen in one labeled row only: no test.
    assert.equal(find({ kind: 'startsWith', field: f, words: ['who', 'wrote'] }), undefined);
  });

  it('mines a first word and a word among the next three, skipping the words between', () => {
    assert.equal(figures(find({ kind: 'startsThen', field: f, words: ['what'], then: 'city', within: 3 })), `${LOC} 2/2 [6,7,14]`);
    assert.equal(figures(find({ kind: 'startsThen', field: f, words: ['what', 'does'], then: 'stand', within: 3 })), `${ABBR} 2/2 [8,9,16]`);
    // Function words are never the later word.
    assert.ok(!mined.some((lf) => lf.spec.test.kind === 'startsThen' && lf.spec.test.then === 'the'));
  });

  it('mines last words', () => {
    assert.equal(figures(find({ kind: 'endsWith', field: f, words: ['stand', 'for'] })), `${ABBR} 2/2 [8,9,16]`);
    assert.equal(figures(find({ kind: 'endsWith', field: f, words: ['for'] })), `${ABBR} 2/2 [8,9,16]`);
  });

  it('mines short texts with given first words where the class is more common among them', () => {
    // Words as len(x.text.split()) counts them, "?" included. "what is" starts labeled rows 10 (DESC, 5 words)
    // and 11 (LOC, 8): at most 5 words is row 10 alone, below the support of two; at most 8 is both rows.
    const short = mined.filter((lf) => lf.spec.test.kind === 'startsShort' && lf.spec.test.words.join(' ') === 'what is');
    assert.deepEqual(short.map(figures), []);
    // "what" starts labeled rows 6 (8 words), 7 (7), 8 and 9 (6 each), 10 (5), 11 (8): ABBR on 2 of the 6.
    // At most 5: row 10 alone. At most 6: rows 8-10, ABBR 2 of 3. At most 7: rows 7-10, ABBR 2 of 4. Both are
    // more often ABBR than the six; unlabeled rows 15, 16, 19 have at most 6 words, row 14 has 7.
    const what = mined
      .filter((lf) => lf.spec.test.kind === 'startsShort' && lf.spec.test.words.join(' ') === 'what')
      .map((lf) => `${(lf.spec.test as { maxWords: number }).maxWords}: ${figures(lf)}`);
    assert.deepEqual(what, [`6: ${ABBR} 2/3 [8,9,10,15,16,19]`, `7: ${ABBR} 2/4 [7,8,9,10,14,15,16,19]`]);
  });

  it('counts the votes of every candidate exactly as its Python twin would', () => {
    const all = [...labeled, ...unlabeled];
    for (const lf of mined) {
      const holds = compileTest(lf.spec.test);
      const expected = all.flatMap((row, i) => (holds(row) ? [i] : []));
      assert.deepEqual([...lf.hits], expected, JSON.stringify(lf.spec.test));
    }
  });
});

describe('rendering the tests on where the text starts and ends', () => {
  const cases: [LfSpec, string, string, string][] = [
    [{ test: { kind: 'startsWith', field: f, words: ['how', 'many'] }, label: 1 }, 'opening_how_many_num', 're.search(r"^\\W*(?:\\w+\\W+)?how\\W+many\\b", x.text.lower())', '"how many" as the first or second word -> NUM'],
    [
      { test: { kind: 'startsThen', field: f, words: ['what'], then: 'city', within: 3 }, label: 3 },
      'opening_what_then_city_loc',
      're.search(r"^\\W*(?:\\w+\\W+)?what\\W+(?:\\w+\\W+){0,2}city\\b", x.text.lower())',
      '"what" as the first or second word, then "city" within 3 words -> LOC',
    ],
    [{ test: { kind: 'endsWith', field: f, words: ['stand', 'for'] }, label: 4 }, 'ends_stand_for_abbr', 're.search(r"\\bstand\\W+for\\W*$", x.text.lower())', 'ends with "stand for" -> ABBR'],
    [
      { test: { kind: 'startsShort', field: f, words: ['what', 'is'], maxWords: 5 }, label: 0 },
      'opening_what_is_at_most_5_words_desc',
      're.search(r"^\\W*(?:\\w+\\W+)?what\\W+is\\b", x.text.lower()) and len(x.text.split()) <= 5',
      'at most 5 words, "what is" as the first or second word -> DESC',
    ],
    [
      { test: { kind: 'noneOf', field: f, tests: [{ kind: 'phrase', field: f, words: ['city'] }], within: { kind: 'startsWith', field: f, words: ['what'] } }, label: 0 },
      'opening_what_but_no_other_keyword_desc',
      're.search(r"^\\W*(?:\\w+\\W+)?what\\b", x.text.lower()) and not re.search(r"\\bcity\\b", x.text.lower(), flags=re.S)',
      '"what" as the first or second word but none of 1 patterns of the other classes -> DESC',
    ],
  ];
  it('names each for what it tests and writes the expression its TypeScript twin computes', () => {
    const classes = ['DESC', 'NUM', 'HUM', 'LOC', 'ABBR'];
    for (const [spec, name, expression, description] of cases) {
      assert.equal(baseName(spec, classes), name);
      assert.equal(conditionExpression(spec.test), expression);
      assert.equal(describeTest(spec, classes), description);
    }
  });
});

describe('the fallback of a context', () => {
  const entry = (spec: LfSpec): PoolEntry => {
    const lf = mined.find((m) => JSON.stringify(m.spec) === JSON.stringify(spec))!;
    return { lf: withFigures(corpus, spec, lf.hits), accuracy: 0.8, fragile: false };
  };
  const city = entry({ test: { kind: 'startsThen', field: f, words: ['what'], then: 'city', within: 3 }, label: LOC });
  const stand = entry({ test: { kind: 'endsWith', field: f, words: ['stand', 'for'] }, label: ABBR });
  const what: WordTest = { kind: 'startsWith', field: f, words: ['what'] };

  it('votes, within the context, where no LF of another class matches, for the class most precise there', () => {
    const fallback = fallbackLf(corpus, [city, stand], 1.28, { within: what })!;
    // Rows starting with "what": 6-11, 14-16, 19. Less "what ... city" (6, 7, 14) and "stand for" (8, 9, 16):
    // 10 (DESC), 11 (LOC), 15, 19. For DESC the LFs of the other classes are both: 1 of 2 right, bound 0.14;
    // for LOC "what ... city" is its own, so rows 6, 7, 14 stay: LOC on 3 of 4, bound 0.37.
    assert.equal(fallback.lf.spec.label, LOC);
    assert.deepEqual([...fallback.lf.hits], [6, 7, 10, 11, 14, 15, 19]);
    assert.equal(`${fallback.lf.labeledCorrect}/${fallback.lf.labeledVotes}`, '3/4');
    const holds = compileTest(fallback.lf.spec.test);
    assert.deepEqual(
      [...labeled, ...unlabeled].flatMap((row, i) => (holds(row) ? [i] : [])),
      [...fallback.lf.hits],
    );
  });

  it('leaves the rows of contexts with their own fallback to them', () => {
    const global = fallbackLf(corpus, [city, stand], 1.28, { exclude: [what] })!;
    // Rows not opening with "what" and without the other classes' patterns: 0-5, 12, 13, 17, 18.
    for (const i of global.lf.hits) assert.ok(![6, 7, 8, 9, 10, 11, 14, 15, 16, 19].includes(i), `row ${i}`);
  });

  it('takes as contexts the one-word opening tests that hold on at least 5% of the unlabeled rows, most rows first', () => {
    const contexts = fallbackContexts(corpus, mined).map((c) => c.test);
    // "what" opens 4 of the 8 unlabeled rows (14, 15, 16, 19), more than any other word.
    assert.deepEqual(contexts[0], what);
    assert.ok(contexts.length <= 6);
    assert.ok(contexts.every((t) => t.kind === 'startsWith' && t.words.length === 1));
  });
});
