/**
 * Choosing a set of LFs, not a list of good ones: each step adds the candidate that does most for the label
 * model fitted on the set so far, as judge.ts scores a set (the label model's accuracy on the labeled rows,
 * and its answers on the unlabeled rows, rows no LF covers included, judged by the LFs' firing rates).
 * - Fitting the label model for every candidate at every step would cost minutes, so a quick estimate
 *   shortlists them first: the current posteriors updated with the candidate as one more independent vote,
 *   right as often as its precision bound (change in labeled accuracy), plus the coverage it adds, each
 *   unlabeled row counted by the accuracy the candidate's vote adds over the best vote the row already has
 *   (with the class shares as prior: `subscribe -> SPAM`, bound 0.87, adds 0.74 per row of a balanced task;
 *   `length >= 28 -> SPAM`, bound 0.57, adds 0.14; an LF of the majority class adds nothing to a row without
 *   votes). The shortlist is fitted for real.
 * - The first step adds a pair of LFs of two classes: with one class's LFs only, a label model cannot tell
 *   the class balance and answers that class on every row without votes, so one LF alone is judged unfairly.
 * - Each step may instead add the fallback LF ("none of the other classes' words -> this class"), which from
 *   then on is rebuilt from the chosen LFs, so it always steps aside where one of them matches.
 * - Once the fallback is in, each step may also add the fallback of a context (rows starting with a frequent
 *   first word, suggest.ts): "starts with what, none of the other classes' words -> ENTY"; the fallback then
 *   leaves those rows to it. With many classes one fallback for every row no LF covers is right on few of
 *   them (trec: a third), while the rows of one first word are mostly of one class.
 * - A candidate that votes like a chosen LF of its class on 90% of its rows is a duplicate and not tried.
 * Stops at `maxLfs`, or when PATIENCE steps in a row leave the best score unimproved, and returns the best set
 * seen.
 */
import { noneOfRows, type Corpus } from './corpus.ts';
import type { FittedLabelModel } from '../labelModel/types.ts';
import { scoreSet, type SetScore } from './judge.ts';
import { withFigures, type MinedLf } from './mining.ts';
import { labeledClassShares, wilsonLowerBound } from './precision.ts';
import { isWordTest, type LfTest, type WordTest } from './types.ts';

export interface SelectionOptions {
  maxLfs: number;
  seed: number;
  /** z of the precision bound, for the fallback LFs made during selection. */
  z: number;
  /** Candidates the quick estimate passes to a real label-model fit at each step (default 8). */
  shortlist?: number;
  /** Share of a candidate's rows another chosen LF of the same class already votes on that makes it a duplicate (default 0.9). */
  maxSameClassOverlap?: number;
  /** Steps in a row that may leave the best score so far unimproved before the choice stops (default 3). */
  patience?: number;
  /** Offer the fallback LF at each step (default true). */
  fallbacks?: boolean;
  /** Contexts whose own fallback LF may be offered at each step (with `fallbacks`). */
  contexts?: readonly FallbackContext[];
}

/** A test whose rows may get a fallback LF of their own: rows that start with "what", say. */
export interface FallbackContext {
  test: WordTest;
}

export interface PoolEntry {
  lf: MinedLf;
  /** Accuracy assumed for the LF: the Wilson lower bound of its precision on the labeled rows. */
  accuracy: number;
  /** It would not pass the pruning without one of the labeled rows it votes right on (judge.ts). */
  fragile: boolean;
}

/** What adding an LF did, when it was chosen. */
export interface SelectionGain {
  /** 1 for the first LF chosen. */
  step: number;
  /** Unlabeled rows no LF covered before it. */
  newlyCovered: number;
  /** The set's labeled accuracy after adding it. */
  labeledAccuracy: number;
}

export interface Selection {
  /** The chosen LFs: pool entries in the order chosen, then the fallback if chosen (rebuilt from them). */
  chosen: PoolEntry[];
  /** For each chosen LF, in the same order. */
  gains: SelectionGain[];
  /** The label model fitted on the chosen set, or null when nothing was chosen. */
  model: FittedLabelModel | null;
  labeledAccuracy: number;
  judgedAccuracy: number;
  unlabeledCoverage: number;
}

interface State {
  members: PoolEntry[];
  /** Whether the set has the fallback LF (rebuilt from the members at every step). */
  fallback: boolean;
  /** Contexts whose fallback LF the set has (each rebuilt from the members at every step). */
  contexts: FallbackContext[];
  score: SetScore;
  /** Per unlabeled row, the most accuracy any chosen LF's vote adds to it alone (0: no vote). */
  rowValue: Float64Array;
}

