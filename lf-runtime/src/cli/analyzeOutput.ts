// How `lf-studio analyze` prints: a table shaped like Snorkel's LFAnalysis.lf_summary(), or one JSON object.
// LF names and error texts come from the user's LF files and may carry terminal escape sequences: the table
// shows them through sanitizeLine, and the JSON escapes every control character (values stay exact).
import { basename, relative } from 'node:path';
import type { ProjectAnalysis } from '../protocol.ts';
import { describeIsolation } from '../sandbox/isolation.ts';
import type { IsolationReport } from '../sandbox/types.ts';
import { safeJsonStringify, sanitizeLine } from '../text/controlChars.ts';
import { rowCount } from './cliIo.ts';

export function analysisJson(a: ProjectAnalysis, isolation: IsolationReport, failures: string[] = []) {
  return {
    ok: failures.length === 0,
    /** Files that failed to load and LFs that failed on every row, one line each (also on stderr). */
    failures,
    rows: a.rows,
    devRows: a.devRows,
    lfs: a.lfs.map((lf) => ({
      name: lf.name,
      file: lf.file,
      line: lf.line,
      runtime: lf.runtime ?? 'sandbox',
      inLabelModel: !lf.outsideLfsList,
      polarity: lf.polarity,
      coverage: lf.coverage,
      overlaps: lf.overlaps,
      conflicts: lf.conflicts,
      correct: lf.correct,
      incorrect: lf.incorrect,
      empiricalAccuracy: lf.empiricalAccuracy,
      estimatedAccuracy: lf.estimatedAccuracy,
      errors: lf.errors,
      timedOut: lf.timedOut,
      firstError: lf.firstError,
      ...(lf.firstErrorRow !== undefined ? { firstErrorRow: lf.firstErrorRow } : {}),
      noneCount: lf.noneCount,
      ...(lf.devErrors !== undefined ? { devErrors: lf.devErrors, devFirstError: lf.devFirstError ?? null } : {}),
    })),
    totalCoverage: a.totalCoverage,
    totalConflict: a.totalConflict,
    labelModel: a.labelModel,
    fileProblems: a.fileProblems,
    sandbox: isolation,
  };
}

/** The JSON output as one line of text that is safe to print (see safeJsonStringify). */
export function analysisJsonText(a: ProjectAnalysis, isolation: IsolationReport, failures: string[] = []): string {
  return safeJsonStringify(analysisJson(a, isolation, failures));
}

/**
 * How the table names each LF file: its base name when that tells the files apart, else its path relative to
 * the current folder.
 */
export function fileLabels(files: readonly string[], cwd = process.cwd()): Map<string, string> {
  const unique = [...new Set(files)];
  const bases = unique.map((f) => basename(f));
  const distinct = new Set(bases).size === bases.length;
  return new Map(unique.map((f, i) => [f, sanitizeLine(distinct ? bases[i] : relative(cwd, f) || f)]));
}

const fmt = (x: number | null, digits = 4) => (x === null ? '' : x.toFixed(digits));

export function analysisTable(a: ProjectAnalysis, isolation: IsolationReport): string {
  const withDev = a.devRows !== null;
  const files = fileLabels(a.lfs.map((lf) => lf.file));
  const header = ['', 'j', 'Polarity', 'Coverage', 'Overlaps', 'Conflicts', 'Est. Acc.'];
  if (withDev) header.push('Correct', 'Incorrect', 'Emp. Acc.');
  header.push('Errors', 'File', 'Runtime');
  const rows = a.lfs.map((lf, j) => {
    const r = [sanitizeLine(lf.name), String(j), `[${lf.polarity.join(', ')}]`, fmt(lf.coverage), fmt(lf.overlaps), fmt(lf.conflicts), fmt(lf.estimatedAccuracy)];
    if (withDev) r.push(String(lf.correct ?? ''), String(lf.incorrect ?? ''), fmt(lf.empiricalAccuracy));
    r.push(lf.timedOut ? 'timed out' : lf.errors ? String(lf.errors) : '0', files.get(lf.file) ?? '', lf.runtime === 'python' ? 'your Python' : 'sandbox');
    return r;
  });
  const last = header.length - 1;
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((v, c) => (c === 0 ? v.padEnd(widths[c]) : c === last ? v : v.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  out.push('');
  out.push(`${rowCount(a.rows)}${withDev ? `, ${a.devRows} dev ${a.devRows === 1 ? 'row' : 'rows'}` : ''}; total coverage ${fmt(a.totalCoverage)}, conflict ${fmt(a.totalConflict)}`);
  if (a.labelModel) {
    const lm = a.labelModel;
    out.push(`Est. Acc.: ${lm.name} label model, chosen by ${lm.chosenBy}; ${rowCount(lm.uncoveredRows)} ${lm.uncoveredRows === 1 ? 'has' : 'have'} no votes`);
    for (const o of lm.overrides) {
      const [narrow, broad] = [sanitizeLine(o.narrow), sanitizeLine(o.broad)];
      out.push(`Exception: ${narrow} votes only inside ${broad}'s rows and differently; ${broad}'s vote set aside on ${rowCount(o.rows)}`);
    }
  }
  if (withDev) out.push('Emp. Acc. = correct / votes on the dev set (a precision).');
  for (const lf of a.lfs) {
    const e = lf.firstError;
    if (!e) continue;
    const where = `${files.get(lf.file)}${e.line ? `:${e.line}` : ''}`;
    const row = lf.firstErrorRow !== undefined ? ` (first on row ${sanitizeLine(lf.firstErrorRow)})` : '';
    out.push(`${sanitizeLine(lf.name)}: ${sanitizeLine(e.kind)} at ${where}${row}: ${sanitizeLine(e.message)}`);
  }
  for (const lf of a.lfs) {
    const e = lf.devFirstError;
    if (!lf.devErrors || !e) continue;
    const where = `${files.get(lf.file)}${e.line ? `:${e.line}` : ''}`;
    out.push(
      `${sanitizeLine(lf.name)}: failed on ${lf.devErrors} of ${a.devRows ?? '?'} dev rows (counted as abstain, so not in Correct or Incorrect); first: ${sanitizeLine(e.kind)} at ${where}: ${sanitizeLine(e.message)}`,
    );
  }
  const outside = a.lfs.filter((lf) => lf.outsideLfsList).map((lf) => sanitizeLine(lf.name));
  if (outside.length) out.push(`In no LF list of the project (lfs = [...]), so left out of the label model: ${outside.join(', ')}`);
  out.push(`Sandbox: ${describeIsolation(isolation).join('; ') || 'no containment layers active'}`);
  return out.join('\n');
}
