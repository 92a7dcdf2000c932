// The command table: every command the extension contributes, and what it needs to run.
import * as vscode from 'vscode';
import { RerunAllRequest, RestartRuntimeRequest } from '../lf-runtime/src/protocol.ts';
import type { Ctx } from './ctx.ts';
import { DashboardPanel } from './dashboardPanel.ts';

type Command = (ctx: Ctx, ...args: unknown[]) => unknown;

const commands: Record<string, Command> = {
  'lfStudio.openDashboard': (ctx, lfName) => DashboardPanel.show(ctx, typeof lfName === 'string' ? lfName : undefined),
  'lfStudio.showOutput': (ctx) => ctx.output.show(),
  'lfStudio.rerunAll': (ctx) =>
    withServer(ctx, (client) =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'LF Studio: re-running all labeling functions' },
        () => client.sendRequest(RerunAllRequest),
      ),
    ),
  'lfStudio.restartRuntime': (ctx) => withServer(ctx, (client) => client.sendRequest(RestartRuntimeRequest)),
};

function withServer<T>(ctx: Ctx, f: (client: NonNullable<Ctx['client']>) => T): T | undefined {
  if (!ctx.client || !ctx.client.isRunning()) {
    void vscode.window.showWarningMessage('LF Studio: the language server is not running.', 'Open Output').then((c) => {
      if (c) ctx.output.show();
    });
    return undefined;
  }
  return f(ctx.client);
}

export function registerCommands(ctx: Ctx): void {
  for (const [id, run] of Object.entries(commands)) {
    ctx.extension.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => run(ctx, ...args)));
  }
}
