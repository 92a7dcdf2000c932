/**
 * The LF Studio language server: owns the sandbox and the analysis engine, re-runs LF files as they are
 * opened, edited and saved, and answers CodeLens, hover and diagnostics from the latest figures. It knows
 * nothing about VS Code itself; the extension talks to it over LSP plus the messages in protocol.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeLens,
  type Connection,
  type FileEvent,
  type Hover,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisEngine } from '../engine/analysisEngine.ts';
import { openProject } from '../engine/openProject.ts';
import {
  DashboardFiguresRequest,
  DidAnalyzeNotification,
  ExamplesRequest,
  ExportLabelsRequest,
  GenerationContextRequest,
  PythonStructureRequest,
  SetGoldLabelRequest,
  SuggestLfsRequest,
  ScoreCandidatesRequest,
  RerunAllRequest,
  RestartRuntimeRequest,
  RuntimeStatusNotification,
  type ProjectAnalysis,
  type RuntimeStatus,
  type ServerInitOptions,
} from '../protocol.ts';
import { checkServerOptions, DEFAULT_SERVER_OPTIONS } from './serverOptions.ts';
import { describeIsolation } from '../sandbox/isolation.ts';
import type { ExecutorEvent, LfExecutor } from '../sandbox/types.ts';
import { displayAnalysis } from './presentation.ts';
import { sanitizeLine, sanitizeMultiline } from '../text/controlChars.ts';
import { abortOn, generationContext, pythonStructure, sandboxOf, scoreCandidates } from './generationHandlers.ts';
import { RunScheduler, TypingDebounce } from './runScheduler.ts';
import { ExamplesHandlers } from './examplesHandlers.ts';
import { codeActionsFor } from './codeActions.ts';
import { DiagnosticsPublisher } from './diagnosticsPublisher.ts';
import { lfCodeLenses, lfHover, staleMark } from './lensesAndHover.ts';
import { exportSampleLabels, ExportError } from './exportLabels.ts';
import { suggestFromProject } from './suggestHandler.ts';
import { SuggestInputError } from '../suggest/types.ts';
import type { Project } from '../project/projectFile.ts';
import { expandLfPattern } from '../project/lfFileGlobs.ts';
import { PROJECT_FILE_NAME } from '../project/validateProject.ts';

export interface ServerDeps {
  /** Creates a fresh runtime for the workspace; called at start and on "Restart Runtime". */
  createExecutor: (root: string | null, options: Required<ServerInitOptions>) => LfExecutor;
}

/** How long after a label change the lenses are asked for once more (see the SetGoldLabelRequest handler). */
const LABEL_LENS_SETTLE_MS = 400;

