/**
 * The editor's generation commands: Generate Labeling Functions (general, for uncovered rows, or to improve
 * one LF), Set Anthropic API Key, and Open Saved Generation. The key lives in SecretStorage (ANTHROPIC_API_KEY
 * as a fallback) and is used only here, in the extension host: the language server and the LF sandbox only
 * ever receive candidate code to score.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import {
  GenerationContextRequest,
  ScoreCandidatesRequest,
  type GenerationContext,
  type GenerationContextParams,
  type ScoreCandidatesResult,
} from '../../lf-runtime/src/protocol.ts';
import { createAnthropicClient } from '../../lf-runtime/src/llm/anthropicClient.ts';
import type { CandidateScorer } from '../../lf-runtime/src/llm/candidateScoring.ts';
import { generateLfs } from '../../lf-runtime/src/llm/generateLfs.ts';
import { listGenerations, loadGeneration, saveGeneration } from '../../lf-runtime/src/llm/generationStore.ts';
import { LlmError } from '../../lf-runtime/src/llm/llmErrors.ts';
import { DEFAULT_MODEL, formatUsage } from '../../lf-runtime/src/llm/modelPrices.ts';
import { buildPrompt } from '../../lf-runtime/src/llm/promptBuilder.ts';
import { PROMPT_TIERS } from '../../lf-runtime/src/llm/types.ts';
import type { PromptMode, PromptTier } from '../../lf-runtime/src/llm/types.ts';
import { ReviewPanel } from './reviewPanel.ts';

export interface GenerationCommandDeps {
  /** The running language client, or null while the server is down. */
  client: () => BaseLanguageClient | null;
  output: vscode.LogOutputChannel;
}

const SECRET_KEY = 'lfStudio.anthropicApiKey';
const SET_KEY = 'Set API Key';

const TIER_LABELS: Record<PromptTier, string> = {
  task: 'Task only',
  labels: 'Task + label descriptions',
  examples: 'Task + labels + example rows',
  lfs: 'Task + labels + examples + existing LFs as style',
  heuristics: 'Everything, plus your own heuristics',
};

export function registerGenerationCommands(context: vscode.ExtensionContext, deps: GenerationCommandDeps): void {
  const run = (id: string, fn: (...args: unknown[]) => Promise<void>): vscode.Disposable =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => fn(...args).catch((err: unknown) => showFailure(err, deps)));
  context.subscriptions.push(
    run('lfStudio.generateLfs', () => generate(context, deps, 'general')),
    run('lfStudio.generateLfsForUncovered', () => generate(context, deps, 'uncovered')),
    // Arguments come from a CodeLens or code action: the LF's name.
    run('lfStudio.improveLf', (name) => generate(context, deps, 'improve', typeof name === 'string' ? name : undefined)),
    run('lfStudio.setAnthropicApiKey', () => setKey(context)),
    run('lfStudio.openGeneration', () => openSaved(context, deps)),
  );
}

async function setKey(context: vscode.ExtensionContext): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: 'Anthropic API key',
    prompt: 'Stored in VS Code SecretStorage on this machine; never written to settings or logs.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Paste a key, or press Escape to cancel.' : null),
  });
  if (key === undefined) return;
  await context.secrets.store(SECRET_KEY, key.trim());
  void vscode.window.showInformationMessage('LF Studio: Anthropic API key saved.');
}

async function apiKey(context: vscode.ExtensionContext): Promise<string | null> {
  return (await context.secrets.get(SECRET_KEY))?.trim() || process.env.ANTHROPIC_API_KEY?.trim() || null;
}

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('Open the folder that holds lfstudio.json first: generations are saved inside it.');
  return folder.uri.fsPath;
}

function languageClient(deps: GenerationCommandDeps): BaseLanguageClient {
  const client = deps.client();
  if (!client) throw new Error('The LF Studio runtime is not running; run "LF Studio: Restart Runtime" and try again.');
  return client;
}

