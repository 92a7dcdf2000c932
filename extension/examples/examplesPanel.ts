/**
 * Hosts the examples view: one panel in the editor area that lists the rows behind a figure. It relays the
 * webview's queries to the language server (each with a request id; a newer query or an explicit cancel
 * cancels the older one over LSP), writes gold labels through the server, and tells the view when a new
 * analysis makes its rows stale so it asks again.
 */
import * as vscode from 'vscode';
import {
  ExamplesRequest,
  SetGoldLabelRequest,
  type ExamplesFilter,
  type ExamplesQuery,
  type ExamplesToHostMessage,
  type HostToExamplesMessage,
} from '../../lf-runtime/src/protocol.ts';
import type { Ctx } from '../ctx.ts';
import { webviewHtml } from '../webviewHtml.ts';

export class ExamplesPanel {
  static readonly viewType = 'lfStudio.examples';
  private static current: ExamplesPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<number, vscode.CancellationTokenSource>();
  /** The question to show once the webview is ready (a click may come before it loaded). */
  private queued: HostToExamplesMessage | null = null;
  private ready = false;
  private lastVersion: number | null = null;

  static show(ctx: Ctx, filter?: ExamplesFilter, order?: ExamplesQuery['order']): void {
    if (ExamplesPanel.current) {
      // Where it already is (the user may have moved it), without taking the focus from the editor.
      ExamplesPanel.current.panel.reveal(ExamplesPanel.current.panel.viewColumn, true);
    } else {
      const panel = vscode.window.createWebviewPanel(ExamplesPanel.viewType, 'LF Studio Rows', vscode.ViewColumn.Beside, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview')],
      });
      ExamplesPanel.current = new ExamplesPanel(panel, ctx);
    }
    if (filter) ExamplesPanel.current.showQuery({ type: 'showQuery', filter, ...(order ? { order } : {}) });
  }

  static revive(panel: vscode.WebviewPanel, ctx: Ctx): void {
    ExamplesPanel.current = new ExamplesPanel(panel, ctx);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly ctx: Ctx,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview')] };
    panel.webview.html = webviewHtml(panel.webview, ctx.extension.extensionUri, 'examples', 'LF Studio Rows');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: ExamplesToHostMessage) => void this.onMessage(m)),
      ctx.onDidChange(() => this.analysisChanged()),
    );
  }

  private showQuery(message: HostToExamplesMessage): void {
    if (this.ready) this.post(message);
    else this.queued = message;
  }

  private analysisChanged(): void {
    const a = this.ctx.analysis;
    const version = a?.version ?? null;
    if (version === this.lastVersion) return;
    this.lastVersion = version;
    this.post({ type: 'didAnalyze', version, labels: a?.labels ?? [] });
  }

  private async onMessage(message: ExamplesToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.lastVersion = this.ctx.analysis?.version ?? null;
        this.post({ type: 'didAnalyze', version: this.lastVersion, labels: this.ctx.analysis?.labels ?? [] });
        if (this.queued) this.post(this.queued);
        this.queued = null;
        break;
      case 'query':
        await this.query(message.requestId, message.query);
        break;
      case 'cancel':
        this.pending.get(message.requestId)?.cancel();
        break;
      case 'setLabel': {
        const { requestId, split, id, label } = message;
        try {
          const result = await this.ctx.runningClient().sendRequest(SetGoldLabelRequest, { split, id, label });
          this.post({ type: 'labelDone', requestId, split, id, label, previous: result.previous });
        } catch (err) {
          this.post({ type: 'labelDone', requestId, split, id, label, previous: null, error: errorText(err) });
        }
        break;
      }
      case 'revealLf': {
        const lf = this.ctx.analysis?.lfs.find((l) => l.name === message.name);
        if (!lf) return;
        const line = Math.max(0, lf.line - 1);
        await vscode.window
          .showTextDocument(vscode.Uri.file(lf.file), { selection: new vscode.Range(line, 0, line, 0), viewColumn: vscode.ViewColumn.One })
          .then(undefined, (err: unknown) => this.ctx.reportFailure(`opening ${lf.file}`, err));
        break;
      }
    }
  }

  private async query(requestId: number, query: ExamplesQuery): Promise<void> {
    // Only the newest question matters: older ones still running are cancelled.
    for (const [id, source] of this.pending) {
      if (id < requestId) source.cancel();
    }
    const source = new vscode.CancellationTokenSource();
    this.pending.set(requestId, source);
    try {
      const page = await this.ctx.runningClient().sendRequest(ExamplesRequest, query, source.token);
      this.post({ type: 'page', requestId, page });
    } catch (err) {
      this.post({ type: 'error', requestId, message: errorText(err), cancelled: source.token.isCancellationRequested });
    } finally {
      this.pending.delete(requestId);
      source.dispose();
    }
  }

  private post(message: HostToExamplesMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private dispose(): void {
    ExamplesPanel.current = undefined;
    for (const s of this.pending.values()) s.cancel();
    for (const d of this.disposables) d.dispose();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
