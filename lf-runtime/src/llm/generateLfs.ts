/**
 * One generation end to end: ask the model, extract candidates, score each in the sandbox, decide, rank.
 * Front ends (CLI, language server, review panel) call this and then save the record; every step reports
 * progress and honours the AbortSignal, so cancelling the editor's progress notification stops the request.
 */
import type { LlmClient } from './anthropicClient.ts';
import { extractCandidates, type ExtractionResult, type ExtractOptions } from './candidateExtraction.ts';
import { acceptBlocker, decide, rankCandidates, resolveThresholds } from './candidateFilter.ts';
import type { CandidateScorer, ScoreOutcome } from './candidateScoring.ts';
import { LlmError } from './llmErrors.ts';
import { generationId } from './generationStore.ts';
import type { PythonParser } from './pythonSource.ts';
import type { BuiltPrompt, Candidate, GenerationRecord, ScoredCandidate, Thresholds } from './types.ts';

export type GenerationStage =
  | { stage: 'requesting' }
  | { stage: 'streaming'; characters: number }
  | { stage: 'retrying'; attempt: number; delayMs: number; reason: string }
  | { stage: 'scoring'; done: number; total: number };

export interface GenerateOptions {
  client: LlmClient;
  prompt: BuiltPrompt;
  labels: string[];
  /** LF names already in the project, so candidates get names that do not collide. */
  existingNames: string[];
  /** Null when there is nothing to run against (candidates are then listed unscored, not accepted). */
  scorer: CandidateScorer | null;
  /** Python's parser, which cuts the reply into candidates; null when no runtime runs (blocks are listed unchecked). */
  parser: PythonParser | null;
  thresholds?: Partial<Thresholds>;
  signal?: AbortSignal;
  onProgress?: (stage: GenerationStage) => void;
  now?: Date;
}

export async function generateLfs(options: GenerateOptions): Promise<GenerationRecord> {
  const thresholds = resolveThresholds(options.thresholds);
  options.onProgress?.({ stage: 'requesting' });
  const completion = await options.client.complete({
    system: options.prompt.system,
    user: options.prompt.user,
    ...(options.signal ? { signal: options.signal } : {}),
    onText: (_delta, soFar) => options.onProgress?.({ stage: 'streaming', characters: soFar.length }),
    onRetry: (info) => options.onProgress?.({ stage: 'retrying', ...info }),
  });
  const extraction = await extract(completion.text, { labels: options.labels, existingNames: options.existingNames, parser: options.parser }, options.signal);
  const scored = await scoreAll(extraction.candidates, options, thresholds);
  const truncated = completion.stopReason === 'max_tokens' ? ['The reply was cut off at the token limit; the last candidate may be incomplete.'] : [];
  return {
    version: 1,
    id: generationId(options.now),
    createdAt: (options.now ?? new Date()).toISOString(),
    model: completion.model,
    baseUrl: options.client.baseUrl,
    labels: [...options.labels],
    prompt: options.prompt,
    reply: completion.text,
    stopReason: completion.stopReason,
    usage: completion.usage,
    warnings: [...completion.warnings, ...truncated],
    problem: extraction.noUsableCode,
    thresholds,
    candidates: scored,
  };
}

/**
 * Candidates that did not come from an LLM (the suggester's) as a generation: scored, decided and ranked the
 * same way, so they go through the same review panel and are saved like one.
 */
export async function recordFromCandidates(options: {
  candidates: Candidate[];
  labels: string[];
  /** What they were made from, in words (shown in the review panel and saved). */
  summary: string;
  /** The suggested file as a whole. */
  file: string;
  scorer: CandidateScorer | null;
  thresholds?: Partial<Thresholds>;
  signal?: AbortSignal;
  onProgress?: (stage: GenerationStage) => void;
  now?: Date;
}): Promise<GenerationRecord> {
  const thresholds = resolveThresholds(options.thresholds);
  const scored = await scoreAll(options.candidates, options, thresholds);
  return {
    version: 1,
    id: generationId(options.now),
    source: 'suggester',
    createdAt: (options.now ?? new Date()).toISOString(),
    model: 'suggested from labeled rows (no LLM)',
    baseUrl: null,
    labels: [...options.labels],
    prompt: { system: '', user: options.summary, tier: 'examples', mode: 'general' },
    reply: options.file,
    stopReason: null,
    usage: null,
    warnings: [],
    problem: options.candidates.length === 0 ? `No LF passed the suggester's precision and coverage tests: ${options.summary}` : null,
    thresholds,
    candidates: scored,
  };
}

