/**
 * The dashboard webview: runtime state and Re-run All in the header; the label-model summary; coverage
 * against estimated accuracy per LF and coverage per class (charts); the LF table (sortable, filterable);
 * the LF x LF conflict heatmap and the label model's confusion matrix against gold. Every figure opens the
 * examples view on its rows; an LF name opens it in its file. The table's sort and filter, the focused LF
 * and the scroll position survive a reload; the charts follow the theme.
 */
import type {
  DashboardFigures,
  DashboardToHostMessage,
  ExamplesFilter,
  HostToDashboardMessage,
  ProjectAnalysis,
  RuntimeStatus,
} from '../../lf-runtime/src/protocol.ts';
import './dashboard.css';
import { chartTheme, classCoverageChart, scatterChart, type Chart } from './charts.ts';
import { el, type DashboardActions } from './dom.ts';
import { lfTable, matchesView, nextSort, type ShowFilter, type TableView } from './lfTable.ts';
import { conflictHeatmap, confusionMatrix } from './matrices.ts';
import { labelModelSummary } from './summary.ts';

interface VsCodeApi {
  postMessage(message: DashboardToHostMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What a reload restores. */
interface ViewState {
  table: TableView;
  focused: string | null;
  scrollY: number;
}

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
const saved = (vscode.getState() ?? {}) as Partial<ViewState>;
const SHOW_FILTERS: ShowFilter[] = ['all', 'problems', 'conflicts'];
let view: TableView = {
  sort: saved.table?.sort ?? null,
  filterText: typeof saved.table?.filterText === 'string' ? saved.table.filterText : '',
  show: SHOW_FILTERS.includes(saved.table?.show as ShowFilter) ? (saved.table?.show as ShowFilter) : 'all',
};
let focused: string | null = typeof saved.focused === 'string' ? saved.focused : null;
/** The scroll position to go back to once the page is tall enough again (after a reload). */
let pendingScroll: number | null = typeof saved.scrollY === 'number' && saved.scrollY > 0 ? saved.scrollY : null;

let analysis: ProjectAnalysis | null = null;
let status: RuntimeStatus | null = null;
let figures: DashboardFigures | null = null;
let figuresError: string | undefined;
let figuresReceived = false;
let charts: Chart[] = [];

const actions: DashboardActions = {
  showRows: (filter: ExamplesFilter) => vscode.postMessage({ type: 'showRows', filter }),
  revealLf: (lf) => vscode.postMessage({ type: 'revealLf', file: lf.file, line: lf.line }),
};

function saveState(): void {
  const state: ViewState = { table: view, focused, scrollY: pendingScroll ?? window.scrollY };
  vscode.setState(state);
}

// ---------------------------------------------------------------------------------------------------------
// The page's fixed parts, built once; their contents are replaced as results arrive
// ---------------------------------------------------------------------------------------------------------

const statusText = el('span', { className: 'status' });
statusText.setAttribute('role', 'status');
const rerun = el('button', { type: 'button', textContent: 'Re-run all', title: 'Re-run every LF file of the project' });
rerun.addEventListener('click', () => vscode.postMessage({ type: 'rerunAll' }));
const statusProblem = el('pre', { className: 'problem' });
const empty = el('p', { textContent: 'No results yet: open a labeling-function file of the project.' });

const intro = el('div', { className: 'intro' });
const figuresNote = el('p', { className: 'note' });
const summaryBox = el('div', { id: 'label-model-summary' });
const scatterNote = el('div');
const scatterBox = el('div', { id: 'chart-scatter', className: 'chart' });
const classNote = el('div');
const classBox = el('div', { id: 'chart-class-coverage', className: 'chart' });
const heatmapBox = el('div', { id: 'conflict-heatmap' });
const confusionBox = el('div', { id: 'confusion-matrix' });
const tableWrap = el('div', { className: 'table-wrap' });
const tableCount = el('span', { className: 'count' });
const notes = el('div');

const filterInput = el('input', { type: 'search', placeholder: 'Filter LFs by name…', value: view.filterText });
filterInput.setAttribute('aria-label', 'Filter LFs by name (/ to focus)');
filterInput.addEventListener('input', () => {
  view = { ...view, filterText: filterInput.value };
  renderTable();
  saveState();
});
const showSelect = el('select');
showSelect.setAttribute('aria-label', 'Which LFs to show');
for (const [value, text] of [
  ['all', 'All LFs'],
  ['problems', 'Only with problems'],
  ['conflicts', 'Only with conflicts'],
] as const) {
  showSelect.append(el('option', { value, textContent: text, selected: view.show === value }));
}
showSelect.addEventListener('change', () => {
  view = { ...view, show: showSelect.value as ShowFilter };
  renderTable();
  saveState();
});

function card(title: string, caption: string, ...body: Node[]): HTMLElement {
  return el('section', { className: 'card' }, el('h2', { textContent: title }), ...(caption ? [el('p', { className: 'caption', textContent: caption })] : []), ...body);
}

const content = el(
  'main',
  {},
  intro,
  figuresNote,
  el(
    'div',
    { className: 'cards' },
    card('Label model', '', summaryBox),
    card('Coverage and estimated accuracy per LF', 'One point per LF. Click a point for the sample rows the LF votes on.', scatterNote, scatterBox),
    card('Coverage per class', 'Share of sample rows on which some LF votes the class. Click a bar for those rows.', classNote, classBox),
  ),
  el(
    'section',
    { className: 'lfs' },
    el('h2', { textContent: 'Labeling functions' }),
    el('div', { className: 'toolbar' }, filterInput, showSelect, tableCount),
    tableWrap,
    notes,
  ),
  el(
    'div',
    { className: 'cards' },
    card('Conflicts between LFs', 'Sample rows where the row’s LF and the column’s LF vote different classes. Click a cell for those rows.', heatmapBox),
    card('Label model against gold', 'Rows: the gold class; columns: the label model’s answer. Click a cell for those rows.', confusionBox),
  ),
);

app.append(el('header', {}, el('h1', { textContent: 'LF Studio' }), statusText, rerun), statusProblem, empty, content);

// ---------------------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------------------

/** Runs a re-render, then gives keyboard focus back to the element with the same data-key, if any. */
function keepingFocus(render: () => void): void {
  const key = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  render();
  if (!key) return;
  const again = app.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  if (again && again !== document.activeElement) again.focus({ preventScroll: true });
}

function renderStatus(): void {
  statusText.textContent = status?.text ?? '';
  statusText.title = status?.detail ?? '';
  statusText.className = `status status-${status?.state ?? 'starting'}`;
  const showDetail = status?.state === 'error' || status?.state === 'no-project';
  statusProblem.hidden = !showDetail;
  statusProblem.textContent = showDetail ? (status?.detail ?? '') : '';
}

function renderTable(): void {
  if (!analysis) return;
  const a = analysis;
  keepingFocus(() => tableWrap.replaceChildren(lfTable(a, view, focused, actions, (key) => {
    view = nextSort(view, key);
    renderTable();
    saveState();
  })));
  const shown = a.lfs.filter((lf) => matchesView(lf, view)).length;
  tableCount.textContent = shown === a.lfs.length ? `${a.lfs.length} LFs` : `${shown} of ${a.lfs.length} LFs`;
}

function renderCharts(): void {
  // The boxes keep their height (class "drawn") between the old chart going and the new one coming.
  for (const c of charts) c.destroy();
  charts = [];
  if (!analysis) {
    scatterBox.classList.remove('drawn');
    classBox.classList.remove('drawn');
    return;
  }
  const t = chartTheme();
  const scatter = scatterChart(scatterBox, analysis.lfs, focused, t, actions);
  if (scatter) charts.push(scatter);
  scatterBox.classList.toggle('drawn', scatter !== null);
  const unplotted = analysis.lfs.length - (scatter ? analysis.lfs.filter((lf) => lf.estimatedAccuracy !== null).length : 0);
  let why = '';
  if (analysis.lfs.length === 0) why = 'No LFs yet.';
  else if (!scatter) why = 'No LF has an estimated accuracy yet: the label model is fitted once LFs vote.';
  else if (unplotted > 0) why = `${unplotted} LF${unplotted === 1 ? ' has' : 's have'} no estimated accuracy yet and ${unplotted === 1 ? 'is' : 'are'} not plotted.`;
  scatterNote.replaceChildren(...(why ? [el('p', { className: 'note', textContent: why })] : []));
  const bars = figures ? classCoverageChart(classBox, analysis.labels, figures.classCoverage, t, actions) : null;
  if (bars) charts.push(bars);
  classBox.classList.toggle('drawn', bars !== null);
  classNote.replaceChildren(...(bars ? [] : [el('p', { className: 'note', textContent: figuresMissing() })]));
}

function figuresMissing(): string {
  if (figuresError) return `The chart figures could not be read: ${figuresError}`;
  return figuresReceived ? 'No figures for this analysis.' : 'Loading…';
}

/** Everything below the header, for the current analysis and figures. */
function renderContent(): void {
  empty.hidden = analysis !== null;
  content.hidden = analysis === null;
  if (!analysis) {
    renderCharts();
    return;
  }
  const a = analysis;
  intro.replaceChildren(
    el('p', {
      className: 'summary',
      textContent: `${a.task} · ${a.lfs.length} LFs on ${a.rows} sample rows` + (a.devRows !== null ? ` and ${a.devRows} dev rows` : ''),
    }),
    ...a.fileProblems.map((p) =>
      el('p', { className: p.severity === 'warning' ? 'warning' : 'problem', textContent: `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}` }),
    ),
  );
  // Figures of another run than the table's are shown, but marked, until the matching ones arrive.
  const stale = figures !== null && figures.version !== a.version;
  figuresNote.hidden = !stale;
  figuresNote.textContent = stale ? 'The class coverage, conflict and confusion figures are from another run than the table; updating…' : '';
  keepingFocus(() => {
    summaryBox.replaceChildren(labelModelSummary(a, figures, actions));
    heatmapBox.replaceChildren(figures ? conflictHeatmap(figures, focused, actions) : el('p', { className: 'note', textContent: figuresMissing() }));
    confusionBox.replaceChildren(figures ? confusionMatrix(figures, a.labels, actions) : el('p', { className: 'note', textContent: figuresMissing() }));
    notes.replaceChildren(
      ...(a.labelModel?.overrides ?? []).map((o) =>
        el('p', {
          className: 'note',
          textContent: `${o.narrow} votes only inside ${o.broad}'s rows and differently: treated as an exception, so ${o.broad}'s vote is set aside on those ${o.rows} rows.`,
        }),
      ),
    );
  });
  renderTable();
  renderCharts();
  // uPlot sizes its charts in a microtask: measure the page after that.
  requestAnimationFrame(restoreScroll);
}

/** After a reload: back to where the user was, once both the analysis and the figures have filled the page. */
function restoreScroll(): void {
  if (pendingScroll === null || !analysis) return;
  window.scrollTo(0, pendingScroll);
  if (figuresReceived || Math.abs(window.scrollY - pendingScroll) < 2) pendingScroll = null;
}

// ---------------------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<HostToDashboardMessage>) => {
  const m = event.data;
  switch (m.type) {
    case 'didChangeStatus':
      status = m.status;
      renderStatus();
      break;
    case 'didAnalyze':
      analysis = m.analysis;
      renderContent();
      break;
    case 'figures':
      figures = m.figures;
      figuresError = m.error;
      figuresReceived = true;
      renderContent();
      break;
    case 'focusLf': {
      focused = m.name;
      pendingScroll = null;
      renderContent();
      document.querySelector('tr.focused')?.scrollIntoView({ block: 'center' });
      saveState();
      break;
    }
  }
});

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(saveState, 150);
});
// The user scrolling themselves wins over a position still waiting to be restored.
for (const type of ['wheel', 'touchmove', 'keydown'] as const) {
  window.addEventListener(type, () => {
    pendingScroll = null;
  }, { passive: true });
}

// "/" jumps to the LF filter, as in many lists.
window.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLElement && ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName);
  if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    filterInput.focus();
  }
});

// Canvas charts take their colours from the theme when drawn: draw again when the theme changes (VS Code
// swaps the body's vscode-light/-dark/-high-contrast class and the colour variables on <html>).
let themeFrame = 0;
const onTheme = () => {
  cancelAnimationFrame(themeFrame);
  themeFrame = requestAnimationFrame(() => renderCharts());
};
new MutationObserver(onTheme).observe(document.body, { attributes: true, attributeFilter: ['class'] });
new MutationObserver(onTheme).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

renderStatus();
renderContent();
vscode.postMessage({ type: 'ready' });