export class LfLanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private root: string | null = null;
  private options: Required<ServerInitOptions> = DEFAULT_SERVER_OPTIONS;
  /** Settings that were ignored because they were invalid; shown in the status detail until fixed. */
  private settingWarnings: string[] = [];
  private executor: LfExecutor | null = null;
  private engine: AnalysisEngine | null = null;
  private project: Project | null = null;
  private examples: ExamplesHandlers | null = null;
  private analysis: ProjectAnalysis | null = null;
  private status: RuntimeStatus = { state: 'starting', text: 'LF Studio', detail: 'Starting', isolation: [] };
  private canRefreshLenses = false;
  private opening: Promise<void> | null = null;
  private readonly scheduler: RunScheduler;
  private readonly diagnostics: DiagnosticsPublisher;
  private readonly typingDebounce = new TypingDebounce();
  /** Files whose latest run failed in the runtime (not in the user's code), with the reason. */
  private readonly failedFiles = new Map<string, string>();

  constructor(
    private readonly connection: Connection,
    private readonly deps: ServerDeps,
  ) {
    this.diagnostics = new DiagnosticsPublisher(connection);
    this.scheduler = new RunScheduler(
      (files, signal) => this.runFiles(files, signal),
      (err, files) => this.runFailed(err, files),
    );
    connection.onInitialize((p) => this.initialize(p));
    connection.onInitialized(() => void this.openWorkspace());
    connection.onCodeLens(({ textDocument }) => this.codeLenses(textDocument.uri));
    connection.onHover(({ textDocument, position }) => this.hover(textDocument.uri, position.line));
    connection.onCodeAction(async ({ context }) => codeActionsFor(context.diagnostics, await this.projectFileText()));
    connection.onRequest(RerunAllRequest, async () => {
      await this.opening;
      this.engine?.forget();
      await this.scheduler.runNow(this.engine ? [...this.engine.lfFiles] : []);
      return displayAnalysis(this.analysis);
    });
    connection.onRequest(RestartRuntimeRequest, () => this.restart());
    connection.onRequest(GenerationContextRequest, async (params, token) => {
      await this.opening;
      if (!this.engine || !this.project || !this.executor) return null;
      return generationContext(this.engine, sandboxOf(this.executor), this.project, params, abortOn(token));
    });
    connection.onRequest(PythonStructureRequest, async (params, token) => {
      await this.opening;
      if (!this.executor) throw new Error('The LF runtime is not running (open a folder that holds lfstudio.json).');
      return pythonStructure(sandboxOf(this.executor), params, abortOn(token));
    });
    connection.onRequest(ScoreCandidatesRequest, async (params, token) => {
      const { engine, project, executor } = await this.loaded();
      return scoreCandidates(engine, sandboxOf(executor), project, params, abortOn(token));
    });
    connection.onRequest(ExamplesRequest, async (query) => (await this.loaded()).examples.query(query));
    connection.onRequest(ExportLabelsRequest, async (params, token) => {
      const { engine } = await this.loaded();
      await this.scheduler.runNow([]); // figures of the current text, not of one being replaced
      try {
        return exportSampleLabels(engine, params, () => token.isCancellationRequested);
      } catch (err) {
        if (err instanceof ExportError) throw new ResponseError(token.isCancellationRequested ? LSPErrorCodes.RequestCancelled : ErrorCodes.InvalidRequest, err.message);
        throw err;
      }
    });
    connection.onRequest(SuggestLfsRequest, async (params) => {
      const { engine, project } = await this.loaded();
      try {
        return suggestFromProject(engine, project, params ?? {});
      } catch (err) {
        if (err instanceof SuggestInputError) throw new ResponseError(ErrorCodes.InvalidRequest, `Cannot suggest LFs: ${err.message}.`);
        throw err;
      }
    });
    connection.onRequest(DashboardFiguresRequest, async () => {
      await this.opening;
      return this.examples?.figures() ?? null;
    });
    connection.onRequest(SetGoldLabelRequest, async (params) => {
      const previous = await (await this.loaded()).examples.setLabel(params);
      this.reanalyze();
      // The editor can keep the lenses of a request it was serving when the refresh came (a label given from
      // the rows view while the lens was being drawn): ask once more when it has had time to settle.
      setTimeout(() => this.refreshLenses(), LABEL_LENS_SETTLE_MS).unref();
      return { previous, analysis: displayAnalysis(this.analysis) };
    });
    connection.onDidChangeWatchedFiles(({ changes }) => void this.onWatchedFiles(changes));
    connection.onShutdown(() => this.dispose());

    this.documents.onDidOpen(({ document }) => {
      this.onDocument(document, 0);
      this.hintIfUnlisted(document);
    });
    this.documents.onDidClose(({ document }) => this.diagnostics.clearHint(document.uri));
    this.documents.onDidChangeContent(({ document }) => {
      this.hintIfUnlisted(document);
      if (this.options.runOnChange) this.onDocument(document, this.typingDebounce.next(document.uri), true);
      else void this.runIfReverted(document);
    });
    this.documents.onDidSave(({ document }) => this.onDocument(document, 0));
    this.documents.listen(connection);
  }

  /** The loaded project, once opening is done; a request without one gets a message that says so. */
  private async loaded(): Promise<{ engine: AnalysisEngine; project: Project; executor: LfExecutor; examples: ExamplesHandlers }> {
    await this.opening;
    const { engine, project, executor, examples } = this;
    if (!engine || !project || !executor || !examples) throw new Error('No LF Studio project is loaded (lfstudio.json).');
    return { engine, project, executor, examples };
  }

  private initialize(params: InitializeParams): InitializeResult {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    this.root = folder ? fileURLToPath(folder) : null;
    const checked = checkServerOptions(params.initializationOptions);
    this.options = checked.options;
    this.settingWarnings = checked.warnings;
    for (const w of checked.warnings) this.connection.console.warn(w);
    this.canRefreshLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'lf-studio' },
    };
  }

  /** (Re)loads lfstudio.json and the data, then runs every LF file once. */
  private openWorkspace(): Promise<void> {
    const run = (this.opening ?? Promise.resolve()).then(async () => {
      if (!this.root) {
        this.setStatus({ state: 'no-project', text: 'LF Studio: no folder', detail: 'Open a folder that holds lfstudio.json.' });
        return;
      }
      this.setStatus({ state: 'starting', text: 'LF Studio: starting', detail: 'Loading the project and starting the sandbox' });
      if (!this.executor) {
        this.executor = this.deps.createExecutor(this.root, this.options);
        this.executor.onEvent?.((e) => this.onExecutorEvent(e));
      }
      const opened = await openProject(this.root, this.executor, this.options.lfTimeoutMs, { allowOutsideWorkspace: this.options.allowDataOutsideWorkspace });
      if (!opened.ok) {
        this.engine = null;
        this.project = null;
        this.examples = null;
        // Figures and diagnostics of the project as it was would read as current; drop them with it.
        this.analysis = null;
        this.diagnostics.clearAll();
        void this.connection.sendNotification(DidAnalyzeNotification, null);
        const messages = opened.problems.map((p) => p.message);
        this.connection.console.warn(`Project not loaded: ${messages.join(' | ')}`);
        if (!opened.missingProjectFile) await this.diagnostics.publishProjectProblems(this.root, opened.problems);
        this.setStatus({
          state: opened.missingProjectFile ? 'no-project' : 'error',
          text: opened.missingProjectFile ? 'LF Studio: no lfstudio.json' : 'LF Studio: project error',
          detail: messages.join('\n'),
          ...(opened.missingProjectFile ? {} : { projectFile: join(this.root, PROJECT_FILE_NAME) }),
        });
        return;
      }
      await this.diagnostics.publishProjectProblems(this.root, []);
      this.engine = opened.engine;
      // The listed files may have changed: hints come and go with them.
      for (const document of this.documents.all()) this.hintIfUnlisted(document);
      this.project = opened.project;
      this.connection.console.info(
        `Project ${this.root}: ${opened.engine.lfFiles.length} LF files, labels ${opened.project.labels.join('/')}` +
          (opened.warnings.length ? `; warnings: ${opened.warnings.join(' | ')}` : ''),
      );
      this.examples = new ExamplesHandlers(opened.engine, opened.project);
      this.projectWarnings = opened.warnings;
      this.labelWarnings = await this.examples.loadLabels();
      const isolation = await this.executor.isolation();
      this.isolationLabels = describeIsolation(isolation);
      this.connection.console.info(`Sandbox layers: ${this.isolationLabels.join('; ') || 'none'}`);
      await this.scheduler.runNow([...opened.engine.lfFiles]);
    });
    this.opening = run.catch((err: unknown) => {
      this.connection.console.error(`Opening the project failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      this.setStatus({ state: 'error', text: 'LF Studio: error', detail: errorText(err) });
    });
    return this.opening;
  }

  private isolationLabels: string[] = [];
  private projectWarnings: string[] = [];
  /** Lines of the gold-labels file that could not be used. */
  private labelWarnings: string[] = [];
  /** Runtime restarts since the last published run, shown once in the status detail. */
  private restartNotes: string[] = [];

  /** Restarts after a crash or timeout are the runtime healing itself: say so in the log, not in a pop-up. */
  private onExecutorEvent(event: ExecutorEvent): void {
    if (event.type === 'started') {
      this.connection.console.info(`Sandbox worker ${event.worker} started in ${event.loadMs} ms${event.fromSnapshot ? ' (from snapshot)' : ''}`);
    } else if (event.type === 'restarted' || event.type === 'snapshot') {
      const message = sanitizeMultiline(event.message);
      this.connection.console.warn(message);
      this.restartNotes.push(message);
    }
  }

  /**
   * Files changed on disk. The project is reloaded (data re-read, every LF re-run) only when lfstudio.json, a
   * data file or the set of files the lfFiles patterns match changed: a virtual environment or any other .py
   * file appearing elsewhere in the workspace must not restart everything.
   */
  private async onWatchedFiles(changes: FileEvent[]): Promise<void> {
    const files = changes.map((c) => fileURLToPath(c.uri));
    const projectFile = this.root ? join(this.root, PROJECT_FILE_NAME) : null;
    const pyAddedOrRemoved = changes.some((c) => c.type !== FileChangeType.Changed && c.uri.endsWith('.py'));
    if (files.some((f) => f === projectFile || this.isDataFile(f)) || (pyAddedOrRemoved && (await this.lfFileSetChanged()))) {
      await this.openWorkspace();
      return;
    }
    const examples = this.examples;
    // Labels edited outside the view (by hand, or a checkout): read them again; no LF needs to re-run.
    const warnings = examples && files.includes(examples.labelsFile) ? await examples.reloadIfChanged() : null;
    if (warnings) {
      this.labelWarnings = warnings;
      this.reanalyze();
    }
    this.scheduler.request(files.filter((f) => this.engine?.isLfFile(f) && !this.isOpen(f)), 0);
  }

  /** Whether the lfFiles patterns now match other files than the loaded project has (true with no project). */
  private async lfFileSetChanged(): Promise<boolean> {
    const project = this.project;
    if (!project) return true;
    const now = new Set<string>();
    for (const pattern of project.lfFilePatterns) {
      for (const f of (await expandLfPattern(project.root, pattern)).files) now.add(f);
    }
    return now.size !== project.lfFiles.length || project.lfFiles.some((f) => !now.has(f));
  }

  private async restart(): Promise<void> {
    await this.executor?.dispose();
    this.executor = null;
    await this.openWorkspace();
  }

  private onDocument(document: TextDocument, delayMs: number, typing = false): void {
    const file = uriToPath(document.uri);
    // A newer edit makes a run of the older text stale: cancel it rather than wait for figures nobody reads.
    if (file && this.engine?.isLfFile(file)) this.scheduler.request([file], delayMs, { cancelStale: typing });
  }

  /**
   * With runOnChange off, files run on save. A revert (the editor's text back to what is on disk) saves
   * nothing, yet the figures shown are of the text before it: run the file again.
   */
  private async runIfReverted(document: TextDocument): Promise<void> {
    const file = uriToPath(document.uri);
    if (!file || !this.engine?.isLfFile(file)) return;
    const onDisk = await readFile(file, 'utf8').catch(() => null);
    if (onDisk !== null && onDisk === document.getText()) this.scheduler.request([file], 0);
  }

  private isOpen(file: string): boolean {
    return this.documents.get(pathToFileURL(file).toString()) !== undefined;
  }

  private isDataFile(file: string): boolean {
    return this.engine !== null && this.engine.isDataFile(file);
  }

  /** The scheduler's worker: runs the given files in order and publishes everything that changed. */
  private async runFiles(files: string[], signal?: AbortSignal): Promise<void> {
    // Not awaiting `opening` here: openWorkspace itself runs every file through this method. Documents opened
    // before the engine exists are covered by that first full run.
    const engine = this.engine;
    if (!engine || files.length === 0) return;
    this.setStatus({ state: 'running', text: 'LF Studio: running', detail: `Running ${files.map(baseName).join(', ')}` });
    const started = performance.now();
    for (const file of files) {
      const open = this.documents.get(pathToFileURL(file).toString());
      const source = open ? open.getText() : await readFile(file, 'utf8').catch(() => null);
      if (source === null) continue;
      await engine.runFile(file, source, signal);
      signal?.throwIfAborted();
      this.failedFiles.delete(file);
    }
    if (engine !== this.engine) return; // the project was reloaded meanwhile
    // A file may just have started the user's own Python: the status names it and its layers from now on.
    if (this.executor && engine.usesPython()) this.isolationLabels = describeIsolation(await this.executor.isolation());
    this.analysis = engine.analyze(Math.round(performance.now() - started));
    this.connection.console.info(`Ran ${files.map(baseName).join(', ')} in ${this.analysis.durationMs} ms: ${this.analysis.lfs.length} LFs`);
    this.publish(this.analysis);
  }

  /** New figures from the votes already there (a gold label changed); no LF re-runs. */
  private reanalyze(): void {
    if (!this.engine) return;
    const started = performance.now();
    const analysis = this.engine.analyze();
    analysis.durationMs = Math.round(performance.now() - started);
    this.analysis = analysis;
    this.publish(this.analysis);
  }

  /** A run or the analysis after it threw (the runtime, not the user's LF): log it and show it in the status. */
  private runFailed(err: unknown, files: string[]): void {
    for (const f of files) this.failedFiles.set(f, firstLine(errorText(err)).slice(0, 120));
    this.refreshLenses();
    this.connection.console.error(`Running ${files.join(', ')} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    this.setStatus({ state: 'error', text: 'LF Studio: runtime error', detail: errorText(err) });
  }

  private publish(analysis: ProjectAnalysis): void {
    const engine = this.engine;
    if (!engine) return;
    this.diagnostics.publishAnalysis(engine, analysis);
    const errors = analysis.lfs.filter((l) => l.errors > 0 || l.timedOut).length;
    this.setStatus({
      state: 'ready',
      text: `${analysis.lfs.length} LFs · ${analysis.rows} rows · coverage ${(analysis.totalCoverage * 100).toFixed(1)}%`,
      detail: [`Last run ${analysis.durationMs} ms${errors ? `; ${errors} LFs with errors` : ''}`, ...this.restartNotes.splice(0), ...this.settingWarnings, ...this.projectWarnings, ...this.labelWarnings].join('\n'),
    });
    void this.connection.sendNotification(DidAnalyzeNotification, displayAnalysis(analysis));
    this.refreshLenses();
  }

  private refreshLenses(): void {
    if (this.canRefreshLenses) this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  /** lfstudio.json as the editor has it (open and unsaved) or as on disk, for quick fixes that edit it. */
  private async projectFileText(): Promise<{ uri: string; text: string } | null> {
    if (!this.root) return null;
    const uri = pathToFileURL(join(this.root, PROJECT_FILE_NAME)).toString();
    const open = this.documents.get(uri);
    const text = open ? open.getText() : await readFile(join(this.root, PROJECT_FILE_NAME), 'utf8').catch(() => null);
    return text === null ? null : { uri, text };
  }

  /** Python files with LFs that the project does not list get a hint with a quick fix that lists them. */
  private hintIfUnlisted(document: TextDocument): void {
    this.diagnostics.hintIfUnlisted(document, uriToPath(document.uri), this.root, this.engine);
  }

  private codeLenses(uri: string): CodeLens[] {
    const file = uriToPath(uri);
    if (!file || !this.engine?.isLfFile(file)) return [];
    const mark = staleMark({ pending: this.scheduler.isPending(file), failed: this.failedFiles.get(file) ?? null, stale: this.engine.staleReason(file) });
    return lfCodeLenses(file, this.analysis, mark);
  }

  private hover(uri: string, line: number): Hover | null {
    const file = uriToPath(uri);
    const doc = this.documents.get(uri);
    if (!file || !this.analysis || !doc) return null;
    return lfHover(file, line, this.analysis, doc, (name, lfFile) => this.examples?.hoverRows(name, lfFile) ?? null);
  }

  private setStatus(s: Omit<RuntimeStatus, 'isolation'>): void {
    this.status = { ...s, text: sanitizeLine(s.text), detail: sanitizeMultiline(s.detail), isolation: this.isolationLabels };
    void this.connection.sendNotification(RuntimeStatusNotification, this.status);
  }

  private async dispose(): Promise<void> {
    this.scheduler.dispose();
    await this.executor?.dispose();
  }

  listen(): void {
    this.connection.listen();
  }
}

function uriToPath(uri: string): string | null {
  return uri.startsWith('file:') ? fileURLToPath(uri) : null;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