/** Candidates from a reply; cancelling while Python's parser reads it is a cancelled generation. */
async function extract(reply: string, options: Omit<ExtractOptions, 'signal'>, signal: AbortSignal | undefined): Promise<ExtractionResult> {
  try {
    return await extractCandidates(reply, { ...options, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (signal?.aborted) throw new LlmError('cancelled', 'Generation cancelled.');
    throw err;
  }
}

async function scoreAll(
  candidates: Candidate[],
  options: Pick<GenerateOptions, 'scorer' | 'signal' | 'onProgress'>,
  thresholds: Thresholds,
): Promise<ScoredCandidate[]> {
  const out: Omit<ScoredCandidate, 'rank'>[] = [];
  let done = 0;
  for (const candidate of candidates) {
    if (options.signal?.aborted) throw new LlmError('cancelled', 'Generation cancelled.');
    options.onProgress?.({ stage: 'scoring', done, total: candidates.length });
    const outcome = await scoreOne(candidate, options.scorer, options.signal);
    out.push(toScored(candidate, outcome, thresholds));
    done++;
  }
  return rankCandidates(out);
}

async function scoreOne(candidate: Candidate, scorer: CandidateScorer | null, signal?: AbortSignal): Promise<ScoreOutcome | null> {
  if (candidate.parseError || !scorer) return null;
  try {
    return await scorer.score(candidate, signal);
  } catch (err) {
    if (signal?.aborted) throw new LlmError('cancelled', 'Generation cancelled.');
    // One candidate breaking the sandbox must not lose the others.
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function toScored(candidate: Candidate, outcome: ScoreOutcome | null, thresholds: Thresholds): Omit<ScoredCandidate, 'rank'> {
  const { passed, reason } = decide(candidate, outcome, thresholds);
  const runError = outcome && !outcome.ok ? outcome.error : null;
  return { ...candidate, score: outcome?.ok ? outcome.score : null, runError, passed, reason, decision: 'pending' };
}

/**
 * The user edited a candidate in the review panel: re-extract from their text (keeping the candidate's name
 * unless they renamed it), re-score, re-decide. Other candidates keep their places; ranks are recomputed.
 */
export async function rescoreEdited(
  record: GenerationRecord,
  name: string,
  editedCode: string,
  scorer: CandidateScorer | null,
  parser: PythonParser | null,
  takenNames: string[],
  signal?: AbortSignal,
): Promise<GenerationRecord> {
  const index = record.candidates.findIndex((c) => c.name === name);
  if (index < 0) throw new Error(`no candidate named ${name} in generation ${record.id}`);
  const others = new Set([...takenNames, ...record.candidates.filter((_, i) => i !== index).map((c) => c.name)]);
  const extraction = await extract(`\`\`\`python\n${editedCode}\n\`\`\``, { labels: record.labels, existingNames: others, parser }, signal);
  const first = extraction.candidates[0];
  // Code that cannot be used keeps the candidate's name, so the panel still finds it.
  const edited: Candidate = first
    ? { ...first, name: first.parseError ? name : first.name }
    : { name, originalName: null, code: editedCode, functionCode: editedCode, support: [], parseError: 'the edited code defines no labeling function' };
  const outcome = await scoreOne(edited, scorer, signal);
  const previous = record.candidates[index] as ScoredCandidate;
  const updated = { ...toScored(edited, outcome, record.thresholds), decision: previous.decision };
  const rest = record.candidates.map(({ rank: _rank, ...c }, i) => (i === index ? updated : c));
  return { ...record, candidates: rankCandidates(rest) };
}

export function setDecision(record: GenerationRecord, name: string, decision: ScoredCandidate['decision']): GenerationRecord {
  if (!record.candidates.some((c) => c.name === name)) throw new Error(`no candidate named ${name} in generation ${record.id}`);
  return { ...record, candidates: record.candidates.map((c) => (c.name === name ? { ...c, decision } : c)) };
}

/**
 * What an Accept of `names` may insert: each named candidate that is not accepted yet and can be accepted as
 * it is (acceptBlocker). The others come back with the reason, so the host refuses them whatever the webview
 * allowed.
 */
export function planAccept(record: GenerationRecord, names: readonly string[]): { accept: ScoredCandidate[]; refused: { name: string; reason: string }[] } {
  const accept: ScoredCandidate[] = [];
  const refused: { name: string; reason: string }[] = [];
  for (const name of names) {
    const candidate = record.candidates.find((c) => c.name === name);
    if (!candidate) {
      refused.push({ name, reason: `no candidate named ${name} in generation ${record.id}` });
      continue;
    }
    const reason = candidate.decision === 'accepted' ? 'it is already accepted' : acceptBlocker(candidate);
    if (reason) refused.push({ name, reason });
    else accept.push(candidate);
  }
  return { accept, refused };
}

/** The names "Accept All Passing" means: passing, still undecided candidates. */
export function passingUndecided(record: GenerationRecord): string[] {
  return record.candidates.filter((c) => c.passed && c.decision === 'pending').map((c) => c.name);
}
