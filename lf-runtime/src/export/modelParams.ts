/**
 * The fitted default label model as plain parameters (label_model.json of an exported job), and a scorer
 * that predicts from those parameters alone, as the job's Python does (lfstudio_runtime/label_model.py mirrors
 * it line for line). Every candidate the default can choose predicts in one of three closed forms, applied after the
 * fitted overrides (a broad LF's vote set aside where a narrow LF inside it votes differently):
 *
 * - 'log-linear' (agreement, prior-anchored, the Dawid-Skene step): P(Y | votes) = softmax(bias + sum over
 *   votes of weights[lf][label]), a k-vector per (LF, label). The one-coin and prior-anchored models are the
 *   special case where a vote adds only to the class it names; the Dawid-Skene step adds its log-likelihood
 *   ratios to every class, and its all-abstain term is part of the bias.
 * - 'vote-share' (majority vote): the share of the row's votes per class.
 * - 'one-vs-rest' (FlyingSquid): per binary problem q, logit(rate_q) + sum of +-log(a / (1 - a)); two classes
 *   are one sigmoid, more are normalised sigmoids.
 *
 * Rows without any vote get `uncoveredProbs` (the model's class balance) in every form.
 *
 * Near-copies (nearCopies.ts) need no parameters: the default counts their shared votes once in its LF accuracy
 * estimates and its agreement check only, and its P(Y | votes) counts every vote, so the closed forms above
 * reproduce it with or without them (test/unit/exportJob.test.ts runs a job with a near-copy against
 * `lf-studio label`). The parameters list them under `fit` for the record.
 *
 * How the numbers are obtained: the log-linear parameters are read off the fitted model itself by scoring a
 * few probe rows (one per (LF, label) with that single vote, one with none, one with two votes of the same
 * label, which no override touches): log P of a one-vote row is bias + weights up to a constant, and the
 * two-vote row fixes the bias. Vote shares have no parameters. FlyingSquid's per-problem accuracies are
 * recomputed by the same closed-form solver on the same index the default fitted (it has no iterations and no
 * randomness). In every case the result is then checked against the fitted model on every training vote
 * pattern, the dev rows and random rows with up to every LF voting (override pairs included); a model these
 * forms cannot reproduce to 1e-10 is refused rather than exported approximately.
 */
import type { DefaultFit, DevSet } from '../labelModel/defaultModel.ts';
import { DEFAULT_FIT_MAX_ROWS } from '../labelModel/defaultModel.ts';
import type { FittedLabelModel, VoteMatrix } from '../labelModel/types.ts';
import { findOverrides, setAsideOverridden } from '../labelModel/overrides.ts';
import { solveFlyingSquid } from '../labelModel/flyingSquid.ts';
import { buildVoteIndex, compressVoteMatrix } from '../labelModel/voteIndex.ts';

export const LABEL_MODEL_FORMAT = 'lf-studio-label-model/1';
/** Probabilities closer than this count as a tie (the same as the fitted model's hard labels). */
export const TIE_TOLERANCE = 1e-9;
/** Largest difference from the fitted model the parameters may show on any checked row. */
export const EXPORT_TOLERANCE = 1e-10;

export interface LogLinearScorer {
  kind: 'log-linear';
  /** Added to every covered row, one per class. */
  bias: number[];
  /** weights[lf][label][class]: what a vote `label` of LF `lf` adds to each class's log-score. */
  weights: number[][][];
}

export interface VoteShareScorer {
  kind: 'vote-share';
}

export interface OneVsRestScorer {
  kind: 'one-vs-rest';
  /** The class each binary problem calls positive: [1] for two classes, [0, 1, ..., k-1] otherwise. */
  positives: number[];
  /** P(positive) per problem. */
  positiveRates: number[];
  /** accuracy[problem][lf] in (0.5, 1). */
  accuracy: number[][];
}

export type Scorer = LogLinearScorer | VoteShareScorer | OneVsRestScorer;

