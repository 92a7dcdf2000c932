/**
 * What `lf-studio label` and `lf-studio export-job` share: run the project's LF files in the sandbox through
 * the same AnalysisEngine as the editor and `lf-studio analyze` (training rows and dev rows as one unit of
 * trust per file), fit the default label model on the training votes exactly as the engine does (the dev set
 * chooses and calibrates it), and run the same files over further data when asked.
 */
import type { Dataset } from '../data/types.ts';
import { AnalysisEngine, goldFiles } from '../engine/analysisEngine.ts';
import { siblingModules } from '../engine/siblingModules.ts';
import { countedLfIndices, inModel } from '../engine/importedLfs.ts';
import { fitDefault, type DefaultFit, type DevSet } from '../labelModel/defaultModel.ts';
import type { FileRunResult, HiddenFile, LfErrorInfo, LfExecutor } from '../sandbox/types.ts';
import { voteMatrixFromColumns, type VoteMatrix } from '../stats/voteMatrix.ts';
import { classOrderWarning } from '../stats/classOrder.ts';
import { basename, relative, dirname } from 'node:path';

export interface ProjectFitInput {
  executor: LfExecutor;
  /** Absolute paths, in project order. */
  lfFiles: string[];
  sources: string[];
  labels: string[];
  sample: Dataset;
  dev: Dataset | null;
  timeoutMs: number;
  /** The folder LF files may read resource files from (read-only). */
  readRoot?: string;
  /** Files no LF may read besides the data's gold labels (a project's editor labels file). */
  hiddenFiles?: HiddenFile[];
  /** One line per stage, for progress on stderr. */
  progress?: (line: string) => void;
}

export interface LfRunFigures {
  errors: number;
  noneCount: number;
  timedOut: boolean;
  firstError: LfErrorInfo | null;
  errorRowIds: string[];
}

export interface ProjectLf {
  name: string;
  /** Absolute path of its file. */
  file: string;
  line: number;
  train: LfRunFigures;
  /** On the dev set, when there is one. */
  dev: LfRunFigures | null;
}

export interface FittedProject {
  labels: string[];
  /** The LFs of the label model (a file's module-level `lfs = [...]` decides, as in the editor), in column order. */
  lfs: ProjectLf[];
  /** LFs their file's `lfs = [...]` leaves out: run, but in neither the votes nor the label model. */
  leftOut: { name: string; file: string }[];
  /**
   * With the runtime that ran each file (the sandbox, or the user's own Python for a file that needs their
   * packages), the top-level statements that raised while the rest of the file ran on, and the workspace
   * files the sandbox gave it because it read them.
   */
  lfFiles: { file: string; source: string; runtime: 'sandbox' | 'python'; problems: LfErrorInfo[]; reads: string[] }[];
  trainL: VoteMatrix;
  dev: DevSet | null;
  fit: DefaultFit;
  /** The folder the LF files read resource files from, when they may. */
  readRoot?: string;
  /** The data files with gold labels no LF may read (goldFiles). */
  hiddenFiles: HiddenFile[];
}

/** A problem the user must fix before labels can be written; `code` is the exit status. */
export class ProjectRunError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
    this.name = 'ProjectRunError';
  }
}

/** Key under which extra data (`--apply`) is shipped to the sandbox, beside the engine's sample and dev. */
export const APPLY_KEY = 'apply';