/**
 * Steps without improvement taken before the choice stops: with few LFs of many classes the label model's
 * answer for rows without votes can move to a worse class when one more LF comes in, which the fallback or
 * the next LFs undo (trec, valid rows left out of the draws, seed 9: two LFs chosen, then no single step
 * scored higher).
 */
const PATIENCE = 3;

/** What a trial adds: a pool entry, the fallback, or the fallback of a context. */
type Addition = PoolEntry | 'fallback' | FallbackContext;

export function selectLfs(corpus: Corpus, pool: readonly PoolEntry[], options: SelectionOptions): Selection {
  const nUnlabeled = Math.max(1, corpus.n - corpus.nLabeled);
  const shortlist = options.shortlist ?? 8;
  const maxOverlap = options.maxSameClassOverlap ?? 0.9;
  const fallbacks = options.fallbacks !== false;
  const shares = labeledClassShares(corpus.gold, corpus.k);
  const valueOf = (e: PoolEntry) => valueOnUncoveredRow(shares, e.lf.spec.label, e.accuracy);
  const estimate = (state: State, e: PoolEntry) => quickLabeledGain(corpus, state, e) + coverageGain(corpus, state, e.lf, valueOf(e)) / nUnlabeled;
  const fallbackLfs = (members: PoolEntry[], fallback: boolean, contexts: readonly FallbackContext[]): PoolEntry[] => {
    const out: PoolEntry[] = [];
    for (const c of contexts) {
      const f = fallbackLf(corpus, members, options.z, { within: c.test });
      if (f) out.push(f);
    }
    const f = fallback ? fallbackLf(corpus, members, options.z, { exclude: contexts.map((c) => c.test) }) : null;
    if (f) out.push(f);
    return out;
  };
  const make = (members: PoolEntry[], fallback: boolean, contexts: FallbackContext[], rowValue: Float64Array): State => ({
    members,
    fallback,
    contexts,
    score: scoreSet(corpus, [...members, ...fallbackLfs(members, fallback, contexts)], options.seed),
    rowValue,
  });
  const add = (state: State, e: PoolEntry): State => {
    const rowValue = state.rowValue.slice();
    const v = valueOf(e);
    for (const i of e.lf.hits) if (i >= corpus.nLabeled) rowValue[i - corpus.nLabeled] = Math.max(rowValue[i - corpus.nLabeled], v);
    return make([...state.members, e], state.fallback, state.contexts, rowValue);
  };
  const size = (s: State) => s.members.length + (s.fallback ? 1 : 0) + s.contexts.length;

  let state = make([], false, [], new Float64Array(corpus.n - corpus.nLabeled));
  const gains = new Map<Addition, SelectionGain>();
  const record = (addition: Addition, next: State) => {
    gains.set(addition, { step: gains.size + 1, newlyCovered: next.score.coveredCount - state.score.coveredCount, labeledAccuracy: next.score.labeledAccuracy });
    state = next;
  };

  if (options.maxLfs >= 2) {
    for (const e of bestPair(pool, state, estimate, add) ?? []) record(e, add(state, e));
  }
  // The best set seen. Steps that do not improve on it are taken PATIENCE times in a row before giving up, and
  // a set reached that way replaces it only by scoring a labeled row's worth (1 / labeled rows) higher: with
  // any gain at all, youtube sets grew from 12 to 16 LFs and lost a point on the valid rows left out.
  let bestState = state;
  let misses = 0;
  const patience = options.patience ?? PATIENCE;
  while (size(state) < options.maxLfs) {
    const chosen = state.members.map((m) => m.lf);
    // A candidate that votes exactly as a fallback of the set does would add only a second column.
    const fallbackNow = fallbackLfs(state.members, state.fallback, state.contexts).map((m) => m.lf);
    const scored: { entry: PoolEntry; estimate: number }[] = [];
    for (const e of pool) {
      if (gains.has(e) || isDuplicate(e.lf, chosen, maxOverlap) || fallbackNow.some((f) => sameVotes(f, e.lf))) continue;
      scored.push({ entry: e, estimate: estimate(state, e) });
    }
    scored.sort((a, b) => b.estimate - a.estimate);
    const trials: { addition: Addition; next: State }[] = scored.slice(0, shortlist).map((s) => ({ addition: s.entry, next: add(state, s.entry) }));
    if (fallbacks && !state.fallback) trials.push({ addition: 'fallback', next: make(state.members, true, state.contexts, state.rowValue) });
    if (fallbacks && state.fallback) {
      for (const c of options.contexts ?? []) {
        if (state.contexts.includes(c)) continue;
        // A context whose fallback votes like a chosen LF of its class adds nothing but a name.
        const own = fallbackLf(corpus, state.members, options.z, { within: c.test });
        if (!own || isDuplicate(own.lf, chosen, maxOverlap)) continue;
        trials.push({ addition: c, next: make(state.members, state.fallback, [...state.contexts, c], state.rowValue) });
      }
    }
    let best: { addition: Addition; next: State } | null = null;
    for (const t of trials) if (!best || t.next.score.objective > best.next.score.objective + 1e-12) best = t;
    if (!best) break;
    record(best.addition, best.next);
    if (misses === 0 && state.score.objective > bestState.score.objective + 1e-9) {
      bestState = state;
    } else if (state.score.objective > bestState.score.objective + 1 / Math.max(1, corpus.nLabeled)) {
      bestState = state;
      misses = 0;
    } else if (++misses >= patience) {
      break;
    }
  }
  state = bestState;
  // The fallbacks in the order fallbackLfs builds them, each with the addition that brought it in.
  const chosen: PoolEntry[] = [...state.members];
  const additions: Addition[] = [...state.members];
  for (const c of state.contexts) {
    const f = fallbackLf(corpus, state.members, options.z, { within: c.test });
    if (f) {
      chosen.push(f);
      additions.push(c);
    }
  }
  const f = state.fallback ? fallbackLf(corpus, state.members, options.z, { exclude: state.contexts.map((c) => c.test) }) : null;
  if (f) {
    chosen.push(f);
    additions.push('fallback');
  }
  // A fallback rebuilt from LFs chosen after it may end up voting exactly as one of them: one column each.
  const kept = chosen.map((e, i) => !chosen.slice(0, i).some((o) => sameVotes(o.lf, e.lf)));
  const score = kept.every(Boolean) ? state.score : scoreSet(corpus, chosen.filter((_, i) => kept[i]), options.seed);
  return {
    chosen: chosen.filter((_, i) => kept[i]),
    gains: additions.filter((_, i) => kept[i]).map((a) => gains.get(a)!),
    model: score.model,
    labeledAccuracy: score.labeledAccuracy,
    judgedAccuracy: score.judgedAccuracy,
    unlabeledCoverage: score.coveredCount / nUnlabeled,
  };
}

