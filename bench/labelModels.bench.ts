// Label-model benchmark: per WRENCH dataset and model, fit time, test accuracy (covered rows, all rows under
// the stated policy, strict), macro-F1 and the per-LF estimated-accuracy error, beside the Snorkel 0.10
// figures recorded in test/fixtures/DATA.md (Snorkel cannot be installed here) and majority vote measured
// in this run; the estimation error on the held-out splits; the default against majority vote and every
// candidate on synthetic LF sets unlike the three (syntheticFamilies.ts), split into the families and seeds
// the default was designed on and those held out from it; then the default model's fit time and memory on a
// synthetic 1M x 100 matrix.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWrenchTask, readWrenchVotes } from '../lf-runtime/src/labelModel/wrenchVotes.ts';
import { fitDefault } from '../lf-runtime/src/labelModel/defaultModel.ts';
import { NAMED_MODELS } from '../lf-runtime/src/labelModel/namedModels.ts';
import type { Fitter } from '../lf-runtime/src/labelModel/namedModels.ts';
import type { FittedLabelModel } from '../lf-runtime/src/labelModel/types.ts';
import { drawSyntheticVotes, randomSpec } from '../lf-runtime/src/labelModel/syntheticVotes.ts';
import { accuracyEstimationError, evaluateOnSplit, trueAccuracyWhenVoting } from '../lf-runtime/src/labelModel/evaluation.ts';
import {
  HELD_OUT_SEEDS,
  ROUND_1_SEEDS,
  ROUND_2_HELD_OUT_SEEDS,
  ROUND_3_HELD_OUT_SEEDS,
  ROUND_4_HELD_OUT_SEEDS,
  ROUND_5_HELD_OUT_SEEDS,
  ROUND_6_HELD_OUT_SEEDS,
  SYNTHETIC_FAMILIES,
  TUNE_SEEDS,
  drawFamilyCase,
} from '../lf-runtime/src/labelModel/syntheticFamilies.ts';
import type { SyntheticFamily } from '../lf-runtime/src/labelModel/syntheticFamilies.ts';
import { CANDIDATE_ORDER, bestCandidateError, evaluateFamilyCase, majorityOf } from '../lf-runtime/src/labelModel/familyEvaluation.ts';
import type { CaseFigures } from '../lf-runtime/src/labelModel/familyEvaluation.ts';

const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures');

interface SnorkelReference {
  mvCovered: number;
  lmCovered: number;
  lmStrict: number;
  estError: number;
  /** Fastest recorded Snorkel fit, seconds (the table gives ranges such as "3.3-4.7 s"). */
  fitSeconds: number;
}

/** Reads the reference table of DATA.md, so the figures printed are the recorded ones, not retyped. */
function readReferences(): Map<string, SnorkelReference> {
  const text = readFileSync(join(fixtures, 'DATA.md'), 'utf8');
  const out = new Map<string, SnorkelReference>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 9 || !['youtube', 'sms', 'trec'].includes(cells[1])) continue;
    const num = (c: string) => Number.parseFloat(c);
    if (Number.isNaN(num(cells[2]))) continue;
    out.set(cells[1], {
      mvCovered: num(cells[2]),
      lmCovered: num(cells[4]),
      lmStrict: num(cells[5]),
      estError: num(cells[7]),
      fitSeconds: num(cells[8]),
    });
  }
  return out;
}

const FITTERS: [string, Fitter][] = [['default', (L, k) => fitDefault(L, k).model], ...Object.entries(NAMED_MODELS)];

const WARM_FITS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const f3 = (x: number | null) => (x === null ? '  -  ' : x.toFixed(3));
const pad = (s: string, w: number) => s.padEnd(w);

