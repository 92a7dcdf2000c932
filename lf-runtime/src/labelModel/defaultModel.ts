/**
 * The model the editor and `lf-studio fit` use unless told otherwise.
 * - First, exceptions (overrides.ts): where a narrow LF inside a broader one votes differently, the broad vote
 *   is set aside before any candidate fits, and counted again in its LF's accuracy afterwards (trec: 13 such
 *   pairs; estimation error 0.214 -> 0.173, covered test accuracy 0.655 -> 0.680; youtube and sms have none).
 * - Without gold labels, P(Y | votes) comes from the agreement model (agreementModel.ts): it recovers known
 *   accuracies on synthetic data, and on the WRENCH fixtures it is the only candidate at or above both
 *   majority vote and Snorkel on every dataset. Unsupervised choosers were tried and measured worse: the
 *   medoid of the candidates' labels picks the blandest model (youtube: FlyingSquid, 0.797 on covered test
 *   rows against 0.909), and a held-out vote likelihood prefers Dawid-Skene on sms (0.803 against 0.813).
 * - Per-LF accuracy combines the five candidates of fitCandidates: the median of their estimates. Their
 *   errors differ in sign (majority vote counts lone votes as right, the agreement model judges LFs only
 *   where they meet others, where conflicts concentrate), and the median is robust to any two going astray.
 *   Near-copies (nearCopies.ts) count once in these fits; the labels keep every vote.
 * - Unless the agreement model fails its check (agreementCheck.ts): a quarter or more of the LFs (with 10
 *   votes or more) vote one label and are estimated below 0.5 (their errors all name one class), or a judge
 *   that counts expects majority vote to label more rows right where the two differ: the prior-anchored
 *   model, which drops the agreement model's one-accuracy-per-LF and equal-classes assumptions, and
 *   Dawid-Skene with abstains as evidence where its model fits the co-votes (abstainJudge.ts). Then majority
 *   vote labels the rows, and each LF's accuracy is the mean of majority vote's and prior-anchored's, two
 *   candidates that can rate an LF below 0.5 (the agreement model and the Dawid-Skene step started from its
 *   posteriors are the view just rejected, and FlyingSquid keeps every LF above 0.5) and whose errors run in
 *   opposite directions there: majority vote counts every lone vote as right and errs high (by +0.16 to +0.34
 *   on average per family, on the runs at the tuning seeds that fall back), prior-anchored errs either way
 *   (-0.07 to +0.12). Their median with matrix completion, used before, took the middle of three, mostly
 *   prior-anchored's or matrix completion's (which errs low like it and is noisier), and kept most of the
 *   error; the mean cancels part of it (tuning seeds, all 17 families at seeds 1-6 and 101-106: runs more than
 *   0.02 worse than the best single candidate 34 -> 25 of 204; gated-coverage 5 -> 0, correlated-groups
 *   10 -> 6, no family worse). Matrix completion is still fitted when the agreement check needs it.
 * - Where Dawid-Skene with abstains fits the co-votes of every LF with 10 votes or more, its reading of each
 *   vote is the LF accuracy instead (on the synthetic families it fits, it errs by a fraction of any other
 *   candidate's; real LF sets abstain together for other reasons, and youtube, sms and trec do not qualify).
 *   Where it fits the co-votes it can test but some LF is in no tested pair, it still rates the LFs tested
 *   against two others or more (JUDGE_MIN_PAIRS), and the rest keep the median or mean (judgedLfs counts them).
 * - In those two estimates (the judge's and the fallback's), LFs that cast half of their votes or more as another
 *   LF does, and it theirs (CORRELATED_SHARE, nearCopies.ts), count once: the judge and the fallback's two
 *   estimators are fitted again with the shared votes set aside. LFs that copy each other's errors agree with
 *   each other, and every candidate rated such a pair of 0.2-0.4 precision at 0.85-0.95 (chemprot-like,
 *   correlated-groups). Tuning seeds, all 17 families at seeds 1-6 and 101-106: runs more than 0.02 worse than
 *   the best single candidate 25 -> 11 of 204 (chemprot-like 9 -> 0, correlated-groups 6 -> 1; mean error
 *   0.087 -> 0.068). A pair below NEAR_COPY_SHARE counts only if it shares more than 1.5 times, and 10
 *   standard deviations more than, the votes two LFs independent given the class would under majority vote's
 *   posterior (CHANCE_RATIO, CHANCE_Z): two broad rules of one label overlap by chance on half of their votes
 *   (broad-and-narrow, seed 101: error 0.036, 0.276 when counted once, 0.036 again with the test; tuning seeds
 *   11 -> 9 of 204, mean error 0.068 -> 0.067). The check, the labels and the candidates' median keep the
 *   near-copies view.
 * youtube, sms and trec pass the check and keep the candidates' median, so their figures are unchanged;
 * chosenBy says which way the check went, why, and where the accuracies come from.
 * - With a dev set, the candidate with the best dev accuracy is chosen, and each LF's accuracy is
 *   calibrated towards its dev-set precision; the result says that it did.
 */
