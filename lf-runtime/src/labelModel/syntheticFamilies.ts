/**
 * Families of synthetic LF sets with properties youtube, sms and trec lack, to judge label models on LF sets
 * unlike the three they were tuned on: many classes, many LFs below 0.5 accuracy, LFs whose accuracy depends
 * on the true class and whose wrong votes favour one class, sparse coverage, and groups of correlated LFs.
 *
 * Every LF is a table P(vote = l | Y = y) over the k labels and abstain, so any class-dependent behaviour can
 * be written down; an LF may also copy an earlier LF (fire where it fires), the dependency real keyword
 * variants have. A family turns a seed into such a set; the same family and seed always give the same votes.
 *
 * How the default's agreement check (agreementCheck.ts) was kept from tuning to what the benchmark reports:
 * its first version was designed on the 'tune' families, seeds TUNE_SEEDS only. The 'round-1' families were
 * written after that version was fixed; on their ROUND_1_SEEDS it missed the chemprot-like losses (and set the
 * agreement model aside wrongly on the example youtube LF set, which has a copied LF), so it was revised once,
 * looking at them. The 'held-out' families were written after that revision, and no family was drawn on
 * HELD_OUT_SEEDS before it: those runs are the only ones the final check was never looked at on. (One later
 * change, a minimum of 10 votes per LF in the check's one-label test, came from WRENCH's trec/valid split and
 * changed no decision on any family and seed here.)
 */
import { seededRandom } from './fittedModel.ts';
import type { SyntheticVotes } from './syntheticVotes.ts';

export interface EmissionLf {
  /** P(vote = l | Y = y) at [y * (k + 1) + l], l = k meaning abstain; each row sums to 1. */
  emission: Float64Array;
  /**
   * An earlier column this LF copies: with probability `copyRate` it abstains where that LF abstains and votes
   * where it votes (its own `copyLabel` when given, else the same label); otherwise it draws from `emission`.
   */
  copyOf?: number;
  copyRate?: number;
  copyLabel?: number;
  /**
   * An earlier column that gates this LF: it can vote only on rows where that LF votes, and draws from
   * `emission` there (keyword rules that only apply to one kind of row, whatever its class).
   */
  gate?: number;
}

export interface EmissionSpec {
  k: number;
  classBalance: number[];
  lfs: EmissionLf[];
}

/** n rows drawn from `spec`: Y from the class balance, then each LF's output from its table (or its copy). */
export function drawEmissionVotes(spec: EmissionSpec, n: number, seed: number): SyntheticVotes {
  const { k, classBalance, lfs } = spec;
  const m = lfs.length;
  const rand = seededRandom(seed);
  const data = new Int8Array(n * m).fill(-1);
  const gold = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = drawIndex(rand, classBalance);
    gold[i] = y;
    const base = i * m;
    for (let j = 0; j < m; j++) {
      const lf = lfs[j];
      if (lf.copyOf !== undefined && rand() < (lf.copyRate ?? 0.8)) {
        const source = data[base + lf.copyOf];
        data[base + j] = source === -1 ? -1 : (lf.copyLabel ?? source);
        continue;
      }
      if (lf.gate !== undefined && data[base + lf.gate] === -1) continue;
      const l = drawIndex(rand, lf.emission.subarray(y * (k + 1), (y + 1) * (k + 1)));
      data[base + j] = l === k ? -1 : l;
    }
  }
  return { L: { n, m, data }, gold };
}

/** An index drawn from weights summing to 1 (the last index takes any rounding slack). */
function drawIndex(rand: () => number, weights: ArrayLike<number>): number {
  let u = rand();
  const last = weights.length - 1;
  for (let c = 0; c < last; c++) {
    if (u < weights[c]) return c;
    u -= weights[c];
  }
  return last;
}

/**
 * A one-label LF (keyword rule) for `label`: fires on `fire` of that class's rows, and on other rows often
 * enough that its precision is about `precision`; `confusion[y]` (relative, over the other classes) says
 * which classes its false fires fall on, so its errors can favour a neighbouring class.
 */
export function detectorLf(k: number, classBalance: number[], label: number, fire: number, precision: number, confusion: number[]): EmissionLf {
  const emission = new Float64Array(k * (k + 1));
  // Precision p = pi_l s / (pi_l s + sum_y pi_y f_y): false-fire mass F = pi_l s (1 - p) / p over the others.
  const falseMass = (classBalance[label] * fire * (1 - precision)) / precision;
  let weighted = 0;
  for (let y = 0; y < k; y++) if (y !== label) weighted += classBalance[y] * confusion[y];
  for (let y = 0; y < k; y++) {
    const p = y === label ? fire : weighted > 0 ? Math.min(0.95, (falseMass * confusion[y]) / weighted) : 0;
    emission[y * (k + 1) + label] = p;
    emission[y * (k + 1) + k] = 1 - p;
  }
  return { emission };
}

