/**
 * The language server's part in LLM generation: it knows the project and owns the sandbox, so it builds the
 * prompt context and scores candidates. The API key and the model call stay in the extension host.
 */
import type { AnalysisEngine } from '../engine/analysisEngine.ts';
import { DEV_KEY, SAMPLE_KEY } from '../engine/analysisEngine.ts';
import { createSandboxScorer } from '../llm/candidateScoring.ts';
import { buildGenerationContext } from '../llm/generationContext.ts';
import type { Project } from '../project/projectFile.ts';
import type { GenerationContext, GenerationContextParams, ScoreCandidatesParams, ScoreCandidatesResult } from '../protocol.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { sanitizeLine } from '../text/controlChars.ts';
import type { ScoreOutcome } from '../llm/types.ts';
import { displayScoreOutcome } from './presentation.ts';

export function generationContext(engine: AnalysisEngine, project: Project, params: GenerationContextParams): GenerationContext | null {
  const snap = engine.snapshot();
  return buildGenerationContext(
    { ...snap, labelDescriptions: project.labelDescriptions ?? {}, textField: project.textField },
    params,
  );
}

export async function scoreCandidates(
  engine: AnalysisEngine,
  executor: LfExecutor,
  project: Project,
  params: ScoreCandidatesParams,
  signal: AbortSignal,
): Promise<ScoreCandidatesResult> {
  const snap = engine.snapshot();
  await engine.prepare();
  const scorer = createSandboxScorer({
    executor,
    context: {
      labels: snap.labels,
      textField: project.textField,
      sample: snap.sample,
      dev: snap.dev,
      existingNames: snap.lfNames,
      existingSampleVotes: snap.sampleVotes,
      existingDevVotes: snap.devVotes,
    },
    sampleKey: SAMPLE_KEY,
    devKey: snap.dev ? DEV_KEY : null,
    timeoutMs: snap.timeoutMs,
  });
  const outcomes: ScoreCandidatesResult['outcomes'] = [];
  for (const candidate of params.candidates) {
    if (signal.aborted) break;
    outcomes.push(withDisplayOverlapNames(displayScoreOutcome(await scorer.score(candidate, signal))));
  }
  return { outcomes };
}

/** LF names in the per-LF overlaps pass the same sanitiser as maxOverlapWith before they reach a webview. */
function withDisplayOverlapNames(outcome: ScoreOutcome): ScoreOutcome {
  if (!outcome.ok || !outcome.score.overlaps) return outcome;
  return { ok: true, score: { ...outcome.score, overlaps: outcome.score.overlaps.map((o) => ({ ...o, name: sanitizeLine(o.name) })) } };
}
