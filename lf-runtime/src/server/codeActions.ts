/**
 * Quick fixes and links on LF Studio's diagnostics: an LF that raises links to the rows it failed on (the
 * examples view), and a Python file with `@labeling_function` that lfstudio.json does not list gets a hint
 * whose quick fix adds it to "lfFiles" (an ordinary, undoable edit of lfstudio.json).
 */
import { relative, sep } from 'node:path';
import { findNodeAtLocation, modify, parseTree } from 'jsonc-parser';
import { CodeActionKind, DiagnosticSeverity, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type { ExamplesFilter } from '../protocol.ts';
import { SHOW_EXAMPLES_COMMAND } from './presentation.ts';

export const NOT_IN_LF_FILES = 'not-in-lfFiles';
/** Error kinds of an LF that failed on rows (see sandbox/types.ts LfErrorKind). */
const ROW_ERRORS = new Set(['exception', 'invalid-return']);

/** What a diagnostic carries for its code action. */
export type DiagnosticData = { lf: string } | { relPath: string };

/** The `@labeling_function` line of a Python file's text (0-based), or -1 when it has none. */
export function labelingFunctionLine(text: string): number {
  return text.split('\n').findIndex((l) => /^\s*@\s*([A-Za-z_]\w*\.)*labeling_function\b/.test(l));
}

/** The hint on a Python file with LFs that the project does not run; null when there is nothing to say. */
export function notInLfFilesDiagnostic(root: string, file: string, text: string): Diagnostic | null {
  const line = labelingFunctionLine(text);
  if (line < 0) return null;
  const relPath = relative(root, file).split(sep).join('/');
  if (relPath.startsWith('../')) return null;
  return {
    range: { start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } },
    severity: DiagnosticSeverity.Hint,
    source: 'LF Studio',
    code: NOT_IN_LF_FILES,
    message: `${relPath} defines labeling functions, but "lfFiles" in lfstudio.json does not list it, so LF Studio does not run them. Add it to run them with the project.`,
    data: { relPath } satisfies DiagnosticData,
  };
}

/** Code actions for the LF Studio diagnostics the editor asks about. */
export function codeActionsFor(diagnostics: readonly Diagnostic[], projectFile: { uri: string; text: string } | null): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== 'LF Studio') continue;
    const data = d.data as Partial<{ lf: string; relPath: string }> | undefined;
    if (typeof data?.lf === 'string' && ROW_ERRORS.has(String(d.code))) {
      const filter: ExamplesFilter = { split: 'sample', lf: data.lf, errors: true };
      out.push({
        title: `Show the rows where ${data.lf} failed`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        command: { title: 'Show rows', command: SHOW_EXAMPLES_COMMAND, arguments: [filter] },
      });
    }
    if (d.code === NOT_IN_LF_FILES && typeof data?.relPath === 'string' && projectFile) {
      const edits = addToLfFiles(projectFile.text, data.relPath);
      if (!edits) continue;
      out.push({
        title: `Add ${data.relPath} to "lfFiles" in lfstudio.json`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: { changes: { [projectFile.uri]: edits } },
      });
    }
  }
  return out;
}

/** The edit that appends `relPath` to lfFiles (writing the default ["lfs.py"] out first when it is absent). */
export function addToLfFiles(text: string, relPath: string): TextEdit[] | null {
  const tree = parseTree(text);
  if (!tree || tree.type !== 'object') return null;
  const formattingOptions = { insertSpaces: true, tabSize: 2, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  const list = findNodeAtLocation(tree, ['lfFiles']);
  const edits =
    list && list.type === 'array'
      ? modify(text, ['lfFiles', -1], relPath, { formattingOptions, isArrayInsertion: true })
      : modify(text, ['lfFiles'], ['lfs.py', relPath], { formattingOptions });
  if (edits.length === 0) return null;
  // jsonc-parser speaks offsets; LSP speaks lines and characters of the same text.
  const position = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  return edits.map((e) => ({ range: { start: position(e.offset), end: position(e.offset + e.length) }, newText: e.content }));
}