/**
 * A multi-label LF: on rows of class y it votes with probability coverage[y], and then is right with
 * probability accuracy[y]; a wrong vote goes to `favourite` with probability `bias` (when the row is not of
 * that class), else evenly to the other wrong classes.
 */
export function voterLf(k: number, coverage: number[], accuracy: number[], favourite: number, bias: number): EmissionLf {
  const emission = new Float64Array(k * (k + 1));
  for (let y = 0; y < k; y++) {
    const o = y * (k + 1);
    const wrong = coverage[y] * (1 - accuracy[y]);
    emission[o + y] = coverage[y] * accuracy[y];
    emission[o + k] = 1 - coverage[y];
    // Two classes have no third class for a bias to pick: the one wrong class takes every wrong vote.
    const biased = favourite !== y && k > 2;
    const toFavourite = biased ? bias : 0;
    if (biased) emission[o + favourite] += wrong * toFavourite;
    const others = biased ? k - 2 : k - 1;
    for (let l = 0; l < k; l++) {
      if (l === y || (biased && l === favourite)) continue;
      emission[o + l] += (wrong * (1 - toFavourite)) / others;
    }
  }
  return { emission };
}

/** Class balance with a Zipf-like skew (share of class of rank r proportional to 1/(r+1)^skew), classes shuffled. */
function skewedBalance(k: number, skew: number, rand: () => number): number[] {
  const raw = Array.from({ length: k }, (_, r) => 1 / (r + 1) ** skew);
  shuffle(raw, rand);
  const total = raw.reduce((s, x) => s + x, 0);
  return raw.map((x) => x / total);
}

function shuffle<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

const uniform = (rand: () => number, lo: number, hi: number) => lo + (hi - lo) * rand();
const integer = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Labels for m one-label LFs: every class at least once, the rest drawn by the class balance. */
function detectorLabels(m: number, classBalance: number[], rand: () => number): number[] {
  const k = classBalance.length;
  const labels = Array.from({ length: Math.min(m, k) }, (_, c) => c);
  while (labels.length < m) labels.push(drawIndex(rand, classBalance));
  shuffle(labels, rand);
  return labels;
}

/** Relative weights of the classes a detector's false fires land on: one or two favoured neighbours. */
function confusionWeights(k: number, label: number, rand: () => number, favoured: number): number[] {
  const w = new Array<number>(k).fill(1);
  w[label] = 0;
  const picks = integer(rand, 1, 2);
  for (let t = 0; t < picks && k > 2; t++) {
    let c = Math.floor(rand() * k);
    if (c === label) c = (c + 1) % k;
    w[c] = favoured;
  }
  return w;
}

export interface SyntheticFamily {
  name: string;
  /**
   * How the default's agreement check (agreementCheck.ts) used the family (see the module comment):
   * 'tune': its first version was designed on these families' TUNE_SEEDS;
   * 'round-1': written after that version was fixed; on their ROUND_1_SEEDS it missed chemprot-like losses,
   *   and the check was revised once, looking at them (so they are tuning data for the final check);
   * 'held-out': written after the final check was fixed, and only reported on.
   */
  split: 'tune' | 'round-1' | 'held-out';
  /** What the family has that youtube, sms and trec lack. */
  description: string;
  /** The LF set drawn for `seed`. */
  spec(seed: number): EmissionSpec;
}

