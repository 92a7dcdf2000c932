/**
 * Builds the prompt for writing labeling functions. The user picks a tier (how much context to give, as in
 * ScriptoriumWS: task; + label descriptions; + data examples; + existing LFs as style; + their heuristics) and a
 * mode (general, rows no LF covers, improve one LF). The reply format is fixed so extraction can rely on it:
 * one ```python block per LF, written against the project's `x.<textField>` row shape.
 */
import type { Row } from '../data/types.ts';
import { PROMPT_TIERS } from './types.ts';
import type { BuiltPrompt, PromptExample, PromptInput, PromptTier } from './types.ts';
// The label models' generator: the same seed gives the same examples, so a prompt can be reproduced.
import { seededRandom } from '../labelModel/fittedModel.ts';

/** Longest text shown per example row: long rows cost tokens and teach little more. */
const MAX_EXAMPLE_CHARS = 300;

export function parsePromptTier(value: string): PromptTier {
  const tier = PROMPT_TIERS.find((t) => t === value);
  if (!tier) throw new Error(`unknown prompt tier "${value}": use one of ${PROMPT_TIERS.join(', ')}`);
  return tier;
}

function tierIncludes(tier: PromptTier, part: PromptTier): boolean {
  return PROMPT_TIERS.indexOf(tier) >= PROMPT_TIERS.indexOf(part);
}

export function buildPrompt(input: PromptInput): BuiltPrompt {
  if (!input.task.trim()) throw new Error('the task description is empty: describe what the labels mean (lfstudio.json "task" or --task)');
  if (input.labels.length < 2) throw new Error(`need at least two labels to write labeling functions, got ${input.labels.length}`);
  const count = Math.max(1, Math.floor(input.count));
  const sections: string[] = [];
  sections.push(`## Task\n${input.task.trim()}`);
  sections.push(labelSection(input, tierIncludes(input.tier, 'labels')));

  if (tierIncludes(input.tier, 'examples') && input.examples && input.examples.length > 0) {
    sections.push(`## Example rows\n${formatExamples(input.examples)}`);
  }
  if (tierIncludes(input.tier, 'lfs') && input.existingLfs && input.existingLfs.length > 0) {
    const code = input.existingLfs.map((lf) => lf.code.trim()).join('\n\n');
    sections.push(
      `## Existing labeling functions\nFollow their style. Do not repeat them: new functions must catch different signals.\n` +
        `Existing names (do not reuse): ${input.existingLfs.map((lf) => lf.name).join(', ')}\n\n\`\`\`python\n${code}\n\`\`\``,
    );
  }
  if (tierIncludes(input.tier, 'heuristics') && input.heuristics?.trim()) {
    sections.push(`## Heuristics from the user\n${input.heuristics.trim()}`);
  }
  sections.push(modeSection(input, count));

  return { system: systemText(input), user: sections.join('\n\n'), tier: input.tier, mode: input.mode.kind };
}

function labelSection(input: PromptInput, withDescriptions: boolean): string {
  const lines = input.labels.map((name, i) => {
    const description = withDescriptions ? input.labelDescriptions?.[name]?.trim() : undefined;
    return `- ${name} = ${i}${description ? `: ${description}` : ''}`;
  });
  return `## Labels (return the integer; ABSTAIN = -1 when unsure)\n${lines.join('\n')}`;
}

function systemText(input: PromptInput): string {
  const constants = ['ABSTAIN = -1', ...input.labels.map((l, i) => `${pythonConstant(l)} = ${i}`)].join(', ');
  return [
    'You write Snorkel-style labeling functions in Python for weak supervision.',
    'A labeling function takes one row `x` and returns a class id or ABSTAIN (-1). It should be precise: abstain unless the signal is clear.',
    `Read the text as \`x.${input.textField}\`. Use only the Python standard library (re, string, math); no network, files or third-party packages.`,
    `Define the constants you use at the top of each block: ${constants}.`,
    'Decorate each function with `@labeling_function()` imported via `from snorkel.labeling import labeling_function`.',
    'Reply with one ```python fenced block per labeling function, each block self-contained (imports, constants, helpers, then the function). Give each function a short descriptive snake_case name. After each block, one sentence on what signal it uses.',
  ].join('\n');
}