import { MIN_VOTES, checkAgreement, checkRows, judgeView } from './agreementCheck.ts';
import type { AgreementCheck } from './agreementCheck.ts';
import { fitCandidates } from './candidateFits.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import { completionFits, fitMatrixCompletionOnIndex } from './matrixCompletion.ts';
import { findOverrides, setAsideOverridden, withOverrides } from './overrides.ts';
import { CORRELATED_SHARE, findNearCopies, setAsideCopies, withCopies } from './nearCopies.ts';
import type { NearCopy } from './nearCopies.ts';
import { expectedAccuracies, fitAbstainJudge } from './abstainJudge.ts';
import { fitLargeIndex } from './parallelFit.ts';
import { fitMajorityVoteOnIndex } from './majorityVote.ts';
import { priorAnchoredModelFromFit, runPriorAnchoredModel } from './priorAnchoredModel.ts';
import type { Override } from './overrides.ts';
import { buildVoteIndex, compressVoteMatrix, validateVoteMatrix, validateVoteShape } from './voteIndex.ts';
import { LabelModelInputError } from './types.ts';
import type { FittedLabelModel, LabelModelOptions, VoteMatrix } from './types.ts';

// The candidates live in candidateFits.ts, which parallelFit.ts shares without importing this module.
export { AGREEMENT_SHRINKAGE, fitCandidates, fitIndependentParameters, fitVoteCandidates, independentModels } from './candidateFits.ts';
export type { IndependentFit } from './candidateFits.ts';

export interface DevSet {
  L: VoteMatrix;
  gold: number[];
}

export interface DefaultFitOptions extends LabelModelOptions {
  dev?: DevSet;
  /**
   * Fit on distinct vote patterns when the matrix has at most this many; otherwise on every row one by one,
   * with the iterative candidates started from their fit on an evenly strided sample of this many rows.
   */
  maxFitRows?: number;
  /** Let a large row-by-row fit use a worker thread (default true; parallelFit.ts). */
  parallel?: boolean;
}

export interface DefaultFit {
  model: IndexedLabelModel;
  /** Name of the candidate whose posteriors the default uses. */
  chosen: string;
  /** How it was chosen, in words a user can read. */
  chosenBy: string;
  usedDevSet: boolean;
  /** Rows of the fitted matrix on which no LF votes: reported, and given only the class balance. */
  uncoveredRows: number;
  /** Rows the parameters were estimated from: every row of the matrix. */
  fittedRows: number;
  /**
   * Rows of the evenly strided sample that the iterative candidates (agreement, prior-anchored) were first
   * run to convergence on, before EM continued on every row from there; 0 when they started on all rows.
   */
  warmStartRows: number;
  /** 2 when a large fit ran two of its candidates on a worker thread (parallelFit.ts), else 1. */
  threads: 1 | 2;
  /**
   * Index rows the fit ran on: distinct vote patterns, each weighted by its row count, or (when a matrix
   * has too many distinct patterns for that to pay) the fitted rows one by one.
   */
  fittedPatterns: number;
  /** Candidates fitted, with their dev-set accuracy when a dev set was given. */
  candidates: { name: string; score: number | null }[];
  /**
   * Narrow LFs inside a broader LF that votes differently: the broad vote was set aside on their rows before
   * fitting (overrides.ts). Empty for LF sets without such exceptions (youtube, sms).
   */
  overrides: Override[];
  /**
   * Near-copies (nearCopies.ts): LFs that cast nine in ten of their votes as another LF does, and it theirs.
   * Their shared votes count once in the accuracy estimates and the agreement check; `rows` counts the rows
   * of the fitted matrix on which a copy's vote was set aside there.
   */
  nearCopies: NearCopy[];
  /**
   * Where the LF accuracies come from: the median over the candidates ('candidates'; with a dev set,
   * calibrated with it), the mean of majority vote and prior-anchored when majority vote labels ('fallback'),
   * or Dawid-Skene with abstains when its model fits the co-votes ('abstain-judge').
   */
  accuraciesFrom: 'candidates' | 'fallback' | 'abstain-judge';
  /**
   * Without a dev set: whether the agreement model may label the rows (agreementCheck.ts), with each judge's
   * expected gain over majority vote. Null when a dev set chose the model.
   */
  agreementCheck: AgreementCheck | null;
  /**
   * LFs whose accuracy Dawid-Skene with abstains gave although its model does not fit every LF: it fits the
   * co-votes it could test, and these LFs were tested against JUDGE_MIN_PAIRS others or more (the rest keep
   * the estimate of 'candidates' or 'fallback'). 0 with a dev set, and when `accuraciesFrom` is 'abstain-judge'.
   */
  judgedLfs: number;
  /**
   * LFs set aside beyond the near-copies where the estimates came from the abstain judge or the fallback: each
   * casts at least CORRELATED_SHARE of its votes as another LF does, and it theirs, more often than LFs
   * independent given the class would (CHANCE_RATIO, CHANCE_Z; nearCopies.ts), so their shared votes counted
   * once in those estimates. 0 with a dev set and for the candidates' median.
   */
  correlatedCopies: number;
}

