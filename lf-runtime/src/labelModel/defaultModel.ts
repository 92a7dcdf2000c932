/**
 * The model the editor and `lf-studio fit` use unless told otherwise.
 * - Without gold labels, P(Y | votes) comes from the agreement model (agreementModel.ts): it recovers known
 *   accuracies on synthetic data, and on the WRENCH fixtures it is the only candidate at or above both
 *   majority vote and Snorkel on every dataset. Unsupervised choosers were tried and measured worse: the
 *   medoid of the candidates' labels picks the blandest model (youtube: FlyingSquid, 0.797 on covered test
 *   rows against 0.909), and a held-out vote likelihood prefers Dawid-Skene on sms (0.803 against 0.813).
 * - Per-LF accuracy combines the five candidates of fitCandidates: the median of their estimates. Their
 *   errors differ in sign (majority vote counts lone votes as right, the agreement model judges LFs only
 *   where they meet others, where conflicts concentrate), and the median is robust to any two going astray.
 * - With a dev set, the candidate with the best dev accuracy is chosen, and each LF's accuracy is
 *   calibrated towards its dev-set precision; the result says that it did.
 */
import { agreementModelFromFit, runAgreementModel } from './agreementModel.ts';
import { fitDawidSkeneOnIndex } from './dawidSkene.ts';
import { fitFlyingSquidOnIndex } from './flyingSquid.ts';
import { priorAnchoredModelFromFit, runPriorAnchoredModel } from './priorAnchoredModel.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import { fitMajorityVoteOnIndex } from './majorityVote.ts';
import { findOverrides, setAsideOverridden, withOverrides } from './overrides.ts';
import type { Override } from './overrides.ts';
import { buildVoteIndex, compressVoteMatrix, validateVoteMatrix, validateVoteShape } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import { LabelModelInputError } from './types.ts';
import type { FittedLabelModel, LabelModelOptions, VoteMatrix } from './types.ts';

export interface DevSet {
  L: VoteMatrix;
  gold: number[];
}

export interface DefaultFitOptions extends LabelModelOptions {
  dev?: DevSet;
  /**
   * Fit on all rows when they hold at most this many distinct vote patterns; otherwise on an evenly
   * strided sample of this many rows.
   */
  maxFitRows?: number;
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
  /** Rows the parameters were estimated from (all rows, or a strided sample of a very large matrix). */
  fittedRows: number;
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
}

/** Pseudo-votes of the model estimate when calibrating an LF's accuracy with its dev-set precision. */
const DEV_CALIBRATION_STRENGTH = 10;

/**
 * The candidates, all fitted on one shared index (indexing a 1M x 100 matrix is itself ~0.7 s). Five, so the
 * per-LF median is one model's figure:
 * - majority vote (counts lone votes as right: errs high),
 * - the agreement model (judges LFs where they meet others, where conflicts concentrate: errs low),
 * - the prior-anchored model (the same idea with votes weighed against the class prior, so an LF that fires
 *   on most rows with accuracy near its class's share carries little weight),
 * - FlyingSquid triplets (closed form from second moments),
 * - one Dawid-Skene step from the agreement model's posteriors: abstains become evidence (an LF that fires
 *   alone, where every LF of the other class stayed silent, is likely right), but full EM is not run,
 *   because under the dependent abstains of real LFs it drifts away from the truth even when started at the
 *   gold labels (measured on all three fixtures).
 */
export function fitCandidates(index: VoteIndex, options: LabelModelOptions = {}): IndexedLabelModel[] {
  const seed = options.seed ?? 0;
  const t0 = performance.now();
  const majority = fitMajorityVoteOnIndex(index, seed, t0);
  const t1 = performance.now();
  const agreementFit = runAgreementModel(index, { shrinkage: 20 });
  const agreement = agreementModelFromFit(index, agreementFit, seed, t1);
  const t2 = performance.now();
  // Fixing the class balance at the majority-vote estimate stops EM sliding onto one class (seen on sms).
  const dawidSkene = fitDawidSkeneOnIndex(
    index,
    { seed, fixedClassBalance: majority.classBalance, initialPosterior: agreement.scoreIndex(index), maxIterations: 1 },
    t2,
  );
  const t3 = performance.now();
  const anchored = priorAnchoredModelFromFit(index, runPriorAnchoredModel(index), seed, t3);
  const flyingSquid = fitFlyingSquidOnIndex(index, { seed });
  return [majority, { ...dawidSkene, name: 'dawid-skene-step' }, agreement, anchored, flyingSquid];
}

