// How `lf-studio analyze` prints: a table shaped like Snorkel's LFAnalysis.lf_summary(), or one JSON object.
import type { ProjectAnalysis } from '../protocol.ts';
import { describeIsolation } from '../sandbox/isolation.ts';
import type { IsolationReport } from '../sandbox/types.ts';

export function analysisJson(a: ProjectAnalysis, isolation: IsolationReport) {
  return {
    rows: a.rows,
    devRows: a.devRows,
    lfs: a.lfs.map((lf) => ({
      name: lf.name,
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
      noneCount: lf.noneCount,
    })),
    totalCoverage: a.totalCoverage,
    totalConflict: a.totalConflict,
    labelModel: a.labelModel,
    sandbox: isolation,
  };
}

const fmt = (x: number | null, digits = 4) => (x === null ? '' : x.toFixed(digits));

export function analysisTable(a: ProjectAnalysis, isolation: IsolationReport): string {
  const withDev = a.devRows !== null;
  const header = ['', 'j', 'Polarity', 'Coverage', 'Overlaps', 'Conflicts', 'Est. Acc.'];
  if (withDev) header.push('Correct', 'Incorrect', 'Emp. Acc.');
  header.push('Errors');
  const rows = a.lfs.map((lf, j) => {
    const r = [lf.name, String(j), `[${lf.polarity.join(', ')}]`, fmt(lf.coverage), fmt(lf.overlaps), fmt(lf.conflicts), fmt(lf.estimatedAccuracy)];
    if (withDev) r.push(String(lf.correct ?? ''), String(lf.incorrect ?? ''), fmt(lf.empiricalAccuracy));
    r.push(lf.timedOut ? 'timed out' : lf.errors ? String(lf.errors) : '0');
    return r;
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  const out = [line(header), ...rows.map(line)];
  out.push('');
  out.push(`${a.rows} rows${withDev ? `, ${a.devRows} dev rows` : ''}; total coverage ${fmt(a.totalCoverage)}, conflict ${fmt(a.totalConflict)}`);
  if (a.labelModel) {
    const lm = a.labelModel;
    out.push(`Est. Acc.: ${lm.name} label model, chosen by ${lm.chosenBy}; ${lm.uncoveredRows} rows have no votes`);
    for (const o of lm.overrides) {
      out.push(`Exception: ${o.narrow} votes only inside ${o.broad}'s rows and differently; ${o.broad}'s vote set aside on ${o.rows} rows`);
    }
  }
  if (withDev) out.push('Emp. Acc. = correct / votes on the dev set (a precision).');
  for (const lf of a.lfs) {
    if (lf.firstError) out.push(`${lf.name}: ${lf.firstError.kind}${lf.firstError.line ? ` at line ${lf.firstError.line}` : ''}: ${lf.firstError.message}`);
  }
  out.push(`Sandbox: ${describeIsolation(isolation).join('; ') || 'no containment layers active'}`);
  return out.join('\n');
}
