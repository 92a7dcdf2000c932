/**
 * Scores candidate LFs the way the editor scores the user's own: run in the sandbox on the sample and dev
 * rows, then LFAnalysis-style figures against the existing LFs' votes and a label model fitted with and
 * without the candidate. The figures are a pure function of vote columns (`scoreVotes`), so they are tested
 * without a sandbox; `createSandboxScorer` adds the running part behind the `CandidateScorer` interface.
 */
import type { Dataset } from '../data/types.ts';
import { fitDefault } from '../labelModel/defaultModel.ts';
import type { FittedLabelModel, VoteMatrix } from '../labelModel/types.ts';
import type { LfExecutor, LfRunResult } from '../sandbox/types.ts';
import { totalCoverage } from '../stats/lfAnalysis.ts';
import { voteMatrixFromColumns } from '../stats/voteMatrix.ts';
import { textOf } from './promptBuilder.ts';
import type { Candidate, CandidateScore, LfOverlap, ScoreOutcome } from './types.ts';

/** The project as the candidates will join it: data plus the existing LFs' votes, column per LF. */
export interface ScoringContext {
  labels: string[];
  textField: string;
  sample: Dataset;
  dev: Dataset | null;
  existingNames: string[];
  existingSampleVotes: Int8Array[];
  /** Same order as existingSampleVotes; null without a dev set. */
  existingDevVotes: Int8Array[] | null;
}

export type LabelModelFitter = (L: VoteMatrix, k: number) => FittedLabelModel;

export type { ScoreOutcome } from './types.ts';

export interface CandidateScorer {
  score(candidate: Candidate, signal?: AbortSignal): Promise<ScoreOutcome>;
}

const EXAMPLE_ROWS = 5;

/** Votes of a candidate on the sample (and dev) rows, plus how the run went. */
export interface CandidateVotes {
  sample: Int8Array;
  dev: Int8Array | null;
  errors: number;
  firstError: string | null;
  timedOut: boolean;
}

/**
 * Caches the label model fitted on the existing LFs alone, which every candidate is compared against.
 * The project's default label model by default, so candidates are judged the way the editor judges LFs.
 */
export class VoteScorer {
  private baseline: { devAccuracy: number | null; coverage: number } | null = null;
  private existingFigures: { votes: number; devCorrect: number | null; devVotes: number | null }[] | null = null;

  constructor(
    private readonly context: ScoringContext,
    private readonly fit: LabelModelFitter = (L, k) => fitDefault(L, k, { seed: 1 }).model,
  ) {}

  scoreVotes(votes: CandidateVotes): CandidateScore {
    const { sample, dev, existingSampleVotes, existingDevVotes, existingNames } = this.context;
    const k = this.context.labels.length;
    const n = sample.rows.length;
    const mine = votes.sample;
    let voted = 0;
    let conflicted = 0;
    const both = new Array<number>(existingSampleVotes.length).fill(0);
    const polarity = new Set<number>();
    for (let i = 0; i < n; i++) {
      const v = mine[i] as number;
      if (v === -1) continue;
      voted++;
      polarity.add(v);
      let conflict = false;
      existingSampleVotes.forEach((col, j) => {
        const w = col[i] as number;
        if (w === -1) return;
        both[j] = (both[j] as number) + 1;
        if (w !== v) conflict = true;
      });
      if (conflict) conflicted++;
    }
    let maxOverlap = 0;
    let maxOverlapWith: string | null = null;
    const existing = this.existingLfFigures();
    const overlaps: LfOverlap[] = [];
    both.forEach((count, j) => {
      const overlap = voted > 0 ? count / voted : 0;
      if (overlap > maxOverlap) {
        maxOverlap = overlap;
        maxOverlapWith = existingNames[j] ?? null;
      }
      const figures = existing[j];
      if (count > 0 && figures) overlaps.push({ name: existingNames[j] ?? `LF ${j + 1}`, share: overlap, ...figures });
    });
    overlaps.sort((a, b) => b.share - a.share);

    const gold = dev?.gold ?? null;
    let devVotes = 0;
    let devCorrect = 0;
    if (votes.dev && gold) {
      votes.dev.forEach((v, i) => {
        if (v === -1 || gold[i] === null || gold[i] === undefined) return;
        devVotes++;
        if (v === gold[i]) devCorrect++;
      });
    }

    const baseline = this.baselineFigures();
    const withMe = this.labelModelFigures([...existingSampleVotes, mine], votes.dev && existingDevVotes ? [...existingDevVotes, votes.dev] : null);
    return {
      coverage: n > 0 ? voted / n : 0,
      estimatedAccuracy: withMe.estimatedAccuracy,
      devAccuracy: devVotes > 0 ? devCorrect / devVotes : null,
      devVotes,
      devCorrect,
      maxOverlap,
      maxOverlapWith,
      overlaps,
      rows: n,
      votes: voted,
      conflict: n > 0 ? conflicted / n : 0,
      deltaLabelModelAccuracy:
        withMe.devAccuracy !== null && baseline.devAccuracy !== null ? withMe.devAccuracy - baseline.devAccuracy : null,
      deltaCoverage: withMe.coverage - baseline.coverage,
      polarity: [...polarity].sort((a, b) => a - b),
      errors: votes.errors,
      firstError: votes.firstError,
      timedOut: votes.timedOut,
      exampleRows: this.exampleRows(votes, k),
    };
  }

