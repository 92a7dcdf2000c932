/**
 * The LF table: Snorkel's LFAnalysis columns plus the label model's estimated accuracy, sortable (click a
 * header, again to reverse) and filterable (name text, "only with problems", "only with conflicts"). The LF
 * name opens it in its file; each count or rate opens the examples view on the rows behind it.
 */
import type { ExamplesFilter, LfSummary, ProjectAnalysis } from '../../lf-runtime/src/protocol.ts';
import { el, pct, rowsButton, type DashboardActions } from './dom.ts';

export type SortKey =
  | 'name'
  | 'polarity'
  | 'coverage'
  | 'overlaps'
  | 'conflicts'
  | 'correct'
  | 'incorrect'
  | 'empiricalAccuracy'
  | 'estimatedAccuracy'
  | 'problems';
export type ShowFilter = 'all' | 'problems' | 'conflicts';

/** What the user chose; kept in the webview's state so a reload shows the same table. */
export interface TableView {
  sort: { key: SortKey; dir: 1 | -1 } | null;
  filterText: string;
  show: ShowFilter;
}

interface Column {
  key: SortKey;
  title: string;
  /** The first click sorts names A-Z and figures highest first; the second reverses. */
  firstDir: 1 | -1;
  value(lf: LfSummary, labels: string[]): number | string | null;
  cell(lf: LfSummary, labels: string[], actions: DashboardActions): Node | string;
}

/** Everything that went wrong running an LF, in words; empty when nothing did. */
export function problemText(lf: LfSummary): string {
  const parts: string[] = [];
  if (lf.timedOut) parts.push('timed out');
  if (lf.errors) parts.push(`${lf.errors} errors`);
  if (lf.noneCount) parts.push(`${lf.noneCount} × None`);
  if (lf.outsideLfsList) parts.push('not in the lfs list: left out of the label model');
  return parts.join(', ');
}

const problemScore = (lf: LfSummary) => (lf.timedOut ? 1e9 : 0) + lf.errors + lf.noneCount + (lf.outsideLfsList ? 0.5 : 0);

/** A figure that opens its rows when it has any, else plain text. */
function figure(text: string, has: boolean, label: string, key: string, filter: ExamplesFilter, actions: DashboardActions): HTMLButtonElement | string {
  return has ? rowsButton(text, label, key, () => actions.showRows(filter)) : text;
}

const COLUMNS: Column[] = [
  {
    key: 'name',
    title: 'LF',
    firstDir: 1,
    value: (lf) => lf.name.toLowerCase(),
    cell: (lf, _labels, actions) => {
      const a = el('a', { href: '#', textContent: lf.name, title: `Open ${lf.file}:${lf.line}` });
      a.dataset.key = `lf:${lf.name}:name`;
      a.addEventListener('click', (e) => {
        e.preventDefault();
        actions.revealLf(lf);
      });
      return a;
    },
  },
  {
    key: 'polarity',
    title: 'Polarity',
    firstDir: 1,
    value: (lf, labels) => lf.polarity.map((c) => labels[c] ?? String(c)).join(', ') || null,
    cell: (lf, labels) => lf.polarity.map((c) => labels[c] ?? String(c)).join(', ') || '—',
  },
  {
    key: 'coverage',
    title: 'Coverage',
    firstDir: -1,
    value: (lf) => lf.coverage,
    cell: (lf, _l, actions) =>
      figure(pct(lf.coverage), lf.coverage > 0, `Sample rows ${lf.name} votes on`, `lf:${lf.name}:coverage`, { split: 'sample', lf: lf.name, lfFile: lf.file, vote: 'fires' }, actions),
  },
  {
    key: 'overlaps',
    title: 'Overlaps',
    firstDir: -1,
    value: (lf) => lf.overlaps,
    cell: (lf, _l, actions) =>
      figure(pct(lf.overlaps), lf.overlaps > 0, `Sample rows where ${lf.name} and another LF both vote`, `lf:${lf.name}:overlaps`, { split: 'sample', lf: lf.name, lfFile: lf.file, overlaps: true }, actions),
  },
  {
    key: 'conflicts',
    title: 'Conflicts',
    firstDir: -1,
    value: (lf) => lf.conflicts,
    cell: (lf, _l, actions) =>
      figure(pct(lf.conflicts), lf.conflicts > 0, `Sample rows where another LF votes differently from ${lf.name}`, `lf:${lf.name}:conflicts`, { split: 'sample', lf: lf.name, lfFile: lf.file, conflicts: true }, actions),
  },
  {
    key: 'correct',
    title: 'Correct',
    firstDir: -1,
    value: (lf) => lf.correct,
    cell: (lf, _l, actions) =>
      lf.correct === null
        ? '—'
        : figure(String(lf.correct), lf.correct > 0, `Rows with gold where ${lf.name} votes right`, `lf:${lf.name}:correct`, { split: 'labeled', lf: lf.name, lfFile: lf.file, outcome: 'right' }, actions),
  },
  {
    key: 'incorrect',
    title: 'Incorrect',
    firstDir: -1,
    value: (lf) => lf.incorrect,
    cell: (lf, _l, actions) =>
      lf.incorrect === null
        ? '—'
        : figure(String(lf.incorrect), lf.incorrect > 0, `Rows with gold where ${lf.name} votes wrong`, `lf:${lf.name}:incorrect`, { split: 'labeled', lf: lf.name, lfFile: lf.file, outcome: 'wrong' }, actions),
  },
  {
    key: 'empiricalAccuracy',
    title: 'Emp. acc. (precision on dev)',
    firstDir: -1,
    value: (lf) => lf.empiricalAccuracy,
    cell: (lf, _l, actions) =>
      figure(
        pct(lf.empiricalAccuracy),
        lf.empiricalAccuracy !== null,
        `Rows with gold where ${lf.name} votes`,
        `lf:${lf.name}:empirical`,
        { split: 'labeled', lf: lf.name, lfFile: lf.file, vote: 'fires' },
        actions,
      ),
  },
  {
    key: 'estimatedAccuracy',
    title: 'Est. acc.',
    firstDir: -1,
    value: (lf) => lf.estimatedAccuracy,
    cell: (lf) => pct(lf.estimatedAccuracy),
  },
  {
    key: 'problems',
    title: 'Problems',
    firstDir: -1,
    value: (lf) => problemScore(lf) || null,
    cell: (lf, _l, actions) => {
      const text = problemText(lf);
      const node = figure(text, lf.errors > 0, `Sample rows on which ${lf.name} raised`, `lf:${lf.name}:errors`, { split: 'sample', lf: lf.name, lfFile: lf.file, errors: true }, actions);
      if (!lf.firstError || typeof node === 'string') return node;
      node.title = `${node.title}\n${lf.firstError.kind}: ${lf.firstError.message}`;
      return node;
    },
  },
];

