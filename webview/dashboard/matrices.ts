/**
 * The dashboard's two matrices as HTML tables of buttons, each cell coloured by its value (through CSS, from
 * the theme's chart colours) and showing its count: the LF x LF conflict heatmap and the label model's
 * confusion matrix against gold. A table, not a canvas: every cell is a button a keyboard reaches (arrow keys
 * inside, one Tab stop per matrix) and a screen reader reads with its row and column.
 */
import type { DashboardFigures } from '../../lf-runtime/src/protocol.ts';
import { count, el, matrixKeys, pct, type DashboardActions } from './dom.ts';

function note(text: string): HTMLElement {
  return el('p', { className: 'note', textContent: text });
}

function cellButton(text: string, label: string, intensity: number, key: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', className: `cell-button${text === '0' ? ' zero' : ''}`, textContent: text, title: label });
  b.setAttribute('aria-label', label);
  b.style.setProperty('--v', String(Math.max(0, Math.min(1, intensity))));
  b.dataset.key = key;
  b.addEventListener('click', onClick);
  return b;
}

/** LF x LF: sample rows where both vote and disagree; a cell opens those rows. */
export function conflictHeatmap(figures: DashboardFigures, focused: string | null, actions: DashboardActions): HTMLElement {
  const names = figures.lfNames;
  const m = names.length;
  if (m < 2) return note(m === 0 ? 'No LFs yet.' : 'Conflicts need two LFs or more.');
  let max = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) max = Math.max(max, figures.conflicts[i]?.[j] ?? 0);
  const head = el('tr', {}, el('td', { className: 'corner' }));
  names.forEach((name) => {
    const th = el('th', { scope: 'col', className: `col-head${name === focused ? ' focused' : ''}`, title: name }, el('span', { textContent: name }));
    head.append(th);
  });
  const body = el('tbody');
  const cells: (HTMLElement | null)[][] = [];
  names.forEach((a, i) => {
    const row = el('tr', { className: a === focused ? 'focused' : '' }, el('th', { scope: 'row', textContent: a, title: a }));
    const rowCells: (HTMLElement | null)[] = [];
    names.forEach((b, j) => {
      if (i === j) {
        row.append(el('td', { className: 'diagonal', textContent: '—', title: 'An LF does not conflict with itself' }));
        rowCells.push(null);
        return;
      }
      const n = figures.conflicts[i]?.[j] ?? 0;
      const button = cellButton(String(n), `${a} and ${b} vote different classes on ${count(n)} sample rows`, max ? n / max : 0, `conflict:${i}:${j}`, () =>
        actions.showRows({ split: 'sample', lf: a, conflictsWith: b }),
      );
      button.dataset.i = String(i);
      button.dataset.j = String(j);
      row.append(el('td', { className: 'cell conflict' }, button));
      rowCells.push(button);
    });
    cells.push(rowCells);
    body.append(row);
  });
  const table = el('table', { className: 'matrix heatmap' }, el('thead', {}, head), body);
  table.setAttribute('aria-label', 'Sample rows where two LFs vote different classes, per pair of LFs');
  matrixKeys(table, cells);
  const wrap = el('div', { className: 'matrix-wrap' }, table);
  if (max === 0) wrap.append(note('No two LFs vote different classes on any sample row.'));
  return wrap;
}

/** Gold class (rows) x the label model's answer (columns) over the rows with gold; a cell opens those rows. */
export function confusionMatrix(figures: DashboardFigures, labels: string[], actions: DashboardActions): HTMLElement {
  const confusion = figures.confusion;
  if (!confusion || figures.goldRows === 0) {
    return note('No rows with gold yet: set data.dev in lfstudio.json, or label rows in the examples view (they count at once).');
  }
  const k = labels.length;
  const head = el('tr', {}, el('td', { className: 'corner', textContent: 'gold ↓ · model →' }));
  labels.forEach((label) => head.append(el('th', { scope: 'col', textContent: label, title: `The label model says ${label}` })));
  head.append(el('th', { scope: 'col', textContent: 'Rows' }), el('th', { scope: 'col', textContent: 'Recall', title: 'Share of the class the label model gets right' }));
  const body = el('tbody');
  const cells: (HTMLElement | null)[][] = [];
  let right = 0;
  let total = 0;
  for (let g = 0; g < k; g++) {
    const rowCounts = labels.map((_, p) => confusion[g]?.[p] ?? 0);
    const rowTotal = rowCounts.reduce((s, v) => s + v, 0);
    right += rowCounts[g] ?? 0;
    total += rowTotal;
    const row = el('tr', {}, el('th', { scope: 'row', textContent: labels[g], title: `Gold ${labels[g]}` }));
    const rowCells: HTMLElement[] = [];
    rowCounts.forEach((n, p) => {
      const label = `Gold ${labels[g]}, label model says ${labels[p]}: ${count(n)} rows`;
      const button = cellButton(String(n), label, rowTotal ? n / rowTotal : 0, `confusion:${g}:${p}`, () =>
        actions.showRows({ split: 'labeled', gold: g, predicted: p }),
      );
      button.dataset.gold = String(g);
      button.dataset.pred = String(p);
      row.append(el('td', { className: `cell ${g === p ? 'hit' : 'miss'}` }, button));
      rowCells.push(button);
    });
    row.append(el('td', { className: 'total', textContent: count(rowTotal) }), el('td', { className: 'total', textContent: rowTotal ? pct((rowCounts[g] ?? 0) / rowTotal) : '—' }));
    cells.push(rowCells);
    body.append(row);
  }
  const table = el('table', { className: 'matrix confusion' }, el('thead', {}, head), body);
  table.setAttribute('aria-label', "The label model's answers against gold labels");
  matrixKeys(table, cells);
  return el(
    'div',
    { className: 'matrix-wrap' },
    table,
    note(`Accuracy ${total ? pct(right / total) : '—'} over ${count(total)} rows with gold (dev rows and your labels).`),
  );
}
