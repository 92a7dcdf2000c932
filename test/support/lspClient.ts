/**
 * Drives the bundled language server (dist/server.js) over stdio, the way an editor would, so
 * language-server tests run without VS Code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeLensRefreshRequest,
  CodeLensRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  createProtocolConnection,
  type CodeLens,
  type Diagnostic,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { DidAnalyzeNotification, RuntimeStatusNotification, type ProjectAnalysis, type RuntimeStatus } from '../../lf-runtime/src/protocol.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Copies an example workspace into a temp folder so tests may edit it freely. */
export function copyWorkspace(example = 'youtube-spam'): string {
  const dir = mkdtempSync(join(tmpdir(), 'lfstudio-ws-'));
  cpSync(join(repoRoot, 'examples', example), dir, { recursive: true });
  return dir;
}

export class LspTestClient {
  readonly analyses: ProjectAnalysis[] = [];
  /** How many times the server said its figures no longer hold (the project stopped loading). */
  clearedAnalyses = 0;
  readonly statuses: RuntimeStatus[] = [];
  readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters: (() => void)[] = [];
  private versions = new Map<string, number>();

  private constructor(
    private readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
    readonly root: string,
  ) {
    connection.onNotification(DidAnalyzeNotification, (a: ProjectAnalysis | null) =>
      this.record(() => (a ? this.analyses.push(a) : this.clearedAnalyses++)),
    );
    connection.onNotification(RuntimeStatusNotification, (s: RuntimeStatus) => this.record(() => this.statuses.push(s)));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => this.record(() => this.diagnostics.set(p.uri, p.diagnostics)));
    connection.onRequest(CodeLensRefreshRequest.method, () => null);
    connection.onRequest('workspace/configuration', () => []);
    connection.onRequest('client/registerCapability', () => null);
  }

  static async start(root: string, initializationOptions: object = {}): Promise<LspTestClient> {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(child, connection, root);
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).toString(),
      workspaceFolders: [{ uri: pathToFileURL(root).toString(), name: 'ws' }],
      capabilities: { workspace: { codeLens: { refreshSupport: true } } },
      initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  private record(f: () => void): void {
    f();
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `predicate` holds, re-checked on every message from the server. */
  async waitFor<T>(predicate: () => T | undefined | null | false, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = predicate();
      if (v) return v;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(this.statuses.at(-1))}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  uri(file: string): string {
    return pathToFileURL(join(this.root, file)).toString();
  }

  async open(file: string): Promise<string> {
    const text = readFileSync(join(this.root, file), 'utf8');
    this.versions.set(file, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: this.uri(file), languageId: 'python', version: 1, text },
    });
    return text;
  }

  async change(file: string, text: string): Promise<void> {
    const version = (this.versions.get(file) ?? 1) + 1;
    this.versions.set(file, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: this.uri(file), version },
      contentChanges: [{ text }],
    });
  }

  async save(file: string): Promise<void> {
    await this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: this.uri(file) } });
  }

  async codeLenses(file: string): Promise<CodeLens[]> {
    return (await this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: this.uri(file) } })) ?? [];
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.method), new Promise((r) => setTimeout(r, 3000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // the server may already be gone; the kill below is what matters
    }
    this.connection.dispose();
    this.child.kill('SIGKILL');
    rmSync(this.root, { recursive: true, force: true });
  }
}