function benchDataset(name: string, ref: SnorkelReference | undefined): void {
  const dir = join(fixtures, 'wrench', name);
  const train = readWrenchVotes(join(dir, 'train.json'));
  const test = readWrenchVotes(join(dir, 'test.json'));
  const { k } = readWrenchTask(dir, [train, test]);
  const truth = trueAccuracyWhenVoting(train.L, train.gold);
  const mvCoveredInRun = evaluateOnSplit(NAMED_MODELS.majority(train.L, k), test.L, test.gold, 'prior').accuracyCovered;
  const def = fitDefault(train.L, k);
  console.log(
    `\n## ${name}: ${train.L.n} train / ${test.L.n} test rows, ${train.L.m} LFs, k=${k}; ${def.fittedPatterns} distinct vote patterns ` +
      `(fits run on these, weighted); default chose ${def.chosen} (${def.chosenBy})`,
  );
  console.log('policy "all rows": uncovered rows and ties -> most likely class under the estimated class balance; strict: both count as wrong');
  if (ref) {
    console.log(
      `reference (DATA.md, Snorkel 0.10): LabelModel covered ${f3(ref.lmCovered)}, strict ${f3(ref.lmStrict)}, ` +
        `est.-acc. error ${f3(ref.estError)}, fit ${ref.fitSeconds} s; MV covered ${f3(ref.mvCovered)}. In-run MV covered ${f3(mvCoveredInRun)}`,
    );
  }
  console.log(
    `${pad('model', 20)} ${pad('fit ms (cold/med/min)', 24)} ${pad('vs Snorkel', 11)} covered  vs best-ref  all(prior)  strict  macroF1  est.err  all LFs  vs Snorkel`,
  );
  console.log('est.err: LFs with >= 10 votes on train; all LFs: every LF that votes, as in DATA.md, and the ratio to Snorkel is on that one');
  const bestRef = Math.max(ref?.lmCovered ?? 0, mvCoveredInRun);
  for (const [modelName, fit] of FITTERS) {
    const cold = fit(train.L, k);
    const warm: number[] = [];
    let model = cold;
    // Up to 15 warm fits (the editor refits on every edit, so warm is the case that matters; the first few
    // are still compiling) within a 3 s budget per model, at least 3.
    const budgetEnd = performance.now() + 3000;
    for (let r = 0; r < WARM_FITS && (r < 3 || performance.now() < budgetEnd); r++) {
      model = fit(train.L, k);
      warm.push(model.fitMs);
    }
    const warmMs = median(warm);
    const bestMs = Math.min(...warm);
    const prior = evaluateOnSplit(model, test.L, test.gold, 'prior');
    const strict = evaluateOnSplit(model, test.L, test.gold, 'abstain');
    const err = accuracyEstimationError(model.accuracyWhenVoting, truth);
    const errAll = accuracyEstimationError(model.accuracyWhenVoting, truth, 1);
    // Ratio on the median warm fit; the machine's other work makes single runs noisy (see min).
    const timeRatio = ref ? warmMs / (ref.fitSeconds * 1000) : null;
    console.log(
      `${pad(modelName, 20)} ${pad(`${cold.fitMs.toFixed(1)} / ${warmMs.toFixed(1)} / ${bestMs.toFixed(1)}`, 24)} ${pad(timeRatio === null ? '-' : `1/${(1 / timeRatio).toFixed(0)}`, 11)} ` +
        `${f3(prior.accuracyCovered)}    ${pad((prior.accuracyCovered / bestRef).toFixed(3), 10)}  ${f3(prior.accuracy)}       ${f3(strict.accuracy)}   ` +
        `${f3(prior.macroF1)}    ${f3(err)}    ${f3(errAll)}    ${ref && errAll !== null ? (errAll / ref.estError).toFixed(3) : '-'}`,
    );
  }
}

function loadNote(): string {
  try {
    const [one] = readFileSync('/proc/loadavg', 'utf8').split(' ');
    return `load average ${one} on this machine while measuring`;
  } catch {
    return 'load average unknown (no /proc/loadavg)';
  }
}

