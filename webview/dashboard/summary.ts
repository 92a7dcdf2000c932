/**
 * The label-model summary: which model and why it was chosen, total coverage, conflict rate, rows no LF votes
 * on, and per class the balance the model estimated beside the balance of the rows with gold and the share of
 * sample rows some LF votes that class on. Each count opens its rows.
 */
import type { DashboardFigures, ProjectAnalysis } from '../../lf-runtime/src/protocol.ts';
import { count, el, pct, rowsButton, type DashboardActions } from './dom.ts';

/** A fraction shown as text with a bar behind it (the bar is decoration; the text carries the figure). */
function share(x: number | null | undefined, kind: string): HTMLElement {
  const cell = el('span', { className: 'share' }, el('span', { className: 'share-text', textContent: pct(x) }));
  if (x !== null && x !== undefined && Number.isFinite(x)) {
    const bar = el('span', { className: `share-bar ${kind}` });
    bar.setAttribute('aria-hidden', 'true');
    bar.style.setProperty('--w', String(Math.max(0, Math.min(1, x))));
    cell.prepend(bar);
  }
  return cell;
}

function fact(label: string, value: Node | string, hint = ''): HTMLElement {
  return el('div', { className: 'fact', title: hint }, el('dt', { textContent: label }), el('dd', {}, value));
}

export function labelModelSummary(a: ProjectAnalysis, figures: DashboardFigures | null, actions: DashboardActions): HTMLElement {
  const box = el('div', { className: 'label-model' });
  const m = a.labelModel;
  box.append(
    m
      ? el('p', { className: 'model' }, el('strong', { textContent: m.name }), ` — ${m.chosenBy || 'the only model available'}${m.usedDevSet ? ' (calibrated on the rows with gold)' : ''}`)
      : el('p', { className: 'model', textContent: 'No label model yet: it is fitted once LFs vote on the sample.' }),
  );
  const uncovered = m ? m.uncoveredRows : Math.round(a.rows * (1 - a.totalCoverage));
  const facts = el('dl', { className: 'facts' });
  facts.append(
    fact('Total coverage', pct(a.totalCoverage), 'Sample rows some label-model LF votes on'),
    fact(
      'Conflict rate',
      a.totalConflict > 0
        ? rowsButton(pct(a.totalConflict), 'Sample rows where two LFs vote different classes', 'summary:conflicts', () => actions.showRows({ split: 'sample', conflicts: true }))
        : pct(a.totalConflict),
      'Sample rows where two LFs vote different classes',
    ),
    fact(
      'Uncovered rows',
      uncovered > 0
        ? rowsButton(count(uncovered), 'Sample rows no LF votes on', 'summary:uncovered', () => actions.showRows({ split: 'sample', uncovered: true }))
        : count(uncovered),
      `Sample rows no label-model LF votes on, of ${count(a.rows)}`,
    ),
  );
  const goldRows = figures?.goldRows ?? 0;
  facts.append(
    fact(
      'Rows with gold',
      goldRows > 0 ? rowsButton(count(goldRows), 'Rows with a gold label (dev rows and your labels)', 'summary:gold', () => actions.showRows({ split: 'labeled' })) : figures ? '0' : '—',
      'Dev rows and the rows you labeled',
    ),
  );
  box.append(facts, classTable(a, figures, actions));
  return box;
}

/** Per class: estimated balance, gold balance, coverage; the coverage opens the rows some LF votes it on. */
function classTable(a: ProjectAnalysis, figures: DashboardFigures | null, actions: DashboardActions): HTMLElement {
  const gold = figures?.goldClassBalance ?? null;
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col', textContent: 'Class' }),
    el('th', { scope: 'col', textContent: 'Estimated balance', title: 'Class balance the label model estimated on the sample' }),
    el('th', { scope: 'col', textContent: `Gold balance${figures ? ` (${count(figures.goldRows)} rows)` : ''}`, title: 'Class balance of the rows with gold: dev rows and your labels' }),
    el('th', { scope: 'col', textContent: 'Coverage', title: 'Sample rows where some label-model LF votes the class' }),
  );
  const body = el('tbody');
  a.labels.forEach((label, c) => {
    const coverage = figures?.classCoverage[c];
    const covered =
      coverage !== undefined && coverage > 0
        ? rowsButton(pct(coverage), `Sample rows where some LF votes ${label}`, `class:${c}:coverage`, () => actions.showRows({ split: 'sample', anyVote: c }))
        : pct(coverage);
    body.append(
      el(
        'tr',
        {},
        el('th', { scope: 'row', textContent: label }),
        el('td', {}, share(a.labelModel?.classBalance[c], 'estimated')),
        el('td', {}, share(gold ? gold[c] : null, 'gold')),
        el('td', {}, covered),
      ),
    );
  });
  const table = el('table', { className: 'class-table' }, el('thead', {}, head), body);
  table.setAttribute('aria-label', 'Class balance and coverage per class');
  return table;
}
