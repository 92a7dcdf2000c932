/**
 * The five label-model candidates the default model chooses among and takes its per-LF median from
 * (defaultModel.ts), split in the two groups a large fit runs on two threads (parallelFit.ts). Both of those
 * modules import this one, and it imports neither.
 */
import { agreementModelFromFit, runAgreementModel } from './agreementModel.ts';
import { fitDawidSkeneOnIndex } from './dawidSkene.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import { flyingSquidModelFromFit, solveFlyingSquid } from './flyingSquid.ts';
import type { FlyingSquidFit } from './flyingSquid.ts';
import { fitMajorityVoteOnIndex } from './majorityVote.ts';
import { priorAnchoredModelFromFit, runPriorAnchoredModel } from './priorAnchoredModel.ts';
import type { PriorAnchoredFit } from './priorAnchoredModel.ts';
import type { LabelModelOptions } from './types.ts';
import { strideRows } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';

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
  return [...fitVoteCandidates(index, seed), ...independentModels(index, fitIndependentParameters(index, seed), seed)];
}

/**
 * The candidates that build on each other (the Dawid-Skene step starts from the agreement model's posteriors
 * and majority vote's balance): majority, dawid-skene-step, agreement. The other two, prior-anchored and
 * FlyingSquid, depend on nothing else, so a large fit can run them on a second thread (parallelFit.ts).
 */
export function fitVoteCandidates(index: VoteIndex, seed: number, agreementStart?: Float64Array): IndexedLabelModel[] {
  const t0 = performance.now();
  const majority = fitMajorityVoteOnIndex(index, seed, t0);
  const t1 = performance.now();
  const agreementFit = runAgreementModel(index, { shrinkage: AGREEMENT_SHRINKAGE, initialAccuracies: agreementStart });
  const agreement = agreementModelFromFit(index, agreementFit, seed, t1);
  const t2 = performance.now();
  // Fixing the class balance at the majority-vote estimate stops EM sliding onto one class (seen on sms).
  const dawidSkene = fitDawidSkeneOnIndex(
    index,
    { seed, fixedClassBalance: majority.classBalance, initialPosterior: agreement.scoreIndex(index), maxIterations: 1 },
    t2,
  );
  return [majority, { ...dawidSkene, name: 'dawid-skene-step' }, agreement];
}

export const AGREEMENT_SHRINKAGE = 20;

/** The parameters of the candidates that depend on nothing else: plain data, so a worker thread can fit them. */
export interface IndependentFit {
  anchored: PriorAnchoredFit;
  flyingSquid: FlyingSquidFit;
}

/**
 * Prior-anchored and FlyingSquid. On an index of more than maxRows rows, prior-anchored EM starts from its own
 * fit on every ceil(n / maxRows)-th row: it reaches the same fixed point in fewer passes over all rows, and a
 * pass over a 200k sample of 1M rows costs a fifth of one over all (measured on four random 1M x 100
 * matrices: 2-3 passes instead of 4-5; the agreement model, started the same way in parallelFit.ts, 2
 * instead of 3 on three of them).
 */
export function fitIndependentParameters(index: VoteIndex, seed: number, maxRows = Infinity): IndependentFit {
  const start = index.n > maxRows ? runPriorAnchoredModel(strideRows(index, maxRows)) : undefined;
  return { anchored: runPriorAnchoredModel(index, { start }), flyingSquid: solveFlyingSquid(index, { seed }) };
}

export function independentModels(index: VoteIndex, fit: IndependentFit, seed: number): IndexedLabelModel[] {
  const t = performance.now();
  return [priorAnchoredModelFromFit(index, fit.anchored, seed, t), flyingSquidModelFromFit(index, fit.flyingSquid, seed, t)];
}