export const SYNTHETIC_FAMILIES: SyntheticFamily[] = [
  {
    name: 'many-classes-detectors',
    split: 'tune',
    description: '6-12 skewed classes, 2-4 one-label LFs per class, precision 0.2-0.9 (many below 0.5), false fires favouring 1-2 neighbouring classes',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x1f3a);
      const k = integer(rand, 6, 12);
      const classBalance = skewedBalance(k, uniform(rand, 0.5, 1.2), rand);
      const labels = detectorLabels(Math.round(k * uniform(rand, 2, 4)), classBalance, rand);
      const lfs = labels.map((l) => detectorLf(k, classBalance, l, uniform(rand, 0.1, 0.5), uniform(rand, 0.2, 0.9), confusionWeights(k, l, rand, 6)));
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'class-biased-voters',
    split: 'tune',
    description: '4-8 classes, multi-label LFs whose accuracy depends on the true class (base 0.25-0.75, +-0.25 per class) and whose wrong votes go mostly to a favourite class, often a shared catch-all',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x2b4c);
      const k = integer(rand, 4, 8);
      const classBalance = skewedBalance(k, uniform(rand, 0.3, 1), rand);
      const catchAll = Math.floor(rand() * k);
      const m = integer(rand, 10, 25);
      const lfs = Array.from({ length: m }, () => {
        const base = uniform(rand, 0.25, 0.75);
        const coverage = uniform(rand, 0.05, 0.3);
        const accuracy = Array.from({ length: k }, () => clamp(base + uniform(rand, -0.25, 0.25), 0.05, 0.98));
        const favourite = rand() < 0.6 ? catchAll : Math.floor(rand() * k);
        return voterLf(k, new Array<number>(k).fill(coverage), accuracy, favourite, uniform(rand, 0.4, 0.9));
      });
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'correlated-groups',
    split: 'tune',
    description: '3-6 classes; 2-4 groups of 3-5 one-label LFs that copy a weak lead LF (precision 0.3-0.6) on 60-95% of rows, beside 6-12 independent LFs of precision 0.5-0.95',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x3c5d);
      const k = integer(rand, 3, 6);
      const classBalance = skewedBalance(k, uniform(rand, 0.2, 0.8), rand);
      const lfs: EmissionLf[] = [];
      const groups = integer(rand, 2, 4);
      for (let g = 0; g < groups; g++) {
        const label = Math.floor(rand() * k);
        const lead = lfs.length;
        lfs.push(detectorLf(k, classBalance, label, uniform(rand, 0.2, 0.5), uniform(rand, 0.3, 0.6), confusionWeights(k, label, rand, 4)));
        const size = integer(rand, 3, 5);
        for (let t = 1; t < size; t++) {
          const own = detectorLf(k, classBalance, label, uniform(rand, 0.1, 0.3), uniform(rand, 0.3, 0.7), confusionWeights(k, label, rand, 4));
          lfs.push({ ...own, copyOf: lead, copyRate: uniform(rand, 0.6, 0.95) });
        }
      }
      for (const l of detectorLabels(integer(rand, 6, 12), classBalance, rand)) {
        lfs.push(detectorLf(k, classBalance, l, uniform(rand, 0.1, 0.4), uniform(rand, 0.5, 0.95), confusionWeights(k, l, rand, 2)));
      }
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'sparse-coverage',
    split: 'tune',
    description: '2-6 classes, 30-60 one-label LFs each firing on 1-8% of its class, precision 0.35-0.95: about half the covered rows or more have one vote',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x4d6e);
      const k = integer(rand, 2, 6);
      const classBalance = skewedBalance(k, uniform(rand, 0.2, 1), rand);
      const labels = detectorLabels(integer(rand, 30, 60), classBalance, rand);
      const lfs = labels.map((l) => detectorLf(k, classBalance, l, uniform(rand, 0.01, 0.08), uniform(rand, 0.35, 0.95), confusionWeights(k, l, rand, 3)));
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'one-coin',
    split: 'tune',
    description: 'control: 2-5 classes, multi-label LFs with one accuracy each (0.6-0.95) and wrong votes spread evenly, coverage 0.05-0.5: the agreement model\'s own assumptions',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x5e7f);
      const k = integer(rand, 2, 5);
      const classBalance = skewedBalance(k, uniform(rand, 0, 0.8), rand);
      const lfs = Array.from({ length: integer(rand, 8, 20) }, () => {
        const coverage = uniform(rand, 0.05, 0.5);
        return voterLf(k, new Array<number>(k).fill(coverage), new Array<number>(k).fill(uniform(rand, 0.6, 0.95)), 0, 0);
      });
      return { k, classBalance, lfs };
    },
  },
  // Round 1: written after the first version of the agreement check was fixed. Its results on these led to
  // the one revision of the check, so they count as tuning data for the final check.
  {
    name: 'chemprot-like',
    split: 'round-1',
    description: '10 skewed classes (one takes ~30%), 26 one-label LFs firing on 2-10% of rows, precision 0.15-0.85 (mean ~0.5), false fires on 1-2 confusable classes, 3 pairs of keyword variants',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x6a81);
      const k = 10;
      const classBalance = skewedBalance(k, 1.1, rand);
      const labels = detectorLabels(26, classBalance, rand);
      const lfs: EmissionLf[] = labels.map((l) => {
        // Fire rate on the LF's own class chosen so that the LF votes on about 2-10% of all rows.
        const precision = uniform(rand, 0.15, 0.85);
        const coverage = uniform(rand, 0.02, 0.1);
        const fire = Math.min(0.9, (coverage * precision) / classBalance[l]);
        return detectorLf(k, classBalance, l, fire, precision, confusionWeights(k, l, rand, 8));
      });
      for (let t = 0; t < 3; t++) {
        const source = Math.floor(rand() * 20);
        const copy = 20 + t;
        lfs[copy] = { ...detectorLf(k, classBalance, labels[source], 0.05, 0.5, confusionWeights(k, labels[source], rand, 8)), copyOf: source, copyRate: uniform(rand, 0.5, 0.8), copyLabel: labels[source] };
      }
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'many-precise-rules',
    split: 'round-1',
    description: '9 classes, 120-170 one-label LFs each firing on 0.3-2% of rows with precision 0.6-1.0: many rules, each narrow and mostly right',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x7b92);
      const k = 9;
      const classBalance = skewedBalance(k, uniform(rand, 0.3, 0.8), rand);
      const labels = detectorLabels(integer(rand, 120, 170), classBalance, rand);
      const lfs = labels.map((l) => {
        const precision = uniform(rand, 0.6, 1);
        const fire = Math.min(0.9, (uniform(rand, 0.003, 0.02) * precision) / classBalance[l]);
        return detectorLf(k, classBalance, l, fire, Math.min(precision, 0.995), confusionWeights(k, l, rand, 3));
      });
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'voters-and-rules',
    split: 'round-1',
    description: '5 classes: 6-10 multi-label LFs with class-dependent accuracy 0.4-0.9 and a favourite wrong class, beside 12-20 one-label rules of precision 0.3-0.95',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x8ca3);
      const k = 5;
      const classBalance = skewedBalance(k, uniform(rand, 0.2, 1), rand);
      const lfs: EmissionLf[] = [];
      for (let t = integer(rand, 6, 10); t > 0; t--) {
        const coverage = Array.from({ length: k }, () => uniform(rand, 0.1, 0.4));
        const accuracy = Array.from({ length: k }, () => uniform(rand, 0.4, 0.9));
        lfs.push(voterLf(k, coverage, accuracy, Math.floor(rand() * k), uniform(rand, 0.3, 0.8)));
      }
      for (const l of detectorLabels(integer(rand, 12, 20), classBalance, rand)) {
        lfs.push(detectorLf(k, classBalance, l, uniform(rand, 0.05, 0.3), uniform(rand, 0.3, 0.95), confusionWeights(k, l, rand, 4)));
      }
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'rare-positive-class',
    split: 'round-1',
    description: '2 classes at 85/15: 10-20 precise rules (0.85-0.99) for the common class, 10-25 rules for the rare class of precision 0.2-0.7, firing on 1-10% of rows',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x9db4);
      const k = 2;
      const rare = rand() < 0.5 ? 0 : 1;
      const classBalance = rare === 0 ? [0.15, 0.85] : [0.85, 0.15];
      const lfs: EmissionLf[] = [];
      for (let t = integer(rand, 10, 20); t > 0; t--) {
        const precision = uniform(rand, 0.85, 0.99);
        lfs.push(detectorLf(k, classBalance, 1 - rare, Math.min(0.9, (uniform(rand, 0.01, 0.1) * precision) / classBalance[1 - rare]), precision, [1, 1]));
      }
      for (let t = integer(rand, 10, 25); t > 0; t--) {
        const precision = uniform(rand, 0.2, 0.7);
        lfs.push(detectorLf(k, classBalance, rare, Math.min(0.9, (uniform(rand, 0.01, 0.1) * precision) / classBalance[rare]), precision, [1, 1]));
      }
      shuffle(lfs, rand);
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'many-classes-weak-voters',
    split: 'round-1',
    description: '10-12 near-balanced classes, 15-30 multi-label LFs of one accuracy each in 0.3-0.7 (most below 0.5, all above chance), wrong votes spread evenly',
    spec(seed) {
      const rand = seededRandom(seed ^ 0xaec5);
      const k = integer(rand, 10, 12);
      const classBalance = skewedBalance(k, uniform(rand, 0, 0.4), rand);
      const lfs = Array.from({ length: integer(rand, 15, 30) }, () => {
        const coverage = uniform(rand, 0.05, 0.4);
        return voterLf(k, new Array<number>(k).fill(coverage), new Array<number>(k).fill(uniform(rand, 0.3, 0.7)), 0, 0);
      });
      return { k, classBalance, lfs };
    },
  },
  // Held out: written after the final agreement check was fixed; only reported on.
  {
    name: 'keyword-variants',
    split: 'held-out',
    description: '4-8 classes; one-label rules in groups of 2-4 near-copies (a variant repeats its group\'s first rule on 85-100% of rows, some exactly), precision 0.55-0.95, beside independent rules',
    spec(seed) {
      const rand = seededRandom(seed ^ 0xbfd6);
      const k = integer(rand, 4, 8);
      const classBalance = skewedBalance(k, uniform(rand, 0.3, 0.9), rand);
      const lfs: EmissionLf[] = [];
      for (let g = integer(rand, 3, 6); g > 0; g--) {
        const label = drawIndex(rand, classBalance);
        const lead = lfs.length;
        lfs.push(detectorLf(k, classBalance, label, uniform(rand, 0.1, 0.4), uniform(rand, 0.55, 0.95), confusionWeights(k, label, rand, 3)));
        for (let t = integer(rand, 1, 3); t > 0; t--) {
          const own = detectorLf(k, classBalance, label, uniform(rand, 0.02, 0.1), uniform(rand, 0.55, 0.95), confusionWeights(k, label, rand, 3));
          lfs.push({ ...own, copyOf: lead, copyRate: rand() < 0.3 ? 1 : uniform(rand, 0.85, 1), copyLabel: label });
        }
      }
      for (const l of detectorLabels(integer(rand, 5, 10), classBalance, rand)) {
        lfs.push(detectorLf(k, classBalance, l, uniform(rand, 0.05, 0.3), uniform(rand, 0.55, 0.95), confusionWeights(k, l, rand, 3)));
      }
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'gated-coverage',
    split: 'held-out',
    description: '4-6 classes; LFs in 3 groups that can fire only on rows of their group\'s kind (a row property unrelated to the class), so abstains are dependent; one-label rules of precision 0.4-0.95',
    spec(seed) {
      const rand = seededRandom(seed ^ 0xc0e7);
      const k = integer(rand, 4, 6);
      const classBalance = skewedBalance(k, uniform(rand, 0.2, 0.8), rand);
      const lfs: EmissionLf[] = [];
      // Each group can fire only where its gate fires: a column that votes on a quarter to 40% of all rows
      // whatever the class, always one label, so it is a poor rule itself (precision = that label's share),
      // as a broad keyword is.
      for (let g = 0; g < 3; g++) {
        const gateLabel = Math.floor(rand() * k);
        const gate = lfs.length;
        const emission = new Float64Array(k * (k + 1));
        const fire = uniform(rand, 0.25, 0.4);
        for (let y = 0; y < k; y++) {
          emission[y * (k + 1) + gateLabel] = fire;
          emission[y * (k + 1) + k] = 1 - fire;
        }
        lfs.push({ emission });
        for (const l of detectorLabels(integer(rand, 4, 8), classBalance, rand)) {
          const own = detectorLf(k, classBalance, l, uniform(rand, 0.2, 0.6), uniform(rand, 0.4, 0.95), confusionWeights(k, l, rand, 3));
          lfs.push({ ...own, gate });
        }
      }
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'broad-and-narrow',
    split: 'held-out',
    description: '3-6 classes; 1-2 broad one-label rules firing on 40-80% of rows (precision near their class share), and 10-25 narrow rules of precision 0.7-0.98',
    spec(seed) {
      const rand = seededRandom(seed ^ 0xd1f8);
      const k = integer(rand, 3, 6);
      const classBalance = skewedBalance(k, uniform(rand, 0.2, 0.8), rand);
      const lfs: EmissionLf[] = [];
      for (let b = integer(rand, 1, 2); b > 0; b--) {
        const label = Math.floor(rand() * k);
        const emission = new Float64Array(k * (k + 1));
        const base = uniform(rand, 0.4, 0.8);
        for (let y = 0; y < k; y++) {
          const p = Math.min(0.95, y === label ? base * 1.3 : base);
          emission[y * (k + 1) + label] = p;
          emission[y * (k + 1) + k] = 1 - p;
        }
        lfs.push({ emission });
      }
      for (const l of detectorLabels(integer(rand, 10, 25), classBalance, rand)) {
        lfs.push(detectorLf(k, classBalance, l, uniform(rand, 0.05, 0.3), uniform(rand, 0.7, 0.98), confusionWeights(k, l, rand, 2)));
      }
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'twelve-classes-mixed',
    split: 'held-out',
    description: '12 classes (skew 0.6): 8-14 multi-label LFs of accuracy 0.35-0.8 with a favourite wrong class, and 15-30 one-label rules of precision 0.3-0.9',
    spec(seed) {
      const rand = seededRandom(seed ^ 0xe209);
      const k = 12;
      const classBalance = skewedBalance(k, 0.6, rand);
      const lfs: EmissionLf[] = [];
      for (let t = integer(rand, 8, 14); t > 0; t--) {
        const base = uniform(rand, 0.35, 0.8);
        const accuracy = Array.from({ length: k }, () => clamp(base + uniform(rand, -0.15, 0.15), 0.1, 0.98));
        lfs.push(voterLf(k, new Array<number>(k).fill(uniform(rand, 0.1, 0.4)), accuracy, Math.floor(rand() * k), uniform(rand, 0.2, 0.7)));
      }
      for (const l of detectorLabels(integer(rand, 15, 30), classBalance, rand)) {
        lfs.push(detectorLf(k, classBalance, l, uniform(rand, 0.1, 0.5), uniform(rand, 0.3, 0.9), confusionWeights(k, l, rand, 3)));
      }
      return { k, classBalance, lfs };
    },
  },
  {
    name: 'binary-weak-rules',
    split: 'held-out',
    description: '2 classes near balance (0.35-0.65): 20-40 one-label rules of precision 0.45-0.8, each on 2-15% of rows',
    spec(seed) {
      const rand = seededRandom(seed ^ 0xf31a);
      const p0 = uniform(rand, 0.35, 0.65);
      const classBalance = [p0, 1 - p0];
      const lfs = detectorLabels(integer(rand, 20, 40), classBalance, rand).map((l) => {
        const precision = uniform(rand, 0.45, 0.8);
        return detectorLf(2, classBalance, l, Math.min(0.9, (uniform(rand, 0.02, 0.15) * precision) / classBalance[l]), precision, [1, 1]);
      });
      return { k: 2, classBalance, lfs };
    },
  },
  {
    name: 'ten-class-relations',
    split: 'held-out',
    description: '10 classes (skew 0.8), 20-30 one-label rules on 1-12% of rows each, precision 0.1-0.9 (about half below 0.5), false fires spread over 3 related classes',
    spec(seed) {
      const rand = seededRandom(seed ^ 0x042b);
      const k = 10;
      const classBalance = skewedBalance(k, 0.8, rand);
      const lfs = detectorLabels(integer(rand, 20, 30), classBalance, rand).map((l) => {
        const precision = uniform(rand, 0.1, 0.9);
        const fire = Math.min(0.9, (uniform(rand, 0.01, 0.12) * precision) / classBalance[l]);
        const weights = new Array<number>(k).fill(1);
        weights[l] = 0;
        for (let t = 0; t < 3; t++) weights[(l + 1 + Math.floor(rand() * (k - 1))) % k] = 3;
        return detectorLf(k, classBalance, l, fire, precision, weights);
      });
      return { k, classBalance, lfs };
    },
  },
];

/** Seeds of the 'tune' families the first version of the agreement check was designed on. */
export const TUNE_SEEDS = [1, 2, 3, 4, 5, 6];
/** Seeds of the 'round-1' families the check was revised on. */
export const ROUND_1_SEEDS = [101, 102, 103, 104, 105, 106];
/** Seeds reported as held out, for every family (none of them was looked at before the check was fixed). */
export const HELD_OUT_SEEDS = [201, 202, 203, 204, 205, 206];

export interface FamilyCase {
  family: string;
  seed: number;
  k: number;
  m: number;
  train: SyntheticVotes;
  test: SyntheticVotes;
}

/** Train and test rows drawn from one family's LF set for `seed` (different rows, the same LFs). */
export function drawFamilyCase(family: SyntheticFamily, seed: number, trainRows = 6000, testRows = 3000): FamilyCase {
  const spec = family.spec(seed);
  return {
    family: family.name,
    seed,
    k: spec.k,
    m: spec.lfs.length,
    train: drawEmissionVotes(spec, trainRows, seed * 2 + 1),
    test: drawEmissionVotes(spec, testRows, seed * 2 + 2),
  };
}

export function familyByName(name: string): SyntheticFamily {
  const f = SYNTHETIC_FAMILIES.find((x) => x.name === name);
  if (!f) throw new Error(`no synthetic family '${name}'`);
  return f;
}
