/**
 * `lf-studio fit <wrench-dir> [--model NAME|all] [--json]`: fits label models on train.json's weak_labels
 * (its gold labels are never shown to a model), evaluates on test.json, and compares each LF's estimated
 * accuracy with its true accuracy when voting on train. The default model is always reported.
 */
import { existsSync, statSync } from 'node:fs';
import { DataError } from '../data/types.ts';
import { readWrenchLabelNames, wrenchSplitPath } from '../data/readWrench.ts';
import { readWrenchSplit } from '../data/readDataset.ts';
import { fitDefault } from '../labelModel/defaultModel.ts';
import type { DefaultFit } from '../labelModel/defaultModel.ts';
import type { Override } from '../labelModel/overrides.ts';
import { NAMED_MODELS } from '../labelModel/namedModels.ts';
import { accuracyEstimationError, evaluateOnSplit, trueAccuracyWhenVoting } from '../labelModel/evaluation.ts';
import type { TestFigures, TrueLfAccuracy } from '../labelModel/evaluation.ts';
import { LABEL_MODEL_NAMES, LabelModelInputError } from '../labelModel/types.ts';
import type { FittedLabelModel, LabelModelName, VoteMatrix } from '../labelModel/types.ts';

export interface FitIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = `usage: lf-studio fit <wrench-dir> [--model NAME|all] [--json]
  <wrench-dir>  a WRENCH dataset folder: train.json (with the LFs' weak_labels), test.json, label.json
  --model NAME  ${[...Object.keys(NAMED_MODELS), 'default'].join(', ')},
                or all (the default model is always reported)
  --json        print one JSON object instead of text`;
const POLICY_TEXT = 'rows without votes and ties get the most likely class under the estimated class balance';


interface ModelReport {
  name: string;
  default: boolean;
  fitMs: number;
  test: TestFigures;
  lfs: { estimatedAccuracy: number | null; trueAccuracy: number | null }[];
  estimationError: number | null;
}

interface ParsedArgs {
  dir: string;
  model: string | null;
  json: boolean;
}

function parseArgs(argv: string[]): ParsedArgs | string {
  const args = argv[0] === 'fit' ? argv.slice(1) : argv;
  let dir: string | null = null;
  let model: string | null = null;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--model') {
      model = args[++i] ?? null;
      if (!model) return `--model needs a value: one of ${[...Object.keys(NAMED_MODELS), 'default', 'all'].join(', ')}`;
    } else if (a.startsWith('--model=')) model = a.slice('--model='.length);
    else if (a.startsWith('-')) return `unknown option '${a}'`;
    else if (dir === null) dir = a;
    else return `unexpected argument '${a}': give one WRENCH folder`;
  }
  if (!dir) return 'missing <wrench-dir>: the folder holding train.json, test.json and label.json';
  if (model !== null && model !== 'all' && model !== 'default' && !(model in NAMED_MODELS)) {
    return `unknown model '${model}': use one of ${[...Object.keys(NAMED_MODELS), 'default', 'all'].join(', ')}`;
  }
  return { dir, model, json };
}

/**
 * A split's votes and gold labels. Test rows all need one (they are what is scored); train rows may lack them
 * (WRENCH's relation datasets, spouse among them, label no train row): -1 there, and the true(train) column
 * counts the rows that have one.
 */
async function readSplit(dir: string, split: 'train' | 'test', classNames: string[]): Promise<{ L: VoteMatrix; gold: number[]; unlabeled: number }> {
  const file = wrenchSplitPath(dir, split);
  // Gold labels may be label.json's class names as well as ids.
  const ds = await readWrenchSplit(file, { classNames, labelsSetting: 'label.json' });
  if (!ds.weakLabels) throw new DataError(file, null, 'no "weak_labels" in the rows; `fit` needs the benchmark LF votes');
  const gold = ds.gold ?? ds.rows.map(() => null);
  const unlabeled = gold.filter((g) => g === null).length;
  if (split === 'test' && unlabeled > 0) {
    throw new DataError(file, null, `${unlabeled} of its ${gold.length} rows have no "label"; the test split is scored, so every row needs a gold label`);
  }
  return { L: { n: ds.rows.length, m: ds.weakLabels.m, data: ds.weakLabels.data }, gold: gold.map((g) => g ?? -1), unlabeled };
}

function report(model: FittedLabelModel, isDefault: boolean, test: { L: VoteMatrix; gold: number[] }, truth: TrueLfAccuracy): ModelReport {
  return {
    name: model.name,
    default: isDefault,
    fitMs: model.fitMs,
    test: evaluateOnSplit(model, test.L, test.gold, 'prior'),
    lfs: model.accuracyWhenVoting.map((e, j) => ({ estimatedAccuracy: e, trueAccuracy: truth.accuracy[j] })),
    estimationError: accuracyEstimationError(model.accuracyWhenVoting, truth),
  };
}