/**
 * Tested LF pairs an LF needs before the abstain judge rates it where its model does not fit every LF: two, so
 * that its rates are pinned by a triplet (itself and two others), as in FlyingSquid's identifiability argument.
 * sms fits its 12 testable pairs, but 11 of them meet one LF, and the judge errs on the LFs in one pair each
 * (mean error over LFs 0.16 when they count, against 0.03). On the synthetic families at the tuning seeds
 * (sparse coverage, many precise rules, keyword variants: LFs that meet few others), runs more than 0.02 worse than
 * the best single candidate went from 45 to 34 of 204.
 */
export const JUDGE_MIN_PAIRS = 2;

/** Pseudo-votes of the model estimate when calibrating an LF's accuracy with its dev-set precision. */
const DEV_CALIBRATION_STRENGTH = 10;

/**
 * Fits run on distinct vote patterns, which real LF matrices have few of (WRENCH: 143-250), so row count
 * alone costs little. A matrix with more distinct patterns than this (synthetic 1M x 100 with independent
 * LFs: nearly every row distinct) is indexed and fitted row by row, every row counted, with the EM
 * candidates started from their fit on an evenly strided sample of this many rows, on two threads when the
 * worker bundle is there (parallelFit.ts).
 * FlyingSquid's second moments come from at most MOMENT_SAMPLE_ROWS evenly strided index rows in any case
 * (matrixCompletion.ts).
 */
export const DEFAULT_FIT_MAX_ROWS = 200_000;

