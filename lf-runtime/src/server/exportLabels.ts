/**
 * "LF Studio: Export Labels" on the language server's side: the project's training labels for the sample,
 * from the votes and the label model behind the figures the editor shows (the same rows, ids, classes and
 * format as `lf-studio label --project`, so a file exported here equals one the CLI writes for the sample).
 */
import type { AnalysisEngine } from '../engine/analysisEngine.ts';
import { labelFormatOf, writeLabels } from '../export/labelWriter.ts';
import type { ExportLabelsParams, ExportLabelsResult } from '../protocol.ts';
import { voteMatrixFromColumns } from '../stats/voteMatrix.ts';

export class ExportError extends Error {}

export function exportSampleLabels(engine: AnalysisEngine, params: ExportLabelsParams, isCancelled: () => boolean): ExportLabelsResult {
  const view = engine.rowsView();
  if (!view) throw new ExportError('No figures yet: wait until the labeling functions have run, then export.');
  const format = labelFormatOf(params.out);
  if (!format) throw new ExportError(`${params.out}: choose a .jsonl, .ndjson or .csv file name`);
  const lfs = view.lfs.filter((l) => l.inModel);
  if (lfs.length === 0 || !view.model) throw new ExportError('No labeling function votes yet (or none is in the label model): there is nothing to export.');
  const n = view.sample.rows.length;
  const L = voteMatrixFromColumns(n, lfs.map((l) => l.sampleVotes));
  const probs = view.model.predictProba(L);
  const labels = view.model.predict(L, 'prior');
  let covered = 0;
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let j = 0; j < L.m && !any; j++) any = L.data[i * L.m + j] !== -1;
    if (any) covered++;
    else if (params.uncovered === 'abstain') labels[i] = -1;
  }
  if (isCancelled()) throw new ExportError('cancelled');
  writeLabels(params.out, format, { ids: view.sample.rows.map((r) => r.id), classes: view.labels, lfNames: lfs.map((l) => l.name), probs, labels, votes: L });
  const counts = new Array<number>(view.labels.length).fill(0);
  for (const y of labels) if (y >= 0) counts[y]++;
  return { out: params.out, rows: n, covered, lfs: lfs.length, model: view.model.name, labelCounts: counts };
}
