/**
 * "Suggest Labeling Functions from Labeled Rows" on the language server's side: the rows with gold labels (the
 * dev file's, with the user's labels over them, and sample rows the user labeled) and the sample's text go to
 * the suggester; its LFs come back as review-panel candidates. Scoring happens as for LLM candidates.
 */
import type { AnalysisEngine } from '../engine/analysisEngine.ts';
import type { Project } from '../project/projectFile.ts';
import type { SuggestLfsParams, SuggestLfsResult } from '../protocol.ts';
import { collectLabeledRows } from '../suggest/labeledRows.ts';
import { suggestionAsCandidate, suggestLfs } from '../suggest/suggest.ts';

export function suggestFromProject(engine: AnalysisEngine, project: Project, params: SuggestLfsParams): SuggestLfsResult {
  const { rows, gold, fromDev } = collectLabeledRows(engine.sampleData, engine.devData, engine.goldLabels);
  const snapshot = engine.snapshot();
  const result = suggestLfs(
    { classes: project.labels, labeled: { rows, gold }, unlabeled: engine.sampleData.rows, textField: project.textField, idField: project.idField },
    { ...(params.maxLfs ? { maxLfs: params.maxLfs } : {}), seed: params.seed ?? 0, takenNames: snapshot.lfNames },
  );
  const yours = rows.length - fromDev;
  const summary =
    `from ${rows.length} labeled rows (${fromDev} dev, ${yours} labeled by you) and ${result.unlabeledRows} sample rows: ` +
    `${result.mined} candidates mined, ${result.pruned} passed precision and coverage, ${result.lfs.length} chosen in ${result.seconds.toFixed(1)} s. ` +
    'Their dev figures are measured on the rows they were mined from, so they read high: judge them on rows you label afterwards.';
  return {
    candidates: result.lfs.map(suggestionAsCandidate),
    summary,
    file: result.file,
    labels: project.labels,
    lfFiles: project.lfFiles,
    existingNames: snapshot.lfNames,
  };
}
