// The suggester's miners, its Python-compatible text primitives and its pruning, on hand-made rows whose
// candidates, counts and precision bounds were worked out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { buildCorpus, phraseRows, prefixRows } from '../../lf-runtime/src/suggest/corpus.ts';
import { compileTest, measureText } from '../../lf-runtime/src/suggest/matchers.ts';
import { mineCandidates, type MinedLf } from '../../lf-runtime/src/suggest/mining.ts';
import { labeledClassShares, requiredPrecision, wilsonLowerBound } from '../../lf-runtime/src/suggest/precision.ts';
import { pyLen, pyWordCount, tokenize } from '../../lf-runtime/src/suggest/pythonText.ts';
import { prune } from '../../lf-runtime/src/suggest/suggest.ts';

const HAM = 0;
const SPAM = 1;
const rows = (texts: string[], from = 0): Row[] => texts.map((text, i) => ({ id: String(from + i), fields: { text } }));

// Labeled: three spam, three ham. Unlabeled: six more.
const labeled = rows([
  'Check out my channel',
  'check out this video, subscribe!',
  'Subscribe to my channel please',
  'I love this song',
  'this song is great',
  'Great song, love it',
]);
const gold = [SPAM, SPAM, SPAM, HAM, HAM, HAM];
const unlabeled = rows(['check out my new channel', 'love this song so much', 'subscribed!', 'nice video', 'CHECK   OUT the link', 'checkout now'], 6);

const key = (lf: MinedLf) => {
  const t = lf.spec.test;
  if (t.kind === 'phrase') return `phrase:${t.words.join(' ')}`;
  if (t.kind === 'prefix') return `prefix:${t.prefix}`;
  if (t.kind === 'wordsInOrder') return `inOrder:${t.words.join(' ')}`;
  return t.kind;
};
const summary = (lf: MinedLf) => `${key(lf)} -> ${lf.spec.label} ${lf.labeledCorrect}/${lf.labeledVotes} +${lf.unlabeledVotes} [${[...lf.hits].join(',')}]`;

describe('text as Python sees it', () => {
  it('splits tokens at non-word characters, lowercased, and notes where only whitespace separates two', () => {
    assert.deepEqual(tokenize('check   out, my_channel x²'), { tokens: ['check', 'out', 'my_channel', 'x²'], spaced: [true, false, true] });
    assert.deepEqual(tokenize('naïve café'.toLowerCase()).tokens, ['naïve', 'café']);
    // A zero-width space is neither a word character nor whitespace for Python: two tokens, not a phrase.
    assert.deepEqual(tokenize('check\u200bout'), { tokens: ['check', 'out'], spaced: [false] });
  });

  it("counts code points as len() does, and words as len(s.split()) does", () => {
    assert.equal(pyLen('😀😀'), 2);
    assert.equal(pyLen('\ud800x'), 2, 'a lone surrogate is one code point');
    assert.equal(pyWordCount('  a\u00a0b\x1cc\u200bd  '), 3, 'NBSP and \\x1c split, the zero-width space does not');
    assert.equal(measureText('Hi!! WOW 42?', 'uppercase'), 4);
    assert.equal(measureText('Hi!! WOW 42?', 'digits'), 2);
    assert.equal(measureText('Hi!! WOW 42?', 'exclamations'), 2);
  });
});