export async function runAndFit(input: ProjectFitInput): Promise<FittedProject> {
  const { executor, lfFiles, sources, labels, sample, dev, timeoutMs } = input;
  const progress = input.progress ?? (() => {});
  const engine = new AnalysisEngine(executor, { task: '', labels, sample, dev, lfFiles, timeoutMs, ...(input.readRoot ? { readRoot: input.readRoot } : {}), ...(input.hiddenFiles ? { hiddenFiles: input.hiddenFiles } : {}) });
  const devNote = dev ? ` and ${count(dev.rows.length)} dev rows` : '';
  for (const [i, file] of lfFiles.entries()) {
    progress(`running ${shortName(file, lfFiles)} (${i + 1}/${lfFiles.length}) on ${count(sample.rows.length)} training rows${devNote}`);
    await engine.runFile(file, sources[i]);
  }
  const problems: string[] = [];
  const lfs: ProjectLf[] = [];
  const leftOut: FittedProject['leftOut'] = [];
  /** Per LF of the engine's snapshot (every LF of every file, in order): whether it is in the label model. */
  const inModel: boolean[] = [];
  const ran: FittedProject['lfFiles'] = [];
  for (const [i, file] of lfFiles.entries()) {
    const result = engine.fileResult(file);
    const fileError = result?.fileError;
    if (!result || fileError) {
      problems.push(`${file}${fileError?.line ? `:${fileError.line}` : ''}: ${fileError?.message ?? 'did not run'}`);
      continue;
    }
    if (result.lfs.length === 0) problems.push(`${file}: no labeling functions found`);
    else if (result.lfs.every((lf) => lf.listed === false)) problems.push(`${file}: its module-level lfs = [...] holds none of its labeling functions`);
    ran.push({ file, source: sources[i], runtime: result.runtime ?? 'sandbox', problems: result.problems ?? [], reads: result.workspaceReads ?? [] });
    const devRun = engine.devResult(file);
    for (const j of engine.countedLfs(file)) {
      const lf = result.lfs[j];
      const included = engine.inModel(file, lf);
      inModel.push(included);
      const devLf = devRun?.lfs[j];
      if (!included) leftOut.push({ name: lf.name, file });
      else lfs.push({ name: lf.name, file, line: lf.line, train: figures(lf), dev: devLf ? figures(devLf) : null });
    }
  }
  if (problems.length > 0) throw new ProjectRunError(problems.join('\n'));
  const snapshot = engine.snapshot();
  const modelNames = snapshot.lfNames.filter((_, j) => inModel[j]);
  if (snapshot.lfNames.length !== inModel.length || modelNames.length !== lfs.length || modelNames.some((n, j) => n !== lfs[j].name)) {
    throw new ProjectRunError('the LF files gave different labeling functions on the training rows and in the project; run again');
  }
  const modelColumns = <T>(columns: T[]): T[] => columns.filter((_, j) => inModel[j]);
  const timedOut = lfs.filter((lf) => lf.train.timedOut);
  if (timedOut.length > 0) throw timeoutError(timedOut.map((lf) => lf.name), sample.path, timeoutMs);
  const trainL = voteMatrixFromColumns(sample.rows.length, modelColumns(snapshot.sampleVotes));
  // As AnalysisEngine.analyze: the dev votes of every LF and the dev gold labels choose and calibrate.
  const devGold = dev?.gold ?? null;
  const devL = dev && devGold && snapshot.devVotes ? voteMatrixFromColumns(dev.rows.length, modelColumns(snapshot.devVotes)) : null;
  const devSet: DevSet | null = devL && devGold ? { L: devL, gold: devGold.map((g) => g ?? -1) } : null;
  progress(`fitting the label model on ${count(trainL.n)} rows x ${trainL.m} LFs${devSet ? ` (dev set: ${count(devSet.L.n)} rows)` : ''}`);
  const fit = fitDefault(trainL, labels.length, devSet && devSet.gold.length > 0 ? { dev: devSet } : {});
  return {
    labels: [...labels],
    lfs,
    leftOut,
    hiddenFiles: goldFiles(sample, dev, input.hiddenFiles),
    lfFiles: ran,
    trainL,
    dev: devSet,
    fit,
    ...(input.readRoot ? { readRoot: input.readRoot } : {}),
  };
}

export interface AppliedVotes {
  L: VoteMatrix;
  /** Per LF, in column order. */
  figures: LfRunFigures[];
}

