/**
 * Gold-label figures of the default model, majority vote and every candidate on one synthetic LF set
 * (syntheticFamilies.ts): covered-row accuracy on the test rows and the per-LF accuracy-estimation error on
 * the train rows, as evaluation.ts defines them for the WRENCH fixtures. What the benchmark's family table
 * and the family tests report; nothing here feeds back into fitting.
 */
import { fitCandidates, fitDefault } from './defaultModel.ts';
import type { DefaultFit } from './defaultModel.ts';
import { accuracyEstimationError, evaluateOnSplit, trueAccuracyWhenVoting } from './evaluation.ts';
import { fitDawidSkene } from './dawidSkene.ts';
import { fitAbstainJudge } from './abstainJudge.ts';
import { fitMatrixCompletionOnIndex } from './matrixCompletion.ts';
import { findOverrides, setAsideOverridden, withOverrides } from './overrides.ts';
import type { FamilyCase } from './syntheticFamilies.ts';
import { buildVoteIndex } from './voteIndex.ts';
import type { FittedLabelModel } from './types.ts';

export interface ModelFigures {
  name: string;
  /** Accuracy on test rows with at least one vote ('prior' policy for ties). */
  covered: number;
  /** Mean |estimated - true| accuracy when voting on train, LFs with >= 10 votes; null if none has. */
  estimationError: number | null;
}

export interface CaseFigures {
  family: string;
  seed: number;
  k: number;
  m: number;
  default: ModelFigures;
  /** The default's fit (chosen candidate, chosenBy, agreementCheck). */
  fit: DefaultFit;
  /**
   * Majority vote and the other four candidates of the default, as it fits them (exceptions set aside),
   * then matrix completion and full Dawid-Skene EM, the named models a user can ask for, and Dawid-Skene with
   * a learned class balance (the agreement check's abstain judge, fitted on every vote).
   */
  models: ModelFigures[];
}

/** Candidates in the order the figures list them. */
export const CANDIDATE_ORDER = [
  'majority',
  'agreement',
  'prior-anchored',
  'dawid-skene-step',
  'flying-squid',
  'matrix-completion',
  'dawid-skene',
  'abstain-judge',
];

export function evaluateFamilyCase(c: FamilyCase): CaseFigures {
  const { train, test, k } = c;
  const trainGold = Array.from(train.gold);
  const testGold = Array.from(test.gold);
  const truth = trueAccuracyWhenVoting(train.L, trainGold);
  const figures = (name: string, model: FittedLabelModel): ModelFigures => ({
    name,
    covered: evaluateOnSplit(model, test.L, testGold, 'prior').accuracyCovered,
    estimationError: accuracyEstimationError(model.accuracyWhenVoting, truth),
  });
  const fit = fitDefault(train.L, k);
  const index = buildVoteIndex(train.L, k);
  const aside = setAsideOverridden(index, findOverrides(index));
  const models = fitCandidates(aside.index).map((m) => figures(m.name, withOverrides(m, index, aside, 0)));
  models.push(figures('matrix-completion', withOverrides(fitMatrixCompletionOnIndex(aside.index), index, aside, 0)));
  models.push(figures('dawid-skene', fitDawidSkene(train.L, k)));
  models.push(figures('abstain-judge', withOverrides(fitAbstainJudge(aside.index, 0).model, index, aside, 0)));
  models.sort((a, b) => CANDIDATE_ORDER.indexOf(a.name) - CANDIDATE_ORDER.indexOf(b.name));
  return { family: c.family, seed: c.seed, k, m: c.m, default: figures('default', fit.model), fit, models };
}

/** The majority-vote figures of a case. */
export function majorityOf(f: CaseFigures): ModelFigures {
  return f.models.find((m) => m.name === 'majority')!;
}

/** The lowest estimation error of any single candidate, the abstain judge included (null when no model has one). */
export function bestCandidateError(f: CaseFigures): number | null {
  const errors = f.models.map((m) => m.estimationError).filter((e): e is number => e !== null);
  return errors.length > 0 ? Math.min(...errors) : null;
}