describe('mining candidates', () => {
  const corpus = buildCorpus(labeled, gold, unlabeled, 'text', 2);
  const mined = mineCandidates(corpus);

  it('proposes words and phrases seen in two labeled rows of a class, with their votes on every row', () => {
    const phrases = mined.filter((lf) => lf.spec.test.kind === 'phrase').map(summary);
    assert.deepEqual(phrases, [
      'phrase:channel -> 1 2/2 +1 [0,2,6]',
      'phrase:check -> 1 2/2 +2 [0,1,6,10]',
      // Row 10 is "CHECK   OUT the link": lowercased, and any whitespace between the words.
      'phrase:check out -> 1 2/2 +2 [0,1,6,10]',
      'phrase:great -> 0 2/2 +0 [4,5]',
      'phrase:love -> 0 2/2 +1 [3,5,7]',
      // Row 6 says "my new channel": not the phrase.
      'phrase:my channel -> 1 2/2 +0 [0,2]',
      'phrase:song -> 0 3/3 +1 [3,4,5,7]',
      'phrase:subscribe -> 1 2/2 +0 [1,2]',
      // "this" is in two ham rows and one spam row: a ham phrase, but never an LF alone (a function word).
      'phrase:this song -> 0 2/2 +1 [3,4,7]',
    ]);
  });

  it('proposes a prefix only where it reaches words the whole word does not, the longest such prefix', () => {
    const prefixes = mined.filter((lf) => lf.spec.test.kind === 'prefix').map(summary);
    // `\bcheck` also finds "checkout" (row 11); `\bsubscribe` finds "subscribed" (row 8).
    assert.deepEqual(prefixes, ['prefix:check -> 1 2/2 +3 [0,1,6,10,11]', 'prefix:subscribe -> 1 2/2 +1 [1,2,8]']);
  });

  it('pairs words in order only when a pair recurs in a class (here none does)', () => {
    assert.equal(mined.filter((lf) => lf.spec.test.kind === 'wordsInOrder').length, 0);
    const two = buildCorpus(rows(['what does nasa stand for', 'what does cpu stand for', 'who is he']), [1, 1, 0], [], 'text', 2);
    const pairs = mineCandidates(two).filter((lf) => lf.spec.test.kind === 'wordsInOrder').map(summary);
    assert.ok(pairs.includes('inOrder:what stand -> 1 2/2 +0 [0,1]'), pairs.join('\n'));
    assert.ok(!pairs.some((p) => p.startsWith('inOrder:stand what')), 'order matters');
  });

  it('counts the votes of every candidate exactly as its Python twin would', () => {
    const all = [...labeled, ...unlabeled];
    for (const lf of mined) {
      const holds = compileTest(lf.spec.test);
      const expected = all.flatMap((row, i) => (holds(row) ? [i] : []));
      assert.deepEqual([...lf.hits], expected, key(lf));
    }
    assert.deepEqual([...phraseRows(corpus, ['check', 'out'])], [0, 1, 6, 10]);
    assert.deepEqual([...prefixRows(corpus, 'subs')], [1, 2, 8]);
  });

  it('tests text measures at the labeled rows\' deciles, both ways, for every class', () => {
    const words = mined.filter((lf) => lf.spec.test.kind === 'textMeasure' && lf.spec.test.measure === 'words');
    // Labeled word counts 4, 5, 5, 4, 4, 4, sorted 4 4 4 4 5 5: the deciles (positions 0 1 1 2 3 3 4 4 5) are 4 and 5.
    const thresholds = [...new Set(words.map((lf) => (lf.spec.test.kind === 'textMeasure' ? lf.spec.test.threshold : -1)))];
    assert.deepEqual(thresholds, [4, 5]);
    const atLeast5Spam = words.find((lf) => lf.spec.test.kind === 'textMeasure' && lf.spec.test.op === '>=' && lf.spec.test.threshold === 5 && lf.spec.label === SPAM)!;
    assert.equal(summary(atLeast5Spam), 'textMeasure -> 1 2/2 +2 [1,2,6,7]');
  });
});

