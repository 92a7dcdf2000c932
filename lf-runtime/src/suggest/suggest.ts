/**
 * The LF suggester: from labeled rows and an unlabeled sample to a set of readable Python LFs.
 * 1. Mine candidates from the labeled rows (mining.ts), counting every vote as the Python would.
 * 2. Prune: keep a candidate only if the Wilson lower bound of its precision on the labeled rows clears its
 *    class's share by a margin (precision.ts) and it votes on enough unlabeled rows; of candidates with the
 *    very same votes keep the simplest.
 * 3. Choose a set greedily by what each adds to the label model fitted on the chosen set (selection.ts,
 *    judge.ts), possibly with a fallback LF for rows none of the others' words match, and fallbacks of their
 *    own for the rows that start with a frequent first word (fallbackContexts).
 * 4. Render each as a Snorkel LF (renderPython.ts).
 * Deterministic: the same input, options and seed give the same LFs, in the same order, with the same names.
 *
 * Settings chosen on the WRENCH valid splits' rows left out of the benchmark's draws (bench/suggest.bench.ts
 * --score valid-rest), never on test rows: the lift 0.4 (0.2 let length tests of 0.64 precision into youtube
 * sets, 0.5 and more starved trec of LFs), the label model fitted without gold labels inside the selection.
 * Measured again with the tests on first and last words and the fallbacks of a context: a lift of 0.5 and
 * bars relative to the class's odds (2.3 to 4 times them, floor 1/k) scored trec lower (0.50-0.51 against
 * 0.52), and so did z 0.84 and 1.64 against 1.28.
 */
import { seededRandom } from '../labelModel/fittedModel.ts';
import type { Row } from '../data/types.ts';
import { buildCorpus, type Corpus } from './corpus.ts';
import { mineCandidates, type MinedLf } from './mining.ts';
import { labeledClassShares, precisionFigures, requiredPrecision, wilsonLowerBound } from './precision.ts';
import { renderLfFile, renderLfs } from './renderPython.ts';
import { selectLfs, type FallbackContext, type PoolEntry } from './selection.ts';
import type { Candidate } from '../llm/types.ts';
import { SuggestInputError, type SuggestedLf, type SuggestInput, type SuggestOptions, type SuggestResult } from './types.ts';

export const DEFAULT_MAX_LFS = 20;
const DEFAULT_Z = 1.28;
const DEFAULT_MIN_COVERAGE = 0.002;
const MIN_COVERAGE_ROWS = 3;
/** Labeled rows of its class a word test must be seen in to be proposed. */
const MIN_SUPPORT = 2;
const DEFAULT_MAX_UNLABELED = 20_000;
/** Least precision (lower bound) any suggested LF must show, whatever its class's share. */
const PRECISION_FLOOR = 0.5;
/** Part of the way from its class's share to 1 an LF's precision bound must reach. */
const PRECISION_LIFT = 0.4;

