/**
 * The engine every front end shares (language server, CLI, LLM scoring): it keeps the sample and dev data
 * loaded in the sandbox, re-runs one LF file at a time, remembers each file's latest votes, and combines all
 * files into the project-wide figures (Snorkel LFAnalysis + label-model estimates).
 */
import { createHash } from 'node:crypto';
import { basename, dirname, relative } from 'node:path';
import type { Dataset } from '../data/types.ts';
import type { FileProblem, LfSummary, ProjectAnalysis } from '../protocol.ts';
import type { FileRunResult, HiddenFile, LfExecutor, LfRunResult } from '../sandbox/types.ts';
import { lfSummaries, totalConflict, totalCoverage } from '../stats/lfAnalysis.ts';
import { voteMatrixFromColumns } from '../stats/voteMatrix.ts';
import { estimateLfAccuracies } from '../labelModel/estimate.ts';
import type { FittedLabelModel } from '../labelModel/types.ts';
import { emptyGoldLabels, type GoldLabels } from '../examples/goldLabels.ts';
import { countedLfIndices, inModel } from './importedLfs.ts';
import { BUILT_INDENTED, noLfsAdvice } from './noLfsAdvice.ts';
import { siblingModules } from './siblingModules.ts';
import { classOrderWarning } from '../stats/classOrder.ts';

export interface EngineConfig {
  task: string;
  /** Class names in class-id order; cardinality is their number. */
  labels: string[];
  sample: Dataset;
  dev: Dataset | null;
  /** Absolute paths of the LF files, in the order their LFs appear in the figures. */
  lfFiles: string[];
  timeoutMs: number;
  /** The folder LF files may read resource files from (read-only): the workspace. Absent: none. */
  readRoot?: string;
  /** Files besides the sample and dev data that hold gold labels no LF may read (the editor's labels file). */
  hiddenFiles?: HiddenFile[];
  /** Where the LF files were listed, for the advice to leave one out (default `"lfFiles" in lfstudio.json`). */
  lfFilesListedIn?: string;
}

/**
 * The data files no LF may read, so none votes by looking its row's gold label up: the dev set, the sample
 * when it holds gold labels, and `extra` (labels added in the editor, another file being labelled).
 */
export function goldFiles(sample: Dataset, dev: Dataset | null, extra: readonly HiddenFile[] = []): HiddenFile[] {
  const out: HiddenFile[] = [];
  if (dev) out.push({ path: dev.path, what: `the dev set (${basename(dev.path)})` });
  if (sample.gold?.some((g) => g !== null)) out.push({ path: sample.path, what: `the sample data (${basename(sample.path)}), which holds gold labels` });
  return [...out, ...extra];
}

/**
 * What the latest analysis was computed from, for the examples view: every LF's votes on the sample and dev
 * rows, which LFs the label model used, and the model itself. Rebuilt by every analyze().
 */
export interface EngineRowsView {
  version: number;
  labels: string[];
  sample: Dataset;
  dev: Dataset | null;
  lfs: {
    name: string;
    file: string;
    line: number;
    /** Text of the file the votes came from (for highlighting what an LF matches). */
    source: string;
    sampleVotes: Int8Array;
    devVotes: Int8Array | null;
    inModel: boolean;
    sampleErrorRowIds: string[];
    devErrorRowIds: string[];
  }[];
  /** The label model over the in-model LFs (in lfs order), or null before there is one. */
  model: FittedLabelModel | null;
  userLabels: GoldLabels;
}

interface FileState {
  sourceHash: string;
  /** Text of the last run that loaded (what the figures describe). */
  source: string;
  sample: FileRunResult;
  dev: FileRunResult | null;
  /** The file's latest run failed to load; `sample`/`dev` are from the last run that loaded. */
  stale: FileProblem | null;
}

export interface EngineSnapshot {
  task: string;
  labels: string[];
  sample: Dataset;
  dev: Dataset | null;
  lfFiles: { file: string; source: string }[];
  lfNames: string[];
  sampleVotes: Int8Array[];
  devVotes: Int8Array[] | null;
  timeoutMs: number;
}