describe('mining scripts written without spaces', () => {
  // Chinese comments: each is one \w run (a "word" to `\b`), so only characters inside the runs can recur.
  const cjkLabeled = rows(['加我微信领红包', '关注微信号领取', '这首歌真好听', '好听的歌曲', '微博 hello']);
  const cjkGold = [SPAM, SPAM, HAM, HAM, HAM];
  const cjkUnlabeled = rows(['微信', '歌真好听啊', 'nothing here', '微 信'], 5);
  const corpus = buildCorpus(cjkLabeled, cjkGold, cjkUnlabeled, 'text', 2);
  const grams = mineCandidates(corpus)
    .filter((lf) => lf.spec.test.kind === 'substring')
    .map((lf) => `${lf.spec.test.kind === 'substring' ? lf.spec.test.text : ''} -> ${lf.spec.label} ${lf.labeledCorrect}/${lf.labeledVotes} [${[...lf.hits].join(',')}]`);

  it('proposes every two to four characters seen in two labeled rows of a class, with their votes on every row', () => {
    // 微信 in rows 0, 1 (spam) and 5; not in row 8, where a space parts them. 好听 and 歌 ... : ham rows 2 and 3.
    // 领 alone is one character: too short; 微 too.
    assert.deepEqual(grams, ['好听 -> 0 2/2 [2,3,6]', '微信 -> 1 2/2 [0,1,5]']);
  });

  it('counts them as `gram in x.text.lower()` does', () => {
    const all = [...cjkLabeled, ...cjkUnlabeled];
    for (const lf of mineCandidates(corpus).filter((c) => c.spec.test.kind === 'substring')) {
      const holds = compileTest(lf.spec.test);
      assert.deepEqual([...lf.hits], all.flatMap((row, i) => (holds(row) ? [i] : [])));
    }
  });

  it('indexes no characters where no text has such a script', () => {
    assert.equal(buildCorpus(labeled, gold, unlabeled, 'text', 2).grams.size, 0);
  });
});

describe('precision bound and pruning', () => {
  it('gives the Wilson lower bound', () => {
    assert.ok(Math.abs(wilsonLowerBound(3, 3, 1.28) - 3 / (3 + 1.28 ** 2)) < 1e-12, 'all right: n / (n + z^2)');
    assert.ok(Math.abs(wilsonLowerBound(9, 10, 1.28) - 0.71783) < 1e-5);
    assert.ok(Math.abs(wilsonLowerBound(5, 10, 1.96) - 0.23659) < 1e-5, 'the textbook 95% interval of 5/10 starts at 0.237');
    assert.equal(wilsonLowerBound(0, 0, 1.28), 0);
    assert.equal(wilsonLowerBound(0, 4, 1.28), 0);
  });

  it('asks more of an LF the more common its class', () => {
    assert.deepEqual(labeledClassShares([0, 0, 1], 2), [0.6, 0.4]);
    assert.ok(Math.abs(requiredPrecision(0.5, 0.5, 0.4) - 0.7) < 1e-12);
    assert.ok(Math.abs(requiredPrecision(0.86, 0.5, 0.4) - 0.916) < 1e-12);
    assert.equal(requiredPrecision(0.1, 0.5, 0.4), 0.5);
  });

  it('keeps candidates whose bound clears the bar and that vote on enough unlabeled rows, one of each vote set', () => {
    // Ten spam and ten ham rows: "free" in 6 spam rows, "win" in 3 spam rows and 1 ham row, "hello" in 4 ham rows.
    const texts = [
      ...Array.from({ length: 10 }, (_, i) => `${i < 6 ? 'free ' : ''}${i >= 6 && i < 9 ? 'win ' : ''}offer number ${i}`),
      ...Array.from({ length: 10 }, (_, i) => `${i < 4 ? 'hello ' : ''}${i === 9 ? 'win ' : ''}dear friend ${i}`),
    ];
    const g = [...Array<number>(10).fill(SPAM), ...Array<number>(10).fill(HAM)];
    const pool = rows(['free stuff', 'free free', 'free now', 'win big', 'win it', 'win', 'hello there', 'hello', 'hello you']);
    const corpus = buildCorpus(rows(texts), g, pool, 'text', 2);
    const kept = prune(corpus, mineCandidates(corpus), 1.28, 3);
    const words = kept.filter((e) => e.lf.spec.test.kind === 'phrase').map((e) => `${key(e.lf)} ${e.accuracy.toFixed(3)}${e.fragile ? ' fragile' : ''}`);
    // free 6/6: 6 / (6 + 1.6384) = 0.7855 >= 0.7 (shares 0.5). hello 4/4: 0.709. win 3/4: 0.364, pruned.
    // "offer" 10/10 and "dear friend" pass the bound but vote on no unlabeled row; pruned for coverage.
    assert.deepEqual(words, ['phrase:free 0.786', 'phrase:hello 0.709 fragile']);
    // Without one of its four rows, hello (3/3: 0.647) would fall below 0.7: fragile. free (5/5: 0.753) would not.
  });
});