export function suggestLfs(input: SuggestInput, options: SuggestOptions = {}): SuggestResult {
  const started = performance.now();
  checkInput(input);
  const seed = options.seed ?? 0;
  const maxLfs = options.maxLfs ?? DEFAULT_MAX_LFS;
  if (!Number.isInteger(maxLfs) || maxLfs < 1) throw new SuggestInputError(`the number of LFs to suggest must be a positive integer, got ${maxLfs}`);
  const z = options.confidenceZ ?? DEFAULT_Z;
  const k = input.classes.length;
  const unlabeled = sampleRows(input.unlabeled, options.maxUnlabeledRows ?? DEFAULT_MAX_UNLABELED, seed);
  const corpus = buildCorpus(input.labeled.rows, input.labeled.gold, unlabeled, input.textField, k, input.idField ?? null);
  const mined = mineCandidates(corpus, { minSupport: MIN_SUPPORT });
  const minRows = Math.max(MIN_COVERAGE_ROWS, Math.ceil((options.minCoverage ?? DEFAULT_MIN_COVERAGE) * unlabeled.length));
  const pool = prune(corpus, mined, z, minRows);
  const selection = selectLfs(corpus, pool, { maxLfs, seed, z, contexts: fallbackContexts(corpus, mined) });

  const chosen = selection.chosen.map((e) => e.lf);
  const items = chosen.map((lf) => ({
    spec: lf.spec,
    evidence: { precision: precisionFigures(lf.labeledCorrect, lf.labeledVotes, z), coverage: { rows: lf.unlabeledVotes, of: unlabeled.length } },
  }));
  // A JSON null text (None to LFs): the suggested tests check for a string first, rather than raise there.
  const textMayBeMissing = corpus.tokens.some((t) => t === null);
  const rendered = renderLfs(items, { classes: input.classes, takenNames: options.takenNames, textMayBeMissing });
  const lfs = rendered.map((r, j) => ({
    name: r.name,
    label: chosen[j].spec.label,
    className: input.classes[chosen[j].spec.label],
    spec: chosen[j].spec,
    description: r.description,
    code: r.code,
    functionCode: r.functionCode,
    support: r.support,
    precision: items[j].evidence.precision,
    coverage: { rows: chosen[j].unlabeledVotes, of: unlabeled.length, fraction: unlabeled.length > 0 ? chosen[j].unlabeledVotes / unlabeled.length : 0 },
    gain: selection.gains[j],
  }));
  const header =
    `Labeling functions suggested from ${input.labeled.rows.length} labeled rows and ${unlabeled.length} unlabeled ones (seed ${seed}).\n\n` +
    'Each says in its docstring how often it was right on the labeled rows. Edit, keep or delete them like your own.\n';
  return {
    lfs,
    file: renderLfFile(rendered, input.classes, header),
    mined: mined.length,
    pruned: pool.length,
    labelModel: {
      name: selection.model?.name ?? 'none (no LF chosen)',
      labeledAccuracy: selection.labeledAccuracy,
      unlabeledCoverage: selection.unlabeledCoverage,
    },
    labeledRows: input.labeled.rows.length,
    unlabeledRows: unlabeled.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * A suggestion as a review-panel candidate (the shape LLM candidates have, llm/types.ts), so it is run in the
 * sandbox, scored, filtered, accepted into a file and saved like one.
 */
export function suggestionAsCandidate(lf: SuggestedLf): Candidate {
  return { name: lf.name, originalName: null, code: lf.code, functionCode: lf.functionCode, support: [...lf.support], parseError: null };
}

function checkInput(input: SuggestInput): void {
  const k = input.classes.length;
  if (k < 2) throw new SuggestInputError(`at least two classes are needed, got ${k}`);
  const { rows, gold } = input.labeled;
  if (rows.length === 0) throw new SuggestInputError('there are no labeled rows: give a dev set with gold labels, or label some rows first');
  if (gold.length !== rows.length) throw new SuggestInputError(`${rows.length} labeled rows but ${gold.length} gold labels; give one label per row`);
  const seen = new Set<number>();
  gold.forEach((g, i) => {
    if (!Number.isInteger(g) || g < 0 || g >= k) throw new SuggestInputError(`labeled row "${rows[i].id}" has label ${g}, not a class id 0..${k - 1}`);
    seen.add(g);
  });
  if (seen.size < 2) {
    const only = input.classes[[...seen][0]];
    throw new SuggestInputError(`every labeled row is ${only}: LFs are judged by telling classes apart, so label rows of at least one other class`);
  }
}

/** At most `max` rows, drawn with the seed and kept in their order. */
function sampleRows(rows: readonly Row[], max: number, seed: number): readonly Row[] {
  if (rows.length <= max) return rows;
  const random = seededRandom(seed);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order
    .slice(0, max)
    .sort((a, b) => a - b)
    .map((i) => rows[i]);
}

/** Simplest first, for keeping one of several candidates with the same votes. */
const KIND_ORDER = { phrase: 0, substring: 0, startsWith: 1, endsWith: 2, prefix: 3, startsThen: 4, wordsInOrder: 5, startsShort: 6, noneOf: 7, textMeasure: 8, number: 9 } as const;

function complexity(lf: MinedLf): number {
  const t = lf.spec.test;
  return KIND_ORDER[t.kind] * 10 + ('words' in t ? t.words.length : 'text' in t ? [...t.text].length : 0);
}

/** Candidates whose precision bound beats their class's share and that vote on at least `minRows` unlabeled rows. */
export function prune(corpus: Corpus, mined: readonly MinedLf[], z: number, minRows: number): PoolEntry[] {
  const shares = labeledClassShares(corpus.gold, corpus.k);
  const passes = (lf: MinedLf, correct: number, votes: number) =>
    wilsonLowerBound(correct, votes, z) >= requiredPrecision(shares[lf.spec.label], PRECISION_FLOOR, PRECISION_LIFT) &&
    (!isTextPattern(lf) || correct >= MIN_SUPPORT);
  const kept: PoolEntry[] = [];
  const byVotes = new Map<string, number>();
  for (const lf of mined) {
    if (lf.unlabeledVotes < minRows || !passes(lf, lf.labeledCorrect, lf.labeledVotes)) continue;
    const entry = { lf, accuracy: wilsonLowerBound(lf.labeledCorrect, lf.labeledVotes, z), fragile: !passes(lf, lf.labeledCorrect - 1, lf.labeledVotes - 1) };
    const key = `${lf.spec.label}:${lf.hits.join(',')}`;
    const same = byVotes.get(key);
    if (same === undefined) {
      byVotes.set(key, kept.length);
      kept.push(entry);
    } else if (complexity(lf) < complexity(kept[same].lf)) {
      kept[same] = entry;
    }
  }
  return kept;
}

/** Word tests are proposed only when seen in MIN_SUPPORT labeled rows of their class (mining.ts). */
const isTextPattern = (lf: MinedLf) => lf.spec.test.kind !== 'textMeasure' && lf.spec.test.kind !== 'number';

/** Share of the unlabeled rows a one-word opening test must hold on to be a context for a fallback of its own. */
const CONTEXT_MIN_SHARE = 0.05;
/** Most contexts offered. */
const CONTEXTS = 6;

/**
 * Contexts for fallbacks of their own: the one-word opening tests (first or second word) that hold on at
 * least CONTEXT_MIN_SHARE of the unlabeled rows, the CONTEXTS most frequent.
 */
export function fallbackContexts(corpus: Corpus, mined: readonly MinedLf[]): FallbackContext[] {
  const nUnlabeled = corpus.n - corpus.nLabeled;
  const seen = new Set<string>();
  const out: { test: FallbackContext['test']; rows: number }[] = [];
  for (const lf of mined) {
    const t = lf.spec.test;
    if (t.kind !== 'startsWith' || t.words.length !== 1 || seen.has(t.words[0])) continue;
    seen.add(t.words[0]);
    if (lf.unlabeledVotes >= CONTEXT_MIN_SHARE * nUnlabeled) out.push({ test: t, rows: lf.unlabeledVotes });
  }
  return out
    .sort((a, b) => b.rows - a.rows)
    .slice(0, CONTEXTS)
    .map((c) => ({ test: c.test }));
}