/** Keys under which the engine ships its data to the executor (scorers reuse them). */
export const SAMPLE_KEY = 'sample';
export const DEV_KEY = 'dev';

export class AnalysisEngine {
  private readonly files = new Map<string, FileState>();
  private version = 0;
  private prepared: Promise<void> | null = null;
  /** Gold labels the user gave rows in the editor; they count as dev labels (examples/goldLabels.ts). */
  private userLabels: GoldLabels = emptyGoldLabels();
  private lastRowsView: EngineRowsView | null = null;

  constructor(
    private readonly executor: LfExecutor,
    private readonly config: EngineConfig,
  ) {}

  get lfFiles(): readonly string[] {
    return this.config.lfFiles;
  }

  get labels(): readonly string[] {
    return this.config.labels;
  }

  get sampleData(): Dataset {
    return this.config.sample;
  }

  get devData(): Dataset | null {
    return this.config.dev;
  }

  /** Ships the data to the sandbox once; later runs refer to it by key. */
  prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await this.executor.loadRows(SAMPLE_KEY, this.config.sample.rows);
      if (this.config.dev) await this.executor.loadRows(DEV_KEY, this.config.dev.rows);
    })();
    return this.prepared;
  }

  isLfFile(file: string): boolean {
    return this.config.lfFiles.includes(file);
  }

  isDataFile(file: string): boolean {
    return file === this.config.sample.path || file === this.config.dev?.path;
  }

  /** Replaces the user's gold labels; the next analyze() counts them. */
  setUserLabels(labels: GoldLabels): void {
    this.userLabels = labels;
  }

  get goldLabels(): GoldLabels {
    return this.userLabels;
  }

  /** The rows and votes behind the latest analyze(), or null before the first. */
  rowsView(): EngineRowsView | null {
    return this.lastRowsView;
  }

  /** Drops remembered results, the runtime's cached ones too, so the next runFile re-runs even unchanged text ("Re-run All"). */
  forget(): void {
    this.files.clear();
    this.executor.clearResults?.();
  }

  /** The latest run of one file (for CodeLens and diagnostics), or undefined before its first run. */
  fileResult(file: string): FileRunResult | undefined {
    return this.files.get(file)?.sample;
  }

  /**
   * Indices of the LFs of `file` that count for it, in its order: all of them but those it imports from another of
   * the project's LF files that defines them itself (`from keyword_lfs import lf_check` in main_lfs.py, both
   * files in the project): one LF, one vote column, as Snorkel's applier given both files' LFs once.
   */
  countedLfs(file: string): number[] {
    return countedLfIndices(file, this.files.get(file)?.sample.lfs ?? [], this.config.lfFiles, (f) => this.files.get(f)?.sample.lfs);
  }

  /** Whether an LF counted for `file` goes into the label model (importedLfs.inModel: a list of the project holds it). */
  inModel(file: string, lf: LfRunResult): boolean {
    return inModel(file, lf, this.config.lfFiles, (f) => this.files.get(f)?.sample.lfs);
  }

  /** The latest run of one file on the dev set, or undefined without one. */
  devResult(file: string): FileRunResult | undefined {
    return this.files.get(file)?.dev ?? undefined;
  }

  /**
   * Runs one LF file (its current text, saved or not) on the sample and dev data. Unchanged text is not
   * re-run. Returns false when the run was skipped because nothing changed.
   */
  async runFile(file: string, source: string, signal?: AbortSignal): Promise<boolean> {
    const sourceHash = createHash('sha256').update(source).digest('hex');
    const previous = this.files.get(file);
    if (previous && previous.sourceHash === sourceHash) return false;
    await this.prepare();
    const hiddenFiles = goldFiles(this.config.sample, this.config.dev, this.config.hiddenFiles);
    const siblings = siblingModules(file, { ...(this.config.readRoot ? { root: this.config.readRoot } : {}), hidden: hiddenFiles });
    const base = {
      file,
      source,
      cardinality: this.config.labels.length,
      timeoutMs: this.config.timeoutMs,
      signal,
      ...(siblings ? { siblingModules: siblings } : {}),
      ...(this.config.readRoot ? { readRoot: this.config.readRoot } : {}),
      hiddenFiles,
    };
    // Sample and dev are one unit of trust: the same fresh sandbox workers serve both.
    const keys = this.config.dev ? [SAMPLE_KEY, DEV_KEY] : [SAMPLE_KEY];
    const [sample, devRun] = this.executor.runUnit
      ? await this.executor.runUnit({ ...base, datasetKeys: keys })
      : [await this.executor.runFile({ ...base, datasetKey: SAMPLE_KEY })];
    const dev = !this.config.dev || sample!.fileError ? null : (devRun ?? (await this.executor.runFile({ ...base, datasetKey: DEV_KEY })));
    if (sample!.fileError && previous && !previous.sample.fileError) {
      // Keep the last figures that loaded while the user is mid-edit; report the problem beside them.
      const problem = { file, message: sample!.fileError.message, line: sample!.fileError.line };
      this.files.set(file, { ...previous, sourceHash, stale: problem });
    } else {
      this.files.set(file, { sourceHash, source, sample: sample!, dev, stale: null });
    }
    return true;
  }

  /** Why the figures of `file` are from an older text (its latest text failed to load), or null when current. */
  staleReason(file: string): FileProblem | null {
    return this.files.get(file)?.stale ?? null;
  }

  /** Whether any file's latest results came from the user's own Python. */
  usesPython(): boolean {
    return [...this.files.values()].some((f) => f.sample.runtime === 'python');
  }

  /** The latest run result of `file`, including a load failure that left older figures in place. */
  private latestProblem(file: string): FileProblem | null {
    const state = this.files.get(file);
    if (!state) return null;
    if (state.stale) return state.stale;
    const err = state.sample.fileError;
    return err ? { file, message: err.message, line: err.line } : null;
  }

  /** The data and every LF's latest votes, in project order: what LLM prompts and candidate scoring build on. */
  snapshot(): EngineSnapshot {
    const lfNames: string[] = [];
    const sampleVotes: Int8Array[] = [];
    const devVotes: Int8Array[] = [];
    const lfFiles: { file: string; source: string }[] = [];
    let devComplete = this.config.dev !== null;
    for (const file of this.config.lfFiles) {
      const state = this.files.get(file);
      if (!state) continue;
      lfFiles.push({ file, source: state.source });
      for (const j of this.countedLfs(file)) {
        const lf = state.sample.lfs[j];
        lfNames.push(lf.name);
        sampleVotes.push(lf.votes);
        const d = state.dev?.lfs[j]?.votes;
        if (d) devVotes.push(d);
        else devComplete = false;
      }
    }
    return {
      task: this.config.task,
      labels: [...this.config.labels],
      sample: this.config.sample,
      dev: this.config.dev,
      lfFiles,
      lfNames,
      sampleVotes,
      devVotes: devComplete ? devVotes : null,
      timeoutMs: this.config.timeoutMs,
    };
  }

  /** Combines every file's latest votes into the project-wide figures. */
  analyze(durationMs = 0): ProjectAnalysis {
    const k = this.config.labels.length;
    const placed: { file: string; lf: LfRunResult; devRun: LfRunResult | null; devVotes: Int8Array | null; devErrorRowIds: string[]; runtime: 'sandbox' | 'python' }[] = [];
    const fileProblems: FileProblem[] = [];
    const named = new Map<string, { file: string; line: number }[]>();
    for (const file of this.config.lfFiles) {
      const state = this.files.get(file);
      if (!state) continue;
      const problem = this.latestProblem(file);
      if (problem) fileProblems.push(problem);
      // No LFs: say how to define them, also beside a statement that raised when the file builds its LFs in a
      // function (a missing package there is not why none was made: nothing called the function).
      const kind = state.sample.fileError?.kind;
      if (!state.stale && state.sample.lfs.length === 0 && (!problem || (kind !== 'syntax' && BUILT_INDENTED.test(state.source)))) {
        fileProblems.push(noLfsAdvice(file, state.source, state.sample.problems ?? [], this.config.lfFilesListedIn));
      }
      // Top-level statements that raised while the rest of the file ran on (notebook cells, a missing package).
      for (const p of state.stale ? [] : (state.sample.problems ?? [])) fileProblems.push({ file, line: p.line, message: p.message, ...(p.undefinedLfs ? { undefinedLfs: p.undefinedLfs } : {}) });
      for (const j of this.countedLfs(file)) {
        const lf = state.sample.lfs[j];
        const same = named.get(lf.name);
        if (same) same.push({ file, line: lf.line });
        else named.set(lf.name, [{ file, line: lf.line }]);
        const devRun = state.dev?.lfs[j];
        placed.push({ file, lf, devRun: devRun ?? null, devVotes: devRun?.votes ?? null, devErrorRowIds: devRun?.errorRowIds ?? [], runtime: state.sample.runtime ?? 'sandbox' });
      }
    }

    // Every copy of a repeated name is told where the others are: the one written first is no more right.
    // LFs a factory made at one line (without name=...) share it: that line is said once, with how many.
    for (const [name, places] of named) {
      if (places.length < 2) continue;
      const distinct = places.filter((p, i) => places.findIndex((o) => o.file === p.file && o.line === p.line) === i);
      for (const at of distinct) {
        const here = places.filter((o) => o.file === at.file && o.line === at.line).length;
        const others = distinct.filter((o) => o !== at).map((o) => (o.file === at.file ? `line ${o.line} of this file` : `${relative(dirname(at.file), o.file)}:${o.line}`));
        const what = others.length
          ? `LF name '${name}' is also used at ${others.join(', ')}${here > 1 ? ` (and by ${here} LFs made at this line)` : ''}`
          : `${here} LFs made at this line are all named '${name}'`;
        fileProblems.push({
          file: at.file,
          line: at.line,
          message: `${what}; Snorkel's appliers refuse LFs with the same name (rename the function, or pass name=... to @labeling_function).`,
        });
      }
    }

    const n = this.config.sample.rows.length;
    // A file's module-level `lfs = [...]` decides which of its LFs go into the label model, as in the user's own
    // Snorkel run; the others still get figures (coverage, overlaps and conflicts against the model's LFs).
    const inModel = placed.map((p) => this.inModel(p.file, p.lf));
    const modelIdx = placed.map((_, j) => j).filter((j) => inModel[j]);
    const L = voteMatrixFromColumns(n, modelIdx.map((j) => placed[j].lf.votes));
    const modelStats = lfSummaries(L, null);
    const stats = placed.map((p, j) =>
      inModel[j] ? modelStats[modelIdx.indexOf(j)] : lfSummaries(voteMatrixFromColumns(n, [...modelIdx.map((m) => placed[m].lf.votes), p.lf.votes]), null)[modelIdx.length],
    );
    const dev = this.config.dev;
    // Rows with gold: the dev file's (the user's label wins over the file's) and sample rows the user labeled.
    const labeled = labeledRows(this.config.sample, dev, this.userLabels, placed.every((p) => p.devVotes));
    // Each LF's votes on those rows, once: for every LF's dev figures, and the model LFs' for the label model.
    const labeledColumns = labeled.n > 0 ? placed.map((p) => labeled.votes(p.lf.votes, p.devVotes)) : null;
    const devAll = labeledColumns ? voteMatrixFromColumns(labeled.n, labeledColumns) : null;
    // Dev precision is each LF's own (correct / votes): the same whether or not it is in the model.
    const devStats = devAll ? lfSummaries(devAll, labeled.gold) : null;
    const devL = labeledColumns ? voteMatrixFromColumns(labeled.n, modelIdx.map((j) => labeledColumns[j])) : null;
    // Every labeled row carries a gold label (dev files are checked when the project loads), so they can choose
    // and calibrate the label model.
    const devSet = devL ? { L: devL, gold: labeled.gold } : undefined;
    // Class names in another order than the LFs' ids: every dev figure is wrong, with no error anywhere. Said on
    // the first LF file, as the Problems panel has no place for the project.
    const order = devL && modelIdx.length ? classOrderWarning(devL, labeled.gold, this.config.labels) : null;
    if (order) fileProblems.push({ file: placed[modelIdx[0]!]!.file, line: 1, severity: 'warning', message: order });
    const estimate = modelIdx.length > 0 ? estimateLfAccuracies(L, k, devSet) : null;
    const estimated = (j: number): number | null => (estimate && inModel[j] ? estimate.accuracies[modelIdx.indexOf(j)] : null);

    const lfs: LfSummary[] = placed.map(({ file, lf, devRun, runtime }, j) => ({
      name: lf.name,
      file,
      line: lf.line,
      polarity: stats[j].polarity,
      coverage: stats[j].coverage,
      overlaps: stats[j].overlaps,
      conflicts: stats[j].conflicts,
      correct: devStats ? devStats[j].correct : null,
      incorrect: devStats ? devStats[j].incorrect : null,
      empiricalAccuracy: devStats ? devStats[j].empiricalAccuracy : null,
      estimatedAccuracy: estimated(j),
      errors: lf.errors,
      timedOut: lf.timedOut,
      firstError: lf.firstError,
      ...(lf.errors > 0 && lf.errorRowIds.length > 0 ? { firstErrorRow: lf.errorRowIds[0] } : {}),
      noneCount: lf.noneCount,
      ...(devRun ? { devErrors: devRun.errors, devFirstError: devRun.firstError } : {}),
      runtime,
      ...(inModel[j] ? {} : { outsideLfsList: true }),
    }));

    const version = ++this.version;
    this.lastRowsView = {
      version,
      labels: [...this.config.labels],
      sample: this.config.sample,
      dev,
      lfs: placed.map((p, j) => ({
        name: p.lf.name,
        file: p.file,
        line: p.lf.line,
        source: this.files.get(p.file)?.source ?? '',
        sampleVotes: p.lf.votes,
        devVotes: p.devVotes,
        inModel: inModel[j],
        sampleErrorRowIds: p.lf.errorRowIds,
        devErrorRowIds: p.devErrorRowIds,
      })),
      model: estimate?.fitted ?? null,
      userLabels: this.userLabels,
    };
    return {
      version,
      task: this.config.task,
      labels: [...this.config.labels],
      rows: n,
      devRows: dev ? dev.rows.length + labeled.sampleRows : labeled.n > 0 ? labeled.n : null,
      lfs,
      totalCoverage: modelIdx.length ? totalCoverage(L) : 0,
      totalConflict: modelIdx.length ? totalConflict(L) : 0,
      labelModel: estimate
        ? {
            name: estimate.model,
            classBalance: estimate.classBalance,
            uncoveredRows: estimate.uncoveredRows,
            chosenBy: estimate.chosenBy,
            usedDevSet: estimate.usedDevSet,
            overrides: estimate.overrides.map((o) => ({ narrow: lfs[modelIdx[o.narrow]].name, broad: lfs[modelIdx[o.broad]].name, rows: o.rows })),
          }
        : null,
      fileProblems,
      durationMs,
    };
  }
}

