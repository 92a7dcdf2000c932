/**
 * Just enough of Python's lexical structure to cut model-written code into top-level statements (imports,
 * assignments, functions with their decorators, classes) and to see which names each one uses. This lets a
 * reply with several LFs and shared helpers become one self-contained candidate per LF. The real parse
 * happens in the sandbox; the checks here only catch what would make splitting meaningless (unclosed
 * brackets or strings).
 */

export type StatementKind = 'import' | 'def' | 'class' | 'assign' | 'other';

export interface TopLevelStatement {
  kind: StatementKind;
  /** Source text, decorators included, without trailing blank lines. */
  text: string;
  /** Names this statement binds at module level. */
  defines: string[];
  /** Identifiers it mentions outside strings and comments (attribute names after a dot excluded). */
  uses: Set<string>;
  /** For defs: decorator lines (without '@') and parameter names. */
  decorators: string[];
  params: string[];
  /** 0-based first line within the block. */
  startLine: number;
}

export interface SplitResult {
  statements: TopLevelStatement[];
  /** Why the code cannot be split, e.g. an unclosed bracket; null when fine. */
  problem: string | null;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Scans the code once, blanking strings and comments, so brackets and names can be read safely. */
function maskStringsAndComments(code: string): { masked: string; problem: string | null } {
  let out = '';
  let i = 0;
  const brackets: string[] = [];
  while (i < code.length) {
    const c = code[i] as string;
    if (c === '#') {
      while (i < code.length && code[i] !== '\n') {
        out += ' ';
        i++;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = code.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      out += quote;
      i += quote.length;
      let closed = false;
      while (i < code.length) {
        if (code[i] === '\\') {
          out += '  ';
          i += 2;
          continue;
        }
        if (code.startsWith(quote, i)) {
          // Blank the closing quote too, so a line that starts inside a string never looks like a statement.
          out += ' '.repeat(quote.length);
          i += quote.length;
          closed = true;
          break;
        }
        if (!triple && code[i] === '\n') break;
        // Keep newlines so line numbers survive; blank everything else.
        out += code[i] === '\n' ? '\n' : ' ';
        i++;
      }
      if (!closed) return { masked: out, problem: `unterminated string starting near line ${lineAt(code, i)}` };
      continue;
    }
    if (c === '(' || c === '[' || c === '{') brackets.push(c);
    if (c === ')' || c === ']' || c === '}') {
      const open = brackets.pop();
      if (open === undefined || '([{'.indexOf(open) !== ')]}'.indexOf(c)) {
        return { masked: out, problem: `unmatched "${c}" on line ${lineAt(code, i)}` };
      }
    }
    out += c;
    i++;
  }
  if (brackets.length > 0) return { masked: out, problem: `unclosed "${brackets[brackets.length - 1]}" at the end of the code` };
  return { masked: out, problem: null };
}

function lineAt(code: string, index: number): number {
  return code.slice(0, index).split('\n').length;
}

export function splitTopLevel(code: string): SplitResult {
  const normalised = code.replace(/\r\n?/g, '\n').replace(/\t/g, '    ');
  const { masked, problem } = maskStringsAndComments(normalised);
  if (problem) return { statements: [], problem };
  const lines = normalised.split('\n');
  const maskedLines = masked.split('\n');

  // A top-level statement starts on a line at column 0 that is not inside brackets or a continuation.
  const starts: number[] = [];
  let depth = 0;
  let continued = false;
  maskedLines.forEach((m, n) => {
    const startsHere = depth === 0 && !continued && m.trim() !== '' && !/^\s/.test(m);
    if (startsHere) starts.push(n);
    for (const ch of m) {
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth--;
    }
    continued = /\\\s*$/.test(m);
  });

  const statements: TopLevelStatement[] = [];
  let pendingDecorators: number | null = null;
  starts.forEach((start, idx) => {
    const end = idx + 1 < starts.length ? (starts[idx + 1] as number) : lines.length;
    const head = (maskedLines[start] ?? '').trim();
    if (head.startsWith('@')) {
      pendingDecorators ??= start;
      return;
    }
    const from = pendingDecorators ?? start;
    pendingDecorators = null;
    const text = trimBlankEnd(lines.slice(from, end)).join('\n');
    const maskedText = maskedLines.slice(from, end).join('\n');
    statements.push(describe(text, maskedText, head, from));
  });
  if (pendingDecorators !== null) return { statements, problem: 'a decorator at the end of the code is not followed by a function' };
  return { statements, problem: null };
}

function trimBlankEnd(lines: string[]): string[] {
  const out = lines.slice();
  while (out.length > 0 && (out[out.length - 1] as string).trim() === '') out.pop();
  return out;
}

function describe(text: string, maskedText: string, head: string, startLine: number): TopLevelStatement {
  const uses = identifiers(maskedText);
  const base = { text, uses, decorators: [] as string[], params: [] as string[], startLine };
  const def = /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(([^)]*)\)?/.exec(head);
  if (def) {
    const decorators = maskedText
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('@'))
      .map((l) => l.slice(1).trim());
    const params = (def[2] ?? '')
      .split(',')
      .map((p) => p.trim().split(/[:=]/)[0]?.trim() ?? '')
      .filter((p) => p !== '' && !p.startsWith('*'));
    // The function's own name is defined, not used; keep recursion harmless.
    return { ...base, kind: 'def', defines: [def[1] as string], decorators, params };
  }
  const cls = /^class\s+([A-Za-z_]\w*)/.exec(head);
  if (cls) return { ...base, kind: 'class', defines: [cls[1] as string] };
  if (/^(import|from)\s/.test(head)) return { ...base, kind: 'import', defines: importedNames(head) };
  const assign = /^([A-Za-z_][\w\s,]*?)\s*(?::[^=]+)?=(?!=)/.exec(head);
  if (assign) {
    const names = (assign[1] as string).split(',').map((s) => s.trim()).filter((s) => /^[A-Za-z_]\w*$/.test(s));
    return { ...base, kind: 'assign', defines: names };
  }
  return { ...base, kind: 'other', defines: [] };
}

