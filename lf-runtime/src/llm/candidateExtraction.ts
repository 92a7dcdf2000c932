/**
 * Turns a model reply into candidate LFs: every ```python block is cut into top-level statements, and each
 * labeling function becomes one self-contained candidate carrying only the imports, constants and helpers it
 * uses (found by following names). Names are made unique against the user's existing LFs and each other.
 * Blocks that cannot be used are kept as candidates with a parse error, so the user sees what was dropped.
 */
import { pythonConstant } from './promptBuilder.ts';
import { isLabelingFunction, renameDef, splitTopLevel } from './pythonSource.ts';
import type { TopLevelStatement } from './pythonSource.ts';
import type { Candidate } from './types.ts';

export interface ExtractOptions {
  labels: string[];
  /** Names already taken in the user's LF files. */
  existingNames: Iterable<string>;
}

export interface ExtractionResult {
  candidates: Candidate[];
  /** Set when the reply had no usable code at all, with a sentence for the user. */
  noUsableCode: string | null;
}

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;
const DECORATOR_IMPORT = 'from snorkel.labeling import labeling_function';

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

export function extractCandidates(reply: string, options: ExtractOptions): ExtractionResult {
  const blocks = codeBlocks(reply);
  if (blocks.length === 0) {
    return { candidates: [], noUsableCode: 'The reply contained no usable code: no ```python block with a labeling function was found.' };
  }
  const taken = new Set(options.existingNames);
  const candidates: Candidate[] = [];
  blocks.forEach((block, blockIndex) => {
    const split = splitTopLevel(block);
    if (split.problem) {
      candidates.push(broken(`block_${blockIndex + 1}`, block, `code block ${blockIndex + 1} does not parse: ${split.problem}`));
      return;
    }
    const lfs = pickLabelingFunctions(split.statements);
    if (lfs.length === 0) {
      candidates.push(broken(`block_${blockIndex + 1}`, block, `code block ${blockIndex + 1} defines no labeling function (a def taking one row)`));
      return;
    }
    for (const lf of lfs) candidates.push(buildCandidate(lf, split.statements, taken, options.labels));
  });
  const usable = candidates.filter((c) => c.parseError === null).length;
  return {
    candidates,
    noUsableCode: usable === 0 ? 'The reply contained no usable code: every code block failed to parse or defined no labeling function.' : null,
  };
}

/** Decorated functions; failing that, one-argument functions that nothing else in the block calls. */
function pickLabelingFunctions(statements: TopLevelStatement[]): TopLevelStatement[] {
  const decorated = statements.filter(isLabelingFunction);
  if (decorated.length > 0) return decorated;
  const defs = statements.filter((s) => s.kind === 'def' && s.params.length === 1);
  return defs.filter((d) => !statements.some((other) => other !== d && other.uses.has(d.defines[0] as string)));
}

function buildCandidate(lf: TopLevelStatement, statements: TopLevelStatement[], taken: Set<string>, labels: string[]): Candidate {
  const original = lf.defines[0] as string;
  const name = uniqueName(original, taken);
  taken.add(name);
  let fnText = name === original ? lf.text : renameDef(lf.text, original, name);
  const needsDecorator = !isLabelingFunction(lf);
  if (needsDecorator) fnText = `@labeling_function()\n${fnText}`;

  // Follow names from the LF to the module-level statements that define them, transitively.
  const needed = new Set<TopLevelStatement>();
  const queue = [...lf.uses];
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    const used = queue.pop() as string;
    for (const s of statements) {
      if (s === lf || needed.has(s) || !s.defines.includes(used) || isLabelingFunction(s)) continue;
      needed.add(s);
      for (const u of s.uses) {
        if (!seen.has(u)) {
          seen.add(u);
          queue.push(u);
        }
      }
    }
  }
  // Keep the block's order so constants come before the helpers that read them.
  const support = statements.filter((s) => needed.has(s)).map((s) => s.text);
  const defined = new Set(statements.filter((s) => needed.has(s)).flatMap((s) => s.defines));
  const usesDecorator = needsDecorator || lf.decorators.some((d) => d.startsWith('labeling_function'));
  if (usesDecorator && !defined.has('labeling_function')) support.unshift(DECORATOR_IMPORT);
  // Models often use ABSTAIN or label constants without defining them in every block.
  const constants = labelConstants(labels).filter(([constant]) => seen.has(constant) && !defined.has(constant));
  if (constants.length > 0) support.push(constants.map(([c, v]) => `${c} = ${v}`).join('\n'));

  const imports = support.filter((s) => /^(import|from)\s/.test(s));
  const rest = support.filter((s) => !/^(import|from)\s/.test(s));
  const code = [imports.join('\n'), ...rest, fnText].filter((s) => s !== '').join('\n\n') + '\n';
  return { name, originalName: name === original ? null : original, code, functionCode: fnText, support, parseError: null };
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
