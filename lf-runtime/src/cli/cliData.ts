// Reading the data files named on the command line, shared by `analyze` and `generate` so both hide the gold
// label from LFs the same way, check the dev set the same way, and name their own flags in every fix.
import { existsSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DEFAULT_LABEL_FIELD, DEFAULT_TEXT_FIELD } from '../data/datasetBuilder.ts';
import { readDataset, type ReadOptions } from '../data/readDataset.ts';
import type { Dataset } from '../data/types.ts';
import { checkDevGold, type LabelSettingNames } from '../project/projectData.ts';
import type { Project } from '../project/projectFile.ts';
import type { HiddenFile } from '../sandbox/types.ts';
import { goldIdNames, labelJsonNames, labelsSettingFor, warnGoldIdGap, type ClassNamesSource } from './classNames.ts';
import { CliError } from './cliIo.ts';

export interface CliDataArgs {
  data: string;
  dev: string | null;
  textField: string;
  labelField: string;
  idField: string | null;
  /** Whether idField came from --id-field (rather than the project), for the fix in messages. */
  idFieldFromFlag?: boolean;
  /** Where textField was set, when the project set it ("textField" in its lfstudio.json), for the fix in messages. */
  textFieldSetting?: string;
  /** From --labels or the project, or null to look for label.json beside the data, then at the gold labels. */
  labels: string[] | null;
  /** Where `labels` came from when set. */
  labelsSource: '--labels' | 'project' | null;
}

export interface CliData {
  sample: Dataset;
  dev: Dataset | null;
  /** Class names in class-id order, or null when neither --labels, label.json nor gold labels say. */
  labels: string[] | null;
  /** Where `labels` came from; 'gold ids' means they are only the ids "0", "1", ... */
  labelsSource: ClassNamesSource | null;
}

/** Most classes a task may have: votes are int8, -1 for abstain (as the project file's schema says). */
const MAX_CLASSES = 127;

/** The class names `--labels A,B,...` gives, in class-id order; refused unless two or more, distinct, at most MAX_CLASSES. */
export function labelsFlag(value: string): string[] {
  const labels = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (labels.length < 2) throw new CliError('--labels needs at least two class names, e.g. --labels HAM,SPAM');
  if (labels.length > MAX_CLASSES) {
    throw new CliError(`--labels names ${labels.length} classes: LF Studio supports at most ${MAX_CLASSES} (a vote is one signed byte, -1 for abstain); merge classes or split the task`);
  }
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) throw new CliError(`--labels lists "${twice}" twice; class names must be unique (one per class, in class-id order)`);
  return labels;
}
const CLI_SETTING_NAMES: LabelSettingNames = { labelField: '--label-field', labels: '--labels (or label.json)' };

/** Reads sample and dev; throws DataError naming the file, the row and the flag that fixes it. */
export async function readCliData(args: CliDataArgs): Promise<CliData> {
  // Class names known before reading (--labels, the project's, label.json beside the data) let gold labels be
  // written as names; without them only ids can be read, and the ids seen stand in for the names.
  const named = args.labels ? { names: args.labels, source: args.labelsSource } : await labelJsonSource(args.data);
  const options = cliReadOptions(args, named && { labels: named.names, labelsSource: named.source });
  const sample = await readDataset(args.data, options);
  const dev = args.dev ? await readDataset(args.dev, options) : null;
  const ids = named ? null : goldIdNames([sample, dev]);
  const labels = named?.names ?? ids;
  const labelsSource = named ? named.source : ids ? 'gold ids' : null;
  checkClassCount(labels, labelsSource);
  // A dev set without gold labels would quietly give no accuracies; with its gold left in a visible field
  // (the wrong --label-field), LFs could even read the answer.
  if (dev) checkDevGold(dev, { labels: labels ?? [], labelField: args.labelField }, CLI_SETTING_NAMES);
  return { sample, dev, labels, labelsSource };
}

/** Refuses a task of more classes than votes can hold, naming where the classes came from. */
export function checkClassCount(labels: readonly string[] | null, source: ClassNamesSource | null): void {
  if (!labels || labels.length <= MAX_CLASSES) return;
  const from = source === 'gold ids' ? `the gold labels go up to class id ${labels.length - 1}` : `${labelsSettingFor(source)} names ${labels.length} classes`;
  throw new CliError(`${from}: LF Studio supports at most ${MAX_CLASSES} classes (a vote is one signed byte, -1 for abstain); merge classes or split the task`, 1);
}

/**
 * How the command line reads a data file: its field flags, and the class names (when the user gave them:
 * --labels, the project's, label.json) so gold labels may be written as names. For another file read beside
 * the data (label --apply), pass the CliData read first.
 */
