/**
 * Answers the examples view: builds row tables from the engine's latest run (engine.rowsView()), runs a
 * filter over them (rowQueries.ts), orders the matches (seeded), and returns one page with every LF's vote, the
 * label model's probabilities, gold and highlights. The ordered matches of the last few questions are kept, so
 * paging, and asking again after a label was given, cost only the page.
 */
import { basename, dirname, join } from 'node:path';
import { displayValue, floatText } from '../data/exactIntegers.ts';
import type { Dataset } from '../data/types.ts';
import type { EngineRowsView } from '../engine/analysisEngine.ts';
import type { DashboardFigures, ExampleRow, ExamplesFilter, ExamplesPage, ExamplesQuery } from '../protocol.ts';
import { voteMatrixFromColumns } from '../stats/voteMatrix.ts';
import { goldWithUserLabels } from './goldLabels.ts';
import { highlightSpans, lfBlock, lfMatchers, type Matcher } from './highlight.ts';
import { classCoverage, conflictMatrix, conflictPartners, confusionMatrix, lfIndex, matchingRows, probsOfRows, QueryError, seededShuffle, type RowTable } from './rowQueries.ts';

export { QueryError } from './rowQueries.ts';

const MAX_TEXT = 5000;
const MAX_FIELD = 200;
const MAX_FIELDS = 20;
const MAX_PAGE = 500;
const CACHED_QUESTIONS = 8;

interface Tables {
  version: number;
  sample: RowTable;
  dev: RowTable | null;
  matchers: Map<number, Matcher[]>;
}

export interface HoverRow {
  text: string;
  vote: number;
  gold: number | null;
}
export interface HoverRows {
  fires: HoverRow[];
  firesTotal: number;
  wrong: HoverRow | null;
  wrongTotal: number;
  partners: { name: string; rows: number }[];
}

export class ExamplesService {
  private tables: Tables | null = null;
  private readonly answers = new Map<string, number[]>();

  constructor(
    private readonly textField: string,
    /** Shown in pages so the view can say where labels go. */
    private readonly labelsFile: string,
  ) {}

  query(view: EngineRowsView, q: ExamplesQuery): ExamplesPage {
    const started = performance.now();
    const t = this.tablesFor(view);
    checkQuery(q);
    const key = JSON.stringify([view.version, q.filter, q.order, q.seed]);
    let ordered = this.answers.get(key);
    if (!ordered) {
      ordered = this.order(t, this.matches(t, q.filter), q);
      this.answers.set(key, ordered);
      if (this.answers.size > CACHED_QUESTIONS) this.answers.delete(this.answers.keys().next().value as string);
    }
    const limit = Math.min(MAX_PAGE, Math.max(0, Math.floor(q.limit)));
    const offset = Math.max(0, Math.floor(q.offset));
    const refs = ordered.slice(offset, offset + limit);
    const pageProbs = this.pageProbs(t, refs);
    const rows = refs.map((ref) => this.row(view, t, ref, q.filter, pageProbs.get(ref) ?? null));
    return {
      version: view.version,
      total: ordered.length,
      offset,
      rows,
      lfNames: view.lfs.map((l) => l.name),
      labels: view.labels,
      title: describeFilter(q.filter, view.labels, view.lfs.filter((l) => l.name === q.filter.lf).length > 1),
      labelsFile: this.labelsFile,
      tookMs: Math.round((performance.now() - started) * 10) / 10,
    };
  }

  /** A few rows it votes on, one labeled row it gets wrong (when there is one), its main conflict partners. */
  hoverRows(view: EngineRowsView, lf: string, lfFile?: string | null): HoverRows {
    const ask = (filter: ExamplesFilter, limit: number) => this.query(view, { filter, order: 'seeded', seed: 0, offset: 0, limit });
    const fires = ask({ split: 'sample', lf, lfFile, vote: 'fires' }, 3);
    const t = this.tablesFor(view);
    const wrong = t.dev || view.userLabels.sample.size > 0 ? ask({ split: 'labeled', lf, lfFile, outcome: 'wrong' }, 1) : null;
    const j = lfIndex(t.sample, lf, lfFile);
    return {
      fires: fires.rows.map((r) => ({ text: r.text, vote: r.votes[j], gold: r.gold })),
      firesTotal: fires.total,
      wrong: wrong?.rows[0] ? { text: wrong.rows[0].text, vote: wrong.rows[0].votes[j], gold: wrong.rows[0].gold } : null,
      wrongTotal: wrong?.total ?? 0,
      partners: conflictPartners(t.sample, lf, lfFile).slice(0, 3),
    };
  }

