/**
 * What a file with no LFs is told (AnalysisEngine.analyze): to define some, or, when the function that builds them
 * is called in a top-level statement that raised, that statement's error.
 */
import { basename } from 'node:path';
import type { FileProblem } from '../protocol.ts';

/** An LF made inside a function or class body: an indented `@labeling_function` or `LabelingFunction(` call. */
export const BUILT_INDENTED = /^[ \t]+(?:@labeling_function\b|.*\bLabelingFunction\s*\()/m;

/**
 * The first of the top-level statements starting at `raisedLines` (1-based) that calls a function of the file
 * that builds LFs (`def make_lf(...)` with `LabelingFunction(` or `@labeling_function` in its body, also a
 * method: `LFG.generate_lfs(...)` of `class LFGenerator`), with that function's name; else the first that
 * assigns the file's LF list (`lfs = ...`, `ALL_LFS = ...`), named "lfs"; null when none does.
 */
export function builderCall(source: string, raisedLines: readonly number[]): { name: string; line: number } | null {
  const lines = source.split(/\r\n|\r|\n/);
  const builders = new Set<string>();
  let current: { name: string; indent: number } | null = null;
  for (const text of lines) {
    const def = /^([ \t]*)def\s+([A-Za-z_]\w*)\s*\(/.exec(text);
    if (def) current = { name: def[2]!, indent: def[1]!.length };
    else if (current && /^\s*[^\s#]/.test(text) && /^[ \t]*/.exec(text)![0].length <= current.indent) current = null;
    else if (current && /@labeling_function\b|\bLabelingFunction\s*\(/.test(text)) builders.add(current.name);
  }
  const statements = [...raisedLines].sort((a, b) => a - b).map((line) => {
    // The statement: its first line and the indented or bracketed lines after it, up to the next top-level one.
    const end = lines.findIndex((t, i) => i >= line && /^[^\s#)\]}]/.test(t));
    return { line, text: lines.slice(line - 1, end === -1 ? undefined : end).join('\n') };
  });
  for (const { line, text } of statements) for (const name of builders) if (new RegExp(`\\b${name}\\s*\\(`).test(text)) return { name, line };
  for (const { line, text } of statements) if (/^(?:all_)?(?:lfs|label(?:l)?ing_functions)\s*=/i.test(text)) return { name: 'lfs', line };
  return null;
}

/**
 * What a file with no LFs is told: the error of the raising top-level statement that calls its LF builder
 * (`lfs = [make_lf(...)]` after the file it reads was missing), else how to define LFs (noLfsProblem).
 */
export function noLfsAdvice(file: string, source: string, raised: readonly { line: number | null; message: string }[], listedIn?: string): FileProblem {
  const call = builderCall(source, raised.flatMap((p) => (p.line ? [p.line] : [])));
  if (!call) return noLfsProblem(file, listedIn);
  const why = raised.find((p) => p.line === call.line)!.message;
  return {
    file,
    line: call.line,
    severity: 'warning',
    message:
      call.name === 'lfs'
        ? `${basename(file)} defines no labeling functions: the statement at line ${call.line} that builds its LF list raised ${why}`
        : `${basename(file)} defines no labeling functions: the statement at line ${call.line} that builds them with ${call.name}() raised ${why}`,
  };
}

/**
 * A file that loads but defines no LF would otherwise show nothing at all, which reads as "still running" or
 * "broken extension"; say what is missing instead.
 */
function noLfsProblem(file: string, listedIn = '"lfFiles" in lfstudio.json'): FileProblem {
  return {
    file,
    line: 1,
    severity: 'warning',
    message:
      `${basename(file)} defines no labeling functions; decorate each one with @labeling_function() ` +
      '(from snorkel.labeling import labeling_function), or, if a function builds them (def get_lfs(): ...), ' +
      `call it at the top level (lfs = get_lfs()); or remove the file from ${listedIn}`,
  };
}
