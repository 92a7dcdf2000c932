/**
 * Every label model a user can ask for by name (`lf-studio fit --model NAME`), fitted from a vote matrix: the
 * one table the CLI, the benchmark and the tests run.
 */
import { fitAgreementModel } from './agreementModel.ts';
import { fitDawidSkene } from './dawidSkene.ts';
import { fitFlyingSquid } from './flyingSquid.ts';
import { fitMajorityVote } from './majorityVote.ts';
import { fitMatrixCompletion } from './matrixCompletion.ts';
import { fitPriorAnchoredModel } from './priorAnchoredModel.ts';
import type { FittedLabelModel, LabelModelName, VoteMatrix } from './types.ts';

export type Fitter = (L: VoteMatrix, k: number) => FittedLabelModel;

export const NAMED_MODELS: Record<LabelModelName, Fitter> = {
  majority: (L, k) => fitMajorityVote(L, k),
  'dawid-skene': (L, k) => fitDawidSkene(L, k),
  'matrix-completion': (L, k) => fitMatrixCompletion(L, k),
  'flying-squid': (L, k) => fitFlyingSquid(L, k),
  agreement: (L, k) => fitAgreementModel(L, k),
  'prior-anchored': (L, k) => fitPriorAnchoredModel(L, k),
};
