/**
 * Families of synthetic LF sets with properties youtube, sms and trec lack, to judge label models on LF sets
 * unlike the three they were tuned on: many classes, many LFs below 0.5 accuracy, LFs whose accuracy depends
 * on the true class and whose wrong votes favour one class, sparse coverage, correlated LFs and near-copies.
 * Every LF is a table P(vote = l | Y = y) over the k labels and abstain; an LF may also copy an earlier LF
 * (fire where it fires) or be gated by one. A family (a row of FAMILY_TABLE) turns a seed into such a set.
 *
 * How the default was kept from tuning to what the benchmark reports. Round 1 (the agreement check): designed
 * on the 'tune' families at TUNE_SEEDS; the 'round-1' families were written after it, and on ROUND_1_SEEDS it
 * was revised once; the 'held-out' families were written after that, and nothing was drawn on HELD_OUT_SEEDS
 * before it. Round 2 (near-copies counted once, the abstain judge, its estimates): designed on the 'tune' and
 * 'round-1' families at those seeds, on the 'round-2' family (written before it was first fitted) at
 * TUNE_SEEDS, and on the WRENCH train splits; no 'held-out' family was run while it was designed, and nothing
 * was drawn on ROUND_2_HELD_OUT_SEEDS before it was fixed. HELD_OUT_SEEDS had been reported on before round 2
 * (its rare-positive-class losses were known), so ROUND_2_HELD_OUT_SEEDS are the clean held-out runs. Rounds 3
 * and 4 (LF-accuracy rules) were designed on every family at TUNE_SEEDS and ROUND_1_SEEDS and the WRENCH train
 * splits; then the held-out seeds were run once, and ROUND_3_ / ROUND_4_HELD_OUT_SEEDS first drawn. Families
 * draw LFs independently given the class (copies and gates aside); real LF sets rarely do (abstainJudge.ts).
 */
import { seededRandom } from './fittedModel.ts';
import { ROUND_1_SEEDS, TUNE_SEEDS } from './familySeeds.ts';
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

type Range = readonly [number, number];
type Split = 'tune' | 'round-1' | 'round-2' | 'held-out';

export interface SyntheticFamily {
  name: string;
  /**
   * How the default used the family (see the module comment): 'tune' and 'round-1' families were designed
   * on at their own seeds in both rounds, the 'round-2' family in round 2; 'held-out' families only reported.
   */
  split: Split;
  /** What the family has that youtube, sms and trec lack. */
  description: string;
  /** The LF set drawn for `seed`. */
  spec(seed: number): EmissionSpec;
}

/** Draws for one LF set, all from its seeded generator, in the order a family's builder calls them. */
function draws(rand: () => number, k: number, classBalance: number[]) {
  const u = (r: Range) => uniform(rand, r[0], r[1]);
  return {
    rand,
    k,
    classBalance,
    u,
    int: (r: Range) => integer(rand, r[0], r[1]),
    /** A class drawn uniformly. */
    pick: () => Math.floor(rand() * k),
    /** Labels for m one-label LFs (detectorLabels). */
    labels: (m: number) => detectorLabels(m, classBalance, rand),
    /** Confusion weights with 1-2 favoured classes (confusionWeights). */
    near: (label: number, favoured: number) => confusionWeights(k, label, rand, favoured),
    /** A one-label rule: fire rate on its class, then precision, then its confusion weights. */
    rule: (label: number, fire: Range, precision: Range, favoured: number) =>
      detectorLf(k, classBalance, label, u(fire), u(precision), confusionWeights(k, label, rand, favoured)),
    /** A one-label rule: precision, then the share of all rows it votes on (fire rate capped at 0.9), then confusion. */
    ruleByCoverage: (label: number, precision: Range, coverage: Range, confusion: (label: number) => number[]) => {
      const p = u(precision);
      const fire = Math.min(0.9, (u(coverage) * p) / classBalance[label]);
      return detectorLf(k, classBalance, label, fire, Math.min(p, 0.995), confusion(label));
    },
    /** A multi-label LF with one coverage and one accuracy (drawn in that order), wrong votes spread evenly. */
    evenVoter: (coverage: Range, accuracy: Range) => {
      const c = u(coverage);
      return voterLf(k, filled(k, c), filled(k, u(accuracy)), 0, 0);
    },
  };
}

