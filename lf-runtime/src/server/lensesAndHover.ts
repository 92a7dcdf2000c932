/**
 * What the editor shows above and over an LF: its lenses (one per figure, each opening the rows behind it,
 * after a mark when the figures are of an older text) and its hover (all figures, some rows, its main
 * conflicts). Functions of the analysis and a few facts the server passes in, so they read without the server.
 */
import type { CodeLens, Command, Hover } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { HoverRows } from '../examples/examplesService.ts';
import type { FileProblem, ProjectAnalysis } from '../protocol.ts';
import { sanitizeLine } from '../text/controlChars.ts';
import { hoverMarkdown, hoverRowsMarkdown, lensParts, lfHeaderLength } from './presentation.ts';

/** Why the figures of a file may not be of its current text. */
export interface FileFreshness {
  /** A run of the file is waiting or under way. */
  pending: boolean;
  /** The runtime failed the latest run (not the user's code), with the reason. */
  failed: string | null;
  /** The latest text failed to load (syntax error, failing import): figures are of the last that loaded. */
  stale: FileProblem | null;
}

/** A lens that says the figures below it are not of the current text, or null when they are. */
export function staleMark(f: FileFreshness): Command | null {
  if (f.pending) return { title: '$(sync~spin) updating…', command: '' };
  if (f.failed) return { title: `$(warning) figures of an earlier run: the last run failed (${sanitizeLine(f.failed)})`, command: 'lfStudio.showOutput' };
  if (f.stale) {
    const where = f.stale.line ? ` on line ${f.stale.line}` : '';
    return { title: `$(warning) figures of the last version that loaded: ${sanitizeLine(f.stale.message.split('\n')[0] ?? '')}${where}`, command: '' };
  }
  return null;
}

/** The lenses of one LF file: per LF, the freshness mark (when there is one) and then one lens per figure. */
export function lfCodeLenses(file: string, analysis: ProjectAnalysis | null, mark: Command | null): CodeLens[] {
  if (!analysis) return [{ range: lineRange(0), command: { title: 'LF Studio: running labeling functions…', command: '' } }];
  const lenses: CodeLens[] = [];
  for (const lf of analysis.lfs) {
    if (lf.file !== file) continue;
    const range = lineRange(lf.line - 1);
    if (mark) lenses.push({ range, command: mark });
    for (const part of lensParts(lf, analysis.labels)) lenses.push({ range, command: part });
  }
  return lenses;
}

/** The hover of the LF whose header (decorators and def signature) holds `line`; null inside a body. */
export function lfHover(file: string, line: number, analysis: ProjectAnalysis, doc: TextDocument, rowsOf: (lf: string, file: string) => HoverRows | null): Hover | null {
  const lf = analysis.lfs.filter((l) => l.file === file && l.line - 1 <= line).sort((a, b) => b.line - a.line)[0];
  if (!lf) return null;
  const lines = doc.getText({ start: { line: lf.line - 1, character: 0 }, end: { line: line + 1, character: 0 } }).split('\n');
  if (line > lf.line - 1 + lfHeaderLength(lines) - 1) return null;
  const rows = rowsOf(lf.name, lf.file);
  return { contents: { kind: 'markdown', value: hoverMarkdown(lf, analysis) + (rows ? hoverRowsMarkdown(lf.name, analysis.labels, rows, lf.file) : '') } };
}

function lineRange(line: number) {
  const l = Math.max(0, line);
  return { start: { line: l, character: 0 }, end: { line: l, character: 0 } };
}
