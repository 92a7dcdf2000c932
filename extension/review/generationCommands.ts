/**
 * The editor's generation commands: Generate Labeling Functions (general, for uncovered rows, or to improve
 * one LF), Set Anthropic API Key, and Open Saved Generation. The key lives in SecretStorage (ANTHROPIC_API_KEY
 * as a fallback) and is used only here, in the extension host: the language server and the LF sandbox only
 * ever receive candidate code to score. Where the key is sent is decided by Config.llm() (user settings only).
 * Failures are thrown to the command table (commands.ts), which shows each one once.
 *
 * A generation runs in three steps: ask (the user's choices), generate (prompt, model, scoring, under a
 * cancellable progress notification), show (save, report, open the review panel).
 */
import * as vscode from 'vscode';
import {
  GenerationContextRequest,
  PythonStructureRequest,
  ScoreCandidatesRequest,
  SuggestLfsRequest,
  type GenerationContext,
  type GenerationContextParams,
} from '../../lf-runtime/src/protocol.ts';
import { createAnthropicClient } from '../../lf-runtime/src/llm/anthropicClient.ts';
import type { CandidateScorer } from '../../lf-runtime/src/llm/candidateScoring.ts';
import { generateLfs, recordFromCandidates, type GenerationStage } from '../../lf-runtime/src/llm/generateLfs.ts';
import { listGenerations, loadGeneration, saveGeneration } from '../../lf-runtime/src/llm/generationStore.ts';
import { missingKeyError } from '../../lf-runtime/src/llm/llmErrors.ts';
import { formatUsage } from '../../lf-runtime/src/llm/modelPrices.ts';
import { buildPrompt } from '../../lf-runtime/src/llm/promptBuilder.ts';
import type { PythonParser } from '../../lf-runtime/src/llm/pythonSource.ts';
import { PROMPT_TIERS, type GenerationRecord, type PromptMode, type PromptTier } from '../../lf-runtime/src/llm/types.ts';
import type { LlmSettings } from '../config.ts';
import type { Ctx } from '../ctx.ts';
import { UserFacingError } from '../failures.ts';
import { ReviewPanel } from './reviewPanel.ts';

const SECRET_KEY = 'lfStudio.anthropicApiKey';

const TIER_LABELS: Record<PromptTier, string> = {
  task: 'Task only',
  labels: 'Task + label descriptions',
  examples: 'Task + labels + example rows',
  lfs: 'Task + labels + examples + existing LFs as style',
  heuristics: 'Everything, plus your own heuristics',
};

type GenerationMode = GenerationContextParams['mode'];

/** Everything the user chose, plus what the generation needs from the editor. */
interface GenerationRequest {
  key: string;
  mode: GenerationMode;
  lfName: string | undefined;
  tier: PromptTier;
  heuristics: string;
  llm: LlmSettings;
  root: string;
}

interface GenerationOutcome {
  record: GenerationRecord;
  /** The project's LF files (where Accept inserts) and LF names, as the generation saw them. */
  lfFiles: string[];
  names: string[];
}

export async function setAnthropicApiKey(ctx: Ctx): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: 'Anthropic API key',
    prompt: 'Stored in VS Code SecretStorage on this machine; never written to settings or logs.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Paste a key, or press Escape to cancel.' : null),
  });
  if (key === undefined) return;
  await ctx.extension.secrets.store(SECRET_KEY, key.trim());
  void vscode.window.showInformationMessage('LF Studio: Anthropic API key saved.');
}

export async function generate(ctx: Ctx, mode: GenerationMode, lfName?: string): Promise<void> {
  const request = await askForGeneration(ctx, mode, lfName);
  if (!request) return;
  const outcome = await runGeneration(ctx, request);
  await showGeneration(ctx, request, outcome);
}

/**
 * "Suggest Labeling Functions from Labeled Rows": LFs mined from the rows with gold labels, without an LLM or
 * a key; scored, saved and reviewed exactly like a generation.
 */
