/**
 * `lf-studio label`: training labels for a data file from the project's LFs and fitted label model. The LF
 * files run in the sandbox over the training rows (and dev rows) through the same engine as the editor, the
 * default label model is fitted on the training votes exactly as the editor fits it (the dev set chooses and
 * calibrates it), and it labels the training rows, or the rows of `--apply FILE` after the same LF files ran
 * over them. One output row per input row, in input order (see export/labelWriter.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readDataset } from '../data/readDataset.ts';
import { DataError, type Dataset } from '../data/types.ts';
import { LabelModelInputError } from '../labelModel/types.ts';
import { labelFormatOf, writeLabels, type LabelFormat } from '../export/labelWriter.ts';
import { writeNpyMatrix } from '../export/npy.ts';
import type { UncoveredPolicy } from '../export/modelParams.ts';
import { applyProject, count, ProjectRunError, runAndFit, runWarnings, undefinedLfErrors, type FittedProject, type LfRunFigures } from '../export/projectFit.ts';
import type { Project } from '../project/projectFile.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import type { VoteMatrix } from '../stats/voteMatrix.ts';
import { sanitizeLine } from '../text/controlChars.ts';
import { checkDataOptions, cliReadOptions, DATA_OPTIONS, dataFormatsHelp, type ParsedDataOptions, readCliData, warnAboutInputs } from './cliData.ts';
import { CliError, safeIo, type CliIo } from './cliIo.ts';
import { loadCliProject } from './cliProject.ts';
import { checkRuntimeOptions, createCliExecutor, RUNTIME_HELP, RUNTIME_OPTIONS, type RuntimeArgs } from './cliRuntime.ts';

const HELP = `usage: lf-studio label (--project lfstudio.json | --lfs FILE.py [--lfs FILE.py ...] --data TRAIN [--dev DEV])
                     [--apply FILE] --out FILE.jsonl|FILE.csv [--votes-out L.npy] [--uncovered abstain|predict] [--json]

  Writes training labels: one row per input row, in input order, with the row id, "probs" (P(class | votes)
  per class, in class order), "label" (the most likely class, a tie going to the class the class balance
  favours; -1 where no LF votes, unless --uncovered predict) and "votes" (one per LF, -1 = abstain).

  --project FILE       lfstudio.json (or its folder): LF files, data, dev set, labels and fields from there
  --lfs FILE.py        labeling-function file; repeat for several (default with --project: its "lfFiles")
  --data TRAIN         rows the label model is fitted on: ${dataFormatsHelp(23)}
  --dev DEV            labeled dev set: chooses and calibrates the label model, as in the editor
  --apply FILE         label these rows instead of TRAIN (the LFs run over them too)
  --out FILE           .jsonl (one JSON object per row) or .csv (id, prob_<class>..., label, vote_<lf>...);
                       replaced if it exists; its folder must exist
  --votes-out L.npy    also write the label matrix (rows x LFs, int8, -1 = abstain) as a NumPy .npy file
  --uncovered POLICY   rows no LF votes on: abstain (label -1, the default) or predict (the label model's
                       answer for a row without votes: the class its class balance favours)
  --json               print a JSON summary (rows, coverage, class balance, model) instead of text
  --text-field NAME    field that holds the text; LFs read it as x.NAME (default: the project's, else text)
  --label-field NAME   gold label field, hidden from LFs (default: the project's, else label)
  --id-field NAME      field whose values are the row ids (unique; default: the project's, else WRENCH keys,
                       1-based CSV record or JSONL line numbers)
  --labels A,B,...     class names in class-id order (default: the project's, label.json beside the data,
                       else ids from the gold labels)
  --timeout-ms N       wall-clock budget per LF and file (default: 30000; raise it for large files)
${RUNTIME_HELP}`;

export interface LabelArgs extends ParsedDataOptions {
  apply: string | null;
  out: string;
  format: LabelFormat;
  votesOut: string | null;
  uncovered: UncoveredPolicy;
  runtime: RuntimeArgs;
}

/** Seams for tests: the sandbox. */
export interface LabelDeps {
  createExecutor?: () => LfExecutor;
}

