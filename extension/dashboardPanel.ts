/**
 * Hosts the dashboard webview: one panel at a time in the editor area, fed every analysis and status change
 * and the chart figures of the latest analysis, and able to reveal an LF in its file, ask for a full re-run,
 * or open the examples view on the rows behind a figure.
 */
import * as vscode from 'vscode';
import {
  DashboardFiguresRequest,
  type DashboardFigures,
  type DashboardToHostMessage,
  type HostToDashboardMessage,
  type ProjectAnalysis,
} from '../lf-runtime/src/protocol.ts';
import type { Ctx } from './ctx.ts';
import { webviewHtml } from './webviewHtml.ts';

export class DashboardPanel {
  static readonly viewType = 'lfStudio.dashboard';
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** An LF to highlight that came before the webview was ready; it gets it with its first state. */
  private pendingFocus: string | null = null;
  private ready = false;
  /** The analysis last posted (by reference: a status change alone does not re-send it). */
  private postedAnalysis: ProjectAnalysis | null | undefined = undefined;
  /** The figures of `figuresFor`, and why they are missing when they could not be read. */
  private figures: DashboardFigures | null = null;
  private figuresError: string | undefined;
  private figuresFor: ProjectAnalysis | null | undefined = undefined;
  private fetchingFigures = false;
  private disposed = false;

  static show(ctx: Ctx, focusLf?: string): void {
    if (DashboardPanel.current) {
      // Where it already is: the user may have placed it.
      DashboardPanel.current.panel.reveal();
    } else {
      // The active group, not a half-width one beside the code: the LF table and charts want the width.
      const panel = vscode.window.createWebviewPanel(DashboardPanel.viewType, 'LF Studio Dashboard', vscode.ViewColumn.Active, {
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
      // Figures skipped while hidden are fetched when the panel shows again.
      panel.onDidChangeViewState(() => {
        if (panel.visible) void this.refreshFigures();
      }),
      ctx.onDidChange(() => this.pushState(false)),
    );
  }

  private onMessage(message: DashboardToHostMessage): void {
    switch (message.type) {
      case 'ready':
        // A (re)loaded webview has nothing: send everything, an LF to focus last so it can scroll to it. A
        // reloaded webview keeps its own focused LF and scroll position, so a focus is sent only once.
        this.ready = true;
        this.pushState(true);
        if (this.pendingFocus) this.post({ type: 'focusLf', name: this.pendingFocus });
        this.pendingFocus = null;
        break;
      case 'revealLf': {
        const uri = vscode.Uri.file(message.file);
        const line = Math.max(0, message.line - 1);
        // Beside the dashboard when it holds the first group, so it stays in view for the next click.
        const viewColumn = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
        vscode.window
          .showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), viewColumn })
          .then(undefined, (err: unknown) => this.ctx.reportFailure(`opening ${message.file}`, err));
        break;
      }
      case 'rerunAll':
        // Through the command, so a failure is shown the way every command's is.
        void vscode.commands.executeCommand('lfStudio.rerunAll');
        break;
      case 'showRows':
        // The command shows its own failures; this catches only a failure to run it at all.
        vscode.commands
          .executeCommand('lfStudio.showExamples', message.filter)
          .then(undefined, (err: unknown) => this.ctx.reportFailure('showing rows', err));
        break;
    }
  }

  private focus(name: string): void {
    if (this.ready) this.post({ type: 'focusLf', name });
    else this.pendingFocus = name;
  }

  /** Status always (it is small); the analysis when it is a new one or `all`; then figures to match. */
  private pushState(all: boolean): void {
    if (this.ctx.status) this.post({ type: 'didChangeStatus', status: this.ctx.status });
    const analysis = this.ctx.analysis;
    if (all || analysis !== this.postedAnalysis) {
      this.postedAnalysis = analysis;
      this.post({ type: 'didAnalyze', analysis });
    }
    if (all && this.figuresFor === analysis) this.postFigures();
    void this.refreshFigures();
  }

  /**
   * Fetches the chart figures when the analysis changed since the last fetch, one request at a time (a newer
   * analysis that arrives meanwhile is fetched when the running request returns), and only while the panel
   * is visible, so typing with the dashboard in a background tab costs the server nothing.
   */
  private async refreshFigures(): Promise<void> {
    if (this.disposed || this.fetchingFigures || !this.panel.visible) return;
    const target = this.ctx.analysis;
    if (target === this.figuresFor) return;
    if (target === null) {
      this.setFigures(null, undefined, null);
      return;
    }
    this.fetchingFigures = true;
    let figures: DashboardFigures | null = null;
    let error: string | undefined;
    try {
      figures = await this.ctx.runningClient().sendRequest(DashboardFiguresRequest);
    } catch (err) {
      // The charts say so in the panel; the LF table and the rest of the dashboard still work.
      error = err instanceof Error ? err.message : String(err);
      this.ctx.output.warn(`Dashboard figures could not be read: ${error}`);
    } finally {
      this.fetchingFigures = false;
    }
    if (this.disposed) return;
    this.setFigures(figures, error, target);
    if (this.ctx.analysis !== target) void this.refreshFigures();
  }

  private setFigures(figures: DashboardFigures | null, error: string | undefined, target: ProjectAnalysis | null): void {
    this.figures = figures;
    this.figuresError = error;
    this.figuresFor = target;
    this.postFigures();
  }

  private postFigures(): void {
    this.post({ type: 'figures', figures: this.figures, ...(this.figuresError ? { error: this.figuresError } : {}) });
  }

  private post(message: HostToDashboardMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private dispose(): void {
    this.disposed = true;
    DashboardPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
