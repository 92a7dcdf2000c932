/**
 * Hosts the review webview for one generation: shows each candidate with its numbers, re-scores edits
 * through the language server, inserts accepted candidates into the chosen LF file as one undoable
 * WorkspaceEdit each, and saves every decision back to the generation file so nothing is lost. What the
 * webview asks for is checked again here: a candidate that does not run is never inserted (planAccept).
 */
import * as vscode from 'vscode';
import type { HostToReviewMessage, ReviewToHostMessage } from '../../lf-runtime/src/protocol.ts';
import { passingUndecided, planAccept, rescoreEdited, setDecision } from '../../lf-runtime/src/llm/generateLfs.ts';
import type { CandidateScorer } from '../../lf-runtime/src/llm/candidateScoring.ts';
import { saveGeneration } from '../../lf-runtime/src/llm/generationStore.ts';
import { planInsertion, type InsertionPlan } from '../../lf-runtime/src/llm/insertion.ts';
import type { PythonParser } from '../../lf-runtime/src/llm/pythonSource.ts';
import type { GenerationRecord, ScoredCandidate } from '../../lf-runtime/src/llm/types.ts';
import { webviewHtml } from '../webviewHtml.ts';

export interface ReviewPanelDeps {
  extensionUri: vscode.Uri;
  workspaceRoot: string;
  /** Scores through the language server; null when it is not running (edits are then left unscored). */
  scorer: () => CandidateScorer | null;
  /** Python's parser in the language server; null when it is not running (edits are then left unchecked). */
  parser: () => PythonParser | null;
  /** Every LF name in the project right now (to avoid collisions on insert). */
  projectLfNames: () => string[];
  output: vscode.LogOutputChannel;
}

export class ReviewPanel {
  static readonly viewType = 'lfStudio.review';
  private static current: ReviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private targetFile: string | null;
  private readonly edits = new Map<string, AbortController>();

  /** Opens (or reuses) the panel for a generation. */
  static show(record: GenerationRecord, lfFiles: string[], deps: ReviewPanelDeps): void {
    if (ReviewPanel.current) {
      // A reused panel takes the new generation's project view too (its LF names, scorer and settings).
      ReviewPanel.current.record = record;
      ReviewPanel.current.lfFiles = lfFiles;
      if (!lfFiles.includes(ReviewPanel.current.targetFile ?? '')) ReviewPanel.current.targetFile = lfFiles[0] ?? null;
      ReviewPanel.current.deps = deps;
      ReviewPanel.current.panel.reveal(vscode.ViewColumn.Beside);
      ReviewPanel.current.push();
      return;
    }
    const root = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(ReviewPanel.viewType, 'LF Studio: Review Candidates', vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [root],
    });
    ReviewPanel.current = new ReviewPanel(panel, record, lfFiles, deps);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private record: GenerationRecord,
    private lfFiles: string[],
    private deps: ReviewPanelDeps,
  ) {
    this.targetFile = lfFiles[0] ?? null;
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, 'review', 'LF Studio: Review Candidates');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: ReviewToHostMessage) => void this.onMessage(m).catch((err: unknown) => this.fail(err))),
    );
  }

  private async onMessage(message: ReviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.push();
        return;
      case 'edit':
        return this.rescore(message.name, message.code);
      case 'reject':
        this.record = setDecision(this.record, message.name, 'rejected');
        await this.persist();
        this.push();
        return;
      case 'accept':
        this.targetFile = message.targetFile;
        await this.accept([message.name], message.targetFile);
        return;
      case 'acceptAllPassing':
        this.targetFile = message.targetFile;
        await this.accept(passingUndecided(this.record), message.targetFile);
        return;
    }
  }

  /** Live re-scoring: a newer edit of the same candidate cancels the one in flight. */
  private async rescore(name: string, code: string): Promise<void> {
    this.edits.get(name)?.abort();
    const controller = new AbortController();
    this.edits.set(name, controller);
    this.post({ type: 'busy', name, busy: true });
    try {
      const updated = await rescoreEdited(this.record, name, code, this.deps.scorer(), this.deps.parser(), this.deps.projectLfNames(), controller.signal);
      if (controller.signal.aborted) return;
      this.record = updated;
      await this.persist();
      this.push();
    } finally {
      if (this.edits.get(name) === controller) this.edits.delete(name);
      this.post({ type: 'busy', name, busy: false });
    }
  }

  /** Inserts candidates one WorkspaceEdit each, so each Accept is one Undo; refuses those that do not run. */
  private async accept(names: string[], file: string): Promise<void> {
    if (!this.lfFiles.includes(file)) throw new Error(`${file} is not one of the project's LF files`);
    const { accept, refused } = planAccept(this.record, names);
    if (refused.length > 0) {
      const message = `Not accepted: ${refused.map((r) => `${r.name} (${r.reason})`).join('; ')}`;
      this.deps.output.warn(`Review panel: ${message}`);
      this.post({ type: 'error', message });
    }
    if (accept.length === 0) return;
    const uri = vscode.Uri.file(file);
    const document = await vscode.workspace.openTextDocument(uri);
    let lastLine = 1;
    for (const candidate of accept) {
      const name = candidate.name;
      const plan = await this.planFor(document, candidate);
      const edit = new vscode.WorkspaceEdit();
      for (const ins of plan.insertions) {
        const at = ins.line === 'end' ? document.positionAt(document.getText().length) : new vscode.Position(ins.line, 0);
        edit.insert(uri, at, ins.text);
      }
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not edit ${file}; is it read-only?`);
      this.record = setDecision(this.record, name, 'accepted');
      lastLine = plan.functionLine;
      this.deps.output.info(`Accepted ${name}${plan.name !== name ? ` as ${plan.name}` : ''} into ${file}`);
    }
    await this.persist();
    this.push();
    const line = Math.max(0, lastLine - 1);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(line, 0, line, 0), preserveFocus: true });
  }

  /**
   * The insertion for the document as it is now; the file's own names and LFs come from the language server's
   * parser. A document edited while the parser answered is planned again.
   */
  private async planFor(document: vscode.TextDocument, candidate: ScoredCandidate): Promise<InsertionPlan> {
    for (let attempt = 1; ; attempt++) {
      const version = document.version;
      const plan = await planInsertion(document.getText(), candidate, this.deps.projectLfNames(), this.deps.parser());
      if (document.version === version) return plan;
      if (attempt >= 3) throw new Error(`${document.fileName} kept changing while ${candidate.name} was being placed; accept it again`);
    }
  }

  private async persist(): Promise<void> {
    await saveGeneration(this.deps.workspaceRoot, this.record);
  }

  private push(): void {
    this.post({ type: 'showGeneration', record: this.record, lfFiles: this.lfFiles, targetFile: this.targetFile });
  }

  private post(message: HostToReviewMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.deps.output.error(`Review panel: ${message}`);
    this.post({ type: 'error', message });
  }

  private dispose(): void {
    ReviewPanel.current = undefined;
    for (const c of this.edits.values()) c.abort();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
