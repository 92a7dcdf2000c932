// Choosing the set: the judge that scores a set of LFs, the value of covering a row, the fallback LF and the
// greedy choice itself, on hand-made rows with answers worked out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { buildCorpus } from '../../lf-runtime/src/suggest/corpus.ts';
import { judge, scoreSet } from '../../lf-runtime/src/suggest/judge.ts';
import { mineCandidates, withFigures } from '../../lf-runtime/src/suggest/mining.ts';
import { fallbackLf, selectLfs, valueOnUncoveredRow, type PoolEntry } from '../../lf-runtime/src/suggest/selection.ts';
import { fallbackContexts, prune, suggestLfs } from '../../lf-runtime/src/suggest/suggest.ts';
import type { LfSpec } from '../../lf-runtime/src/suggest/types.ts';

const HAM = 0;
const SPAM = 1;
const rows = (texts: string[], from = 0): Row[] => texts.map((text, i) => ({ id: String(from + i), fields: { text } }));
const word = (w: string, label: number): LfSpec => ({ test: { kind: 'phrase', field: 'text', words: [w] }, label });
const nameOf = (e: PoolEntry) => {
  const t = e.lf.spec.test;
  return t.kind === 'phrase' ? `${t.words.join(' ')}->${e.lf.spec.label}` : `${t.kind}->${e.lf.spec.label}`;
};

/**
 * Twenty labeled rows: spam 0-9 ("free" in 0-7, "click" in 0-7 too, "prize" in 6-9), ham 10-19 ("thanks" in
 * 10-17, "lunch" in 16-19). A hundred unlabeled rows of the same kinds; "click" is in 28 of the 30 "free" rows
 * and nowhere else, so next to "free" it adds nothing. The labeled rows' own words ("offer", "see you") are in no
 * unlabeled row.
 */
function shop(): { labeled: Row[]; gold: number[]; unlabeled: Row[] } {
  const spam = Array.from({ length: 10 }, (_, i) => [i < 8 ? 'free click' : '', i >= 6 ? 'prize' : '', `offer ${i}`].filter(Boolean).join(' '));
  const ham = Array.from({ length: 10 }, (_, i) => [i < 8 ? 'thanks' : '', i >= 6 ? 'lunch' : '', `see you ${i}`].filter(Boolean).join(' '));
  const unlabeled = [
    ...Array.from({ length: 30 }, (_, i) => `${i < 28 ? 'click ' : ''}free deal ${i}${i < 5 ? ' prize' : ''}`),
    ...Array.from({ length: 5 }, (_, i) => `prize draw ${i}`),
    ...Array.from({ length: 30 }, (_, i) => `thanks mate ${i}`),
    ...Array.from({ length: 10 }, (_, i) => `lunch later ${i}`),
    ...Array.from({ length: 25 }, (_, i) => `hello world ${i}`),
  ];
  return { labeled: rows([...spam, ...ham]), gold: [...Array<number>(10).fill(SPAM), ...Array<number>(10).fill(HAM)], unlabeled: rows(unlabeled, 20) };
}

describe('the value of a vote on a row without votes', () => {
  it('is what the answer gains in accuracy, with the class shares as prior and the precision bound as accuracy', () => {
    // Balanced: posterior 0.87 vs 0.13, the answer moves from ham (first of a tie) to spam: 0.87 - 0.13.
    assert.ok(Math.abs(valueOnUncoveredRow([0.5, 0.5], SPAM, 0.87) - 0.74) < 1e-12);
    assert.ok(Math.abs(valueOnUncoveredRow([0.5, 0.5], SPAM, 0.57) - 0.14) < 1e-12);
    // A vote for the class the prior already answers changes nothing.
    assert.equal(valueOnUncoveredRow([0.7, 0.3], HAM, 0.95), 0);
    // Too weak to move the answer off the majority class: 0.3 * 0.6 < 0.7 * 0.4.
    assert.equal(valueOnUncoveredRow([0.7, 0.3], SPAM, 0.6), 0);
  });
});

