/**
 * The dashboard webview: the project's LF table (Snorkel LFAnalysis columns plus estimated accuracy),
 * totals, and the runtime state. Clicking an LF name reveals it in its file.
 */
import type {
  DashboardToHostMessage,
  HostToDashboardMessage,
  LfSummary,
  ProjectAnalysis,
  RuntimeStatus,
} from '../../lf-runtime/src/protocol.ts';
import './dashboard.css';

interface VsCodeApi {
  postMessage(message: DashboardToHostMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
let analysis: ProjectAnalysis | null = null;
let status: RuntimeStatus | null = null;
let focused: string | null = null;

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function lfRow(lf: LfSummary, labels: string[]): HTMLTableRowElement {
  const name = el('a', { href: '#', textContent: lf.name, title: `${lf.file}:${lf.line}` });
  name.addEventListener('click', (e) => {
    e.preventDefault();
    vscode.postMessage({ type: 'revealLf', file: lf.file, line: lf.line });
  });
  const problems = lf.timedOut ? 'timed out' : lf.errors ? `${lf.errors} errors` : lf.noneCount ? `${lf.noneCount} × None` : '';
  const cells: (Node | string)[] = [
    name,
    lf.polarity.map((c) => labels[c] ?? String(c)).join(', ') || '—',
    pct(lf.coverage),
    pct(lf.overlaps),
    pct(lf.conflicts),
    lf.correct === null ? '—' : String(lf.correct),
    lf.incorrect === null ? '—' : String(lf.incorrect),
    pct(lf.empiricalAccuracy),
    pct(lf.estimatedAccuracy),
    problems,
  ];
  const row = el('tr', { className: `${problems ? 'has-problem' : ''}${lf.name === focused ? ' focused' : ''}` });
  row.dataset.lf = lf.name;
  for (const c of cells) row.append(el('td', {}, c));
  return row;
}

function render(): void {
  app.replaceChildren();
  const header = el('header', {}, el('h1', { textContent: 'LF Studio' }));
  if (status) header.append(el('span', { className: `status status-${status.state}`, textContent: status.text, title: status.detail }));
  const rerun = el('button', { textContent: 'Re-run all' });
  rerun.addEventListener('click', () => vscode.postMessage({ type: 'rerunAll' }));
  header.append(rerun);
  app.append(header);
  if (status?.state === 'error' || status?.state === 'no-project') app.append(el('pre', { className: 'problem', textContent: status.detail }));
  if (!analysis) {
    app.append(el('p', { textContent: 'No results yet: open a labeling-function file of the project.' }));
    return;
  }
  const a = analysis;
  app.append(
    el('p', {
      className: 'summary',
      textContent:
        `${a.task} · ${a.lfs.length} LFs on ${a.rows} sample rows` +
        (a.devRows !== null ? ` and ${a.devRows} dev rows` : '') +
        ` · total coverage ${pct(a.totalCoverage)} · conflict ${pct(a.totalConflict)}` +
        (a.labelModel
          ? ` · label model ${a.labelModel.name}${a.labelModel.usedDevSet ? ' (chosen and calibrated on the dev set)' : ''}, ${a.labelModel.uncoveredRows} rows without votes`
          : ''),
    }),
  );
  const head = ['LF', 'Polarity', 'Coverage', 'Overlaps', 'Conflicts', 'Correct', 'Incorrect', 'Emp. acc. (precision on dev)', 'Est. acc.', 'Problems'];
  const table = el('table', { className: 'lf-table' }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { textContent: h })))));
  const body = el('tbody');
  for (const lf of a.lfs) body.append(lfRow(lf, a.labels));
  table.append(body);
  app.append(table);
  for (const o of a.labelModel?.overrides ?? []) {
    app.append(
      el('p', {
        className: 'note',
        textContent: `${o.narrow} votes only inside ${o.broad}'s rows and differently: treated as an exception, so ${o.broad}'s vote is set aside on those ${o.rows} rows.`,
      }),
    );
  }
  for (const p of a.fileProblems) app.append(el('p', { className: 'problem', textContent: `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}` }));
}

window.addEventListener('message', (event: MessageEvent<HostToDashboardMessage>) => {
  const m = event.data;
  if (m.type === 'didAnalyze') analysis = m.analysis;
  else if (m.type === 'didChangeStatus') status = m.status;
  else if (m.type === 'focusLf') focused = m.name;
  render();
  if (m.type === 'focusLf') document.querySelector('tr.focused')?.scrollIntoView({ block: 'center' });
});

render();
vscode.postMessage({ type: 'ready' });