/**
 * Fits run on distinct vote patterns, which real LF matrices have few of (WRENCH: 143-250), so row count
 * alone costs little. Only when a matrix has more distinct patterns than this (synthetic 1M x 100 with
 * independent LFs: nearly every row distinct) are the candidates fitted on an evenly strided sample of this
 * many rows. Their parameters are m k (k+1) numbers at most, which 200k rows pin down to ~0.002; fitting
 * all 1M distinct rows would only cost time (measured: 11 s instead of under 5 s at 1M x 100).
 */
export const DEFAULT_FIT_MAX_ROWS = 200_000;

/** Every ceil(n / maxRows)-th row, copied into a smaller matrix. */
export function strideSample(L: VoteMatrix, maxRows: number): VoteMatrix {
  if (L.n <= maxRows) return L;
  const stride = Math.ceil(L.n / maxRows);
  const n = Math.ceil(L.n / stride);
  const data = new Int8Array(n * L.m);
  for (let r = 0; r < n; r++) data.set(L.data.subarray(r * stride * L.m, (r * stride + 1) * L.m), r * L.m);
  return { n, m: L.m, data };
}

function countUncovered(L: VoteMatrix): number {
  let uncovered = 0;
  for (let i = 0; i < L.n; i++) {
    const base = i * L.m;
    let j = 0;
    while (j < L.m && L.data[base + j] === -1) j++;
    if (j === L.m) uncovered++;
  }
  return uncovered;
}

export function fitDefault(L: VoteMatrix, k: number, options: DefaultFitOptions = {}): DefaultFit {
  const started = performance.now();
  validateVoteShape(L, k);
  const maxFitRows = options.maxFitRows ?? DEFAULT_FIT_MAX_ROWS;
  // Compression gives up as soon as it has seen more than maxFitRows patterns, so trying costs little.
  const compressed = L.n > 0 ? compressVoteMatrix(L, k, maxFitRows) : null;
  const sample = compressed ? L : strideSample(L, maxFitRows);
  // The sample is indexed (and so range-checked) below; the rest of a large matrix is checked here.
  if (sample !== L) validateVoteMatrix(L, k);
  const index = compressed ?? buildVoteIndex(sample, k);
  const { dev } = options;
  if (dev) validateDev(dev, L.m, k);
  // Exceptions first: every candidate fits the votes that carry evidence, and is made whole again for
  // accuracies and predictions (overrides.ts).
  const aside = setAsideOverridden(index, findOverrides(index));
  const candidates = fitCandidates(aside.index, options).map((c) => withOverrides(c, index, aside, options.seed ?? 0));
  let scores: (number | null)[] = candidates.map(() => null);
  let chosenBy = 'the default without gold labels (agreement model); LF accuracies are the median over all candidates';
  let best = candidates.findIndex((c) => c.name === 'agreement');
  if (dev) {
    const devScores = candidates.map((c) => devAccuracy(c, dev));
    scores = devScores;
    chosenBy = `best accuracy on the dev set (${dev.gold.length} rows with gold labels); LF accuracies calibrated with it`;
    best = 0;
    for (let c = 1; c < candidates.length; c++) if (devScores[c] > devScores[best] + 1e-12) best = c;
  }
  const chosen = candidates[best];

  let accuracies = medianAccuracies(candidates, L.m);
  if (dev) accuracies = calibrateWithDev(accuracies, dev, L.m);
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
    uncoveredRows: sample === L ? index.uncoveredRows : countUncovered(L),
    fittedRows: sample.n,
    fittedPatterns: index.n,
    candidates: candidates.map((c, i) => ({ name: c.name, score: scores[i] })),
    overrides: aside.overrides,
  };
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