export interface LabelModelParams {
  format: typeof LABEL_MODEL_FORMAT;
  /** e.g. "default (agreement)". */
  name: string;
  /** The candidate the default chose: majority, dawid-skene-step, agreement, prior-anchored, flying-squid. */
  candidate: string;
  classes: string[];
  /** The LFs in vote-column order. */
  lfs: { name: string; file: string }[];
  /** Estimated P(Y = c): breaks ties between equally likely classes, labels rows without votes on request. */
  classBalance: number[];
  /** P(Y | no votes). */
  uncoveredProbs: number[];
  /** Column pairs: the broad LF's vote is set aside on rows where the narrow LF votes a different label. */
  overrides: { narrow: number; broad: number }[];
  tieTolerance: number;
  scorer: Scorer;
  /** How the model was fitted, for the record (not used to predict). */
  fit: {
    chosenBy: string;
    usedDevSet: boolean;
    trainRows: number;
    devRows: number | null;
    uncoveredTrainRows: number;
    candidates: { name: string; score: number | null }[];
    /**
     * Near-copies the fit found (nearCopies.ts): each copy's shared votes counted once in the LF accuracy
     * estimates and the agreement check. Not used to predict: the labels count every vote, in `lf-studio label`
     * as here, so the job needs nothing more to give its labels.
     */
    nearCopies: { lf: number; of: number }[];
    /** Largest |P(parameters) - P(fitted model)| over the rows checked before export. */
    maxDifference: number;
    checkedRows: number;
  };
}

/** The fitted model cannot be written in one of the closed forms (see the module comment). */
export class ModelExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelExportError';
  }
}

export interface ExportInput {
  fit: DefaultFit;
  /** The training votes the model was fitted on. */
  trainL: VoteMatrix;
  dev: DevSet | null;
  classes: string[];
  lfs: { name: string; file: string }[];
}

/** The parameters of `input.fit.model`, checked against it (throws ModelExportError when they differ). */
export function exportLabelModel(input: ExportInput): LabelModelParams {
  const { fit, trainL, classes } = input;
  const k = classes.length;
  const m = trainL.m;
  if (input.lfs.length !== m) throw new ModelExportError(`${input.lfs.length} LF names for a matrix of ${m} LFs`);
  const model = fit.model;
  const uncoveredProbs = Array.from(probe(model, m, [[]]));
  const overrides = fit.overrides.map(({ narrow, broad }) => ({ narrow, broad }));
  const scorer = scorerFor(fit.chosen, model, trainL, k, overrides);
  const params: LabelModelParams = {
    format: LABEL_MODEL_FORMAT,
    name: model.name,
    candidate: fit.chosen,
    classes: [...classes],
    lfs: input.lfs.map(({ name, file }) => ({ name, file })),
    classBalance: [...model.classBalance],
    uncoveredProbs,
    overrides,
    tieTolerance: TIE_TOLERANCE,
    scorer,
    fit: {
      chosenBy: fit.chosenBy,
      usedDevSet: fit.usedDevSet,
      trainRows: trainL.n,
      devRows: input.dev ? input.dev.L.n : null,
      uncoveredTrainRows: fit.uncoveredRows,
      candidates: fit.candidates,
      nearCopies: fit.nearCopies.map(({ lf, of }) => ({ lf, of })),
      maxDifference: 0,
      checkedRows: 0,
    },
  };
  const check = compareWithModel(params, model, checkRows(trainL, input.dev, k));
  if (!(check.maxDifference <= EXPORT_TOLERANCE) || check.labelMismatches > 0) {
    throw new ModelExportError(
      `the fitted label model "${model.name}" cannot be written as parameters: on ${check.rows} checked rows they differ ` +
        `from it by up to ${check.maxDifference.toExponential(2)} (allowed ${EXPORT_TOLERANCE}), ${check.labelMismatches} different labels`,
    );
  }
  params.fit.maxDifference = check.maxDifference;
  params.fit.checkedRows = check.rows;
  return params;
}