type Draws = ReturnType<typeof draws>;

const filled = (k: number, x: number) => new Array<number>(k).fill(x);

/** A one-label LF whose fire rate depends on the class only as fireOf says (broad keywords, gates). */
function broadLf(k: number, label: number, fireOf: (y: number) => number): EmissionLf {
  const emission = new Float64Array(k * (k + 1));
  for (let y = 0; y < k; y++) {
    emission[y * (k + 1) + label] = fireOf(y);
    emission[y * (k + 1) + k] = 1 - fireOf(y);
  }
  return { emission };
}

interface FamilyRow {
  name: string;
  split: Split;
  /** Mixed into the seed, so that families drawn on the same seed are unrelated. */
  salt: number;
  /** Number of classes: fixed, or an integer drawn from the range. */
  k: number | Range;
  /** Zipf skew of the class balance (skewedBalance), fixed or drawn from the range; or the balance itself. */
  balance: number | Range | ((rand: () => number) => number[]);
  description: string;
  lfs(d: Draws): EmissionLf[];
}

/** Every family: the class count and balance are drawn first, then the LFs, all from seed ^ salt. */
const FAMILY_TABLE: FamilyRow[] = [
  {
    name: 'many-classes-detectors', split: 'tune', salt: 0x1f3a, k: [6, 12], balance: [0.5, 1.2],
    description: '6-12 skewed classes, 2-4 one-label LFs per class, precision 0.2-0.9 (many below 0.5), false fires favouring 1-2 neighbouring classes',
    lfs: (d) => d.labels(Math.round(d.k * d.u([2, 4]))).map((l) => d.rule(l, [0.1, 0.5], [0.2, 0.9], 6)),
  },
  {
    name: 'class-biased-voters', split: 'tune', salt: 0x2b4c, k: [4, 8], balance: [0.3, 1],
    description: '4-8 classes, multi-label LFs whose accuracy depends on the true class (base 0.25-0.75, +-0.25 per class) and whose wrong votes go mostly to a favourite class, often a shared catch-all',
    lfs: (d) => {
      const catchAll = d.pick();
      return Array.from({ length: d.int([10, 25]) }, () => {
        const base = d.u([0.25, 0.75]);
        const coverage = d.u([0.05, 0.3]);
        const accuracy = Array.from({ length: d.k }, () => clamp(base + d.u([-0.25, 0.25]), 0.05, 0.98));
        const favourite = d.rand() < 0.6 ? catchAll : d.pick();
        return voterLf(d.k, filled(d.k, coverage), accuracy, favourite, d.u([0.4, 0.9]));
      });
    },
  },
  {
    name: 'correlated-groups', split: 'tune', salt: 0x3c5d, k: [3, 6], balance: [0.2, 0.8],
    description: '3-6 classes; 2-4 groups of 3-5 one-label LFs that copy a weak lead LF (precision 0.3-0.6) on 60-95% of rows, beside 6-12 independent LFs of precision 0.5-0.95',
    lfs: (d) => {
      const lfs: EmissionLf[] = [];
      for (let g = d.int([2, 4]); g > 0; g--) {
        const label = d.pick();
        const lead = lfs.length;
        lfs.push(d.rule(label, [0.2, 0.5], [0.3, 0.6], 4));
        for (let t = d.int([3, 5]) - 1; t > 0; t--) lfs.push({ ...d.rule(label, [0.1, 0.3], [0.3, 0.7], 4), copyOf: lead, copyRate: d.u([0.6, 0.95]) });
      }
      for (const l of d.labels(d.int([6, 12]))) lfs.push(d.rule(l, [0.1, 0.4], [0.5, 0.95], 2));
      return lfs;
    },
  },
  {
    name: 'sparse-coverage', split: 'tune', salt: 0x4d6e, k: [2, 6], balance: [0.2, 1],
    description: '2-6 classes, 30-60 one-label LFs each firing on 1-8% of its class, precision 0.35-0.95: about half the covered rows or more have one vote',
    lfs: (d) => d.labels(d.int([30, 60])).map((l) => d.rule(l, [0.01, 0.08], [0.35, 0.95], 3)),
  },
  {
    name: 'one-coin', split: 'tune', salt: 0x5e7f, k: [2, 5], balance: [0, 0.8],
    description: 'control: 2-5 classes, multi-label LFs with one accuracy each (0.6-0.95) and wrong votes spread evenly, coverage 0.05-0.5: the agreement model\'s own assumptions',
    lfs: (d) => Array.from({ length: d.int([8, 20]) }, () => d.evenVoter([0.05, 0.5], [0.6, 0.95])),
  },
  {
    name: 'chemprot-like', split: 'round-1', salt: 0x6a81, k: 10, balance: 1.1,
    description: '10 skewed classes (one takes ~30%), 26 one-label LFs firing on 2-10% of rows, precision 0.15-0.85 (mean ~0.5), false fires on 1-2 confusable classes, 3 pairs of keyword variants',
    lfs: (d) => {
      const labels = d.labels(26);
      const lfs = labels.map((l) => d.ruleByCoverage(l, [0.15, 0.85], [0.02, 0.1], (x) => d.near(x, 8)));
      for (let t = 0; t < 3; t++) {
        const source = Math.floor(d.rand() * 20);
        const variant = detectorLf(d.k, d.classBalance, labels[source], 0.05, 0.5, d.near(labels[source], 8));
        lfs[20 + t] = { ...variant, copyOf: source, copyRate: d.u([0.5, 0.8]), copyLabel: labels[source] };
      }
      return lfs;
    },
  },
  {
    name: 'many-precise-rules', split: 'round-1', salt: 0x7b92, k: 9, balance: [0.3, 0.8],
    description: '9 classes, 120-170 one-label LFs each firing on 0.3-2% of rows with precision 0.6-1.0: many rules, each narrow and mostly right',
    lfs: (d) => d.labels(d.int([120, 170])).map((l) => d.ruleByCoverage(l, [0.6, 1], [0.003, 0.02], (x) => d.near(x, 3))),
  },
  {
    name: 'voters-and-rules', split: 'round-1', salt: 0x8ca3, k: 5, balance: [0.2, 1],
    description: '5 classes: 6-10 multi-label LFs with class-dependent accuracy 0.4-0.9 and a favourite wrong class, beside 12-20 one-label rules of precision 0.3-0.95',
    lfs: (d) => {
      const lfs: EmissionLf[] = [];
      for (let t = d.int([6, 10]); t > 0; t--) {
        const coverage = Array.from({ length: d.k }, () => d.u([0.1, 0.4]));
        const accuracy = Array.from({ length: d.k }, () => d.u([0.4, 0.9]));
        lfs.push(voterLf(d.k, coverage, accuracy, d.pick(), d.u([0.3, 0.8])));
      }
      for (const l of d.labels(d.int([12, 20]))) lfs.push(d.rule(l, [0.05, 0.3], [0.3, 0.95], 4));
      return lfs;
    },
  },
  {
    name: 'rare-positive-class', split: 'round-1', salt: 0x9db4, k: 2, balance: (rand) => (rand() < 0.5 ? [0.15, 0.85] : [0.85, 0.15]),
    description: '2 classes at 85/15: 10-20 precise rules (0.85-0.99) for the common class, 10-25 rules for the rare class of precision 0.2-0.7, firing on 1-10% of rows',
    lfs: (d) => {
      const rare = d.classBalance[0] < 0.5 ? 0 : 1;
      const even = () => filled(2, 1);
      const lfs: EmissionLf[] = [];
      for (let t = d.int([10, 20]); t > 0; t--) lfs.push(d.ruleByCoverage(1 - rare, [0.85, 0.99], [0.01, 0.1], even));
      for (let t = d.int([10, 25]); t > 0; t--) lfs.push(d.ruleByCoverage(rare, [0.2, 0.7], [0.01, 0.1], even));
      shuffle(lfs, d.rand);
      return lfs;
    },
  },
  {
    name: 'many-classes-weak-voters', split: 'round-1', salt: 0xaec5, k: [10, 12], balance: [0, 0.4],
    description: '10-12 near-balanced classes, 15-30 multi-label LFs of one accuracy each in 0.3-0.7 (most below 0.5, all above chance), wrong votes spread evenly',
    lfs: (d) => Array.from({ length: d.int([15, 30]) }, () => d.evenVoter([0.05, 0.4], [0.3, 0.7])),
  },
  {
    name: 'near-copies', split: 'round-2', salt: 0x1e29, k: [3, 6], balance: [0.2, 0.8],
    description: '3-6 classes; 1-3 clusters of a mediocre multi-label LF (accuracy 0.45-0.7, coverage 0.2-0.5, a favourite wrong class) and 2-4 near-copies repeating its vote on 90-99% of rows, beside 3-6 voters of accuracy 0.6-0.85 and 3-6 rules of precision 0.6-0.95',
    lfs: (d) => {
      const lfs: EmissionLf[] = [];
      for (let g = d.int([1, 3]); g > 0; g--) {
        const source = lfs.length;
        const coverage = d.u([0.2, 0.5]);
        const lf = voterLf(d.k, filled(d.k, coverage), filled(d.k, d.u([0.45, 0.7])), d.pick(), d.u([0.3, 0.8]));
        lfs.push(lf);
        for (let t = d.int([2, 4]); t > 0; t--) lfs.push({ ...lf, copyOf: source, copyRate: d.u([0.9, 0.99]) });
      }
      for (let t = d.int([3, 6]); t > 0; t--) {
        const coverage = d.u([0.1, 0.4]);
        lfs.push(voterLf(d.k, filled(d.k, coverage), filled(d.k, d.u([0.6, 0.85])), d.pick(), d.u([0, 0.5])));
      }
      for (const l of d.labels(d.int([3, 6]))) lfs.push(d.rule(l, [0.1, 0.4], [0.6, 0.95], 3));
      return lfs;
    },
  },
  {
    name: 'keyword-variants', split: 'held-out', salt: 0xbfd6, k: [4, 8], balance: [0.3, 0.9],
    description: '4-8 classes; one-label rules in groups of 2-4 near-copies (a variant repeats its group\'s first rule on 85-100% of rows, some exactly), precision 0.55-0.95, beside independent rules',
    lfs: (d) => {
      const lfs: EmissionLf[] = [];
      for (let g = d.int([3, 6]); g > 0; g--) {
        const label = drawIndex(d.rand, d.classBalance);
        const lead = lfs.length;
        lfs.push(d.rule(label, [0.1, 0.4], [0.55, 0.95], 3));
        for (let t = d.int([1, 3]); t > 0; t--) {
          lfs.push({ ...d.rule(label, [0.02, 0.1], [0.55, 0.95], 3), copyOf: lead, copyRate: d.rand() < 0.3 ? 1 : d.u([0.85, 1]), copyLabel: label });
        }
      }
      for (const l of d.labels(d.int([5, 10]))) lfs.push(d.rule(l, [0.05, 0.3], [0.55, 0.95], 3));
      return lfs;
    },
  },
  {
    name: 'gated-coverage', split: 'held-out', salt: 0xc0e7, k: [4, 6], balance: [0.2, 0.8],
    description: '4-6 classes; LFs in 3 groups that can fire only on rows of their group\'s kind (a row property unrelated to the class), so abstains are dependent; one-label rules of precision 0.4-0.95',
    lfs: (d) => {
      const lfs: EmissionLf[] = [];
      // Each group can fire only where its gate fires: a column that votes on a quarter to 40% of all rows
      // whatever the class, always one label, so it is a poor rule itself (precision = that label's share),
      // as a broad keyword is.
      for (let g = 0; g < 3; g++) {
        const gateLabel = d.pick();
        const gate = lfs.length;
        const fire = d.u([0.25, 0.4]);
        lfs.push(broadLf(d.k, gateLabel, () => fire));
        for (const l of d.labels(d.int([4, 8]))) lfs.push({ ...d.rule(l, [0.2, 0.6], [0.4, 0.95], 3), gate });
      }
      return lfs;
    },
  },
  {
    name: 'broad-and-narrow', split: 'held-out', salt: 0xd1f8, k: [3, 6], balance: [0.2, 0.8],
    description: '3-6 classes; 1-2 broad one-label rules firing on 40-80% of rows (precision near their class share), and 10-25 narrow rules of precision 0.7-0.98',
    lfs: (d) => {
      const lfs: EmissionLf[] = [];
      for (let b = d.int([1, 2]); b > 0; b--) {
        const label = d.pick();
        const base = d.u([0.4, 0.8]);
        lfs.push(broadLf(d.k, label, (y) => Math.min(0.95, y === label ? base * 1.3 : base)));
      }
      for (const l of d.labels(d.int([10, 25]))) lfs.push(d.rule(l, [0.05, 0.3], [0.7, 0.98], 2));
      return lfs;
    },
  },
  {
    name: 'twelve-classes-mixed', split: 'held-out', salt: 0xe209, k: 12, balance: 0.6,
    description: '12 classes (skew 0.6): 8-14 multi-label LFs of accuracy 0.35-0.8 with a favourite wrong class, and 15-30 one-label rules of precision 0.3-0.9',
    lfs: (d) => {
      const lfs: EmissionLf[] = [];
      for (let t = d.int([8, 14]); t > 0; t--) {
        const base = d.u([0.35, 0.8]);
        const accuracy = Array.from({ length: d.k }, () => clamp(base + d.u([-0.15, 0.15]), 0.1, 0.98));
        lfs.push(voterLf(d.k, filled(d.k, d.u([0.1, 0.4])), accuracy, d.pick(), d.u([0.2, 0.7])));
      }
      for (const l of d.labels(d.int([15, 30]))) lfs.push(d.rule(l, [0.1, 0.5], [0.3, 0.9], 3));
      return lfs;
    },
  },
  {
    name: 'binary-weak-rules', split: 'held-out', salt: 0xf31a, k: 2,
    balance: (rand) => {
      const p0 = uniform(rand, 0.35, 0.65);
      return [p0, 1 - p0];
    },
    description: '2 classes near balance (0.35-0.65): 20-40 one-label rules of precision 0.45-0.8, each on 2-15% of rows',
    lfs: (d) => d.labels(d.int([20, 40])).map((l) => d.ruleByCoverage(l, [0.45, 0.8], [0.02, 0.15], () => filled(2, 1))),
  },
  {
    name: 'ten-class-relations', split: 'held-out', salt: 0x042b, k: 10, balance: 0.8,
    description: '10 classes (skew 0.8), 20-30 one-label rules on 1-12% of rows each, precision 0.1-0.9 (about half below 0.5), false fires spread over 3 related classes',
    lfs: (d) => {
      const related = (l: number) => {
        const weights = filled(d.k, 1);
        weights[l] = 0;
        for (let t = 0; t < 3; t++) weights[(l + 1 + Math.floor(d.rand() * (d.k - 1))) % d.k] = 3;
        return weights;
      };
      return d.labels(d.int([20, 30])).map((l) => d.ruleByCoverage(l, [0.1, 0.9], [0.01, 0.12], related));
    },
  },
];

export const SYNTHETIC_FAMILIES: SyntheticFamily[] = FAMILY_TABLE.map((row) => ({
  name: row.name,
  split: row.split,
  description: row.description,
  spec(seed: number): EmissionSpec {
    const rand = seededRandom(seed ^ row.salt);
    const k = typeof row.k === 'number' ? row.k : integer(rand, row.k[0], row.k[1]);
    const { balance } = row;
    const classBalance =
      typeof balance === 'function' ? balance(rand) : skewedBalance(k, typeof balance === 'number' ? balance : uniform(rand, balance[0], balance[1]), rand);
    return { k, classBalance, lfs: row.lfs(draws(rand, k, classBalance)) };
  },
}));

export * from './familySeeds.ts';

/** The seeds a family was designed on (its tuning runs). */
export function tuningSeeds(family: SyntheticFamily): number[] {
  return family.split === 'round-1' ? ROUND_1_SEEDS : family.split === 'held-out' ? [] : TUNE_SEEDS;
}

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
