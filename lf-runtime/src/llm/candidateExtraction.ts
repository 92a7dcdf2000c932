/**
 * Turns a model reply into candidate LFs: every ```python block goes through Python's own parser (a
 * PythonParser: the sandbox, or the language server from the editor), and each labeling function it finds at
 * module level, inside a top-level if/try/with too, becomes one self-contained candidate carrying only the
 * imports, constants and helpers it uses (found by following the names each statement reads to the statements
 * that define them). Names are made unique against the user's existing LFs and each other. Blocks that cannot
 * be used are kept as candidates with a parse error, so the user sees what was dropped.
 */
import { pythonConstant } from './promptBuilder.ts';
import { dedent, renameDefIn, renameInstanceIn, sourceLines, spanText, type PythonParseOutcome, type PythonParser, type PythonStructure } from './pythonSource.ts';
import type { Candidate } from './types.ts';

export interface ExtractOptions {
  labels: string[];
  /** Names already taken in the user's LF files. */
  existingNames: Iterable<string>;
  /** Python's parser; null when no runtime is running (every block is then listed unchecked). */
  parser: PythonParser | null;
  signal?: AbortSignal;
}

export interface ExtractionResult {
  candidates: Candidate[];
  /** Set when the reply had no usable code at all, with a sentence for the user. */
  noUsableCode: string | null;
}

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;
/** Imports for the Snorkel names a candidate uses without importing them. */
const SNORKEL_IMPORTS: [string, string][] = [
  ['labeling_function', 'from snorkel.labeling import labeling_function'],
  ['LabelingFunction', 'from snorkel.labeling import LabelingFunction'],
  ['nlp_labeling_function', 'from snorkel.labeling import nlp_labeling_function'],
];
const NO_PARSER = 'the LF Studio runtime, whose Python parser checks candidates, is not running';

/** Code blocks of the reply that look like Python (tagged python/py, or untagged containing a def). */
export function codeBlocks(reply: string): string[] {
  const blocks: string[] = [];
  for (const m of reply.matchAll(FENCE)) {
    const lang = (m[1] ?? '').toLowerCase();
    const body = m[2] ?? '';
    if (lang === 'python' || lang === 'py' || lang === 'python3' || (lang === '' && /^\s*(?:async\s+)?def\s/m.test(body))) {
      blocks.push(body);
    }
  }
  return blocks;
}

export async function extractCandidates(reply: string, options: ExtractOptions): Promise<ExtractionResult> {
  const blocks = codeBlocks(reply);
  if (blocks.length === 0) {
    return { candidates: [], noUsableCode: 'The reply contained no usable code: no ```python block with a labeling function was found.' };
  }
  let outcomes: PythonParseOutcome[] | null = null;
  let unchecked = NO_PARSER;
  if (options.parser) {
    try {
      outcomes = await options.parser.parsePython(blocks, options.signal);
    } catch (err) {
      options.signal?.throwIfAborted();
      // The reply is kept (and saved) even when the runtime fails: its blocks are listed unchecked.
      unchecked = `Python's parser failed (${err instanceof Error ? err.message : String(err)})`;
    }
  }
  const taken = new Set(options.existingNames);
  const candidates: Candidate[] = [];
  blocks.forEach((block, blockIndex) => {
    const outcome = outcomes?.[blockIndex];
    const label = `code block ${blockIndex + 1}`;
    if (!outcome) {
      candidates.push(broken(`block_${blockIndex + 1}`, block, `${label} was not checked: ${unchecked}`));
      return;
    }
    if (!outcome.ok) {
      candidates.push(broken(`block_${blockIndex + 1}`, block, `${label} does not parse: ${outcome.error}${outcome.line ? ` (line ${outcome.line})` : ''}`));
      return;
    }
    const lfs = pickLabelingFunctions(outcome.structure);
    if (lfs.length === 0) {
      candidates.push(broken(`block_${blockIndex + 1}`, block, `${label} defines no labeling function (a def taking one row)`));
      return;
    }
    const lines = sourceLines(block);
    for (const lf of lfs) candidates.push(buildCandidate(lf, outcome.structure, lines, taken, options.labels));
  });
  const usable = candidates.filter((c) => c.parseError === null).length;
  return {
    candidates,
    noUsableCode: usable === 0 ? 'The reply contained no usable code: every code block failed to parse or defined no labeling function.' : null,
  };
}

/** One LF of a block, wherever it came from: its lines, how to rename it, what it reads. */
interface PickedLf {
  /** The candidate's name: the function's name, or an instance's name literal. */
  name: string;
  start: number;
  end: number;
  indent: number;
  /** Where to rename it: the lines holding its `def` (or, for an instance, its name literal). */
  rename: { kind: 'def' | 'literal'; first: number; last: number };
  /** Index of the top-level statement holding it. */
  statement: number;
  /** An undecorated function taken as an LF: it gets `@labeling_function()`. */
  needsDecorator: boolean;
}