  /** Per existing LF: sample rows it votes on, and its dev precision counts (null without a dev set). */
  private existingLfFigures(): { votes: number; devCorrect: number | null; devVotes: number | null }[] {
    this.existingFigures ??= (() => {
      const { existingSampleVotes, existingDevVotes, dev } = this.context;
      const gold = dev?.gold ?? null;
      return existingSampleVotes.map((col, j) => {
        let votes = 0;
        for (const v of col) if (v !== -1) votes++;
        const devCol = existingDevVotes?.[j];
        if (!gold || !devCol) return { votes, devCorrect: null, devVotes: null };
        let devVotes = 0;
        let devCorrect = 0;
        devCol.forEach((v, i) => {
          if (v === -1 || gold[i] === null || gold[i] === undefined) return;
          devVotes++;
          if (v === gold[i]) devCorrect++;
        });
        return { votes, devCorrect, devVotes };
      });
    })();
    return this.existingFigures;
  }

  private baselineFigures(): { devAccuracy: number | null; coverage: number } {
    this.baseline ??= (() => {
      const { existingSampleVotes, existingDevVotes } = this.context;
      if (existingSampleVotes.length === 0) return { devAccuracy: null, coverage: 0 };
      const f = this.labelModelFigures(existingSampleVotes, existingDevVotes);
      return { devAccuracy: f.devAccuracy, coverage: f.coverage };
    })();
    return this.baseline;
  }

  /** Fits on the sample; accuracy of the last LF when voting, and of the model's labels on the dev set. */
  private labelModelFigures(sampleColumns: Int8Array[], devColumns: Int8Array[] | null): { estimatedAccuracy: number | null; devAccuracy: number | null; coverage: number } {
    const { sample, dev, labels } = this.context;
    const L = voteMatrixFromColumns(sample.rows.length, sampleColumns);
    const coverage = L.n > 0 ? totalCoverage(L) : 0;
    let model: FittedLabelModel;
    try {
      model = this.fit(L, labels.length);
    } catch {
      // A degenerate matrix (e.g. no votes at all) has no estimate; the other figures still stand.
      return { estimatedAccuracy: null, devAccuracy: null, coverage };
    }
    const estimatedAccuracy = model.accuracyWhenVoting[sampleColumns.length - 1] ?? null;
    const gold = dev?.gold ?? null;
    if (!dev || !gold || !devColumns) return { estimatedAccuracy, devAccuracy: null, coverage };
    const predictions = model.predict(voteMatrixFromColumns(dev.rows.length, devColumns), 'prior');
    let right = 0;
    let counted = 0;
    predictions.forEach((p, i) => {
      if (gold[i] === null || gold[i] === undefined) return;
      counted++;
      if (p === gold[i]) right++;
    });
    return { estimatedAccuracy, devAccuracy: counted > 0 ? right / counted : null, coverage };
  }

  /** Rows it votes on, from the dev set first (they show whether the vote was right). */
  private exampleRows(votes: CandidateVotes, _k: number): CandidateScore['exampleRows'] {
    const out: CandidateScore['exampleRows'] = [];
    const { dev, sample, textField } = this.context;
    const take = (data: Dataset, column: Int8Array | null): void => {
      if (!column) return;
      for (let i = 0; i < column.length && out.length < EXAMPLE_ROWS; i++) {
        const vote = column[i] as number;
        const row = data.rows[i];
        if (vote === -1 || !row) continue;
        out.push({ id: row.id, text: textOf(row, textField), vote, gold: data.gold?.[i] ?? null });
      }
    };
    if (dev) take(dev, votes.dev);
    take(sample, votes.sample);
    return out;
  }
}

export interface SandboxScorerOptions {
  executor: LfExecutor;
  context: ScoringContext;
  /** Keys under which the sample and dev rows were given to executor.loadRows. */
  sampleKey: string;
  devKey: string | null;
  timeoutMs: number;
  fit?: LabelModelFitter;
}

/** Runs each candidate's self-contained module in the sandbox, then scores its votes. */
export function createSandboxScorer(options: SandboxScorerOptions): CandidateScorer {
  const votes = new VoteScorer(options.context, options.fit);
  const cardinality = options.context.labels.length;
  return {
    async score(candidate, signal) {
      if (candidate.parseError) return { ok: false, error: candidate.parseError };
      const file = `generated/${candidate.name}.py`;
      const base = { file, source: candidate.code, cardinality, timeoutMs: options.timeoutMs, ...(signal ? { signal } : {}) };
      // Each candidate is a unit of trust of its own: fresh sandbox workers serve its sample and dev runs.
      const withDev = Boolean(options.devKey && options.context.dev);
      const keys = withDev ? [options.sampleKey, options.devKey!] : [options.sampleKey];
      const [sampleRun, unitDevRun] = options.executor.runUnit
        ? await options.executor.runUnit({ ...base, datasetKeys: keys })
        : [await options.executor.runFile({ ...base, datasetKey: options.sampleKey })];
      if (sampleRun!.fileError) return { ok: false, error: `${sampleRun!.fileError.kind}: ${sampleRun!.fileError.message}` };
      const lf = pickRun(sampleRun!.lfs, candidate.name);
      if (!lf) return { ok: false, error: `the code defines no labeling function named ${candidate.name}` };
      let devVotes: Int8Array | null = null;
      if (withDev) {
        const devRun = unitDevRun ?? (await options.executor.runFile({ ...base, datasetKey: options.devKey! }));
        devVotes = devRun.fileError ? null : (pickRun(devRun.lfs, candidate.name)?.votes ?? null);
      }
      const score = votes.scoreVotes({
        sample: lf.votes,
        dev: devVotes,
        errors: lf.errors,
        firstError: lf.firstError ? lf.firstError.message : null,
        timedOut: lf.timedOut,
      });
      return { ok: true, score };
    },
  };
}

function pickRun(lfs: LfRunResult[], name: string): LfRunResult | undefined {
  return lfs.find((l) => l.name === name) ?? (lfs.length === 1 ? lfs[0] : undefined);
}
