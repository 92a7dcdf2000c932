/**
 * Vote matrices drawn from a known generative model (class balance, per-LF coverage and accuracy, votes
 * conditionally independent given Y), so tests can check that a model recovers the parameters and the
 * benchmark can time fits at any size. Seeded: the same arguments give the same matrix.
 */
import { seededRandom } from './fittedModel.ts';
import type { VoteMatrix } from './types.ts';

export interface SyntheticSpec {
  n: number;
  k: number;
  classBalance: number[];
  /** Per LF: P(votes). */
  coverage: number[];
  /** Per LF: P(vote = Y | votes); wrong votes are spread evenly over the other classes. */
  accuracy: number[];
  seed: number;
}

export interface SyntheticVotes {
  L: VoteMatrix;
  gold: Int32Array;
}

export function drawSyntheticVotes(spec: SyntheticSpec): SyntheticVotes {
  const { n, k, classBalance, coverage, accuracy } = spec;
  const m = coverage.length;
  const rand = seededRandom(spec.seed);
  const data = new Int8Array(n * m).fill(-1);
  const gold = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = drawClass(rand, classBalance, k);
    gold[i] = y;
    const base = i * m;
    for (let j = 0; j < m; j++) {
      if (rand() >= coverage[j]) continue;
      if (rand() < accuracy[j]) data[base + j] = y;
      else {
        // A wrong vote: one of the k - 1 other classes, uniformly.
        const w = Math.floor(rand() * (k - 1));
        data[base + j] = w >= y ? w + 1 : w;
      }
    }
  }
  return { L: { n, m, data }, gold };
}

/** A spec with LF accuracies in [0.6, 0.95] and coverages in [0.05, 0.5], drawn from `seed`. */
export function randomSpec(n: number, m: number, k: number, seed: number): SyntheticSpec {
  const rand = seededRandom(seed ^ 0x5bd1e995);
  const raw = Array.from({ length: k }, () => 0.5 + rand());
  const total = raw.reduce((s, x) => s + x, 0);
  return {
    n,
    k,
    classBalance: raw.map((x) => x / total),
    coverage: Array.from({ length: m }, () => 0.05 + 0.45 * rand()),
    accuracy: Array.from({ length: m }, () => 0.6 + 0.35 * rand()),
    seed,
  };
}

/**
 * One-label LFs, the shape of real keyword rules: LF j votes `label[j]` with probability `fireIfClass[j]`
 * on rows of that class and `fireOtherwise[j]` on other rows, else abstains. `copyOf[j]` (optional) makes
 * LF j repeat LF copyOf[j]'s vote with probability `copyRate`, a dependency conditional independence misses.
 */
export interface DetectorSpec {
  n: number;
  k: number;
  classBalance: number[];
  label: number[];
  fireIfClass: number[];
  fireOtherwise: number[];
  copyOf?: (number | null)[];
  copyRate?: number;
  /**
   * `nestedIn[j]` (optional) makes LF j a refinement of an earlier LF: it can fire only on rows where that
   * LF fired (a "what ... city" rule inside a "what" rule), with its fire rates applying there.
   */
  nestedIn?: (number | null)[];
  seed: number;
}

export function drawDetectorVotes(spec: DetectorSpec): SyntheticVotes {
  const { n, k, classBalance, label } = spec;
  const m = label.length;
  const rand = seededRandom(spec.seed);
  const data = new Int8Array(n * m).fill(-1);
  const gold = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = drawClass(rand, classBalance, k);
    gold[i] = y;
    const base = i * m;
    for (let j = 0; j < m; j++) {
      const source = spec.copyOf?.[j];
      // Copies refer to earlier columns, so the source's vote is already drawn.
      if (source !== null && source !== undefined && rand() < (spec.copyRate ?? 0.8)) {
        data[base + j] = data[base + source] === -1 ? -1 : label[j];
        continue;
      }
      const parent = spec.nestedIn?.[j];
      if (parent !== null && parent !== undefined && data[base + parent] === -1) continue;
      const p = y === label[j] ? spec.fireIfClass[j] : spec.fireOtherwise[j];
      if (rand() < p) data[base + j] = label[j];
    }
  }
  return { L: { n, m, data }, gold };
}

/** A class drawn from `classBalance` with one uniform number (the last class takes any rounding slack). */
function drawClass(rand: () => number, classBalance: readonly number[], k: number): number {
  let u = rand();
  let y = 0;
  while (y < k - 1 && u >= classBalance[y]) {
    u -= classBalance[y];
    y++;
  }
  return y;
}