export function fitDefault(L: VoteMatrix, k: number, options: DefaultFitOptions = {}): DefaultFit {
  const started = performance.now();
  validateVoteShape(L, k);
  const maxFitRows = options.maxFitRows ?? DEFAULT_FIT_MAX_ROWS;
  // Compression gives up as soon as it has seen more than maxFitRows patterns, so trying costs little; the
  // row-by-row index that replaces it range-checks every vote.
  const compressed = L.n > 0 ? compressVoteMatrix(L, k, maxFitRows) : null;
  const index = compressed ?? buildVoteIndex(L, k, { compress: false });
  const { dev } = options;
  if (dev) validateDev(dev, L.m, k);
  // Exceptions first: every candidate fits the votes that carry evidence, and is made whole again for
  // accuracies and predictions (overrides.ts).
  const aside = setAsideOverridden(index, findOverrides(index));
  const large = compressed ? null : fitLargeIndex(aside.index, options, maxFitRows, options.parallel === false ? null : undefined);
  const seed = options.seed ?? 0;
  // As fitted on the set-aside index (the agreement check scores its rows), and made whole again.
  const fitted = large ? large.candidates : fitCandidates(aside.index, options);
  const candidates = fitted.map((c) => withOverrides(c, index, aside, seed));
  // Near-copies count once in the accuracy estimates and the judges (nearCopies.ts); the labels keep every
  // vote, so that the chosen candidate stays one of the closed forms an exported job reproduces.
  const copies = findNearCopies(aside.index);
  const apart = setAsideCopies(aside.index, copies);
  const whole = (c: IndexedLabelModel) => withOverrides(withCopies(c, aside.index, apart, seed), index, aside, seed);
  const estimators = apart.row.length === 0 ? candidates : fitCandidates(large ? checkRows(apart.index) : apart.index, options).map(whole);
  let scores: (number | null)[] = candidates.map(() => null);
  let chosenBy: string;
  let best = candidates.findIndex((c) => c.name === 'agreement');
  let accuracies: (number | null)[];
  let accuraciesFrom: DefaultFit['accuraciesFrom'] = 'candidates';
  let check: AgreementCheck | null = null;
  let judgedLfs = 0;
  let correlated = 0;
  if (dev) {
    const devScores = candidates.map((c) => devAccuracy(c, dev));
    scores = devScores;
    chosenBy = `best accuracy on the dev set (${dev.gold.length} rows with gold labels); LF accuracies calibrated with it`;
    best = 0;
    for (let c = 1; c < candidates.length; c++) if (devScores[c] > devScores[best] + 1e-12) best = c;
    accuracies = calibrateWithDev(medianAccuracies(estimators, L.m), dev, L.m);
  } else {
    const at = (name: string) => candidates.findIndex((c) => c.name === name);
    // A large row-by-row index is checked on an evenly strided sample: the judges' gains are means over rows,
    // and matrix completion estimates second moments from a sample anyway. Matrix completion is fitted only
    // when needed: for an LF that majority vote and prior-anchored place on either side of 0.5.
    const rows = checkRows(aside.index);
    let completion: IndexedLabelModel | null = null;
    // Null where it cannot be fitted (too many LFs x classes: MAX_COMPLETION_PAIRS).
    const completed = () => (completionFits(L.m, k) ? (completion ??= whole(fitMatrixCompletionOnIndex(checkRows(apart.index), { seed }))) : null);
    const majority = estimators[at('majority')];
    const anchored = estimators[at('prior-anchored')];
    const view = judgeView(rows, copies);
    const abstain = fitAbstainJudge(view.rows, seed);
    check = checkAgreement({
      rows,
      view,
      agreement: fitted[at('agreement')],
      majority: fitted[at('majority')],
      anchored: fitted[at('prior-anchored')],
      abstain,
      estimates: [majority, anchored, completed],
      votesPerLf: index.votesPerLf,
      seed,
    });
    if (check.fallBack) best = at('majority');
    // Off the agreement model's path, LFs that share half of each other's votes, more than chance given the
    // class explains, count once (CORRELATED_SHARE, CHANCE_RATIO, CHANCE_Z): the judge and the fallback's two
    // estimators are fitted again without their shared votes. The agreement check above, and so the labels,
    // keep the near-copies view.
    // Found only on the paths that use them: the candidates' median (youtube, sms, trec) needs no pair count.
    let looseFound: NearCopy[] | null | undefined;
    const looseCopies = (): NearCopy[] | null => {
      if (looseFound === undefined) {
        // A pair below NEAR_COPY_SHARE counts only if it shares more than LFs independent given the class
        // would, under majority vote's posterior (CHANCE_RATIO, CHANCE_Z).
        const shared = findNearCopies(aside.index, CORRELATED_SHARE, (r) => fitted[at('majority')].scoreIndex(r));
        looseFound = shared.length > copies.length ? shared : null;
        if (looseFound) correlated = looseFound.length - copies.length;
      }
      return looseFound;
    };
    const judgeReading = () => {
      const loose = looseCopies();
      const v = loose ? judgeView(rows, loose) : view;
      const judge = loose ? fitAbstainJudge(v.rows, seed) : abstain;
      return expectedAccuracies(checkRows(index), judge.model.scoreIndex(v.rows));
    };
    const fallbackMean = () => {
      const loose = looseCopies();
      if (!loose) return meanAccuracies([majority, anchored], L.m);
      const apartLoose = setAsideCopies(aside.index, loose);
      const on = large ? checkRows(apartLoose.index) : apartLoose.index;
      const wholeLoose = (c: IndexedLabelModel) => withOverrides(withCopies(c, aside.index, apartLoose, seed), index, aside, seed);
      const t = performance.now();
      const pair = [fitMajorityVoteOnIndex(on, seed, t), priorAnchoredModelFromFit(on, runPriorAnchoredModel(on), seed, t)];
      return meanAccuracies(pair.map(wholeLoose), L.m);
    };
    if (abstain.coVotes.fitsEveryLf) {
      // The judge's model fits the co-votes of every LF: its reading of each vote, silences included, is the
      // estimate (for a vote it did not see, the probability it gives that label on the row).
      accuracies = judgeReading();
      accuraciesFrom = 'abstain-judge';
    } else {
      accuracies = check.fallBack ? fallbackMean() : medianAccuracies(estimators, L.m);
      accuraciesFrom = check.fallBack ? 'fallback' : 'candidates';
      if (abstain.coVotes.fits) {
        // The judge's model fits the co-votes it could test, but not every LF is in a tested pair: it rates
        // the LFs it tested against JUDGE_MIN_PAIRS others or more, and the rest keep the median (or mean).
        const judged = judgeReading();
        const { pairsPerLf } = abstain.coVotes;
        accuracies = accuracies.map((a, j) => {
          if (pairsPerLf[j] < JUDGE_MIN_PAIRS || judged[j] === null) return a;
          judgedLfs++;
          return judged[j];
        });
      }
    }
    // The candidates' median keeps the near-copies view (youtube, sms and trec take this path).
    if (accuraciesFrom === 'candidates' && judgedLfs === 0) correlated = 0;
    chosenBy = checkText(check, accuraciesFrom, judgedLfs, correlated);
  }
  const chosen = candidates[best];
  const model: IndexedLabelModel = {
    ...chosen,
    name: `default (${chosen.name})`,
    accuracyWhenVoting: accuracies,
    fitMs: performance.now() - started,
  };
  return {
    model,
    chosen: chosen.name,
    chosenBy,
    usedDevSet: dev !== undefined,
    uncoveredRows: index.uncoveredRows,
    fittedRows: index.rows,
    warmStartRows: large?.warmStartRows ?? 0,
    threads: large?.threads ?? 1,
    fittedPatterns: index.n,
    candidates: candidates.map((c, i) => ({ name: c.name, score: scores[i] })),
    overrides: aside.overrides,
    nearCopies: apart.copies,
    accuraciesFrom: dev ? 'candidates' : accuraciesFrom,
    agreementCheck: check,
    judgedLfs,
    correlatedCopies: dev ? 0 : correlated,
  };
}

