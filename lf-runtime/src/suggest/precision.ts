/**
 * How far an LF's precision on a few labeled rows can be trusted. 3 right out of 3 is not "100% precise":
 * the Wilson score interval's lower end (Wilson 1927) says how low the true precision may plausibly be, and
 * it falls with fewer votes: at z = 1.28, 3/3 gives 0.65, 10/10 gives 0.86, 9/10 gives 0.72. The pruning rule
 * compares that bound with what the LF must reach: more than the share of its class among the labeled rows
 * (an LF whose votes are right no more often than the class's own frequency says nothing), and a floor.
 */
import type { PrecisionFigures } from './types.ts';

/** Lower end of the Wilson score interval for `correct` successes in `votes` trials; 0 without trials. */
export function wilsonLowerBound(correct: number, votes: number, z: number): number {
  if (votes <= 0) return 0;
  const p = correct / votes;
  const z2 = z * z;
  const center = p + z2 / (2 * votes);
  const margin = z * Math.sqrt((p * (1 - p)) / votes + z2 / (4 * votes * votes));
  return Math.max(0, (center - margin) / (1 + z2 / votes));
}

export function precisionFigures(correct: number, votes: number, z: number): PrecisionFigures {
  return { correct, votes, precision: votes > 0 ? correct / votes : null, lowerBound: wilsonLowerBound(correct, votes, z) };
}

/**
 * Class frequencies among the labeled rows, with one pseudo-row per class (Laplace) so that a class seen
 * once or never still has a share above zero.
 */
export function labeledClassShares(gold: ArrayLike<number>, k: number): number[] {
  const counts = new Array<number>(k).fill(1);
  for (let i = 0; i < gold.length; i++) counts[gold[i]]++;
  const total = gold.length + k;
  return counts.map((c) => c / total);
}

/**
 * The precision an LF voting class `c` must be shown (by its lower bound) to reach: the class's share plus
 * `lift` of what is left above it, and at least `floor`. With lift 0.4 and floor 0.5, a class of half the
 * rows needs 0.7, one of 86% (ham in sms) 0.92, one of a tenth 0.46, so the floor's 0.5.
 */
export function requiredPrecision(share: number, floor: number, lift: number): number {
  return Math.max(floor, share + lift * (1 - share));
}
