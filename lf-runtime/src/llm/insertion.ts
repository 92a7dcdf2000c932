/**
 * Where and what to insert when the user accepts a candidate into one of their LF files: missing imports go
 * after the file's last top-level import, helpers and constants the file lacks and the function go at the
 * end. The function is renamed if the file (or the project) already has that name. Pure text in, edits out,
 * so the editor applies them as one undoable WorkspaceEdit and tests need no editor.
 */
import { uniqueName } from './candidateExtraction.ts';
import { renameDef, splitTopLevel } from './pythonSource.ts';
import type { Candidate } from './types.ts';

export interface TextInsertion {
  /** 0-based line before which the text goes, or 'end' for the end of the file. */
  line: number | 'end';
  text: string;
}

export interface InsertionPlan {
  /** The name the LF has in the file (differs from the candidate's when that was taken). */
  name: string;
  insertions: TextInsertion[];
  /** 1-based line of the inserted function's first line (its decorator) after the edit, to reveal it. */
  functionLine: number;
}

export function planInsertion(fileText: string, candidate: Candidate, takenNames: Iterable<string>): InsertionPlan {
  if (candidate.parseError) throw new Error(`candidate ${candidate.name} cannot be inserted: ${candidate.parseError}`);
  const file = splitTopLevel(fileText);
  const definedInFile = new Set(file.statements.flatMap((s) => s.defines));
  const importLines = new Set(file.statements.filter((s) => s.kind === 'import').map((s) => s.text.trim()));
  const name = uniqueName(candidate.name, new Set([...takenNames, ...definedInFile]));
  const functionCode = name === candidate.name ? candidate.functionCode : renameDef(candidate.functionCode, candidate.name, name);

  const imports: string[] = [];
  const helpers: string[] = [];
  for (const support of candidate.support) {
    const split = splitTopLevel(support).statements;
    for (const s of split) {
      if (s.kind === 'import') {
        // An import whose names the file already binds is redundant; an identical line is too.
        if (importLines.has(s.text.trim()) || s.defines.every((d) => definedInFile.has(d))) continue;
        imports.push(s.text.trim());
      } else if (!s.defines.some((d) => definedInFile.has(d))) {
        // Keep the user's own helper or constant when one of that name exists.
        helpers.push(s.text);
      }
    }
  }

  const lines = fileText.split('\n');
  const lastImport = file.statements.filter((s) => s.kind === 'import').at(-1);
  const importAt = lastImport ? lastImport.startLine + lastImport.text.split('\n').length : firstCodeLine(lines);
  const insertions: TextInsertion[] = [];
  const emptyFile = fileText.trim() === '';
  if (imports.length > 0 && !emptyFile) insertions.push({ line: importAt, text: `${imports.join('\n')}\n` });
  const endsWithNewline = fileText.length === 0 || fileText.endsWith('\n');
  // Two blank lines before top-level definitions, as PEP 8 and the user's file have them.
  const lead = emptyFile ? '' : `${endsWithNewline ? '' : '\n'}\n\n`;
  const importHead = emptyFile && imports.length > 0 ? `${imports.join('\n')}\n\n` : '';
  const body = importHead + [...helpers, functionCode].join('\n\n\n');
  insertions.push({ line: 'end', text: `${lead}${body}\n` });

  const partial = { name, insertions, functionLine: 0 };
  const after = applyInsertionPlan(fileText, partial).split('\n');
  const defAt = after.findIndex((l) => new RegExp(`^(?:async\\s+)?def\\s+${name}\\s*\\(`).test(l));
  // Back up over the decorators so the reveal shows the whole header.
  let first = defAt;
  while (first > 0 && (after[first - 1] as string).startsWith('@')) first--;
  return { ...partial, functionLine: first + 1 };
}

/** After a module docstring and leading comments, where the first import would go. */
function firstCodeLine(lines: string[]): number {
  let i = 0;
  while (i < lines.length && ((lines[i] as string).trim() === '' || (lines[i] as string).trim().startsWith('#'))) i++;
  const first = (lines[i] ?? '').trim();
  const quote = first.startsWith('"""') ? '"""' : first.startsWith("'''") ? "'''" : null;
  if (!quote) return i;
  if (first.length > 3 && first.slice(3).includes(quote)) return i + 1;
  for (let j = i + 1; j < lines.length; j++) if ((lines[j] as string).includes(quote)) return j + 1;
  return i;
}

/** Applies a plan to text (what the WorkspaceEdit will do), for tests and for previews. */
export function applyInsertionPlan(fileText: string, plan: InsertionPlan): string {
  const lines = fileText.split('\n');
  let end = '';
  const order = (l: number | 'end'): number => (l === 'end' ? Infinity : l);
  for (const ins of [...plan.insertions].sort((a, b) => order(b.line) - order(a.line))) {
    if (ins.line === 'end') end += ins.text;
    else if (ins.line >= lines.length) lines.push(ins.text);
    else lines[ins.line] = `${ins.text}${lines[ins.line] ?? ''}`;
  }
  return lines.join('\n') + end;
}