function importedNames(head: string): string[] {
  const from = /^from\s+\S+\s+import\s+\(?([^)]*)\)?/.exec(head);
  const list = from ? (from[1] as string) : head.replace(/^import\s+/, '');
  return list
    .split(',')
    .map((part) => {
      const [name, alias] = part.trim().split(/\s+as\s+/);
      // `import os.path` binds `os`.
      return (alias ?? name ?? '').trim().split('.')[0] ?? '';
    })
    .filter((n) => n !== '' && n !== '*');
}

/** Identifiers outside strings/comments, skipping attribute names (`x.text` uses x, not text). */
export function identifiers(masked: string): Set<string> {
  const found = new Set<string>();
  for (let i = 0; i < masked.length; ) {
    IDENTIFIER.lastIndex = i;
    const m = IDENTIFIER.exec(masked);
    if (m && (i === 0 || !/[\w]/.test(masked[i - 1] as string))) {
      let j = i - 1;
      while (j >= 0 && masked[j] === ' ') j--;
      if (masked[j] !== '.') found.add(m[0]);
      i += m[0].length;
    } else i++;
  }
  return found;
}

/** True when a def is decorated as a Snorkel labeling function. */
export function isLabelingFunction(s: TopLevelStatement): boolean {
  return s.kind === 'def' && s.decorators.some((d) => /(^|\.)labeling_function\b/.test(d));
}

/** Renames the function a def statement defines (the `def` line only; LFs are not called by name). */
export function renameDef(text: string, from: string, to: string): string {
  return text.replace(new RegExp(`^(\\s*(?:async\\s+)?def\\s+)${from}(\\s*\\()`, 'm'), `$1${to}$2`);
}

/** Names of every LF (decorated function) in a Python file, for collision checks. */
export function labelingFunctionNames(code: string): string[] {
  return splitTopLevel(code).statements.filter(isLabelingFunction).flatMap((s) => s.defines);
}