  /** The dashboard's chart figures: class coverage and LF x LF conflicts on the sample, confusion on gold rows. */
  figures(view: EngineRowsView): DashboardFigures {
    const t = this.tablesFor(view);
    const k = view.labels.length;
    const parts = [t.dev, t.sample].filter((x): x is RowTable => x !== null);
    let confusion: number[][] | null = null;
    const balance = new Array<number>(k).fill(0);
    for (const table of parts) {
      const lazy = table as RowTable & LazyParts;
      const c = confusionMatrix(table, (rows) => (lazy.probsComputed() ? (table.probs ? probsOfRows(table.probs, rows, k) : null) : lazy.rowProbs(rows)));
      if (c) confusion = confusion ? confusion.map((row, g) => row.map((v, p) => v + c[g][p])) : c;
      for (let i = 0; i < table.ids.length; i++) if (table.gold[i] !== -1) balance[table.gold[i]]++;
    }
    const goldRows = balance.reduce((a, b) => a + b, 0);
    return {
      version: view.version,
      lfNames: view.lfs.map((l) => l.name),
      classCoverage: classCoverage(t.sample),
      conflicts: conflictMatrix(t.sample),
      confusion: goldRows > 0 ? confusion : null,
      goldClassBalance: goldRows > 0 ? balance.map((b) => b / goldRows) : null,
      goldRows,
    };
  }

  /** Matches as refs in one index space: sample rows 0..nS-1, then dev rows nS.. */
  private matches(t: Tables, filter: ExamplesFilter): number[] {
    const nS = t.sample.ids.length;
    if (filter.split === 'sample') return matchingRows(t.sample, filter);
    if (filter.split === 'dev') {
      if (!t.dev) throw new QueryError('the project has no dev set (data.dev in lfstudio.json)');
      return matchingRows(t.dev, filter).map((i) => nS + i);
    }
    // Every row with gold: the dev file's, and the sample rows the user labeled.
    const labeled = { ...filter, gold: filter.gold === undefined || filter.gold === 'any' ? ('labeled' as const) : filter.gold };
    const fromSample = matchingRows(t.sample, labeled);
    const fromDev = t.dev ? matchingRows(t.dev, labeled).map((i) => nS + i) : [];
    return [...fromDev, ...fromSample];
  }

  private order(t: Tables, refs: number[], q: ExamplesQuery): number[] {
    if (q.order === 'data') return refs;
    if (q.order === 'confidence') {
      const conf = (ref: number) => {
        const [table, i] = this.locate(t, ref);
        if (!table.probs) return 1;
        let best = 0;
        for (let c = 0; c < table.k; c++) best = Math.max(best, table.probs[i * table.k + c]);
        return best;
      };
      const withConf = refs.map((r) => [conf(r), r] as const);
      withConf.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      return withConf.map(([, r]) => r);
    }
    return seededShuffle(refs, q.seed);
  }

