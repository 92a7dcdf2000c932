/**
 * The language server's part in LLM generation: it knows the project and owns the sandbox, so it builds the
 * prompt context and scores candidates. The API key and the model call stay in the extension host.
 */
import type { AnalysisEngine } from '../engine/analysisEngine.ts';
import { DEV_KEY, SAMPLE_KEY } from '../engine/analysisEngine.ts';
import { createSandboxScorer } from '../llm/candidateScoring.ts';
import { buildGenerationContext } from '../llm/generationContext.ts';
import { asPythonParser, type PythonParser } from '../llm/pythonSource.ts';
import type { Project } from '../project/projectFile.ts';
import type { GenerationContext, GenerationContextParams, PythonStructureParams, PythonStructureResult, ScoreCandidatesParams, ScoreCandidatesResult } from '../protocol.ts';
import { RuntimeRouter } from '../sandbox/runtimeRouter.ts';
import type { LfExecutor } from '../sandbox/types.ts';
import { sanitizeLine } from '../text/controlChars.ts';
import type { ScoreOutcome } from '../llm/types.ts';
import { displayScoreOutcome } from './presentation.ts';

/** `sandbox`: the pyodide executor, whose parser reads the project's LF files. */
export async function generationContext(
  engine: AnalysisEngine,
  sandbox: LfExecutor,
  project: Project,
  params: GenerationContextParams,
  signal?: AbortSignal,
): Promise<GenerationContext | null> {
  const snap = engine.snapshot();
  return buildGenerationContext({ ...snap, labelDescriptions: project.labelDescriptions ?? {}, textField: project.textField }, params, parserOf(sandbox), signal);
}

const MAX_SOURCES = 64;
const MAX_SOURCE_CHARS = 2_000_000;

/** Python's parser over the client's texts (PythonStructureRequest), in the pyodide sandbox. */
export async function pythonStructure(sandbox: LfExecutor, params: PythonStructureParams, signal?: AbortSignal): Promise<PythonStructureResult> {
  const sources: unknown = params?.sources;
  if (!Array.isArray(sources) || sources.length > MAX_SOURCES || sources.some((s) => typeof s !== 'string' || s.length > MAX_SOURCE_CHARS)) {
    throw new Error(`pythonStructure: sources must be at most ${MAX_SOURCES} strings of at most ${MAX_SOURCE_CHARS} characters`);
  }
  return { outcomes: await parserOf(sandbox).parsePython(sources as string[], signal) };
}

/** LLM candidates always run, and texts are parsed, in the pyodide sandbox, never in the user's own Python. */
export function sandboxOf(executor: LfExecutor): LfExecutor {
  return executor instanceof RuntimeRouter ? executor.sandboxOnly : executor;
}

/** An AbortSignal that follows an LSP request's cancellation. */
export function abortOn(token: { isCancellationRequested: boolean; onCancellationRequested(listener: () => void): unknown }): AbortSignal {
  const abort = new AbortController();
  if (token.isCancellationRequested) abort.abort();
  else token.onCancellationRequested(() => abort.abort());
  return abort.signal;
}

function parserOf(executor: LfExecutor): PythonParser {
  const parser = asPythonParser(executor);
  if (!parser) throw new Error('The LF runtime cannot parse Python here.');
  return parser;
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