export async function runLabelCommand(argv: string[], rawIo: CliIo, _env: NodeJS.ProcessEnv = {}, deps: LabelDeps = {}): Promise<number> {
  const io = safeIo(rawIo);
  const progress = (line: string) => io.stderr(`lf-studio label: ${line}\n`);
  let executor: LfExecutor | null = null;
  try {
    const args = await parse(argv);
    if (args === 'help') {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    const started = performance.now();
    executor = deps.createExecutor
      ? deps.createExecutor()
      : createCliExecutor(args.runtime, Math.min(2, args.lfs.length), { files: args.lfs.length, data: [args.data, args.dev, args.apply] });
    progress('reading data');
    const data = await readCliData(args);
    warnAboutInputs(io, 'label', args, data);
    const applyData: Dataset | null = args.apply ? await readDataset(args.apply, cliReadOptions(args, data)) : null;
    const labels = data.labels ?? ['0', '1'];
    const project = await runAndFit({
      executor,
      lfFiles: args.lfs,
      sources: args.lfs.map((f) => readSource(f)),
      labels,
      sample: data.sample,
      dev: data.dev,
      timeoutMs: args.timeoutMs,
      readRoot: args.runtime.workspace,
      hiddenFiles: args.hiddenFiles,
      progress,
    });
    const target = applyData ?? data.sample;
    const applied = applyData ? await applyProject(executor, project, applyData, args.timeoutMs, progress) : null;
    const L = applied ? applied.L : project.trainL;
    const lfFigures = applied ? applied.figures : project.lfs.map((lf) => lf.train);
    const model = project.fit.model;
    progress(`labelling ${count(L.n)} rows`);
    const probs = model.predictProba(L);
    const predicted = model.predict(L, 'prior');
    const covered = coveredRows(L);
    if (args.uncovered === 'abstain') for (let i = 0; i < L.n; i++) if (!covered[i]) predicted[i] = -1;
    const ids = target.rows.map((r) => r.id);
    progress(`writing ${args.out}`);
    writeLabels(args.out, args.format, { ids, classes: labels, lfNames: project.lfs.map((lf) => lf.name), probs, labels: predicted, votes: L }, (done, total) => {
      if (total >= 200_000 && done < total) progress(`  ${Math.round((100 * done) / total)}% (${count(done)} of ${count(total)} rows)`);
    });
    if (args.votesOut) writeNpyMatrix(args.votesOut, L.n, L.m, L.data);
    for (const line of runWarnings(project, applied ? applied.figures : null, target.path, args.uncovered)) io.stderr(`lf-studio label: warning: ${line}\n`);
    const summary = labelSummary(args, project, target, L, covered, predicted, lfFigures, performance.now() - started);
    io.stdout(args.json ? `${JSON.stringify(summary)}\n` : `${summaryText(summary)}\n`);
    // As analyze: the labels are written, but an LF that failed on every row means the run did not work.
    const dead = project.lfs.filter((lf, j) => L.n > 0 && (lfFigures[j].errors >= L.n || lfFigures[j].timedOut));
    for (const lf of dead) io.stderr(`lf-studio label: ${sanitizeLine(lf.name)} failed on every row of ${target.path}, so its votes are all abstain (exit code 1)\n`);
    const undefinedLfs = undefinedLfErrors(project);
    for (const line of undefinedLfs) io.stderr(`lf-studio label: ${sanitizeLine(line)}\n`);
    return dead.length > 0 || undefinedLfs.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof DataError || err instanceof ProjectRunError || err instanceof LabelModelInputError) {
      for (const line of err.message.split('\n')) io.stderr(`lf-studio label: ${sanitizeLine(line)}\n`);
      return err instanceof CliError || err instanceof ProjectRunError ? err.code : 1;
    }
    throw err;
  } finally {
    await executor?.dispose();
  }
}

function readSource(file: string): string {
  // checkDataOptions checked that the files exist; a read failure now is worth its own message.
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`${file}: cannot read (${(err as Error).message})`, 1);
  }
}

