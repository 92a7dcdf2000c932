/**
 * Python text cut along the structure Python's own parser reports (sandbox/parseStructure.ts, asked through a
 * PythonParser: the sandbox executor, or the language server from the editor): the text of a statement or of
 * a labeling function, a function renamed on its `def` line, the LFs of files with their code. Nothing here
 * reads Python itself; positions all come from the parser.
 */
import type { PythonParseOutcome, PythonParser, PythonStructure } from '../sandbox/pythonStructure.ts';
import type { ParsedLf } from '../sandbox/wireProtocol.ts';
import type { ExistingLf } from './types.ts';

export type { PythonParseOutcome, PythonParser, PythonStructure };

/** The object's parser when it has one (the Python executor does; stand-ins and other runtimes may not). */
export function asPythonParser(x: unknown): PythonParser | null {
  return typeof x === 'object' && x !== null && typeof (x as Partial<PythonParser>).parsePython === 'function' ? (x as PythonParser) : null;
}

/** Lines as Python numbers them (\n, \r\n and \r end a line). */
export function sourceLines(source: string): string[] {
  return source.split(/\r\n|\r|\n/);
}

/** Lines start..end (1-based, inclusive). */
export function spanText(lines: readonly string[], start: number, end: number): string {
  return lines.slice(start - 1, end).join('\n');
}

/**
 * Removes a block's indentation (`indent` characters of leading whitespace) from each line; a line indented
 * less, such as a line inside a multi-line string, loses only the whitespace it has.
 */
export function dedent(lines: readonly string[], indent: number): string[] {
  if (indent === 0) return [...lines];
  return lines.map((line) => {
    const lead = /^[ \t\f]*/.exec(line)![0];
    return line.slice(Math.min(lead.length, indent));
  });
}

/** An LF's own code without its block's indentation: a decorated def from its first decorator, or an instance's statement. */
export function lfText(lines: readonly string[], lf: Pick<ParsedLf, 'start' | 'end' | 'indent'>): string {
  return dedent(lines.slice(lf.start - 1, lf.end), lf.indent).join('\n');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The lines with the first of lines `first`..`last` (1-based) that `pattern` matches rewritten by it; unchanged when none does. */
function replaceFirstIn(lines: readonly string[], first: number, last: number, pattern: RegExp, replacement: string): string[] {
  const out = [...lines];
  for (let i = first - 1; i < Math.min(last, out.length); i++) {
    if (pattern.test(out[i]!)) {
      out[i] = out[i]!.replace(pattern, replacement);
      break;
    }
  }
  return out;
}

/**
 * Renames the function `from` on the first of lines `first`..`last` (1-based) that defines it (`def from(`),
 * changing only that line; the lines are returned unchanged when none of them spells it that way.
 */
export function renameDefIn(lines: readonly string[], first: number, last: number, from: string, to: string): string[] {
  return replaceFirstIn(lines, first, last, new RegExp(`^(\\s*(?:async\\s+)?def\\s+)${escapeRegExp(from)}(\\s*[([])`), `$1${to}$2`);
}

/** Renames a LabelingFunction(...) instance: the first string literal "from" (or 'from') on lines `first`..`last`. */
export function renameInstanceIn(lines: readonly string[], first: number, last: number, from: string, to: string): string[] {
  return replaceFirstIn(lines, first, last, new RegExp(`(["'])${escapeRegExp(from)}\\1`), `$1${to}$1`);
}

/**
 * Renames the one labeling function of a text (a candidate's function code) from `from` to `to`, at the
 * position its structure gives; without a structure (the text did not parse), the first `def from(` line.
 */
export function renameLabelingFunction(text: string, structure: PythonStructure | null, from: string, to: string): string {
  const lines = text.split('\n');
  const lf = structure?.lfs.find((l) => (l.kind === 'decorated' ? l.function : l.name) === from);
  if (lf?.kind === 'instance') return renameInstanceIn(lines, lf.start, lf.end, from, to).join('\n');
  if (lf?.defLine) return renameDefIn(lines, lf.defLine, lf.defLine, from, to).join('\n');
  return renameDefIn(lines, 1, lines.length, from, to).join('\n');
}

/** Snorkel's names for the text's labeling functions, in source order. */
export function lfNames(structure: PythonStructure): string[] {
  return structure.lfs.map((lf) => lf.name);
}

/** Each LF of a parsed text with its code; an instance's code is preceded by the function it wraps, when the text defines it. */
export function lfsWithCode(source: string, structure: PythonStructure): ExistingLf[] {
  const lines = sourceLines(source);
  return structure.lfs.map((lf) => {
    const own = lfText(lines, lf);
    const wrapped = lf.kind === 'instance' && lf.function !== null ? structure.statements.find((s) => s.def === lf.function) : undefined;
    return { name: lf.name, code: wrapped ? `${spanText(lines, wrapped.start, wrapped.end)}\n\n${own}` : own };
  });
}

/**
 * The labeling functions of several files with their code, for prompts. A file that does not parse adds none:
 * its LFs cannot be told apart from the rest of its text (the engine's own run reports its syntax error).
 */
export async function labelingFunctionsOf(sources: readonly string[], parser: PythonParser, signal?: AbortSignal): Promise<ExistingLf[]> {
  const outcomes = await parser.parsePython(sources, signal);
  return outcomes.flatMap((o, i) => (o.ok ? lfsWithCode(sources[i]!, o.structure) : []));
}