/** The same class on the very same rows. */
function sameVotes(a: MinedLf, b: MinedLf): boolean {
  return a.spec.label === b.spec.label && a.hits.length === b.hits.length && a.hits.every((h, i) => h === b.hits[i]);
}

/** Candidates of each class the first step pairs up (the best by the quick estimate). */
const PAIR_CANDIDATES_PER_CLASS = 4;

function bestPair(
  pool: readonly PoolEntry[],
  empty: State,
  estimate: (s: State, e: PoolEntry) => number,
  add: (s: State, e: PoolEntry) => State,
): [PoolEntry, PoolEntry] | null {
  const byClass = new Map<number, { entry: PoolEntry; estimate: number }[]>();
  for (const e of pool) {
    const list = byClass.get(e.lf.spec.label) ?? [];
    list.push({ entry: e, estimate: estimate(empty, e) });
    byClass.set(e.lf.spec.label, list);
  }
  const tops = [...byClass.keys()]
    .sort((a, b) => a - b)
    .map((c) => byClass.get(c)!.sort((a, b) => b.estimate - a.estimate).slice(0, PAIR_CANDIDATES_PER_CLASS).map((x) => x.entry));
  let best: { pair: [PoolEntry, PoolEntry]; value: number } | null = null;
  for (let a = 0; a < tops.length; a++) {
    for (const first of tops[a]) {
      const one = add(empty, first);
      for (let b = a + 1; b < tops.length; b++) {
        for (const second of tops[b]) {
          const value = add(one, second).score.objective;
          if (!best || value > best.value + 1e-12) best = { pair: [first, second], value };
        }
      }
    }
  }
  return best?.pair ?? null;
}