export function matchesView(lf: LfSummary, view: TableView): boolean {
  const text = view.filterText.trim().toLowerCase();
  if (text && !lf.name.toLowerCase().includes(text)) return false;
  if (view.show === 'problems') return problemText(lf) !== '';
  if (view.show === 'conflicts') return lf.conflicts > 0;
  return true;
}

/** Sorted by the chosen column; LFs without a figure go last either way; ties keep the analysis order. */
function sorted(a: ProjectAnalysis, view: TableView): LfSummary[] {
  const lfs = a.lfs.map((lf, i) => ({ lf, i }));
  const sort = view.sort;
  const column = sort && COLUMNS.find((c) => c.key === sort.key);
  if (!sort || !column) return a.lfs;
  lfs.sort((x, y) => {
    const vx = column.value(x.lf, a.labels);
    const vy = column.value(y.lf, a.labels);
    if (vx === null || vy === null) return vx === vy ? x.i - y.i : vx === null ? 1 : -1;
    const d = typeof vx === 'number' && typeof vy === 'number' ? vx - vy : String(vx).localeCompare(String(vy));
    return d === 0 ? x.i - y.i : d * sort.dir;
  });
  return lfs.map((x) => x.lf);
}

/** The table for one analysis and view; `onSort` is called with the column the user asked for. */
export function lfTable(a: ProjectAnalysis, view: TableView, focused: string | null, actions: DashboardActions, onSort: (key: SortKey) => void): HTMLTableElement {
  const headRow = el('tr');
  for (const column of COLUMNS) {
    const active = view.sort?.key === column.key;
    const th = el('th', { scope: 'col' });
    th.setAttribute('aria-sort', active ? (view.sort?.dir === 1 ? 'ascending' : 'descending') : 'none');
    const arrow = active ? (view.sort?.dir === 1 ? ' ▲' : ' ▼') : '';
    const b = el('button', { className: 'sort', type: 'button', textContent: column.title, title: `Sort by ${column.title}` }, el('span', { className: 'arrow', textContent: arrow }));
    b.querySelector('.arrow')?.setAttribute('aria-hidden', 'true');
    b.dataset.key = `sort:${column.key}`;
    b.addEventListener('click', () => onSort(column.key));
    th.append(b);
    headRow.append(th);
  }
  const body = el('tbody');
  const shown = sorted(a, view).filter((lf) => matchesView(lf, view) || lf.name === focused);
  for (const lf of shown) {
    const problems = problemText(lf);
    const row = el('tr', { className: `${problems ? 'has-problem' : ''}${lf.name === focused ? ' focused' : ''}`.trim() });
    row.dataset.lf = lf.name;
    for (const column of COLUMNS) {
      const td = el('td', {}, column.cell(lf, a.labels, actions));
      if (column.key === 'name') td.title = `${lf.file}:${lf.line}`;
      row.append(td);
    }
    body.append(row);
  }
  if (shown.length === 0) {
    const message = a.lfs.length === 0 ? 'No labeling functions yet: add one to a file listed in lfstudio.json.' : 'No LF matches the filter.';
    body.append(el('tr', { className: 'empty' }, el('td', { colSpan: COLUMNS.length, textContent: message })));
  }
  return el('table', { className: 'lf-table' }, el('thead', {}, headRow), body);
}

/** The next view after a header click: a new column sorts its natural way first, the same one reverses. */
export function nextSort(view: TableView, key: SortKey): TableView {
  const column = COLUMNS.find((c) => c.key === key);
  const dir: 1 | -1 = view.sort?.key === key ? (view.sort.dir === 1 ? -1 : 1) : (column?.firstDir ?? 1);
  return { ...view, sort: { key, dir } };
}