/** Runs the project's LF files over `data` (each file one unit of trust) and returns their votes. */
export async function applyProject(
  executor: LfExecutor,
  project: FittedProject,
  data: Dataset,
  timeoutMs: number,
  progress: (line: string) => void = () => {},
): Promise<AppliedVotes> {
  progress(`loading ${count(data.rows.length)} rows of ${data.path} into the sandbox`);
  await executor.loadRows(APPLY_KEY, data.rows);
  const columns: Int8Array[] = [];
  const figs: LfRunFigures[] = [];
  const files = project.lfFiles.map((f) => f.file);
  const runs = new Map<string, FileRunResult>();
  for (const [i, { file, source }] of project.lfFiles.entries()) {
    progress(`running ${shortName(file, files)} (${i + 1}/${files.length}) on ${count(data.rows.length)} rows`);
    // As the engine runs it: the helper modules beside the file are part of it (the sandbox imports them from these).
    const hiddenFiles = data.gold?.some((g) => g !== null) ? [...project.hiddenFiles, { path: data.path, what: `${basename(data.path)}, which holds gold labels` }] : project.hiddenFiles;
    const siblings = siblingModules(file, { ...(project.readRoot ? { root: project.readRoot } : {}), hidden: hiddenFiles });
    const run = await executor.runFile({
      file,
      source,
      ...(siblings ? { siblingModules: siblings } : {}),
      datasetKey: APPLY_KEY,
      cardinality: project.labels.length,
      timeoutMs,
      ...(project.readRoot ? { readRoot: project.readRoot } : {}),
      hiddenFiles,
    });
    if (run.fileError) throw new ProjectRunError(`${file}${run.fileError.line ? `:${run.fileError.line}` : ''}: ${run.fileError.message}`);
    runs.set(file, run);
  }
  for (const file of files) {
    const run = runs.get(file)!;
    const expected = project.lfs.filter((lf) => lf.file === file).map((lf) => lf.name);
    const listed = countedLfIndices(file, run.lfs, files, (f) => runs.get(f)?.lfs)
      .map((j) => run.lfs[j])
      .filter((lf) => inModel(file, lf, files, (f) => runs.get(f)?.lfs));
    const got = listed.map((lf) => lf.name);
    if (expected.join('\n') !== got.join('\n')) {
      throw new ProjectRunError(`${file} defined ${got.join(', ') || 'no LFs'} on ${data.path} but ${expected.join(', ')} on the training rows; its LFs must not depend on the data`);
    }
    for (const lf of listed) {
      columns.push(lf.votes);
      figs.push(figures(lf));
    }
  }
  const timedOut = project.lfs.filter((_, j) => figs[j].timedOut);
  if (timedOut.length > 0) throw timeoutError(timedOut.map((lf) => lf.name), data.path, timeoutMs);
  return { L: voteMatrixFromColumns(data.rows.length, columns), figures: figs };
}

/**
 * What the user should know before trusting the labels: top-level statements of an LF file that raised (a
 * missing package, say) and LFs that raised on some rows (those votes count as abstain), on the training rows
 * and on `applied`'s rows.
 */
export function runWarnings(project: FittedProject, applied: LfRunFigures[] | null = null, appliedPath = '', uncovered: 'abstain' | 'predict' = 'abstain'): string[] {
  const out: string[] = [];
  const named = new Map<string, string[]>();
  for (const lf of project.lfs) named.set(lf.name, [...(named.get(lf.name) ?? []), lf.file]);
  for (const [name, files] of named) {
    if (files.length < 2) continue;
    const where = [...new Set(files.map((f) => basename(f)))].join(' and ');
    const count = files.length === 2 ? 'two' : String(files.length);
    out.push(`${count} LFs are named ${name} (${where}): their vote columns share the name; rename ${files.length === 2 ? 'one' : 'them'} (Snorkel requires unique names)`);
  }
  if (project.leftOut.length > 0) {
    out.push(`in no LF list of the project (lfs = [...]), so left out of the votes and the label model: ${project.leftOut.map((lf) => lf.name).join(', ')}`);
  }
  for (const f of project.lfFiles) {
    for (const p of f.problems) if (!p.undefinedLfs) out.push(`${f.file}${p.line ? `:${p.line}` : ''}: ${p.message} (the rest of the file ran on)`);
  }
  out.push(...unvotedClassWarnings(project, uncovered));
  const order = project.dev ? classOrderWarning(project.dev.L, project.dev.gold, project.labels) : null;
  if (order) out.push(order);
  const report = (name: string, f: LfRunFigures, where: string) => {
    if (f.errors === 0) return;
    const first = f.firstError ? `; first: ${f.firstError.message}${f.firstError.line ? ` (line ${f.firstError.line})` : ''}` : '';
    out.push(`${name} failed on ${count(f.errors)} rows of ${where} (counted as abstain)${first}`);
  };
  project.lfs.forEach((lf, j) => {
    report(lf.name, lf.train, 'the training data');
    if (lf.dev) report(lf.name, lf.dev, 'the dev set (which chooses and calibrates the label model)');
    if (applied) report(lf.name, applied[j], appliedPath);
  });
  // One line per distinct warning (a name several LFs share, say, is said once).
  return [...new Set(out)];
}