async function generate(context: vscode.ExtensionContext, deps: GenerationCommandDeps, mode: GenerationContextParams['mode'], lfName?: string): Promise<void> {
  const key = await apiKey(context);
  if (!key) throw new LlmError('missing-key', 'No Anthropic API key is set.');
  if (mode === 'improve' && !lfName) {
    lfName = await vscode.window.showInputBox({ title: 'Improve which labeling function?', prompt: 'Its function name' });
    if (!lfName) return;
  }
  const picked = await vscode.window.showQuickPick(
    PROMPT_TIERS.map((t) => ({ label: TIER_LABELS[t], tier: t })),
    { title: 'How much context should the prompt give?', placeHolder: 'More context costs more tokens' },
  );
  if (!picked) return;
  let heuristics = '';
  if (picked.tier === 'heuristics') {
    heuristics = (await vscode.window.showInputBox({ title: 'Your heuristics', prompt: 'e.g. "comments with URLs are spam"', ignoreFocusOut: true })) ?? '';
  }
  const settings = vscode.workspace.getConfiguration('lfStudio.llm');
  const model = settings.get<string>('model', DEFAULT_MODEL) || DEFAULT_MODEL;
  const baseUrl = settings.get<string>('baseUrl', '') || process.env.ANTHROPIC_BASE_URL || null;
  const count = settings.get<number>('candidates', 5);
  const thresholds = { minDevAccuracy: settings.get<number>('minDevAccuracy', 0.6), maxOverlap: settings.get<number>('maxOverlap', 0.95) };
  const root = workspaceRoot();
  const lsp = languageClient(deps);

  const record = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'LF Studio: generating labeling functions', cancellable: true },
    async (progress, token) => {
      // Cancelling the notification aborts the model request and any scoring in flight.
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      progress.report({ message: 'reading the project…' });
      const ctx = await lsp.sendRequest<GenerationContext | null>(GenerationContextRequest, { tier: picked.tier, mode, ...(lfName ? { lfName } : {}) }, token);
      if (!ctx) throw new Error('The project is not loaded (no lfstudio.json, or it has problems): see the LF Studio output.');
      const promptMode: PromptMode =
        mode === 'uncovered' ? { kind: 'uncovered', rows: ctx.uncoveredRows } : mode === 'improve' && ctx.improveTarget ? { kind: 'improve', target: ctx.improveTarget } : { kind: 'general' };
      const prompt = buildPrompt({
        task: ctx.task,
        labels: ctx.labels,
        labelDescriptions: ctx.labelDescriptions,
        tier: picked.tier,
        mode: promptMode,
        examples: ctx.examples,
        existingLfs: ctx.existingLfs,
        heuristics,
        count: mode === 'improve' ? Math.min(count, 3) : count,
        textField: ctx.textField,
      });
      const client = createAnthropicClient({ apiKey: key, model, baseUrl });
      const generated = await generateLfs({
        client,
        prompt,
        labels: ctx.labels,
        existingNames: ctx.existingNames,
        scorer: remoteScorer(deps),
        thresholds,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.stage === 'requesting') progress.report({ message: `asking ${model}…` });
          else if (p.stage === 'streaming') progress.report({ message: `receiving (${p.characters} characters)…` });
          else if (p.stage === 'retrying') progress.report({ message: `${p.reason} Retrying in ${(p.delayMs / 1000).toFixed(0)} s…` });
          else progress.report({ message: `scoring candidate ${p.done + 1} of ${p.total}…` });
        },
      });
      return { generated, lfFiles: ctx.lfFiles, names: ctx.existingNames };
    },
  );
  const path = await saveGeneration(root, record.generated, [key]);
  deps.output.info(`Generation saved to ${path}`);
  for (const w of record.generated.warnings) void vscode.window.showWarningMessage(`LF Studio: ${w}`);
  if (record.generated.problem) {
    void vscode.window.showWarningMessage(`LF Studio: ${record.generated.problem}`);
  }
  const usage = record.generated.usage ? formatUsage(record.generated.usage, record.generated.model) : 'usage unknown';
  const passed = record.generated.candidates.filter((c) => c.passed).length;
  vscode.window.setStatusBarMessage(`LF Studio: ${passed}/${record.generated.candidates.length} candidates pass · ${usage}`, 15_000);
  deps.output.info(`Generation ${record.generated.id}: ${usage}`);
  showPanel(context, deps, record.generated, record.lfFiles, record.names, root);
}

function showPanel(
  context: vscode.ExtensionContext,
  deps: GenerationCommandDeps,
  record: Parameters<typeof ReviewPanel.show>[0],
  lfFiles: string[],
  names: string[],
  root: string,
): void {
  ReviewPanel.show(record, lfFiles, {
    extensionUri: context.extensionUri,
    workspaceRoot: root,
    scorer: () => (deps.client() ? remoteScorer(deps) : null),
    projectLfNames: () => names,
    output: deps.output,
  });
}

/** Scores one candidate at a time through the language server, cancellable from an AbortSignal. */
function remoteScorer(deps: GenerationCommandDeps): CandidateScorer {
  return {
    async score(candidate, signal) {
      const client = languageClient(deps);
      const source = new vscode.CancellationTokenSource();
      signal?.addEventListener('abort', () => source.cancel(), { once: true });
      try {
        const result = await client.sendRequest<ScoreCandidatesResult>(ScoreCandidatesRequest, { candidates: [candidate] }, source.token);
        return result.outcomes[0] ?? { ok: false, error: 'the runtime returned no score' };
      } finally {
        source.dispose();
      }
    },
  };
}

async function openSaved(context: vscode.ExtensionContext, deps: GenerationCommandDeps): Promise<void> {
  const root = workspaceRoot();
  const files = await listGenerations(root);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('LF Studio: no saved generations yet in .lfstudio/generations/.');
    return;
  }
  const pick = await vscode.window.showQuickPick(files.map((f) => ({ label: f.split(/[\\/]/).pop() ?? f, file: f })), { title: 'Open a saved generation' });
  if (!pick) return;
  const record = await loadGeneration(pick.file);
  const lsp = deps.client();
  const ctx = lsp ? await lsp.sendRequest<GenerationContext | null>(GenerationContextRequest, { tier: 'task', mode: 'general' }) : null;
  showPanel(context, deps, record, ctx?.lfFiles ?? [], ctx?.existingNames ?? [], root);
}

/** Infrastructure failures are shown once, with the action that fixes them. */
function showFailure(err: unknown, deps: GenerationCommandDeps): void {
  if (err instanceof LlmError && err.kind === 'cancelled') return;
  const message = err instanceof Error ? err.message : String(err);
  deps.output.error(`Generate: ${message}`);
  if (err instanceof LlmError && (err.kind === 'auth' || err.kind === 'missing-key')) {
    void vscode.window.showErrorMessage(`LF Studio: ${message.replace(/ Set it with[^.]*\./, '')}`, SET_KEY).then((choice) => {
      if (choice === SET_KEY) void vscode.commands.executeCommand('lfStudio.setAnthropicApiKey');
    });
    return;
  }
  void vscode.window.showErrorMessage(`LF Studio: ${message}`, 'Open Output').then((choice) => {
    if (choice === 'Open Output') deps.output.show();
  });
}