function scorerFor(chosen: string, model: FittedLabelModel, trainL: VoteMatrix, k: number, overrides: { narrow: number; broad: number }[]): Scorer {
  switch (chosen) {
    case 'majority':
      return { kind: 'vote-share' };
    case 'flying-squid':
      return flyingSquidScorer(trainL, k, overrides);
    default:
      // agreement, prior-anchored, dawid-skene-step, and anything log-linear added later (the check says if not).
      return logLinearScorer(model, trainL.m, k);
  }
}

/** Probabilities the fitted model gives rows with exactly `votes` ([lf, label] pairs) each. */
function probe(model: FittedLabelModel, m: number, rows: [number, number][][]): Float64Array {
  const data = new Int8Array(rows.length * m).fill(-1);
  rows.forEach((votes, i) => {
    for (const [j, l] of votes) data[i * m + j] = l;
  });
  return model.predictProba({ n: rows.length, m, data });
}

function logLinearScorer(model: FittedLabelModel, m: number, k: number): LogLinearScorer {
  const rows: [number, number][][] = [];
  for (let j = 0; j < m; j++) for (let l = 0; l < k; l++) rows.push([[j, l]]);
  // Two votes of one label: no override sets either aside (overrides need a disagreement).
  if (m >= 2) rows.push([[0, 0], [1, 0]]);
  const p = probe(model, m, rows);
  const logRow = (r: number): number[] => {
    const out: number[] = [];
    for (let c = 0; c < k; c++) {
      const v = Math.log(p[r * k + c]);
      if (!Number.isFinite(v)) {
        throw new ModelExportError(
          `the fitted label model "${model.name}" cannot be written as parameters: it gives probability ${p[r * k + c]} to a class ` +
            'on a row with one vote, so its log-scores cannot be read back',
        );
      }
      out.push(v);
    }
    return out;
  };
  const single = (j: number, l: number) => logRow(j * k + l);
  let bias = new Array<number>(k).fill(0);
  if (m >= 2) {
    const a = single(0, 0);
    const b = single(1, 0);
    const ab = logRow(m * k);
    // log P(a) = B + W_a + c1, log P(b) = B + W_b + c2, log P(a, b) = B + W_a + W_b + c3: so
    // log P(a) + log P(b) - log P(a, b) = B up to a constant, which the softmax ignores.
    bias = a.map((x, c) => x + b[c] - ab[c]);
  }
  bias = shift(bias, 0);
  const weights: number[][][] = [];
  for (let j = 0; j < m; j++) {
    const perLabel: number[][] = [];
    for (let l = 0; l < k; l++) {
      const w = single(j, l).map((x, c) => x - bias[c]);
      // Any constant may be added to a vote's k-vector; anchoring it at a class other than the voted one
      // shows a one-coin vote as [0, w] rather than two large numbers.
      perLabel.push(shift(w, l === 0 ? 1 : 0));
    }
    weights.push(perLabel);
  }
  return { kind: 'log-linear', bias, weights };
}

const shift = (v: number[], anchor: number): number[] => {
  const a = v[anchor];
  return v.map((x) => x - a);
};

/** FlyingSquid's parameters, solved again exactly as fitDefault solved them (same index, same overrides). */
function flyingSquidScorer(trainL: VoteMatrix, k: number, overrides: { narrow: number; broad: number }[]): OneVsRestScorer {
  const index = compressVoteMatrix(trainL, k, DEFAULT_FIT_MAX_ROWS) ?? buildVoteIndex(trainL, k, { compress: false });
  const found = findOverrides(index);
  const aside = setAsideOverridden(index, found);
  const same =
    aside.overrides.length === overrides.length && aside.overrides.every((o, i) => o.narrow === overrides[i].narrow && o.broad === overrides[i].broad);
  if (!same) throw new ModelExportError('the overrides found again differ from the fitted ones; refit and export again');
  const fit = solveFlyingSquid(aside.index, { seed: 0 });
  return {
    kind: 'one-vs-rest',
    positives: [...fit.positives],
    positiveRates: fit.problems.map((p) => p.positiveRate),
    accuracy: fit.problems.map((p) => Array.from(p.accuracy)),
  };
}

export type UncoveredPolicy = 'abstain' | 'predict';

