// Label-model benchmark: per WRENCH dataset and model, fit time, test accuracy (covered rows, all rows under
// the stated policy, strict), macro-F1 and the per-LF estimated-accuracy error, beside the Snorkel 0.10
// figures recorded in test/fixtures/DATA.md (Snorkel cannot be installed here) and majority vote measured
// in this run; the estimation error on the held-out splits; then the default model's fit time and memory on
// a synthetic 1M x 100 matrix.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWrenchTask, readWrenchVotes } from '../lf-runtime/src/labelModel/wrenchVotes.ts';
import { fitDefault } from '../lf-runtime/src/labelModel/defaultModel.ts';
import { NAMED_MODELS } from '../lf-runtime/src/labelModel/namedModels.ts';
import type { Fitter } from '../lf-runtime/src/labelModel/namedModels.ts';
import { drawSyntheticVotes, randomSpec } from '../lf-runtime/src/labelModel/syntheticVotes.ts';
import { accuracyEstimationError, evaluateOnSplit, trueAccuracyWhenVoting } from '../lf-runtime/src/labelModel/evaluation.ts';

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
  const widths = FITTERS.map(([n]) => Math.max(n.length, 5));
  console.log(`${pad('dataset/split', 16)} ${pad('rows', 6)} ${FITTERS.map(([n], i) => pad(n, widths[i])).join(' ')}  exceptions`);
  for (const name of ['youtube', 'sms', 'trec']) {
    const dir = join(fixtures, 'wrench', name);
    for (const split of ['valid', 'test']) {
      const d = readWrenchVotes(join(dir, `${split}.json`));
      const { k } = readWrenchTask(dir, [d]);
      const truth = trueAccuracyWhenVoting(d.L, d.gold);
      const errs = FITTERS.map(([, fit]) => f3(accuracyEstimationError(fit(d.L, k).accuracyWhenVoting, truth)));
      console.log(`${pad(`${name}/${split}`, 16)} ${pad(String(d.L.n), 6)} ${errs.map((e, i) => pad(e, widths[i])).join(' ')}  ${fitDefault(d.L, k).overrides.length}`);
    }
  }
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

const refs = readReferences();
console.log(`fit times: cold = first fit in this process, med/min = median/min of up to ${WARM_FITS} further fits (3 s budget); ${loadNote()}`);
for (const name of ['youtube', 'sms', 'trec']) benchDataset(name, refs.get(name));
benchHeldOut();
benchSynthetic();