/**
 * The default was designed looking at the train splits' true accuracies; valid and test were not used. Each is
 * fitted here on its own votes (no labels) and its LFs' estimates compared with their true accuracy on it.
 */
function benchHeldOut(): void {
  console.log('\n## held out: fitted on the valid and test splits\' own votes, est.-acc. error against their gold (LFs with >= 10 votes)');
  console.log('then the default\'s choice (agreementCheck.ts) and covered accuracy on the same rows, against the agreement model\'s and majority vote\'s');
  const widths = FITTERS.map(([n]) => Math.max(n.length, 5));
  console.log(
    `${pad('dataset/split', 16)} ${pad('rows', 6)} ${FITTERS.map(([n], i) => pad(n, widths[i])).join(' ')}  exceptions  chose      accuracies from  covered default/agreement/MV`,
  );
  for (const name of ['youtube', 'sms', 'trec']) {
    const dir = join(fixtures, 'wrench', name);
    for (const split of ['valid', 'test']) {
      const d = readWrenchVotes(join(dir, `${split}.json`));
      const { k } = readWrenchTask(dir, [d]);
      const truth = trueAccuracyWhenVoting(d.L, d.gold);
      const errs = FITTERS.map(([, fit]) => f3(accuracyEstimationError(fit(d.L, k).accuracyWhenVoting, truth)));
      const def = fitDefault(d.L, k);
      const covered = (m: FittedLabelModel) => f3(evaluateOnSplit(m, d.L, d.gold, 'prior').accuracyCovered);
      const coveredText = `${covered(def.model)}/${covered(NAMED_MODELS.agreement(d.L, k))}/${covered(NAMED_MODELS.majority(d.L, k))}`;
      console.log(
        `${pad(`${name}/${split}`, 16)} ${pad(String(d.L.n), 6)} ${errs.map((e, i) => pad(e, widths[i])).join(' ')}  ` +
          `${pad(String(def.overrides.length), 11)} ${pad(def.chosen, 10)} ${pad(def.accuraciesFrom, 16)} ${coveredText}`,
      );
    }
  }
}

/** A covered-accuracy shortfall against majority vote beyond this many rows per 100 counts as clearly worse. */
const CLEARLY_WORSE = 0.02;

const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/**
 * The default against majority vote and each candidate, per synthetic family and seed set. How the default was
 * kept from what is measured here is printed first (and documented in syntheticFamilies.ts and
 * agreementCheck.ts). LABEL_MODEL_FAMILIES=name,... and LABEL_MODEL_SEED_SETS=tune,round-1,round-2,held-out,held-out-2,held-out-3,held-out-4,held-out-5,held-out-6
 * run fewer families and seed sets.
 */