function fittedText(def: DefaultFit): string {
  const how =
    def.fittedPatterns < def.fittedRows
      ? `as ${def.fittedPatterns} distinct vote patterns, each weighted by its row count`
      : 'row by row (too many distinct vote patterns to merge)';
  const start = def.warmStartRows > 0 ? `; EM started from its fit on an evenly strided sample of ${def.warmStartRows} rows` : '';
  return `fitted on all ${def.fittedRows} rows ${how}${start}${def.threads === 2 ? '; on two threads' : ''}`;
}

/** The exceptions the default honoured (see labelModel/overrides.ts), by LF column. */
function overridesText(overrides: Override[]): string {
  if (overrides.length === 0) return '';
  const votes = overrides.reduce((s, o) => s + o.rows, 0);
  const pairs = overrides.map((o) => `${o.narrow} in ${o.broad} (${o.rows})`).join(', ');
  return (
    `\n${overrides.length} exceptions: a narrow LF votes only inside a broader LF's rows and differently, so the broad vote ` +
    `is set aside where they disagree (${votes} votes in all; narrow in broad (rows)): ${pairs}`
  );
}

const fmt = (x: number | null, digits = 3): string => (x === null ? '-' : x.toFixed(digits));

function printText(reports: ModelReport[], io: FitIo, header: string, truth: TrueLfAccuracy): void {
  io.stdout(`${header}\naccuracy on all rows: ${POLICY_TEXT}\n`);
  for (const r of reports) {
    io.stdout(`\n${r.name}${r.default ? '  [default]' : ''}\n`);
    io.stdout(`  fit ${r.fitMs.toFixed(1)} ms\n`);
    io.stdout(
      `  test: coverage ${fmt(r.test.coverage)}  accuracy (covered rows) ${fmt(r.test.accuracyCovered)}  ` +
        `accuracy (all rows) ${fmt(r.test.accuracy)}  macro-F1 ${fmt(r.test.macroF1)}\n`,
    );
    io.stdout('  LF   votes  estimated  true(train)\n');
    r.lfs.forEach((lf, j) => {
      io.stdout(`  ${String(j).padStart(3)}  ${String(truth.votes[j]).padStart(5)}  ${fmt(lf.estimatedAccuracy).padStart(9)}  ${fmt(lf.trueAccuracy).padStart(11)}\n`);
    });
    io.stdout(`  mean |estimated - true| over LFs with >= 10 votes: ${fmt(r.estimationError)}\n`);
  }
}

export async function runFitCommand(argv: string[], io: FitIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.stderr(`lf-studio fit: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  const { dir, model, json } = parsed;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    io.stderr(`lf-studio fit: '${dir}' is not a folder; give the WRENCH dataset folder (with train.json and test.json)\n`);
    return 2;
  }
  try {
    const classNames = await readWrenchLabelNames(dir);
    const k = classNames.length;
    const train = await readSplit(dir, 'train', classNames);
    const test = await readSplit(dir, 'test', classNames);
    if (test.L.m !== train.L.m) {
      throw new LabelModelInputError(`train.json has ${train.L.m} LFs but test.json has ${test.L.m}; both splits need the same LF columns`);
    }
    const truth = trueAccuracyWhenVoting(train.L, train.gold);
    const def = fitDefault(train.L, k);
    const reports: ModelReport[] = [report(def.model, true, test, truth)];
    const names: LabelModelName[] =
      model === 'all' ? [...LABEL_MODEL_NAMES] : model && model !== 'default' ? [model as LabelModelName] : [];
    for (const name of names) reports.push(report(NAMED_MODELS[name](train.L, k), false, test, truth));
    if (json) {
      io.stdout(`${JSON.stringify({ models: reports })}\n`);
    } else {
      const header =
        `${dir}: ${train.L.n} train rows, ${test.L.n} test rows, ${train.L.m} LFs, ${k} classes (${classNames.join(', ')})\n` +
        `default: ${def.model.name}, chosen by ${def.chosenBy}; ${def.uncoveredRows} train rows have no vote\n` +
        (train.unlabeled > 0 ? `${train.unlabeled} train rows have no gold label: true(train) counts the ${train.L.n - train.unlabeled} that do\n` : '') +
        fittedText(def) +
        overridesText(def.overrides);
      printText(reports, io, header, truth);
    }
    return 0;
  } catch (err) {
    if (err instanceof DataError || err instanceof LabelModelInputError) {
      io.stderr(`lf-studio fit: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
