/**
 * The extension's one owner: the language client, the output channel, the status item and the dashboard
 * panel live here and are disposed together. Everything else in extension/ is handed what it needs.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  DidAnalyzeNotification,
  type DidAnalyzeParams,
  RuntimeStatusNotification,
  type ProjectAnalysis,
  type RuntimeStatus,
} from '../lf-runtime/src/protocol.ts';
import { registerCommands } from './commands.ts';
import { Config } from './config.ts';
import { DashboardPanel } from './dashboardPanel.ts';
import { registerGenerationCommands } from './review/generationCommands.ts';
import { StatusItem } from './statusItem.ts';

export class Ctx {
  readonly output: vscode.LogOutputChannel;
  readonly config = new Config();
  client: LanguageClient | null = null;
  analysis: ProjectAnalysis | null = null;
  status: RuntimeStatus | null = null;
  private readonly statusItem: StatusItem;
  private readonly listeners = new Set<() => void>();
  /** What belongs to the running language client (its file watchers); disposed when it stops or restarts. */
  private clientDisposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('LF Studio', { log: true });
    this.statusItem = new StatusItem();
    extension.subscriptions.push(this.output, this.statusItem);
  }

  async start(): Promise<void> {
    registerCommands(this);
    registerGenerationCommands(this.extension, { client: () => this.client, output: this.output });
    this.extension.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (Config.restartOn.some((s) => e.affectsConfiguration(s))) {
          this.restartServer().catch((err: unknown) => this.reportFailure('restarting the language server', err));
        }
      }),
      vscode.window.registerWebviewPanelSerializer(DashboardPanel.viewType, {
        deserializeWebviewPanel: async (panel) => DashboardPanel.revive(panel, this),
      }),
    );
    await this.startServer();
  }

  private async startServer(): Promise<void> {
    const module = this.extension.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    // One watcher covers lfstudio.json, LF files and data files; the server decides what a change means.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{py,json,jsonl,ndjson,csv}');
    this.clientDisposables.push(watcher);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'python' }],
      outputChannel: this.output,
      initializationOptions: this.config.serverOptions(),
      synchronize: { fileEvents: watcher },
    };
    const client = new LanguageClient('lfStudio', 'LF Studio', serverOptions, clientOptions);
    client.onNotification(DidAnalyzeNotification, (a: DidAnalyzeParams) => {
      this.analysis = a;
      this.changed();
    });
    client.onNotification(RuntimeStatusNotification, (s: RuntimeStatus) => {
      this.status = s;
      this.statusItem.update(s);
      if (s.state === 'error') this.output.error(s.detail);
      this.changed();
    });
    this.client = client;
    await client.start();
  }

  async restartServer(): Promise<void> {
    await this.stop();
    await this.startServer();
  }

  /** Shows a failure of something the user did not directly ask for, with the way to the details. */
  reportFailure(what: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.output.error(`LF Studio: ${what} failed: ${message}`);
    void vscode.window.showErrorMessage(`LF Studio: ${what} failed: ${message}`, 'Open Output').then((choice) => {
      if (choice) this.output.show();
    });
  }

  /** Subscribes to analysis/status changes (the dashboard uses it); returns the unsubscribe function. */
  onDidChange(listener: () => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    for (const d of this.clientDisposables.splice(0)) d.dispose();
    await client?.stop();
  }
}