export interface Scored {
  /** n x k row-major. */
  probs: Float64Array;
  /** Most likely class; -1 for rows without votes under 'abstain'. */
  labels: Int32Array;
  covered: Uint8Array;
}

/**
 * P(Y | votes) and labels from the parameters alone: what the job computes in Python, row by row in the same
 * order of operations.
 */
export function scoreWithParams(params: LabelModelParams, L: VoteMatrix, policy: UncoveredPolicy = 'abstain'): Scored {
  const { n, m, data } = L;
  const k = params.classes.length;
  if (m !== params.lfs.length) throw new ModelExportError(`the label model has ${params.lfs.length} LFs but the votes have ${m} columns`);
  const probs = new Float64Array(n * k);
  const labels = new Int32Array(n);
  const covered = new Uint8Array(n);
  const broadOf: number[][] = Array.from({ length: m }, () => []);
  for (const o of params.overrides) broadOf[o.narrow].push(o.broad);
  const aside = new Uint8Array(m);
  const score = new Float64Array(k);
  const { scorer } = params;
  let priorBest = 0;
  for (let c = 1; c < k; c++) if (params.classBalance[c] > params.classBalance[priorBest]) priorBest = c;
  const logOddsBase =
    scorer.kind === 'one-vs-rest' ? scorer.positiveRates.map((r) => Math.log(Math.max(r, 1e-9)) - Math.log(Math.max(1 - r, 1e-9))) : [];
  const fsWeights = scorer.kind === 'one-vs-rest' ? scorer.accuracy.map((acc) => acc.map((a) => Math.log(a) - Math.log(1 - a))) : [];
  const logOdds = new Float64Array(fsWeights.length);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    const o = i * k;
    let votes = 0;
    for (let j = 0; j < m; j++) if (data[row + j] >= 0) votes++;
    if (votes === 0) {
      for (let c = 0; c < k; c++) probs[o + c] = params.uncoveredProbs[c];
      labels[i] = policy === 'predict' ? priorBest : -1;
      continue;
    }
    covered[i] = 1;
    aside.fill(0);
    for (let a = 0; a < m; a++) {
      const la = data[row + a];
      if (la < 0) continue;
      for (const b of broadOf[a]) {
        const lb = data[row + b];
        if (lb >= 0 && lb !== la) aside[b] = 1;
      }
    }
    if (scorer.kind === 'log-linear') {
      for (let c = 0; c < k; c++) score[c] = scorer.bias[c];
      for (let j = 0; j < m; j++) {
        const l = data[row + j];
        if (l < 0 || aside[j]) continue;
        const w = scorer.weights[j][l];
        for (let c = 0; c < k; c++) score[c] += w[c];
      }
      let mx = -Infinity;
      for (let c = 0; c < k; c++) if (score[c] > mx) mx = score[c];
      let s = 0;
      for (let c = 0; c < k; c++) {
        score[c] = Math.exp(score[c] - mx);
        s += score[c];
      }
      for (let c = 0; c < k; c++) probs[o + c] = score[c] / s;
    } else if (scorer.kind === 'vote-share') {
      score.fill(0);
      let total = 0;
      for (let j = 0; j < m; j++) {
        const l = data[row + j];
        if (l < 0 || aside[j]) continue;
        score[l] += 1;
        total++;
      }
      for (let c = 0; c < k; c++) probs[o + c] = score[c] / total;
    } else {
      for (let q = 0; q < logOdds.length; q++) logOdds[q] = logOddsBase[q];
      for (let j = 0; j < m; j++) {
        const l = data[row + j];
        if (l < 0 || aside[j]) continue;
        for (let q = 0; q < logOdds.length; q++) logOdds[q] += l === scorer.positives[q] ? fsWeights[q][j] : -fsWeights[q][j];
      }
      if (k === 2) {
        const p1 = 1 / (1 + Math.exp(-logOdds[0]));
        probs[o] = 1 - p1;
        probs[o + 1] = p1;
      } else {
        let s = 0;
        for (let c = 0; c < k; c++) {
          probs[o + c] = 1 / (1 + Math.exp(-logOdds[c]));
          s += probs[o + c];
        }
        for (let c = 0; c < k; c++) probs[o + c] /= s;
      }
    }
    labels[i] = mostLikely(probs, o, k, params.classBalance, params.tieTolerance);
  }
  return { probs, labels, covered };
}