function coveredRows(L: VoteMatrix): Uint8Array {
  const out = new Uint8Array(L.n);
  for (let i = 0; i < L.n; i++) {
    for (let j = 0; j < L.m; j++) {
      if (L.data[i * L.m + j] >= 0) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}

export interface LabelSummary {
  rows: number;
  labelled: string;
  out: string;
  votesOut: string | null;
  uncovered: UncoveredPolicy;
  coverage: number;
  uncoveredRows: number;
  classes: string[];
  classBalance: number[];
  labelCounts: Record<string, number>;
  abstained: number;
  model: {
    name: string;
    chosenBy: string;
    usedDevSet: boolean;
    trainRows: number;
    devRows: number | null;
    overrides: { narrow: string; broad: string; rows: number }[];
  };
  lfs: { name: string; file: string; coverage: number; errors: number; noneCount: number }[];
  durationMs: number;
}

function labelSummary(
  args: LabelArgs,
  project: FittedProject,
  target: Dataset,
  L: VoteMatrix,
  covered: Uint8Array,
  predicted: Int32Array,
  figures: LfRunFigures[],
  durationMs: number,
): LabelSummary {
  const k = project.labels.length;
  const counts = new Array<number>(k).fill(0);
  let abstained = 0;
  for (const y of predicted) {
    if (y < 0) abstained++;
    else counts[y]++;
  }
  let coveredCount = 0;
  for (const c of covered) coveredCount += c;
  const votesPer = new Array<number>(L.m).fill(0);
  for (let t = 0; t < L.data.length; t++) if (L.data[t] >= 0) votesPer[t % L.m]++;
  const { fit } = project;
  return {
    rows: L.n,
    labelled: target.path,
    out: args.out,
    votesOut: args.votesOut,
    uncovered: args.uncovered,
    coverage: L.n > 0 ? coveredCount / L.n : 0,
    uncoveredRows: L.n - coveredCount,
    classes: [...project.labels],
    classBalance: [...fit.model.classBalance],
    labelCounts: Object.fromEntries(project.labels.map((c, i) => [c, counts[i]])),
    abstained,
    model: {
      name: fit.model.name,
      chosenBy: fit.chosenBy,
      usedDevSet: fit.usedDevSet,
      trainRows: project.trainL.n,
      devRows: project.dev ? project.dev.L.n : null,
      overrides: fit.overrides.map((o) => ({ narrow: project.lfs[o.narrow].name, broad: project.lfs[o.broad].name, rows: o.rows })),
    },
    lfs: project.lfs.map((lf, j) => ({
      name: lf.name,
      file: lf.file,
      coverage: L.n > 0 ? votesPer[j] / L.n : 0,
      errors: figures[j].errors,
      noneCount: figures[j].noneCount,
    })),
    durationMs: Math.round(durationMs),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function summaryText(s: LabelSummary): string {
  const lines = [
    `wrote ${count(s.rows)} rows to ${s.out}${s.votesOut ? ` and the votes (${count(s.rows)} x ${s.lfs.length}, int8) to ${s.votesOut}` : ''}`,
    `labelled: ${s.labelled}`,
    `coverage: ${pct(s.coverage)} (${count(s.uncoveredRows)} rows without votes: ${s.uncovered === 'abstain' ? 'label -1' : 'labelled by the class balance'})`,
    `label model: ${s.model.name}, fitted on ${count(s.model.trainRows)} rows; ${s.model.chosenBy}`,
    `class balance: ${s.classes.map((c, i) => `${c} ${s.classBalance[i].toFixed(3)}`).join(', ')}`,
    `labels: ${s.classes.map((c) => `${c} ${count(s.labelCounts[c])}`).join(', ')}${s.abstained ? `, -1 ${count(s.abstained)}` : ''}`,
  ];
  for (const o of s.model.overrides) lines.push(`exception: ${o.narrow} inside ${o.broad}; ${o.broad}'s vote set aside on ${count(o.rows)} training rows`);
  return lines.join('\n');
}

async function parse(argv: string[]): Promise<LabelArgs | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...DATA_OPTIONS,
        ...RUNTIME_OPTIONS,
        project: { type: 'string' },
        apply: { type: 'string' },
        out: { type: 'string' },
        'votes-out': { type: 'string' },
        uncovered: { type: 'string', default: 'abstain' },
      },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see lf-studio label --help)`);
  }
  if (values.help) return 'help';
  // Output problems first: they cost nothing to find, and the sandbox run may take minutes.
  if (!values.out) throw new CliError('--out FILE.jsonl or --out FILE.csv is required (see lf-studio label --help)');
  const out = resolve(values.out);
  const format = labelFormatOf(out);
  if (!format) throw new CliError(`--out ${values.out}: unknown output extension; use .jsonl (or .ndjson) or .csv`);
  checkOutputPath('--out', values.out, out);
  const votesOut = values['votes-out'] !== undefined ? resolve(values['votes-out']) : null;
  if (votesOut !== null) {
    if (!votesOut.toLowerCase().endsWith('.npy')) throw new CliError(`--votes-out ${values['votes-out']}: the votes are written as NumPy .npy; use a path ending in .npy`);
    checkOutputPath('--votes-out', values['votes-out']!, votesOut);
    if (votesOut === out) throw new CliError('--votes-out and --out name the same file');
  }
  const uncovered = values.uncovered ?? 'abstain';
  if (uncovered !== 'abstain' && uncovered !== 'predict') {
    throw new CliError(`--uncovered must be abstain or predict, got '${uncovered}'`);
  }
  if (values.apply !== undefined && !existsSync(values.apply)) throw new CliError(`--apply ${values.apply}: file not found`);
  const project: Project | null = values.project !== undefined ? await loadCliProject(values.project) : null;
  const data = checkDataOptions(values, 'label', project);
  const apply = values.apply !== undefined ? resolve(values.apply) : null;
  for (const [flag, input] of [['--data', data.data], ['--dev', data.dev], ['--apply', apply], ...data.lfs.map((f) => ['--lfs', f] as const)] as const) {
    if (input && (input === out || input === votesOut)) throw new CliError(`${flag} ${input} is also an output file; writing there would overwrite the input`);
  }
  return { ...data, apply, out, format, votesOut, uncovered, runtime: checkRuntimeOptions(values, data.workspace) };
}

function checkOutputPath(flag: string, given: string, path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${flag} ${given}: folder ${dir} does not exist; create it first`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new CliError(`${flag} ${given} is a folder; give a file name`);
}