/**
 * The fallback LF: it votes one class wherever none of the chosen word LFs of the other classes matches
 * (`no_spam_keyword_ham`), for the class it is most precise for on the labeled rows (by the lower bound).
 * Null when the members have no word LFs to build it from. It is not held to the pruning's precision bar:
 * the rows it votes on would otherwise all get the label model's one answer for no votes, so it is kept only
 * when the set scores better with it (trec, on the valid rows left out of the benchmark's draws: accuracy
 * 0.48 with it, though it is right on only about half of its labeled rows; 0.32 when the bar kept it out).
 * With `within`, the fallback of a context: only on the rows that test holds on (`starts_what_but_no_other_
 * keyword_enty`), for the class most precise there. `exclude` adds tests (the contexts that have their own
 * fallback) to those that keep it from voting.
 */
export function fallbackLf(corpus: Corpus, members: readonly PoolEntry[], z: number, scope: { within?: WordTest; exclude?: readonly WordTest[] } = {}): PoolEntry | null {
  let best: PoolEntry | null = null;
  for (let label = 0; label < corpus.k; label++) {
    const tests: WordTest[] = [];
    for (const m of members) {
      const t = m.lf.spec.test;
      if (m.lf.spec.label !== label && isWordTest(t)) tests.push(t);
    }
    tests.push(...(scope.exclude ?? []));
    if (tests.length === 0) continue;
    const test: LfTest = scope.within ? { kind: 'noneOf', field: corpus.textField, tests, within: scope.within } : { kind: 'noneOf', field: corpus.textField, tests };
    const lf = withFigures(corpus, { test, label }, noneOfRows(corpus, tests, scope.within));
    const entry = { lf, accuracy: wilsonLowerBound(lf.labeledCorrect, lf.labeledVotes, z), fragile: false };
    if (!best || entry.accuracy > best.accuracy) best = entry;
  }
  return best;
}

/**
 * Accuracy one vote for `label` adds on a row without votes: the answer moves from the prior's class to the
 * posterior's, and is right as often as the posterior says (Bayes with the LF right `accuracy` of the time,
 * its errors spread evenly over the other classes).
 */
export function valueOnUncoveredRow(shares: readonly number[], label: number, accuracy: number): number {
  const k = shares.length;
  const right = Math.min(0.999, Math.max(accuracy, 1e-3));
  const post = shares.map((p, c) => p * (c === label ? right : (1 - right) / (k - 1)));
  const total = post.reduce((a, b) => a + b, 0);
  const argmax = (xs: readonly number[]) => xs.reduce((best, x, c) => (x > xs[best] ? c : best), 0);
  return (post[argmax(post)] - post[argmax(shares)]) / total;
}

/** Same class, and (nearly) every row it votes on already has that LF's vote. */
function isDuplicate(lf: MinedLf, chosen: MinedLf[], maxOverlap: number): boolean {
  for (const other of chosen) {
    if (other.spec.label !== lf.spec.label) continue;
    let shared = 0;
    let i = 0;
    let j = 0;
    while (i < lf.hits.length && j < other.hits.length) {
      if (lf.hits[i] < other.hits[j]) i++;
      else if (lf.hits[i] > other.hits[j]) j++;
      else {
        shared++;
        i++;
        j++;
      }
    }
    if (shared >= maxOverlap * lf.hits.length) return true;
  }
  return false;
}

/** What the coverage measure gains from the LF: on each of its unlabeled rows, how much it beats the best vote there. */
function coverageGain(corpus: Corpus, state: State, lf: MinedLf, value: number): number {
  let gain = 0;
  for (const i of lf.hits) if (i >= corpus.nLabeled) gain += Math.max(0, value - state.rowValue[i - corpus.nLabeled]);
  return gain;
}

/** The quick estimate of the labeled accuracy's change: current posteriors updated with the LF's vote. */
function quickLabeledGain(corpus: Corpus, state: State, entry: PoolEntry): number {
  const { k, nLabeled } = corpus;
  if (nLabeled === 0) return 0;
  const y = entry.lf.spec.label;
  const right = Math.min(0.999, Math.max(entry.accuracy, 1e-3));
  const wrong = (1 - right) / (k - 1);
  const proba = state.score.labeledProba;
  let delta = 0;
  for (const i of entry.lf.hits) {
    if (i >= nLabeled) break;
    let before = 0;
    let after = 0;
    for (let c = 1; c < k; c++) {
      if (proba[i * k + c] > proba[i * k + before]) before = c;
      if (proba[i * k + c] * (c === y ? right : wrong) > proba[i * k + after] * (after === y ? right : wrong)) after = c;
    }
    const g = corpus.gold[i];
    delta += (after === g ? 1 : 0) - (before === g ? 1 : 0);
  }
  return delta / nLabeled;
}