export function cliReadOptions(
  args: Pick<CliDataArgs, 'textField' | 'labelField' | 'idField' | 'idFieldFromFlag' | 'textFieldSetting'>,
  classes: Pick<CliData, 'labels' | 'labelsSource'> | null,
): ReadOptions {
  const named = classes !== null && classes.labels !== null && classes.labelsSource !== 'gold ids';
  return {
    textField: args.textField,
    labelField: args.labelField,
    idField: args.idField,
    textFieldSetting: args.textFieldSetting ?? '--text-field',
    idFieldSetting: args.idFieldFromFlag ? '--id-field' : undefined,
    classNames: named ? classes.labels : null,
    labelsSetting: labelsSettingFor(named ? classes.labelsSource : null),
  };
}

async function labelJsonSource(dataPath: string): Promise<{ names: string[]; source: 'label.json' } | null> {
  const names = await labelJsonNames(dataPath);
  return names ? { names, source: 'label.json' } : null;
}

/** The parseArgs options both commands take: the LF files, the data and how to read it, output and limits. */
/** The data formats every command reads, for its --help: `indent` spaces before the second line. */
export function dataFormatsHelp(indent: number): string {
  return `CSV (.csv, .tsv), JSONL (.jsonl,\n${' '.repeat(indent)}.ndjson) or .json (WRENCH, or a pandas to_json orient but values)`;
}

