/**
 * What the server shows in the Problems panel, and remembers having shown so it can take it back: the
 * figures' diagnostics per LF file, the problems that stop lfstudio.json from loading, and the "not in
 * lfFiles" hint on open Python files that define LFs the project does not list.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisEngine } from '../engine/analysisEngine.ts';
import type { OpenProblem } from '../engine/openProject.ts';
import type { ProjectAnalysis } from '../protocol.ts';
import { PROJECT_FILE_NAME } from '../project/validateProject.ts';
import { sanitizeMultiline } from '../text/controlChars.ts';
import { notInLfFilesDiagnostic } from './codeActions.ts';
import { fileDiagnostics, projectProblemLine, type Severity } from './presentation.ts';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

export class DiagnosticsPublisher {
  /** Files (LF files and lfstudio.json) showing diagnostics from us. */
  private readonly diagnosedFiles = new Set<string>();
  /** Open Python files showing the "not in lfFiles" hint. */
  private readonly hintedFiles = new Set<string>();

  constructor(private readonly connection: Connection) {}

  /** Each LF file's diagnostics from the analysis; files no longer in the project lose theirs. */
  publishAnalysis(engine: AnalysisEngine, analysis: ProjectAnalysis): void {
    for (const file of engine.lfFiles) {
      const diagnostics: Diagnostic[] = fileDiagnostics(file, analysis, analysis.fileProblems).map((d) => ({
        range: { start: { line: d.line - 1, character: 0 }, end: { line: d.line - 1, character: Number.MAX_SAFE_INTEGER } },
        severity: SEVERITY[d.severity],
        source: 'LF Studio',
        code: d.code,
        message: d.message,
        ...(d.lf !== undefined ? { data: { lf: d.lf } } : {}),
      }));
      if (diagnostics.length || this.diagnosedFiles.has(file)) this.send(file, diagnostics);
    }
    // Files dropped from the project (lfFiles edited, file deleted) keep no diagnostics of their last run.
    for (const file of [...this.diagnosedFiles]) {
      if (!engine.isLfFile(file)) this.send(file, []);
    }
  }

  /** Problems that stop the project from loading, shown where they are: in lfstudio.json. */
  async publishProjectProblems(root: string, problems: OpenProblem[]): Promise<void> {
    const file = join(root, PROJECT_FILE_NAME);
    if (problems.length === 0 && !this.diagnosedFiles.has(file)) return;
    const text = await readFile(file, 'utf8').catch(() => '');
    const diagnostics: Diagnostic[] = problems.map((p) => {
      const line = projectProblemLine(text, p) - 1;
      return {
        range: { start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } },
        severity: DiagnosticSeverity.Error,
        source: 'LF Studio',
        code: 'project',
        message: sanitizeMultiline(p.message),
      };
    });
    this.send(file, diagnostics);
  }

  clearAll(): void {
    for (const file of [...this.diagnosedFiles]) this.send(file, []);
  }

  /** The hint with a quick fix on a Python file with LFs the project does not list, or its removal. */
  hintIfUnlisted(document: TextDocument, file: string | null, root: string | null, engine: AnalysisEngine | null): void {
    if (!file || !root || !engine || !file.endsWith('.py')) return;
    const hint = engine.isLfFile(file) ? null : notInLfFilesDiagnostic(root, file, document.getText());
    if (!hint && !this.hintedFiles.has(document.uri)) return;
    void this.connection.sendDiagnostics({ uri: document.uri, diagnostics: hint ? [hint] : [] });
    if (hint) this.hintedFiles.add(document.uri);
    else this.hintedFiles.delete(document.uri);
  }

  clearHint(uri: string): void {
    if (!this.hintedFiles.delete(uri)) return;
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private send(file: string, diagnostics: Diagnostic[]): void {
    void this.connection.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics });
    if (diagnostics.length) this.diagnosedFiles.add(file);
    else this.diagnosedFiles.delete(file);
  }
}