function benchFamilies(): void {
  console.log('\n## synthetic LF sets unlike youtube/sms/trec: the default against majority vote and every candidate');
  console.log(
    'how the default was kept from these figures. Round 1 (the agreement check): its first version was designed on the "tune" ' +
      'families, seeds 1-6; the "round-1" families were written after it, and on seeds 101-106 it was revised once (one-label LFs ' +
      'below 0.5; the judge fitted without exact copies; matrix completion dropped as a judge); the "held-out" families were written ' +
      'after that revision, and nothing was run on seeds 201-206 before it. Round 2 (near-copies counted once in the estimates and the ' +
      'judges; Dawid-Skene with abstains as a judge, and as the estimates, where its model fits the co-votes): designed on the tune ' +
      'and round-1 families at those seeds, on the "round-2" family (near-copies, written before it was first fitted) at seeds 1-6, ' +
      'and on the WRENCH train splits; no held-out family was run while it was designed, and no family had been drawn on seeds ' +
      '301-306 before it was fixed. Seeds 201-206 had been reported before round 2 (their rare-positive-class losses were known), ' +
      'so the last block is the clean held-out one for round 2. Round 3 (where the Dawid-Skene judge fits the pairs it can test but ' +
      'not every LF, it rates the LFs tested against two others or more): designed on every family at seeds 1-6 and 101-106 and on ' +
      'the WRENCH train splits, looking only at those; seeds 201-206 and 301-306 were run once after it was fixed, and seeds ' +
      '401-406 (LABEL_MODEL_SEED_SETS=held-out-3), never drawn before, once after that. Round 4 (where majority vote labels, ' +
      'each LF\'s accuracy is the mean of majority vote\'s and prior-anchored\'s instead of their median with matrix completion): ' +
      'designed on every family at seeds 1-6 and 101-106 and on the WRENCH train splits, looking only at those; then seeds ' +
      '201-206, 301-306 and 401-406 were run once, and seeds 501-506 (held-out-4), never drawn before, once. Round 5 (in the ' +
      'judge\'s and the fallback\'s estimates, LFs that cast half of their votes or more as another does, and it theirs, count ' +
      'once): designed on every family at seeds 1-6 and 101-106 and on the WRENCH train splits, looking only at those; then ' +
      'seeds 201-206 to 501-506 were run once, and seeds 601-606 (held-out-5), never drawn before, once with the round-4 and ' +
      'once with the round-5 rule. ' +
      'Round 6 (a pair counts once there only if it shares more than 1.5 times, and 10 standard deviations more than, the ' +
      'votes two LFs independent given the class would under majority vote\'s posterior): designed on every family at seeds ' +
      '1-6 and 101-106 and on the WRENCH train splits, looking only at those; then seeds 201-206 to 601-606 were run once, ' +
      'and seeds 701-706 (held-out-6), never drawn before, once with the round-5 and once with the round-6 rule.',
  );
  console.log(
    `cells: covered test accuracy / est.-acc. error on train, means over seeds. MV = majority vote; "fell back" = runs where the default ` +
      `chose majority vote; worst cov = lowest default - MV covered accuracy of any seed; worse = seeds where the default is more than ` +
      `${CLEARLY_WORSE} below MV; worst err = highest default - best single candidate error of any seed (the best candidate is picked per ` +
      `seed with the gold labels); worse err = seeds where that difference is more than ${CLEARLY_WORSE}`,
  );
  const only = process.env.LABEL_MODEL_FAMILIES?.split(',');
  const pick = (fs: SyntheticFamily[]) => fs.filter((f) => !only || only.includes(f.name));
  const sets: { key: string; title: string; families: SyntheticFamily[]; seeds: number[] }[] = [
    { key: 'tune', title: 'tune families, tune seeds 1-6', families: pick(SYNTHETIC_FAMILIES.filter((f) => f.split === 'tune')), seeds: TUNE_SEEDS },
    {
      key: 'round-1',
      title: 'round-1 families, seeds 101-106 (the check was revised on these)',
      families: pick(SYNTHETIC_FAMILIES.filter((f) => f.split === 'round-1')),
      seeds: ROUND_1_SEEDS,
    },
    { key: 'round-2', title: 'round-2 family, seeds 1-6 (designed on in round 2)', families: pick(SYNTHETIC_FAMILIES.filter((f) => f.split === 'round-2')), seeds: TUNE_SEEDS },
    {
      key: 'held-out',
      title: 'HELD OUT (round 1): every family on seeds 201-206 (* written after the round-1 check; reported before round 2)',
      families: pick(SYNTHETIC_FAMILIES),
      seeds: HELD_OUT_SEEDS,
    },
    {
      key: 'held-out-2',
      title: 'HELD OUT (round 2): every family on seeds 301-306, first drawn after the round-2 default was fixed',
      families: pick(SYNTHETIC_FAMILIES),
      seeds: ROUND_2_HELD_OUT_SEEDS,
    },
    {
      key: 'held-out-3',
      title: 'HELD OUT (round 3): every family on seeds 401-406, first drawn after the round-3 default was fixed',
      families: pick(SYNTHETIC_FAMILIES),
      seeds: ROUND_3_HELD_OUT_SEEDS,
    },
    {
      key: 'held-out-4',
      title: 'HELD OUT (round 4): every family on seeds 501-506, first drawn after the round-4 default was fixed',
      families: pick(SYNTHETIC_FAMILIES),
      seeds: ROUND_4_HELD_OUT_SEEDS,
    },
    {
      key: 'held-out-5',
      title: 'HELD OUT (round 5): every family on seeds 601-606, first drawn after the round-5 default was fixed',
      families: pick(SYNTHETIC_FAMILIES),
      seeds: ROUND_5_HELD_OUT_SEEDS,
    },
    {
      key: 'held-out-6',
      title: 'HELD OUT (round 6): every family on seeds 701-706, first drawn after the round-6 default was fixed',
      families: pick(SYNTHETIC_FAMILIES),
      seeds: ROUND_6_HELD_OUT_SEEDS,
    },
  ];
  const wanted = process.env.LABEL_MODEL_SEED_SETS?.split(',');
  const names = ['default', ...CANDIDATE_ORDER];
  const short: Record<string, string> = {
    default: 'default',
    majority: 'MV',
    agreement: 'agreement',
    'prior-anchored': 'prior-anch',
    'dawid-skene-step': 'ds-step',
    'flying-squid': 'fsquid',
    'matrix-completion': 'matrix-c',
    'dawid-skene': 'ds-full',
    'abstain-judge': 'ds-learned',
  };
  const started = performance.now();
  for (const set of sets) {
    if ((wanted && !wanted.includes(set.key)) || set.families.length === 0) continue;
    console.log(`\n### ${set.title}`);
    console.log(`${pad('family', 26)} ${names.map((n) => pad(short[n], 12)).join('')}fell back  worst cov  worse  worst err  worse err`);
    const all: CaseFigures[] = [];
    for (const family of set.families) {
      const cases = set.seeds.map((seed) => evaluateFamilyCase(drawFamilyCase(family, seed)));
      all.push(...cases);
      printFamilyRow(`${family.name}${family.split === 'held-out' ? ' *' : ''}`, cases, names);
    }
    printFamilyRow('all of the above', all, names);
    const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    const summary = (xs: number[]) => `${mean(xs).toFixed(3)} (sd ${sd(xs).toFixed(3)})`;
    console.log(
      `${all.length} runs: covered accuracy default ${summary(all.map((c) => c.default.covered))}, MV ${summary(all.map((c) => majorityOf(c).covered))}; ` +
        `est. error default ${summary(all.map((c) => c.default.estimationError ?? 0))}, best single candidate per run ${summary(all.map((c) => bestCandidateError(c) ?? 0))}`,
    );
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s for the family tables)`);
}

function printFamilyRow(label: string, cases: CaseFigures[], names: string[]): void {
  const cell = (name: string) => {
    const figs = cases.map((c) => (name === 'default' ? c.default : c.models.find((m) => m.name === name)!));
    const errs = figs.map((f) => f.estimationError).filter((e): e is number => e !== null);
    return pad(`${mean(figs.map((f) => f.covered)).toFixed(3)}/${errs.length ? mean(errs).toFixed(3) : '-'}`, 12);
  };
  const fellBack = cases.filter((c) => c.fit.chosen === 'majority').length;
  const gaps = cases.map((c) => c.default.covered - majorityOf(c).covered);
  const errGaps = cases.map((c) => (c.default.estimationError ?? 0) - (bestCandidateError(c) ?? 0));
  console.log(
    `${pad(label, 26)} ${names.map(cell).join('')}${pad(`${fellBack}/${cases.length}`, 11)}${pad(Math.min(...gaps).toFixed(3), 11)}` +
      `${pad(String(gaps.filter((g) => g < -CLEARLY_WORSE).length), 7)}${pad(Math.max(...errGaps).toFixed(3), 11)}${errGaps.filter((g) => g > CLEARLY_WORSE).length}`,
  );
}

function benchSynthetic(): void {
  const n = 1_000_000;
  const m = 100;
  const spec = randomSpec(n, m, 2, 1);
  const { L } = drawSyntheticVotes(spec);
  let votes = 0;
  for (const v of L.data) if (v !== -1) votes++;
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const fit = fitDefault(L, 2);
  const ms = performance.now() - started;
  const rssAfter = process.memoryUsage().rss;
  const heapAfter = process.memoryUsage().heapUsed;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  // Reference in the same run: the same fit on one thread.
  const oneStarted = performance.now();
  const one = fitDefault(L, 2, { parallel: false });
  const oneMs = performance.now() - oneStarted;
  const same = one.model.accuracyWhenVoting.every((a, j) => a === fit.model.accuracyWhenVoting[j]);
  let mae = 0;
  fit.model.accuracyWhenVoting.forEach((a, j) => (mae += Math.abs((a ?? 0) - spec.accuracy[j])));
  const t2 = performance.now();
  fit.model.predictProba(L);
  const predictMs = performance.now() - t2;
  console.log(`\n## synthetic ${n} x ${m}, k=2, ${votes} votes (coverage 0.05-0.5, accuracy 0.6-0.95 per LF)`);
  console.log(
    `default fit ${ms.toFixed(0)} ms (target <= 5000 ms: ${ms <= 5000 ? 'met' : 'NOT met'}), parameters estimated from ` +
      `${fit.fittedRows === n ? 'all' : 'only'} ${fit.fittedRows} of ${n} rows ` +
      `(${fit.fittedPatterns} index rows${fit.fittedPatterns === fit.fittedRows ? ': compression did not pay' : ''}` +
      `${fit.warmStartRows > 0 ? `; EM started from its fit on an evenly strided sample of ${fit.warmStartRows} rows` : ''}), ` +
      `chose ${fit.chosen}; predictProba on all rows ${predictMs.toFixed(0)} ms`,
  );
  console.log(
    `threads: ${fit.threads} (${fit.threads === 2 ? 'prior-anchored and FlyingSquid on a worker thread' : 'no worker bundle: one thread'}); ` +
      `the same fit on one thread ${oneMs.toFixed(0)} ms (${(oneMs / ms).toFixed(2)}x the time), ${same ? 'identical' : 'DIFFERENT'} LF accuracies`,
  );
  console.log(
    `memory: RSS ${(rssBefore / 1e6).toFixed(0)} -> ${(rssAfter / 1e6).toFixed(0)} MB (+${((rssAfter - rssBefore) / 1e6).toFixed(0)} MB), ` +
      `heap delta ${((heapAfter - heapBefore) / 1e6).toFixed(0)} MB (the 100 MB vote matrix itself is outside both deltas); ` +
      `peak RSS of the process ${(peakRss / 1e6).toFixed(0)} MB (matrix, index and its shared copy for the worker included)`,
  );
  console.log(loadNote());
  console.log(`recovered accuracy MAE ${mae / m}; class balance ${fit.model.classBalance.map((x) => x.toFixed(3)).join('/')} vs true ${spec.classBalance.map((x) => x.toFixed(3)).join('/')}`);
}

// LABEL_MODEL_BENCH=wrench,heldout,families,large runs only those sections (default: all of them).
const sections = new Set((process.env.LABEL_MODEL_BENCH ?? 'wrench,heldout,families,large').split(','));
const refs = readReferences();
console.log(`fit times: cold = first fit in this process, med/min = median/min of up to ${WARM_FITS} further fits (3 s budget); ${loadNote()}`);
if (sections.has('wrench')) for (const name of ['youtube', 'sms', 'trec']) benchDataset(name, refs.get(name));
if (sections.has('heldout')) benchHeldOut();
if (sections.has('families')) benchFamilies();
if (sections.has('large')) benchSynthetic();
