/**
 * How analysis figures read in the editor: CodeLens titles, hovers, diagnostics and the copy of the analysis
 * the webviews show. Pure functions of the analysis, so they are tested without an editor and the CLI can
 * share the number formats. Everything an LF controls (its name, its error texts) and the project's label
 * names pass the sanitiser (text/controlChars.ts) here, on the way out: the engine keeps the exact values.
 */
import type { CandidateScoreOutcome, ExamplesFilter, FileProblem, LabelOverride, LfErrorSummary, LfSummary, ProjectAnalysis } from '../protocol.ts';
import type { HoverRows } from '../examples/examplesService.ts';
import { settingLine } from '../project/settingLocation.ts';
import { sanitizeLine, sanitizeMultiline } from '../text/controlChars.ts';

export function percent(x: number | null, digits = 1): string {
  return x === null || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(digits)}%`;
}

export function polarityText(polarity: number[], labels: readonly string[]): string {
  if (polarity.length === 0) return 'none';
  return polarity.map((c) => sanitizeLine(labels[c] ?? String(c))).join(', ');
}

/** One-line text for hover markdown: no controls, and no character that would start a link, HTML or a cell. */
export function markdownText(s: string): string {
  return sanitizeLine(s).replace(/[\\`*[\]<>|]/g, (ch) => `\\${ch}`);
}

/** An inline code span holding `s` (sanitised), fenced so a backtick inside cannot end it early. */
export function codeSpan(s: string): string {
  const text = sanitizeLine(s);
  if (!text.includes('`')) return `\`${text}\``;
  return `\`\` ${text} \`\``;
}

/** One clickable part of the lenses above an LF: its text and the command it runs. */
export interface LensPart {
  title: string;
  command: string;
  arguments: unknown[];
}

/** The command that opens the examples view on a question (extension/examples). */
export const SHOW_EXAMPLES_COMMAND = 'lfStudio.showExamples';

/**
 * The lenses above an LF, each figure its own lens so that each opens the rows behind it: coverage -> rows it
 * votes on, overlaps / conflicts -> those rows, dev precision -> the labeled rows it gets wrong (or, with none
 * wrong, the ones it votes on), errors -> the rows that raised. Polarity and the estimate open the dashboard.
 */
export function lensParts(lf: LfSummary, labels: readonly string[]): LensPart[] {
  const name = lf.name;
  const rows = (filter: ExamplesFilter): Pick<LensPart, 'command' | 'arguments'> => ({ command: SHOW_EXAMPLES_COMMAND, arguments: [filter] });
  const dashboard = { command: 'lfStudio.openDashboard', arguments: [sanitizeLine(name)] };
  const parts: LensPart[] = [
    { title: `coverage ${percent(lf.coverage)}`, ...rows({ split: 'sample', lf: name, lfFile: lf.file, vote: 'fires' }) },
    { title: `overlaps ${percent(lf.overlaps)}`, ...rows({ split: 'sample', lf: name, lfFile: lf.file, overlaps: true }) },
    { title: `conflicts ${percent(lf.conflicts)}`, ...rows({ split: 'sample', lf: name, lfFile: lf.file, conflicts: true }) },
    { title: `polarity ${polarityText(lf.polarity, labels)}`, ...dashboard },
  ];
  if (lf.estimatedAccuracy !== null) parts.push({ title: `est. accuracy ${percent(lf.estimatedAccuracy)}`, ...dashboard });
  if (lf.empiricalAccuracy !== null) {
    const wrong = (lf.incorrect ?? 0) > 0;
    parts.push({
      title: `dev precision ${percent(lf.empiricalAccuracy)} (${lf.correct}/${(lf.correct ?? 0) + (lf.incorrect ?? 0)})`,
      ...rows(wrong ? { split: 'labeled', lf: name, lfFile: lf.file, outcome: 'wrong' } : { split: 'labeled', lf: name, lfFile: lf.file, vote: 'fires' }),
    });
  }
  if (lf.timedOut) parts.push({ title: 'timed out', ...dashboard });
  else if (lf.errors > 0) parts.push({ title: `${lf.errors} error${lf.errors === 1 ? '' : 's'}`, ...rows({ split: 'sample', lf: name, lfFile: lf.file, errors: true }) });
  if (lf.outsideLfsList) parts.push({ title: 'not in lfs (left out of the label model)', ...dashboard });
  if (lf.runtime === 'python') parts.push({ title: 'run by your Python', ...dashboard });
  parts.push({ title: 'improve with LLM', command: 'lfStudio.improveLf', arguments: [name] });
  return parts;
}