export const DATA_OPTIONS = {
  lfs: { type: 'string', multiple: true },
  data: { type: 'string' },
  dev: { type: 'string' },
  json: { type: 'boolean', default: false },
  labels: { type: 'string' },
  // No parseArgs defaults for the fields: an unset flag falls back to the project's setting, then the default.
  'text-field': { type: 'string' },
  'label-field': { type: 'string' },
  'id-field': { type: 'string' },
  'timeout-ms': { type: 'string', default: '30000' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export interface DataOptionValues {
  lfs?: string[];
  data?: string;
  dev?: string;
  json?: boolean;
  labels?: string;
  'text-field'?: string;
  'label-field'?: string;
  'id-field'?: string;
  'timeout-ms'?: string;
  /** --workspace (RUNTIME_OPTIONS), when the command takes it. */
  workspace?: string;
}

export interface ParsedDataOptions extends CliDataArgs {
  /** Absolute paths of the LF files, in the order given; their LFs appear in this order. */
  lfs: string[];
  /** Where they were named: the --lfs options, or the project's "lfFiles" (for advice to leave a file out). */
  lfsListedIn: string;
  /** With --project and --lfs: that the --lfs files replace the project's own, which are named (else null). */
  lfsNote: string | null;
  /** Files no LF may read besides the data's gold labels: a project's editor labels file ("data.labels"). */
  hiddenFiles: HiddenFile[];
  json: boolean;
  timeoutMs: number;
  /** The folder the LF files may read resource files from: --workspace, else the project's, else the LF files' (defaultWorkspace). */
  workspace: string;
}

/** The project's LF files that --lfs leaves out, said so a user adding a file (suggested.py) sees the others went. */
function lfsReplaced(given: readonly string[], project: Project | null): string | null {
  if (!project || given.length === 0) return null;
  const flagged = new Set(given.map((f) => resolve(f)));
  const left = project.lfFiles.filter((f) => !flagged.has(f));
  if (left.length === 0) return null;
  const names = left.map((f) => relative(project.root, f)).join(', ');
  return `--lfs replaces the project's LF files, so ${names} ${left.length === 1 ? 'is' : 'are'} left out; to run them together, give each with --lfs or add the file to "lfFiles" in ${project.file}`;
}

/**
 * What a command says on stderr about the inputs it read, before running anything: --lfs leaving out the
 * project's own LF files (lfsNote), gold ids with gaps (warnGoldIdGap).
 */
export function warnAboutInputs(io: { stderr(text: string): void }, command: string, args: Pick<ParsedDataOptions, 'lfsNote'>, data: CliData): void {
  warnGoldIdGap(io, command, data);
  if (args.lfsNote) io.stderr(`lf-studio ${command}: note: ${args.lfsNote}\n`);
}

/**
 * Checks the shared options (required files exist, numbers and class names make sense) and resolves paths.
 * With a `project` (generate --project), what the flags leave out comes from lfstudio.json.
 */
export function checkDataOptions(values: DataOptionValues, command: string, project: Project | null = null): ParsedDataOptions {
  const help = `see lf-studio ${command} --help`;
  const lfs = values.lfs?.length ? values.lfs.map((f) => resolve(f)) : (project?.lfFiles ?? []);
  if (lfs.length === 0) {
    throw new CliError(
      project
        ? `--lfs FILE.py is required: "lfFiles" in ${project.file} matches no files (create them, or pass --lfs; ${help})`
        : `--lfs FILE.py is required (${help})`,
    );
  }
  const data = values.data ? resolve(values.data) : (project?.data.sample ?? null);
  if (!data) throw new CliError(`--data FILE is required (${help})`);
  for (const [i, path] of (values.lfs ?? []).entries()) {
    if (!existsSync(path)) throw new CliError(`--lfs ${path}: file not found`);
    if (lfs.indexOf(lfs[i]) !== i) throw new CliError(`--lfs ${path} is given twice; give each LF file once`);
  }
  for (const [flag, path] of [['--data', values.data], ['--dev', values.dev]] as const) {
    if (path && !existsSync(path)) throw new CliError(`${flag} ${path}: file not found`);
  }
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new CliError(`--timeout-ms must be a positive number of milliseconds, got '${values['timeout-ms']}'`);
  }
  const flagLabels = values.labels !== undefined ? labelsFlag(values.labels) : null;
  return {
    lfs,
    lfsListedIn: values.lfs?.length || !project ? 'the --lfs options' : `"lfFiles" in ${project.file}`,
    lfsNote: lfsReplaced(values.lfs ?? [], project),
    hiddenFiles: project ? [{ path: project.data.labels, what: 'the gold labels added in the editor' }] : [],
    data,
    dev: values.dev ? resolve(values.dev) : (project?.data.dev ?? null),
    json: values.json ?? false,
    textField: values['text-field'] ?? project?.textField ?? DEFAULT_TEXT_FIELD,
    labelField: values['label-field'] ?? project?.labelField ?? DEFAULT_LABEL_FIELD,
    idField: values['id-field'] || project?.idField || null,
    idFieldFromFlag: Boolean(values['id-field']),
    ...(values['text-field'] === undefined && project?.textField ? { textFieldSetting: `"textField" in ${project.file}` } : {}),
    labels: flagLabels ?? project?.labels ?? null,
    labelsSource: flagLabels ? '--labels' : project ? 'project' : null,
    timeoutMs,
    workspace: values.workspace !== undefined ? resolve(values.workspace) : defaultWorkspace(lfs, project?.root ?? null),
  };
}

/**
 * The folder LF files may read when --workspace is not given: the project's folder, else the current folder
 * when it holds the LF files, else their common folder; but never one that holds the user's home folder or is
 * it (or the file system's root): LF files run from there could read every file of the user's (keys, mail,
 * other projects); nor a temporary folder every program shares (/tmp itself: other programs' files). Run from
 * elsewhere, a common folder inside a package widens to the folder above the outermost package (never above a
 * current folder that holds the files). Then the next narrower choice is taken,
 * and when there is none, --workspace is asked for.
 */
export function defaultWorkspace(lfs: string[], projectRoot: string | null): string {
  const cwd = process.cwd();
  const inside = (dir: string, file: string): boolean => {
    const rel = relative(dir, file);
    return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel);
  };
  let common = dirname(lfs[0] ?? cwd);
  while (!lfs.every((f) => inside(common, f)) && dirname(common) !== common) common = dirname(common);
  // A folder inside a package (each folder with an __init__.py) widens to the folder above its outermost
  // package, where Python run from the project finds the package (`from a.b.c.consts import X`).
  const outsidePackages = (dir: string): string => {
    let d = dir;
    while (existsSync(join(d, '__init__.py')) && dirname(d) !== d) d = dirname(d);
    return d;
  };
  // Never above the current folder when it holds the LF files: run from inside a package (a cloned repository
  // with an __init__.py at its root, say), the folder above holds other projects, which Python run from here
  // would not see either.
  const cwdHolds = lfs.every((f) => inside(cwd, f));
  const candidates = [
    projectRoot ? resolve(projectRoot) : null,
    cwdHolds ? cwd : null,
    cwdHolds ? null : outsidePackages(common),
    common,
  ];
  for (const dir of candidates) if (dir !== null && !tooBroad(dir)) return dir;
  const what = holdsHome(common) ? 'which holds your home folder' : 'a temporary folder every program shares';
  throw new CliError(
    `the LF files' only common folder is ${common}, ${what}; LF files may read the folder they run in, ` +
      'so pass --workspace DIR naming the folder they may read (read-only), or keep the LF files in one project folder',
  );
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** Too broad to be read by LF files unasked: see holdsHome, or a shared temporary folder itself. */
function tooBroad(dir: string): boolean {
  if (holdsHome(dir)) return true;
  const d = real(dir);
  return [tmpdir(), '/tmp', '/var/tmp', '/dev/shm'].some((t) => real(t) === d);
}

/** The file system's root, the home folder, or a folder above it. */
function holdsHome(dir: string): boolean {
  const d = real(dir);
  if (dirname(d) === d) return true;
  const home = real(homedir());
  return home === d || home.startsWith(d.endsWith(sep) ? d : d + sep);
}