/** Argmax; among classes within `tol` of the best, the one the class balance favours (first on equal balance). */
export function mostLikely(probs: ArrayLike<number>, o: number, k: number, classBalance: readonly number[], tol = TIE_TOLERANCE): number {
  let mx = -Infinity;
  for (let c = 0; c < k; c++) if (probs[o + c] > mx) mx = probs[o + c];
  let best = -1;
  for (let c = 0; c < k; c++) {
    if (probs[o + c] < mx - tol) continue;
    if (best === -1 || classBalance[c] > classBalance[best]) best = c;
  }
  return best;
}

/** Rows to check an export on: every distinct training pattern (up to a cap), the dev rows, random rows. */
function checkRows(trainL: VoteMatrix, dev: DevSet | null, k: number): VoteMatrix {
  const m = trainL.m;
  const seen = new Set<string>();
  const chunks: Int8Array[] = [];
  const add = (row: Int8Array) => {
    const key = row.join(',');
    if (seen.has(key)) return;
    seen.add(key);
    chunks.push(row);
  };
  const MAX_PATTERNS = 20_000;
  const MAX_SCANNED = 200_000;
  for (const L of [trainL, dev?.L]) {
    if (!L) continue;
    // Evenly strided over a large matrix, so the check sees its whole length.
    const stride = Math.max(1, Math.ceil(L.n / MAX_SCANNED));
    for (let i = 0; i < L.n && seen.size < MAX_PATTERNS; i += stride) add(L.data.subarray(i * m, (i + 1) * m));
  }
  // Every pair of votes (small projects), then random rows with from one vote to every LF voting.
  if (m * k <= 80) {
    for (let a = 0; a < m; a++)
      for (let b = a + 1; b < m; b++)
        for (let la = 0; la < k; la++)
          for (let lb = 0; lb < k; lb++) {
            const row = new Int8Array(m).fill(-1);
            row[a] = la;
            row[b] = lb;
            add(row);
          }
  }
  let seed = 0x9e3779b9;
  const rand = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed / 4294967296;
  };
  for (let r = 0; r < 2000; r++) {
    const density = (r % 10 + 1) / 10;
    const row = new Int8Array(m).fill(-1);
    for (let j = 0; j < m; j++) if (rand() < density) row[j] = Math.floor(rand() * k);
    add(row);
  }
  const data = new Int8Array(chunks.length * m);
  chunks.forEach((row, i) => data.set(row, i * m));
  return { n: chunks.length, m, data };
}

/** How far the parameters are from the fitted model on the rows of `L`. */
export function compareWithModel(
  params: LabelModelParams,
  model: FittedLabelModel,
  L: VoteMatrix,
): { rows: number; maxDifference: number; labelMismatches: number } {
  const k = params.classes.length;
  const expected = model.predictProba(L);
  const expectedLabels = model.predict(L, 'prior');
  const got = scoreWithParams(params, L, 'predict');
  let maxDifference = 0;
  let labelMismatches = 0;
  for (let i = 0; i < L.n; i++) {
    let margin = Infinity;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) mx = Math.max(mx, expected[i * k + c]);
    for (let c = 0; c < k; c++) {
      const d = Math.abs(expected[i * k + c] - got.probs[i * k + c]);
      if (!(d <= maxDifference)) maxDifference = Number.isNaN(d) ? Infinity : Math.max(maxDifference, d);
      if (expected[i * k + c] < mx) margin = Math.min(margin, mx - expected[i * k + c]);
    }
    // Near-ties may fall either way within the tolerance; everything else must get the same label.
    if (margin > 1e-7 && expectedLabels[i] !== got.labels[i]) labelMismatches++;
  }
  return { rows: L.n, maxDifference, labelMismatches };
}