describe('judging a set', () => {
  it("reads each unlabeled row's LFs as a naive Bayes fitted on the labeled rows", () => {
    // Labeled: spam, spam (both with "free"), ham, ham. Unlabeled: one row with "free", one without.
    const corpus = buildCorpus(rows(['free a', 'free b', 'c', 'd']), [SPAM, SPAM, HAM, HAM], rows(['free e', 'f'], 4), 'text', 2);
    const free = withFigures(corpus, word('free', SPAM), Int32Array.from([0, 1, 4]));
    // P(free fires | spam) = (2 + 1) / (2 + 2) = 0.75, | ham = (0 + 1) / (2 + 2) = 0.25, shares 1/2 each:
    // P(spam | fires) = 0.75, P(ham | silent) = 0.75.
    assert.ok(Math.abs(judge(corpus, [free], Int32Array.from([SPAM, HAM])).judged - 0.75) < 1e-12);
    assert.ok(Math.abs(judge(corpus, [free], Int32Array.from([SPAM, SPAM])).judged - 0.5) < 1e-12);
    assert.equal(judge(corpus, [free], Int32Array.from([SPAM, SPAM])).covered, 1);
  });

  it('does not count, on the labeled rows, votes an LF owes to the row itself', () => {
    const corpus = buildCorpus(rows(['free a', 'free b', 'hi c', 'hi d']), [SPAM, SPAM, HAM, HAM], rows(['free e', 'hi f', 'g'], 4), 'text', 2);
    const free = withFigures(corpus, word('free', SPAM), Int32Array.from([0, 1, 4]));
    const hi = withFigures(corpus, word('hi', HAM), Int32Array.from([2, 3, 5]));
    const sturdy = scoreSet(corpus, [{ lf: free }, { lf: hi }], 0);
    const fragile = scoreSet(corpus, [{ lf: free, fragile: true }, { lf: hi, fragile: true }], 0);
    // The label model answers spam on "free" rows and ham on "hi" rows: all four labeled rows right. Without
    // the votes each LF owes to the rows it was found on, no labeled row has a vote, and all four get the one
    // answer for no votes: two of four right.
    assert.equal(sturdy.labeledAccuracy, 1);
    assert.equal(fragile.labeledAccuracy, 0.5);
    assert.equal(fragile.judgedAccuracy, sturdy.judgedAccuracy, 'the unlabeled rows are judged the same');
    assert.ok(Math.abs(sturdy.objective - (sturdy.labeledAccuracy + sturdy.judgedAccuracy) / 2) < 1e-12);
  });
});

describe('the fallback LF', () => {
  it('votes, for the class it is most precise for, wherever none of the other classes\' word LFs matches', () => {
    const { labeled, gold, unlabeled } = shop();
    const corpus = buildCorpus(labeled, gold, unlabeled, 'text', 2);
    const entry = (spec: LfSpec): PoolEntry => {
      const hits = mineCandidates(corpus).find((lf) => JSON.stringify(lf.spec) === JSON.stringify(spec))!.hits;
      return { lf: withFigures(corpus, spec, hits), accuracy: 0.8, fragile: false };
    };
    const fallback = fallbackLf(corpus, [entry(word('free', SPAM)), entry(word('prize', SPAM))], 1.28)!;
    assert.deepEqual(fallback.lf.spec.test, {
      kind: 'noneOf',
      field: 'text',
      tests: [word('free', SPAM).test, word('prize', SPAM).test],
    });
    assert.equal(fallback.lf.spec.label, HAM);
    // Labeled rows without free or prize: all ten ham rows, no spam row (0-7 have free, 8-9 prize).
    assert.equal(`${fallback.lf.labeledCorrect}/${fallback.lf.labeledVotes}`, '10/10');
    // Unlabeled: 100 rows less the 30 free and 5 prize rows.
    assert.equal(fallback.lf.unlabeledVotes, 65);
    assert.equal(fallbackLf(corpus, [], 1.28), null, 'nothing to build it from');
  });
});