export async function suggestFromLabeledRows(ctx: Ctx): Promise<void> {
  const root = workspaceRoot();
  const client = ctx.runningClient();
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'LF Studio: suggesting labeling functions from labeled rows', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      progress.report({ message: 'mining the labeled rows…' });
      let suggested;
      try {
        suggested = await client.sendRequest(SuggestLfsRequest, {}, token);
      } catch (err) {
        // Cancel while the rows are mined is the user's choice, not a failure.
        if (token.isCancellationRequested) return null;
        throw err;
      }
      const record = await recordFromCandidates({
        candidates: suggested.candidates,
        labels: suggested.labels,
        summary: suggested.summary,
        file: suggested.file,
        scorer: remoteScorer(ctx),
        thresholds: ctx.config.llm().thresholds,
        signal: abort.signal,
        onProgress: (stage) => progress.report({ message: stage.stage === 'scoring' ? `scoring suggestion ${stage.done + 1} of ${stage.total}…` : '' }),
      });
      return { record, lfFiles: suggested.lfFiles, names: suggested.existingNames };
    },
  );
  if (outcome === null) return;
  const path = await saveGeneration(root, outcome.record, []);
  ctx.output.info(`Suggestions saved to ${path}: ${outcome.record.prompt.user}`);
  if (outcome.record.problem) void vscode.window.showWarningMessage(`LF Studio: ${outcome.record.problem}`);
  showReviewPanel(ctx, outcome.record, outcome.lfFiles, outcome.names, root);
}

export async function openSavedGeneration(ctx: Ctx): Promise<void> {
  const root = workspaceRoot();
  const files = await listGenerations(root);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('LF Studio: no saved generations yet in .lfstudio/generations/.');
    return;
  }
  const pick = await vscode.window.showQuickPick(files.map((f) => ({ label: f.split(/[\\/]/).pop() ?? f, file: f })), { title: 'Open a saved generation' });
  if (!pick) return;
  const record = await loadGeneration(pick.file);
  const project = ctx.client?.isRunning() ? await ctx.client.sendRequest(GenerationContextRequest, { tier: 'task', mode: 'general' }) : null;
  showReviewPanel(ctx, record, project?.lfFiles ?? [], project?.existingNames ?? [], root);
}

/** Step 1: the key, the LF to improve, how much context, the user's heuristics. Undefined when cancelled. */
async function askForGeneration(ctx: Ctx, mode: GenerationMode, lfName: string | undefined): Promise<GenerationRequest | undefined> {
  const key = (await ctx.extension.secrets.get(SECRET_KEY))?.trim() || process.env.ANTHROPIC_API_KEY?.trim();
  if (!key) throw missingKeyError();
  const root = workspaceRoot();
  ctx.runningClient(); // fail before asking anything when there is no runtime to score with
  if (mode === 'improve' && !lfName) {
    lfName = await vscode.window.showInputBox({ title: 'Improve which labeling function?', prompt: 'Its function name' });
    if (!lfName) return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    PROMPT_TIERS.map((t) => ({ label: TIER_LABELS[t], tier: t })),
    { title: 'How much context should the prompt give?', placeHolder: 'More context costs more tokens' },
  );
  if (!picked) return undefined;
  let heuristics = '';
  if (picked.tier === 'heuristics') {
    heuristics = (await vscode.window.showInputBox({ title: 'Your heuristics', prompt: 'e.g. "comments with URLs are spam"', ignoreFocusOut: true })) ?? '';
  }
  return { key, mode, lfName, tier: picked.tier, heuristics, llm: ctx.config.llm(), root };
}

/** Step 2: project context, prompt, model call and scoring, cancellable from the progress notification. */
async function runGeneration(ctx: Ctx, request: GenerationRequest): Promise<GenerationOutcome> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'LF Studio: generating labeling functions', cancellable: true },
    async (progress, token) => {
      // Cancelling the notification aborts the model request and any scoring in flight.
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      progress.report({ message: 'reading the project…' });
      const { mode, lfName, tier } = request;
      const project = await ctx.runningClient().sendRequest(GenerationContextRequest, { tier, mode, ...(lfName ? { lfName } : {}) }, token);
      if (!project) throw new UserFacingError('The project is not loaded (no lfstudio.json, or it has problems): see the LF Studio output.');
      const record = await generateLfs({
        client: createAnthropicClient({ apiKey: request.key, model: request.llm.model, baseUrl: request.llm.baseUrl }),
        prompt: promptFor(request, project),
        labels: project.labels,
        existingNames: project.existingNames,
        scorer: remoteScorer(ctx),
        parser: remoteParser(ctx),
        thresholds: request.llm.thresholds,
        signal: abort.signal,
        onProgress: (stage) => progress.report({ message: progressMessage(stage, request.llm.model) }),
      });
      return { record, lfFiles: project.lfFiles, names: project.existingNames };
    },
  );
}