/** chosenBy without a dev set: which way the agreement check went and why, and where the accuracies come from. */
function checkText(check: AgreementCheck, accuraciesFrom: DefaultFit['accuraciesFrom'], judgedLfs: number, correlated: number): string {
  const differ = `${(check.disagreement * 100).toFixed(1)}% of covered rows`;
  const rows = (gain: number) => `${(Math.abs(gain) * 100).toFixed(1)} more of every 100 covered rows right`;
  const left: string[] = [];
  if (check.duplicates.length > 0) left.push(`without ${check.duplicates.length} LF(s) that vote exactly like another`);
  if (check.nearCopies > 0) left.push(`with ${check.nearCopies} near-cop${check.nearCopies === 1 ? 'y' : 'ies'} of other LFs counted once`);
  const copies = left.length > 0 ? `, judged ${left.join(' and ')}` : '';
  const verdict = (g: { judge: string; gain: number }, winner: string) =>
    `the ${g.judge === 'dawid-skene' ? 'Dawid-Skene judge (abstains as evidence)' : `${g.judge} model`} expects ${winner} to get ${rows(g.gain)}`;
  const estimates =
    accuraciesFrom === 'abstain-judge'
      ? `LF accuracies from Dawid-Skene with abstains as evidence, whose model fits which LFs vote together (${check.abstainJudge?.pairs} LF pairs)`
      : accuraciesFrom === 'fallback'
        ? 'LF accuracies are the mean of majority vote\'s and the prior-anchored model\'s, which can rate an LF below 0.5 (majority vote\'s err high: it counts lone votes as right)'
        : 'LF accuracies are the median over all candidates';
  const judged =
    judgedLfs > 0
      ? `; for the ${judgedLfs} LF(s) whose co-votes with at least ${JUDGE_MIN_PAIRS} others its model fits, Dawid-Skene with abstains as evidence instead`
      : '';
  const apart =
    correlated > 0
      ? `; ${correlated} LF(s) that cast half of their votes or more as another LF does, and it theirs, counted once in these estimates`
      : '';
  if (!check.fallBack) {
    const why =
      check.disagreement === 0
        ? 'it labels every covered row as majority vote does'
        : `where it and majority vote differ (${differ}), ${check.gains.map((g) => verdict(g, 'it')).join(', and ')}${copies}`;
    return `the default without gold labels (agreement model; ${why}); ${estimates}${judged}${apart}`;
  }
  const reasons: string[] = [];
  if (check.failed.includes('biased-low')) {
    reasons.push(
      `${check.biasedLow.length} of the ${check.votingLfs} LFs with at least ${MIN_VOTES} votes vote one label and are estimated right ` +
        'on fewer than half of their votes, so their errors all name one class instead of spreading over the others',
    );
  }
  if (check.failed.includes('judges')) {
    const losing = check.gains.filter((g) => g.gain < 0).map((g) => verdict(g, 'majority vote'));
    reasons.push(`where it and majority vote differ (${differ}), ${losing.join(', and ')}${copies}`);
  }
  return (
    'the default without gold labels, here majority vote: the agreement model\'s assumptions (one accuracy per LF, wrong ' +
    `votes spread evenly, classes equally likely, silences carrying no evidence) do not fit these LFs: ${reasons.join('; and ')}. ${estimates}${judged}${apart}`
  );
}

