/**
 * The fast path the editor calls on every edit: the default label model's per-LF "accuracy when voting",
 * class balance and the number of rows no LF votes on. Never throws on an empty or all-abstain matrix,
 * because the editor calls it before the user has written a working LF.
 */
import { fitDefault, type DevSet } from './defaultModel.ts';
import type { FittedLabelModel, VoteMatrix } from './types.ts';

export interface LfAccuracyEstimate {
  /** Which label model produced the figures, e.g. "default (agreement)". */
  model: string;
  /** Per LF in column order; null for an LF that never votes. */
  accuracies: (number | null)[];
  classBalance: number[];
  uncoveredRows: number;
  /** How the model was chosen, in words for the user (says so when the dev set was used). */
  chosenBy: string;
  usedDevSet: boolean;
  /**
   * Narrow LFs lying inside a broader LF that votes differently: the broad vote was set aside on the `rows`
   * where the narrow one disagrees (see overrides.ts). Columns, in column order of the narrow LF.
   */
  overrides: { narrow: number; broad: number; rows: number }[];
  /** The fitted model behind the figures (P(Y | votes) for any rows of the same LFs); null with nothing to fit. */
  fitted: FittedLabelModel | null;
}

/** With `dev` (the same LFs' votes on rows with gold labels), the dev set chooses the model and calibrates. */
export function estimateLfAccuracies(L: VoteMatrix, k: number, dev?: DevSet): LfAccuracyEstimate {
  if (L.n === 0 || L.m === 0) {
    return {
      model: 'none (no rows or no LFs)',
      accuracies: new Array<null>(L.m).fill(null),
      classBalance: new Array<number>(k).fill(1 / k),
      uncoveredRows: L.n,
      chosenBy: 'nothing to fit',
      usedDevSet: false,
      overrides: [],
      fitted: null,
    };
  }
  const fit = fitDefault(L, k, dev && dev.gold.length > 0 ? { dev } : {});
  return {
    model: fit.model.name,
    accuracies: fit.model.accuracyWhenVoting,
    classBalance: fit.model.classBalance,
    uncoveredRows: fit.uncoveredRows,
    chosenBy: fit.chosenBy,
    usedDevSet: fit.usedDevSet,
    overrides: fit.overrides.map(({ narrow, broad, rows }) => ({ narrow, broad, rows })),
    fitted: fit.model,
  };
}