describe('greedy choice', () => {
  const { labeled, gold, unlabeled } = shop();
  const corpus = buildCorpus(labeled, gold, unlabeled, 'text', 2);
  const pool = prune(corpus, mineCandidates(corpus), 1.28, 3);

  it('has the candidates the hand count gives', () => {
    const words = pool.filter((e) => e.lf.spec.test.kind === 'phrase').map(nameOf).sort();
    // click, free and thanks 8/8 (bound 0.830); lunch and prize 4/4 (0.709) clear the 0.7 bar.
    assert.deepEqual(words, ['click->1', 'free->1', 'lunch->0', 'prize->1', 'thanks->0']);
  });

  it('starts with the best pair of two classes (lower class first): the LF of each that covers most', () => {
    const two = selectLfs(corpus, pool, { maxLfs: 2, seed: 0, z: 1.28 });
    assert.deepEqual(two.chosen.map(nameOf), ['thanks->0', 'free->1']);
    assert.deepEqual(
      two.gains.map((g) => [g.step, g.newlyCovered]),
      [
        [1, 30],
        [2, 30],
      ],
    );
  });

  it('never adds a near-duplicate of a chosen LF, and stops at maxLfs', () => {
    for (const maxLfs of [3, 4, 6]) {
      const picked = selectLfs(corpus, pool, { maxLfs, seed: 0, z: 1.28 });
      const names = picked.chosen.map(nameOf);
      assert.ok(picked.chosen.length <= maxLfs, names.join(' '));
      assert.ok(!(names.includes('free->1') && names.includes('click->1')), `click adds nothing next to free: ${names.join(' ')}`);
    }
  });

  it('ends with the fallback when it helps, for the class it is most precise for', () => {
    const all = selectLfs(corpus, pool, { maxLfs: 10, seed: 0, z: 1.28 });
    assert.deepEqual(all.chosen.map(nameOf), ['thanks->0', 'free->1', 'lunch->0', 'noneOf->1']);
    // With thanks, free and lunch chosen, "no ham word -> spam" is right on all 10 labeled rows it votes on
    // (the ten spam rows), and "no spam word -> ham" on 10 of 12 (spam rows 8 and 9 say only "prize").
    const fallback = all.chosen[3].lf;
    assert.deepEqual(fallback.spec.test, { kind: 'noneOf', field: 'text', tests: [word('thanks', HAM).test, word('lunch', HAM).test] });
    assert.equal(`${fallback.labeledCorrect}/${fallback.labeledVotes} +${fallback.unlabeledVotes}`, '10/10 +60');
    assert.equal(all.unlabeledCoverage, 1);
    // lunch (4/4) would not pass without one of its rows, so rows 18 and 19, which only it covers, count
    // without its vote: no vote there, the label model's answer for no votes is wrong on both.
    assert.equal(all.labeledAccuracy, 18 / 20);
    const none = selectLfs(corpus, pool, { maxLfs: 10, seed: 0, z: 1.28, fallbacks: false });
    assert.ok(none.chosen.every((e) => e.lf.spec.test.kind !== 'noneOf'));
  });

  it('never keeps two LFs that vote alike, a keyword and a fallback of a context rebuilt around it included', () => {
    // Reviews whose negative rows start with their keyword ("awful item 3"): the fallback of the context "starts
    // with awful" can come to vote exactly as the keyword LF. Forty shapes of the same data, one column each.
    const alike: string[] = [];
    for (let variant = 0; variant < 40; variant++) {
      const times = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
      const neg = [...times(4 + (variant % 5), (i) => `awful item ${i}`), ...times(3 + (variant % 7), (i) => `broke again ${i}`), ...times(2 + (variant % 3), (i) => `waste of money ${i}`)];
      const pos = [...times(6, (i) => `works great ${i}`), ...times(4 + (variant % 4), (i) => `love it ${i}`), ...times(3, (i) => `five stars ${i}`)];
      const more = [
        ...times(20 + variant, (i) => `awful thing ${i}`),
        ...times(25, (i) => `broke again ${i}`),
        ...times(20, (i) => `waste ${i}`),
        ...times(30, (i) => `works great ${i}`),
        ...times(25, (i) => `love it ${i}`),
        ...times(15 + (variant % 9), (i) => `meh ${i}`),
      ];
      const c = buildCorpus(rows([...neg, ...pos]), [...neg.map(() => HAM), ...pos.map(() => SPAM)], rows(more, 100), 'text', 2);
      const mined = mineCandidates(c, { minSupport: 2 });
      const chosen = selectLfs(c, prune(c, mined, 1.28, 3), { maxLfs: 20, seed: 0, z: 1.28, contexts: fallbackContexts(c, mined) }).chosen;
      chosen.forEach((e, i) => {
        for (const o of chosen.slice(0, i)) {
          if (o.lf.spec.label === e.lf.spec.label && o.lf.hits.join() === e.lf.hits.join()) alike.push(`variant ${variant}: ${nameOf(o)} = ${nameOf(e)}`);
        }
      });
    }
    assert.deepEqual(alike, []);
  });

  it('gives the same LFs for the same input and seed', () => {
    const input = { classes: ['HAM', 'SPAM'], labeled: { rows: labeled, gold }, unlabeled, textField: 'text' };
    const first = suggestLfs(input, { seed: 3 });
    const second = suggestLfs(input, { seed: 3 });
    assert.equal(first.file, second.file);
    assert.deepEqual(
      first.lfs.map((lf) => lf.name),
      second.lfs.map((lf) => lf.name),
    );
  });
});