function promptFor(request: GenerationRequest, project: GenerationContext): ReturnType<typeof buildPrompt> {
  const mode: PromptMode =
    request.mode === 'uncovered'
      ? { kind: 'uncovered', rows: project.uncoveredRows }
      : request.mode === 'improve' && project.improveTarget
        ? { kind: 'improve', target: project.improveTarget }
        : { kind: 'general' };
  return buildPrompt({
    task: project.task,
    labels: project.labels,
    labelDescriptions: project.labelDescriptions,
    tier: request.tier,
    mode,
    examples: project.examples,
    existingLfs: project.existingLfs,
    heuristics: request.heuristics,
    count: request.mode === 'improve' ? Math.min(request.llm.candidates, 3) : request.llm.candidates,
    textField: project.textField,
  });
}

function progressMessage(p: GenerationStage, model: string): string {
  switch (p.stage) {
    case 'requesting':
      return `asking ${model}…`;
    case 'streaming':
      return `receiving (${p.characters} characters)…`;
    case 'retrying':
      return `${p.reason} Retrying in ${(p.delayMs / 1000).toFixed(0)} s…`;
    case 'scoring':
      return `scoring candidate ${p.done + 1} of ${p.total}…`;
  }
}

/** Step 3: save (the key scrubbed), say what came of it, open the review panel. */
async function showGeneration(ctx: Ctx, request: GenerationRequest, { record, lfFiles, names }: GenerationOutcome): Promise<void> {
  const path = await saveGeneration(request.root, record, [request.key]);
  ctx.output.info(`Generation saved to ${path}`);
  for (const w of record.warnings) void vscode.window.showWarningMessage(`LF Studio: ${w}`);
  if (record.problem) void vscode.window.showWarningMessage(`LF Studio: ${record.problem}`);
  const usage = record.usage ? formatUsage(record.usage, record.model) : 'usage unknown';
  const passed = record.candidates.filter((c) => c.passed).length;
  vscode.window.setStatusBarMessage(`LF Studio: ${passed}/${record.candidates.length} candidates pass · ${usage}`, 15_000);
  ctx.output.info(`Generation ${record.id}: ${usage}`);
  showReviewPanel(ctx, record, lfFiles, names, request.root);
}

function showReviewPanel(ctx: Ctx, record: GenerationRecord, lfFiles: string[], names: string[], root: string): void {
  ReviewPanel.show(record, lfFiles, {
    extensionUri: ctx.extension.extensionUri,
    workspaceRoot: root,
    scorer: () => (ctx.client?.isRunning() ? remoteScorer(ctx) : null),
    parser: () => (ctx.client?.isRunning() ? remoteParser(ctx) : null),
    projectLfNames: () => names,
    output: ctx.output,
  });
}

/** Scores one candidate at a time through the language server, cancellable from an AbortSignal. */
function remoteScorer(ctx: Ctx): CandidateScorer {
  return {
    async score(candidate, signal) {
      const client = ctx.runningClient();
      const source = new vscode.CancellationTokenSource();
      signal?.addEventListener('abort', () => source.cancel(), { once: true });
      try {
        const result = await client.sendRequest(ScoreCandidatesRequest, { candidates: [candidate] }, source.token);
        return result.outcomes[0] ?? { ok: false, error: 'the runtime returned no score' };
      } finally {
        source.dispose();
      }
    },
  };
}

/** Python's parser in the language server's sandbox: the extension never runs Python itself. */
function remoteParser(ctx: Ctx): PythonParser {
  return {
    async parsePython(sources, signal) {
      const client = ctx.runningClient();
      const source = new vscode.CancellationTokenSource();
      signal?.addEventListener('abort', () => source.cancel(), { once: true });
      try {
        return (await client.sendRequest(PythonStructureRequest, { sources: [...sources] }, source.token)).outcomes;
      } finally {
        source.dispose();
      }
    },
  };
}

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new UserFacingError('Open the folder that holds lfstudio.json first: generations are saved inside it.');
  return folder.uri.fsPath;
}
