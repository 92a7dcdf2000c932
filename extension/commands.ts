/**
 * The command table: every command the extension contributes (package.json `contributes.commands`), what it
 * does in words, and how it runs. One wrapper runs them all, so each command's failure is shown once, the same
 * way (failures.ts), and nothing a command throws is lost.
 */
import * as vscode from 'vscode';
import { ExportLabelsRequest, RerunAllRequest, RestartRuntimeRequest, type ExamplesFilter } from '../lf-runtime/src/protocol.ts';
import type { Ctx } from './ctx.ts';
import { DashboardPanel } from './dashboardPanel.ts';
import { ExamplesPanel } from './examples/examplesPanel.ts';
import { showFailure } from './failures.ts';
import { generate, openSavedGeneration, setAnthropicApiKey, suggestFromLabeledRows } from './review/generationCommands.ts';

interface Command {
  /** What it does, for "LF Studio: <does> failed: ...". */
  does: string;
  run(ctx: Ctx, ...args: unknown[]): unknown;
}

/** An argument given by a CodeLens (an LF's name), or nothing when run from the palette. */
const nameArg = (arg: unknown): string | undefined => (typeof arg === 'string' ? arg : undefined);

/** A question for the examples view, given by a lens, hover link or chart; anything else opens all sample rows. */
const filterArg = (arg: unknown): ExamplesFilter =>
  typeof arg === 'object' && arg !== null && ['sample', 'dev', 'labeled'].includes((arg as ExamplesFilter).split) ? (arg as ExamplesFilter) : { split: 'sample' };

const commands: Record<string, Command> = {
  'lfStudio.showExamples': { does: 'showing rows', run: (ctx, filter) => ExamplesPanel.show(ctx, filterArg(filter)) },
  'lfStudio.openDashboard': { does: 'opening the dashboard', run: (ctx, lfName) => DashboardPanel.show(ctx, nameArg(lfName)) },
  'lfStudio.exportLabels': { does: 'exporting labels', run: (ctx) => exportLabels(ctx) },
  'lfStudio.showOutput': { does: 'showing the output', run: (ctx) => ctx.output.show() },
  'lfStudio.rerunAll': {
    does: 're-running all labeling functions',
    run: (ctx) =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'LF Studio: re-running all labeling functions' }, () =>
        ctx.runningClient().sendRequest(RerunAllRequest),
      ),
  },
  'lfStudio.restartRuntime': {
    does: 'restarting the runtime',
    // A server that stopped is started again; a running one restarts its sandbox.
    run: (ctx) => (ctx.client?.isRunning() ? ctx.client.sendRequest(RestartRuntimeRequest) : ctx.restartServer()),
  },
  'lfStudio.generateLfs': { does: 'generating labeling functions', run: (ctx) => generate(ctx, 'general') },
  'lfStudio.generateLfsForUncovered': { does: 'generating labeling functions for uncovered rows', run: (ctx) => generate(ctx, 'uncovered') },
  'lfStudio.improveLf': { does: 'improving a labeling function', run: (ctx, lfName) => generate(ctx, 'improve', nameArg(lfName)) },
  'lfStudio.suggestLfs': { does: 'suggesting labeling functions from labeled rows', run: (ctx) => suggestFromLabeledRows(ctx) },
  'lfStudio.setAnthropicApiKey': { does: 'saving the API key', run: (ctx) => setAnthropicApiKey(ctx) },
  'lfStudio.openGeneration': { does: 'opening a saved generation', run: (ctx) => openSavedGeneration(ctx) },
  'lfStudio.allowUnsandboxedPython': {
    does: 'allowing your Python without a sandbox',
    run: async (ctx) => {
      const allow = 'Allow in This Workspace';
      const answer = await vscode.window.showWarningMessage(
        'Run LF files that need your packages with your own Python WITHOUT a sandbox in this workspace? They then run with your permissions: they can read and write your files and reach the network. Only do this where bubblewrap cannot be installed and you trust every LF file here.',
        { modal: true },
        allow,
      );
      if (answer === allow) await ctx.allowUnsandboxedPython();
    },
  },
};

/**
 * Writes the project's training labels for the sample (as `lf-studio label --project` does): asks where and
 * what to do with rows no LF votes on, shows progress with cancel, and offers to open the file.
 */
async function exportLabels(ctx: Ctx): Promise<void> {
  const client = ctx.runningClient();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'LF Studio: Export Labels (id, probabilities, label and votes per sample row)',
    defaultUri: folder ? vscode.Uri.joinPath(folder, 'labels.jsonl') : undefined,
    filters: { 'JSON Lines': ['jsonl', 'ndjson'], CSV: ['csv'] },
    saveLabel: 'Export Labels',
  });
  if (!target) return;
  const policy = await vscode.window.showQuickPick(
    [
      { label: 'Label -1', description: 'rows no LF votes on get label -1 (lf-studio label default)', value: 'abstain' as const },
      { label: "The label model's answer", description: 'rows no LF votes on get the most likely class by the class balance', value: 'predict' as const },
    ],
    { title: 'Rows no labeling function votes on' },
  );
  if (!policy) return;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `LF Studio: exporting labels to ${vscode.workspace.asRelativePath(target)}`, cancellable: true },
    async (_progress, token) => {
      try {
        return await client.sendRequest(ExportLabelsRequest, { out: target.fsPath, uncovered: policy.value }, token);
      } catch (err) {
        // The server stops before it writes anything when asked to; Cancel is the user's choice, not a failure.
        if (token.isCancellationRequested) return null;
        throw err;
      }
    },
  );
  if (result === null) {
    void vscode.window.showInformationMessage(`LF Studio: export cancelled; nothing was written to ${vscode.workspace.asRelativePath(target)}.`);
    return;
  }
  const open = 'Open File';
  const answer = await vscode.window.showInformationMessage(
    `LF Studio: wrote labels for ${result.rows.toLocaleString('en-US')} rows (${result.covered.toLocaleString('en-US')} with votes, ${result.lfs} LFs, ${result.model}) to ${vscode.workspace.asRelativePath(target)}.`,
    open,
  );
  if (answer === open) await vscode.window.showTextDocument(target);
}

export function registerCommands(ctx: Ctx): void {
  for (const [id, command] of Object.entries(commands)) {
    const run = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await command.run(ctx, ...args);
      } catch (err) {
        showFailure(ctx.output, command.does, err);
        return undefined;
      }
    };
    ctx.extension.subscriptions.push(vscode.commands.registerCommand(id, run));
  }
}
