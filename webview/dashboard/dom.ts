/**
 * Small DOM helpers the dashboard's parts share: element building, number formats, theme colours read from
 * VS Code's CSS variables, and keyboard movement inside a matrix of buttons.
 */
import type { ExamplesFilter } from '../../lf-runtime/src/protocol.ts';

/** What a dashboard part may ask of the page: open the rows behind a figure, or open an LF in its file. */
export interface DashboardActions {
  showRows(filter: ExamplesFilter): void;
  revealLf(lf: { file: string; line: number }): void;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node: HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`);
export const count = (n: number) => n.toLocaleString('en-US');

/**
 * A button that opens the rows behind a figure. `key` names it across re-renders, so keyboard focus comes
 * back to the same figure after new results arrive.
 */
export function rowsButton(text: string, label: string, key: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { className: 'rows-link', textContent: text, title: label, type: 'button' });
  b.setAttribute('aria-label', label);
  b.dataset.key = key;
  b.addEventListener('click', onClick);
  return b;
}

/** A CSS variable's value on the page (VS Code sets its theme's colours there), or the fallback. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * Arrow keys, Home and End move between the buttons of a matrix, with one tab stop for the whole matrix
 * (roving tabindex): a 20 x 20 heatmap is one Tab away from the next chart, not 380.
 */
export function matrixKeys(container: HTMLElement, cells: (HTMLElement | null)[][]): void {
  const rows = cells.length;
  const cols = rows ? Math.max(...cells.map((r) => r.length)) : 0;
  let first = true;
  for (const row of cells) {
    for (const c of row) {
      if (!c) continue;
      c.tabIndex = first ? 0 : -1;
      first = false;
    }
  }
  const find = (r: number, c: number, dr: number, dc: number): HTMLElement | null => {
    for (let i = r + dr, j = c + dc; i >= 0 && i < rows && j >= 0 && j < cols; i += dr, j += dc) {
      const cell = cells[i]?.[j];
      if (cell) return cell;
    }
    return null;
  };
  container.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    let r = -1;
    let c = -1;
    cells.forEach((row, i) => {
      const j = row.indexOf(target);
      if (j >= 0) [r, c] = [i, j];
    });
    if (r < 0) return;
    const moves: Record<string, () => HTMLElement | null> = {
      ArrowRight: () => find(r, c, 0, 1),
      ArrowLeft: () => find(r, c, 0, -1),
      ArrowDown: () => find(r, c, 1, 0),
      ArrowUp: () => find(r, c, -1, 0),
      Home: () => find(r, -1, 0, 1),
      End: () => find(r, cols, 0, -1),
    };
    const next = moves[e.key]?.();
    if (!moves[e.key]) return;
    e.preventDefault();
    if (!next) return;
    target.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });
  // Focus restored by key after a re-render must also be the tab stop.
  container.addEventListener('focusin', (e) => {
    const target = e.target as HTMLElement;
    if (!cells.some((row) => row.includes(target))) return;
    for (const row of cells) for (const cell of row) if (cell && cell !== target) cell.tabIndex = -1;
    target.tabIndex = 0;
  });
}
