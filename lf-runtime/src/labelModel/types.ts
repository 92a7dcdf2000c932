/**
 * Shapes shared by every label model: the vote matrix they read, the fitted model they return, and the
 * policy that turns probabilities into hard labels.
 */

import type { VoteMatrix } from '../stats/voteMatrix.ts';

/** n x m votes, row-major, -1 = abstain: the one matrix type shared with the statistics. */
export type { VoteMatrix };

export type LabelModelName =
  | 'majority'
  | 'dawid-skene'
  | 'matrix-completion'
  | 'flying-squid'
  | 'agreement'
  | 'prior-anchored';

export const LABEL_MODEL_NAMES: readonly LabelModelName[] = [
  'majority',
  'dawid-skene',
  'matrix-completion',
  'flying-squid',
  'agreement',
  'prior-anchored',
];

/**
 * How hard labels are chosen.
 * - 'abstain': rows no LF votes on, and exact ties, get -1 (Snorkel's "strict" reading counts them wrong).
 * - 'prior': uncovered rows get the most likely class under the estimated class balance; ties are broken
 *   towards the class the balance favours. Needs no gold labels, so it is the default.
 * - 'random': ties and uncovered rows are broken uniformly at random with a fixed seed (deterministic).
 */
export type PredictPolicy = 'abstain' | 'prior' | 'random';

export interface FittedLabelModel {
  name: string;
  k: number;
  /** Estimated P(Y = c), sums to 1. */
  classBalance: number[];
  /** Estimated P(LF j correct | LF j votes), per LF in column order; null for an LF that never votes. */
  accuracyWhenVoting: (number | null)[];
  /** P(Y | votes) for every row of L, n x k row-major. Rows without votes get the class balance. */
  predictProba(L: VoteMatrix): Float64Array;
  /** Hard labels for every row of L (-1 where the policy abstains). */
  predict(L: VoteMatrix, policy?: PredictPolicy): Int32Array;
  /** Wall-clock time spent fitting, in milliseconds. */
  fitMs: number;
}

export interface LabelModelOptions {
  /** Seed for any randomness (tie breaking); the same seed gives the same output. */
  seed?: number;
  /** Iteration cap for iterative solvers. */
  maxIterations?: number;
}

/** Bad input to a label model: says what is wrong and how to fix it. */
export class LabelModelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelModelInputError';
  }
}
