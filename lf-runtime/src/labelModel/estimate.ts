/**
 * The fast path the editor calls on every edit: the default label model's per-LF "accuracy when voting",
 * class balance and the number of rows no LF votes on. Never throws on an empty or all-abstain matrix,
 * because the editor calls it before the user has written a working LF.
 */
import { fitDefault } from './defaultModel.ts';
import type { VoteMatrix } from './types.ts';

export interface LfAccuracyEstimate {
  /** Which label model produced the figures, e.g. "default (agreement)". */
  model: string;
  /** Per LF in column order; null for an LF that never votes. */
  accuracies: (number | null)[];
  classBalance: number[];
  uncoveredRows: number;
}

export function estimateLfAccuracies(L: VoteMatrix, k: number): LfAccuracyEstimate {
  if (L.n === 0 || L.m === 0) {
    return { model: 'none (no rows or no LFs)', accuracies: new Array<null>(L.m).fill(null), classBalance: new Array<number>(k).fill(1 / k), uncoveredRows: L.n };
  }
  const fit = fitDefault(L, k);
  return {
    model: fit.model.name,
    accuracies: fit.model.accuracyWhenVoting,
    classBalance: fit.model.classBalance,
    uncoveredRows: fit.uncoveredRows,
  };
}