export function hoverMarkdown(lf: LfSummary, analysis: ProjectAnalysis): string {
  const row = (k: string, v: string) => `| ${k} | ${v} |`;
  const lines = [
    `**${markdownText(lf.name)}** on ${analysis.rows} sample rows`,
    '',
    '| | |',
    '|---|---|',
    row('Polarity', `${markdownText(polarityText(lf.polarity, analysis.labels))} [${lf.polarity.join(', ')}]`),
    row('Coverage', percent(lf.coverage, 2)),
    row('Overlaps', percent(lf.overlaps, 2)),
    row('Conflicts', percent(lf.conflicts, 2)),
    row('Est. accuracy (label model, no gold)', percent(lf.estimatedAccuracy, 1)),
  ];
  if (analysis.devRows !== null) {
    lines.push(
      row('Correct / incorrect on dev', `${lf.correct ?? 'n/a'} / ${lf.incorrect ?? 'n/a'}`),
      row('Emp. accuracy on dev (precision: correct / votes)', percent(lf.empiricalAccuracy, 1)),
    );
  }
  if (lf.errors) lines.push(row('Errors', String(lf.errors)));
  if (lf.devErrors) lines.push(row('Errors on dev (counted as abstain)', `${lf.devErrors}${lf.devFirstError ? `: ${markdownText(lf.devFirstError.message)}` : ''}`));
  if (lf.noneCount) lines.push(row('Returned None (counted as abstain)', String(lf.noneCount)));
  if (lf.timedOut) lines.push(row('Timed out', 'yes: its votes count as abstain'));
  if (lf.outsideLfsList) lines.push(row('In the label model', 'no: the file\'s `lfs = [...]` list leaves it out'));
  lines.push(row('Runtime', lf.runtime === 'python' ? 'your own Python (packages the sandbox lacks)' : 'the pyodide sandbox'));
  if (analysis.labelModel) {
    const lm = analysis.labelModel;
    lines.push('', `Label model: ${markdownText(lm.name)}, chosen by ${markdownText(lm.chosenBy)}; ${lm.uncoveredRows} rows have no vote.`);
    lines.push(...overrideLines(lf.name, lm.overrides));
  }
  return lines.join('\n');
}

