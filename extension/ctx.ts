/**
 * The extension's one owner: the language client, the output channel, the status item and the dashboard
 * panel live here and are disposed together. Everything else in extension/ is handed what it needs.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { DidAnalyzeNotification, RuntimeStatusNotification, type ProjectAnalysis, type RuntimeStatus } from '../lf-runtime/src/protocol.ts';
import { registerCommands } from './commands.ts';
import { Config } from './config.ts';
import type { HostFacts } from './settings.ts';
import { DashboardPanel } from './dashboardPanel.ts';
import { ExamplesPanel } from './examples/examplesPanel.ts';
import { showFailure, UserFacingError } from './failures.ts';
import { StatusItem } from './statusItem.ts';

export class Ctx {
  readonly output: vscode.LogOutputChannel;
  readonly config: Config;
  client: LanguageClient | null = null;
  analysis: ProjectAnalysis | null = null;
  status: RuntimeStatus | null = null;
  private readonly statusItem: StatusItem;
  private readonly listeners = new Set<() => void>();
  /** What belongs to the running language client (its file watchers); disposed when it stops or restarts. */
  private clientDisposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('LF Studio', { log: true });
    this.config = new Config(this.output);
    this.statusItem = new StatusItem();
    extension.subscriptions.push(this.output, this.statusItem);
  }

  async start(): Promise<void> {
    registerCommands(this);
    this.extension.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (Config.affectsServer(e)) {
          this.restartServer().catch((err: unknown) => this.reportFailure('restarting the language server', err));
        }
      }),
      // Trust decides whether the user's own Python may run: start again with the new answer.
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.restartServer().catch((err: unknown) => this.reportFailure('restarting the language server', err));
      }),
      vscode.window.registerWebviewPanelSerializer(DashboardPanel.viewType, {
        deserializeWebviewPanel: async (panel) => DashboardPanel.revive(panel, this),
      }),
      vscode.window.registerWebviewPanelSerializer(ExamplesPanel.viewType, {
        deserializeWebviewPanel: async (panel) => ExamplesPanel.revive(panel, this),
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
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{py,json,jsonl,ndjson,csv,tsv}');
    this.clientDisposables.push(watcher);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'python' }],
      outputChannel: this.output,
      initializationOptions: this.config.serverOptions(await this.hostFacts()),
      synchronize: { fileEvents: watcher },
      // Hovers link to the rows behind a figure; only that command may run from a hover link.
      markdown: { isTrusted: { enabledCommands: ['lfStudio.showExamples'] }, supportHtml: false },
    };
    const client = new LanguageClient('lfStudio', 'LF Studio', serverOptions, clientOptions);
    client.onNotification(DidAnalyzeNotification, (a) => {
      this.analysis = a;
      this.changed();
    });
    client.onNotification(RuntimeStatusNotification, (s) => {
      this.status = s;
      this.statusItem.update(s);
      if (s.state === 'error') this.output.error(s.detail);
      this.notifyProjectProblem(s);
      this.changed();
    });
    this.client = client;
    await client.start();
  }

  /** The project problem last shown as a notification, so each one pops up once, not on every re-check. */
  private notifiedProblem: string | null = null;

  /** A problem in lfstudio.json stops everything: say so once as a notification that opens the file. */
  private notifyProjectProblem(s: RuntimeStatus): void {
    if (!s.projectFile) {
      if (s.state === 'ready') this.notifiedProblem = null;
      return;
    }
    if (this.notifiedProblem === s.detail) return;
    this.notifiedProblem = s.detail;
    const file = vscode.Uri.file(s.projectFile);
    const open = 'Open lfstudio.json';
    void vscode.window.showErrorMessage(`LF Studio: lfstudio.json has a problem: ${s.detail.split('\n')[0]}`, open).then((answer) => {
      if (answer === open) void vscode.window.showTextDocument(file);
    });
  }

  /** Trust, the Python extension's interpreter and this workspace's choices, for the server's runtime. */
  private async hostFacts(): Promise<HostFacts> {
    return {
      trusted: vscode.workspace.isTrusted,
      pythonExtensionInterpreter: await pythonExtensionInterpreter(this.output),
      allowUnsandboxedPython: this.extension.workspaceState.get<boolean>(ALLOW_UNSANDBOXED_KEY) === true,
    };
  }

  /** Runs the user's Python without bubblewrap in this workspace from now on (asked for, once, by the user). */
  async allowUnsandboxedPython(): Promise<void> {
    await this.extension.workspaceState.update(ALLOW_UNSANDBOXED_KEY, true);
    await this.restartServer();
  }

  async restartServer(): Promise<void> {
    await this.stop();
    await this.startServer();
  }

  /** The language client, when it is running; otherwise a failure that says how to get it back. */
  runningClient(): LanguageClient {
    if (!this.client?.isRunning()) {
      throw new UserFacingError('The LF Studio runtime is not running; run "LF Studio: Restart Runtime" (details in "LF Studio: Show Output").');
    }
    return this.client;
  }

  /** Shows a failure of something the user did not directly ask for, with the way to the details. */
  reportFailure(what: string, err: unknown): void {
    showFailure(this.output, what, err);
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

const ALLOW_UNSANDBOXED_KEY = 'lfStudio.allowUnsandboxedPython';

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

/** The interpreter selected in the Python extension (its public environments API), or null. */
async function pythonExtensionInterpreter(output: vscode.LogOutputChannel): Promise<string | null> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return null;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const envs = api?.environments;
    const active = envs?.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
    if (!envs || !active) return null;
    const resolved = await envs.resolveEnvironment(active);
    return resolved?.executable?.uri?.fsPath ?? active.path ?? null;
  } catch (err) {
    output.warn(`The Python extension did not say which interpreter is selected (${err instanceof Error ? err.message : String(err)}); using lfStudio.python.interpreter or python3.`);
    return null;
  }
}