/** The parser's LFs; failing that, one-argument functions that nothing else in the block reads. */
function pickLabelingFunctions(structure: PythonStructure): PickedLf[] {
  if (structure.lfs.length > 0) {
    return structure.lfs.map((lf) => ({
      name: lf.kind === 'decorated' ? lf.function! : lf.name,
      start: lf.start,
      end: lf.end,
      indent: lf.indent,
      rename: lf.kind === 'decorated' ? { kind: 'def', first: lf.defLine!, last: lf.defLine! } : { kind: 'literal', first: lf.start, last: lf.end },
      statement: lf.statement,
      needsDecorator: false,
    }));
  }
  const statements = structure.statements;
  return statements.flatMap((s, i): PickedLf[] => {
    if (s.def === null || s.params?.length !== 1) return [];
    if (statements.some((other, j) => j !== i && other.reads.includes(s.def!))) return [];
    return [{ name: s.def, start: s.start, end: s.end, indent: 0, rename: { kind: 'def', first: s.start, last: s.bodyLine ?? s.end }, statement: i, needsDecorator: true }];
  });
}

function buildCandidate(lf: PickedLf, structure: PythonStructure, blockLines: string[], taken: Set<string>, labels: string[]): Candidate {
  const original = lf.name;
  const name = uniqueName(original, taken);
  taken.add(name);
  const rename = lf.rename.kind === 'def' ? renameDefIn : renameInstanceIn;
  const lines = name === original ? blockLines : rename(blockLines, lf.rename.first, lf.rename.last, original, name);
  let fnText = dedent(lines.slice(lf.start - 1, lf.end), lf.indent).join('\n');
  if (lf.needsDecorator) fnText = `@labeling_function()\n${fnText}`;

  // Follow names from the LF to the module-level statements that define them, transitively. A statement that
  // holds another LF (or this one, inside an if/try/with) is never carried along.
  const statements = structure.statements;
  const holders = new Set(structure.lfs.map((l) => l.statement));
  const own = statements[lf.statement]!;
  const seen = new Set<string>(own.reads);
  if (lf.needsDecorator) seen.add('labeling_function');
  const queue = [...seen];
  const needed = new Set<number>();
  while (queue.length > 0) {
    const used = queue.pop() as string;
    statements.forEach((s, i) => {
      if (i === lf.statement || needed.has(i) || holders.has(i) || !s.defines.includes(used)) return;
      needed.add(i);
      for (const u of s.reads) {
        if (!seen.has(u)) {
          seen.add(u);
          queue.push(u);
        }
      }
    });
  }
  // Keep the block's order so constants come before the helpers that read them; statements sharing lines
  // (`a = 1; b = 2`) are carried once.
  const chosen = [...needed].sort((a, b) => a - b).map((i) => statements[i]!);
  const support: { text: string; isImport: boolean }[] = [];
  const spans = new Set<string>();
  for (const s of chosen) {
    const key = `${s.start}:${s.end}`;
    if (spans.has(key)) continue;
    spans.add(key);
    support.push({ text: spanText(blockLines, s.start, s.end), isImport: s.kind === 'import' });
  }
  const defined = new Set(chosen.flatMap((s) => s.defines));
  const snorkel = SNORKEL_IMPORTS.filter(([n]) => seen.has(n) && !defined.has(n)).map(([, text]) => ({ text, isImport: true }));
  support.unshift(...snorkel);
  // Models often use ABSTAIN or label constants without defining them in every block.
  const constants = labelConstants(labels).filter(([constant]) => seen.has(constant) && !defined.has(constant));
  if (constants.length > 0) support.push({ text: constants.map(([c, v]) => `${c} = ${v}`).join('\n'), isImport: false });

  const imports = support.filter((s) => s.isImport).map((s) => s.text);
  const rest = support.filter((s) => !s.isImport).map((s) => s.text);
  const code = [imports.join('\n'), ...rest, fnText].filter((s) => s !== '').join('\n\n') + '\n';
  return { name, originalName: name === original ? null : original, code, functionCode: fnText, support: support.map((s) => s.text), parseError: null };
}

function labelConstants(labels: string[]): [string, number][] {
  return [['ABSTAIN', -1], ...labels.map((l, i): [string, number] => [pythonConstant(l), i])];
}

/** `keyword_my` -> `keyword_my_2` (then _3, ...) when the name is taken. */
export function uniqueName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) return name;
  const base = name.replace(/_\d+$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function broken(name: string, code: string, parseError: string): Candidate {
  return { name, originalName: null, code, functionCode: code, support: [], parseError };
}
