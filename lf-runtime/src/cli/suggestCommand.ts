/**
 * `lf-studio suggest`: labeling functions suggested from labeled rows, without an LLM (suggest/suggest.ts).
 * The labeled rows are the dev set (and, with --project, rows labeled in the editor); the unlabeled rows are
 * the training data or the project's sample. Prints the Python, or writes it to --out (never over an existing
 * file without --force), in a form `lf-studio analyze` and `lf-studio label` take as it is.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LABEL_FIELD, DEFAULT_TEXT_FIELD } from '../data/datasetBuilder.ts';
import { readDataset } from '../data/readDataset.ts';
import { DataError, type Dataset } from '../data/types.ts';
import type { Project } from '../project/projectFile.ts';
import { collectLabeledRows } from '../suggest/labeledRows.ts';
import { DEFAULT_GOLD_LABELS_FILE, emptyGoldLabels, readGoldLabels, type GoldLabels } from '../examples/goldLabels.ts';
import { DEFAULT_MAX_LFS, suggestLfs } from '../suggest/suggest.ts';
import { SuggestInputError, type SuggestResult } from '../suggest/types.ts';
import { sanitizeLine } from '../text/controlChars.ts';
import { goldIdNames, warnGoldIdGap, labelJsonNames, type ClassNamesSource } from './classNames.ts';
import { checkClassCount, cliReadOptions, dataFormatsHelp, labelsFlag } from './cliData.ts';
import { CliError, rowCount, safeIo, type CliIo } from './cliIo.ts';
import { loadCliProject } from './cliProject.ts';

const HELP = `usage: lf-studio suggest (--project lfstudio.json | --data TRAIN --dev LABELED) [--max-lfs N] [--seed S]
                       [--out FILE.py [--force]] [--json]

  Suggests labeling functions learned from labeled rows: keywords and phrases, word prefixes, two words in
  order, characters of scripts written without spaces (Chinese, Japanese, Thai), and tests of the text's
  length and counts or of numeric fields. A candidate is kept only if the
  lower bound of its precision on the labeled rows (Wilson interval) beats its class's share and it votes on
  enough unlabeled rows; the set is chosen step by step by what each LF adds to the label model fitted on
  the set's votes over the unlabeled rows (coverage of rows no LF covers, accuracy on the labeled rows).
  The result is an ordinary Snorkel LF file: review it, edit it, keep what you want.

  --project FILE       lfstudio.json (or its folder): the sample is the unlabeled data; the labeled rows are
                       the dev set plus the rows labeled in the editor ("data.labels", default ${DEFAULT_GOLD_LABELS_FILE})
  --data TRAIN         unlabeled rows the LFs are measured and the label model fitted on (gold labels in
                       this file are not used): ${dataFormatsHelp(23)}
  --dev LABELED        rows with gold labels: what the LFs are learned from (rows without a label are skipped)
  --max-lfs N          suggest at most N LFs (default ${DEFAULT_MAX_LFS})
  --seed S             seed (default 0): the same data and seed give the same LFs
  --out FILE.py        write the LFs to this file instead of printing them; an existing file is kept
                       unless --force is given
  --force              overwrite --out if it exists
  --json               print {"lfs": [{"name", "code", "precision", "coverage", "label", ...}], "seconds", ...}
                       instead of the Python (with --out, the file is still written)
  --text-field NAME    field that holds the text (default: the project's, else text)
  --label-field NAME   gold label field of the labeled rows (default: the project's, else label)
  --id-field NAME      field whose values are the row ids (unique; never a field test; default: the project's,
                       else WRENCH keys, 1-based CSV record or JSONL line numbers)
  --labels A,B,...     class names in class-id order (default: the project's, label.json beside the data,
                       else ids from the gold labels)

Exit code: 0 when LFs were suggested; 1 for unreadable or unusable data (no labeled rows, one class only,
no LF passing the tests); 2 for bad options.`;

interface SuggestArgs {
  data: string;
  dev: string | null;
  textField: string;
  labelField: string;
  idField: string | null;
  idFieldFromFlag: boolean;
  labels: string[] | null;
  maxLfs: number;
  seed: number;
  out: string | null;
  force: boolean;
  json: boolean;
}

export async function runSuggestCommand(argv: string[], rawIo: CliIo, _env: NodeJS.ProcessEnv = {}): Promise<number> {
  const io = safeIo(rawIo);
  const progress = (line: string) => io.stderr(`lf-studio suggest: ${line}\n`);
  try {
    const args = parse(argv);
    if (args === 'help') {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    const project = args.projectPath !== null ? await loadCliProject(args.projectPath) : null;
    const resolved = resolveData(args, project);
    progress('reading data');
    // Class names known before reading let gold labels be written as names (see readCliData).
    const labelsSource: ClassNamesSource | null = args.labels ? '--labels' : project ? 'project' : null;
    const named = resolved.labels
      ? { labels: resolved.labels, labelsSource }
      : await labelJsonNames(resolved.data).then((names) => names && { labels: names, labelsSource: 'label.json' as const });
    const options = cliReadOptions(resolved, named);
    const sample = await readOrExplain(resolved.data, options, '--data');
    const dev = resolved.dev ? await readOrExplain(resolved.dev, options, '--dev') : null;
    const classes = named?.labels ?? goldIdNames([sample, dev]);
    checkClassCount(classes, named ? named.labelsSource : 'gold ids');
    warnGoldIdGap(io, 'suggest', { sample, dev, labels: classes, labelsSource: named ? named.labelsSource : 'gold ids' });
    if (!classes) throw new SuggestInputError(`no gold labels found in field "${resolved.labelField}" of the labeled rows; label some rows, or name the field with --label-field`);
    let user: GoldLabels = emptyGoldLabels();
    // The editor's gold labels: "data.labels" in lfstudio.json, .lfstudio/labels.jsonl unless it says otherwise.
    const labelsFile = project ? project.data.labels : null;
    if (labelsFile) {
      const read = await readGoldLabels(labelsFile, classes.length);
      user = read.labels;
      for (const p of read.problems) progress(`warning: ${labelsFile}:${p.line}: ${p.message}; the line is ignored`);
    }
    const labeled = collectLabeledRows(sample, dev, user);
    checkGold(labeled.gold, labeled.rows.map((r) => r.id), classes, resolved.labelField);
    if (labeled.devUnlabeled > 0) progress(`warning: ${rowCount(labeled.devUnlabeled)} of ${dev!.path} ${labeled.devUnlabeled === 1 ? 'has' : 'have'} no label and ${labeled.devUnlabeled === 1 ? 'is' : 'are'} left out`);
    if (labeled.unknownIds > 0) progress(`warning: ${labeled.unknownIds} labels in ${labelsFile} name rows that are not in the data (left out)`);
    progress(`suggesting from ${labeled.rows.length} labeled rows${labeled.fromSample > 0 ? ` (${labeled.fromSample} labeled in the editor)` : ''} and ${sample.rows.length} unlabeled rows`);
    const result = suggestLfs(
      { classes, labeled: { rows: labeled.rows, gold: labeled.gold }, unlabeled: sample.rows, textField: resolved.textField, idField: resolved.idField },
      { maxLfs: args.maxLfs, seed: args.seed },
    );
    if (result.lfs.length === 0) {
      const noText = sample.rows.length > 0 && !sample.rows.some((r) => resolved.textField in r.fields);
      const fix = noText
        ? `the rows have no field "${resolved.textField}" to mine words from: name the text column with --text-field, or "textField" in lfstudio.json`
        : 'label more rows, of every class';
      throw new SuggestInputError(
        `no candidate LF passed the tests (${result.mined} mined, ${result.pruned} precise enough on the labeled rows and voting on enough unlabeled rows); ${fix}`,
      );
    }
    if (args.out) {
      writeOut(args.out, result.file, args.force);
      progress(`wrote ${result.lfs.length} LFs to ${args.out}`);
    }
    if (args.json) io.stdout(`${JSON.stringify(jsonSummary(result, args.out))}\n`);
    else if (!args.out) io.stdout(result.file);
    progress(summaryLine(result));
    return 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof DataError || err instanceof SuggestInputError) {
      io.stderr(`lf-studio suggest: ${sanitizeLine(err.message)}\n`);
      return err instanceof CliError ? err.code : 1;
    }
    throw err;
  }
}

async function readOrExplain(path: string, options: Parameters<typeof readDataset>[1], flag: string): Promise<Dataset> {
  try {
    return await readDataset(path, options);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new CliError(`${flag} ${path}: cannot read (${(err as Error).message})`, 1);
  }
}

function checkGold(gold: readonly number[], ids: readonly string[], classes: readonly string[], labelField: string): void {
  if (gold.length === 0) {
    throw new SuggestInputError(`there are no labeled rows: the dev set needs gold labels in field "${labelField}" (or label rows in the editor)`);
  }
  gold.forEach((g, i) => {
    if (g < 0 || g >= classes.length) {
      throw new SuggestInputError(`labeled row "${ids[i]}" has label ${g}, but there are ${classes.length} classes (${classes.join(', ')}); fix the label or pass --labels`);
    }
  });
}

function writeOut(path: string, text: string, force: boolean): void {
  try {
    // 'wx' creates the file and fails if it exists, in one step: nothing the user wrote can be overwritten.
    writeFileSync(path, text, { encoding: 'utf8', flag: force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`--out ${path} exists; choose another file, or pass --force to overwrite it`);
    throw new CliError(`--out ${path}: cannot write (${(err as Error).message})`, 1);
  }
}

function jsonSummary(result: SuggestResult, out: string | null) {
  return {
    lfs: result.lfs.map((lf) => ({
      name: lf.name,
      code: lf.code,
      functionCode: lf.functionCode,
      label: lf.className,
      classId: lf.label,
      description: lf.description,
      precision: lf.precision.precision,
      precisionLowerBound: lf.precision.lowerBound,
      correct: lf.precision.correct,
      votes: lf.precision.votes,
      coverage: lf.coverage.fraction,
      coveredRows: lf.coverage.rows,
    })),
    out,
    labeledRows: result.labeledRows,
    unlabeledRows: result.unlabeledRows,
    candidates: { mined: result.mined, kept: result.pruned },
    labelModel: result.labelModel,
    seconds: Math.round(result.seconds * 1000) / 1000,
  };
}

function summaryLine(r: SuggestResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return (
    `${r.lfs.length} LFs from ${r.mined} candidates (${r.pruned} passed precision and coverage); ` +
    `label model on them: ${pct(r.labelModel.labeledAccuracy)} right on the labeled rows, ${pct(r.labelModel.unlabeledCoverage)} of unlabeled rows covered; ${r.seconds.toFixed(1)} s`
  );
}

interface ParsedFlags {
  projectPath: string | null;
  data: string | null;
  dev: string | null;
  textField: string | null;
  labelField: string | null;
  idField: string | null;
  labels: string[] | null;
  maxLfs: number;
  seed: number;
  out: string | null;
  force: boolean;
  json: boolean;
}

function parse(argv: string[]): ParsedFlags | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        project: { type: 'string' },
        data: { type: 'string' },
        dev: { type: 'string' },
        'max-lfs': { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'text-field': { type: 'string' },
        'label-field': { type: 'string' },
        'id-field': { type: 'string' },
        labels: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see lf-studio suggest --help)`);
  }
  if (values.help) return 'help';
  const int = (flag: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be an integer${min > 0 ? ` of at least ${min}` : ' of at least 0'}, got '${raw}'`);
    return n;
  };
  if (values.project === undefined && (values.data === undefined || values.dev === undefined)) {
    throw new CliError('give --project lfstudio.json, or --data TRAIN and --dev LABELED (see lf-studio suggest --help)');
  }
  for (const [flag, path] of [['--data', values.data], ['--dev', values.dev]] as const) {
    if (path !== undefined && !existsSync(path)) throw new CliError(`${flag} ${path}: file not found`, 1);
  }
  let out: string | null = null;
  if (values.out !== undefined) {
    out = resolve(values.out);
    if (!out.toLowerCase().endsWith('.py')) throw new CliError(`--out ${values.out}: LFs are Python; use a file name ending in .py`);
    const dir = dirname(out);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`--out ${values.out}: folder ${dir} does not exist; create it first`);
    if (existsSync(out) && statSync(out).isDirectory()) throw new CliError(`--out ${values.out} is a folder; give a file name`);
    if (existsSync(out) && !values.force) throw new CliError(`--out ${values.out} exists; choose another file, or pass --force to overwrite it`);
  } else if (values.force) {
    throw new CliError('--force only applies to --out FILE.py');
  }
  const labels = values.labels !== undefined ? labelsFlag(values.labels) : null;
  return {
    projectPath: values.project ?? null,
    data: values.data !== undefined ? resolve(values.data) : null,
    dev: values.dev !== undefined ? resolve(values.dev) : null,
    textField: values['text-field'] ?? null,
    labelField: values['label-field'] ?? null,
    idField: values['id-field'] || null,
    labels,
    maxLfs: int('--max-lfs', values['max-lfs'], DEFAULT_MAX_LFS, 1),
    seed: int('--seed', values.seed, 0, 0),
    out,
    force: values.force ?? false,
    json: values.json ?? false,
  };
}

/** Flags first, then the project's settings, then the defaults. */
function resolveData(flags: ParsedFlags, project: Project | null): SuggestArgs {
  const data = flags.data ?? project?.data.sample ?? null;
  if (!data) throw new CliError('--data TRAIN is required (see lf-studio suggest --help)');
  const dev = flags.dev ?? project?.data.dev ?? null;
  for (const input of [data, dev]) {
    if (input && input === flags.out) throw new CliError(`--out ${flags.out} is also an input file; writing there would overwrite it`);
  }
  return {
    data,
    dev,
    textField: flags.textField ?? project?.textField ?? DEFAULT_TEXT_FIELD,
    labelField: flags.labelField ?? project?.labelField ?? DEFAULT_LABEL_FIELD,
    idField: flags.idField ?? project?.idField ?? null,
    idFieldFromFlag: flags.idField !== null,
    labels: flags.labels ?? project?.labels ?? null,
    maxLfs: flags.maxLfs,
    seed: flags.seed,
    out: flags.out,
    force: flags.force,
    json: flags.json,
  };
}
