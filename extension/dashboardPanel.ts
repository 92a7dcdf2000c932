/**
 * Hosts the dashboard webview: one panel at a time, fed every analysis and status change, and able to reveal
 * an LF in its file or ask for a full re-run.
 */
import * as vscode from 'vscode';
import type { DashboardToHostMessage, HostToDashboardMessage } from '../lf-runtime/src/protocol.ts';
import type { Ctx } from './ctx.ts';
import { webviewHtml } from './webviewHtml.ts';

export class DashboardPanel {
  static readonly viewType = 'lfStudio.dashboard';
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The LF to highlight; kept so a panel that is still loading gets it with its first state. */
  private focusedLf: string | null = null;

  static show(ctx: Ctx, focusLf?: string): void {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal(vscode.ViewColumn.Beside);
    } else {
      const panel = vscode.window.createWebviewPanel(DashboardPanel.viewType, 'LF Studio Dashboard', vscode.ViewColumn.Beside, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview')],
      });
      DashboardPanel.current = new DashboardPanel(panel, ctx);
    }
    if (focusLf) DashboardPanel.current.focus(focusLf);
  }

  static revive(panel: vscode.WebviewPanel, ctx: Ctx): void {
    DashboardPanel.current = new DashboardPanel(panel, ctx);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly ctx: Ctx,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview')] };
    panel.webview.html = webviewHtml(panel.webview, ctx.extension.extensionUri, 'dashboard', 'LF Studio Dashboard');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: DashboardToHostMessage) => this.onMessage(m)),
      ctx.onDidChange(() => this.pushState()),
    );
  }

  private onMessage(message: DashboardToHostMessage): void {
    switch (message.type) {
      case 'ready':
        this.pushState();
        break;
      case 'revealLf': {
        const uri = vscode.Uri.file(message.file);
        const line = Math.max(0, message.line - 1);
        vscode.window
          .showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), viewColumn: vscode.ViewColumn.One })
          .then(undefined, (err: unknown) => this.ctx.reportFailure(`opening ${message.file}`, err));
        break;
      }
      case 'rerunAll':
        // Through the command, so a failure is shown the way every command's is.
        void vscode.commands.executeCommand('lfStudio.rerunAll');
        break;
    }
  }

  private focus(name: string): void {
    this.focusedLf = name;
    this.post({ type: 'focusLf', name });
  }

  private pushState(): void {
    if (this.ctx.status) this.post({ type: 'didChangeStatus', status: this.ctx.status });
    this.post({ type: 'didAnalyze', analysis: this.ctx.analysis });
    if (this.focusedLf) this.post({ type: 'focusLf', name: this.focusedLf });
  }

  private post(message: HostToDashboardMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private dispose(): void {
    DashboardPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