/**
 * Classes no LF votes on the training rows, while others get votes: the class balance is read from the votes,
 * so such a class gets next to none of it, and every row no LF votes on is labelled one of the voted classes,
 * however common the unvoted class is (a spam-only LF set labels every uncovered row spam). With a dev set,
 * its share of the gold labels there says how common it is. `uncovered`: what `lf-studio label` writes on the
 * rows without votes (export-job: the job's policy, the same flag), to say what follows for them.
 */
export function unvotedClassWarnings(project: FittedProject, uncovered: 'abstain' | 'predict' = 'abstain'): string[] {
  const { trainL, labels } = project;
  const voted = new Set<number>();
  for (const v of trainL.data) if (v >= 0) voted.add(v);
  if (voted.size === 0 || voted.size === labels.length) return [];
  const missing = labels.map((_, c) => c).filter((c) => !voted.has(c));
  const names = missing.map((c) => labels[c]).join(', ');
  const one = missing.length === 1;
  const balance = missing.map((c) => `${labels[c]} ${project.fit.model.classBalance[c].toFixed(3)}`).join(', ');
  const gold = project.dev?.gold ?? [];
  const onDev = gold.length ? missing.map((c) => `${labels[c]} ${(gold.filter((g) => g === c).length / gold.length).toFixed(3)}`).join(', ') : null;
  const answers = [...voted].sort((a, b) => a - b).map((c) => labels[c]).join(' or ');
  return [
    `no LF votes ${names} on the training rows, so the label model cannot tell from the votes how common ${one ? 'it is' : 'they are'} ` +
      `(class balance ${balance}${onDev ? `, where the dev set's gold labels give ${onDev}` : ''}): its probabilities favour ${answers} on the rows no LF votes on` +
      (uncovered === 'predict' ? `, and --uncovered predict labels them so; ` : ' (written -1 there unless --uncovered predict); ') +
      `add an LF that votes ${one ? names : 'each of them'} (a fallback that votes it where none of the other LFs fires will do)` +
      (uncovered === 'predict' ? ', or leave those rows unlabelled (--uncovered abstain writes -1 there)' : ''),
  ];
}

/**
 * Statements that raised where they define LFs (a decorator needing a package that is not installed): the
 * rest of the file ran, but those LFs are in neither the votes nor the label model. The CLI writes its output
 * and exits 1, as for an LF that failed on every row.
 */
export function undefinedLfErrors(project: FittedProject): string[] {
  return project.lfFiles.flatMap((f) =>
    f.problems.filter((p) => p.undefinedLfs).map((p) => `${f.file}${p.line ? `:${p.line}` : ''}: ${p.message}; the votes and the label model leave ${p.undefinedLfs!.length === 1 ? 'it' : 'them'} out (exit code 1)`),
  );
}

function figures(lf: { errors: number; noneCount: number; timedOut: boolean; firstError: LfErrorInfo | null; errorRowIds: string[] }): LfRunFigures {
  return { errors: lf.errors, noneCount: lf.noneCount, timedOut: lf.timedOut, firstError: lf.firstError, errorRowIds: lf.errorRowIds };
}

function timeoutError(names: string[], path: string, timeoutMs: number): ProjectRunError {
  return new ProjectRunError(
    `${names.join(', ')} ran out of time on ${path} (budget ${timeoutMs} ms per LF) and would count as abstaining on every row; ` +
      'raise --timeout-ms for large files',
  );
}

/** The file's path relative to the other LF files' folder, short enough for a progress line. */
function shortName(file: string, all: string[]): string {
  const base = all.length > 0 ? dirname(all[0]) : dirname(file);
  const rel = relative(base, file);
  return rel.startsWith('..') ? file : rel;
}

export const count = (n: number): string => n.toLocaleString('en-US');