/**
 * The rows with gold labels, in the order the dev figures use: every dev-file row (when every LF has dev votes),
 * then the sample rows the user labeled. `votes` builds one LF's column over them from its sample and dev votes.
 */
function labeledRows(sample: Dataset, dev: Dataset | null, user: GoldLabels, devComplete: boolean) {
  const devN = dev && devComplete ? dev.rows.length : 0;
  const gold: number[] = [];
  for (let i = 0; i < devN; i++) {
    const d = dev as Dataset;
    gold.push(user.dev.get(d.rows[i].id) ?? d.gold?.[i] ?? -1);
  }
  const sampleIdx: number[] = [];
  if (user.sample.size > 0) {
    sample.rows.forEach((r, i) => {
      const g = user.sample.get(r.id);
      if (g === undefined) return;
      sampleIdx.push(i);
      gold.push(g);
    });
  }
  const n = devN + sampleIdx.length;
  return {
    n,
    gold,
    sampleRows: sampleIdx.length,
    votes(sampleVotes: Int8Array, devVotes: Int8Array | null): Int8Array {
      const col = new Int8Array(n);
      if (devN > 0) col.set((devVotes as Int8Array).subarray(0, devN));
      sampleIdx.forEach((i, t) => (col[devN + t] = sampleVotes[i]));
      return col;
    },
  };
}
