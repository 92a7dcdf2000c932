/**
 * The language server's side of the examples view: answers row queries from the engine's latest run, and
 * keeps the user's gold labels (read when the project opens or the file changes on disk, appended when the
 * user labels a row). A label changes no LF's votes, so it re-analyses without re-running anything.
 */
import { relative } from 'node:path';
import { ResponseError, ErrorCodes } from 'vscode-languageserver';
import type { AnalysisEngine } from '../engine/analysisEngine.ts';
import { appendGoldLabels, applyGoldLabel, readGoldLabels, type GoldLabels, type GoldLabelsRead } from '../examples/goldLabels.ts';
import { ExamplesService, QueryError, type HoverRows } from '../examples/examplesService.ts';
import type { Project } from '../project/projectFile.ts';
import type { DashboardFigures, ExamplesPage, ExamplesQuery, SetGoldLabelParams } from '../protocol.ts';

export class ExamplesHandlers {
  private readonly service: ExamplesService;
  /**
   * Label changes one at a time: a label appended and applied, or the file read again after a change on disk.
   * Interleaved, a read of the file from before an undo could land after the undo and bring its label back.
   */
  private labelsQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: AnalysisEngine,
    private readonly project: Project,
  ) {
    this.service = new ExamplesService(project.textField, relative(project.root, project.data.labels));
  }

  get labelsFile(): string {
    return this.project.data.labels;
  }

  /** Reads the labels file into the engine; returns problems to show (line-numbered), or none. */
  loadLabels(): Promise<string[]> {
    return this.inTurn(async () => this.useLabels(await this.readLabelsFile()));
  }

  /**
   * After the labels file changed on disk: reads it into the engine when it says something else than the
   * labels in force (a change made outside the view); null when it does not.
   */
  reloadIfChanged(): Promise<string[] | null> {
    return this.inTurn(async () => {
      const read = await this.readLabelsFile();
      return sameLabels(read.labels, this.engine.goldLabels) ? null : this.useLabels(read);
    });
  }

  private inTurn<T>(step: () => Promise<T>): Promise<T> {
    const result = this.labelsQueue.then(step, step);
    this.labelsQueue = result.catch(() => undefined);
    return result;
  }

  private readLabelsFile(): Promise<GoldLabelsRead> {
    return readGoldLabels(this.project.data.labels, this.project.cardinality);
  }

  /** Puts labels read from the file in force; returns the file's problems to show (line-numbered). */
  private useLabels(read: GoldLabelsRead): string[] {
    this.engine.setUserLabels(read.labels);
    const name = relative(this.project.root, this.project.data.labels);
    return read.problems.map((p) => `${name}:${p.line}: ${p.message}; the line is ignored`);
  }

  query(q: ExamplesQuery): ExamplesPage {
    const view = this.engine.rowsView();
    if (!view) throw new ResponseError(ErrorCodes.InvalidRequest, 'No figures yet: the labeling functions are still running.');
    try {
      return this.service.query(view, q);
    } catch (err) {
      if (err instanceof QueryError) throw new ResponseError(ErrorCodes.InvalidParams, err.message);
      throw err;
    }
  }

  /** Rows for an LF's hover: a few it votes on, one it gets wrong on labeled rows, the LFs it conflicts with most. */
  hoverRows(lf: string, file?: string): HoverRows | null {
    const view = this.engine.rowsView();
    if (!view || !view.lfs.some((l) => l.name === lf)) return null;
    try {
      return this.service.hoverRows(view, lf, file);
    } catch {
      return null; // a hover never fails for want of rows
    }
  }

  /** The dashboard's chart figures, or null before the first analysis. */
  figures(): DashboardFigures | null {
    const view = this.engine.rowsView();
    return view ? this.service.figures(view) : null;
  }

  /** Appends the decision, then applies it; returns the label the row had from the user before. */
  setLabel(params: SetGoldLabelParams): Promise<number | null> {
    // Checked at once (a bad request fails without waiting), applied in turn.
    this.checkLabel(params);
    return this.inTurn(async () => {
      const { split, id, label } = params;
      const previous = this.engine.goldLabels[split].get(id) ?? null;
      await appendGoldLabels(this.project.data.labels, [{ split, id, label }]);
      applyGoldLabel(this.engine.goldLabels, { split, id, label });
      return previous;
    });
  }

  private checkLabel(params: SetGoldLabelParams): void {
    const { split, id, label } = params;
    if (split !== 'sample' && split !== 'dev') throw new ResponseError(ErrorCodes.InvalidParams, 'split must be "sample" or "dev"');
    const data = split === 'sample' ? this.engine.sampleData : this.engine.devData;
    if (!data || !data.rows.some((r) => r.id === id)) {
      throw new ResponseError(ErrorCodes.InvalidParams, `no ${split} row with id ${JSON.stringify(id)}; the data may have changed, so re-open the rows`);
    }
    if (label !== null && !(Number.isInteger(label) && label >= 0 && label < this.project.cardinality)) {
      throw new ResponseError(ErrorCodes.InvalidParams, `label must be a class id 0..${this.project.cardinality - 1} or null`);
    }
  }
}

function sameLabels(a: GoldLabels, b: GoldLabels): boolean {
  for (const split of ['sample', 'dev'] as const) {
    if (a[split].size !== b[split].size) return false;
    for (const [id, label] of a[split]) if (b[split].get(id) !== label) return false;
  }
  return true;
}