  /** The label model's probabilities for a page's rows: from the tables when computed, else for those rows alone. */
  private pageProbs(t: Tables, refs: number[]): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const table of [t.sample, t.dev]) {
      if (!table) continue;
      const lazy = table as RowTable & LazyParts;
      const mine = refs.filter((ref) => this.locate(t, ref)[0] === table).map((ref) => [ref, this.locate(t, ref)[1]] as const);
      if (mine.length === 0) continue;
      const k = table.k;
      const some = lazy.probsComputed() ? null : lazy.rowProbs(mine.map(([, i]) => i));
      const all = some ? null : table.probs;
      mine.forEach(([ref, i], r) => {
        const src = some ? some.subarray(r * k, (r + 1) * k) : all ? all.subarray(i * k, (i + 1) * k) : null;
        if (src) out.set(ref, Array.from(src));
      });
    }
    return out;
  }

  private locate(t: Tables, ref: number): [RowTable, number] {
    const nS = t.sample.ids.length;
    return ref < nS ? [t.sample, ref] : [t.dev as RowTable, ref - nS];
  }

  private row(view: EngineRowsView, t: Tables, ref: number, filter: ExamplesFilter, probs: number[] | null): ExampleRow {
    const [table, i] = this.locate(t, ref);
    const data = table.split === 'sample' ? view.sample : (view.dev as Dataset);
    const r = data.rows[i];
    const full = rowText(r.fields, this.textField);
    const text = full.length > MAX_TEXT ? `${full.slice(0, MAX_TEXT)}…` : full;
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(r.fields).slice(0, MAX_FIELDS + 1)) {
      if (name === this.textField || Object.keys(fields).length >= MAX_FIELDS) continue;
      const s = r.floats?.has(name) && typeof value === 'number' ? floatText(value) : displayValue(value);
      fields[name] = s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD)}…` : s;
    }
    const votes = table.columns.map((c) => c[i]);
    let highlights: [number, number][] = [];
    const lf = filter.lf ? lfIndex(t.sample, filter.lf, filter.lfFile) : -1;
    if (lf >= 0 && votes[lf] !== -1) highlights = highlightSpans(text, this.matchersFor(view, t, lf));
    return {
      split: table.split,
      index: i,
      id: r.id,
      text,
      fields,
      votes,
      probs,
      gold: table.gold[i] === -1 ? null : table.gold[i],
      goldFromUser: table.goldFromUser[i] === 1,
      highlights,
    };
  }

  private matchersFor(view: EngineRowsView, t: Tables, j: number): Matcher[] {
    const lf = view.lfs[j];
    let m = t.matchers.get(j);
    if (!m) {
      const fieldNames = Object.keys(view.sample.rows[0]?.fields ?? {});
      m = lfMatchers(lfBlock(lf.source, lf.line), lf.source, fieldNames);
      t.matchers.set(j, m);
    }
    return m;
  }

  private tablesFor(view: EngineRowsView): Tables {
    if (this.tables?.version === view.version) return this.tables;
    this.answers.clear();
    const modelCols = view.lfs.map((l, j) => (l.inModel ? j : -1)).filter((j) => j >= 0);
    const build = (split: 'sample' | 'dev', data: Dataset, votes: Int8Array[], errorIds: string[][]): RowTable => {
      const n = data.rows.length;
      // Sample files may carry labels of their own (WRENCH train files do); the figures never use them, so
      // neither does the view: on the sample only the user's labels count.
      const { gold, fromUser } = goldWithUserLabels(split === 'sample' ? { ...data, gold: null } : data, view.userLabels[split]);
      const textField = this.textField;
      // Probabilities, texts and error rows cost a pass over every row: computed when a question needs them
      // (a page alone needs the probabilities of its own rows only; see rowProbs).
      let probs: Float64Array | null | undefined;
      let lowerTexts: string[] | undefined;
      let errorRows: number[][] | undefined;
      return {
        split,
        ids: data.rows.map((r) => r.id),
        lfNames: view.lfs.map((l) => l.name),
        lfFiles: view.lfs.map((l) => l.file),
        columns: votes,
        inModel: view.lfs.map((l) => l.inModel),
        gold,
        goldFromUser: fromUser,
        k: view.labels.length,
        get probs(): Float64Array | null {
          if (probs === undefined) probs = modelProbs(view, modelCols, votes, n, null);
          return probs;
        },
        get errorRows(): number[][] {
          if (!errorRows) {
            const index = new Map(data.rows.map((r, i) => [r.id, i]));
            errorRows = errorIds.map((ids) => ids.map((id) => index.get(id)).filter((i): i is number => i !== undefined));
          }
          return errorRows;
        },
        get lowerTexts(): string[] {
          lowerTexts ??= loweredTexts(data, textField);
          return lowerTexts;
        },
        probsComputed: () => probs !== undefined,
        rowProbs: (rows: number[]) => (probs !== undefined ? null : modelProbs(view, modelCols, votes, n, rows)),
      } as RowTable & LazyParts;
    };
    const sample = build('sample', view.sample, view.lfs.map((l) => l.sampleVotes), view.lfs.map((l) => l.sampleErrorRowIds));
    const devComplete = view.dev && view.lfs.every((l) => l.devVotes);
    const dev = view.dev && devComplete ? build('dev', view.dev, view.lfs.map((l) => l.devVotes as Int8Array), view.lfs.map((l) => l.devErrorRowIds)) : null;
    this.tables = { version: view.version, sample, dev, matchers: new Map() };
    return this.tables;
  }
}

/** Extras of the service's tables: whether all probabilities exist, and those of some rows alone. */
interface LazyParts {
  probsComputed(): boolean;
  rowProbs(rows: number[]): Float64Array | null;
}

/** P(Y | votes) of the label model for all rows (`rows` null) or some rows, in that order; null without a model. */
function modelProbs(view: EngineRowsView, modelCols: number[], votes: Int8Array[], n: number, rows: number[] | null): Float64Array | null {
  if (!view.model || modelCols.length === 0 || votes.length === 0) return null;
  const columns = modelCols.map((j) => (rows ? Int8Array.from(rows, (i) => votes[j][i]) : votes[j]));
  return view.model.predictProba(voteMatrixFromColumns(rows ? rows.length : n, columns));
}

/** Lowercased row texts per dataset: they change only when the data is read again (a new Dataset). */
const lowered = new WeakMap<Dataset, { field: string; texts: string[] }>();
function loweredTexts(data: Dataset, field: string): string[] {
  const cached = lowered.get(data);
  if (cached && cached.field === field) return cached.texts;
  const texts = data.rows.map((r) => rowText(r.fields, field).toLowerCase());
  lowered.set(data, { field, texts });
  return texts;
}

/** The row's text; "" for a null text (a JSON null); all its fields, as JSON, for data without a text field. */
function rowText(fields: Record<string, unknown>, textField: string): string {
  const v = fields[textField];
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (v !== undefined) return String(v);
  return displayValue(fields);
}

function checkQuery(q: ExamplesQuery): void {
  if (!q || typeof q !== 'object' || !q.filter || !['sample', 'dev', 'labeled'].includes(q.filter.split)) {
    throw new QueryError('a query needs filter.split: "sample", "dev" or "labeled"');
  }
  if (!['seeded', 'data', 'confidence'].includes(q.order)) throw new QueryError('order must be "seeded", "data" or "confidence"');
  if (!Number.isFinite(q.seed) || !Number.isFinite(q.offset) || !Number.isFinite(q.limit)) throw new QueryError('seed, offset and limit must be numbers');
}

/** The question in words, for the view's title. */
export function describeFilter(filter: ExamplesFilter, labels: readonly string[], namesake = false): string {
  // An LF whose name another file's LF has too is told by its file and folder ("check (labeling/lfs.py)": a
  // copied lfs.py often has the same file name).
  const f = namesake && filter.lf && filter.lfFile ? { ...filter, lf: `${filter.lf} (${join(basename(dirname(filter.lfFile)), basename(filter.lfFile))})` } : filter;
  const where = f.split === 'sample' ? 'Sample rows' : f.split === 'dev' ? 'Dev rows' : 'Labeled rows';
  const label = (c: number) => labels[c] ?? String(c);
  const parts: string[] = [];
  if (f.lf) {
    if (f.vote === 'fires') parts.push(`${f.lf} votes on`);
    else if (f.vote === 'abstains') parts.push(`${f.lf} abstains on`);
    else if (typeof f.vote === 'number') parts.push(`${f.lf} votes ${label(f.vote)}`);
    if (f.overlaps) parts.push(`${f.lf} overlaps another LF`);
    if (f.conflictsWith) parts.push(`${f.lf} and ${f.conflictsWith} disagree`);
    else if (f.conflicts) parts.push(`${f.lf} conflicts with another LF`);
    if (f.outcome === 'wrong') parts.push(`${f.lf} votes wrong`);
    if (f.outcome === 'right') parts.push(`${f.lf} votes right`);
    if (f.errors) parts.push(`${f.lf} raised`);
    if (parts.length === 0) parts.push(`any vote of ${f.lf}`);
  } else {
    if (f.conflicts) parts.push('LFs disagree');
    if (f.outcome === 'wrong') parts.push('the label model is wrong');
    if (f.outcome === 'right') parts.push('the label model is right');
  }
  if (f.uncovered) parts.push('no LF votes');
  if (f.anyVote !== undefined && f.anyVote !== null) parts.push(`some LF votes ${label(f.anyVote)}`);
  if (typeof f.gold === 'number') parts.push(`gold is ${label(f.gold)}`);
  else if (f.gold === 'labeled') parts.push('with a gold label');
  else if (f.gold === 'unlabeled') parts.push('without a gold label');
  if (f.predicted !== undefined && f.predicted !== null) parts.push(`the label model says ${label(f.predicted)}`);
  if (f.maxConfidence !== undefined && f.maxConfidence !== null) parts.push(`the label model is below ${Math.round(f.maxConfidence * 100)}% sure`);
  if (f.search) parts.push(`the text contains "${f.search}"`);
  return parts.length ? `${where} where ${parts.join(', ')}` : where;
}