function modeSection(input: PromptInput, count: number): string {
  const mode = input.mode;
  if (mode.kind === 'uncovered') {
    const rows = mode.rows.length > 0 ? formatExamples(mode.rows) : '(none sampled)';
    return `## What to write\nNo existing labeling function votes on the rows below. Write ${count} new labeling functions that would label rows like these correctly, without firing on everything.\n${rows}`;
  }
  if (mode.kind === 'improve') {
    const t = mode.target;
    const parts = [`## What to write\nImprove the labeling function \`${t.name}\`. Write ${count} improved version(s) with new names (e.g. ${t.name}_v2) that keep its correct votes and avoid its mistakes.`];
    parts.push(`\`\`\`python\n${t.code.trim()}\n\`\`\``);
    if (t.falsePositives.length) {
      parts.push(`Wrong votes on the dev set:\n${t.falsePositives.map((r) => `- voted ${r.voted}, truly ${r.gold}: ${quote(r.text)}`).join('\n')}`);
    }
    if (t.falseNegatives.length) {
      parts.push(`Missed rows of its class (it abstained):\n${t.falseNegatives.map((r) => `- truly ${r.gold}: ${quote(r.text)}`).join('\n')}`);
    }
    if (t.conflicts.length) {
      parts.push(`Conflicts with other LFs:\n${t.conflicts.map((r) => `- ${r.otherLf} says ${r.otherVote}: ${quote(r.text)}`).join('\n')}`);
    }
    return parts.join('\n\n');
  }
  return `## What to write\nWrite ${count} new labeling functions, each using a different signal, covering every label between them.`;
}

function formatExamples(examples: PromptExample[]): string {
  return examples.map((e) => `- ${e.label !== null ? `[${e.label}] ` : ''}${quote(e.text)}`).join('\n');
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > MAX_EXAMPLE_CHARS ? `${flat.slice(0, MAX_EXAMPLE_CHARS)}…` : flat);
}

/** `"NOT SPAM"` -> `NOT_SPAM`: label names as Python constants. */
export function pythonConstant(label: string): string {
  const id = label.trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return /^[A-Z_]/.test(id) ? id : `LABEL_${id}`;
}

export interface SampleOptions {
  rows: Row[];
  /** Gold labels in row order; null when the rows are unlabeled. */
  gold: (number | null)[] | null;
  labels: string[];
  textField: string;
  /** With gold labels: this many per class; without: this many times the number of classes. */
  perClass: number;
  seed?: number;
}

/** Samples example rows per class from labeled data (the dev set), or plain rows from unlabeled data. */
export function sampleExamples(options: SampleOptions): PromptExample[] {
  const random = seededRandom(options.seed ?? 1);
  const text = (row: Row): string => textOf(row, options.textField);
  const usable = options.rows.map((row, i) => ({ row, i })).filter(({ row }) => text(row).trim() !== '');
  if (!options.gold) {
    return shuffle(usable, random)
      .slice(0, options.perClass * options.labels.length)
      .map(({ row }) => ({ id: row.id, text: text(row), label: null }));
  }
  const gold = options.gold;
  const out: PromptExample[] = [];
  options.labels.forEach((label, k) => {
    const ofClass = usable.filter(({ i }) => gold[i] === k);
    for (const { row } of shuffle(ofClass, random).slice(0, options.perClass)) out.push({ id: row.id, text: text(row), label });
  });
  // Interleave classes so the model does not read the order as a signal.
  return shuffle(out, random);
}

export function textOf(row: Row, textField: string): string {
  const v = row.fields[textField];
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}
