/**
 * Where and what to insert when the user accepts a candidate into one of their LF files: missing imports go
 * after the file's last top-level import, helpers and constants the file lacks and the function go at the
 * end. The function is renamed if the file (or the project) already has that name. The file, the candidate's
 * support and its function are read through Python's parser (a PythonParser); the edits come back as text
 * insertions, so the editor applies them as one undoable WorkspaceEdit.
 *
 * When a text has no structure (the user's file does not parse right now, or no parser is running), the plan
 * still works from the text alone: support whose exact text the file already holds is left out, the rest is
 * appended with the imports first, and the function is renamed on its first `def` line.
 */
import { uniqueName } from './candidateExtraction.ts';
import { lfNames, renameLabelingFunction, sourceLines, spanText, type PythonParser, type PythonStructure } from './pythonSource.ts';
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

/** What the plan needs to know of the user's file. */
interface FileFacts {
  /** Names the file binds at module level, and its LFs' names. */
  defined: Set<string>;
  /** Its top-level import statements' texts, trimmed (every trimmed line when the file has no structure). */
  importTexts: Set<string>;
  /** 0-based line where new imports go; null: at the head of the appended text. */
  importAt: number | null;
}

export async function planInsertion(
  fileText: string,
  candidate: Candidate,
  takenNames: Iterable<string>,
  parser: PythonParser | null,
  signal?: AbortSignal,
): Promise<InsertionPlan> {
  if (candidate.parseError) throw new Error(`candidate ${candidate.name} cannot be inserted: ${candidate.parseError}`);
  const supportText = candidate.support.join('\n');
  const outcomes = parser ? await parser.parsePython([fileText, supportText, candidate.functionCode], signal) : [];
  const structure = (i: number): PythonStructure | null => {
    const o = outcomes[i];
    return o?.ok ? o.structure : null;
  };
  const file = fileFacts(fileText, structure(0));
  const { imports, helpers } = supportToAdd(candidate.support, supportText, structure(1), file);
  const name = uniqueName(candidate.name, new Set([...takenNames, ...file.defined]));
  const functionCode = name === candidate.name ? candidate.functionCode : renameLabelingFunction(candidate.functionCode, structure(2), candidate.name, name);

  const insertions: TextInsertion[] = [];
  const emptyFile = fileText.trim() === '';
  const importsAtHead = emptyFile || file.importAt === null;
  if (imports.length > 0 && !importsAtHead) insertions.push({ line: file.importAt!, text: `${imports.join('\n')}\n` });
  const endsWithNewline = fileText.length === 0 || fileText.endsWith('\n');
  // Two blank lines before top-level definitions, as PEP 8 and the user's file have them.
  const lead = emptyFile ? '' : `${endsWithNewline ? '' : '\n'}\n\n`;
  const importHead = importsAtHead && imports.length > 0 ? `${imports.join('\n')}\n\n` : '';
  const body = importHead + [...helpers, functionCode].join('\n\n\n');
  insertions.push({ line: 'end', text: `${lead}${body}\n` });

  // The function is the last thing inserted: its first line is as far from the end as it is long.
  const plan = { name, insertions, functionLine: 0 };
  const after = applyInsertionPlan(fileText, plan).split('\n');
  return { ...plan, functionLine: after.length - functionCode.split('\n').length };
}

function fileFacts(fileText: string, structure: PythonStructure | null): FileFacts {
  const lines = sourceLines(fileText);
  if (!structure) return { defined: new Set(), importTexts: new Set(lines.map((l) => l.trim())), importAt: null };
  const statements = structure.statements;
  const imports = statements.filter((s) => s.kind === 'import');
  const lastImport = imports.at(-1);
  let importAt: number;
  if (lastImport) {
    importAt = lastImport.end;
  } else if (statements.length > 0) {
    // Before the first statement, or after it when it is the module's docstring.
    const first = statements[0]!;
    const docstring = first.kind === 'other' && /^[rRuUbB]{0,2}("""|'''|"|')/.test((lines[first.start - 1] ?? '').trim());
    importAt = docstring ? first.end : first.start - 1;
  } else {
    importAt = lines.length;
  }
  return {
    defined: new Set([...statements.flatMap((s) => s.defines), ...lfNames(structure)]),
    importTexts: new Set(imports.map((s) => spanText(lines, s.start, s.end).trim())),
    importAt,
  };
}

/**
 * The candidate's support the file lacks: an import whose names the file already binds (or whose text it
 * has) is left out, and so is a helper or constant of a name the file defines (the user's own is kept).
 */
function supportToAdd(support: string[], supportText: string, structure: PythonStructure | null, file: FileFacts): { imports: string[]; helpers: string[] } {
  const imports: string[] = [];
  const helpers: string[] = [];
  if (!structure) {
    for (const text of support) {
      if (file.importTexts.has(text.trim())) continue;
      if (/^(import|from)\s/.test(text)) imports.push(text.trim());
      else helpers.push(text);
    }
    return { imports, helpers };
  }
  const lines = sourceLines(supportText);
  const spans = new Set<string>();
  for (const s of structure.statements) {
    const key = `${s.start}:${s.end}`;
    if (spans.has(key)) continue;
    spans.add(key);
    const text = spanText(lines, s.start, s.end);
    if (s.kind === 'import') {
      if (file.importTexts.has(text.trim()) || (s.defines.length > 0 && s.defines.every((d) => file.defined.has(d)))) continue;
      imports.push(text.trim());
    } else if (!s.defines.some((d) => file.defined.has(d))) {
      helpers.push(text);
    }
  }
  return { imports, helpers };
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