/** A markdown link that runs a command with JSON arguments (the client marks LF Studio hovers as trusted). */
export function commandLink(text: string, command: string, args: unknown[]): string {
  return `[${markdownText(text)}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
}

const HOVER_TEXT = 140;

/** The rows part of an LF's hover: a few rows it votes on, one it gets wrong, the LFs it conflicts with most. */
export function hoverRowsMarkdown(name: string, labels: readonly string[], rows: HoverRows, file?: string): string {
  const label = (c: number | null) => (c === null || c < 0 ? 'abstain' : markdownText(labels[c] ?? String(c)));
  const short = (t: string) => markdownText(t.length > HOVER_TEXT ? `${t.slice(0, HOVER_TEXT)}…` : t);
  const show = (filter: ExamplesFilter) => (text: string) => commandLink(text, SHOW_EXAMPLES_COMMAND, [filter]);
  const lines: string[] = ['', '---', ''];
  if (rows.fires.length) {
    lines.push(`Votes on ${rows.firesTotal} rows, e.g. (${show({ split: 'sample', lf: name, lfFile: file, vote: 'fires' })('show all')}):`, '');
    for (const r of rows.fires) lines.push(`- **${label(r.vote)}**: ${short(r.text)}`);
  } else lines.push('Votes on no sample row.');
  if (rows.wrong) {
    lines.push('', `Wrong on ${rows.wrongTotal} labeled rows, e.g. (${show({ split: 'labeled', lf: name, lfFile: file, outcome: 'wrong' })('show all')}):`, '');
    lines.push(`- votes **${label(rows.wrong.vote)}**, gold **${label(rows.wrong.gold)}**: ${short(rows.wrong.text)}`);
  }
  if (rows.partners.length) {
    const list = rows.partners.map((p) => `${show({ split: 'sample', lf: name, lfFile: file, conflictsWith: p.name })(`${p.name} (${p.rows} rows)`)}`);
    lines.push('', `Conflicts most with: ${list.join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * What the label model did with an LF that lies inside a broader one (or has such LFs inside it): users see why
 * a narrow rule is not out-voted by the rule it refines, and why a broad rule's estimate ignores those rows.
 */
export function overrideLines(name: string, overrides: readonly LabelOverride[]): string[] {
  const out: string[] = [];
  const over = overrides.filter((o) => o.narrow === name);
  if (over.length) {
    const list = over.map((o) => `${codeSpan(o.broad)} on ${o.rows} row${o.rows === 1 ? '' : 's'}`).join(', ');
    out.push('', `Treated as an exception to ${list}: its votes lie inside those LFs' and differ, so their votes there are set aside.`);
  }
  const under = overrides.filter((o) => o.broad === name);
  if (under.length) {
    const rows = under.reduce((s, o) => s + o.rows, 0);
    const list = under.map((o) => codeSpan(o.narrow)).join(', ');
    out.push('', `Its vote is set aside on ${rows} row${rows === 1 ? '' : 's'} where narrower LFs inside it disagree (${list}); there its estimate uses the other LFs' verdict.`);
  }
  return out;
}

/**
 * How many of `lines` (starting at an LF's first decorator) are its header: the decorators and the `def`
 * signature up to the line that ends it with ':'. Every line of the body, whatever it starts with, is outside.
 * When the text ends before the signature does, all of it counts as header.
 */
export function lfHeaderLength(lines: readonly string[]): number {
  let seenDef = false;
  for (let i = 0; i < lines.length; i++) {
    const code = lines[i].replace(/#.*$/, '').trimEnd();
    if (!seenDef && /^\s*(async\s+)?def\b/.test(code)) seenDef = true;
    if (seenDef && code.endsWith(':')) return i + 1;
  }
  return lines.length;
}

export type Severity = 'error' | 'warning' | 'information';

export interface PlainDiagnostic {
  /** 1-based line. */
  line: number;
  severity: Severity;
  message: string;
  code: string;
  /** The LF a failure belongs to (exact name), for the quick fix that shows its failing rows. */
  lf?: string;
}

/**
 * Diagnostics for one LF file: user LF failures are data, shown where they happen, never pop-ups. Messages are
 * sanitised (names on one line; a message may keep its line breaks).
 */
export function fileDiagnostics(file: string, analysis: ProjectAnalysis, problems: FileProblem[]): PlainDiagnostic[] {
  return plainDiagnostics(file, analysis, problems).map((d) => ({ ...d, message: sanitizeMultiline(d.message) }));
}

function plainDiagnostics(file: string, analysis: ProjectAnalysis, problems: FileProblem[]): PlainDiagnostic[] {
  const out: PlainDiagnostic[] = [];
  for (const p of problems) {
    if (p.file !== file) continue;
    out.push({ line: p.line ?? 1, severity: p.severity ?? 'error', message: p.message, code: 'file-problem' });
  }
  for (const raw of analysis.lfs) {
    if (raw.file !== file) continue;
    const lf = { ...raw, name: sanitizeLine(raw.name) };
    if (lf.timedOut) {
      out.push({
        line: lf.line,
        severity: 'warning',
        code: 'timeout',
        message: `${lf.name} was stopped: it ran past its time budget (setting lfStudio.lfTimeoutMs). Rows it did not finish count as abstain.`,
      });
    }
    if (lf.firstError && lf.firstError.kind !== 'timeout') {
      const where = lf.firstError.line ?? lf.line;
      out.push({
        line: where,
        severity: 'warning',
        code: sanitizeLine(lf.firstError.kind),
        lf: raw.name,
        message: `${lf.name} failed on ${lf.errors} of ${analysis.rows} rows (counted as abstain): ${lf.firstError.message}`,
      });
    }
    if (lf.noneCount > 0) {
      out.push({
        line: lf.line,
        severity: 'information',
        code: 'returned-none',
        message: `${lf.name} returned None on ${lf.noneCount} rows; counted as abstain (return ABSTAIN to say so explicitly).`,
      });
    }
    if (lf.coverage === 0 && !lf.timedOut && lf.errors === 0) {
      out.push({ line: lf.line, severity: 'information', code: 'no-votes', message: `${lf.name} abstains on every sample row.` });
    }
  }
  return out;
}

/**
 * The 1-based line of lfstudio.json a project problem belongs to: its own line when known, else the line of
 * the key its JSON pointer ends in (array indices point at their parent key), else line 1.
 */
export function projectProblemLine(text: string, problem: { line?: number; path?: string }): number {
  if (problem.line) return problem.line;
  return settingLine(text, problem.path);
}

/**
 * The analysis as the extension and its webviews get it (dashboard, status): every name and text an LF or the
 * project controls sanitised. File paths stay exact: the dashboard opens them.
 */
export function displayAnalysis<A extends ProjectAnalysis | null>(analysis: A): A {
  if (analysis === null) return analysis;
  const a: ProjectAnalysis = analysis;
  return {
    ...a,
    task: sanitizeMultiline(a.task),
    labels: a.labels.map(sanitizeLine),
    lfs: a.lfs.map((lf) => ({ ...lf, name: sanitizeLine(lf.name), firstError: displayError(lf.firstError) })),
    labelModel: a.labelModel && {
      ...a.labelModel,
      name: sanitizeLine(a.labelModel.name),
      chosenBy: sanitizeLine(a.labelModel.chosenBy),
      overrides: a.labelModel.overrides.map((o) => ({ ...o, narrow: sanitizeLine(o.narrow), broad: sanitizeLine(o.broad) })),
    },
    fileProblems: a.fileProblems.map((p) => ({ ...p, message: sanitizeMultiline(p.message) })),
  } as A;
}

function displayError(e: LfErrorSummary | null): LfErrorSummary | null {
  if (!e) return null;
  return { ...e, kind: sanitizeLine(e.kind), message: sanitizeMultiline(e.message), traceback: e.traceback === null ? null : sanitizeMultiline(e.traceback) };
}

/** A candidate's score as the review panel shows it: the error its code raised, sanitised. */
export function displayScoreOutcome(outcome: CandidateScoreOutcome): CandidateScoreOutcome {
  if (!outcome.ok) return { ok: false, error: sanitizeMultiline(outcome.error) };
  const score = outcome.score;
  return { ok: true, score: { ...score, firstError: score.firstError === null ? null : sanitizeMultiline(score.firstError), maxOverlapWith: score.maxOverlapWith === null ? null : sanitizeLine(score.maxOverlapWith) } };
}