function validateDev(dev: DevSet, m: number, k: number): void {
  validateVoteMatrix(dev.L, k);
  if (dev.L.m !== m) {
    throw new LabelModelInputError(`dev set has votes of ${dev.L.m} LFs but the training matrix has ${m}; run the same LFs on both`);
  }
  if (dev.gold.length !== dev.L.n) {
    throw new LabelModelInputError(`dev set has ${dev.L.n} rows of votes but ${dev.gold.length} gold labels; give one label per row`);
  }
  dev.gold.forEach((g, i) => {
    if (!Number.isInteger(g) || g < 0 || g >= k) {
      throw new LabelModelInputError(`dev gold label ${g} at row ${i} is not a class id 0..${k - 1}`);
    }
  });
}

function devAccuracy(model: FittedLabelModel, dev: DevSet): number {
  const pred = model.predict(dev.L, 'prior');
  let right = 0;
  for (let i = 0; i < dev.L.n; i++) if (pred[i] === dev.gold[i]) right++;
  return dev.L.n > 0 ? right / dev.L.n : 0;
}

/** Per LF, the mean of the models' finite estimates: the fallback's, from majority vote and prior-anchored (see the module comment). */
function meanAccuracies(models: FittedLabelModel[], m: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let j = 0; j < m; j++) {
    const values = models.map((x) => x.accuracyWhenVoting[j]).filter((v): v is number => v !== null && Number.isFinite(v));
    out.push(values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
  }
  return out;
}

function medianAccuracies(models: FittedLabelModel[], m: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let j = 0; j < m; j++) {
    const values = models.map((x) => x.accuracyWhenVoting[j]).filter((v): v is number => v !== null && Number.isFinite(v));
    values.sort((x, y) => x - y);
    const h = values.length >> 1;
    out.push(values.length === 0 ? null : values.length % 2 ? values[h] : (values[h - 1] + values[h]) / 2);
  }
  return out;
}

/** Beta-style blend: the estimate counts as DEV_CALIBRATION_STRENGTH votes beside the dev set's real ones. */
function calibrateWithDev(estimates: (number | null)[], dev: DevSet, m: number): (number | null)[] {
  const right = new Array<number>(m).fill(0);
  const votes = new Array<number>(m).fill(0);
  for (let i = 0; i < dev.L.n; i++) {
    for (let j = 0; j < m; j++) {
      const v = dev.L.data[i * m + j];
      if (v === -1) continue;
      votes[j]++;
      if (v === dev.gold[i]) right[j]++;
    }
  }
  return estimates.map((e, j) => {
    if (e === null) return votes[j] > 0 ? right[j] / votes[j] : null;
    return (e * DEV_CALIBRATION_STRENGTH + right[j]) / (DEV_CALIBRATION_STRENGTH + votes[j]);
  });
}
